#include "lesson.h"

#include <errno.h>
#include <math.h>
#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "kv.h"

#define LESSON_MAX_BYTES (4u << 20)

typedef struct block_text {
    size_t first; /* offset of the first text byte, SIZE_MAX when none */
    size_t last;  /* one past the last text byte */
} block_text;

typedef struct parse_state {
    lesson *l;
    ds_error *err;
    char base_dir[EXPERIMENT_PATH_MAX];
    int in_heading;      /* heading level while inside one */
    int in_deepstep;     /* inside a ```deepstep block */
    int in_compare;      /* the block is a ```deepstep compare block */
    int in_race;         /* ... or a ```deepstep race block */
    int in_paragraph;
    int summary_done;
    size_t scan;         /* offset reached so far in the source */
    block_text block;
    char heading[160];
    size_t heading_at;
    int failed;
} parse_state;

static int line_of(const lesson *l, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < l->len; i++)
        line += l->src[i] == '\n';
    return line;
}

static size_t line_start(const lesson *l, size_t off)
{
    while (off > 0 && l->src[off - 1] != '\n')
        off--;
    return off;
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

static void add_page(parse_state *s, const char *title, size_t begin, int line)
{
    lesson *l = s->l;
    if (l->n_pages > 0)
        l->pages[l->n_pages - 1].end = begin;
    l->pages = xrealloc(l->pages, (size_t)l->n_pages + 1, sizeof *l->pages);
    lesson_page *p = &l->pages[l->n_pages++];
    memset(p, 0, sizeof *p);
    snprintf(p->title, sizeof p->title, "%s", title);
    p->begin = begin;
    p->end = l->len;
    p->line = line;
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

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    parse_state *s = ud;
    if (type == MD_BLOCK_H) {
        s->in_heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
        s->heading[0] = '\0';
        s->heading_at = (size_t)-1;
    } else if (type == MD_BLOCK_CODE && is_deepstep_info(detail)) {
        s->in_deepstep = 1;
        s->in_compare = is_compare_info(detail);
        s->in_race = info_word_is(detail, "race");
        s->block.first = (size_t)-1;
        s->block.last = 0;
    } else if (type == MD_BLOCK_P && !s->summary_done && s->l->title[0]) {
        s->in_paragraph = 1;
    }
    return 0;
}

/* The fence line: the last line starting with ``` or ~~~ before the block's text (or,
 * for an empty block, the first such line after everything read so far). */
static size_t find_fence(const lesson *l, size_t from, size_t before)
{
    size_t found = (size_t)-1;
    for (size_t i = from; i < before && i < l->len; i++) {
        if ((i == 0 || l->src[i - 1] == '\n')) {
            size_t j = i;
            while (j < l->len && (l->src[j] == ' '))
                j++;
            if (j + 3 <= l->len && (memcmp(l->src + j, "```", 3) == 0 || memcmp(l->src + j, "~~~", 3) == 0)) {
                found = i;
                if (before == (size_t)-1)
                    return found;
            }
        }
    }
    return found;
}

/* The lines of a compare block. */
static int parse_compare(parse_state *s, const char *text, size_t len, int first_line, int fence_line)
{
    lesson *l = s->l;
    l->compares = xrealloc(l->compares, (size_t)l->n_compares + 1, sizeof *l->compares);
    lesson_compare *c = &l->compares[l->n_compares];
    memset(c, 0, sizeof *c);
    c->target_loss = NAN;
    c->line = fence_line;
    c->page = l->n_pages - 1;
    int line = first_line;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        char buf[512], *key, *val;
        snprintf(buf, sizeof buf, "%.*s", (int)(end - pos), text + pos);
        int kind = kv_split(buf, &key, &val);
        if (kind < 0 || (kind > 0 && val[0] == '='))
            return err_set(s->err, l->path, line, "expected 'key = value' in a compare block");
        if (kind > 0) {
            if (strcmp(key, "experiments") == 0) {
                char *save = NULL;
                for (char *t = strtok_r(val, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                    if (c->n == COMPARE_MAX)
                        return err_set(s->err, l->path, line, "experiments: at most %d to compare", COMPARE_MAX);
                    snprintf(c->names[c->n++], sizeof c->names[0], "%s", t);
                }
            } else if (strcmp(key, "target_loss") == 0) {
                char *e2;
                c->target_loss = strtod(val, &e2);
                if (!*val || *e2 || !(c->target_loss > 0))
                    return err_set(s->err, l->path, line, "target_loss: '%s' is not a positive number", val);
            } else if (strcmp(key, "expect") == 0) {
                if (c->n_expects == 8)
                    return err_set(s->err, l->path, line, "expect: at most 8 per compare block");
                if (expect_parse(&c->expects[c->n_expects++], val, l->path, line, s->err) != 0)
                    return -1;
            } else
                return err_set(s->err, l->path, line,
                               "unknown key '%s' in a compare block (expected experiments, target_loss, expect)", key);
        }
        pos = end + 1;
        line++;
    }
    if (c->n < 2)
        return err_set(s->err, l->path, fence_line, "a compare block needs 'experiments = A B ...' naming at least two");
    l->n_compares++;
    return 0;
}

/* The lines of a race block. */
static int parse_race(parse_state *s, const char *text, size_t len, int first_line, int fence_line)
{
    lesson *l = s->l;
    l->races = xrealloc(l->races, (size_t)l->n_races + 1, sizeof *l->races);
    lesson_race *r = &l->races[l->n_races];
    memset(r, 0, sizeof *r);
    r->surface = SURF_QUADRATIC;
    r->steps = 200;
    r->line = fence_line;
    r->page = l->n_pages - 1;
    bool have_start = false;
    int line = first_line;
    for (size_t pos = 0; pos < len; line++) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        char buf[512], *key, *val;
        snprintf(buf, sizeof buf, "%.*s", (int)(end - pos), text + pos);
        pos = end + 1;
        int kind = kv_split(buf, &key, &val);
        if (kind == 0)
            continue;
        if (kind < 0)
            return err_set(s->err, l->path, line, "expected 'key = value' in a race block");
        if (strcmp(key, "surface") == 0) {
            if (surface_parse(val, &r->surface) != 0)
                return err_set(s->err, l->path, line, "surface: '%s' is not one of quadratic, rosenbrock, saddle", val);
        } else if (strcmp(key, "start") == 0) {
            char *e1, *e2;
            r->start[0] = strtod(val, &e1);
            r->start[1] = strtod(e1, &e2);
            if (e1 == val || e2 == e1 || *e2 || !isfinite(r->start[0]) || !isfinite(r->start[1]))
                return err_set(s->err, l->path, line, "start: needs two numbers, x y");
            have_start = true;
        } else if (strcmp(key, "steps") == 0) {
            char *e1;
            long v = strtol(val, &e1, 10);
            if (!*val || *e1 || v < 1 || v > RACE_MAX_STEPS)
                return err_set(s->err, l->path, line, "steps: '%s' is not a whole number from 1 to %d", val,
                               RACE_MAX_STEPS);
            r->steps = (int)v;
        } else if (strcmp(key, "racer") == 0) {
            if (r->n == RACE_MAX_RACERS)
                return err_set(s->err, l->path, line, "racer: at most %d in a race", RACE_MAX_RACERS);
            opt_config o;
            if (experiment_parse_optimizer(val, &o, l->path, line, s->err) != 0)
                return -1;
            const char *base = o.kind == OPT_MOMENTUM && o.nesterov ? "nesterov" : optim_name(o.kind);
            int same = 0;
            for (int k = 0; k < r->n; k++)
                same += strncmp(r->labels[k], base, strlen(base)) == 0;
            if (same)
                snprintf(r->labels[r->n], sizeof r->labels[0], "%s%d", base, same + 1);
            else
                snprintf(r->labels[r->n], sizeof r->labels[0], "%s", base);
            r->opts[r->n++] = o;
        } else if (strcmp(key, "expect") == 0) {
            if (r->n_expects == 8)
                return err_set(s->err, l->path, line, "expect: at most 8 per race block");
            if (expect_parse(&r->expects[r->n_expects++], val, l->path, line, s->err) != 0)
                return -1;
        } else
            return err_set(s->err, l->path, line,
                           "unknown key '%s' in a race block (expected surface, start, steps, racer, expect)", key);
    }
    if (r->n < 1)
        return err_set(s->err, l->path, fence_line, "a race block needs at least one 'racer = OPTIMIZER lr=F' line");
    if (!have_start) { /* a start that makes each surface interesting */
        static const double starts[SURF_COUNT][2] = {{-4.5, 1.5}, {-1.5, 2.0}, {0.5, 0.001}};
        r->start[0] = starts[r->surface][0], r->start[1] = starts[r->surface][1];
    }
    l->n_races++;
    return 0;
}

