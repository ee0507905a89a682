/*
 * options.c — the tarn_options bag (an ordered list of key/value strings)
 * and the consumption-tracking views readers and writers take on it
 * (options.h), plus the "closest name" suggestion used in error messages.
 */
#include "formats/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/buf.h"

struct tarn_options {
    int32_t n, cap;
    char **keys;   /* as the caller spelt them */
    char **values;
};

tarn_options *tarn_options_create(void)
{
    return tn_calloc(1, sizeof(tarn_options));
}

void tarn_options_free(tarn_options *o)
{
    if (!o)
        return;
    for (int32_t k = 0; k < o->n; k++) {
        tn_free(o->keys[k]);
        tn_free(o->values[k]);
    }
    tn_free(o->keys);
    tn_free(o->values);
    tn_free(o);
}

static int fold(int c)
{
    return c == '-' ? '_' : tolower(c);
}

bool tn_opts_key_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (fold((unsigned char)*a) != fold((unsigned char)*b))
            return false;
    return *a == *b;
}

static int32_t find(const tarn_options *o, const char *key)
{
    for (int32_t k = 0; o && k < o->n; k++)
        if (tn_opts_key_equal(o->keys[k], key))
            return k;
    return -1;
}

int tarn_options_set(tarn_options *o, const char *key, const char *value, tarn_error *err)
{
    if (!o || !key || !*key || !value)
        return tn_error_set(err, TARN_EINVAL, "option key and value must be given");
    char *v = tn_strdup(value);
    TN_TRY_ALLOC(v, err, strlen(value) + 1);
    int32_t at = find(o, key);
    if (at >= 0) { /* replace in place: the order of first setting stays */
        tn_free(o->values[at]);
        o->values[at] = v;
        return TARN_OK;
    }
    if (o->n == o->cap) {
        int32_t cap = o->cap ? 2 * o->cap : 8;
        char **keys = tn_realloc(o->keys, sizeof(char *) * (size_t)cap);
        if (keys)
            o->keys = keys;
        char **values = keys ? tn_realloc(o->values, sizeof(char *) * (size_t)cap) : NULL;
        if (!values) {
            tn_free(v);
            return tn_error_oom(err, sizeof(char *) * (size_t)cap);
        }
        o->values = values;
        o->cap = cap;
    }
    char *k = tn_strdup(key);
    if (!k) {
        tn_free(v);
        return tn_error_oom(err, strlen(key) + 1);
    }
    o->keys[o->n] = k;
    o->values[o->n++] = v;
    return TARN_OK;
}

const char *tarn_options_key_at(const tarn_options *o, int i)
{
    return o && i >= 0 && i < o->n ? o->keys[i] : NULL;
}

const char *tarn_options_value_at(const tarn_options *o, int i)
{
    return o && i >= 0 && i < o->n ? o->values[i] : NULL;
}

int tn_options_merge(tarn_options *dst, const tarn_options *src, tarn_error *err)
{
    for (int32_t i = 0; src && i < src->n; i++)
        TN_TRY(tarn_options_set(dst, src->keys[i], src->values[i], err));
    return TARN_OK;
}

const char *tarn_options_get(const tarn_options *o, const char *key)
{
    int32_t at = find(o, key);
    return at >= 0 ? o->values[at] : NULL;
}

/* --- views ---------------------------------------------------------------- */

int tn_opts_begin(tn_opts *v, const tarn_options *bag, tarn_error *err)
{
    v->bag = bag;
    v->used = NULL;
    if (bag && bag->n > 0) {
        v->used = tn_calloc((size_t)bag->n, sizeof(bool));
        TN_TRY_ALLOC(v->used, err, (size_t)bag->n);
    }
    return TARN_OK;
}

void tn_opts_end(tn_opts *v)
{
    tn_free(v->used);
    v->used = NULL;
}

const char *tn_opts_str(tn_opts *v, const char *key)
{
    int32_t at = find(v->bag, key);
    if (at < 0)
        return NULL;
    v->used[at] = true;
    return v->bag->values[at];
}

int tn_opts_int(tn_opts *v, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out,
                tarn_error *err)
{
    const char *s = tn_opts_str(v, key);
    *out = def;
    if (!s)
        return TARN_OK;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return tn_error_set(err, TARN_EINVAL, "option '%s': expected an integer, got '%s'", key, s);
    if (x < min || x > max)
        return tn_error_set(err, TARN_EINVAL, "option '%s': %lld is outside [%lld, %lld]", key, x,
                            (long long)min, (long long)max);
    *out = x;
    return TARN_OK;
}

int tn_opts_bool(tn_opts *v, const char *key, bool def, bool *out, tarn_error *err)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    const char *s = tn_opts_str(v, key);
    *out = def;
    if (!s)
        return TARN_OK;
    for (int k = 0; k < 4; k++) {
        if (strcasecmp(s, yes[k]) == 0)
            return *out = true, TARN_OK;
        if (strcasecmp(s, no[k]) == 0)
            return *out = false, TARN_OK;
    }
    return tn_error_set(err, TARN_EINVAL, "option '%s': expected true or false, got '%s'", key, s);
}

int tn_opts_check(const tn_opts *v, const char *what, const char *const *known, tarn_error *err)
{
    for (int32_t k = 0; v->bag && k < v->bag->n; k++) {
        if (v->used[k])
            continue;
        int64_t n = 0;
        while (known && known[n])
            n++;
        tn_buf list;
        tn_buf_init(&list, 0);
        for (int64_t j = 0; j < n; j++)
            if (tn_buf_printf(&list, NULL, "%s%s", j ? ", " : "", known[j]) != TARN_OK)
                break; /* the message is shorter, the error the same */
        const char *near = tn_closest(v->bag->keys[k], known, n);
        int rc = tn_error_set(err, TARN_EINVAL, "unknown option '%s' for %s%s%s%s (known: %s)", v->bag->keys[k],
                              what, near ? ": did you mean '" : "", near ? near : "", near ? "'?" : "",
                              list.data ? (char *)list.data : "none");
        tn_buf_reset(&list);
        return rc;
    }
    return TARN_OK;
}

/* --- suggestions ---------------------------------------------------------- */

/* Levenshtein distance, case-insensitive, on at most 64 bytes of each. */
static int distance(const char *a, const char *b)
{
    int la = (int)strnlen(a, 64), lb = (int)strnlen(b, 64);
    int row[65];
    for (int j = 0; j <= lb; j++)
        row[j] = j;
    for (int i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = fold((unsigned char)a[i - 1]) != fold((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *tn_closest(const char *name, const char *const *cands, int64_t n)
{
    const char *best = NULL;
    int bd = 1 << 30;
    for (int64_t k = 0; k < n; k++) {
        int d = distance(name, cands[k]);
        if (d < bd)
            bd = d, best = cands[k];
    }
    int len = (int)strnlen(name, 64);
    return best && bd <= (len + 1) / 2 ? best : NULL;
}
