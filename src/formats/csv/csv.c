/*
 * csv.c — the CSV reader: a byte source, the tokenizer and typed column
 * converters, producing record batches with bounded memory.
 *
 * The reader holds one buffer of decompressed bytes. Each batch tokenizes
 * complete rows from it (tokenize.c), converts each column from the spans
 * straight into Arrow buffers it allocates once per batch (no per-value
 * allocation), then moves on; a row cut by the end of the buffer waits for
 * the next read. The buffer grows only for a row longer than itself, up to
 * max_row_bytes.
 *
 * Errors: line and column are computed only when a row is bad, by counting
 * line ends from the start of the batch (whose line number is kept). The
 * policy decides: fail with "file:line:column: column 'c': why 'value'",
 * skip the row (appending the same text and the raw row to reject_path),
 * or store null.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <unistd.h>

#include "arrow/utf8.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "formats/csv/csv_int.h"
#include "formats/csv/source.h"
#include "formats/csv/textin.h"
#include "formats/csv/textparse.h"

void tn_csv_options_init(tn_csv_options *o)
{
    memset(o, 0, sizeof *o);
    o->header = -1;
}

typedef struct column {
    tn_type *type; /* borrowed from the schema */
    tn_type_id id;
    uint32_t layouts;   /* date layouts for date/timestamp columns */
    const char *format; /* TN_DATE_CUSTOM in layouts: the date or timestamp format */
    const char *format2; /* a timestamp column: the date format, tried second */
    int64_t scale;      /* timestamp: divisor from microseconds, or multiplier (negative) */
    int64_t strict;     /* decimal: reject extra fraction digits; the sample's row count, or -1 */
} column;

typedef struct outcol {
    tn_buffer *validity, *values, *data;
    int64_t nulls;
} outcol;

/* The state of converting one run of rows: the sequential reader has one;
 * the parallel path one per chunk of the buffer. */
typedef struct work {
    tn_csv_tok tok;
    outcol *out;     /* ncols */
    uint8_t *rej;    /* per row of the batch: rejected */
    size_t rej_cap;
    int64_t nrej;
    tn_buf scratch;
    tn_chunk chunk;     /* rejects and counts; parallel: the bytes and batches */
    bool open_end;      /* parallel: its last field is a quote still open */
    int64_t lines;      /* parallel: line ends in buf[chunk.start, chunk.end) */
    struct csv_reader *owner; /* parallel: the reader, for its task */
    int32_t index;      /* parallel: its place among the chunks */
} work;

typedef struct csv_reader {
    tn_reader base;
    tn_csv_options o;
    char *name;
    tn_textin in;        /* the source and the buffer */
    bool done;
    int64_t line;        /* line number of buf[pos] */
    tn_csv_tok tok;      /* the dialect; and the tokens of the sequential path */
    int32_t ncols;
    column *cols;
    work seq;            /* the sequential path */
    work *par;           /* the parallel path: one per chunk */
    int32_t npar;
    tn_batch_queue queue; /* batches made in parallel, not handed out yet */
    int32_t threads, maxpar;
    bool par_failed;     /* the split of this buffer did not prove right */
    tn_taskgroup *ahead; /* the chunks of the buffer being parsed on the pool */
    int64_t par_chunks;  /* chunks parsed in parallel and kept */
    int64_t rejected;
    tn_reject_file rejfile;
    size_t block;
    int64_t batch_size;
    bool header; /* the input had a header row (given or sniffed) */
    int64_t sampled;
    char *own_comment, *own_reject; /* copies: the caller's options may go away */
    char *own_date_format, *own_timestamp_format;
    char **own_nulls;
} csv_reader;

#define BATCH_SPANS 65536     /* spans a batch of the default size aims at */
#define BATCH_MIN_ROWS 1024   /* ... but rows per batch stay within these */
#define BATCH_MAX_ROWS 65536

/* --- input buffer ----------------------------------------------------- */

static int refill(csv_reader *r, size_t want, tarn_error *err)
{
    r->par_failed = false; /* new bytes may split well again */
    return tn_textin_refill(&r->in, want, err);
}

/* LF bytes in p[0, n): every consumed byte passes here once, so 16 bytes
 * per compare rather than a memchr call per line. */
static int64_t count_lines(const uint8_t *p, size_t n)
{
    int64_t k = 0;
    size_t i = 0;
#ifdef __SSE2__
    /* a compare gives -1 per LF; 63 rounds of four of them fit byte
     * counters, which a sum of absolute differences then adds up */
    const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (i + 64 <= n) {
        __m128i acc = zero;
        for (int round = 0; round < 63 && i + 64 <= n; round++, i += 64) {
            const __m128i *q = (const __m128i *)(const void *)(p + i);
            __m128i a = _mm_add_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q), lf), _mm_cmpeq_epi8(_mm_loadu_si128(q + 1), lf));
            __m128i b = _mm_add_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 2), lf), _mm_cmpeq_epi8(_mm_loadu_si128(q + 3), lf));
            acc = _mm_sub_epi8(acc, _mm_add_epi8(a, b));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        k += _mm_cvtsi128_si32(sum) + _mm_extract_epi16(sum, 4);
    }
