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

void ensemble_add(ensemble_score *e, trainer *t, const experiment_data *d, int members)
{
    if (!e->sum) {
        e->n_val = d->split.n_val;
        e->K = net_out_width(&t->net);
        e->sum = xcalloc((size_t)e->n_val * e->K + 1, sizeof(float));
        e->labels = xcalloc((size_t)e->n_val + 1, sizeof(int));
        for (int i = 0; i < e->n_val; i++)
            e->labels[i] = d->data.labels[d->split.val[i]];
    }
    float *probs = xcalloc((size_t)e->n_val * e->K + 1, sizeof(float));
    trainer_predict(t, d->split.val, e->n_val, probs);
    for (size_t i = 0; i < (size_t)e->n_val * e->K; i++)
        e->sum[i] += probs[i] / (float)members;
    free(probs);
    e->added++;
}

double ensemble_accuracy(const ensemble_score *e)
{
    return e->sum ? averaged_accuracy(e->labels, e->sum, e->n_val, e->K) : NAN;
}

void ensemble_free(ensemble_score *e)
{
    free(e->sum);
    free(e->labels);
    memset(e, 0, sizeof *e);
}
