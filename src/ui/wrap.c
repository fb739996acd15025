#include "wrap.h"

#include <stdbool.h>
#include <string.h>

static int is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t';
}

/* Columns cp adds to a line; *based: the line has a character a mark can sit on. frame_put
 * draws a mark with nothing before it on a space of its own, so that mark counts 1. */
static int cols_of(uint32_t cp, int *based)
{
    int w = is_space(cp) || cp == '\n' ? 1 : cp_is_mark(cp) ? !*based : cp_cols(cp);
    if (w > 0)
        *based = 1;
    return w;
}

static int skip_spaces(const char *s, int n, int i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

int wrap_next(const char *s, int n, int *pos, int width, wrap_line *line)
{
    int p = *pos;
    if (p >= n)
        return 0;
    if (width < 1)
        width = 1;
    int i = p, cols = 0, based = 0;
    int lead = -1;                /* where the first word starts (after any indent) */
    int end = p, end_cols = 0;    /* the line so far without its trailing spaces */
    int brk = -1;                 /* the content end at the last run of spaces after a word */
    while (i < n) {
        uint32_t cp;
        int k = utf8_decode_n(s + i, (size_t)(n - i), &cp);
        if (cp == '\n') {
            *line = (wrap_line){p, end - p, end_cols};
            *pos = i + 1;
            return 1;
        }
        int w = cols_of(cp, &based);
        if (is_space(cp)) {
            if (lead >= 0 && cols + w > width) { /* the spaces overflow: break before them */
                *line = (wrap_line){p, end - p, end_cols};
                i = skip_spaces(s, n, i);
                *pos = i < n && s[i] == '\n' ? i + 1 : i; /* that '\n' would only add an empty line */
                return 1;
            }
            if (lead >= 0 && brk != end)
                brk = end;
            cols += w;
            i += k;
            continue;
        }
        if (cols + w > width && lead < 0 && cols > 0) { /* an indent the first character misses */
            p = i;
            cols = 0;
            based = 0;
            w = cols_of(cp, &based);
        }
        if (cols + w > width && lead >= 0) {
            if (brk < 0 && lead > p) { /* one word after an indent: drop the indent, try again */
                p = lead;
                cols = wrap_cols(s + p, i - p); /* recounted: a mark that starts it now needs a space */
            }
            if (cols + w > width) {
                if (brk >= 0) { /* break at the last spaces */
                    *line = (wrap_line){p, brk - p, wrap_cols(s + p, brk - p)};
                    *pos = skip_spaces(s, n, brk);
                } else { /* a word wider than the line: break it before this character */
                    *line = (wrap_line){p, i - p, cols};
                    *pos = i;
                }
                return 1;
            }
        }
        if (lead < 0)
            lead = i;
        cols += w;
        i += k;
        end = i;
        end_cols = cols;
    }
    *line = (wrap_line){p, end - p, end_cols};
    *pos = n;
    return 1;
}

int wrap_cols(const char *s, int n)
{
    int cols = 0, based = 0;
    for (int i = 0; i < n;) {
        uint32_t cp;
        i += utf8_decode_n(s + i, (size_t)(n - i), &cp);
        cols += cols_of(cp, &based);
    }
    return cols;
}

int wrap_widest(const char *s, int n, int width)
{
    int pos = 0, widest = 0;
    wrap_line ln;
    while (wrap_next(s, n, &pos, width, &ln))
        widest = ln.cols > widest ? ln.cols : widest;
    return widest;
}

int wrap_min_width(const char *s, int n)
{
    int widest = 0, word = 0, based = 0;
    for (int i = 0; i < n;) {
        uint32_t cp;
        i += utf8_decode_n(s + i, (size_t)(n - i), &cp);
        if (is_space(cp) || cp == '\n') { /* a word may start a line: its marks then need a space */
            word = 0;
            based = 0;
            continue;
        }
        word += cols_of(cp, &based);
        widest = word > widest ? word : widest;
    }
    return widest;
}

int wrap_put(frame *f, int x, int y, int w, int max_lines, int hang, role ro, const char *text)
{
    int n = (int)strlen(text), pos = 0, lines = 0;
    wrap_line ln;
    while (lines < max_lines) {
        int lx = x + (lines ? hang : 0), lw = w - (lines ? hang : 0), at = pos;
        if (!wrap_next(text, n, &pos, lw, &ln))
            break;
        bool cut = lines + 1 == max_lines && pos < n && lw > 2;
        if (cut) { /* the last line there is room for, and text left: make room for " …" */
            pos = at;
            wrap_next(text, n, &pos, lw - 2, &ln);
        }
        int used = frame_putn(f, lx, y + lines, ro, text + ln.start, (size_t)ln.len, lw);
        if (cut) /* after a space if the line ended at one, else right after the broken word */
            frame_put(f, lx + used + (pos > ln.start + ln.len), y + lines, ROLE_DIM, "\xE2\x80\xA6", 1);
        lines++;
    }
    return lines;
}

int wrap_fit_columns(const int *full, const int *least, int cols, int room, int *width)
{
    int total = 0;
    for (int c = 0; c < cols; c++)
        total += width[c] = least[c] < full[c] ? least[c] : full[c];
    if (total > room)
        return -1;
    for (int best = 0; best >= 0;) { /* a column whole: every cell on one line reads best */
        best = -1;
        for (int c = 0; c < cols; c++)
            if (width[c] < full[c] && total + full[c] - width[c] <= room &&
                (best < 0 || full[c] - width[c] < full[best] - width[best]))
                best = c;
        if (best >= 0) {
            total += full[best] - width[best];
            width[best] = full[best];
        }
    }
    for (int best = 0; best >= 0 && total < room;) { /* then fewer lines in the wrapped ones */
        best = -1;
        for (int c = 0; c < cols; c++)
            if (width[c] < full[c] && (best < 0 || full[c] - width[c] > full[best] - width[best]))
                best = c;
        if (best >= 0) {
            width[best]++;
            total++;
        }
    }
    return 0;
}
