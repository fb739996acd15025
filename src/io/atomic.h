/* atomic.h - files appear whole or not at all: write to "PATH.tmp.XXXXXX" in the same
 * folder, then fsync and rename over PATH. Abort removes the temporary file. */
#ifndef DS_ATOMIC_H
#define DS_ATOMIC_H

#include <stdio.h>

#include "../common/err.h"

typedef struct atomic_file {
    FILE *f;
    char path[1024];
    char tmp[1100];
} atomic_file;

int atomic_open(atomic_file *a, const char *path, ds_error *err);
int atomic_commit(atomic_file *a, ds_error *err); /* closes; renames on success */
void atomic_abort(atomic_file *a);                /* closes and removes the temporary file */

/* Whether atomic_open(path) would succeed now (the folder exists and takes a new file, path is
 * not a folder): 0, or -1 with the message atomic_open would give. Leaves nothing behind. */
int atomic_check(const char *path, ds_error *err);

#endif
