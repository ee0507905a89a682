/*
 * tokenize.c — the CSV tokenizer: bytes to field spans, one pass, no copies.
 *
 * Grammar (RFC 4180 plus the usual deviations):
 *   file   = [BOM] row*            BOM and skipped lines are the reader's job
 *   row    = field (DELIM field)* (LF | CRLF | CR | end of input)
 *   field  = QUOTE (byte except QUOTE | QUOTE QUOTE | ESC byte)* QUOTE
 *          | byte except DELIM, CR, LF (a quote inside is an ordinary byte)
 * Empty lines and lines that start with the comment prefix are skipped.
 * Bytes between a closing quote and the next delimiter, and a quote that
 * never closes, mark the field bad: the reader applies the error policy.
 *
 * Unquoted fields are scanned eight bytes at a time: a word has a delimiter,
 * CR or LF when (w ^ pattern) has a zero byte, and the lowest such byte is
 * found with a count of trailing zeros. Quoted fields jump between quotes
 * with memchr.
 */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/alloc.h"
#include "formats/csv/csv_int.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t has_zero(uint64_t v) { return (v - ONES) & ~v & HIGHS; }

typedef struct scan_cache {
    const uint8_t *base; /* a 64-byte window of the buffer, or NULL */
    uint64_t bits;       /* its field-ending bytes */
} scan_cache;

void tn_csv_tok_init(tn_csv_tok *t, char delim, char quote, bool no_quote, char escape, const char *comment)
{
    memset(t, 0, sizeof *t);
    t->delim = (uint8_t)delim;
    t->quote = (uint8_t)(quote ? quote : '"');
    t->quoting = !no_quote;
    t->escape = (uint8_t)(escape ? escape : t->quote);
    t->comment = comment && *comment ? comment : NULL;
    t->comment_len = t->comment ? strlen(comment) : 0;
    t->special[t->delim] = 1;
    t->special['\n'] = 1;
    t->special['\r'] = 1;
    t->span_limit = (size_t)1 << 22;
}

void tn_csv_tok_reset(tn_csv_tok *t)
{
    tn_free(t->spans);
    tn_free(t->rows);
    t->spans = NULL;
    t->rows = NULL;
    t->nspans = t->cap_spans = t->nrows = t->cap_rows = 0;
}

static int grow(void **p, size_t *cap, size_t elem, tarn_error *err)
{
    size_t nc = *cap ? *cap * 2 : 1024;
    void *q = tn_realloc(*p, nc * elem);
    TN_TRY_ALLOC(q, err, nc * elem);
    *p = q;
    *cap = nc;
    return TARN_OK;
}

/* The bytes that end an unquoted field among the 64 at p, one bit each. */
static inline uint64_t special_mask64(const tn_csv_tok *t, const uint8_t *p)
{
#ifdef __SSE2__
    const __m128i d = _mm_set1_epi8((char)t->delim), n = _mm_set1_epi8('\n'), r = _mm_set1_epi8('\r');
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i x = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, n)), _mm_cmpeq_epi8(v, r));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(x) << (16 * k);
    }
    return m;
#else
    uint64_t pd = ONES * t->delim, pn = ONES * '\n', pr = ONES * '\r';
    uint64_t m = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        if (!(has_zero(w ^ pd) | has_zero(w ^ pn) | has_zero(w ^ pr)))
            continue;
        for (int b = 0; b < 8; b++)
            m |= (uint64_t)t->special[p[8 * k + b]] << (8 * k + b);
    }
    return m;
#endif
}

/* The end of the unquoted field at p: the first delimiter, CR or LF, or end.
 * c caches the mask of one 64-byte window, so a row of short fields costs
 * one mask computation per 64 bytes and a shift and count per field. */
static inline const uint8_t *scan_plain(const tn_csv_tok *t, scan_cache *c, const uint8_t *p, const uint8_t *end)
{
    for (;;) {
        uintptr_t off = (uintptr_t)p - (uintptr_t)c->base;
        if (off < 64) {
            uint64_t m = c->bits >> off;
            if (m)
                return p + __builtin_ctzll(m);
            p = c->base + 64;
        }
        if (end - p < 64)
            break;
        c->base = p;
        c->bits = special_mask64(t, p);
    }
    while (p < end && !t->special[*p])
        p++;
    return p;
}

/* The next quote or escape byte at or after p, or end. */
static inline const uint8_t *scan_quoted(const tn_csv_tok *t, const uint8_t *p, const uint8_t *end)
{
    if (t->escape == t->quote) {
        const uint8_t *q = memchr(p, t->quote, (size_t)(end - p));
        return q ? q : end;
    }
    while (p < end && *p != t->quote && *p != t->escape)
        p++;
    return p;
}

