/* narrate.h - what the last micro-step did, in words, with the formula and the real numbers
 * of the selected element plugged in. Text only: the view draws it, tests read it. */
#ifndef DS_NARRATE_H
#define DS_NARRATE_H

#include "session.h"

#define NARRATE_LINES 12 /* the longest narration (adam with decay and master weights) is 10, then the PyTorch line */
#define NARRATE_COLS 320

/* Fills up to NARRATE_LINES lines; returns how many. */
int narrate(const session *s, char out[NARRATE_LINES][NARRATE_COLS]);

#endif