#endif
    for (; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* --- errors ----------------------------------------------------------- */

/* Line and column (1-based, in bytes) of buffer offset off. */
static void locate(const csv_reader *r, size_t off, int64_t *line, int64_t *col)
{
    *line = r->line + count_lines(r->in.buf + r->in.pos, off - r->in.pos);
    size_t s = off;
    while (s > r->in.pos && r->in.buf[s - 1] != '\n')
        s--;
    *col = (int64_t)(off - s) + 1;
}

static int write_reject(csv_reader *r, work *w, size_t row, const char *msg, tarn_error *err)
{
    if (!r->o.reject_path)
        return TARN_OK;
    const tn_row *rw = &w->tok.rows[row];
    return tn_reject_append(&w->chunk.rejects, msg, r->in.buf + rw->start, rw->end - rw->start, err);
}

/* Append the rejected rows a piece of work collected to reject_path. */
static int flush_rejects(csv_reader *r, work *w, tarn_error *err)
{
    return tn_reject_file_flush(&r->rejfile, r->o.reject_path, &w->chunk.rejects, err);
}

/* Apply the policy to a bad row or value. Returns TARN_OK when the row goes
 * on (null policy: *as_null is set) or is dropped; an error status to stop. */
static int bad(csv_reader *r, work *w, size_t row, int32_t c, size_t off, int code, const char *why, const uint8_t *v, size_t n,
               tarn_error *err)
{
    if (r->o.on_error == TN_ON_ERROR_NULL && c >= 0)
        return TARN_OK;
    int64_t line, col;
    locate(r, off, &line, &col);
    char msg[TARN_ERROR_MAX];
    int vn = n > 200 ? 200 : (int)n;
    if (c >= 0)
        snprintf(msg, sizeof msg, "%s:%lld:%lld: column '%s': %s '%.*s'%s", r->name, (long long)line, (long long)col,
                 r->base.schema->fields[c].name, why, vn, v ? (const char *)v : "", n > 200 ? "..." : "");
    else
        snprintf(msg, sizeof msg, "%s:%lld:%lld: %s", r->name, (long long)line, (long long)col, why);
    if (r->o.on_error == TN_ON_ERROR_FAIL)
        return code == TARN_ECORRUPT ? TN_CORRUPT(err, "%s", msg) : tn_error_set(err, code, "%s", msg);
    if (!w->rej[row]) {
        w->rej[row] = 1;
        w->nrej++;
        TN_TRY(write_reject(r, w, row, msg, err));
    }
    return TARN_OK;
}

/* --- row checks ------------------------------------------------------- */

static int check_rows(csv_reader *r, work *w, tarn_error *err)
{
    const tn_csv_tok *t = &w->tok;
    for (size_t i = 0; i < t->nrows; i++) {
        const tn_row *rw = &t->rows[i];
        if (rw->nfields != (uint32_t)r->ncols && r->o.on_error != TN_ON_ERROR_NULL) {
            char why[96];
            snprintf(why, sizeof why, "expected %d fields, found %u", r->ncols, rw->nfields);
            TN_TRY(bad(r, w, i, -1, rw->start, TARN_ECORRUPT, why, NULL, 0, err));
        }
        for (uint32_t f = 0; f < rw->nfields && !w->rej[i]; f++) {
            tn_span sp = t->spans[rw->first + f];
            if (!(sp.len & TN_SPAN_BAD))
                continue;
            size_t after = sp.off + (sp.len & TN_SPAN_LEN);
            bool open_quote = after == r->in.len && r->in.eof;
            const char *why = open_quote ? "quoted field is not closed" : "unexpected bytes after a closing quote";
            if (r->o.on_error == TN_ON_ERROR_NULL && (int32_t)f < r->ncols)
                continue; /* the converter nulls it */
            TN_TRY(bad(r, w, i, -1, open_quote ? sp.off - 1 : after + 1, TARN_ECORRUPT, why, NULL, 0, err));
        }
    }
    return TARN_OK;
}

/* --- column conversion ------------------------------------------------ */

static int set_null(outcol *oc, int64_t n, size_t row, tarn_error *err)
{
    if (!oc->validity) {
        oc->validity = tn_buffer_new(tn_bitmap_bytes(n));
        TN_TRY_ALLOC(oc->validity, err, (size_t)tn_bitmap_bytes(n));
        memset(oc->validity->data, 0xff, (size_t)tn_bitmap_bytes(n));
    }
    tn_bit_clear(oc->validity->data, (int64_t)row);
    oc->nulls++;
    return TARN_OK;
}

static bool is_null(const csv_reader *r, const uint8_t *p, size_t n)
{
    if (r->o.n_null_values == 0)
        return n == 0;
    for (int32_t i = 0; i < r->o.n_null_values; i++) {
        const char *s = r->o.null_values[i];
        if (strlen(s) == n && memcmp(s, p, n) == 0)
            return true;
    }
    return false;
}

/* The text of a cell: quoting undone (into scratch), trimmed. */
static int text_of(csv_reader *r, work *w, tn_span sp, const uint8_t **p, size_t *n, tarn_error *err)
{
    *p = r->in.buf + sp.off;
    *n = sp.len & TN_SPAN_LEN;
    if (sp.len & TN_SPAN_ESC) {
        w->scratch.len = 0;
        TN_TRY(tn_buf_reserve(&w->scratch, *n + 1, err));
        *n = tn_csv_unescape(&w->tok, *p, *n, w->scratch.data);
        *p = w->scratch.data;
    }
    if (r->o.trim && !(sp.len & TN_SPAN_QUOTED)) {
        while (*n && (**p == ' ' || **p == '\t'))
            (*p)++, (*n)--;
        while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
            (*n)--;
    }
    return TARN_OK;
}

static int64_t width_of(tn_type_id id)
{
    switch (id) {
    case TN_INT32:
    case TN_DATE32:
        return 4;
    case TN_DECIMAL128:
        return 16;
    case TN_BOOL:
        return 0;
    default:
        return 8;
    }
}

/* A plain decimal literal with a nonzero digit beyond scale fraction digits
 * (3.125 at scale 2; 3.120 is still exact). */
static bool beyond_scale(const uint8_t *p, size_t n, int32_t scale)
{
    const uint8_t *dot = memchr(p, '.', n);
    if (!dot || (size_t)(p + n - dot - 1) <= (size_t)scale)
        return false; /* the common case, without a second pass */
    int32_t wd, fd;
    if (!tn_text_decimal_shape(p, (int64_t)n, &wd, &fd) || fd <= scale)
        return false;
    for (size_t i = n - (size_t)(fd - scale); i < n; i++)
        if (p[i] != '0')
            return true;
    return false;
}

/* A date in a strptime-style format; a time of day in it is refused. */
static bool parse_formatted_date(const char *fmt, const uint8_t *p, size_t n, int32_t *days)
{
    int64_t us;
    bool zone;
    const int64_t day_us = 86400 * (int64_t)1000000;
    if (!tn_text_parse_format(fmt, p, (int64_t)n, &us, &zone) || us % day_us != 0)
        return false;
    *days = (int32_t)(us / day_us);
    return true;
}

/* Parse one value into slot row of values; false when it does not parse. */
static bool parse_value(const column *col, const uint8_t *p, size_t n, uint8_t *values, size_t row, bool *overflow)
{
    *overflow = false;
    switch (col->id) {
    case TN_BOOL: {
        bool v;
        if (!tn_text_parse_bool(p, (int64_t)n, &v))
            return false;
        tn_bit_put(values, (int64_t)row, v);
        return true;
    }
    case TN_INT64:
        return tn_text_parse_int64(p, (int64_t)n, (int64_t *)values + row, overflow);
    case TN_INT32: {
        int64_t v;
        if (!tn_text_parse_int64(p, (int64_t)n, &v, overflow))
            return false;
        if (v < INT32_MIN || v > INT32_MAX)
            return !(*overflow = true);
        ((int32_t *)values)[row] = (int32_t)v;
        return true;
    }
    case TN_FLOAT64:
        return tn_text_parse_double(p, (int64_t)n, (double *)values + row);
    case TN_DECIMAL128: {
        __int128 v;
        int32_t wd, fd;
        if (col->strict && beyond_scale(p, n, col->type->scale))
            return false;
        if (!tn_text_parse_decimal(p, (int64_t)n, col->type->precision, col->type->scale, &v)) {
            *overflow = tn_text_decimal_shape(p, (int64_t)n, &wd, &fd); /* a number, too wide */
            return false;
        }
        memcpy(values + row * 16, &v, 16);
        return true;
    }
    case TN_DATE32:
        if (col->layouts & TN_DATE_CUSTOM)
            return parse_formatted_date(col->format, p, n, (int32_t *)values + row);
        return tn_text_parse_date(p, (int64_t)n, col->layouts, (int32_t *)values + row);
    case TN_TIME64:
        return tn_text_parse_time(p, (int64_t)n, (int64_t *)values + row);
    case TN_TIMESTAMP: {
        int64_t us;
        bool zone;
        if (col->layouts & TN_DATE_CUSTOM
                ? !tn_text_parse_format(col->format, p, (int64_t)n, &us, &zone) &&
                      !(col->format2 && tn_text_parse_format(col->format2, p, (int64_t)n, &us, &zone))
                : !tn_text_parse_timestamp(p, (int64_t)n, col->layouts, &us, &zone))
            return false;
        ((int64_t *)values)[row] = col->scale > 0 ? us / col->scale : us * -col->scale;
        return true;
    }
    default:
        return false;
    }
}

/* Why a value with more fraction digits than a decimal column's scale was
 * refused: rounding it would change the data without a word. */
static void fraction_why(const csv_reader *r, const column *col, int32_t c, char *why, size_t cap)
{
    const char *name = r->base.schema->fields[c].name;
    if (col->strict > 0)
        snprintf(why, cap,
                 "more fraction digits than decimal128(%d, %d) inferred from the first %lld rows; pass "
                 "types='%s double' or a wider decimal:",
                 col->type->precision, col->type->scale, (long long)col->strict, name);
    else
        snprintf(why, cap, "more fraction digits than decimal128(%d, %d):", col->type->precision,
                 col->type->scale);
}

/* A null cell of a typed column: its slot, which the fixed-width loops do
 * not clear beforehand, becomes zero. */
static int null_cell(const column *col, outcol *oc, size_t nrows, size_t i, uint8_t *values, tarn_error *err)
{
    int64_t wid = width_of(col->id);
    if (wid)
        memset(values + i * (size_t)wid, 0, (size_t)wid);
    else
        tn_bit_put(values, (int64_t)i, false);
    return set_null(oc, (int64_t)nrows, i, err);
}

/* One cell of a typed column through every option and the error policy. */
static int convert_cell(csv_reader *r, work *w, int32_t c, size_t nrows, size_t i, uint8_t *values, tarn_error *err)
{
    const column *col = &r->cols[c];
    outcol *oc = &w->out[c];
    tn_span sp;
    if (!tn_csv_cell(&w->tok, i, (uint32_t)c, &sp) || (sp.len & TN_SPAN_BAD))
        return null_cell(col, oc, nrows, i, values, err);
    const uint8_t *p;
    size_t n;
    if (TN_LIKELY(!(sp.len & (TN_SPAN_ESC | TN_SPAN_QUOTED)) && !r->o.trim)) {
        p = r->in.buf + sp.off;
        n = sp.len & TN_SPAN_LEN;
    } else {
        TN_TRY(text_of(r, w, sp, &p, &n, err));
    }
    if ((!(sp.len & TN_SPAN_QUOTED) && is_null(r, p, n)) || n == 0)
        return null_cell(col, oc, nrows, i, values, err);
    bool overflow;
    const uint8_t *text = p;
    size_t tn = n;
    uint8_t swapped[128];
    if (r->o.decimal_comma && (col->id == TN_FLOAT64 || col->id == TN_DECIMAL128)) {
        tn = tn_text_swap_separators(p, n, swapped, sizeof swapped);
        text = swapped;
    }
    if (TN_LIKELY(parse_value(col, text, tn, values, i, &overflow)))
        return TARN_OK;
    char why[256];
    if (col->strict && beyond_scale(text, tn, col->type->scale))
        fraction_why(r, col, c, why, sizeof why);
    else if (col->layouts & TN_DATE_CUSTOM)
        snprintf(why, sizeof why, "cannot parse as %s with format '%s':", tn_type_id_name(col->id), col->format);
    else
        snprintf(why, sizeof why, overflow ? "value out of range for %s:" : "cannot parse as %s:",
                 tn_type_id_name(col->id));
    TN_TRY(bad(r, w, i, c, sp.off, overflow ? TARN_EOVERFLOW : TARN_EPARSE, why, p, n, err));
    return null_cell(col, oc, nrows, i, values, err);
}

/* The common column, of plain unquoted values without options that change
 * the text: one loop per type with everything it reads in locals (the
 * build does not assume strict aliasing, so stores into the values would
 * otherwise reload the options). A value this loop does not take whole —
 * quoted, empty, not parsing — goes to convert_cell, which decides. */
#define FAST_LOOP(PARSE)                                                                                    \
    for (size_t i = 0; i < nrows; i++) {                                                                    \
        const tn_row *rw = &rows[i];                                                                        \
        if (TN_LIKELY(!rej[i] && (uint32_t)c < rw->nfields)) {                                              \
            tn_span sp = spans[rw->first + (uint32_t)c];                                                    \
            const uint8_t *p = buf + sp.off;                                                                \
            size_t n = sp.len;                                                                              \
            if (TN_LIKELY(n - 1 < (size_t)TN_SPAN_LEN) && TN_LIKELY(PARSE))                                 \
                continue;                                                                                   \
        }                                                                                                   \
        if (!rej[i])                                                                                        \
            TN_TRY(convert_cell(r, w, c, nrows, i, values, err));                                           \
    }

static int convert_fixed(csv_reader *r, work *w, int32_t c, size_t nrows, tarn_error *err)
{
    const column *col = &r->cols[c];
    outcol *oc = &w->out[c];
    int64_t wid = width_of(col->id);
    int64_t bytes = wid ? (int64_t)nrows * wid : tn_bitmap_bytes((int64_t)nrows);
    /* every slot is written: a value, or zero by null_cell (bits are set
     * one by one, so a bitmap starts cleared) */
    oc->values = wid ? tn_buffer_new(bytes) : tn_buffer_new_zeroed(bytes);
    TN_TRY_ALLOC(oc->values, err, (size_t)bytes);
    uint8_t *values = oc->values->data;
    const uint8_t *rej = w->rej, *buf = r->in.buf;
    const tn_row *rows = w->tok.rows;
    const tn_span *spans = w->tok.spans;
    bool plain = !r->o.trim && r->o.n_null_values == 0 && !r->o.decimal_comma && !(col->layouts & TN_DATE_CUSTOM);
    if (plain && col->id == TN_INT64) {
        int64_t *v = (int64_t *)values;
        bool ov;
        FAST_LOOP(tn_text_parse_int64(p, (int64_t)n, &v[i], &ov))
        return TARN_OK;
    }
    if (plain && col->id == TN_FLOAT64) {
        double *v = (double *)values;
        FAST_LOOP(tn_text_parse_double(p, (int64_t)n, &v[i]))
        return TARN_OK;
    }
    if (plain && col->id == TN_DECIMAL128) {
        int32_t prec = col->type->precision, scale = col->type->scale;
        bool strict = col->strict != 0;
        __int128 d;
        FAST_LOOP((strict ? tn_text_parse_decimal_exact(p, (int64_t)n, prec, scale, &d)
                          : tn_text_parse_decimal(p, (int64_t)n, prec, scale, &d)) &&
                  (memcpy(values + i * 16, &d, 16), true))
        return TARN_OK;
    }
    if (plain && col->id == TN_DATE32) {
        int32_t *v = (int32_t *)values;
        uint32_t layouts = col->layouts;
        FAST_LOOP(tn_text_parse_date(p, (int64_t)n, layouts, &v[i]))
        return TARN_OK;
    }
    for (size_t i = 0; i < nrows; i++)
        if (!rej[i])
            TN_TRY(convert_cell(r, w, c, nrows, i, values, err));
    return TARN_OK;
}
#undef FAST_LOOP

static int convert_string(csv_reader *r, work *w, int32_t c, size_t nrows, bool careful, tarn_error *err)
{
    outcol *oc = &w->out[c];
    const tn_csv_tok *t = &w->tok;
    uint64_t total = 0;
    for (size_t i = 0; i < nrows; i++) {
        tn_span sp;
        if (tn_csv_cell(t, i, (uint32_t)c, &sp))
            total += sp.len & TN_SPAN_LEN;
    }
    if (total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "%s: column '%s' holds more than 2 GiB in one batch; lower batch_size",
                            r->name, r->base.schema->fields[c].name);
    oc->values = tn_buffer_new((int64_t)(nrows + 1) * 4);
    TN_TRY_ALLOC(oc->values, err, (nrows + 1) * 4);
    oc->data = tn_buffer_new((int64_t)total);
    TN_TRY_ALLOC(oc->data, err, (size_t)total);
    int32_t *offs = (int32_t *)oc->values->data;
    uint8_t *data = oc->data->data;
    int32_t o = 0;
    offs[0] = 0;
    for (size_t i = 0; i < nrows; i++) {
        tn_span sp;
        offs[i + 1] = o;
        if (w->rej[i])
            continue;
        if (!tn_csv_cell(t, i, (uint32_t)c, &sp) || ((sp.len & TN_SPAN_BAD) && r->o.on_error == TN_ON_ERROR_NULL)) {
            TN_TRY(set_null(oc, (int64_t)nrows, i, err));
            continue;
        }
        const uint8_t *src = r->in.buf + sp.off;
        size_t n = sp.len & TN_SPAN_LEN;
        if (!(sp.len & TN_SPAN_QUOTED)) {
            if (r->o.trim) {
                while (n && (*src == ' ' || *src == '\t'))
                    src++, n--;
                while (n && (src[n - 1] == ' ' || src[n - 1] == '\t'))
                    n--;
            }
            if (is_null(r, src, n)) {
                TN_TRY(set_null(oc, (int64_t)nrows, i, err));
                continue;
            }
        }
        if (sp.len & TN_SPAN_ESC)
            n = tn_csv_unescape(t, src, n, data + o);
        else
            memcpy(data + o, src, n);
        if (careful && !tn_utf8_valid(data + o, (int64_t)n, NULL)) {
            TN_TRY(bad(r, w, i, c, sp.off, TARN_ECORRUPT, "invalid UTF-8 in", data + o, n, err));
            TN_TRY(set_null(oc, (int64_t)nrows, i, err));
            continue;
        }
        o += (int32_t)n;
        offs[i + 1] = o;
    }
    oc->data->size = o;
    oc->values->size = (int64_t)(nrows + 1) * 4;
    return TARN_OK;
}

static void outcol_reset(outcol *oc)
{
    tn_buffer_unref(oc->validity);
    tn_buffer_unref(oc->values);
    tn_buffer_unref(oc->data);
    memset(oc, 0, sizeof *oc);
}

static int convert_column(csv_reader *r, work *w, int32_t c, size_t nrows, tarn_error *err)
{
    if (r->cols[c].id != TN_STRING)
        return convert_fixed(r, w, c, nrows, err);
    TN_TRY(convert_string(r, w, c, nrows, false, err));
    outcol *oc = &w->out[c];
    /* the column's bytes are valid and no value starts inside a character
     * (so no value ends inside one): then every value is valid */
    const uint8_t *d = oc->data->data;
    const int32_t *offs = (const int32_t *)oc->values->data;
    int64_t size = oc->data->size;
    bool ok = tn_utf8_valid(d, size, NULL);
    for (size_t i = 1; ok && i < nrows; i++)
        ok = offs[i] >= size || (d[offs[i]] & 0xC0) != 0x80;
    if (ok)
        return TARN_OK;
    /* rare: find the bad values one by one */
    outcol_reset(oc);
    return convert_string(r, w, c, nrows, true, err);
}

/* Drop rejected rows from every column, in place. */
static void compact(csv_reader *r, work *w, size_t nrows, size_t *kept)
{
    size_t k = 0;
    for (int32_t c = 0; c < r->ncols; c++) {
        outcol *oc = &w->out[c];
        tn_type_id id = r->cols[c].id;
        int64_t wid = width_of(id);
        uint8_t *v = oc->values->data;
        int32_t *offs = (int32_t *)v;
        int32_t o = 0;
        k = 0;
        oc->nulls = 0;
        for (size_t i = 0; i < nrows; i++) {
            if (w->rej[i])
                continue;
            if (oc->validity) {
                bool valid = tn_bit_get(oc->validity->data, (int64_t)i);
                tn_bit_put(oc->validity->data, (int64_t)k, valid);
                oc->nulls += !valid;
            }
            if (id == TN_STRING) {
                int32_t s = offs[i], e = offs[i + 1];
                memmove(oc->data->data + o, oc->data->data + s, (size_t)(e - s));
                offs[k] = o;
                o += e - s;
            } else if (id == TN_BOOL) {
                tn_bit_put(v, (int64_t)k, tn_bit_get(v, (int64_t)i));
            } else {
                memmove(v + k * (size_t)wid, v + i * (size_t)wid, (size_t)wid);
            }
            k++;
        }
        if (id == TN_STRING) {
            offs[k] = o;
            oc->data->size = o;
        }
    }
    *kept = k;
}

static int make_batch(csv_reader *r, work *w, size_t n, tn_batch **out, tarn_error *err)
{
    tn_batch *b = tn_batch_new(r->base.schema, (int64_t)n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t c = 0; c < r->ncols; c++) {
        outcol *oc = &w->out[c];
        bool str = r->cols[c].id == TN_STRING;
        tn_array *a = tn_array_new(r->cols[c].type, (int64_t)n, str ? 3 : 2, 0);
        if (!a) {
            tn_batch_unref(b);
            return tn_error_oom(err, sizeof *a);
        }
        if (oc->validity && oc->nulls == 0) {
            tn_buffer_unref(oc->validity);
            oc->validity = NULL;
        }
        if (oc->validity)
            oc->validity->size = tn_bitmap_bytes((int64_t)n);
        if (!str) {
            int64_t wid = width_of(r->cols[c].id);
            oc->values->size = wid ? (int64_t)n * wid : tn_bitmap_bytes((int64_t)n);
        } else {
            oc->values->size = (int64_t)(n + 1) * 4;
        }
        a->buffers[0] = oc->validity;
        a->buffers[1] = oc->values;
        if (str)
            a->buffers[2] = oc->data;
        a->null_count = oc->nulls;
        memset(oc, 0, sizeof *oc);
        b->columns[c] = a;
    }
    *out = b;
    return TARN_OK;
}

/* Convert the tokenized rows into a batch (NULL when every row was dropped). */
static int convert(csv_reader *r, work *w, tn_batch **out, tarn_error *err)
{
    size_t nrows = w->tok.nrows;
    *out = NULL;
    if (nrows > w->rej_cap) {
        uint8_t *nr = tn_realloc(w->rej, nrows);
        TN_TRY_ALLOC(nr, err, nrows);
        w->rej = nr;
        w->rej_cap = nrows;
    }
    memset(w->rej, 0, nrows);
    w->nrej = 0;
    int rc = check_rows(r, w, err);
    for (int32_t c = 0; c < r->ncols && rc == TARN_OK; c++)
        rc = convert_column(r, w, c, nrows, err);
    if (rc == TARN_OK) {
        size_t kept = nrows;
        if (w->nrej)
            compact(r, w, nrows, &kept);
        w->chunk.rejected += w->nrej;
        if (kept > 0)
            rc = make_batch(r, w, kept, out, err);
    }
    for (int32_t c = 0; c < r->ncols; c++)
        outcol_reset(&w->out[c]);
    return rc;
}

/* --- the reader ------------------------------------------------------- */

static int work_init(csv_reader *r, work *w, tarn_error *err)
{
    memset(w, 0, sizeof *w);
    w->tok = r->tok; /* the dialect; the lists are the work's own */
    w->tok.spans = NULL;
    w->tok.rows = NULL;
    w->tok.nspans = w->tok.cap_spans = w->tok.nrows = w->tok.cap_rows = 0;
    tn_buf_init(&w->scratch, 0);
    tn_buf_init(&w->chunk.rejects, 0);
    w->out = tn_calloc((size_t)r->ncols + 1, sizeof(outcol));
    TN_TRY_ALLOC(w->out, err, (size_t)r->ncols * sizeof(outcol));
    return TARN_OK;
}

static void work_drop_batches(work *w) { tn_chunk_drop_batches(&w->chunk); }

static void work_reset(csv_reader *r, work *w)
{
    tn_csv_tok_reset(&w->tok);
    for (int32_t c = 0; w->out && c < r->ncols; c++)
        outcol_reset(&w->out[c]);
    tn_free(w->out);
    tn_free(w->rej);
    tn_buf_reset(&w->scratch);
    tn_buf_reset(&w->chunk.rejects);
    work_drop_batches(w);
    tn_free(w->chunk.batches);
    memset(w, 0, sizeof *w);
}

/* Consume buffer bytes up to end. */
static void advance(csv_reader *r, size_t end)
{
    r->line += count_lines(r->in.buf + r->in.pos, end - r->in.pos);
    r->in.pos = end;
}

/* One batch from the buffer, on the reader's thread. */
static int next_sequential(csv_reader *r, tn_batch **out, tarn_error *err)
{
    work *w = &r->seq;
    while (!r->done) {
        if (!r->in.eof && r->in.len - r->in.pos < r->block)
            TN_TRY(refill(r, r->block + (r->in.len - r->in.pos), err));
        size_t end;
        TN_TRY(tn_csv_tokenize(&w->tok, r->in.buf, r->in.pos, r->in.len, r->in.eof, r->batch_size, &end, err));
        if (w->tok.nrows == 0) {
            advance(r, end);
            if (r->in.eof && r->in.pos == r->in.len) {
                r->done = true;
                break;
            }
            if (r->in.eof) /* cannot happen: a final tokenize ends every row */
                return tn_error_set(err, TARN_EINTERNAL, "%s: tokenizer made no progress", r->name);
            size_t pending = r->in.len - r->in.pos;
            if ((int64_t)pending >= r->o.max_row_bytes) {
                int64_t line, col;
                locate(r, r->in.pos, &line, &col);
                return tn_error_set(err, TARN_EOVERFLOW, "%s:%lld: row is longer than max_row_bytes (%lld)", r->name,
                                    (long long)line, (long long)r->o.max_row_bytes);
            }
            TN_TRY(refill(r, pending * 2 > r->block ? pending * 2 : r->block, err));
            continue;
        }
        int rc = convert(r, w, out, err);
        if (rc == TARN_OK)
            rc = flush_rejects(r, w, err);
        r->rejected += w->chunk.rejected;
        w->chunk.rejected = 0;
        advance(r, end);
        if (rc != TARN_OK) {
            r->done = true;
            return rc;
        }
        if (*out)
            return TARN_OK;
    }
    return TARN_OK;
}

/* --- parallel parsing of one buffer ------------------------------------
 *
 * The buffer is cut into chunks at line ends that are outside quotes
 * according to a count of quote bytes (parity) before each nominal cut.
 * Each chunk is tokenized and converted on the pool as if it started a file.
 * A cut is proven right afterwards: the chunk before it must end with a
 * complete row, not inside a quoted field. Escapes, comment lines or stray
 * quotes in unquoted fields can fool the parity; then the proof fails and the
 * buffer is parsed again on one thread, as it is when any chunk fails (so an
 * error is always the first one in the file). */

#define PAR_MIN_CHUNK ((size_t)1 << 20)

/* One chunk of the buffer, a task on the pool. */
static int run_chunk(void *arg, tarn_error *err)
{
    work *w = arg;
    csv_reader *r = w->owner;
    size_t at = w->chunk.start;
    bool final = w->index == r->npar - 1 ? r->in.eof : true;
    while (at < w->chunk.stop) {
        size_t end;
        TN_TRY(tn_csv_tokenize(&w->tok, r->in.buf, at, w->chunk.stop, final, r->batch_size, &end, err));
        if (w->tok.nrows == 0) {
            at = end;
            break;
        }
        /* the proof of the cut after this chunk: its last row is closed */
        tn_span last = w->tok.spans[w->tok.nspans - 1];
        if (end == w->chunk.stop && (last.len & TN_SPAN_BAD) && last.off + (last.len & TN_SPAN_LEN) == w->chunk.stop)
            w->open_end = true;
        tn_batch *b = NULL;
        TN_TRY(convert(r, w, &b, err));
        at = end;
        if (!b)
            continue;
        TN_TRY(tn_batch_push(&w->chunk.batches, &w->chunk.nbatches, &w->chunk.cap_batches, b, err));
    }
    w->chunk.end = at;
    w->lines = count_lines(r->in.buf + w->chunk.start, at - w->chunk.start);
    return TARN_OK;
}

/* Choose the cuts; returns the number of chunks (1: do not split). */
static int32_t plan_chunks(csv_reader *r)
{
    size_t avail = r->in.len - r->in.pos;
    int32_t k = (int32_t)(avail / (r->o.parallel_min_chunk > 0 ? (size_t)r->o.parallel_min_chunk : PAR_MIN_CHUNK));
    if (k > 2 * r->threads)
        k = 2 * r->threads;
    if (k < 2)
        return 1;
    uint8_t q = r->tok.quote;
    bool quoting = r->tok.quoting;
    size_t prev = r->in.pos;
    int parity = 0;
    int32_t n = 0;
    r->par[0].chunk.start = r->in.pos;
    for (int32_t i = 1; i < k; i++) {
        size_t cut = r->in.pos + avail / (size_t)k * (size_t)i;
        if (cut <= prev)
            continue;
        for (const uint8_t *p = r->in.buf + prev, *e = r->in.buf + cut; quoting && (p = memchr(p, q, (size_t)(e - p)));
             p++)
            parity ^= 1;
        /* forward to a line end outside quotes */
        const uint8_t *p = r->in.buf + cut, *e = r->in.buf + r->in.len;
        for (; p < e; p++) {
            if (quoting && *p == q)
                parity ^= 1;
            else if (*p == '\n' && !parity)
                break;
        }
        if (p >= e)
            break;
        size_t b = (size_t)(p - r->in.buf) + 1;
        r->par[n].chunk.stop = b;
        r->par[++n].chunk.start = b;
        prev = b;
    }
    r->par[n].chunk.stop = r->in.len;
    return n + 1;
}

/* Read the next buffer and start parsing its chunks on the pool (r->ahead);
 * nothing is started when the buffer does not split. The buffer, r->par
 * and the position are the tasks' until collect waits for them. */
static int launch(csv_reader *r, tarn_error *err)
{
    if (!r->in.eof && r->in.len - r->in.pos < r->block)
        TN_TRY(refill(r, r->block + (r->in.len - r->in.pos), err));
    int32_t k = plan_chunks(r);
    if (k < 2)
        return TARN_OK;
    r->npar = k;
    for (int32_t i = 0; i < k; i++) {
        r->par[i].open_end = false;
        r->par[i].lines = 0;
        r->par[i].chunk.end = r->par[i].chunk.start;
        r->par[i].chunk.rejected = 0;
        r->par[i].owner = r;
        r->par[i].index = i;
    }
    r->ahead = tn_taskgroup_new();
    TN_TRY_ALLOC(r->ahead, err, 64);
    for (int32_t i = 0; i < k; i++)
        if (tn_taskgroup_spawn(r->ahead, run_chunk, &r->par[i]) != TARN_OK)
            break; /* the group holds the error; collect returns it */
    return TARN_OK;
}

/* Wait for the chunks launched, prove the cuts and queue their batches;
 * *used is false when the buffer must be parsed on the reader's thread. */
static int collect(csv_reader *r, bool *used, tarn_error *err)
{
    *used = false;
    int32_t k = r->npar;
    tarn_error perr;
    int rc = tn_taskgroup_wait(r->ahead, &perr);
    tn_taskgroup_free(r->ahead);
    r->ahead = NULL;
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT || rc == TARN_EIO) {
        if (err)
            *err = perr;
        return rc;
    }
    bool proven = rc == TARN_OK;
    for (int32_t i = 0; i + 1 < k && proven; i++)
        proven = !r->par[i].open_end && r->par[i].chunk.end == r->par[i].chunk.stop;
    if (!proven) {
        /* parse this buffer on one thread: same result as never splitting */
        for (int32_t i = 0; i < k; i++) {
            work_drop_batches(&r->par[i]);
            r->par[i].chunk.rejects.len = 0;
        }
        r->par_failed = true;
        return TARN_OK;
    }
    size_t total = 0;
    for (int32_t i = 0; i < k; i++)
        total += r->par[i].chunk.nbatches;
    if ((rc = tn_batch_queue_reset(&r->queue, total, err)) != TARN_OK) {
        for (int32_t i = 0; i < k; i++)
            work_drop_batches(&r->par[i]);
        return rc;
    }
    for (int32_t i = 0; i < k; i++) {
        /* after a failed reject write, still queue the batches, write no more */
        int hr = tn_chunk_hand_out(&r->par[i].chunk, &r->queue, &r->rejfile, rc == TARN_OK ? r->o.reject_path : NULL,
                                   &r->rejected, err);
        rc = rc == TARN_OK ? hr : rc;
    }
    size_t before = r->in.pos;
    for (int32_t i = 0; i < k; i++) /* counted by the chunks, on the pool */
        r->line += r->par[i].lines;
    r->in.pos = r->par[k - 1].chunk.end;
    /* no complete row in the chunks (one long row): let one thread grow the buffer */
    *used = r->in.pos != before || r->queue.len > 0;
    r->par_failed = !*used;
    r->par_chunks += *used ? k : 0;
    return rc;
}

