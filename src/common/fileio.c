#define _POSIX_C_SOURCE 200809L
#include "fileio.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int explain_mode(const char *path, const struct stat *st, ds_error *err)
{
    if (S_ISDIR(st->st_mode))
        return err_set_code(err, DS_ERR_NOT_A_FILE, path, 0, "is a directory, not a file");
    if (!S_ISREG(st->st_mode))
        return err_set_code(err, DS_ERR_NOT_A_FILE, path, 0, "not a regular file (a device, pipe or socket)");
    return 0;
}

int file_err_cannot_open(ds_error *err, const char *path, int errnum)
{
    return err_set_code(err, DS_ERR_CANNOT_OPEN, path, 0, ERR_CANNOT_OPEN "%s", strerror(errnum));
}

int file_check_regular(const char *path, off_t *size, ds_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return file_err_cannot_open(err, path, errno);
    if (explain_mode(path, &st, err) != 0)
        return -1;
    if (size)
        *size = st.st_size;
    return 0;
}

FILE *file_open_regular(const char *path, const char *mode, off_t *size, ds_error *err)
{
    /* stat first: opening a FIFO for reading blocks until a writer appears. */
    if (file_check_regular(path, NULL, err) != 0)
        return NULL;
    FILE *f = fopen(path, mode);
    if (!f) {
        file_err_cannot_open(err, path, errno);
        return NULL;
    }
    struct stat st;
    int bad = fstat(fileno(f), &st) != 0 ? file_err_cannot_open(err, path, errno)
                                         : explain_mode(path, &st, err);
    if (bad) {
        fclose(f);
        return NULL;
    }
    if (size)
        *size = st.st_size;
    return f;
}
