#include "lesson.h"

#include <errno.h>
#include <md4c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fileio.h"
#include "../common/xalloc.h"
#include "blocks.h"

typedef struct block_text {
    size_t fence; /* offset of the opening fence's info string ("deepstep ...") */
    size_t first; /* offset of the first text byte, SIZE_MAX when none */
    size_t last;  /* one past the last text byte */
} block_text;

/* line_at's index: the line number at every LINE_STEP-th byte */
#define LINE_STEP 4096

typedef struct parse_state {
    lesson *l;
    ds_error *err;
    char base_dir[EXPERIMENT_PATH_MAX];
    int in_heading;      /* heading level while inside one */
    int in_deepstep;     /* inside a ```deepstep block */
    int in_compare;      /* the block is a ```deepstep compare block */
    int in_race;         /* ... or a ```deepstep race block */
    int in_ask;          /* ... or a ```deepstep ask block */
    int in_paragraph;
    int summary_done;
    size_t scan;         /* offset reached so far in the source; it never moves back */
    bool no_empty_h2;    /* a search for an empty '##' line found none after scan */
    block_text block;
    char heading[160];
    size_t heading_at;
    int *line_marks;     /* line_marks[k]: the line of byte k * LINE_STEP */
    int n_blocks;        /* ```deepstep blocks of every kind so far */
    int cap_pages, cap_experiments; /* allocated lengths of l->pages, l->experiments */
    int failed;
} parse_state;

/* Counting lines from the start of the file for each answer made 100,000 headings take 15 s
 * and 800,000 never finish; a cursor moved from the previous answer walks the file again for
 * every offset that arrives out of order. So the lines are counted once, and an answer counts
 * at most LINE_STEP bytes from the nearest mark, whatever the order of the questions. */
static void index_lines(parse_state *s)
{
    const lesson *l = s->l;
    size_t n = l->len / LINE_STEP + 1;
    s->line_marks = xcalloc(n, sizeof *s->line_marks);
    int line = 1;
    for (size_t k = 0, i = 0; k < n; k++) {
        for (; i < k * LINE_STEP; i++)
            line += l->src[i] == '\n';
        s->line_marks[k] = line;
    }
}

/* The line of byte off */
static int line_at(const parse_state *s, size_t off)
{
    const char *src = s->l->src;
    if (off > s->l->len)
        off = s->l->len;
    size_t i = off / LINE_STEP * LINE_STEP;
    int line = s->line_marks[off / LINE_STEP];
    for (; i < off; i++)
        line += src[i] == '\n';
    return line;
}

static size_t line_start(const lesson *l, size_t off)
{
    while (off > 0 && l->src[off - 1] != '\n')
        off--;
    return off;
}

/* Room for one more element in *p of *cap, doubling: growing by one each time copies the
 * array on every element. */
static void *grow(void *p, int *cap, int n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? 2 * *cap : 8;
    return xrealloc(p, (size_t)*cap, size);
}

static void append(char *dst, size_t cap, const char *text, size_t n)
{
    size_t have = strlen(dst);
    if (have + 1 >= cap)
        return;
    if (n > cap - 1 - have)
        n = cap - 1 - have;
    memcpy(dst + have, text, n);
    dst[have + n] = '\0';
}

static int add_page(parse_state *s, const char *title, size_t begin, int line)
{
    lesson *l = s->l;
    if (l->n_pages > LESSON_MAX_PAGES) /* page 0 is the intro, before the first heading */
        return err_set(s->err, l->path, line, "more than %d pages ('##' headings) in one lesson; split it into "
                       "several lessons", LESSON_MAX_PAGES);
    if (l->n_pages > 0 && begin < l->pages[l->n_pages - 1].begin)
        begin = l->pages[l->n_pages - 1].begin; /* pages stay in order, whatever the guess */
    if (l->n_pages > 0)
        l->pages[l->n_pages - 1].end = begin;
    l->pages = grow(l->pages, &s->cap_pages, l->n_pages, sizeof *l->pages);
    lesson_page *p = &l->pages[l->n_pages++];
    memset(p, 0, sizeof *p);
    snprintf(p->title, sizeof p->title, "%s", title);
    p->begin = begin;
    p->end = l->len;
    p->line = line;
    return 0;
}