/* With threads, the next buffer is launched as soon as one is collected, so
 * its chunks are parsed on the pool while the caller consumes the batches
 * already queued (a Parquet writer encoding, writing its row group). */
static int csv_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    csv_reader *r = (csv_reader *)base;
    *out = NULL;
    for (;;) {
        if ((*out = tn_batch_queue_pop(&r->queue)) != NULL)
            return TARN_OK;
        if (r->done)
            return TARN_OK;
        int rc = TARN_OK;
        bool used = false;
        if (!r->ahead && r->threads > 1 && !r->par_failed)
            rc = launch(r, err);
        if (rc == TARN_OK && r->ahead) {
            rc = collect(r, &used, err);
            if (rc == TARN_OK && used && !r->par_failed)
                rc = launch(r, err); /* the next buffer, while these batches go out */
        }
        if (rc != TARN_OK) {
            r->done = true;
            return rc;
        }
        if (used)
            continue;
        return next_sequential(r, out, err);
    }
}

static void csv_destroy(tn_reader *base)
{
    csv_reader *r = (csv_reader *)base;
    if (r->ahead) { /* chunks still parsing read the buffer and r->par */
        tn_taskgroup_cancel(r->ahead);
        tn_taskgroup_free(r->ahead);
    }
    tn_textin_free(&r->in);
    tn_csv_tok_reset(&r->tok);
    work_reset(r, &r->seq);
    for (int32_t i = 0; r->par && i < r->maxpar; i++)
        work_reset(r, &r->par[i]);
    tn_free(r->par);
    tn_batch_queue_free(&r->queue);
    tn_free(r->cols);
    tn_reject_file_close(&r->rejfile);
    tn_free(r->name);
    tn_free(r->own_comment);
    tn_free(r->own_date_format);
    tn_free(r->own_timestamp_format);
    tn_free(r->own_reject);
    for (int32_t i = 0; r->own_nulls && i < r->o.n_null_values; i++)
        tn_free(r->own_nulls[i]);
    tn_free(r->own_nulls);
    tn_free(r);
}

