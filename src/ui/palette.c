/* palette.c - the picture colours: xterm 256-colour indices (16 + 36r + 6g + b on the 6x6x6
 * cube, 232..255 the grey ramp) and the basic colour each falls back to. */
#include "palette.h"

/* 8 basic colours, as curses numbers them */
enum { B_BLACK, B_RED, B_GREEN, B_YELLOW, B_BLUE, B_MAGENTA, B_CYAN, B_WHITE };

static const short grey256[PAL_GREYS] = {232, 235, 238, 241, 244, 248, 251, 255};
/* per class, faint to full: light tints read as "unsure", deep ones as "confident" */
static const short class256[PAL_CLASSES][PAL_SHADES] = {
    {223, 215, 208, 166}, /* orange */
    {153, 111, 69, 26},   /* blue */
    {157, 114, 71, 28},   /* green */
    {219, 176, 133, 90},  /* magenta */
    {159, 116, 73, 30},   /* cyan */
    {229, 185, 142, 100}, /* yellow */
    {217, 167, 124, 88},  /* red */
    {183, 141, 98, 55},   /* purple */
    {158, 115, 36, 29},   /* teal */
    {225, 218, 175, 132}, /* pink */
};
static const short class_basic[PAL_CLASSES] = {B_YELLOW, B_BLUE, B_GREEN, B_MAGENTA, B_CYAN,
                                               B_YELLOW, B_RED, B_MAGENTA, B_CYAN, B_RED};
static const short heat256[PAL_HEATS] = {233, 53, 89, 125, 161, 197, 214, 226};
static const short heat_basic[PAL_HEATS] = {B_BLACK, B_BLUE, B_MAGENTA, B_MAGENTA, B_RED, B_RED, B_YELLOW, B_YELLOW};

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

int pal_grey(int level) { return clamp(level, 0, PAL_GREYS - 1); }
int pal_class(int k, int shade)
{
    k = ((k % PAL_CLASSES) + PAL_CLASSES) % PAL_CLASSES;
    return PAL_GREYS + k * PAL_SHADES + clamp(shade, 0, PAL_SHADES - 1);
}
int pal_heat(int level) { return PAL_GREYS + PAL_CLASSES * PAL_SHADES + clamp(level, 0, PAL_HEATS - 1); }

int pal_xterm256(int p)
{
    p = clamp(p, 0, PAL_COUNT - 1);
    if (p < PAL_GREYS)
        return grey256[p];
    p -= PAL_GREYS;
    if (p < PAL_CLASSES * PAL_SHADES)
        return class256[p / PAL_SHADES][p % PAL_SHADES];
    return heat256[p - PAL_CLASSES * PAL_SHADES];
}

int pal_basic(int p)
{
    p = clamp(p, 0, PAL_COUNT - 1);
    if (p < PAL_GREYS)
        return p < PAL_GREYS / 2 ? B_BLACK : B_WHITE;
    p -= PAL_GREYS;
    if (p < PAL_CLASSES * PAL_SHADES)
        return class_basic[p / PAL_SHADES];
    return heat_basic[p - PAL_CLASSES * PAL_SHADES];
}