static int is_deepstep_info(const MD_BLOCK_CODE_DETAIL *d)
{
    return d->fence_char && d->lang.size == 8 && memcmp(d->lang.text, "deepstep", 8) == 0;
}

/* "deepstep compare" / "deepstep race": the info string's second word */
static int info_word_is(const MD_BLOCK_CODE_DETAIL *d, const char *word)
{
    const char *t = d->info.text;
    size_t n = d->info.size, w = strlen(word);
    if (n < 9 + w || memcmp(t, "deepstep", 8) != 0 || (t[8] != ' ' && t[8] != '\t'))
        return 0;
    size_t skip = 9;
    while (skip < n && (t[skip] == ' ' || t[skip] == '\t'))
        skip++;
    return n - skip >= w && memcmp(t + skip, word, w) == 0;
}

static int is_compare_info(const MD_BLOCK_CODE_DETAIL *d) { return info_word_is(d, "compare"); }

/* Every callback returns s->failed: md4c stops at a non-zero return, and if a callback is
 * still called after one, it must not replace the first error. */
static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    parse_state *s = ud;
    if (s->failed)
        return s->failed;
    if (type == MD_BLOCK_H) {
        s->in_heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
        s->heading[0] = '\0';
        s->heading_at = (size_t)-1;
    } else if (type == MD_BLOCK_CODE && is_deepstep_info(detail)) {
        const MD_CHAR *lang = ((MD_BLOCK_CODE_DETAIL *)detail)->lang.text;
        s->in_deepstep = 1;
        /* md4c points an attribute with no '&' or '\\' (so "deepstep") into our buffer: the
         * fence's line, wherever the fence is (a list item, a quote, after tabs) */
        bool ours = lang >= s->l->src && lang < s->l->src + s->l->len;
        s->block.fence = ours ? (size_t)(lang - s->l->src) : s->scan;
        s->in_compare = is_compare_info(detail);
        s->in_race = info_word_is(detail, "race");
        s->in_ask = info_word_is(detail, "ask");
        s->block.first = (size_t)-1;
        s->block.last = 0;
    } else if (type == MD_BLOCK_P && !s->summary_done && s->l->title[0]) {
        s->in_paragraph = 1;
    }
    return 0;
}

/* Does nothing but blank lines (and quote marks) follow byte from? Then md4c ended the block
 * at the end of the file: it has no closing fence, and the prose meant to follow it would be
 * blamed as block lines. A block ended by its list item or quote is followed by more lesson. */
static bool runs_to_end(const lesson *l, size_t from)
{
    for (; from < l->len; from++)
        if (l->src[from] != ' ' && l->src[from] != '\t' && l->src[from] != '\n' && l->src[from] != '>')
            return false;
    return true;
}

/* An experiment's name picks it on the command line (--experiment NAME) and in compare
 * blocks and expectations, so two experiments may not share one. */
static int check_unique_name(const lesson *l, const experiment *x, ds_error *err)
{
    for (int i = 0; x->name[0] && i < l->n_experiments; i++)
        if (strcmp(l->experiments[i].name, x->name) == 0)
            return err_set(err, l->path, x->line_name, "experiment name '%s' is already used by the experiment at line %d",
                           x->name, l->experiments[i].line);
    return 0;
}

