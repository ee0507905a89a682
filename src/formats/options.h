/*
 * options.h — how readers and writers take their options from a
 * tarn_options bag (tarn/formats.h).
 *
 * A reader or writer opens a view on the bag, takes the keys it knows
 * (tn_opts_str/int/bool mark them consumed) and then calls tn_opts_check,
 * which fails with TARN_EINVAL on the first key nobody consumed:
 *   unknown option 'x' for format ipc (known: columns, limit, compression)
 * so a misspelt option is an error, never silently ignored. Key matching
 * ignores case and treats '-' and '_' alike (--max-rows and max_rows).
 */
#ifndef TN_FORMATS_OPTIONS_H
#define TN_FORMATS_OPTIONS_H

#include <stdbool.h>

#include "core/error.h"
#include "tarn/formats.h"

typedef struct tn_opts {
    const tarn_options *bag; /* may be NULL: no options */
    bool *used;              /* one flag per entry of the bag */
} tn_opts;

int tn_opts_begin(tn_opts *v, const tarn_options *bag, tarn_error *err) TN_MUST_USE;
void tn_opts_end(tn_opts *v);

/* The value of key (marking it consumed), or NULL when absent. */
const char *tn_opts_str(tn_opts *v, const char *key);
/* Integer option within [min, max]; *out = def when absent. */
int tn_opts_int(tn_opts *v, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out,
                tarn_error *err) TN_MUST_USE;
/* true/false, yes/no, on/off, 1/0; *out = def when absent. */
int tn_opts_bool(tn_opts *v, const char *key, bool def, bool *out, tarn_error *err) TN_MUST_USE;
/* Fail on the first key not consumed; `what` names the consumer ("format
 * ipc") and known (NULL-terminated) lists the keys it takes. */
int tn_opts_check(const tn_opts *v, const char *what, const char *const *known, tarn_error *err) TN_MUST_USE;

/* Option keys compare equal ignoring case and '-' versus '_'. */
bool tn_opts_key_equal(const char *a, const char *b);

/* Set every option of src (may be NULL) in dst, replacing equal keys. */
int tn_options_merge(tarn_options *dst, const tarn_options *src, tarn_error *err) TN_MUST_USE;

/* The candidate closest to name by edit distance (case-insensitive), or
 * NULL when none is within half of name's length (then no suggestion helps). */
const char *tn_closest(const char *name, const char *const *cands, int64_t n);

#endif