/* Keep copies of the option strings the reader uses after open. */
static int own_options(csv_reader *r, tarn_error *err)
{
    if (r->o.comment) {
        r->own_comment = tn_strdup(r->o.comment);
        TN_TRY_ALLOC(r->own_comment, err, strlen(r->o.comment) + 1);
        r->o.comment = r->own_comment;
    }
    if (r->o.date_format) {
        r->own_date_format = tn_strdup(r->o.date_format);
        TN_TRY_ALLOC(r->own_date_format, err, strlen(r->o.date_format) + 1);
        r->o.date_format = r->own_date_format;
    }
    if (r->o.timestamp_format) {
        r->own_timestamp_format = tn_strdup(r->o.timestamp_format);
        TN_TRY_ALLOC(r->own_timestamp_format, err, strlen(r->o.timestamp_format) + 1);
        r->o.timestamp_format = r->own_timestamp_format;
    }
    if (r->o.reject_path) {
        r->own_reject = tn_strdup(r->o.reject_path);
        TN_TRY_ALLOC(r->own_reject, err, strlen(r->o.reject_path) + 1);
        r->o.reject_path = r->own_reject;
    }
    int32_t n = r->o.null_values ? r->o.n_null_values : 0;
    const char *const *given = r->o.null_values;
    r->o.null_values = NULL;
    r->o.n_null_values = 0;
    if (n > 0) {
        r->own_nulls = tn_calloc((size_t)n, sizeof(char *));
        TN_TRY_ALLOC(r->own_nulls, err, (size_t)n * sizeof(char *));
        for (int32_t i = 0; i < n; i++) {
            r->own_nulls[i] = tn_strdup(given[i]);
            r->o.n_null_values = i + 1;
            TN_TRY_ALLOC(r->own_nulls[i], err, strlen(given[i]) + 1);
        }
        r->o.null_values = (const char *const *)r->own_nulls;
    }
    return TARN_OK;
}