size_t tn_csv_unescape(const tn_csv_tok *t, const uint8_t *src, size_t len, uint8_t *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = src[i];
        if ((c == t->escape || c == t->quote) && i + 1 < len &&
            (t->escape != t->quote ? c == t->escape : src[i + 1] == t->quote))
            c = src[++i];
        dst[o++] = c;
    }
    return o;
}

/* Skip an empty or comment line at p; returns p unchanged when the line is
 * data, or NULL when a comment runs past the end of a non-final buffer. */
static const uint8_t *skip_line(const tn_csv_tok *t, const uint8_t *p, const uint8_t *end, bool final)
{
    if (*p == '\n')
        return p + 1;
    if (*p == '\r')
        return p + 1 + (p + 1 < end && p[1] == '\n');
    if (t->comment && (size_t)(end - p) >= t->comment_len && memcmp(p, t->comment, t->comment_len) == 0) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        return nl ? nl + 1 : final ? end : NULL;
    }
    if (t->comment && !final && (size_t)(end - p) < t->comment_len && memcmp(p, t->comment, (size_t)(end - p)) == 0)
        return NULL;
    return p;
}

#ifdef __SSE2__
/* Four masks of the 64 bytes at p: delimiters, LF, CR, quotes. */
static inline void masks64(const uint8_t *p, __m128i d, __m128i q, uint64_t *md, uint64_t *mn, uint64_t *mr,
                           uint64_t *mq)
{
    const __m128i n = _mm_set1_epi8('\n'), r = _mm_set1_epi8('\r');
    uint64_t a = 0, b = 0, c = 0, e = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        a |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)) << (16 * k);
        b |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, n)) << (16 * k);
        c |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, r)) << (16 * k);
        e |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) << (16 * k);
    }
    *md = a;
    *mn = b;
    *mr = c;
    *mq = e;
}
#endif

/* The common row — no quote byte, ended by LF or CRLF well before the end
 * of the buffer — in one pass over 64-byte masks: each field costs a count
 * of trailing zeros and a store. Returns the byte after the row end, or
 * NULL (and the span list as it was) when the row is anything else; the
 * general loop then tokenizes it, so both give the same spans. */
static const uint8_t *fast_row(const tn_csv_tok *t, const uint8_t *buf, const uint8_t *p, const uint8_t *end,
                               tn_span *spans, size_t *nspans, size_t cap_spans, uint32_t *row_end)
{
#ifdef __SSE2__
    const __m128i d = _mm_set1_epi8((char)t->delim), q = _mm_set1_epi8((char)(t->quoting ? t->quote : t->delim));
    size_t n = *nspans;
    const uint8_t *fs = p, *base = p;
    if ((size_t)(end - buf) > UINT32_MAX)
        return NULL;
    while (end - base >= 64) {
        uint64_t md, mn, mr, mq;
        masks64(base, d, q, &md, &mn, &mr, &mq);
        uint64_t stop = mn | mr; /* the first line end ends the row */
        uint64_t upto = stop ? (stop & (0 - stop)) - 1 : ~(uint64_t)0;
        if (t->quoting && (mq & upto))
            return NULL;
        uint64_t dl = md & upto;
        if (n + 64 > cap_spans)
            return NULL;
        while (dl) {
            const uint8_t *at = base + __builtin_ctzll(dl);
            spans[n].off = (uint32_t)(fs - buf);
            spans[n].len = (uint32_t)(at - fs);
            n++;
            fs = at + 1;
            dl &= dl - 1;
        }
        if (stop) {
            const uint8_t *at = base + __builtin_ctzll(stop);
            const uint8_t *next = at + 1;
            if (*at == '\r') {
                if (next >= end || *next != '\n')
                    return NULL; /* a lone CR, or CRLF cut by the buffer */
                next++;
            }
            if ((size_t)(at - p) > TN_SPAN_LEN)
                return NULL; /* the general loop reports the field too long */
            spans[n].off = (uint32_t)(fs - buf);
            spans[n].len = (uint32_t)(at - fs);
            n++;
            *nspans = n;
            *row_end = (uint32_t)(at - buf);
            return next;
        }
        base += 64;
    }
    return NULL;
#else
    (void)t, (void)buf, (void)p, (void)end, (void)spans, (void)nspans, (void)cap_spans, (void)row_end;
    return NULL;
#endif
}

/* Room for one more span or row: the lists live in locals while tokenizing
 * (the build does not assume strict aliasing, so a store through a span
 * pointer would otherwise reload every field of t). */
#define ROOM(list, n, cap, type)                                                                              \
    do {                                                                                                      \
        if (TN_UNLIKELY((n) == (cap))) {                                                                      \
            void *g_ = (list);                                                                                \
            size_t c_ = (cap);                                                                                \
            rc = grow(&g_, &c_, sizeof(type), err);                                                           \
            (list) = g_;                                                                                      \
            (cap) = c_;                                                                                       \
            if (rc != TARN_OK)                                                                                \
                goto out;                                                                                     \
        }                                                                                                     \
    } while (0)

