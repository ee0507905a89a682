/*
 * fuzz_sql_parser.c — the SQL parser against arbitrary text.
 *
 * Any input must either fail with a clean TARN_EPARSE (or an allocation
 * error) or parse; what parses is printed, and the printed text must parse
 * again and print identically (the canonical form is a fixed point), except
 * that a statement near the nesting limit may print deeper than the limit. A crash,
 * a leak, a hang or a mismatch is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "sql/parser/parser.h"

static char last_message[TARN_ERROR_MAX];

static char *print_of(const char *text, size_t len, int *rc)
{
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_script *s;
    tarn_error err;
    char *out = NULL;
    *rc = tn_sql_parse(text, len, &a, &s, &err);
    if (*rc == 0) {
        tn_buf b;
        tn_buf_init(&b, 0);
        if (tn_sql_print_script(&b, s, &err) == 0 && tn_buf_append(&b, "", 1, &err) == 0)
            out = tn_buf_take(&b);
        tn_buf_reset(&b);
        if (!out)
            abort();
    } else if (*rc != TARN_EPARSE && *rc != TARN_ENOMEM && *rc != TARN_EMEMLIMIT) {
        fprintf(stderr, "unexpected status %d: %s\n", *rc, err.message);
        abort();
    } else if (!strchr(err.message, ' ') || strchr(err.message, '\n')) {
        fprintf(stderr, "malformed message: %s\n", err.message);
        abort();
    }
    if (*rc)
        memcpy(last_message, err.message, sizeof last_message);
    tn_arena_free(&a);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    int rc;
    char *first = print_of((const char *)data, size, &rc);
    if (!first)
        return 0;
    char *second = print_of(first, strlen(first), &rc);
    /* Full parenthesization makes a tree near the nesting limit deeper in
     * text than it was written; refusing it is the documented behaviour. */
    if (!second && strstr(last_message, "nesting deeper than")) {
        tn_free(first);
        return 0;
    }
    if (!second) {
        fprintf(stderr, "printed text does not parse (%d):\n%s\n", rc, first);
        abort();
    }
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "round trip differs:\n%s\n---\n%s\n", first, second);
        abort();
    }
    tn_free(first);
    tn_free(second);
    return 0;
}