static int add_experiment(parse_state *s, const char *text, size_t len, int first_line, int fence_line)
{
    lesson *l = s->l;
    experiment x;
    if (experiment_parse(&x, text, len, l->path, fence_line, first_line, s->base_dir, s->err) != 0)
        return -1;
    x.text_at = len ? (size_t)(text - l->src) : 0;
    x.text_len = len;
    x.text_line = first_line;
    if (check_unique_name(l, &x, s->err) != 0) {
        experiment_free(&x);
        return -1;
    }
    int cap = s->cap_experiments;
    l->experiments = grow(l->experiments, &s->cap_experiments, l->n_experiments, sizeof *l->experiments);
    l->experiment_page = grow(l->experiment_page, &cap, l->n_experiments, sizeof *l->experiment_page);
    l->experiments[l->n_experiments] = x;
    l->experiment_page[l->n_experiments++] = l->n_pages - 1;
    return 0;
}

static int finish_block(parse_state *s)
{
    lesson *l = s->l;
    int fence_line = line_at(s, s->block.fence);
    const char *text = "";
    size_t len = 0, end;
    int first_line = fence_line + 1;
    if (s->block.first == (size_t)-1) { /* empty block: it ends with its fence line */
        const char *nl = memchr(l->src + s->block.fence, '\n', l->len - s->block.fence);
        end = nl ? (size_t)(nl - l->src) : l->len;
    } else {
        text = l->src + s->block.first;
        len = s->block.last - s->block.first;
        first_line = line_at(s, s->block.first);
        end = s->block.last;
    }
    if (end > s->scan)
        s->scan = end;
    if (++s->n_blocks > LESSON_MAX_BLOCKS)
        return err_set(s->err, l->path, fence_line, "more than %d ```deepstep blocks in one lesson; split it into "
                       "several lessons", LESSON_MAX_BLOCKS);
    if (runs_to_end(l, end))
        return err_set(s->err, l->path, fence_line, "this ```deepstep block is never closed (end it with a line ```)");
    if (s->in_race)
        return blocks_parse_race(l, text, len, first_line, fence_line, s->err);
    if (s->in_compare)
        return blocks_parse_compare(l, text, len, first_line, fence_line, s->err);
    if (s->in_ask)
        return blocks_parse_ask(l, text, len, first_line, fence_line, s->err);
    return add_experiment(s, text, len, first_line, fence_line);
}

/* Past what may precede a heading on its line: indentation, quote marks, list markers
 * ("-", "*", "+", "1.", "1)" and a space or a tab). */
static size_t skip_containers(const lesson *l, size_t j)
{
    const char *c = l->src;
    for (;;) {
        size_t k = j;
        while (k < l->len && c[k] >= '0' && c[k] <= '9')
            k++;
        bool marker = k + 1 < l->len && (c[k + 1] == ' ' || c[k + 1] == '\t') &&
                      (k > j ? c[k] == '.' || c[k] == ')' : c[k] == '-' || c[k] == '*' || c[k] == '+');
        if (marker)
            j = k + 2;
        else if (k == j && j < l->len && (c[j] == ' ' || c[j] == '\t' || c[j] == '>'))
            j++;
        else
            return j;
    }
}

/* Where a '##' heading with no text is: md4c gives no offset, only text does. It is the first
 * line after what was read so far whose content is "##"; moving scan past it keeps the next
 * empty heading from finding the same line. add_page keeps pages in order should this guess
 * land too far. Only pages need the place (other levels are neither searched nor capped).
 * scan never moves back, so when a search finds nothing no later one can: it is not repeated,
 * and each byte is read by at most one search that finds a line and one that does not (a
 * miss that went to the end of the file for every heading made 40,000 of them take 8 s). */
