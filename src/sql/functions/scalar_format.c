/*
 * scalar_format.c — printf(fmt, ...) and format(fmt, ...): C-style and
 * {}-style formatting of any arguments (NULL in any argument gives NULL, as
 * DuckDB does).
 *
 * printf understands %[flags][width][.precision]conv with conv one of
 * d i u x X o (integers), f F e E g G a A (floats), s (any value as text),
 * c, and %%. format understands {} (the next argument as text) and {:spec}
 * where spec is a printf spec without the % ("05d", ".2f", ">8", "<8",
 * "^8"). Every argument is rendered once per batch: to text through
 * tn_cast, and read as an integer or a double where the spec wants one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sql/functions/scalar_internal.h"

/* One argument prepared for formatting. */
typedef struct farg {
    tn_array *text; /* the argument cast to utf8 (n rows or 1 for a scalar) */
    const tn_datum *d;
    bool scalar;
} farg;

static int prepare(const tn_datum *args, int32_t nargs, int64_t n, farg *fa, tarn_error *err)
{
    for (int32_t k = 1; k < nargs; k++) {
        farg *f = &fa[k];
        f->d = &args[k];
        f->scalar = args[k].kind == TN_DATUM_SCALAR;
        tn_array *src = NULL;
        if (f->scalar)
            TN_TRY(tn_scalar_to_array(args[k].scalar, &src, err));
        else
            src = tn_array_ref(args[k].array);
        int rc = tn_type_is_string(src->type->id)
                     ? ((f->text = tn_array_ref(src)) ? TARN_OK : TARN_EINTERNAL)
                     : tn_cast(src, tn_type_get(TN_STRING), TN_CAST_STRICT, &f->text, err);
        tn_array_unref(src);
        TN_TRY(rc);
    }
    (void)n;
    return TARN_OK;
}

static void release(farg *fa, int32_t nargs)
{
    for (int32_t k = 1; k < nargs; k++)
        tn_array_unref(fa[k].text);
}

static const uint8_t *arg_text(const farg *f, int64_t i, int64_t *len)
{
    return tn_array_bytes(f->text, f->scalar ? 0 : i, len);
}

/* The argument as an integer / double, when its type allows. */
static bool arg_int(const farg *f, int64_t i, long long *v)
{
    const tn_type *t = tn_datum_type(*f->d);
    int64_t r = f->scalar ? 0 : i;
    if (f->scalar) {
        if (tn_type_is_int(t->id) || tn_temporal_width(t->id)) {
            *v = tn_type_is_unsigned_int(t->id) ? (long long)f->d->scalar->v.u : f->d->scalar->v.i;
            return true;
        }
        if (t->id == TN_BOOL) {
            *v = f->d->scalar->v.b;
            return true;
        }
        return false;
    }
    const tn_array *a = f->d->array;
    switch (t->id) {
    case TN_INT8: *v = TN_VALUES(a, int8_t)[r]; return true;
    case TN_INT16: *v = TN_VALUES(a, int16_t)[r]; return true;
    case TN_INT32: *v = TN_VALUES(a, int32_t)[r]; return true;
    case TN_INT64: *v = TN_VALUES(a, int64_t)[r]; return true;
    case TN_UINT8: *v = TN_VALUES(a, uint8_t)[r]; return true;
    case TN_UINT16: *v = TN_VALUES(a, uint16_t)[r]; return true;
    case TN_UINT32: *v = TN_VALUES(a, uint32_t)[r]; return true;
    case TN_UINT64: *v = (long long)TN_VALUES(a, uint64_t)[r]; return true;
    case TN_BOOL: *v = tn_bit_get(a->buffers[1]->data, a->offset + r); return true;
    default: return false;
    }
}

static bool arg_double(const farg *f, int64_t i, double *v)
{
    const tn_type *t = tn_datum_type(*f->d);
    if (t->id == TN_FLOAT64 || t->id == TN_FLOAT32) {
        *v = f->scalar ? f->d->scalar->v.f
             : t->id == TN_FLOAT64 ? TN_VALUES(f->d->array, double)[i] : TN_VALUES(f->d->array, float)[i];
        return true;
    }
    long long iv;
    if (arg_int(f, i, &iv)) {
        *v = (double)iv;
        return true;
    }
    if (tn_type_is_decimal(t->id)) { /* through its exact text */
        int64_t len;
        const uint8_t *p = arg_text(f, i, &len);
        char buf[96];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 90 ? len : 90), (const char *)p);
        *v = strtod(buf, NULL);
        return true;
    }
    return false;
}

