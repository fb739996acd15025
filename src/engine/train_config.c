/* train_config.c - the names of the clip modes and schedules, one table each, beside the
 * enums they name (the lesson parser and the UI read them from here). */
#include "train_config.h"

#include "../common/names.h"

#define CLIP_NAMES(X) X(CLIP_NONE, "none") X(CLIP_NORM, "norm") X(CLIP_VALUE, "value")
#define SCHED_NAMES(X)                                                                                          \
    X(SCHED_CONSTANT, "constant") X(SCHED_EXP, "exp") X(SCHED_STEP, "step") X(SCHED_COSINE, "cosine")           \
    X(SCHED_RANGE, "range")

static const char *const clip_names[CLIP_COUNT] = {CLIP_NAMES(NAME_AT)};
static const char clip_list[] = CLIP_NAMES(NAME_JOINED);
static const char *const sched_names[SCHED_COUNT] = {SCHED_NAMES(NAME_AT)};
static const char sched_list[] = SCHED_NAMES(NAME_JOINED);

const char *clip_name(clip_kind k) { return (k >= 0 && k < CLIP_COUNT) ? clip_names[k] : "?"; }
const char *clip_names_list(void) { return clip_list + NAME_LIST_SKIP; }

int clip_parse(const char *name, clip_kind *out)
{
    int i = names_find(clip_names, CLIP_COUNT, name);
    if (i < 0)
        return -1;
    *out = (clip_kind)i;
    return 0;
}

const char *sched_name(sched_kind k) { return (k >= 0 && k < SCHED_COUNT) ? sched_names[k] : "?"; }
const char *sched_names_list(void) { return sched_list + NAME_LIST_SKIP; }

int sched_parse(const char *name, sched_kind *out)
{
    int i = names_find(sched_names, SCHED_COUNT, name);
    if (i < 0)
        return -1;
    *out = (sched_kind)i;
    return 0;
}