static size_t empty_heading(parse_state *s)
{
    const lesson *l = s->l;
    if (s->no_empty_h2)
        return s->scan;
    for (size_t i = s->scan; i < l->len; i++) {
        if (i > 0 && l->src[i - 1] != '\n')
            continue;
        size_t j = skip_containers(l, i), k = 0;
        while (j + k < l->len && l->src[j + k] == '#')
            k++;
        if (k == 2 && (j + k == l->len || strchr(" \t\n", l->src[j + k]))) {
            s->scan = j + k;
            return i;
        }
    }
    s->no_empty_h2 = true;
    return s->scan;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    parse_state *s = ud;
    lesson *l = s->l;
    (void)detail;
    if (s->failed)
        return s->failed;
    if (type == MD_BLOCK_H) {
        if (s->in_heading == 1 && !l->title[0]) {
            snprintf(l->title, sizeof l->title, "%s", s->heading);
        } else if (s->in_heading == 2) {
            size_t at = s->heading_at != (size_t)-1 ? s->heading_at : empty_heading(s);
            if (add_page(s, s->heading, line_start(l, at), line_at(s, at)) != 0)
                s->failed = 1;
        }
        s->in_heading = 0;
    } else if (type == MD_BLOCK_CODE && s->in_deepstep) {
        s->in_deepstep = 0;
        s->failed = finish_block(s) != 0;
    } else if (type == MD_BLOCK_P && s->in_paragraph) {
        s->in_paragraph = 0;
        s->summary_done = 1;
    }
    return s->failed; /* non-zero stops md4c */
}

static int span_noop(MD_SPANTYPE type, void *detail, void *ud)
{
    (void)type, (void)detail, (void)ud;
    return 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    parse_state *s = ud;
    lesson *l = s->l;
    if (s->failed)
        return s->failed;
    /* md4c hands out pointers into our buffer for source text: that gives offsets, and
     * offsets give the line numbers errors need. Entities and the like point elsewhere. */
    int inside = text >= l->src && text + size <= l->src + l->len;
    size_t off = inside ? (size_t)(text - l->src) : s->scan;
    const char *t = type == MD_TEXT_SOFTBR || type == MD_TEXT_BR ? " " : text;
    size_t n = type == MD_TEXT_SOFTBR || type == MD_TEXT_BR ? 1 : size;
    if (s->in_heading) {
        if (inside && s->heading_at == (size_t)-1)
            s->heading_at = off;
        append(s->heading, sizeof s->heading, t, n);
    } else if (s->in_deepstep && inside) {
        if (s->block.first == (size_t)-1)
            s->block.first = off;
        s->block.last = off + size;
    } else if (s->in_paragraph) {
        append(l->summary, sizeof l->summary, t, n);
    }
    if (inside && off + size > s->scan && !s->in_deepstep)
        s->scan = off + size;
    return 0;
}

int lesson_experiment_index(const lesson *l, const char *name)
{
    for (int i = 0; i < l->n_experiments; i++)
        if (strcmp(l->experiments[i].name, name) == 0)
            return i;
    return -1;
}

/* md4c ends lines at LF, CRLF and CR; everything here (line numbers, `key = value` lines,
 * the UI's text) counts LF. So the copy has LF only, which keeps every line number, and no
 * UTF-8 byte-order mark, which would hide the '# Title' on line 1. Returns the new length. */
static size_t copy_normalized(char *dst, const char *src, size_t len)
{
    size_t i = len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, n = 0;
    for (; i < len; i++) {
        if (src[i] == '\r') {
            dst[n++] = '\n';
            i += i + 1 < len && src[i + 1] == '\n';
        } else
            dst[n++] = src[i];
    }
    dst[n] = '\0';
    return n;
}