int64_t tn_csv_parallel_chunks(const tn_reader *r)
{
    return ((const csv_reader *)r)->par_chunks;
}

int64_t tn_csv_rejected_rows(const tn_reader *r)
{
    return ((const csv_reader *)r)->rejected;
}

/* Skip the BOM and skip_rows physical lines; fills the first sample. */
static int prepare(csv_reader *r, tarn_error *err)
{
    size_t sample = r->block > (1u << 20) ? r->block : (1u << 20);
    TN_TRY(refill(r, sample, err));
    if (r->in.len >= 3 && memcmp(r->in.buf, "\xEF\xBB\xBF", 3) == 0)
        r->in.pos = 3;
    for (int64_t i = 0; i < r->o.skip_rows; i++) {
        for (;;) {
            uint8_t *nl = memchr(r->in.buf + r->in.pos, '\n', r->in.len - r->in.pos);
            if (nl) {
                r->in.pos = (size_t)(nl - r->in.buf) + 1;
                r->line++;
                break;
            }
            r->in.pos = r->in.len;
            if (r->in.eof)
                return TARN_OK;
            TN_TRY(refill(r, sample, err));
        }
    }
    if (r->in.pos > 0)
        TN_TRY(refill(r, sample, err));
    return TARN_OK;
}

static int check_type(const char *name, const char *col, const tn_type *t, tarn_error *err)
{
    switch (t->id) {
    case TN_BOOL:
    case TN_INT32:
    case TN_INT64:
    case TN_FLOAT64:
    case TN_DECIMAL128:
    case TN_DATE32:
    case TN_STRING:
        return TARN_OK;
    case TN_TIME64:
        if (t->unit == TN_MICRO)
            return TARN_OK;
        break;
    case TN_TIMESTAMP:
        return TARN_OK;
    default:
        break;
    }
    return tn_error_set(err, TARN_EUNSUPPORTED, "%s: column '%s': the csv reader does not produce type %s", name, col,
                        tn_type_id_name(t->id));
}

