#include "frame.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

void frame_init(frame *f, int w, int h)
{
    f->w = w > 0 ? w : 1;
    f->h = h > 0 ? h : 1;
    f->cells = xcalloc((size_t)f->w * f->h, sizeof(cell));
    f->marks = xcalloc((size_t)f->w * f->h, sizeof *f->marks);
    frame_clear(f);
}

void frame_free(frame *f)
{
    free(f->cells);
    free(f->marks);
    f->cells = NULL;
    f->marks = NULL;
    f->w = f->h = 0;
}

void frame_clear(frame *f)
{
    for (size_t i = 0; i < (size_t)f->w * f->h; i++)
        f->cells[i] = (cell){' ', ROLE_NORMAL};
    memset(f->marks, 0, (size_t)f->w * f->h * sizeof *f->marks);
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
    for (int i = 1; i < n; i++) { /* a NUL is no continuation byte: the scan stops at the end */
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = c << 6 | (u[i] & 0x3F);
    }
    *cp = c;
    return n;
}

int utf8_decode_n(const char *s, size_t n, uint32_t *cp)
{
    char tmp[5] = {0}; /* a sequence cut by the end decodes as an invalid byte, like one cut by a NUL */
    memcpy(tmp, s, n < 4 ? n : 4);
    return utf8_decode(tmp, cp);
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

typedef struct range {
    uint32_t lo, hi;
} range;

static int in_ranges(uint32_t cp, const range *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= t[i].lo && cp <= t[i].hi)
            return 1;
    return 0;
}

int cp_is_mark(uint32_t cp)
{
    /* combining diacritical marks (and extended, supplement, for symbols, half marks); zero-width
     * space, non-joiner, joiner, word joiner, BOM; variation selectors. All < 0x10000 (frame.marks). */
    static const range marks[] = {{0x0300, 0x036F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200D},
                                  {0x2060, 0x2060}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
                                  {0xFEFF, 0xFEFF}};
    return cp >= 0x300 && in_ranges(cp, marks, sizeof marks / sizeof *marks);
}

int cp_cols(uint32_t cp)
{
    /* Unicode's East Asian Wide and Fullwidth, in blocks, and the emoji shown 2 columns wide */
    static const range wide[] = {
        {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
        {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
        {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
        {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
        {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
        {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
        {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
        {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
        {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
        {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF},
        {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
        {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
        {0x30000, 0x3FFFD}};
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp_is_mark(cp))
        return 0;
    return cp >= 0x1100 && in_ranges(cp, wide, sizeof wide / sizeof *wide) ? 2 : 1;
}

/* Cell (x, y) becomes ch with no marks. */
static void set_one(frame *f, int x, int y, uint32_t ch, uint16_t r)
{
    size_t i = (size_t)y * f->w + x;
    f->cells[i] = (cell){ch, r};
    memset(f->marks[i], 0, sizeof f->marks[i]);
}

void frame_set(frame *f, int x, int y, uint32_t ch, role r)
{
    if (y < 0 || y >= f->h || x >= f->w)
        return;
    int w = cp_cols(ch) == 2 ? 2 : 1;
    if (x + w <= 0)
        return;
    if (x < 0 || x + w > f->w) { /* a wide character with a half off the frame: only a space fits */
        ch = ' ';
        w = 1;
        x = x < 0 ? 0 : x;
    }
    /* a wide character cut in half by this one becomes a space: the terminal is never asked
     * to draw half a character */
    const cell *row = &f->cells[(size_t)y * f->w];
    if (x > 0 && row[x].ch == 0)
        set_one(f, x - 1, y, ' ', row[x - 1].role);
    if (x + w < f->w && row[x + w].ch == 0)
        set_one(f, x + w, y, ' ', row[x + w].role);
    set_one(f, x, y, ch, (uint16_t)r);
    if (w == 2)
        set_one(f, x + 1, y, 0, (uint16_t)r);
}

void frame_add_mark(frame *f, int x, int y, uint32_t mark)
{
    if (x < 0 || x >= f->w || y < 0 || y >= f->h || mark > 0xFFFF)
        return;
    if (x > 0 && f->cells[(size_t)y * f->w + x].ch == 0) /* a right half: the mark is its character's */
        x--;
    uint16_t *m = f->marks[(size_t)y * f->w + x];
    for (int i = 0; i < FRAME_MARKS; i++)
        if (m[i] == 0) {
            m[i] = (uint16_t)mark;
            return;
        }
}

int frame_putn(frame *f, int x, int y, role r, const char *s, size_t n, int max_w)
{
    if (y < 0 || y >= f->h || x >= f->w)
        return 0;
    int limit = max_w > 0 && x + max_w < f->w ? x + max_w : f->w;
    int col = x, base = INT_MIN; /* the column of the last character drawn: its marks go there */
    size_t i = 0;
    while (i < n && s[i]) {
        uint32_t cp;
        int k = utf8_decode_n(s + i, n - i, &cp);
        if (cp == '\n' || cp == '\t')
            cp = ' ';
        if (cp_is_mark(cp) && base != INT_MIN) {
            frame_add_mark(f, base, y, cp); /* checked before the limit: a mark takes no column */
            i += (size_t)k;
            continue;
        }
        int w = cp_is_mark(cp) ? 1 : cp_cols(cp); /* a mark with nothing before it: on a space */
        if (w == 0) { /* a control character */
            i += (size_t)k;
            continue;
        }
        if (col + w > limit)
            break;
        i += (size_t)k;
        frame_set(f, col, y, cp_is_mark(cp) ? ' ' : cp, r);
        if (cp_is_mark(cp))
            frame_add_mark(f, col, y, cp);
        base = col;
        col += w;
    }
    return col - x;
}

int frame_put(frame *f, int x, int y, role r, const char *s, int max_w)
{
    return frame_putn(f, x, y, r, s, strlen(s), max_w);
}

void frame_fill(frame *f, int x, int y, int w, uint32_t ch, role r)
{
    if (y < 0 || y >= f->h)
        return;
    for (int c = x; c < x + w && c < f->w; c++)
        if (c >= 0)
            frame_set(f, c, y, ch, r);
}

void frame_row_text(const frame *f, int y, char *buf, size_t cap)
{
    size_t n = 0, keep = 0;
    for (int x = 0; x < f->w && y >= 0 && y < f->h; x++) {
        const cell *c = &f->cells[(size_t)y * f->w + x];
        const uint16_t *mk = f->marks[(size_t)y * f->w + x];
        if (c->ch == 0) /* the right half of a wide character: written with its left half */
            continue;
        char enc[4 * (1 + FRAME_MARKS)];
        int k = utf8_encode(c->ch, enc);
        for (int m = 0; m < FRAME_MARKS && mk[m]; m++)
            k += utf8_encode(mk[m], enc + k);
        if (n + (size_t)k + 1 > cap)
            break;
        memcpy(buf + n, enc, (size_t)k);
        n += (size_t)k;
        if (c->ch != ' ' || mk[0])
            keep = n;
    }
    if (cap)
        buf[keep] = '\0';
}

int frame_contains(const frame *f, const char *text)
{
    size_t cap = (size_t)f->w * 4 * (1 + FRAME_MARKS) + 1; /* every cell at its longest */
    char *row = xcalloc(cap, 1);
    int found = 0;
    for (int y = 0; y < f->h && !found; y++) {
        frame_row_text(f, y, row, cap);
        found = strstr(row, text) != NULL;
    }
    free(row);
    return found;
}