static int finish_experiment(parse_state *s)
{
    lesson *l = s->l;
    size_t fence;
    int first_line;
    const char *text = "";
    size_t len = 0;
    if (s->block.first == (size_t)-1) { /* empty block */
        fence = find_fence(l, s->scan, (size_t)-1);
        first_line = line_of(l, fence) + 1;
    } else {
        fence = find_fence(l, s->scan, s->block.first);
        text = l->src + s->block.first;
        len = s->block.last - s->block.first;
        first_line = line_of(l, s->block.first);
    }
    int fence_line = fence == (size_t)-1 ? first_line - 1 : line_of(l, fence);
    if (s->in_compare || s->in_race) {
        if (s->block.last > s->scan)
            s->scan = s->block.last;
        return s->in_race ? parse_race(s, text, len, first_line, fence_line)
                          : parse_compare(s, text, len, first_line, fence_line);
    }
    l->experiments = xrealloc(l->experiments, (size_t)l->n_experiments + 1, sizeof *l->experiments);
    l->experiment_page = xrealloc(l->experiment_page, (size_t)l->n_experiments + 1, sizeof(int));
    experiment *x = &l->experiments[l->n_experiments];
    if (experiment_parse(x, text, len, l->path, fence_line, first_line, s->base_dir, s->err) != 0)
        return -1;
    l->experiment_page[l->n_experiments++] = l->n_pages - 1;
    if (s->block.last > s->scan)
        s->scan = s->block.last;
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    parse_state *s = ud;
    lesson *l = s->l;
    (void)detail;
    if (type == MD_BLOCK_H) {
        size_t at = s->heading_at == (size_t)-1 ? s->scan : s->heading_at;
        if (s->in_heading == 1 && !l->title[0])
            snprintf(l->title, sizeof l->title, "%s", s->heading);
        else if (s->in_heading == 2)
            add_page(s, s->heading, line_start(l, at), line_of(l, at));
        s->in_heading = 0;
    } else if (type == MD_BLOCK_CODE && s->in_deepstep) {
        s->in_deepstep = 0;
        if (finish_experiment(s) != 0) {
            s->failed = 1;
            return 1; /* stop parsing */
        }
    } else if (type == MD_BLOCK_P && s->in_paragraph) {
        s->in_paragraph = 0;
        s->summary_done = 1;
    }
    return 0;
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

/* Every experiment an expectation or a comparison names must exist; a compare block's
 * expectations must say which experiment each metric is from. */
static int check_expectation(const lesson *l, const expectation *e, bool in_compare, ds_error *err)
{
    for (int k = 0; k < e->n_nodes; k++) {
        const expr_node *n = &e->nodes[k];
        if (n->kind != EX_METRIC)
            continue;
        if (!n->experiment[0] && in_compare)
            return err_set(err, l->path, e->line,
                           "expect: in a compare block write experiment.%s (which experiment's %s?)", n->metric,
                           n->metric);
        if (n->experiment[0] && lesson_experiment_index(l, n->experiment) < 0)
            return err_set(err, l->path, e->line, "expect: no experiment named '%s' in this lesson", n->experiment);
    }
    return 0;
}

static int check_references(lesson *l, ds_error *err)
{
    for (int i = 0; i < l->n_experiments; i++)
        for (int k = 0; k < l->experiments[i].n_expects; k++)
            if (check_expectation(l, &l->experiments[i].expects[k], false, err) != 0)
                return -1;
    for (int c = 0; c < l->n_compares; c++) {
        lesson_compare *cmp = &l->compares[c];
        for (int k = 0; k < cmp->n; k++) {
            cmp->index[k] = lesson_experiment_index(l, cmp->names[k]);
            if (cmp->index[k] < 0)
                return err_set(err, l->path, cmp->line, "compare: no experiment named '%s' in this lesson",
                               cmp->names[k]);
        }
        for (int k = 0; k < cmp->n_expects; k++)
            if (check_expectation(l, &cmp->expects[k], true, err) != 0)
                return -1;
    }
    for (int r = 0; r < l->n_races; r++) /* a race's expectations name its racers */
        for (int k = 0; k < l->races[r].n_expects; k++) {
            const expectation *e = &l->races[r].expects[k];
            for (int q = 0; q < e->n_nodes; q++) {
                const expr_node *n = &e->nodes[q];
                if (n->kind != EX_METRIC)
                    continue;
                bool found = false;
                for (int j = 0; j < l->races[r].n; j++)
                    found |= strcmp(l->races[r].labels[j], n->experiment) == 0;
                if (!found || n->layer != -1 ||
                    (strcmp(n->metric, "distance") != 0 && strcmp(n->metric, "final_f") != 0))
                    return err_set(err, l->path, e->line,
                                   "expect: in a race block write RACER.distance or RACER.final_f (racers here: %s%s%s)",
                                   l->races[r].labels[0], l->races[r].n > 1 ? ", " : "",
                                   l->races[r].n > 1 ? l->races[r].labels[1] : "");
            }
        }
    return 0;
}

int lesson_parse(lesson *l, const char *path, const char *text, size_t len, ds_error *err)
{
    memset(l, 0, sizeof *l);
    snprintf(l->path, sizeof l->path, "%s", path);
    l->src = xcalloc(len + 1, 1);
    memcpy(l->src, text, len);
    l->len = len;
    parse_state s = {.l = l, .err = err};
    snprintf(s.base_dir, sizeof s.base_dir, "%s", path);
    char *slash = strrchr(s.base_dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(s.base_dir, sizeof s.base_dir, ".");
    add_page(&s, "", 0, 1);
    MD_PARSER p = {0};
    p.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML;
    p.enter_block = enter_block;
    p.leave_block = leave_block;
    p.enter_span = span_noop;
    p.leave_span = span_noop;
    p.text = on_text;
    int rc = md_parse(l->src, (MD_SIZE)len, &p, &s);
    if (s.failed) {
        lesson_free(l);
        return -1;
    }
    if (rc != 0) {
        lesson_free(l);
        return err_set(err, path, 0, "could not parse the Markdown");
    }
    if (!l->title[0]) {
        lesson_free(l);
        return err_set(err, path, 1, "lesson has no title (a first line like '# Title')");
    }
    snprintf(l->pages[0].title, sizeof l->pages[0].title, "%s", l->title);
    if (check_references(l, err) != 0) {
        lesson_free(l);
        return -1;
    }
    /* An intro page with nothing but the title is folded into the first section. */
    return 0;
}

int lesson_load(lesson *l, const char *path, ds_error *err)
{
    memset(l, 0, sizeof *l);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, path, 0, "cannot open: %s", strerror(errno));
    char *buf = xcalloc(LESSON_MAX_BYTES + 1, 1);
    size_t n = fread(buf, 1, LESSON_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = err_set(err, path, 0, "read error");
    else if (n > LESSON_MAX_BYTES)
        rc = err_set(err, path, 0, "larger than %u bytes; is this a lesson?", LESSON_MAX_BYTES);
    else if (memchr(buf, '\0', n))
        rc = err_set(err, path, line_of(&(lesson){.src = buf, .len = (size_t)((char *)memchr(buf, '\0', n) - buf)},
                                           n), "contains a NUL byte; a lesson is a text file");
    else
        rc = lesson_parse(l, path, buf, n, err);
    free(buf);
    return rc;
}

void lesson_free(lesson *l)
{
    free(l->src);
    free(l->pages);
    free(l->experiments);
    free(l->experiment_page);
    free(l->compares);
    free(l->races);
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
