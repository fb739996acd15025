#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

void frame_init(frame *f, int w, int h)
{
    f->w = w > 0 ? w : 1;
    f->h = h > 0 ? h : 1;
    f->cells = xcalloc((size_t)f->w * f->h, sizeof(cell));
    frame_clear(f);
}

void frame_free(frame *f)
{
    free(f->cells);
    f->cells = NULL;
    f->w = f->h = 0;
}

void frame_clear(frame *f)
{
    for (size_t i = 0; i < (size_t)f->w * f->h; i++)
        f->cells[i] = (cell){' ', ROLE_NORMAL};
}

int utf8_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    int n = (u[0] & 0xE0) == 0xC0 ? 2 : (u[0] & 0xF0) == 0xE0 ? 3 : (u[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t c = u[0] & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = c << 6 | (u[i] & 0x3F);
    }
    *cp = c;
    return n;
}

int utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int frame_put(frame *f, int x, int y, role r, const char *s, int max_w)
{
    if (y < 0 || y >= f->h || x >= f->w)
        return 0;
    int limit = max_w > 0 && x + max_w < f->w ? x + max_w : f->w;
    int col = x;
    while (*s && col < limit) {
        uint32_t cp;
        s += utf8_decode(s, &cp);
        if (cp == '\n' || cp == '\t')
            cp = ' ';
        if (cp < 0x20)
            continue;
        if (col >= 0)
            f->cells[(size_t)y * f->w + col] = (cell){cp, (uint8_t)r};
        col++;
    }
    return col - x;
}

void frame_fill(frame *f, int x, int y, int w, uint32_t ch, role r)
{
    if (y < 0 || y >= f->h)
        return;
    for (int c = x; c < x + w && c < f->w; c++)
        if (c >= 0)
            f->cells[(size_t)y * f->w + c] = (cell){ch, (uint8_t)r};
}

void frame_row_text(const frame *f, int y, char *buf, size_t cap)
{
    size_t n = 0, keep = 0;
    for (int x = 0; x < f->w && y >= 0 && y < f->h; x++) {
        char enc[4];
        int k = utf8_encode(f->cells[(size_t)y * f->w + x].ch, enc);
        if (n + (size_t)k + 1 > cap)
            break;
        memcpy(buf + n, enc, (size_t)k);
        n += (size_t)k;
        if (enc[0] != ' ')
            keep = n;
    }
    if (cap)
        buf[keep] = '\0';
}

int frame_contains(const frame *f, const char *text)
{
    char row[4096];
    for (int y = 0; y < f->h; y++) {
        frame_row_text(f, y, row, sizeof row);
        if (strstr(row, text))
            return 1;
    }
    return 0;
}
