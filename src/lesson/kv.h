/* kv.h - small helpers for the `key = value` lines of deepstep blocks: strict numbers,
 * words, `name=value` options, and splitting a line into its key and value. */
#ifndef DS_KV_H
#define DS_KV_H

#include <stdbool.h>

#define KV_MAX_TOKENS 16

/* 0 and *out for a whole finite number / an integer in [lo, hi]; -1 otherwise. */
int kv_double(const char *s, double *out);
int kv_long(const char *s, long lo, long hi, long *out);
/* Splits s in place at spaces and tabs; the word count, or -1 past KV_MAX_TOKENS. */
int kv_tokenize(char *s, char **tok);
/* "name=value" split in place: the value, or NULL when there is no '='. */
char *kv_option(char *tok);
/* yes/true -> true, no/false -> false; -1 for anything else. kv_bool_words are the two it
 * names in messages and the UI's editor offers: "yes" (true) and "no". */
extern const char *const kv_bool_words[2];
int kv_yes_no(const char *s, bool *out);
bool kv_ends_with(const char *s, const char *suffix);
/* Strips a '#' comment; splits "key = value" in place (both trimmed).
 * Returns 1 for a key and value, 0 for a blank or comment-only line, -1 when there is no '='. */
int kv_split(char *line, char **key, char **value);

#endif
