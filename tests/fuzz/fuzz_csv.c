/* fuzz_csv.c - libFuzzer harness for CSV datasets (dataset_load_csv): the input is written
 * to a temporary file, loaded, checked and freed with dataset_destroy. */
#include "fuzz_common.h"

#include <math.h>

#include "data/dataset.h"

static int tmp = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (tmp < 0)
        tmp = fuzz_temp_new("csv", ".csv");
    fuzz_temp_write(tmp, data, size);
    dataset ds;
    ds_error err;
    memset(&err, 0, sizeof err);
    int rc = dataset_load_csv(&ds, fuzz_temp_path(tmp), &err);
    fuzz_say(&err, rc);
    if (rc != 0) {
        FUZZ_CHECK(err.msg[0] != '\0');
        dataset_destroy(&ds); /* safe on a failed load: it zeroes ds first */
        return 0;
    }
    FUZZ_CHECK(ds.n > 0 && ds.n <= DATA_MAX_ROWS);
    FUZZ_CHECK(ds.d > 0 && ds.d <= DATA_MAX_FEATURES);
    FUZZ_CHECK(ds.raw_f32 != NULL && ds.labels != NULL);
    FUZZ_CHECK(ds.n_classes >= 1 && ds.n_classes <= DATA_MAX_CLASSES);
    for (int i = 0; i < ds.n; i++)
        FUZZ_CHECK(ds.labels[i] >= 0 && ds.labels[i] < ds.n_classes);
    for (size_t k = 0; k < (size_t)ds.n * (size_t)ds.d; k++)
        FUZZ_CHECK(isfinite(ds.raw_f32[k]));
    if (ds.feature_names)
        for (int j = 0; j < ds.d; j++)
            FUZZ_CHECK(ds.feature_names[j] != NULL);
    dataset_destroy(&ds);
    return 0;
}
