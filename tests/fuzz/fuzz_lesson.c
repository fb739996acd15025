/* fuzz_lesson.c - libFuzzer harness for the lesson parser (lesson_parse), then the
 * look-ups a command line makes on the result (lesson_find_experiment and
 * lesson_experiment_index), and the structural invariants the UI relies on. */
#include "fuzz_common.h"

#include "lesson/lesson.h"

/* lesson_load refuses these before it parses, so the parser never sees them. */
#define FUZZ_LESSON_MAX_BYTES (4u << 20)

static void check_lesson(const lesson *l)
{
    FUZZ_CHECK(l->src != NULL);
    FUZZ_CHECK(l->n_pages >= 1);
    for (int i = 0; i < l->n_pages; i++) {
        FUZZ_CHECK(l->pages[i].begin <= l->pages[i].end);
        FUZZ_CHECK(l->pages[i].end <= l->len);
        FUZZ_CHECK(memchr(l->pages[i].title, '\0', sizeof l->pages[i].title) != NULL);
    }
    FUZZ_CHECK(memchr(l->title, '\0', sizeof l->title) != NULL);
    FUZZ_CHECK(memchr(l->summary, '\0', sizeof l->summary) != NULL);
    FUZZ_CHECK(l->n_experiments >= 0);
    for (int i = 0; i < l->n_experiments; i++)
        FUZZ_CHECK(l->experiment_page[i] >= 0 && l->experiment_page[i] < l->n_pages);
    for (int i = 0; i < l->n_compares; i++) {
        const lesson_compare *c = &l->compares[i];
        FUZZ_CHECK(c->n >= 0 && c->n <= COMPARE_MAX);
        for (int k = 0; k < c->n; k++)
            FUZZ_CHECK(c->index[k] >= 0 && c->index[k] < l->n_experiments);
        FUZZ_CHECK(c->page >= 0 && c->page < l->n_pages);
    }
    for (int i = 0; i < l->n_races; i++) {
        FUZZ_CHECK(l->races[i].n >= 0 && l->races[i].n <= RACE_MAX_RACERS);
        FUZZ_CHECK(l->races[i].page >= 0 && l->races[i].page < l->n_pages);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_LESSON_MAX_BYTES || memchr(data, '\0', size))
        return -1; /* not added to the corpus */
    lesson l;
    ds_error err;
    memset(&err, 0, sizeof err);
    int rc = lesson_parse(&l, "fuzz/lesson.md", (const char *)data, size, &err);
    fuzz_say(&err, rc);
    if (rc != 0) {
        FUZZ_CHECK(err.msg[0] != '\0'); /* every refusal says why */
        return 0;
    }
    check_lesson(&l);
    ds_error e2;
    const char *probes[] = {NULL, "", "1", "0", "99999999999999999999", "-1", "no-such-experiment"};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        memset(&e2, 0, sizeof e2);
        const experiment *x = lesson_find_experiment(&l, probes[i], &e2);
        FUZZ_CHECK(x != NULL || e2.msg[0] != '\0');
    }
    for (int i = 0; i < l.n_experiments; i++) {
        memset(&e2, 0, sizeof e2);
        const experiment *x = lesson_find_experiment(&l, l.experiments[i].name, &e2);
        FUZZ_CHECK(x != NULL || e2.msg[0] != '\0');
        (void)lesson_experiment_index(&l, l.experiments[i].name);
    }
    lesson_free(&l);
    return 0;
}
