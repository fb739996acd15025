/* palette.h - colours for pictures (the input plane, images, heat strips), beside the semantic
 * roles. A painted cell has a foreground and a background from this palette, so a half block
 * (U+2580) is two pixels; term.c gives each pair it meets a colour pair of its own, from the
 * xterm 256-colour cube, or the nearest of the 8 basic colours on a smaller terminal.
 * Pictures are painted only when the terminal shows colour (app.colour); otherwise the views
 * draw them with shading glyphs, so nothing depends on colour alone. */
#ifndef DS_PALETTE_H
#define DS_PALETTE_H

#include <stdint.h>

#include "frame.h"

enum {
    PAL_GREYS = 8,   /* pal_grey(0) black .. pal_grey(7) white */
    PAL_CLASSES = 10,/* a hue per class (orange, blue, green, magenta, cyan, yellow, red, purple, teal, pink) */
    PAL_SHADES = 4,  /* per class: 0 faint (unsure) .. 3 full (confident) */
    PAL_HEATS = 8,   /* pal_heat(0) cold (near black) .. pal_heat(7) hot (yellow) */
    PAL_COUNT = PAL_GREYS + PAL_CLASSES * PAL_SHADES + PAL_HEATS
};

int pal_grey(int level);          /* level clamped to 0..7 */
int pal_class(int k, int shade);  /* k modulo 10, shade clamped to 0..3 */
int pal_heat(int level);          /* level clamped to 0..7 */
int pal_xterm256(int p);          /* the colour's index on a 256-colour terminal */
int pal_basic(int p);             /* the nearest of the 8 basic colours (COLOR_BLACK .. COLOR_WHITE) */

/* The role of a cell painted fg on bg (palette indices): beyond ROLE_COUNT, so frame_set and
 * frame_put take it as any role. role_is_paint/paint_fg/paint_bg take it apart. */
#define ROLE_PAINT_BASE 0x100
static inline role role_paint(int fg, int bg) { return (role)(ROLE_PAINT_BASE + fg * PAL_COUNT + bg); }
static inline int role_is_paint(unsigned r) { return r >= ROLE_PAINT_BASE && r < ROLE_PAINT_BASE + PAL_COUNT * PAL_COUNT; }
static inline int paint_fg(unsigned r) { return (int)(r - ROLE_PAINT_BASE) / PAL_COUNT; }
static inline int paint_bg(unsigned r) { return (int)(r - ROLE_PAINT_BASE) % PAL_COUNT; }

#endif
