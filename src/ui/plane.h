/* plane.h - the input plane of 2-D data: the net's prediction over a grid spanning the data,
 * and each unit's activation over the same grid (the Data panel's maps). */
#ifndef DS_PLANE_H
#define DS_PLANE_H

struct session;
typedef struct plane_cache plane_cache;

/* Evaluate the grid for a Data panel w x h cells (title row included), if the net or the size
 * changed since the last call. */
void plane_update(struct session *s, int w, int h);
void plane_free(plane_cache *p);

#endif
