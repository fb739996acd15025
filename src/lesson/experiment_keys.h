/* experiment_keys.h - inside the experiment parser: what each key of a ```deepstep block
 * means (experiment_keys.c), apart from reading the block's lines (experiment.c). Not for
 * other modules: experiment.h is the parser's interface. */
#ifndef DS_EXPERIMENT_KEYS_H
#define DS_EXPERIMENT_KEYS_H

#include <stdbool.h>

#include "experiment.h"
#include "kv.h"

#define MAX_TOKENS KV_MAX_TOKENS

/* The line being parsed: where errors point, and where relative paths start. */
typedef struct line_ctx {
    experiment *x;
    const char *file;
    int line;
    ds_error *err;
    const char *base_dir;
} line_ctx;


/* err = (file, line, message); returns -1. */
int experiment_fail(const line_ctx *c, const char *fmt, ...) DS_PRINTF(2, 3);
/* The keys a block may have, NULL-terminated, in the order the unknown-key message lists them. */
#define EXPERIMENT_KEYS 19
extern const char *const experiment_known_keys[EXPERIMENT_KEYS + 1];
/* Apply KEY's words tok[0..n) to c->x; *loss_set: the block named its loss. */
int experiment_apply_key(const line_ctx *c, const char *key, char **tok, int n, bool *loss_set);
/* optimizer = NAME [options] */
int experiment_key_optimizer(const line_ctx *c, char **tok, int n);

#endif
