/* lab.h - the float lab's state: two numbers, an operation, a format and a bit cursor. */
#ifndef DS_LAB_H
#define DS_LAB_H

#include <stdbool.h>

#include "../engine/fp.h"

typedef struct float_lab {
    char text[2][40]; /* what the learner typed for A and B */
    /* The number came from flipping a bit: its value is the double that text (%.17g, which
     * reads back to it) stands for, so errors are measured from that double, not from the
     * 17-digit decimal. Typing clears it. */
    bool from_bits[2];
    int field;        /* 0: A, 1: B (the one being edited) */
    char op;          /* '+' or '*' */
    fp_format format; /* the row whose bits the cursor is on */
    int bit;          /* cursor: 0 = the sign bit, counting right */
    char message[160];
} float_lab;

void lab_init(float_lab *l);
/* The value of field i (NaN when the text is not a number). */
double lab_value(const float_lab *l, int i);
/* The number A (i = 0) or B exactly: 0; or, when the text is no plain decimal (inf, nan)
 * or has too many digits, its fp64 value and fp_dec_parse's code. */
int lab_reference(const float_lab *l, int i, fp_dec *out);
/* Field i rounded to the format, straight from its exact value (no rounding through fp64). */
fp_value lab_stored(const float_lab *l, int i, fp_format f);
/* A key in the lab; returns false when the key is not the lab's (the app handles it). */
bool lab_key(float_lab *l, int key);
/* Flip the bit under the cursor of the edited number, as stored in the selected format. */
void lab_flip(float_lab *l);

#endif
