/* The lesson list: scanning a folder of lessons (its keys are in keys.c). */
#define _POSIX_C_SOURCE 200809L
#include "app.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

static int cmp_entry(const void *x, const void *y)
{
    return strcmp(((const lesson_entry *)x)->path, ((const lesson_entry *)y)->path);
}

int app_scan_lessons(app *a, const char *dir, ds_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return err_set(err, dir, 0, "cannot open the lessons folder: %s", strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0 || e->d_name[0] == '.')
            continue;
        a->list.entries = xrealloc(a->list.entries, (size_t)a->list.n + 1, sizeof *a->list.entries);
        lesson_entry *le = &a->list.entries[a->list.n++];
        memset(le, 0, sizeof *le);
        snprintf(le->path, sizeof le->path, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(a->list.entries, (size_t)a->list.n, sizeof *a->list.entries, cmp_entry);
    for (int i = 0; i < a->list.n; i++) {
        lesson_entry *le = &a->list.entries[i];
        lesson l;
        ds_error pe = {0};
        if (lesson_load(&l, le->path, &pe) == 0) {
            snprintf(le->title, sizeof le->title, "%s", l.title);
            snprintf(le->summary, sizeof le->summary, "%s", l.summary);
            lesson_free(&l);
        } else {
            const char *slash = strrchr(le->path, '/');
            snprintf(le->title, sizeof le->title, "%s", slash ? slash + 1 : le->path);
            err_format(&pe, le->summary, sizeof le->summary);
            le->broken = true;
        }
    }
    if (a->list.n == 0)
        return err_set(err, dir, 0, "no lessons (*.md) in this folder");
    return 0;
}

int app_list_siblings(app *a)
{
    const char *path = a->opened_path;
    char dir[sizeof a->opened_path];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    ds_error ignored = {0};
    if (app_scan_lessons(a, dir, &ignored) != 0)
        return -1;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (int i = 0; i < a->list.n; i++) {
        const char *p = strrchr(a->list.entries[i].path, '/');
        if (strcmp(p ? p + 1 : a->list.entries[i].path, base) == 0)
            a->list.selected = i;
    }
    return 0;
}