int tn_csv_tokenize(tn_csv_tok *t, const uint8_t *buf, size_t pos, size_t len, bool final, int64_t max_rows,
                    size_t *endpos, tarn_error *err)
{
    const uint8_t *p = buf + pos, *end = buf + len;
    const uint8_t delim = t->delim, quote = t->quote, escape = t->escape;
    const bool quoting = t->quoting, doubled = escape == quote;
    const size_t span_limit = t->span_limit;
    tn_span *spans = t->spans;
    tn_row *rows = t->rows;
    size_t nspans = 0, cap_spans = t->cap_spans, nrows = 0, cap_rows = t->cap_rows;
    scan_cache sc = {NULL, 0};
    int rc = TARN_OK;
    *endpos = pos;
    while (p < end && (int64_t)nrows < max_rows && nspans < span_limit) {
        if (TN_UNLIKELY(*p == '\n' || *p == '\r' || t->comment)) {
            const uint8_t *q = skip_line(t, p, end, final);
            if (!q)
                break;
            if (q != p) {
                p = q;
                *endpos = (size_t)(p - buf);
                continue;
            }
        }
        ROOM(rows, nrows, cap_rows, tn_row);
        tn_row *row = &rows[nrows];
        const uint8_t *row_start = p;
        size_t first = nspans;
        if (TN_LIKELY(end - p >= 128)) {
            uint32_t row_end;
            ROOM(spans, nspans, cap_spans, tn_span);
            const uint8_t *q = fast_row(t, buf, p, end, spans, &nspans, cap_spans, &row_end);
            if (q) {
                row->end = row_end;
                p = q;
                goto row_done;
            }
        }
        for (;;) {
            ROOM(spans, nspans, cap_spans, tn_span);
            uint32_t flags = 0;
            const uint8_t *fs, *fe;
            if (quoting && p < end && *p == quote) {
                flags = TN_SPAN_QUOTED;
                fs = ++p;
                for (;;) {
                    p = scan_quoted(t, p, end);
                    if (p == end) {
                        if (!final)
                            goto incomplete;
                        flags |= TN_SPAN_BAD; /* unterminated */
                        break;
                    }
                    if (*p == escape && !doubled) {
                        if (p + 1 >= end && !final)
                            goto incomplete;
                        flags |= TN_SPAN_ESC;
                        p = p + 2 > end ? end : p + 2;
                        continue;
                    }
                    if (p + 1 == end && !final)
                        goto incomplete;
                    if (p + 1 < end && p[1] == quote && doubled) {
                        flags |= TN_SPAN_ESC;
                        p += 2;
                        continue;
                    }
                    break; /* closing quote */
                }
                fe = p;
                if (p < end)
                    p++;
                if (p < end && !t->special[*p]) {
                    flags |= TN_SPAN_BAD;
                    p = scan_plain(t, &sc, p, end);
                }
            } else {
                fs = p;
                p = scan_plain(t, &sc, p, end);
                fe = p;
            }
            if (TN_UNLIKELY((size_t)(fe - fs) > TN_SPAN_LEN || (size_t)(p - buf) > UINT32_MAX)) {
                rc = tn_error_set(err, TARN_EOVERFLOW, "csv field of %zu bytes is longer than the limit",
                                  (size_t)(fe - fs));
                goto out;
            }
            spans[nspans].off = (uint32_t)(fs - buf);
            spans[nspans].len = (uint32_t)(fe - fs) | flags;
            nspans++;
            if (p == end) {
                if (!final)
                    goto incomplete;
                row->end = (uint32_t)(p - buf);
                break;
            }
            if (*p == delim) {
                p++;
                if (TN_LIKELY(p < end))
                    continue;
                if (!final)
                    goto incomplete;
                /* "a,b," at the end of input: a last empty field */
                ROOM(spans, nspans, cap_spans, tn_span);
                spans[nspans++] = (tn_span){(uint32_t)(p - buf), 0};
                row = &rows[nrows];
                row->end = (uint32_t)(p - buf);
                break;
            }
            row->end = (uint32_t)(p - buf);
            if (*p == '\r') {
                p++;
                if (p < end && *p == '\n')
                    p++;
            } else {
                p++;
            }
            break;
        }
    row_done:
        row->start = (uint32_t)(row_start - buf);
        row->first = (uint32_t)first;
        row->nfields = (uint32_t)(nspans - first);
        nrows++;
        *endpos = (size_t)(p - buf);
        continue;
    incomplete:
        nspans = first;
        break;
    }
out:
    t->spans = spans;
    t->cap_spans = cap_spans;
    t->nspans = nspans;
    t->rows = rows;
    t->cap_rows = cap_rows;
    t->nrows = nrows;
    return rc;
}
