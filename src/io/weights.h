/* weights.h - a net's parameters as .npz arrays `layers.{i}.weight` (out, in) float32 and
 * `layers.{i}.bias` (out,), i the 0-based index of the `layer =` line (the contract). */
#ifndef DS_WEIGHTS_H
#define DS_WEIGHTS_H

#include "../common/err.h"
#include "../engine/net.h"

int weights_save(const net *n, const char *path, ds_error *err);
/* Every array must be present with the net's shapes and finite values that fit the net's
 * precision (running variances not negative); nothing is changed on error. Messages name
 * the file, the array and the flat index: "w.npz: layers.0.weight[5] is NaN; weights must
 * be finite". */
int weights_load(net *n, const char *path, ds_error *err);

#endif
