/* narrate_cmd.h - `deepstep narrate`: the UI's "What just happened" panel as plain text, one
 * micro-step after another, for screen readers, handouts and tests. */
#ifndef DS_NARRATE_CMD_H
#define DS_NARRATE_CMD_H

#include <stdio.h>

int cmd_narrate(int argc, char **argv);
void narrate_usage(FILE *out);

#endif