/* Build the schema from the sniffed dialect and the overrides. */
static int setup_schema(csv_reader *r, tn_csv_dialect *d, tarn_error *err)
{
    int32_t n = d->ncols;
    if (r->o.column_types) {
        int32_t k;
        char **names;
        tn_type **types;
        TN_TRY(tn_text_parse_columns(r->o.column_types, &k, &names, &types, err));
        int rc = TARN_OK;
        for (int32_t i = 0; i < k && rc == TARN_OK; i++) {
            int32_t c = -1;
            for (int32_t j = 0; j < n && c < 0; j++)
                if (strcmp(d->names[j], names[i]) == 0)
                    c = j;
            if (c < 0) {
                rc = tn_error_set(err, TARN_ENOTFOUND, "%s: column_types: no column named '%s'", r->name, names[i]);
                break;
            }
            tn_type_unref(d->types[c]);
            d->types[c] = types[i];
            types[i] = NULL;
            d->layouts[c] &= ~TN_CSV_INFERRED_SCALE;
            if (d->types[c]->id == TN_DATE32 || d->types[c]->id == TN_TIMESTAMP)
                d->layouts[c] = d->layouts[c] ? d->layouts[c] : TN_DATE_ISO | TN_DATE_YMD_SLASH;
            if ((d->types[c]->id == TN_DATE32 && r->o.date_format) ||
                (d->types[c]->id == TN_TIMESTAMP && (r->o.timestamp_format || r->o.date_format)))
                d->layouts[c] = TN_DATE_CUSTOM;
        }
        tn_text_free_columns(k, names, types);
        TN_TRY(rc);
    }
    tn_schema *s = tn_schema_new(n);
    TN_TRY_ALLOC(s, err, sizeof *s);
    r->base.schema = s;
    r->cols = tn_calloc((size_t)n + 1, sizeof(column));
    TN_TRY_ALLOC(r->cols, err, (size_t)n * sizeof(column));
    r->ncols = n;
    for (int32_t c = 0; c < n; c++) {
        const tn_field *given = r->o.schema ? &r->o.schema->fields[c] : NULL;
        tn_type *t = given ? tn_type_ref(given->type) : tn_type_ref(d->types[c]);
        const char *name = given ? given->name : d->names[c];
        TN_TRY(tn_field_init(&s->fields[c], name, t, true, err));
        TN_TRY(check_type(r->name, name, t, err));
        column *col = &r->cols[c];
        col->type = t;
        col->id = t->id;
        col->layouts = given ? TN_DATE_ISO | TN_DATE_YMD_SLASH : d->layouts[c] & ~TN_CSV_INFERRED_SCALE;
        if (t->id == TN_DECIMAL128 && !given && (d->layouts[c] & TN_CSV_INFERRED_SCALE))
            col->strict = d->sample_rows > 0 ? d->sample_rows : 1;
        else if (t->id == TN_DECIMAL128 && r->o.strict_decimals)
            col->strict = -1;
        /* a format given applies to explicit types as well (`types` marked
         * them custom above); a timestamp column also takes dates */
        const char *fmt = t->id == TN_DATE32 ? r->o.date_format : t->id == TN_TIMESTAMP ? r->o.timestamp_format : NULL;
        const char *fmt2 = t->id == TN_TIMESTAMP ? r->o.date_format : NULL;
        if ((fmt || fmt2) && (given || (col->layouts & TN_DATE_CUSTOM))) {
            col->layouts = TN_DATE_CUSTOM;
            col->format = fmt ? fmt : fmt2;
            col->format2 = fmt ? fmt2 : NULL;
        }
        if (t->id == TN_TIMESTAMP) {
            static const int64_t scale[] = {1000000, 1000, 1, -1000};
            col->scale = scale[t->unit];
        }
    }
    return TARN_OK;
}

