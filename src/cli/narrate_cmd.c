/* narrate_cmd.c - `deepstep narrate LESSON.md`: steps a session exactly as the UI does (the
 * same session_start, session_step and selection) and prints narrate()'s lines, so the text
 * is the panel's word for word, only not wrapped. */
#include "narrate_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lesson/lesson.h"
#include "../ui/narrate.h"
#include "../ui/session.h"
#include "runner.h" /* the exit statuses, shared with `run` */

#define COUNT_MAX 1000000000L /* as `run --steps`: far beyond any lesson, still a long */

typedef struct narrate_opts {
    const char *lesson, *experiment;
    long micro, steps; /* 0: not given */
} narrate_opts;

void narrate_usage(FILE *out)
{
    fprintf(out,
            "usage: deepstep narrate LESSON.md [--experiment K] [--micro N | --steps N]\n"
            "\n"
            "Print what each micro-step of a lesson's experiment does, in the words and numbers of the\n"
            "UI's \"What just happened\" panel: a line '--- micro-step M: PHASE (epoch E, batch B)',\n"
            "the narration (one sentence a line), then a blank line.\n"
            "\n"
            "  --experiment K  the K-th ```deepstep block (from 1) or the one with name = K (default 1)\n"
            "  --micro N       the first N micro-steps\n"
            "  --steps N       the micro-steps of the first N optimizer steps (batches)\n"
            "                  (default: the micro-steps of the first optimizer step)\n"
            "\n"
            "Stops early, and says so, when training finishes or diverges.\n"
            "Exit status: 0 narrated, 1 bad input, 3 training diverged (NaN/Inf).\n");
}

/* The same check and words as `deepstep run`'s counts. */
static int parse_count(const char *flag, const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s ? s : "", &end, 10);
    if (!s || *s == '\0' || *end != '\0' || errno || v < 1 || v > COUNT_MAX) {
        fprintf(stderr, "deepstep narrate: %s needs a whole number from 1 to %ld\n", flag, COUNT_MAX);
        return -1;
    }
    *out = v;
    return 0;
}

/* 0 to go on, 1 for a usage error, 2 when --help was printed. */
static int parse_args(int argc, char **argv, narrate_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            narrate_usage(stdout);
            return 2;
        } else if (strcmp(a, "--experiment") == 0 && next) {
            o->experiment = next, i++;
        } else if (strcmp(a, "--micro") == 0 || strcmp(a, "--steps") == 0) {
            if (parse_count(a, next, a[2] == 'm' ? &o->micro : &o->steps))
                return 1;
            i++;
        } else if (a[0] == '-') {
            fprintf(stderr, "deepstep narrate: unknown option or missing value: %s (see deepstep narrate --help)\n", a);
            return 1;
        } else if (!o->lesson) {
            o->lesson = a;
        } else {
            fprintf(stderr, "deepstep narrate: one lesson at a time (got '%s' and '%s')\n", o->lesson, a);
            return 1;
        }
    }
    if (!o->lesson) {
        fprintf(stderr, "deepstep narrate: which lesson? (usage: deepstep narrate LESSON.md; see --help)\n");
        return 1;
    }
    if (o->micro && o->steps) {
        fprintf(stderr, "deepstep narrate: give --micro or --steps, not both\n");
        return 1;
    }
    return 0;
}

/* "--- micro-step 5: backward, layer 1 (epoch 1, batch 1)". An epoch's end and the end of
 * training are not about one batch. */
static void print_header(long m, const trainer_event *ev)
{
    printf("--- micro-step %ld: %s", m, phase_name(ev->phase));
    if (ev->layer >= 0)
        printf(", layer %d", ev->layer);
    if (ev->phase == PHASE_END_EPOCH || ev->phase == PHASE_DONE)
        printf(" (epoch %d)\n", ev->epoch);
    else
        printf(" (epoch %d, batch %d)\n", ev->epoch, ev->batch);
}

/* Steps s until the budget is spent, training ends or diverges; returns the exit status. */
static int narrate_run(session *s, const narrate_opts *o)
{
    long want_micro = o->micro, want_steps = o->micro ? 0 : (o->steps ? o->steps : 1);
    long m = 0, steps = 0;
    char lines[NARRATE_LINES][NARRATE_COLS];
    while (!trainer_done(&s->t)) {
        trainer_event ev = session_step(s, STEP_MICRO);
        m++;
        session_clamp_selection(s); /* as the UI after every step: the last batch may be smaller */
        print_header(m, &ev);
        int n = narrate(s, lines);
        for (int i = 0; i < n; i++)
            printf("%s\n", lines[i]);
        printf("\n");
        if (ev.diverged || s->t.state.div.happened) {
            printf("narration stopped at micro-step %ld: training diverged (a value became NaN or Inf)\n", m);
            return EXIT_DIVERGED;
        }
        if (ev.phase == PHASE_END_BATCH)
            steps++;
        if ((want_micro && m >= want_micro) || (want_steps && steps >= want_steps))
            return 0;
    }
    printf("narration stopped after micro-step %ld: training finished (%ld steps, %d epochs)\n", m,
           s->t.state.step, s->t.state.epoch);
    return 0;
}

int cmd_narrate(int argc, char **argv)
{
    narrate_opts o;
    int st = parse_args(argc, argv, &o);
    if (st)
        return st == 2 ? 0 : 1;
    ds_error err = {0};
    lesson l;
    if (lesson_load(&l, o.lesson, &err) != 0) {
        err_print(stderr, &err);
        return 1;
    }
    const experiment *x = lesson_find_experiment(&l, o.experiment, &err);
    session *s = x ? calloc(1, sizeof *s) : NULL; /* big; and the UI keeps it on the heap too */
    if (!x || !s || session_start(s, x, &err) != 0) {
        if (x && !s)
            err_set(&err, NULL, 0, "deepstep narrate: out of memory");
        err_print(stderr, &err);
        if (s)
            session_free(s);
        free(s);
        lesson_free(&l);
        return 1;
    }
    st = narrate_run(s, &o);
    if (fflush(stdout) != 0 && st == 0) {
        fprintf(stderr, "deepstep narrate: could not write the narration: %s\n", strerror(errno));
        st = 1;
    }
    session_free(s);
    free(s);
    lesson_free(&l);
    return st;
}
