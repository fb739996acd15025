/* cast.c - asciicast v2: the header, then each changed frame as one output event. */
#include "cast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/xalloc.h"

/* s into out as the inside of a JSON string: quotes, backslashes and control characters
 * escaped, UTF-8 kept as it is (JSON allows it). */
static void json_put(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
}

int cast_open(cast_writer *c, const char *path, int w, int h, const char *title, cast_sgr_fn sgr, ds_error *err)
{
    memset(c, 0, sizeof *c);
    if (atomic_open(&c->out, path, err) != 0)
        return -1;
    c->open = true;
    c->w = w, c->h = h, c->sgr = sgr;
    FILE *o = c->out.f;
    fprintf(o, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld, \"title\": \"", w, h,
            (long long)time(NULL));
    json_put(o, title ? title : "deepstep", strlen(title ? title : "deepstep"));
    fprintf(o, "\", \"env\": {\"TERM\": \"xterm-256color\"}}\n");
    return 0;
}

/* A repaint of the whole frame: home, each row with its roles' SGR, erase to the end of the
 * row; the escape sequences go in a buffer first, so an event is one JSON string. */
static void repaint(const cast_writer *c, const frame *f, char **buf, size_t *len)
{
    FILE *m = open_memstream(buf, len);
    if (!m)
        return;
    fputs("\x1b[0m\x1b[H", m);
    for (int y = 0; y < f->h; y++) {
        int cur = -1;
        for (int x = 0; x < f->w; x++) {
            const cell *ce = &f->cells[(size_t)y * f->w + x];
            if (ce->ch == 0) /* the right half of a wide character: the terminal drew it */
                continue;
            if (c->sgr && ce->role != cur) {
                char s[64];
                c->sgr(ce->role, s, sizeof s);
                fprintf(m, "\x1b[0%s%sm", s[0] ? ";" : "", s);
                cur = ce->role;
            }
            char u[8];
            fwrite(u, 1, (size_t)utf8_encode(ce->ch, u), m);
            const uint16_t *mk = f->marks[(size_t)y * f->w + x];
            for (int k = 0; k < FRAME_MARKS && mk[k]; k++)
                fwrite(u, 1, (size_t)utf8_encode(mk[k], u), m);
        }
        fputs("\x1b[0m\x1b[K", m);
        if (y + 1 < f->h)
            fputs("\r\n", m);
    }
    fclose(m);
}

void cast_frame(cast_writer *c, const frame *f, double seconds)
{
    if (!c->open)
        return;
    size_t n = (size_t)f->w * f->h;
    if (c->prev && c->prev_w == f->w && c->prev_h == f->h && memcmp(c->prev, f->cells, n * sizeof *c->prev) == 0)
        return; /* nothing new on screen */
    char *buf = NULL;
    size_t len = 0;
    repaint(c, f, &buf, &len);
    if (!buf)
        return;
    fprintf(c->out.f, "[%.6f, \"o\", \"", seconds < 0 ? 0.0 : seconds);
    json_put(c->out.f, buf, len);
    fputs("\"]\n", c->out.f);
    free(buf);
    c->prev = xrealloc(c->prev, n, sizeof *c->prev);
    memcpy(c->prev, f->cells, n * sizeof *c->prev);
    c->prev_w = f->w, c->prev_h = f->h;
    c->events++;
}

int cast_close(cast_writer *c, ds_error *err)
{
    if (!c->open)
        return 0;
    free(c->prev);
    c->prev = NULL;
    c->open = false;
    return atomic_commit(&c->out, err);
}
