/*
 * print.c — a stream of batches as a boxed table, CSV or JSON Lines.
 *
 * CSV and JSON Lines stream: each batch is written as it arrives and the
 * output buffer is flushed every 64 KiB. The table must know every shown
 * value before it can size its columns, so it keeps (a) the text of the first
 * max_rows rows and (b) references to the last batches covering the final
 * max_rows/2 rows; when the stream ends with more than max_rows rows, it
 * shows the first half of (a), a "⋮" row, then the tail formatted from (b).
 * Memory is bounded by max_rows and the batch size, not by the stream.
 *
 * Table layout (DuckDB's shell is the model):
 *
 *   ┌───────┬─────────┐
 *   │   a   │    b    │   names, centered
 *   │ int32 │  utf8   │   types, centered
 *   ├───────┼─────────┤
 *   │     1 │ x       │   numbers right-aligned, the rest left-aligned
 *   │  NULL │ NULL    │
 *   ├───────┴─────────┤   footer only when rows or columns were left out
 *   │ 100 rows (40 shown) │   (or the result is empty)
 *   └─────────────────┘
 *
 * Widths count terminal columns (code points, East Asian wide ones as two);
 * control characters show as \n, \t, \r or \xHH so that a value never
 * breaks the box, and invalid UTF-8 as U+FFFD.
 */
#include "arrow/print.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "arrow/cell.h"
#include "core/alloc.h"
#include "core/arena.h"

#define FLUSH_AT (64 * 1024)

void tn_print_options_init(tn_print_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = TN_PRINT_TABLE;
    o->max_rows = TN_PRINT_MAX_ROWS;
    o->max_col_width = TN_PRINT_MAX_COL_WIDTH;
    o->header = true;
    o->delimiter = ',';
}

static const char *const format_names[] = {"table", "csv", "jsonl"};

const char *tn_print_format_name(tn_print_format f)
{
    return (unsigned)f < 3 ? format_names[f] : "?";
}

int tn_print_format_parse(const char *name)
{
    for (int k = 0; k < 3; k++)
        if (strcasecmp(name, format_names[k]) == 0)
            return k;
    return -1;
}

/* --- output --------------------------------------------------------------- */

typedef struct sink {
    tn_buf *b;  /* where text goes: the caller's buffer, or own */
    tn_buf own; /* staging for a FILE */
    FILE *f;
} sink;

