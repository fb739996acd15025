/* synth.c - seeded synthetic 2-D sets. Defaults (samples, noise):
 *   xor      4, 0      corner i%4 of the unit square, label = x1 XOR x2, plus N(0, noise^2)
 *   moons    200, 0.1  two interleaved half circles (as scikit-learn's make_moons)
 *   circles  200, 0.05 a circle of radius 1 around one of radius 0.5 (make_circles)
 *   spiral   300, 0.2  `classes` arms, angle noise N(0, noise^2) (the cs231n spiral)
 *   blobs    300, 1.0  `classes` gaussian blobs of std `noise`, centres on a circle of radius 4
 *   random   1000, 1.0 `features` N(0, noise^2) values and a uniform random label of `classes`:
 *                      nothing to learn; for benchmarks and tests of any shape
 */
#include <math.h>
#include <string.h>

#include "dataset.h"

static const char *const names[SYNTH_COUNT] = {"xor", "moons", "circles", "spiral", "blobs", "random"};

const char *synth_name(synth_kind k) { return (k >= 0 && k < SYNTH_COUNT) ? names[k] : "?"; }

int synth_parse_kind(const char *name, synth_kind *out)
{
    for (int i = 0; i < SYNTH_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (synth_kind)i;
            return 0;
        }
    return -1;
}

void synth_defaults(synth_params *p)
{
    static const int samples[SYNTH_COUNT] = {4, 200, 200, 300, 300, 1000};
    static const float noise[SYNTH_COUNT] = {0.0f, 0.1f, 0.05f, 0.2f, 1.0f, 1.0f};
    if (p->samples <= 0)
        p->samples = samples[p->kind];
    if (p->noise < 0)
        p->noise = noise[p->kind];
    if (p->classes <= 0)
        p->classes = p->kind == SYNTH_RANDOM ? 10 : (p->kind == SYNTH_SPIRAL || p->kind == SYNTH_BLOBS) ? 3 : 2;
    if (p->features <= 0)
        p->features = 2;
}

int synth_check(const synth_params *in, ds_error *err)
{
    if (in->kind < 0 || in->kind >= SYNTH_COUNT) /* before synth_defaults indexes by it */
        return err_set(err, NULL, 0, "unknown synthetic set %d", (int)in->kind);
    synth_params p = *in;
    synth_defaults(&p);
    const char *name = synth_name(p.kind);
    if (!(p.noise <= 100.0f)) /* also NaN */
        return err_set(err, NULL, 0, "%s: noise=%g is not a number from 0 to 100", name, (double)p.noise);
    if (p.classes < 2 || p.classes > DATA_MAX_CLASSES)
        return err_set(err, NULL, 0, "%s: classes=%d is not a whole number from 2 to %d", name, p.classes,
                       DATA_MAX_CLASSES);
    /* Only random has a features= option; the others are always 2-D. */
    int d = p.kind == SYNTH_RANDOM ? p.features : 2;
    ds_error e = {0};
    if (dataset_check_shape((uint64_t)p.samples, (uint64_t)d, "samples", "features", NULL, 0, &e) != 0)
        return err_set(err, NULL, 0, "%s: %s", name, e.msg);
    return 0;
}

int dataset_synth(dataset *ds, const synth_params *in, rng *r)
{
    memset(ds, 0, sizeof *ds);
    if (synth_check(in, NULL) != 0)
        return -1;
    synth_params p = *in;
    synth_defaults(&p);
    int n = p.samples, K = p.classes;
    if (p.kind == SYNTH_RANDOM) {
        dataset_alloc(ds, n, p.features, false);
        for (size_t i = 0; i < (size_t)n * p.features; i++)
            ds->raw_f32[i] = (float)(rng_gauss(r) * p.noise);
        for (int i = 0; i < n; i++)
            ds->labels[i] = (int)rng_below(r, (uint32_t)K);
        ds->n_classes = K;
        return 0;
    }
    dataset_alloc(ds, n, 2, false);
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; i++) {
        double x = 0, y = 0;
        int label = 0;
        switch (p.kind) {
        case SYNTH_XOR: {
            int c = i % 4;
            x = c >> 1;
            y = c & 1;
            label = (c >> 1) ^ (c & 1);
            break;
        }
        case SYNTH_MOONS: {
            int half = (n + 1) / 2;
            label = i >= half;
            int k = label ? i - half : i, m = label ? n - half : half;
            double t = m > 1 ? pi * k / (m - 1) : 0.0;
            x = label ? 1.0 - cos(t) : cos(t);
            y = label ? 0.5 - sin(t) : sin(t);
            break;
        }
        case SYNTH_CIRCLES: {
            int half = (n + 1) / 2;
            label = i >= half;
            int k = label ? i - half : i, m = label ? n - half : half;
            double t = 2 * pi * k / (m > 0 ? m : 1), rad = label ? 0.5 : 1.0;
            x = rad * cos(t);
            y = rad * sin(t);
            break;
        }
        case SYNTH_SPIRAL: {
            int per = (n + K - 1) / K;
            label = i / per;
            int k = i % per;
            double rad = per > 1 ? (double)k / (per - 1) : 0.0;
            double t = label * 4.0 + 4.0 * rad + rng_gauss(r) * p.noise;
            x = rad * sin(t);
            y = rad * cos(t);
            break;
        }
        case SYNTH_BLOBS: {
            label = i % K;
            double t = 2 * pi * label / K;
            x = 4.0 * cos(t);
            y = 4.0 * sin(t);
            break;
        }
        default:
            break;
        }
        if (p.kind != SYNTH_SPIRAL && p.noise > 0) {
            x += rng_gauss(r) * p.noise;
            y += rng_gauss(r) * p.noise;
        }
        ds->raw_f32[2 * i] = (float)x;
        ds->raw_f32[2 * i + 1] = (float)y;
        ds->labels[i] = label;
        ds->n_classes = label + 1 > ds->n_classes ? label + 1 : ds->n_classes;
    }
    return 0;
}