/* Conversion state: one for the reader's thread, and one per chunk when
 * the pool has more than one thread (0 in the options means the pool's). */
static int setup_work(csv_reader *r, tarn_error *err)
{
    TN_TRY(work_init(r, &r->seq, err));
    r->threads = r->o.threads > 0 ? r->o.threads : tarn_threads();
    if (r->threads <= 1)
        return TARN_OK;
    if (r->o.block_size <= 0)
        r->block = ((size_t)4 << 20) * (size_t)(r->threads < 16 ? r->threads : 16);
    r->maxpar = 2 * r->threads;
    r->par = tn_calloc((size_t)r->maxpar, sizeof(work));
    TN_TRY_ALLOC(r->par, err, (size_t)r->maxpar * sizeof(work));
    for (int32_t i = 0; i < r->maxpar; i++)
        TN_TRY(work_init(r, &r->par[i], err));
    return TARN_OK;
}

/* Rows per batch when the options do not say. Each column is converted in
 * its own pass over the batch's spans (8 bytes per field), so the spans of
 * a batch should stay in the core's cache: about 64K spans (512 KiB) per
 * batch. Lineitem's 16 columns get 4096 rows, and converting them costs a
 * third less CPU than 65536-row batches, whose 8 MiB of spans are fetched
 * again from memory for every column. */