/* The format given to snprintf is rebuilt from a validated spec (flags,
 * bounded width and precision, one known conversion), never user text. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* Render one printf spec (spec[0..sn) is "%...c") for argument f at row i. */
static int put_spec(const tn_expr *call, const char *spec, size_t sn, const farg *f, int64_t i, sout *o,
                    tarn_error *err)
{
    char conv = spec[sn - 1], fmtbuf[48];
    if (sn >= sizeof fmtbuf - 4)
        return tn_func_error(err, TARN_EINVAL, call, i, "format specifier too long");
    char out[512];
    int k;
    memcpy(fmtbuf, spec, sn - 1);
    switch (conv) {
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c': {
        long long v;
        if (!arg_int(f, i, &v))
            return tn_func_error(err, TARN_EINVAL, call, i, "%%%c needs an integer argument", conv);
        if (conv == 'c') {
            memcpy(fmtbuf + sn - 1, "c", 2);
            k = snprintf(out, sizeof out, fmtbuf, (int)(unsigned char)v);
        } else {
            fmtbuf[sn - 1] = 'l';
            fmtbuf[sn] = 'l';
            fmtbuf[sn + 1] = conv == 'i' ? 'd' : conv;
            fmtbuf[sn + 2] = '\0';
            k = snprintf(out, sizeof out, fmtbuf, v);
        }
        break;
    }
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A': {
        double v;
        if (!arg_double(f, i, &v))
            return tn_func_error(err, TARN_EINVAL, call, i, "%%%c needs a numeric argument", conv);
        memcpy(fmtbuf + sn - 1, &conv, 1);
        fmtbuf[sn] = '\0';
        k = snprintf(out, sizeof out, fmtbuf, v);
        break;
    }
    case 's': {
        int64_t len;
        const uint8_t *p = arg_text(f, i, &len);
        /* width and precision count characters, handled here for UTF-8 */
        long width = 0, prec = -1;
        bool left = false;
        const char *q = spec + 1;
        while (*q == '-' || *q == '0' || *q == '+' || *q == ' ' || *q == '#')
            left = left || *q++ == '-';
        char *endp = NULL;
        width = strtol(q, &endp, 10);
        if (*endp == '.')
            prec = strtol(endp + 1, NULL, 10);
        int64_t chars = utf8_count(p, len);
        if (prec >= 0 && chars > prec) {
            len = utf8_offset(p, len, prec);
            chars = prec;
        }
        if (width > 4096)
            return tn_func_error(err, TARN_EINVAL, call, i, "format width %ld too large", width);
        for (int64_t pad = width - chars; !left && pad > 0; pad--)
            TN_TRY(sout_append(o, " ", 1, err));
        TN_TRY(sout_append(o, p, len, err));
        for (int64_t pad = width - chars; left && pad > 0; pad--)
            TN_TRY(sout_append(o, " ", 1, err));
        return TARN_OK;
    }
    default:
        return tn_func_error(err, TARN_EINVAL, call, i, "unsupported format specifier %%%c",
                             conv >= 0x20 && conv < 0x7f ? conv : '?');
    }
    if (k < 0 || k >= (int)sizeof out)
        return tn_func_error(err, TARN_EINVAL, call, i, "formatted value too long");
    return sout_append(o, out, k, err);
}

#pragma GCC diagnostic pop

/* The length of a printf spec starting at '%' (0 if malformed); width and
 * precision have at most three digits. */
static size_t spec_len(const uint8_t *p, int64_t n)
{
    int64_t k = 1, d;
    while (k < n && p[k] && strchr("-+ #0", p[k]))
        k++;
    for (d = 0; k < n && p[k] >= '0' && p[k] <= '9'; d++)
        k++;
    if (d > 3)
        return 0;
    if (k < n && p[k] == '.') {
        k++;
        for (d = 0; k < n && p[k] >= '0' && p[k] <= '9'; d++)
            k++;
        if (d > 3)
            return 0;
    }
    return k < n && ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z')) ? (size_t)k + 1 : 0;
}

