/* blocks.h - inside the lesson parser: ```deepstep compare and race blocks, and the checks
 * that need the whole lesson (every name an expectation or a comparison uses must exist).
 * Not a public API: lesson.h is. */
#ifndef DS_LESSON_BLOCKS_H
#define DS_LESSON_BLOCKS_H

#include <stddef.h>

#include "lesson.h"

/* The text of a compare / race block (lines from first_line); appended to l on success.
 * On failure l is unchanged and err says why. */
int blocks_parse_compare(lesson *l, const char *text, size_t len, int first_line, int fence_line, ds_error *err);
int blocks_parse_ask(lesson *l, const char *text, size_t len, int first_line, int fence_line, ds_error *err);
int blocks_parse_race(lesson *l, const char *text, size_t len, int first_line, int fence_line, ds_error *err);

/* After the whole lesson is read: names in expectations and compare blocks must exist, and
 * every ask block gets its experiment. */
int blocks_check_references(lesson *l, ds_error *err);

/* Frees what compare, race and ask blocks own (their expectations) and the arrays. */
void blocks_free(lesson *l);

#endif
