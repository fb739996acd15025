#define _POSIX_C_SOURCE 200809L
#include "atomic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_open(atomic_file *a, const char *path, ds_error *err)
{
    memset(a, 0, sizeof *a);
    if (strlen(path) >= sizeof a->path)
        return err_set(err, path, 0, "path is too long");
    /* rename() would fail only at commit, after the work: say it now. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return err_set(err, path, 0, "is a directory; give a file name");
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0)
        return err_set(err, path, 0, "cannot create: %s", strerror(errno));
    /* mkstemp creates 0600; give the file the mode fopen would have (0666 less the umask), so a
     * saved .npz or .csv reads like any other file the user writes. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        return err_set(err, path, 0, "cannot create: %s", strerror(e));
    }
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        return err_set(err, path, 0, "cannot create: %s", strerror(e));
    }
    return 0;
}

int atomic_check(const char *path, ds_error *err)
{
    atomic_file a;
    if (atomic_open(&a, path, err) != 0)
        return -1;
    atomic_abort(&a);
    return 0;
}

int atomic_commit(atomic_file *a, ds_error *err)
{
    int bad = fflush(a->f) != 0 || ferror(a->f);
    int e = errno;
    if (!bad && fsync(fileno(a->f)) != 0 && errno != EINVAL)
        bad = 1, e = errno;
    if (fclose(a->f) != 0 && !bad)
        bad = 1, e = errno;
    a->f = NULL;
    if (bad) {
        unlink(a->tmp);
        return err_set(err, a->path, 0, "write failed: %s", strerror(e));
    }
    if (rename(a->tmp, a->path) != 0) {
        e = errno;
        unlink(a->tmp);
        return err_set(err, a->path, 0, "cannot replace: %s", strerror(e));
    }
    return 0;
}

void atomic_abort(atomic_file *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp[0])
        unlink(a->tmp);
    a->tmp[0] = '\0';
}
