/* float_cmd.h - `deepstep float ...`: float anatomy and what arithmetic loses, headless. */
#ifndef DS_FLOAT_CMD_H
#define DS_FLOAT_CMD_H

int cmd_float(int argc, char **argv);

#endif