static int printf_row(const tn_expr *call, const farg *fa, int32_t nargs, const uint8_t *f, int64_t fn, int64_t i,
                      sout *o, tarn_error *err)
{
    int32_t next = 1;
    for (int64_t k = 0; k < fn;) {
        if (f[k] != '%') {
            int64_t s = k;
            while (k < fn && f[k] != '%')
                k++;
            TN_TRY(sout_append(o, f + s, k - s, err));
            continue;
        }
        if (k + 1 < fn && f[k + 1] == '%') {
            TN_TRY(sout_append(o, "%", 1, err));
            k += 2;
            continue;
        }
        size_t sl = spec_len(f + k, fn - k);
        if (!sl)
            return tn_func_error(err, TARN_EINVAL, call, i, "malformed format specifier at offset %lld", (long long)k);
        if (next >= nargs)
            return tn_func_error(err, TARN_EINVAL, call, i, "too few arguments for the format");
        TN_TRY(put_spec(call, (const char *)f + k, sl, &fa[next++], i, o, err));
        k += (int64_t)sl;
    }
    return TARN_OK;
}

/* {} and {:spec}: spec is a printf spec without '%', or an alignment
 * (<8, >8, ^8) for text. */
static int format_row(const tn_expr *call, const farg *fa, int32_t nargs, const uint8_t *f, int64_t fn, int64_t i,
                      sout *o, tarn_error *err)
{
    int32_t next = 1;
    for (int64_t k = 0; k < fn;) {
        if ((f[k] == '{' || f[k] == '}') && k + 1 < fn && f[k + 1] == f[k]) {
            TN_TRY(sout_append(o, f + k, 1, err));
            k += 2;
            continue;
        }
        if (f[k] != '{') {
            TN_TRY(sout_append(o, f + k, 1, err));
            k++;
            continue;
        }
        int64_t close = k + 1;
        while (close < fn && f[close] != '}')
            close++;
        if (close >= fn)
            return tn_func_error(err, TARN_EINVAL, call, i, "unclosed '{' in the format");
        if (next >= nargs)
            return tn_func_error(err, TARN_EINVAL, call, i, "too few arguments for the format");
        const farg *a = &fa[next++];
        char spec[40] = "%s";
        size_t sl = 2;
        if (close > k + 1 && f[k + 1] == ':') {
            int64_t len = close - (k + 2);
            if (len <= 0 || len > 30)
                return tn_func_error(err, TARN_EINVAL, call, i, "bad format spec");
            const uint8_t *s = f + k + 2;
            if (s[0] == '<' || s[0] == '>' || s[0] == '^')
                sl = (size_t)snprintf(spec, sizeof spec, "%%%s%.*ss", s[0] == '<' ? "-" : "", (int)(len - 1),
                                      (const char *)s + 1);
            else
                sl = (size_t)snprintf(spec, sizeof spec, "%%%.*s", (int)len, (const char *)s);
            if (!spec_len((const uint8_t *)spec, (int64_t)sl) || spec_len((const uint8_t *)spec, (int64_t)sl) != sl)
                return tn_func_error(err, TARN_EINVAL, call, i, "bad format spec");
        } else if (close != k + 1) {
            return tn_func_error(err, TARN_EINVAL, call, i, "positional or named format fields are not supported");
        }
        TN_TRY(put_spec(call, spec, sl, a, i, o, err));
        k = close + 1;
    }
    return TARN_OK;
}

static int format_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    bool braces = !strcmp(call->func->name, "format");
    farg *fa = tn_calloc((size_t)nargs, sizeof *fa);
    TN_TRY_ALLOC(fa, err, (size_t)nargs * sizeof *fa);
    sout o;
    int rc = prepare(args, nargs, n, fa, err);
    if (!rc)
        rc = sout_init(&o, tn_type_get(TN_STRING), n, err);
    if (rc) {
        release(fa, nargs);
        tn_free(fa);
        return rc;
    }
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = sout_null_row(&o, err);
            continue;
        }
        int64_t fn;
        const uint8_t *f = d_str(&args[0], i, &fn);
        rc = braces ? format_row(call, fa, nargs, f, fn, i, &o, err) : printf_row(call, fa, nargs, f, fn, i, &o, err);
        if (!rc)
            rc = sout_end_row(&o, err);
    }
    release(fa, nargs);
    tn_free(fa);
    return sout_close(&o, rc, out, err);
}

#define F(name, exec) {name, exec, true, false, NULL}

const tn_sfn tn_sfn_format[] = {
    {F("printf", format_exec), 1, false, {P_VARCHAR}, R_VARCHAR, NULL},
    {F("printf", format_exec), 2, true, {P_VARCHAR, P_ANY}, R_VARCHAR, NULL},
    {F("format", format_exec), 1, false, {P_VARCHAR}, R_VARCHAR, NULL},
    {F("format", format_exec), 2, true, {P_VARCHAR, P_ANY}, R_VARCHAR, NULL},
};
const int tn_sfn_format_n = (int)(sizeof tn_sfn_format / sizeof tn_sfn_format[0]);
