/* plane.h - the input plane of 2-D data: the net's prediction over a grid spanning the data,
 * and each unit's activation over the same grid (the Data panel's maps).
 *
 * The model (plane.c) computes everything the view draws: where the picture, the axis labels,
 * the unit tiles and the legend go in a panel of w x h cells, the prediction at every pixel
 * (two per cell, one above the other, for half blocks), and for each data row its place, label
 * and whether the net gets it wrong now. The view (view_plane.c) only reads it. */
#ifndef DS_PLANE_H
#define DS_PLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;
typedef struct plane_cache plane_cache;

enum { PLANE_TRAIN, PLANE_VAL, PLANE_TEST };

typedef struct plane_point {
    int row;            /* the data row */
    int16_t col, prow;  /* pixel column and pixel row (0 = top) of the plot */
    int16_t label;
    uint8_t split;      /* PLANE_TRAIN, PLANE_VAL, PLANE_TEST */
    bool wrong;         /* the net's predicted class (trainer_predict's rule) is not the label */
} plane_point;

/* One unit's tile: where it goes in the panel (the label row above it) and which unit. */
typedef struct plane_tile {
    int x, y;           /* top-left cell of the tile's picture, relative to the panel */
    int unit;
} plane_tile;

#define PLANE_LABEL_MAX 12
#define PLANE_TICKS 8

#define PLANE_MAX_POINTS 4096

struct plane_cache {
    /* what it was computed for: recomputed when any of these changes */
    int w, h, layer;
    long micro;
    float *params, *buffers;  /* copies of the net's, to see any change (a step, b, an edit) */
    size_t n_params, n_buffers;
    bool valid;
    long computed;            /* times the grid was evaluated (tests see the cache work) */
    /* the plot: pw x ph pixels in cells [px, px + pw) x [py, py + ph / 2) of the panel */
    int px, py, pw, ph;
    double x0, x1, y0, y1;    /* normalised range: x0 at the left, y1 at the top */
    int K;                    /* classes drawn (2 for a single sigmoid or mse output) */
    bool bce;                 /* shade is P(class 1) rather than the confidence */
    uint8_t *cls;             /* (ph, pw) predicted class */
    float *conf;              /* (ph, pw) confidence of it in [0, 1]: max probability, or for
                                 bce and a single output the probability of the class shown */
    float *probs;             /* (ph * pw, K_out) the predicted probabilities, as evaluated */
    float *grid;              /* (ph * pw, 2) the normalised inputs of the pixel centres */
    /* axis labels in the data's original units: round values, each on the row (column) where
     * that value falls */
    int n_y, n_x;
    char ylab[PLANE_TICKS][PLANE_LABEL_MAX], xlab[PLANE_TICKS][PLANE_LABEL_MAX];
    double yval[PLANE_TICKS], xval[PLANE_TICKS];
    int yrow[PLANE_TICKS];               /* rows, relative to the panel */
    int xcol[PLANE_TICKS], xtick[PLANE_TICKS]; /* a label's first column; the value's column */
    int xrow;                            /* the row below the plot */
    int legend_row;
    int note_x, note_y, note_w, note_h; /* room beside the plot for a note (note_w 0: none) */
    /* unit tiles of the selected hidden layer (tiles_layer -1: none) */
    int tiles_layer, n_units;       /* the layer's width */
    int tw, th;                     /* a tile's pixels: tw wide, th high (th / 2 cells) */
    plane_tile *tiles;              /* n_tiles shown, then "+more" at more_x, more_y */
    int n_tiles, more_x, more_y;
    float *unit_a;                  /* (n_units, th, tw) activations over the tile grid */
    float *tile_grid;               /* (th * tw, 2) its normalised inputs */
    float unit_scale;               /* max |a| over the tiles: the full shade */
    /* the data */
    plane_point *pts;               /* test first, then validation, then training: drawing order */
    int n_pts, n_wrong;
    int stride;                     /* every stride-th row of each split is drawn: 1, or more when
                                       the data has over PLANE_MAX_POINTS rows (a big CSV), so an
                                       update stays within the frame's time */
    bool have_range;                /* x0..y1 are the data's (they never change while it is open) */
};

/* Evaluate the grid for a Data panel w x h cells (title row included), if the net, the size or
 * the selected layer changed since the last call. */
void plane_update(struct session *s, int w, int h);
void plane_free(plane_cache *p);

/* Raw (original units) value of normalised value v of feature j: (v - shift) / scale. A
 * constant feature (scale 0) has only its one value, shift... which normalised to 0: v is
 * returned then. */
double plane_raw(const struct session *s, int j, double v);

#endif
