#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../common/names.h"

/* The one list of optimizer names (parser, its error messages, the UI, run's summary). */
#define OPT_NAMES(X)                                                                                            \
    X(OPT_SGD, "sgd") X(OPT_MOMENTUM, "momentum") X(OPT_ADAGRAD, "adagrad") X(OPT_NORMALIZED, "normalized")     \
    X(OPT_RMSPROP, "rmsprop") X(OPT_ADAM, "adam") X(OPT_ADAMW, "adamw")

static const char *const names[OPT_COUNT] = {OPT_NAMES(NAME_AT)};
static const char names_list[] = OPT_NAMES(NAME_JOINED);

const char *optim_name(opt_kind k) { return (k >= 0 && k < OPT_COUNT) ? names[k] : "?"; }
const char *optim_names_list(void) { return names_list + NAME_LIST_SKIP; }

int optim_parse_kind(const char *name, opt_kind *out)
{
    int i = names_find(names, OPT_COUNT, name);
    if (i < 0)
        return -1;
    *out = (opt_kind)i;
    return 0;
}

opt_config optim_defaults(opt_kind k)
{
    opt_config c = {.kind = k, .lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.0f,
                    .alpha = 0.99f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .nesterov = false};
    switch (k) {
    case OPT_ADAGRAD: c.lr = 0.01f; c.eps = 1e-10f; break;
    case OPT_NORMALIZED: c.lr = 0.01f; c.eps = 1e-10f; break;
    case OPT_RMSPROP: c.lr = 0.01f; break;
    case OPT_ADAM: c.lr = 0.001f; break;
    case OPT_ADAMW: c.lr = 0.001f; c.weight_decay = 0.01f; break;
    default: break;
    }
    return c;
}

void optim_init(optimizer *o, const opt_config *cfg, size_t n)
{
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    o->n = n;
    if (cfg->kind != OPT_SGD && cfg->kind != OPT_NORMALIZED)
        o->s1 = xcalloc(n, sizeof(float));
    if (cfg->kind == OPT_ADAM || cfg->kind == OPT_ADAMW)
        o->s2 = xcalloc(n, sizeof(float));
}

void optim_free(optimizer *o)
{
    free(o->s1);
    free(o->s2);
    memset(o, 0, sizeof *o);
}

void optim_begin(optimizer *o, const float *grads, size_t n)
{
    o->t++;
    if (o->cfg.kind == OPT_NORMALIZED) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += (double)grads[i] * grads[i];
        o->gnorm = sqrt(s);
    }
}

void optim_update(optimizer *o, float *w, const float *g, size_t off, size_t len, float lr)
{
    const opt_config *c = &o->cfg;
    float wd = c->kind == OPT_ADAMW ? 0.0f : c->weight_decay;
    float *s1 = o->s1 ? o->s1 + off : NULL, *s2 = o->s2 ? o->s2 + off : NULL;
    w += off;
    g += off;
    switch (c->kind) {
    case OPT_SGD:
        for (size_t i = 0; i < len; i++)
            w[i] -= lr * (g[i] + wd * w[i]);
        break;
    case OPT_MOMENTUM:
        for (size_t i = 0; i < len; i++) {
            float gi = g[i] + wd * w[i];
            s1[i] = c->momentum * s1[i] - lr * gi;
            w[i] += c->nesterov ? c->momentum * s1[i] - lr * gi : s1[i];
        }
        break;
    case OPT_ADAGRAD:
        for (size_t i = 0; i < len; i++) {
            float gi = g[i] + wd * w[i];
            s1[i] += gi * gi;
            w[i] -= lr * gi / (sqrtf(s1[i]) + c->eps);
        }
        break;
    case OPT_NORMALIZED: {
        float scale = (float)(lr / (o->gnorm + c->eps));
        for (size_t i = 0; i < len; i++)
            w[i] -= scale * (g[i] + wd * w[i]);
        break;
    }
    case OPT_RMSPROP:
        for (size_t i = 0; i < len; i++) {
            float gi = g[i] + wd * w[i];
            s1[i] = c->alpha * s1[i] + (1.0f - c->alpha) * gi * gi;
            w[i] -= lr * gi / (sqrtf(s1[i]) + c->eps);
        }
        break;
    case OPT_ADAM:
    case OPT_ADAMW: {
        float bc1 = 1.0f - powf(c->beta1, (float)o->t);
        float bc2_sqrt = sqrtf(1.0f - powf(c->beta2, (float)o->t));
        float step = lr / bc1;
        float decay = c->kind == OPT_ADAMW ? 1.0f - lr * c->weight_decay : 1.0f;
        for (size_t i = 0; i < len; i++) {
            w[i] *= decay;
            float gi = g[i] + wd * w[i];
            s1[i] = c->beta1 * s1[i] + (1.0f - c->beta1) * gi;
            s2[i] = c->beta2 * s2[i] + (1.0f - c->beta2) * gi * gi;
            w[i] -= step * s1[i] / (sqrtf(s2[i]) / bc2_sqrt + c->eps);
        }
        break;
    }
    default:
        break;
    }
}

const char *optim_state_name(opt_kind k, int which)
{
    switch (k) {
    case OPT_MOMENTUM: return which == 0 ? "velocity" : NULL;
    case OPT_ADAGRAD: return which == 0 ? "sum of squared gradients" : NULL;
    case OPT_RMSPROP: return which == 0 ? "mean square" : NULL;
    case OPT_ADAM:
    case OPT_ADAMW: return which == 0 ? "m" : "v";
    default: return NULL;
    }
}

double optim_m_hat(const optimizer *o, size_t j)
{
    if (!o->s1 || o->t < 1)
        return 0.0;
    return o->s1[j] / (1.0 - pow(o->cfg.beta1, (double)o->t));
}

double optim_v_hat(const optimizer *o, size_t j)
{
    if (!o->s2 || o->t < 1)
        return 0.0;
    return o->s2[j] / (1.0 - pow(o->cfg.beta2, (double)o->t));
}