static int64_t default_batch_rows(int32_t ncols)
{
    int64_t rows = BATCH_SPANS / (ncols > 0 ? ncols : 1);
    return rows < BATCH_MIN_ROWS ? BATCH_MIN_ROWS : rows > BATCH_MAX_ROWS ? BATCH_MAX_ROWS : rows;
}

static int open_reader(tn_source *src, const char *name, const tn_csv_options *opts, tn_reader **out, tarn_error *err)
{
    csv_reader *r = tn_calloc(1, sizeof *r);
    if (!r) {
        tn_source_free(src);
        return tn_error_oom(err, sizeof *r);
    }
    r->in.src = src;
    tn_reject_file_init(&r->rejfile);
    r->line = 1;
    r->base.next = csv_next;
    r->base.destroy = csv_destroy;
    tn_csv_options_init(&r->o);
    if (opts)
        r->o = *opts;
    r->block = r->o.block_size > 0 ? (size_t)r->o.block_size : (size_t)4 << 20;
    r->batch_size = r->o.batch_size > 0 ? r->o.batch_size : BATCH_MAX_ROWS;
    if (r->o.max_row_bytes <= 0 || r->o.max_row_bytes > TN_CSV_MAX_ROW)
        r->o.max_row_bytes = TN_CSV_MAX_ROW;
    tn_csv_dialect d = {0};
    int rc;
    r->name = tn_strdup(r->o.name ? r->o.name : name);
    if (!r->name) {
        rc = tn_error_oom(err, strlen(name) + 1);
        goto fail;
    }
    if (r->o.decimal_comma && r->o.delimiter == ',') {
        rc = tn_error_set(err, TARN_EINVAL, "%s: a decimal comma needs another delimiter (';' or TAB)", r->name);
        goto fail;
    }
    if ((rc = own_options(r, err)) != TARN_OK || (rc = prepare(r, err)) != TARN_OK)
        goto fail;
    if ((rc = tn_csv_detect(r->in.buf, r->in.pos, r->in.len, r->in.eof, &r->o, &d, err)) != TARN_OK) {
        if (rc == TARN_ECORRUPT)
            tn_error_prefix(err, "%s: ", r->name);
        goto fail;
    }
    if (d.ncols == 0 && !r->o.schema) {
        rc = tn_error_set(err, TARN_EINVAL, "%s: no columns: the input is empty", r->name);
        goto fail;
    }
    tn_csv_tok_init(&r->tok, d.delimiter, r->o.quote, r->o.no_quote, r->o.escape, r->o.comment);
    if ((rc = setup_schema(r, &d, err)) != TARN_OK)
        goto fail;
    r->header = d.header;
    r->sampled = d.sample_rows;
    if (r->o.batch_size <= 0)
        r->batch_size = default_batch_rows(r->ncols);
    if ((rc = setup_work(r, err)) != TARN_OK)
        goto fail;
    if (d.header) {
        size_t end;
        if ((rc = tn_csv_tokenize(&r->tok, r->in.buf, r->in.pos, r->in.len, r->in.eof, 1, &end, err)) != TARN_OK)
            goto fail;
        r->line += count_lines(r->in.buf + r->in.pos, end - r->in.pos);
        r->in.pos = end;
    }
    tn_csv_dialect_reset(&d);
    r->o.schema = NULL; /* used only while opening */
    r->o.column_types = NULL;
    r->o.name = NULL;
    *out = &r->base;
    return TARN_OK;
fail:
    tn_csv_dialect_reset(&d);
    tn_reader_free(&r->base);
    return rc;
}

int tn_csv_open(const char *path, const tn_csv_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    tn_source *src;
    TN_TRY(tn_source_open_file(path, opts ? opts->compression : TN_COMPRESSION_AUTO, &src, err));
    return open_reader(src, path, opts, out, err);
}

int tn_csv_open_memory(const void *data, int64_t size, const tn_csv_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    tn_source *src;
    TN_TRY(tn_source_open_memory(data, size, opts ? opts->compression : TN_COMPRESSION_AUTO, &src, err));
    return open_reader(src, "input", opts, out, err);
}

/* --- sniffing as a service -------------------------------------------- */

void tn_csv_sniff_result_reset(tn_csv_sniff_result *s)
{
    tn_schema_unref(s->schema);
    tn_free(s->date_layouts);
    memset(s, 0, sizeof *s);
}

static int sniff_from(tn_reader *rd, tn_csv_sniff_result *out, tarn_error *err)
{
    csv_reader *r = (csv_reader *)rd;
    out->delimiter = (char)r->tok.delim;
    out->quote = (char)r->tok.quote;
    out->schema = tn_schema_ref(r->base.schema);
    out->date_layouts = tn_calloc((size_t)r->ncols + 1, sizeof(uint32_t));
    TN_TRY_ALLOC(out->date_layouts, err, (size_t)r->ncols * 4);
    for (int32_t c = 0; c < r->ncols; c++)
        out->date_layouts[c] = r->cols[c].layouts;
    return TARN_OK;
}

static int sniff_reader(tn_reader *rd, int rc, tn_csv_sniff_result *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    if (rc != TARN_OK)
        return rc;
    csv_reader *r = (csv_reader *)rd;
    out->header = r->header;
    out->sample_rows = r->sampled;
    rc = sniff_from(rd, out, err);
    tn_reader_free(rd);
    if (rc != TARN_OK)
        tn_csv_sniff_result_reset(out);
    return rc;
}

int tn_csv_sniff(const char *path, const tn_csv_options *opts, tn_csv_sniff_result *out, tarn_error *err)
{
    tn_reader *rd = NULL;
    int rc = tn_csv_open(path, opts, &rd, err);
    return sniff_reader(rd, rc, out, err);
}

int tn_csv_sniff_memory(const void *data, int64_t size, const tn_csv_options *opts, tn_csv_sniff_result *out,
                        tarn_error *err)
{
    tn_reader *rd = NULL;
    int rc = tn_csv_open_memory(data, size, opts, &rd, err);
    return sniff_reader(rd, rc, out, err);
}
