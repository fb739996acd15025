#include "kv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int kv_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int kv_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int kv_tokenize(char *s, char **tok)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == KV_MAX_TOKENS)
            return -1;
        tok[n++] = t;
    }
    return n;
}

char *kv_option(char *tok)
{
    char *eq = strchr(tok, '=');
    if (!eq)
        return NULL;
    *eq = '\0';
    return eq + 1;
}

const char *const kv_bool_words[2] = {"yes", "no"};

int kv_yes_no(const char *s, bool *out)
{
    if (strcmp(s, kv_bool_words[0]) == 0 || strcmp(s, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(s, kv_bool_words[1]) == 0 || strcmp(s, "false") == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

bool kv_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int kv_split(char *line, char **key, char **value)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *k = trim(line);
    if (*k == '\0')
        return 0;
    char *eq = strchr(k, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    *key = trim(k);
    *value = trim(eq + 1);
    return 1;
}