static void clear(tn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

static int flush(sink *s, bool all, tarn_error *err)
{
    if (!s->f || (!all && s->b->len < FLUSH_AT) || s->b->len == 0)
        return TARN_OK;
    if (fwrite(s->b->data, 1, s->b->len, s->f) != s->b->len)
        return tn_error_set(err, TARN_EIO, "writing output: %s", strerror(errno));
    clear(s->b);
    return TARN_OK;
}

/* --- display text --------------------------------------------------------- */

static const char *const ELLIPSIS = "\xE2\x80\xA6"; /* … */

/* The text shown for code point cp (escaped when it is a control
 * character) into esc, returning its width. */
static int shown(uint32_t cp, const uint8_t *p, int len, char esc[8], int *esc_len)
{
    if (cp < 0x20 || cp == 0x7F) {
        const char *e = cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : cp == '\r' ? "\\r" : NULL;
        if (e)
            memcpy(esc, e, 3);
        else
            snprintf(esc, 8, "\\x%02x", cp);
        *esc_len = (int)strlen(esc);
        return *esc_len;
    }
    if (cp == 0xFFFD && len == 1) {
        memcpy(esc, "\xEF\xBF\xBD", 3);
        *esc_len = 3;
    } else {
        memcpy(esc, p, (size_t)len);
        *esc_len = len;
    }
    return tn_char_width(cp);
}

static int64_t text_width(const uint8_t *p, int64_t n)
{
    int64_t w = 0;
    char esc[8];
    int el;
    for (int64_t i = 0; i < n;) {
        uint32_t cp;
        int len = tn_utf8_next(p + i, n - i, &cp);
        w += shown(cp, p + i, len, esc, &el);
        i += len;
    }
    return w;
}

/* Append p[0..n) as displayed, cut to at most maxw columns with a trailing
 * "…" when it is wider; *width receives the columns used. */
static int display(tn_buf *out, const uint8_t *p, int64_t n, int64_t maxw, int64_t *width, tarn_error *err)
{
    int64_t full = text_width(p, n);
    int64_t limit = full <= maxw ? full : maxw - 1, w = 0;
    char esc[8];
    int el;
    for (int64_t i = 0; i < n;) {
        uint32_t cp;
        int len = tn_utf8_next(p + i, n - i, &cp);
        int cw = shown(cp, p + i, len, esc, &el);
        if (w + cw > limit)
            break;
        TN_TRY(tn_buf_append(out, esc, (size_t)el, err));
        w += cw;
        i += len;
    }
    if (full > maxw) {
        TN_TRY(tn_buf_append_str(out, ELLIPSIS, err));
        w++;
    }
    *width = w;
    return TARN_OK;
}

static int repeat(tn_buf *out, const char *s, int64_t n, tarn_error *err)
{
    for (int64_t k = 0; k < n; k++)
        TN_TRY(tn_buf_append_str(out, s, err));
    return TARN_OK;
}

/* --- CSV ------------------------------------------------------------------ */

/* One field, quoted when it holds the delimiter, a quote, CR or LF, starts
 * or ends with a space or tab, or is an empty non-null value (`quote_empty`),
 * which keeps it apart from NULL (an empty field). */
static int csv_field(tn_buf *out, const uint8_t *p, size_t n, char delim, bool quote_empty, tarn_error *err)
{
    bool quote = n == 0 ? quote_empty : (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t');
    for (size_t k = 0; k < n && !quote; k++)
        quote = p[k] == (uint8_t)delim || p[k] == '"' || p[k] == '\n' || p[k] == '\r';
    if (!quote)
        return tn_buf_append(out, p, n, err);
    TN_TRY(tn_buf_append_byte(out, '"', err));
    size_t from = 0;
    for (size_t k = 0; k < n; k++) {
        if (p[k] == '"') {
            TN_TRY(tn_buf_append(out, p + from, k + 1 - from, err));
            TN_TRY(tn_buf_append_byte(out, '"', err));
            from = k + 1;
        }
    }
    TN_TRY(tn_buf_append(out, p + from, n - from, err));
    return tn_buf_append_byte(out, '"', err);
}

static int print_csv(sink *s, tn_reader *r, const tn_print_options *o, tn_buf *scratch, tarn_error *err)
{
    const tn_schema *sc = r->schema;
    if (o->header && sc->n_fields > 0) {
        for (int32_t j = 0; j < sc->n_fields; j++) {
            if (j)
                TN_TRY(tn_buf_append_byte(s->b, (uint8_t)o->delimiter, err));
            const char *name = sc->fields[j].name;
            TN_TRY(csv_field(s->b, (const uint8_t *)name, strlen(name), o->delimiter, true, err));
        }
        TN_TRY(tn_buf_append_byte(s->b, '\n', err));
    }
    for (;;) {
        tn_batch *b;
        TN_TRY(tn_reader_next(r, &b, err));
        if (!b)
            return TARN_OK;
        int rc = TARN_OK;
        for (int64_t i = 0; i < b->length && rc == TARN_OK && sc->n_fields > 0; i++) {
            for (int32_t j = 0; j < sc->n_fields && rc == TARN_OK; j++) {
                if (j)
                    rc = tn_buf_append_byte(s->b, (uint8_t)o->delimiter, err);
                if (rc == TARN_OK && !tn_cell_is_null(b->columns[j], i)) {
                    clear(scratch);
                    rc = tn_cell_format(scratch, b->columns[j], i, TN_CELL_CSV, err);
                    if (rc == TARN_OK)
                        rc = csv_field(s->b, scratch->data, scratch->len, o->delimiter, true, err);
                }
            }
            if (rc == TARN_OK)
                rc = tn_buf_append_byte(s->b, '\n', err);
            if (rc == TARN_OK)
                rc = flush(s, false, err);
        }
        tn_batch_unref(b);
        TN_TRY(rc);
    }
}

/* --- JSON Lines ----------------------------------------------------------- */

static int jsonl_batch(sink *s, tn_batch *b, const tn_buf *keys, const size_t *key_at, tarn_error *err)
{
    int32_t n = b->schema->n_fields;
    for (int64_t i = 0; i < b->length; i++) {
        TN_TRY(tn_buf_append_byte(s->b, '{', err));
        for (int32_t j = 0; j < n; j++) {
            if (j)
                TN_TRY(tn_buf_append_byte(s->b, ',', err));
            TN_TRY(tn_buf_append(s->b, keys->data + key_at[j], key_at[j + 1] - key_at[j], err));
            TN_TRY(tn_cell_format(s->b, b->columns[j], i, TN_CELL_JSON, err));
        }
        TN_TRY(tn_buf_append_str(s->b, "}\n", err));
        TN_TRY(flush(s, false, err));
    }
    return TARN_OK;
}

static int print_jsonl(sink *s, tn_reader *r, tn_buf *keys, tarn_error *err)
{
    const tn_schema *sc = r->schema;
    /* the keys ("name":) are escaped once for the whole stream */
    size_t *key_at = tn_calloc((size_t)sc->n_fields + 1, sizeof *key_at);
    TN_TRY_ALLOC(key_at, err, ((size_t)sc->n_fields + 1) * sizeof *key_at);
    int rc = TARN_OK;
    for (int32_t j = 0; j < sc->n_fields && rc == TARN_OK; j++) {
        const char *name = sc->fields[j].name;
        rc = tn_json_string(keys, (const uint8_t *)name, (int64_t)strlen(name), err);
        if (rc == TARN_OK)
            rc = tn_buf_append_byte(keys, ':', err);
        key_at[j + 1] = keys->len;
    }
    while (rc == TARN_OK) {
        tn_batch *b;
        rc = tn_reader_next(r, &b, err);
        if (rc != TARN_OK || !b)
            break;
        rc = jsonl_batch(s, b, keys, key_at, err);
        tn_batch_unref(b);
    }
    tn_free(key_at);
    return rc;
}

/* --- table ---------------------------------------------------------------- */

typedef struct cell {
    const char *s; /* display text (sanitized, at most max_col_width wide) */
    int32_t len;
    int32_t width;
} cell;

typedef struct table {
    const tn_print_options *o;
    int32_t ncols;
    tn_arena arena;     /* cell texts and row arrays */
    tn_buf scratch;     /* one formatted value */
    tn_buf disp;        /* its display text */
    cell *head[2];      /* names and types */
    bool *right;        /* right-aligned columns (numbers) */
    cell **rows;        /* the first max_rows rows */
    int64_t nrows, rows_cap;
    int64_t total;      /* rows in the stream */
    tn_batch **tail;    /* last batches, covering at least tail_n rows */
    int64_t ntail, tail_cap, tail_rows;
} table;

static int make_cell(table *t, cell *c, const uint8_t *p, int64_t n, tarn_error *err)
{
    clear(&t->disp);
    int64_t w;
    TN_TRY(display(&t->disp, p, n, t->o->max_col_width, &w, err));
    char *s = tn_arena_strndup(&t->arena, (const char *)(t->disp.data ? t->disp.data : (uint8_t *)""),
                               t->disp.len);
    TN_TRY_ALLOC(s, err, t->disp.len + 1);
    *c = (cell){s, (int32_t)t->disp.len, (int32_t)w};
    return TARN_OK;
}

static int format_row(table *t, tn_batch *b, int64_t i, cell **out, tarn_error *err)
{
    cell *row = tn_arena_alloc(&t->arena, sizeof(cell) * (size_t)t->ncols);
    TN_TRY_ALLOC(row, err, sizeof(cell) * (size_t)t->ncols);
    for (int32_t j = 0; j < t->ncols; j++) {
        if (tn_cell_is_null(b->columns[j], i)) {
            row[j] = (cell){"NULL", 4, 4};
            continue;
        }
        clear(&t->scratch);
        TN_TRY(tn_cell_format(&t->scratch, b->columns[j], i, TN_CELL_TABLE, err));
        TN_TRY(make_cell(t, &row[j], t->scratch.data, (int64_t)t->scratch.len, err));
    }
    *out = row;
    return TARN_OK;
}

static int push_row(table *t, cell *row, tarn_error *err)
{
    if (t->nrows == t->rows_cap) {
        int64_t cap = t->rows_cap ? 2 * t->rows_cap : 64;
        cell **rows = tn_realloc(t->rows, sizeof(cell *) * (size_t)cap);
        TN_TRY_ALLOC(rows, err, sizeof(cell *) * (size_t)cap);
        t->rows = rows, t->rows_cap = cap;
    }
    t->rows[t->nrows++] = row;
    return TARN_OK;
}

/* Keep a reference to b among the last batches, dropping older ones that
 * are no longer needed to cover the last tail_n rows. */
static int keep_tail(table *t, tn_batch *b, int64_t tail_n, tarn_error *err)
{
    if (t->ntail == t->tail_cap) {
        int64_t cap = t->tail_cap ? 2 * t->tail_cap : 8;
        tn_batch **tail = tn_realloc(t->tail, sizeof(tn_batch *) * (size_t)cap);
        TN_TRY_ALLOC(tail, err, sizeof(tn_batch *) * (size_t)cap);
        t->tail = tail, t->tail_cap = cap;
    }
    t->tail[t->ntail++] = tn_batch_ref(b);
    t->tail_rows += b->length;
    int64_t drop = 0;
    while (drop < t->ntail && t->tail_rows - t->tail[drop]->length >= tail_n) {
        t->tail_rows -= t->tail[drop]->length;
        tn_batch_unref(t->tail[drop++]);
    }
    memmove(t->tail, t->tail + drop, sizeof(tn_batch *) * (size_t)(t->ntail - drop));
    t->ntail -= drop;
    return TARN_OK;
}

static int collect(table *t, tn_reader *r, tarn_error *err)
{
    int64_t max_rows = t->o->max_rows, tail_n = max_rows / 2;
    for (;;) {
        tn_batch *b;
        TN_TRY(tn_reader_next(r, &b, err));
        if (!b)
            break;
        int rc = b->schema->n_fields == t->ncols
                     ? TARN_OK
                     : tn_error_set(err, TARN_EINVAL, "batch has %d columns, the stream's schema %d",
                                    b->schema->n_fields, t->ncols);
        for (int64_t i = 0; rc == TARN_OK && i < b->length && (max_rows <= 0 || t->nrows < max_rows); i++) {
            cell *row;
            rc = format_row(t, b, i, &row, err);
            if (rc == TARN_OK)
                rc = push_row(t, row, err);
        }
        if (rc == TARN_OK && max_rows > 0)
            rc = keep_tail(t, b, tail_n, err);
        t->total += b->length;
        tn_batch_unref(b);
        TN_TRY(rc);
    }
    if (max_rows <= 0 || t->total <= max_rows)
        return TARN_OK;
    /* the stream had more rows: keep the head, add the tail */
    t->nrows = (max_rows + 1) / 2;
    int64_t first = t->total - t->tail_rows; /* stream row of tail[0]'s first row */
    for (int64_t k = 0; k < t->ntail; k++) {
        tn_batch *b = t->tail[k];
        for (int64_t i = 0; i < b->length; i++) {
            if (first + i < t->total - tail_n)
                continue;
            cell *row;
            TN_TRY(format_row(t, b, i, &row, err));
            TN_TRY(push_row(t, row, err));
        }
        first += b->length;
    }
    return TARN_OK;
}

/* The type as the table's header shows it: tn_type_format's text, but list
 * items without their field name ("list<utf8>") and dictionaries as their
 * value type, so that the common nested types fit a column. */
static int header_type(const tn_type *ty, tn_buf *out, tarn_error *err)
{
    switch (ty->id) {
    case TN_DICTIONARY: return header_type(ty->value_type, out, err);
    case TN_LIST:
    case TN_LARGE_LIST:
    case TN_FIXED_LIST:
        TN_TRY(tn_buf_printf(out, err, "%s<", tn_type_id_name(ty->id)));
        TN_TRY(header_type(ty->children[0].type, out, err));
        return ty->id == TN_FIXED_LIST ? tn_buf_printf(out, err, ">[%d]", ty->list_size)
                                       : tn_buf_append_byte(out, '>', err);
    default: return tn_type_format(ty, out, err);
    }
}

static int header(table *t, const tn_schema *sc, tarn_error *err)
{
    for (int k = 0; k < 2; k++) {
        t->head[k] = tn_arena_calloc(&t->arena, sizeof(cell) * (size_t)(t->ncols + 1));
        TN_TRY_ALLOC(t->head[k], err, sizeof(cell) * (size_t)(t->ncols + 1));
    }
    t->right = tn_arena_calloc(&t->arena, (size_t)t->ncols + 1);
    TN_TRY_ALLOC(t->right, err, (size_t)t->ncols + 1);
    for (int32_t j = 0; j < t->ncols; j++) {
        const tn_field *f = &sc->fields[j];
        const tn_type *ty = f->type->id == TN_DICTIONARY ? f->type->value_type : f->type;
        t->right[j] = tn_type_is_numeric(ty->id);
        TN_TRY(make_cell(t, &t->head[0][j], (const uint8_t *)f->name, (int64_t)strlen(f->name), err));
        clear(&t->scratch);
        TN_TRY(header_type(ty, &t->scratch, err));
        TN_TRY(make_cell(t, &t->head[1][j], t->scratch.data, (int64_t)t->scratch.len, err));
    }
    return TARN_OK;
}

/* The shown columns in display order (-1 stands for the "…" column of
 * left-out ones) and their widths; returns how many. Columns are taken
 * from both ends towards the middle while the table fits max_width. */
static int32_t layout(table *t, int32_t *idx, int64_t *w)
{
    int32_t n = t->ncols;
    int64_t *full = w + n + 1; /* scratch after the output slots */
    int32_t *left = idx + n + 1, *right = idx + 2 * (n + 1);
    int64_t total = 1;
    for (int32_t j = 0; j < n; j++) {
        int64_t m = t->head[0][j].width > t->head[1][j].width ? t->head[0][j].width : t->head[1][j].width;
        for (int64_t i = 0; i < t->nrows; i++)
            if (t->rows[i][j].width > m)
                m = t->rows[i][j].width;
        full[j] = m > 0 ? m : 1;
        total += full[j] + 3;
    }
    int64_t maxw = t->o->max_width;
    if (maxw <= 0 || total <= maxw || n == 1) {
        for (int32_t j = 0; j < n; j++)
            idx[j] = j, w[j] = full[j];
        if (n == 1 && maxw > 0 && total > maxw)
            w[0] = maxw - 4 > 1 ? maxw - 4 : 1;
        return n;
    }
    int64_t budget = maxw - 1 - 4; /* the left border and the "…" column */
    int32_t l = 0, r = n - 1, nl = 0, nr = 0;
    /* alternate ends; once one end's next column does not fit, keep
     * filling from the other end while its columns fit */
    bool left_done = false, right_done = false;
    for (bool from_left = true; l <= r && !(left_done && right_done); from_left = !from_left) {
        if (from_left ? left_done : right_done)
            continue;
        int32_t j = from_left ? l : r;
        if (full[j] + 3 > budget || (nl == 0 && !from_left)) {
            if (from_left)
                left_done = true;
            else
                right_done = true;
            continue;
        }
        budget -= full[j] + 3;
        if (from_left)
            left[nl++] = l++;
        else
            right[nr++] = r--;
    }
    int32_t k = 0;
    if (nl == 0) { /* not even the first column fits: show it narrowed */
        idx[k] = 0, w[k++] = budget - 3 > 1 ? budget - 3 : 1;
    }
    for (int32_t a = 0; a < nl; a++)
        idx[k] = left[a], w[k++] = full[left[a]];
    idx[k] = -1, w[k++] = 1;
    for (int32_t a = nr - 1; a >= 0; a--)
        idx[k] = right[a], w[k++] = full[right[a]];
    return k;
}

static int rule(tn_buf *o, const char *l, const char *mid, const char *r, const int64_t *w, int32_t k,
                tarn_error *err)
{
    TN_TRY(tn_buf_append_str(o, l, err));
    for (int32_t c = 0; c < k; c++) {
        if (c)
            TN_TRY(tn_buf_append_str(o, mid, err));
        TN_TRY(repeat(o, "\xE2\x94\x80", w[c] + 2, err));
    }
    TN_TRY(tn_buf_append_str(o, r, err));
    return tn_buf_append_byte(o, '\n', err);
}

/* align: 'l', 'r' or 'c'. */
static int put_cell(tn_buf *o, const cell *c, int64_t w, char align, tarn_error *err)
{
    int64_t cw = c->width;
    TN_TRY(tn_buf_append_byte(o, ' ', err));
    size_t text_at = o->len;
    if (cw > w) { /* a narrowed column: cut again */
        TN_TRY(display(o, (const uint8_t *)c->s, c->len, w, &cw, err));
    } else {
        TN_TRY(tn_buf_append(o, c->s, (size_t)c->len, err));
    }
    int64_t pad = w - cw, before = align == 'r' ? pad : align == 'c' ? pad / 2 : 0;
    if (before > 0) { /* move the text right */
        size_t len = o->len - text_at;
        TN_TRY(tn_buf_reserve(o, (size_t)before, err));
        memmove(o->data + text_at + before, o->data + text_at, len);
        memset(o->data + text_at, ' ', (size_t)before);
        o->len += (size_t)before;
        o->data[o->len] = 0;
    }
    TN_TRY(repeat(o, " ", pad - before + 1, err));
    return tn_buf_append_str(o, "\xE2\x94\x82", err); /* │ */
}

static int line(table *t, tn_buf *o, const cell *row, const int32_t *idx, const int64_t *w, int32_t k,
                int kind, tarn_error *err)
{
    static const cell dots = {"\xE2\x8B\xAE", 3, 1}; /* ⋮ */
    static const cell more = {"\xE2\x80\xA6", 3, 1}; /* … */
    TN_TRY(tn_buf_append_str(o, "\xE2\x94\x82", err));
    for (int32_t c = 0; c < k; c++) {
        int32_t j = idx[c];
        const cell *v = j < 0 ? &more : kind == 2 ? &dots : &row[j];
        char align = kind != 1 || j < 0 ? 'c' : t->right[j] ? 'r' : 'l';
        TN_TRY(put_cell(o, v, w[c], align, err));
    }
    return tn_buf_append_byte(o, '\n', err);
}

/* The footer's parts: "N rows (M shown)" or "0 rows", and "K columns
 * (J shown)"; each part is plain ASCII, so its width is its length. */
static int footer_parts(table *t, int32_t shown_cols, bool elided_rows, char part[2][64])
{
    int n = 0;
    if (elided_rows)
        snprintf(part[n++], 64, "%" PRId64 " rows (%" PRId64 " shown)", t->total, t->nrows);
    else if (t->total == 0)
        snprintf(part[n++], 64, "0 rows");
    if (shown_cols < t->ncols)
        snprintf(part[n++], 64, "%d columns (%d shown)", t->ncols, shown_cols);
    return n;
}

/* The footer box: both parts on one line when they fit, else one per line. */
static int footer(tn_buf *o, char part[2][64], int n, int64_t inner, tarn_error *err)
{
    const char *V = "\xE2\x94\x82";
    if (n == 2 && (int64_t)(strlen(part[0]) + strlen(part[1])) + 4 <= inner) {
        size_t l = strlen(part[0]);
        snprintf(part[0] + l, 64 - l, "  %s", part[1]);
        n = 1;
    }
    for (int k = 0; k < n; k++) {
        TN_TRY(tn_buf_printf(o, err, "%s %s", V, part[k]));
        TN_TRY(repeat(o, " ", inner - (int64_t)strlen(part[k]) - 1, err));
        TN_TRY(tn_buf_printf(o, err, "%s\n", V));
    }
    TN_TRY(tn_buf_append_str(o, "\xE2\x94\x94", err)); /* └ */
    TN_TRY(repeat(o, "\xE2\x94\x80", inner, err));
    return tn_buf_append_str(o, "\xE2\x94\x98\n", err); /* ┘ */
}

static int no_columns(table *t, sink *s, tarn_error *err)
{
    tn_buf *o = s->b;
    char text[64];
    snprintf(text, sizeof text, "%" PRId64 " row%s", t->total, t->total == 1 ? "" : "s");
    int64_t w = 12 > (int64_t)strlen(text) ? 12 : (int64_t)strlen(text);
    cell c1 = {"(no columns)", 12, 12}, c2 = {text, (int32_t)strlen(text), (int32_t)strlen(text)};
    TN_TRY(rule(o, "\xE2\x94\x8C", "", "\xE2\x94\x90", &w, 1, err));
    TN_TRY(tn_buf_append_str(o, "\xE2\x94\x82", err));
    TN_TRY(put_cell(o, &c1, w, 'l', err));
    TN_TRY(tn_buf_append_byte(o, '\n', err));
    TN_TRY(rule(o, "\xE2\x94\x9C", "", "\xE2\x94\xA4", &w, 1, err));
    TN_TRY(tn_buf_append_str(o, "\xE2\x94\x82", err));
    TN_TRY(put_cell(o, &c2, w, 'l', err));
    TN_TRY(tn_buf_append_byte(o, '\n', err));
    return rule(o, "\xE2\x94\x94", "", "\xE2\x94\x98", &w, 1, err);
}

static int render(table *t, sink *s, tarn_error *err)
{
    if (t->ncols == 0)
        return no_columns(t, s, err);
    tn_buf *o = s->b;
    size_t slots = ((size_t)t->ncols + 1) * 3; /* see layout() */
    int32_t *idx = tn_malloc(sizeof(int32_t) * slots);
    int64_t *w = tn_malloc(sizeof(int64_t) * slots);
    int rc = idx && w ? TARN_OK : tn_error_oom(err, sizeof(int64_t) * slots);
    if (rc == TARN_OK) {
        int32_t k = layout(t, idx, w);
        int32_t shown_cols = 0;
        for (int32_t c = 0; c < k; c++)
            shown_cols += idx[c] >= 0;
        bool elided = t->o->max_rows > 0 && t->total > t->o->max_rows;
        char part[2][64];
        int nparts = footer_parts(t, shown_cols, elided, part);
        int64_t inner = -1, need = 0;
        for (int32_t c = 0; c < k; c++)
            inner += w[c] + 3;
        for (int p = 0; p < nparts; p++)
            if ((int64_t)strlen(part[p]) + 2 > need)
                need = (int64_t)strlen(part[p]) + 2;
        if (need > inner) /* widen the last column to hold the footer */
            w[k - 1] += need - inner, inner = need;
        int64_t head_rows = elided ? (t->o->max_rows + 1) / 2 : t->nrows;
        if (rc == TARN_OK)
            rc = rule(o, "\xE2\x94\x8C", "\xE2\x94\xAC", "\xE2\x94\x90", w, k, err); /* ┌┬┐ */
        for (int h = 0; h < 2 && rc == TARN_OK; h++)
            rc = line(t, o, t->head[h], idx, w, k, 0, err);
        if (rc == TARN_OK && t->nrows > 0)
            rc = rule(o, "\xE2\x94\x9C", "\xE2\x94\xBC", "\xE2\x94\xA4", w, k, err); /* ├┼┤ */
        for (int64_t i = 0; i < t->nrows && rc == TARN_OK; i++) {
            if (i == head_rows && elided)
                rc = line(t, o, NULL, idx, w, k, 2, err);
            if (rc == TARN_OK)
                rc = line(t, o, t->rows[i], idx, w, k, 1, err);
            if (rc == TARN_OK)
                rc = flush(s, false, err);
        }
        if (rc == TARN_OK && elided && head_rows == t->nrows) /* max_rows 1: nothing after the dots */
            rc = line(t, o, NULL, idx, w, k, 2, err);
        if (rc == TARN_OK && nparts) {
            rc = rule(o, "\xE2\x94\x9C", "\xE2\x94\xB4", "\xE2\x94\xA4", w, k, err); /* ├┴┤ */
            if (rc == TARN_OK)
                rc = footer(o, part, nparts, inner, err);
        } else if (rc == TARN_OK) {
            rc = rule(o, "\xE2\x94\x94", "\xE2\x94\xB4", "\xE2\x94\x98", w, k, err); /* └┴┘ */
        }
    }
    tn_free(idx);
    tn_free(w);
    return rc;
}

static int print_table(sink *s, tn_reader *r, const tn_print_options *o, tarn_error *err)
{
    table t;
    memset(&t, 0, sizeof t);
    t.o = o;
    t.ncols = r->schema->n_fields;
    tn_arena_init(&t.arena, 0);
    tn_buf_init(&t.scratch, 0);
    tn_buf_init(&t.disp, 0);
    int rc = header(&t, r->schema, err);
    if (rc == TARN_OK)
        rc = collect(&t, r, err);
    if (rc == TARN_OK)
        rc = render(&t, s, err);
    for (int64_t k = 0; k < t.ntail; k++)
        tn_batch_unref(t.tail[k]);
    tn_free(t.tail);
    tn_free(t.rows);
    tn_buf_reset(&t.scratch);
    tn_buf_reset(&t.disp);
    tn_arena_free(&t.arena);
    return rc;
}

/* --- entry points --------------------------------------------------------- */

static int print(sink *s, tn_reader *r, const tn_print_options *opts, tarn_error *err)
{
    tn_print_options o;
    if (opts)
        o = *opts;
    else
        tn_print_options_init(&o);
    if (o.max_col_width < 3)
        o.max_col_width = 3;
    tn_buf scratch;
    tn_buf_init(&scratch, 0);
    int rc;
    switch (o.format) {
    case TN_PRINT_CSV: rc = print_csv(s, r, &o, &scratch, err); break;
    case TN_PRINT_JSONL: rc = print_jsonl(s, r, &scratch, err); break;
    default: rc = print_table(s, r, &o, err); break;
    }
    tn_buf_reset(&scratch);
    if (rc == TARN_OK)
        rc = flush(s, true, err);
    return rc;
}

int tn_print_buf(tn_buf *out, tn_reader *r, const tn_print_options *o, tarn_error *err)
{
    sink s = {.b = out};
    return print(&s, r, o, err);
}

int tn_print_file(FILE *f, tn_reader *r, const tn_print_options *o, tarn_error *err)
{
    sink s = {.f = f};
    tn_buf_init(&s.own, 0);
    s.b = &s.own;
    int rc = print(&s, r, o, err);
    tn_buf_reset(&s.own);
    if (rc == TARN_OK && fflush(f) != 0)
        rc = tn_error_set(err, TARN_EIO, "writing output: %s", strerror(errno));
    return rc;
}
