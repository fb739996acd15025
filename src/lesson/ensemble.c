#include "ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

double averaged_accuracy(const int *labels, const float *probs, int n_rows, int K)
{
    long correct = 0;
    for (int r = 0; r < n_rows; r++) {
        const float *p = probs + (size_t)r * K;
        int pred = 0;
        if (K == 1)
            pred = p[0] >= 0.5f;
        else
            for (int j = 1; j < K; j++)
                pred = p[j] > p[pred] ? j : pred;
        correct += pred == labels[r];
    }
    return n_rows ? (double)correct / n_rows : NAN;
}

static void part_add(ensemble_part *p, trainer *t, const dataset *ds, const int *rows, int n, int K, int members)
{
    if (n <= 0)
        return;
    if (!p->sum) {
        p->n = n;
        p->sum = xcalloc((size_t)n * K, sizeof(float));
        p->labels = xcalloc((size_t)n, sizeof(int));
        for (int i = 0; i < n; i++)
            p->labels[i] = ds->labels[rows[i]];
    }
    float *probs = xcalloc((size_t)n * K, sizeof(float));
    trainer_predict(t, rows, n, probs);
    for (size_t i = 0; i < (size_t)n * K; i++)
        p->sum[i] += probs[i] / (float)members;
    free(probs);
}

void ensemble_add(ensemble_score *e, trainer *t, const experiment_data *d, int members)
{
    e->K = net_out_width(&t->net);
    part_add(&e->val, t, &d->data, d->split.val, d->split.n_val, e->K, members);
    part_add(&e->test, t, &d->data, d->split.test, d->split.n_test, e->K, members);
    e->added++;
}

static double part_accuracy(const ensemble_part *p, int K)
{
    return p->sum ? averaged_accuracy(p->labels, p->sum, p->n, K) : NAN;
}

double ensemble_accuracy(const ensemble_score *e) { return part_accuracy(&e->val, e->K); }

double ensemble_test_accuracy(const ensemble_score *e) { return part_accuracy(&e->test, e->K); }

static void part_free(ensemble_part *p)
{
    free(p->sum);
    free(p->labels);
}

void ensemble_free(ensemble_score *e)
{
    part_free(&e->val);
    part_free(&e->test);
    memset(e, 0, sizeof *e);
}
