/* weights.h - a net's parameters as .npz arrays `layers.{i}.weight` (out, in) float32 and
 * `layers.{i}.bias` (out,), i the 0-based index of the `layer =` line (the contract). */
#ifndef DS_WEIGHTS_H
#define DS_WEIGHTS_H

#include "../common/err.h"
#include "../engine/net.h"

int weights_save(const net *n, const char *path, ds_error *err);
/* Every array must be present with the net's shapes; nothing is changed on error. */
int weights_load(net *n, const char *path, ds_error *err);

#endif