static int parse_markdown(lesson *l, const char *path, ds_error *err)
{
    parse_state s = {.l = l, .err = err};
    snprintf(s.base_dir, sizeof s.base_dir, "%s", path);
    char *slash = strrchr(s.base_dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(s.base_dir, sizeof s.base_dir, ".");
    index_lines(&s);
    add_page(&s, "", 0, 1);
    MD_PARSER p = {0};
    p.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML;
    p.enter_block = enter_block;
    p.leave_block = leave_block;
    p.enter_span = span_noop;
    p.leave_span = span_noop;
    p.text = on_text;
    int rc = md_parse(l->src, (MD_SIZE)l->len, &p, &s);
    free(s.line_marks);
    if (s.failed)
        return -1;
    if (rc != 0)
        return err_set(err, path, 0, "could not parse the Markdown");
    return 0;
}

int lesson_parse(lesson *l, const char *path, const char *text, size_t len, ds_error *err)
{
    memset(l, 0, sizeof *l);
    snprintf(l->path, sizeof l->path, "%s", path);
    l->src = xcalloc(len + 1, 1);
    l->len = copy_normalized(l->src, text, len);
    /* after the line ends are normalised, so the NUL's line counts CR-only line ends too */
    const char *nul = memchr(l->src, '\0', l->len);
    int rc;
    if (nul) {
        int line = 1;
        for (const char *p = l->src; p < nul; p++)
            line += *p == '\n';
        rc = err_set(err, path, line, "contains a NUL byte; a lesson is a text file");
    } else if (l->len == 0)
        rc = err_set(err, path, 0, "empty file (a lesson starts with a line like '# Title')");
    else if (parse_markdown(l, path, err) != 0)
        rc = -1;
    else if (!l->title[0])
        rc = err_set(err, path, 1, "lesson has no title (a first line like '# Title')");
    else
        rc = blocks_check_references(l, err);
    if (rc != 0) {
        lesson_free(l);
        return -1;
    }
    snprintf(l->pages[0].title, sizeof l->pages[0].title, "%s", l->title);
    return 0;
}

int lesson_load(lesson *l, const char *path, ds_error *err)
{
    memset(l, 0, sizeof *l);
    off_t size;
    FILE *f = file_open_regular(path, "rb", &size, err);
    if (!f)
        return -1;
    if (size > (off_t)LESSON_MAX_BYTES) {
        fclose(f);
        return err_set(err, path, 0, "larger than %u bytes; is this a lesson?", LESSON_MAX_BYTES);
    }
    char *buf = xcalloc((size_t)size + 1, 1);
    size_t n = fread(buf, 1, (size_t)size, f); /* a file that grew since fstat is read as it was */
    int bad = ferror(f) ? errno : 0;
    fclose(f);
    int rc;
    if (bad)
        rc = err_set(err, path, 0, "cannot read: %s", strerror(bad));
    else
        rc = lesson_parse(l, path, buf, n, err);
    free(buf);
    return rc;
}

void lesson_free(lesson *l)
{
    for (int i = 0; i < l->n_experiments; i++)
        experiment_free(&l->experiments[i]);
    blocks_free(l);
    free(l->src);
    free(l->pages);
    free(l->experiments);
    free(l->experiment_page);
    memset(l, 0, sizeof *l);
}

const experiment *lesson_find_experiment(const lesson *l, const char *which, ds_error *err)
{
    if (l->n_experiments == 0) {
        err_set(err, l->path, 0, "lesson has no ```deepstep experiment block");
        return NULL;
    }
    if (!which || !which[0])
        return &l->experiments[0];
    char *end;
    long k = strtol(which, &end, 10);
    if (*end == '\0') {
        if (k >= 1 && k <= l->n_experiments)
            return &l->experiments[k - 1];
        err_set(err, l->path, 0, "no experiment %s: the lesson has %d (numbered from 1)", which, l->n_experiments);
        return NULL;
    }
    for (int i = 0; i < l->n_experiments; i++)
        if (strcmp(l->experiments[i].name, which) == 0)
            return &l->experiments[i];
    char names[400] = "";
    for (int i = 0; i < l->n_experiments; i++) {
        char one[80];
        snprintf(one, sizeof one, "%s%d%s%s%s", i ? ", " : "", i + 1, l->experiments[i].name[0] ? " (" : "",
                 l->experiments[i].name, l->experiments[i].name[0] ? ")" : "");
        append(names, sizeof names, one, strlen(one));
    }
    err_set(err, l->path, 0, "no experiment named '%s' (choose one of %s)", which, names);
    return NULL;
}
