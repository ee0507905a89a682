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
#include <string.h>

#include "core/alloc.h"
#include "formats/csv/csv_int.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t has_zero(uint64_t v) { return (v - ONES) & ~v & HIGHS; }

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

static inline const uint8_t *scan_plain(const tn_csv_tok *t, const uint8_t *p, const uint8_t *end)
{
    uint64_t pd = ONES * t->delim, pn = ONES * '\n', pr = ONES * '\r';
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t x = has_zero(w ^ pd) | has_zero(w ^ pn) | has_zero(w ^ pr);
        if (x)
            return p + (__builtin_ctzll(x) >> 3);
        p += 8;
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

int tn_csv_tokenize(tn_csv_tok *t, const uint8_t *buf, size_t pos, size_t len, bool final, int64_t max_rows,
                    size_t *endpos, tarn_error *err)
{
    t->nspans = t->nrows = 0;
    const uint8_t *p = buf + pos, *end = buf + len;
    *endpos = pos;
    while (p < end && (int64_t)t->nrows < max_rows && t->nspans < t->span_limit) {
        const uint8_t *q = skip_line(t, p, end, final);
        if (!q)
            break;
        if (q != p) {
            p = q;
            *endpos = (size_t)(p - buf);
            continue;
        }
        if (t->nrows == t->cap_rows)
            TN_TRY(grow((void **)&t->rows, &t->cap_rows, sizeof(tn_row), err));
        tn_row *row = &t->rows[t->nrows];
        const uint8_t *row_start = p;
        size_t first = t->nspans;
        for (;;) {
            if (t->nspans == t->cap_spans)
                TN_TRY(grow((void **)&t->spans, &t->cap_spans, sizeof(tn_span), err));
            tn_span *sp = &t->spans[t->nspans];
            uint32_t flags = 0;
            const uint8_t *fs, *fe;
            if (t->quoting && p < end && *p == t->quote) {
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
                    if (*p == t->escape && t->escape != t->quote) {
                        if (p + 1 >= end && !final)
                            goto incomplete;
                        flags |= TN_SPAN_ESC;
                        p = p + 2 > end ? end : p + 2;
                        continue;
                    }
                    if (p + 1 == end && !final)
                        goto incomplete;
                    if (p + 1 < end && p[1] == t->quote && t->escape == t->quote) {
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
                    p = scan_plain(t, p, end);
                }
            } else {
                fs = p;
                p = scan_plain(t, p, end);
                fe = p;
            }
            if ((size_t)(fe - fs) > TN_SPAN_LEN || (size_t)(p - buf) > UINT32_MAX)
                return tn_error_set(err, TARN_EOVERFLOW, "csv field of %zu bytes is longer than the limit",
                                    (size_t)(fe - fs));
            sp->off = (uint32_t)(fs - buf);
            sp->len = (uint32_t)(fe - fs) | flags;
            t->nspans++;
            if (p == end) {
                if (!final)
                    goto incomplete;
                row->end = (uint32_t)(p - buf);
                break;
            }
            if (*p == t->delim) {
                p++;
                if (p == end && !final)
                    goto incomplete;
                if (p == end) {
                    /* "a,b," at the end of input: a last empty field */
                    if (t->nspans == t->cap_spans)
                        TN_TRY(grow((void **)&t->spans, &t->cap_spans, sizeof(tn_span), err));
                    t->spans[t->nspans++] = (tn_span){(uint32_t)(p - buf), 0};
                    row->end = (uint32_t)(p - buf);
                    break;
                }
                continue;
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
        row->start = (uint32_t)(row_start - buf);
        row->first = (uint32_t)first;
        row->nfields = (uint32_t)(t->nspans - first);
        t->nrows++;
        *endpos = (size_t)(p - buf);
        continue;
    incomplete:
        t->nspans = first;
        break;
    }
    return TARN_OK;
}
