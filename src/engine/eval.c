/* eval.c - the trainer in eval mode: predictions and the loss and accuracy of rows, in the
 * eval workspace, so evaluating never disturbs the batch being stepped through. */
#include "trainer.h"

#include <math.h>
#include <string.h>

/* Forward m rows already in the eval workspace; their predicted probabilities into out (m, K)
 * when out is not NULL. */
static void eval_rows(net *n, int m, float *out)
{
    workspace *ws = &n->eval;
    int last = n->n_layers - 1, K = n->layers[last].n_out;
    net_forward(n, ws, m, false);
    if (!out)
        return;
    if (n->loss == LOSS_CROSS_ENTROPY)
        act_forward(ACT_SOFTMAX, out, ws->z[last], m, K);
    else if (n->loss == LOSS_BCE)
        act_forward(ACT_SIGMOID, out, ws->z[last], m, K);
    else
        memcpy(out, ws->a[last], (size_t)m * K * sizeof(float));
}

void trainer_predict(trainer *t, const int *rows, int n_rows, float *probs)
{
    net *n = &t->net;
    int K = net_out_width(n);
    for (int start = 0; start < n_rows; start += n->eval.cap) {
        int m = n_rows - start < n->eval.cap ? n_rows - start : n->eval.cap;
        dataset_gather(t->data, rows + start, m, n->eval.x, NULL);
        eval_rows(n, m, probs + (size_t)start * K);
    }
}

void trainer_eval_inputs(trainer *t, const float *x, int n_rows, float *probs, int li, float *layer_a)
{
    net *n = &t->net;
    int d = n->n_in, K = net_out_width(n);
    int w = li >= 0 && li < n->n_layers ? n->layers[li].n_out : 0;
    for (int start = 0; start < n_rows; start += n->eval.cap) {
        int m = n_rows - start < n->eval.cap ? n_rows - start : n->eval.cap;
        memcpy(n->eval.x, x + (size_t)start * d, (size_t)m * d * sizeof(float));
        eval_rows(n, m, probs ? probs + (size_t)start * K : NULL);
        if (layer_a && w)
            memcpy(layer_a + (size_t)start * w, n->eval.a[li], (size_t)m * w * sizeof(float));
    }
}

void trainer_evaluate(trainer *t, const int *rows, int n_rows, double *loss, double *acc)
{
    net *n = &t->net;
    workspace *ws = &n->eval;
    int last = n->n_layers - 1, K = n->layers[last].n_out;
    double loss_sum = 0.0;
    long correct = 0;
    for (int start = 0; start < n_rows; start += ws->cap) {
        int m = n_rows - start < ws->cap ? n_rows - start : ws->cap;
        dataset_gather(t->data, rows + start, m, ws->x, t->eval_labels);
        net_forward(n, ws, m, false);
        loss_sum += net_loss(n, ws, t->eval_labels, false) * m;
        for (int r = 0; r < m; r++)
            correct += loss_predict(n->loss, n->layers[last].act, ws->z[last] + (size_t)r * K,
                                    ws->a[last] + (size_t)r * K, K) == t->eval_labels[r];
    }
    *loss = n_rows ? loss_sum / n_rows : NAN;
    *acc = n_rows ? (double)correct / n_rows : NAN;
}
