/* fuzz_npz.c - libFuzzer harness for .npz archives: npz_load (then npz_find on every
 * member, npz_free), and weights_load into two small nets, checking its promise that a
 * refused file changes nothing. The input is written to a temporary file. */
#include "fuzz_common.h"

#include "engine/net.h"
#include "io/npz.h"
#include "io/weights.h"

static int tmp = -1;
static net nets[2];
static float *before;
static size_t before_cap;

/* Net 0: 3 -> dense 2 (what tests/fixtures/numpy_*.npz hold); net 1: that, then batchnorm,
 * so the running_mean/running_var arrays are looked for too. */
static void make_nets(void)
{
    layer_spec specs[2];
    memset(specs, 0, sizeof specs);
    specs[0].kind = LAYER_DENSE;
    specs[0].units = 2;
    specs[0].act = ACT_LINEAR;
    specs[0].init = INIT_XAVIER;
    specs[1].kind = LAYER_BATCHNORM;
    specs[1].act = ACT_LINEAR;
    for (int k = 0; k < 2; k++) {
        ds_error err;
        if (net_create(&nets[k], 3, specs, k + 1, LOSS_MSE, 1, 1, &err) != 0) {
            err_print(stderr, &err);
            abort();
        }
        if (nets[k].n_params + nets[k].n_buffers > before_cap)
            before_cap = nets[k].n_params + nets[k].n_buffers;
    }
    before = malloc(before_cap * sizeof *before);
    if (!before)
        abort();
}

/* The same starting values on every run, so a crash reproduces from its input alone. */
static void reset_nets(void)
{
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < nets[k].n_params; i++)
            nets[k].params[i] = (float)i * 0.5f - 1.0f;
        for (size_t i = 0; i < nets[k].n_buffers; i++)
            nets[k].buffers[i] = 1.0f;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (tmp < 0) {
        tmp = fuzz_temp_new("npz", ".npz");
        make_nets();
    }
    fuzz_temp_write(tmp, data, size);
    const char *path = fuzz_temp_path(tmp);
    npz z;
    ds_error err;
    memset(&err, 0, sizeof err);
    int rc = npz_load(&z, path, &err);
    fuzz_say(&err, rc);
    if (rc != 0) {
        FUZZ_CHECK(err.msg[0] != '\0');
        FUZZ_CHECK(z.n == 0 && z.arrays == NULL); /* a refused file leaves nothing to free */
        npz_free(&z);
    } else {
        FUZZ_CHECK(z.n >= 0);
        for (int i = 0; i < z.n; i++) {
            const npz_array *a = &z.arrays[i];
            FUZZ_CHECK(memchr(a->name, '\0', sizeof a->name) != NULL);
            FUZZ_CHECK(a->ndim >= 0 && a->ndim <= NPZ_MAX_DIMS);
            size_t count = 1;
            for (int k = 0; k < a->ndim; k++)
                count *= a->shape[k];
            FUZZ_CHECK(count == a->count);
            FUZZ_CHECK(a->data != NULL);
            volatile float sum = 0; /* touch every element: ASan checks the bounds */
            for (size_t k = 0; k < a->count; k++)
                sum += a->data[k];
            (void)sum;
            FUZZ_CHECK(npz_find(&z, a->name) != NULL);
        }
        npz_free(&z);
    }
    reset_nets();
    for (int k = 0; k < 2; k++) {
        net *n = &nets[k];
        memcpy(before, n->params, n->n_params * sizeof(float));
        memcpy(before + n->n_params, n->buffers, n->n_buffers * sizeof(float));
        memset(&err, 0, sizeof err);
        int wrc = weights_load(n, path, &err);
        fuzz_say(&err, wrc);
        if (wrc != 0) {
            FUZZ_CHECK(err.msg[0] != '\0');
            FUZZ_CHECK(memcmp(before, n->params, n->n_params * sizeof(float)) == 0);
            FUZZ_CHECK(memcmp(before + n->n_params, n->buffers, n->n_buffers * sizeof(float)) == 0);
        }
    }
    return 0;
}
