/* fileio.h - opening files that come from users: only regular files are read, so a lesson
 * that names a directory, /dev/zero or a FIFO gets one clear line instead of "empty file",
 * an endless read or a hang. */
#ifndef DS_FILEIO_H
#define DS_FILEIO_H

#include <stdio.h>
#include <sys/types.h>

#include "err.h"

/* fopen(path, mode) after checking that path is a regular file. On success *size (when
 * non-NULL) is its size in bytes. On failure fills err ("PATH: is a directory, not a file",
 * "PATH: not a regular file (a device, pipe or socket)", "PATH: cannot open: <strerror>")
 * and returns NULL (err->code DS_ERR_NOT_A_FILE or DS_ERR_CANNOT_OPEN). The check runs on
 * the opened descriptor (fstat), so a file swapped between check and open is still caught. */
FILE *file_open_regular(const char *path, const char *mode, off_t *size, ds_error *err);

/* The same check without opening (for gzopen and friends): 0 when path is a regular file,
 * else -1 with err filled as above. */
int file_check_regular(const char *path, off_t *size, ds_error *err);

/* "PATH: cannot open: <strerror(errnum)>" with code DS_ERR_CANNOT_OPEN; returns -1. For a
 * loader whose own open (gzdopen, ...) fails after the checks above. */
int file_err_cannot_open(ds_error *err, const char *path, int errnum);

#endif
