/*
 * json.c — the JSON reader: a tokenizer of our own into a flat tape, type
 * inference over a sample, and conversion from the tape into builders.
 *
 * Tape: each value is one token {kind, offset, length, count, next} in a
 * reusable array; `next` is the index after the value's subtree, so a
 * consumer skips a value in O(1). Strings point at their bytes between the
 * quotes and are decoded (escapes, \uXXXX with surrogate pairs) only when a
 * column wants them; objects and arrays also keep their raw span, which is
 * what a utf8 column holds when a row has an object where text was inferred.
 *
 * Grammar: RFC 8259 values; rows are top-level values separated by
 * whitespace (NDJSON, and concatenated JSON), or the elements of one
 * top-level array. Rows must be objects. Nesting deeper than max_depth is an
 * error, never a stack overflow. Duplicate keys: the last one wins.
 *
 * Streaming: a row cut by the end of the buffer is parsed again after the
 * next read; the buffer grows only for a row longer than itself.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arrow/builder.h"
#include "arrow/utf8.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "formats/csv/source.h"
#include "formats/csv/textin.h"
#include "formats/csv/textparse.h"
#include "formats/json/json.h"

void tn_json_options_init(tn_json_options *o) { memset(o, 0, sizeof *o); }

enum { J_NULL, J_FALSE, J_TRUE, J_INT, J_FLOAT, J_STR, J_ARR, J_OBJ };
static const char *const kind_names[] = {"null", "false", "true", "integer", "number", "string", "array", "object"};

typedef struct jtok {
    uint32_t off, len; /* strings: between the quotes; others: the raw text */
    uint32_t next;     /* index after this value's subtree */
    uint32_t count;    /* members or elements */
    uint8_t kind;
    uint8_t esc;       /* string holds escapes */
} jtok;

enum { P_OK = 0, P_MORE = 1, P_BAD = 2, P_OOM = 3 };

typedef struct parser {
    const uint8_t *buf;
    size_t end;
    bool final;
    jtok *toks;
    size_t ntoks, cap;
    int32_t max_depth;
    size_t bad_off;
    const char *bad_why;
} parser;

/* --- tokenizer --------------------------------------------------------- */

static inline size_t skip_ws(const parser *j, size_t p)
{
    while (p < j->end && (j->buf[p] == ' ' || j->buf[p] == '\n' || j->buf[p] == '\r' || j->buf[p] == '\t'))
        p++;
    return p;
}

static int bad_at(parser *j, size_t off, const char *why)
{
    j->bad_off = off;
    j->bad_why = why;
    return P_BAD;
}

static int more(parser *j, size_t off, const char *why)
{
    return j->final ? bad_at(j, off, why) : P_MORE;
}

static int push(parser *j, uint8_t kind, size_t off, size_t *idx)
{
    if (j->ntoks == j->cap) {
        size_t nc = j->cap ? j->cap * 2 : 4096;
        jtok *t = tn_realloc(j->toks, nc * sizeof *t);
        if (!t)
            return P_OOM;
        j->toks = t;
        j->cap = nc;
    }
    *idx = j->ntoks++;
    j->toks[*idx] = (jtok){.off = (uint32_t)off, .kind = kind};
    return P_OK;
}

static bool is_hex(uint8_t c) { return (unsigned)(c - '0') < 10 || (unsigned)((c | 32) - 'a') < 6; }

static int parse_string(parser *j, size_t *pp, uint8_t *esc)
{
    size_t p = *pp + 1;
    *esc = 0;
    for (;;) {
        while (p < j->end && j->buf[p] != '"' && j->buf[p] != '\\' && j->buf[p] >= 0x20)
            p++;
        if (p >= j->end)
            return more(j, *pp, "unterminated string");
        uint8_t c = j->buf[p];
        if (c == '"')
            break;
        if (c < 0x20)
            return bad_at(j, p, "control character in string");
        *esc = 1;
        if (p + 1 >= j->end)
            return more(j, *pp, "unterminated string");
        uint8_t e = j->buf[p + 1];
        if (e == 'u') {
            if (p + 6 > j->end)
                return more(j, *pp, "unterminated string");
            for (int k = 2; k < 6; k++)
                if (!is_hex(j->buf[p + k]))
                    return bad_at(j, p, "invalid \\u escape");
            p += 6;
        } else if (strchr("\"\\/bfnrt", e) && e) {
            p += 2;
        } else {
            return bad_at(j, p, "invalid escape in string");
        }
    }
    *pp = p + 1;
    return P_OK;
}

static int parse_number(parser *j, size_t *pp, uint8_t *kind)
{
    size_t p = *pp;
    const uint8_t *b = j->buf;
    *kind = J_INT;
#define NEED()                                                            \
    do {                                                                  \
        if (p >= j->end)                                                  \
            return more(j, *pp, "number is cut short");                   \
    } while (0)
    if (b[p] == '-')
        p++;
    NEED();
    if (b[p] == '0') {
        p++;
    } else if (b[p] >= '1' && b[p] <= '9') {
        while (p < j->end && b[p] >= '0' && b[p] <= '9')
            p++;
    } else {
        return bad_at(j, p, "invalid number");
    }
    if (p < j->end && b[p] == '.') {
        *kind = J_FLOAT;
        p++;
        NEED();
        if (b[p] < '0' || b[p] > '9')
            return bad_at(j, p, "invalid number");
        while (p < j->end && b[p] >= '0' && b[p] <= '9')
            p++;
    }
    if (p < j->end && (b[p] == 'e' || b[p] == 'E')) {
        *kind = J_FLOAT;
        p++;
        NEED();
        if (b[p] == '+' || b[p] == '-')
            p++;
        NEED();
        if (b[p] < '0' || b[p] > '9')
            return bad_at(j, p, "invalid number");
        while (p < j->end && b[p] >= '0' && b[p] <= '9')
            p++;
    }
#undef NEED
    /* a number touching the end of a non-final buffer may go on */
    if (p == j->end && !j->final)
        return P_MORE;
    if (*kind == J_INT && p - *pp >= 19) {
        int64_t v;
        bool over;
        if (!tn_text_parse_int64(b + *pp, (int64_t)(p - *pp), &v, &over))
            *kind = J_FLOAT;
    }
    *pp = p;
    return P_OK;
}

static int parse_value(parser *j, size_t *pp, int32_t depth)
{
    size_t p = skip_ws(j, *pp);
    if (p >= j->end)
        return more(j, p, "unexpected end of input");
    size_t idx;
    uint8_t c = j->buf[p];
    int rc;
    size_t start = p;
    uint32_t count = 0;
    if (c == '{' || c == '[') {
        if (depth >= j->max_depth)
            return bad_at(j, p, "nesting is deeper than max_depth");
        bool obj = c == '{';
        if ((rc = push(j, obj ? J_OBJ : J_ARR, p, &idx)) != P_OK)
            return rc;
        p = skip_ws(j, p + 1);
        if (p >= j->end)
            return more(j, p, "unexpected end of input");
        if (j->buf[p] == (obj ? '}' : ']')) {
            p++;
        } else {
            for (;;) {
                if (obj) {
                    p = skip_ws(j, p);
                    if (p >= j->end)
                        return more(j, p, "unexpected end of input");
                    if (j->buf[p] != '"')
                        return bad_at(j, p, "expected a key in quotes");
                    size_t kidx;
                    uint8_t esc;
                    size_t ks = p;
                    if ((rc = push(j, J_STR, p + 1, &kidx)) != P_OK || (rc = parse_string(j, &p, &esc)) != P_OK)
                        return rc;
                    j->toks[kidx].len = (uint32_t)(p - ks - 2);
                    j->toks[kidx].esc = esc;
                    j->toks[kidx].next = (uint32_t)j->ntoks;
                    p = skip_ws(j, p);
                    if (p >= j->end)
                        return more(j, p, "unexpected end of input");
                    if (j->buf[p] != ':')
                        return bad_at(j, p, "expected ':' after a key");
                    p++;
                }
                if ((rc = parse_value(j, &p, depth + 1)) != P_OK)
                    return rc;
                count++;
                p = skip_ws(j, p);
                if (p >= j->end)
                    return more(j, p, "unexpected end of input");
                if (j->buf[p] == ',') {
                    p++;
                    continue;
                }
                if (j->buf[p] == (obj ? '}' : ']')) {
                    p++;
                    break;
                }
                return bad_at(j, p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
            }
        }
    } else if (c == '"') {
        uint8_t esc;
        if ((rc = push(j, J_STR, p + 1, &idx)) != P_OK || (rc = parse_string(j, &p, &esc)) != P_OK)
            return rc;
        j->toks[idx].esc = esc;
        j->toks[idx].len = (uint32_t)(p - start - 2);
        j->toks[idx].next = (uint32_t)j->ntoks;
        *pp = p;
        return P_OK;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        uint8_t kind;
        if ((rc = push(j, J_INT, p, &idx)) != P_OK || (rc = parse_number(j, &p, &kind)) != P_OK)
            return rc;
        j->toks[idx].kind = kind;
    } else {
        static const char *const lits[] = {"null", "false", "true"};
        int k = c == 'n' ? 0 : c == 'f' ? 1 : c == 't' ? 2 : -1;
        if (k < 0)
            return bad_at(j, p, "unexpected character");
        size_t n = strlen(lits[k]), avail = j->end - p;
        if (memcmp(j->buf + p, lits[k], avail < n ? avail : n) != 0)
            return bad_at(j, p, "unexpected character");
        if (avail < n)
            return more(j, p, "unexpected end of input");
        if ((rc = push(j, (uint8_t)k, p, &idx)) != P_OK)
            return rc;
        p += n;
    }
    if (p - start > UINT32_MAX)
        return bad_at(j, start, "value too long");
    j->toks[idx].len = (uint32_t)(p - start);
    j->toks[idx].count = count;
    j->toks[idx].next = (uint32_t)j->ntoks;
    *pp = p;
    return P_OK;
}

/* --- string decoding --------------------------------------------------- */

static int hexval(uint8_t c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

static unsigned hex4(const uint8_t *p)
{
    return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

/* Decode a validated string body into dst (room for n bytes: decoding never
 * grows the text). A lone surrogate becomes U+FFFD. */
static size_t decode(const uint8_t *s, size_t n, uint8_t *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            dst[o++] = s[i];
            continue;
        }
        uint8_t e = s[++i];
        if (e != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            dst[o++] = (uint8_t)to[strchr(from, e) - from];
            continue;
        }
        unsigned cp = hex4(s + i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
            unsigned lo = hex4(s + i + 3);
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (cp >= 0xD800 && cp < 0xE000)
            cp = 0xFFFD;
        if (cp < 0x80) {
            dst[o++] = (uint8_t)cp;
        } else if (cp < 0x800) {
            dst[o++] = (uint8_t)(0xC0 | cp >> 6);
            dst[o++] = (uint8_t)(0x80 | (cp & 63));
        } else if (cp < 0x10000) {
            dst[o++] = (uint8_t)(0xE0 | cp >> 12);
            dst[o++] = (uint8_t)(0x80 | ((cp >> 6) & 63));
            dst[o++] = (uint8_t)(0x80 | (cp & 63));
        } else {
            dst[o++] = (uint8_t)(0xF0 | cp >> 18);
            dst[o++] = (uint8_t)(0x80 | ((cp >> 12) & 63));
            dst[o++] = (uint8_t)(0x80 | ((cp >> 6) & 63));
            dst[o++] = (uint8_t)(0x80 | (cp & 63));
        }
    }
    return o;
}

/* --- inference --------------------------------------------------------- */

enum { T_UNKNOWN, T_BOOL, T_INT, T_FLOAT, T_STRING, T_LIST, T_STRUCT };
static const char *const tname[] = {"null", "bool", "int64", "double", "utf8", "list", "struct"};

typedef struct jinf {
    uint8_t kind, first; /* first: the kind first seen, to report widening */
    bool not_decimal;    /* a number that a decimal128(38, s) cannot hold exactly */
    uint8_t dec_scale;   /* most fraction digits among the numbers */
    int32_t n, cap;
    char **names;
    struct jinf **kids; /* struct fields, or kids[0] the list item */
} jinf;

static void jinf_free(jinf *t)
{
    if (!t)
        return;
    for (int32_t i = 0; i < t->n; i++) {
        if (t->names)
            tn_free(t->names[i]);
        jinf_free(t->kids[i]);
    }
    tn_free(t->names);
    tn_free(t->kids);
    tn_free(t);
}

static void jinf_clear(jinf *t)
{
    for (int32_t i = 0; i < t->n; i++) {
        if (t->names)
            tn_free(t->names[i]);
        jinf_free(t->kids[i]);
    }
    tn_free(t->names);
    tn_free(t->kids);
    t->names = NULL;
    t->kids = NULL;
    t->n = t->cap = 0;
}

static jinf *jinf_new(void) { return tn_calloc(1, sizeof(jinf)); }

/* Add a child (named for structs); returns its index or -1 on no memory. */
static int32_t jinf_add(jinf *t, const uint8_t *name, size_t n)
{
    if (t->n == t->cap) {
        int32_t nc = t->cap ? t->cap * 2 : 4;
        jinf **k = tn_realloc(t->kids, (size_t)nc * sizeof *k);
        if (!k)
            return -1;
        t->kids = k;
        if (name) {
            char **nm = tn_realloc(t->names, (size_t)nc * sizeof *nm);
            if (!nm)
                return -1;
            t->names = nm;
        }
        t->cap = nc;
    }
    jinf *kid = jinf_new();
    char *nm = name ? tn_strndup((const char *)name, n) : NULL;
    if (!kid || (name && !nm)) {
        tn_free(kid);
        tn_free(nm);
        return -1;
    }
    if (name)
        t->names[t->n] = nm;
    t->kids[t->n] = kid;
    return t->n++;
}

typedef struct jreader jreader;
typedef struct jwork jwork;

static int tok_kind(uint8_t k)
{
    switch (k) {
    case J_NULL: return T_UNKNOWN;
    case J_FALSE:
    case J_TRUE: return T_BOOL;
    case J_INT: return T_INT;
    case J_FLOAT: return T_FLOAT;
    case J_STR: return T_STRING;
    case J_ARR: return T_LIST;
    default: return T_STRUCT;
    }
}

/* --- the reader state -------------------------------------------------- */

typedef struct jnode {
    tn_type *type;  /* borrowed from the schema */
    tn_builder *b;  /* owned at the top level, else a child builder */
    char *path;     /* "a.b" for messages */
    bool strict;    /* an inferred decimal: refuse, never round, extra digits */
    int32_t n;
    struct jnode *kids;
    uint32_t *slots; /* struct: the value token of each field in this object */
} jnode;

/* The state of parsing and converting a run of rows: the sequential reader
 * has one; the parallel path one per chunk of the buffer. */
struct jwork {
    parser j;          /* the tape */
    uint32_t *rows;    /* the token of each row */
    size_t nrows, cap_rows;
    jnode root;        /* builders */
    tn_buf scratch;
    tn_chunk chunk;    /* rejects and counts; parallel: the bytes and batches */
    size_t bad_tok;    /* dry run: the token that did not fit */
    const jnode *bad_node;
    int64_t syntax_rejects;  /* parallel: rows dropped as not JSON */
    bool need_comma, closed; /* parallel, array: where the chunk's parse stands */
};

struct jreader {
    tn_reader base;
    tn_json_options o;
    char *name;
    tn_textin in;      /* the source and the buffer */
    bool done;
    bool array_mode, need_comma, closed;
    char rowkey[66];   /* array, parallel: `"key"`, the first key of the first row */
    int32_t rowkey_len; /* 0: not learned yet; -1: no usable key */
    char rowkey2[66];  /* `"key"`, its second key when the first value is a scalar */
    int32_t rowkey2_len; /* 0: none */
    int64_t line, col; /* of buf[pos] */
    jwork seq;         /* the sequential path (and inference) */
    jwork *par;        /* the parallel path: one per chunk */
    int32_t npar, maxpar, threads;
    bool par_failed;   /* the split of this buffer did not prove right */
    int64_t par_chunks; /* chunks whose rows were parsed in parallel and kept */
    tn_batch_queue queue; /* batches made in parallel, not handed out yet */
    tn_buf widened;
    int64_t rejected;
    tn_reject_file rejfile;
    size_t block;
    int64_t batch_size;
    char *own_reject; /* a copy: the caller's options may go away */
    bool inferred_decimals; /* the schema was inferred with decimal inference */
    uint8_t *given_types;   /* per top-level column: its type came from `types` */
};

static int key_text(jreader *r, jwork *w, const jtok *k, const uint8_t **p, size_t *n, tarn_error *err)
{
    *p = r->in.buf + k->off;
    *n = k->len;
    if (k->esc) {
        w->scratch.len = 0;
        TN_TRY(tn_buf_reserve(&w->scratch, *n + 1, err));
        *n = decode(*p, *n, w->scratch.data);
        *p = w->scratch.data;
    }
    return TARN_OK;
}

static void locate(const jreader *r, size_t off, int64_t *line, int64_t *col);

/* Column names must be UTF-8: a key that is not fails under every policy. */
static int bad_key(const jreader *r, size_t off, tarn_error *err)
{
    int64_t line, col;
    locate(r, off, &line, &col);
    return TN_CORRUPT(err, "%s:%lld:%lld: key is not valid UTF-8", r->name, (long long)line, (long long)col);
}

/* Decimal inference: a number counts when it is a plain literal (no
 * exponent) of at most 38 digits; the column's scale is the most fraction
 * digits seen. */
static void note_number(const jreader *r, jinf *t, const jtok *tok)
{
    int32_t int_digits, frac_digits;
    if (!r->o.decimal_inference ||
        !tn_text_decimal_shape(r->in.buf + tok->off, tok->len, &int_digits, &frac_digits) ||
        int_digits + frac_digits > 38)
        t->not_decimal = true;
    else if (frac_digits > t->dec_scale)
        t->dec_scale = (uint8_t)frac_digits;
}

static int infer(jreader *r, jwork *w, jinf *t, size_t ti, tarn_error *err)
{
    const jtok *tok = &w->j.toks[ti];
    int k = tok_kind(tok->kind);
    if (k == T_UNKNOWN)
        return TARN_OK;
    if (k == T_INT || k == T_FLOAT)
        note_number(r, t, tok);
    if (t->kind == T_UNKNOWN) {
        t->kind = (uint8_t)k;
        t->first = (uint8_t)k;
    } else if (t->kind != k) {
        if ((t->kind == T_INT && k == T_FLOAT) || (t->kind == T_FLOAT && k == T_INT)) {
            t->kind = T_FLOAT;
        } else if (t->kind != T_STRING) {
            jinf_clear(t);
            t->kind = T_STRING;
        }
        return TARN_OK;
    }
    if (k == T_LIST) {
        if (t->n == 0 && jinf_add(t, NULL, 0) < 0)
            return tn_error_oom(err, sizeof(jinf));
        for (size_t e = ti + 1; e < tok->next; e = w->j.toks[e].next)
            TN_TRY(infer(r, w, t->kids[0], e, err));
    } else if (k == T_STRUCT) {
        int32_t m = 0;
        for (size_t e = ti + 1; e < tok->next; e = w->j.toks[e + 1].next, m++) {
            const uint8_t *name;
            size_t n;
            TN_TRY(key_text(r, w, &w->j.toks[e], &name, &n, err));
            if (!tn_utf8_valid(name, (int64_t)n, NULL))
                return bad_key(r, w->j.toks[e].off - 1, err);
            int32_t f = -1;
            if (m < t->n && strlen(t->names[m]) == n && memcmp(t->names[m], name, n) == 0)
                f = m;
            for (int32_t i = 0; i < t->n && f < 0; i++)
                if (strlen(t->names[i]) == n && memcmp(t->names[i], name, n) == 0)
                    f = i;
            if (f < 0 && (f = jinf_add(t, name, n)) < 0)
                return tn_error_oom(err, n + sizeof(jinf));
            TN_TRY(infer(r, w, t->kids[f], e + 1, err));
        }
    }
    return TARN_OK;
}

static tn_type *jinf_type(const jinf *t)
{
    switch (t ? t->kind : T_UNKNOWN) {
    case T_BOOL:
        return tn_type_get(TN_BOOL);
    case T_INT:
        return tn_type_get(TN_INT64);
    case T_FLOAT:
        if (!t->not_decimal && t->dec_scale > 0)
            return tn_type_decimal(128, 38, t->dec_scale);
        return tn_type_get(TN_FLOAT64);
    case T_LIST:
        return tn_type_list(TN_LIST, tn_field_new("item", jinf_type(t->n ? t->kids[0] : NULL), true));
    case T_STRUCT: {
        tn_field **f = tn_calloc((size_t)t->n + 1, sizeof *f);
        if (!f)
            return NULL;
        for (int32_t i = 0; i < t->n; i++) {
            f[i] = tn_field_new(t->names[i], jinf_type(t->kids[i]), true);
            if (!f[i]) {
                for (int32_t k = 0; k < i; k++)
                    tn_field_free(f[k]);
                tn_free(f);
                return NULL;
            }
        }
        tn_type *s = tn_type_struct(t->n, f);
        tn_free(f);
        return s;
    }
    default:
        return tn_type_get(TN_STRING);
    }
}

static int report_widened(jreader *r, const jinf *t, const char *path, tarn_error *err)
{
    char decimal[32];
    const char *to = tname[t->kind];
    if (t->kind == T_FLOAT && !t->not_decimal && t->dec_scale > 0) {
        snprintf(decimal, sizeof decimal, "decimal128(38, %d)", t->dec_scale);
        to = decimal;
    }
    if (t->first != T_UNKNOWN && t->first != t->kind)
        TN_TRY(tn_buf_printf(&r->widened, err, "%s%s: %s -> %s", r->widened.len ? "; " : "", path, tname[t->first],
                             to));
    for (int32_t i = 0; i < t->n; i++) {
        char *p = t->names ? tn_sprintf("%s%s%s", path, *path ? "." : "", t->names[i]) : tn_sprintf("%s[]", path);
        TN_TRY_ALLOC(p, err, strlen(path) + 16);
        int rc = report_widened(r, t->kids[i], p, err);
        tn_free(p);
        TN_TRY(rc);
    }
    return TARN_OK;
}

/* --- schema nodes ------------------------------------------------------ */

static void node_reset(jnode *n, bool top)
{
    for (int32_t i = 0; i < n->n; i++)
        node_reset(&n->kids[i], top && n->type == NULL);
    tn_free(n->kids);
    tn_free(n->slots);
    tn_free(n->path);
    if (top && n->type)
        tn_builder_free(n->b);
    memset(n, 0, sizeof *n);
}

static int node_init(jnode *n, tn_type *t, tn_builder *b, const char *path, bool strict, tarn_error *err)
{
    n->type = t;
    n->b = b;
    n->strict = strict;
    n->path = tn_strdup(path);
    TN_TRY_ALLOC(n->path, err, strlen(path) + 1);
    switch (t->id) {
    case TN_BOOL:
    case TN_INT32:
    case TN_INT64:
    case TN_FLOAT64:
    case TN_STRING:
    case TN_DATE32:
    case TN_DECIMAL128:
    case TN_TIMESTAMP:
        return TARN_OK;
    case TN_TIME64:
        if (t->unit == TN_MICRO)
            return TARN_OK;
        break;
    case TN_LIST:
    case TN_STRUCT: {
        int32_t k = t->n_children;
        n->kids = tn_calloc((size_t)k + 1, sizeof(jnode));
        TN_TRY_ALLOC(n->kids, err, (size_t)k * sizeof(jnode));
        n->slots = tn_calloc((size_t)k + 1, sizeof(uint32_t));
        TN_TRY_ALLOC(n->slots, err, (size_t)k * 4);
        n->n = k;
        for (int32_t i = 0; i < k; i++) {
            char *p = t->id == TN_LIST ? tn_sprintf("%s[]", path) : tn_sprintf("%s.%s", path, t->children[i].name);
            TN_TRY_ALLOC(p, err, strlen(path) + 16);
            int rc = node_init(&n->kids[i], t->children[i].type, tn_builder_child(b, i), p, strict, err);
            tn_free(p);
            TN_TRY(rc);
        }
        return TARN_OK;
    }
    default:
        break;
    }
    return tn_error_set(err, TARN_EUNSUPPORTED, "json reader: column '%s': type %s is not supported", path,
                        tn_type_id_name(t->id));
}

/* The root: one owned builder per column. */
static int root_init(jreader *r, jwork *w, tarn_error *err)
{
    tn_schema *s = r->base.schema;
    jnode *root = &w->root;
    root->kids = tn_calloc((size_t)s->n_fields + 1, sizeof(jnode));
    TN_TRY_ALLOC(root->kids, err, (size_t)s->n_fields * sizeof(jnode));
    root->slots = tn_calloc((size_t)s->n_fields + 1, sizeof(uint32_t));
    TN_TRY_ALLOC(root->slots, err, (size_t)s->n_fields * 4);
    root->path = tn_strdup("");
    TN_TRY_ALLOC(root->path, err, 1);
    root->n = s->n_fields;
    for (int32_t i = 0; i < s->n_fields; i++) {
        tn_builder *b = tn_builder_new(s->fields[i].type);
        TN_TRY_ALLOC(b, err, 256);
        bool strict = r->inferred_decimals && !(r->given_types && r->given_types[i]);
        int rc = node_init(&root->kids[i], s->fields[i].type, b, s->fields[i].name, strict, err);
        if (rc != TARN_OK) {
            if (!root->kids[i].b)
                tn_builder_free(b);
            return rc;
        }
    }
    return TARN_OK;
}

/* --- conversion -------------------------------------------------------- */

enum { MISMATCH = -1 };

static void locate(const jreader *r, size_t off, int64_t *line, int64_t *col)
{
    int64_t k = 0;
    const uint8_t *p = r->in.buf + r->in.pos, *end = r->in.buf + off, *last = NULL;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
        k++, last = p++;
    *line = r->line + k;
    *col = last ? (int64_t)(end - last) : r->col + (int64_t)(off - r->in.pos);
}

static int write_reject(jreader *r, jwork *w, const char *msg, size_t off, size_t len, tarn_error *err)
{
    if (!r->o.reject_path)
        return TARN_OK;
    return tn_reject_append(&w->chunk.rejects, msg, r->in.buf + off, len, err);
}

/* Append the rejected rows a piece of work collected to reject_path. */
static int flush_rejects(jreader *r, jwork *w, tarn_error *err)
{
    return tn_reject_file_flush(&r->rejfile, r->o.reject_path, &w->chunk.rejects, err);
}

static void describe(const jreader *r, jwork *w, const jnode *n, size_t ti, const char *why, char *msg, size_t cap)
{
    const jtok *t = &w->j.toks[ti];
    size_t off = t->kind == J_STR ? t->off - 1 : t->off;
    int64_t line, col;
    locate(r, off, &line, &col);
    int vn = t->len > 100 ? 100 : (int)t->len;
    snprintf(msg, cap, "%s:%lld:%lld: column '%s': %s %s '%.*s'%s", r->name, (long long)line, (long long)col, n->path,
             why, kind_names[t->kind], vn, (const char *)r->in.buf + t->off, t->len > 100 ? "..." : "");
}

/* A value that does not fit its column: null it, or stop. */
static int mismatch(jreader *r, jwork *w, const jnode *n, size_t ti, bool dry, const char *why, tarn_error *err)
{
    if (dry) {
        w->bad_tok = ti;
        w->bad_node = n;
        return MISMATCH;
    }
    if (r->o.on_error == TN_ON_ERROR_NULL)
        return tn_builder_append_null(n->b, err);
    char msg[TARN_ERROR_MAX];
    char what[192];
    snprintf(what, sizeof what, "%s: cannot convert", why);
    describe(r, w, n, ti, what, msg, sizeof msg);
    return tn_error_set(err, TARN_ETYPE, "%s", msg);
}

static int append(jreader *r, jwork *w, jnode *n, size_t ti, bool dry, tarn_error *err);

/* Fill n->slots with the value token of each field of object ti. */
static int match_fields(jreader *r, jwork *w, jnode *n, size_t ti, tarn_error *err)
{
    const jtok *tok = &w->j.toks[ti];
    const tn_type *t = n->type;
    const tn_field *fields = t ? t->children : r->base.schema->fields;
    for (int32_t i = 0; i < n->n; i++)
        n->slots[i] = UINT32_MAX;
    int32_t m = 0;
    for (size_t e = ti + 1; e < tok->next; e = w->j.toks[e + 1].next, m++) {
        const uint8_t *name;
        size_t len;
        TN_TRY(key_text(r, w, &w->j.toks[e], &name, &len, err));
        int32_t f = -1;
        if (m < n->n && strlen(fields[m].name) == len && memcmp(fields[m].name, name, len) == 0)
            f = m;
        for (int32_t i = 0; i < n->n && f < 0; i++)
            if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0)
                f = i;
        if (f >= 0)
            n->slots[f] = (uint32_t)(e + 1); /* a repeated key: the last wins */
    }
    return TARN_OK;
}

static int append_fields(jreader *r, jwork *w, jnode *n, bool dry, tarn_error *err)
{
    for (int32_t i = 0; i < n->n; i++) {
        int rc;
        if (n->slots[i] == UINT32_MAX)
            rc = dry ? TARN_OK : tn_builder_append_null(n->kids[i].b, err);
        else
            rc = append(r, w, &n->kids[i], n->slots[i], dry, err);
        if (rc != TARN_OK)
            return rc;
    }
    return TARN_OK;
}

/* Text of a scalar: decoded string, or the raw number. */
static int scalar_text(jreader *r, jwork *w, const jtok *t, const uint8_t **p, size_t *n, tarn_error *err)
{
    return key_text(r, w, t, p, n, err);
}

/* A nonzero digit past `scale` fraction digits (3.125 at scale 2; 3.120
 * is exact). */
static bool digits_past_scale(const uint8_t *p, size_t len, int32_t scale)
{
    int32_t int_digits, frac_digits;
    if (!tn_text_decimal_shape(p, (int64_t)len, &int_digits, &frac_digits) || frac_digits <= scale)
        return false;
    for (size_t i = len - (size_t)(frac_digits - scale); i < len; i++)
        if (p[i] != '0')
            return true;
    return false;
}

static int append_scalar(jreader *r, jwork *w, jnode *n, size_t ti, bool dry, tarn_error *err)
{
    const jtok *t = &w->j.toks[ti];
    tn_type_id id = n->type->id;
    const uint8_t *p;
    size_t len;
    switch (id) {
    case TN_BOOL:
        if (t->kind != J_TRUE && t->kind != J_FALSE)
            return mismatch(r, w, n, ti, dry, "expected bool", err);
        return dry ? TARN_OK : tn_builder_append_bool(n->b, t->kind == J_TRUE, err);
    case TN_INT32:
    case TN_INT64: {
        int64_t v;
        bool over;
        if (t->kind != J_INT || !tn_text_parse_int64(r->in.buf + t->off, t->len, &v, &over) ||
            (id == TN_INT32 && (v < INT32_MIN || v > INT32_MAX)))
            return mismatch(r, w, n, ti, dry, id == TN_INT32 ? "expected int32" : "expected int64", err);
        return dry ? TARN_OK : tn_builder_append_int(n->b, v, err);
    }
    case TN_FLOAT64: {
        double v;
        if ((t->kind != J_INT && t->kind != J_FLOAT) || !tn_text_parse_double(r->in.buf + t->off, t->len, &v))
            return mismatch(r, w, n, ti, dry, "expected double", err);
        return dry ? TARN_OK : tn_builder_append_double(n->b, v, err);
    }
    case TN_STRING:
        /* strings decoded; anything else as its JSON text (which may hold
         * strings with invalid UTF-8 too) */
        if (t->kind == J_STR) {
            TN_TRY(scalar_text(r, w, t, &p, &len, err));
        } else {
            p = r->in.buf + t->off;
            len = t->len;
        }
        if (!tn_utf8_valid(p, (int64_t)len, NULL))
            return mismatch(r, w, n, ti, dry, "invalid UTF-8 in", err);
        return dry ? TARN_OK : tn_builder_append_bytes(n->b, p, (int64_t)len, err);
    default:
        break;
    }
    if (t->kind != J_STR && t->kind != J_INT && t->kind != J_FLOAT)
        return mismatch(r, w, n, ti, dry, "expected text", err);
    TN_TRY(scalar_text(r, w, t, &p, &len, err));
    int64_t v = 0;
    bool ok = false, zone;
    switch (id) {
    case TN_DATE32: {
        int32_t d;
        ok = tn_text_parse_date(p, (int64_t)len, TN_DATE_ISO | TN_DATE_YMD_SLASH, &d);
        v = d;
        break;
    }
    case TN_TIME64:
        ok = tn_text_parse_time(p, (int64_t)len, &v);
        break;
    case TN_TIMESTAMP:
        ok = tn_text_parse_timestamp(p, (int64_t)len, TN_DATE_ISO | TN_DATE_YMD_SLASH, &v, &zone);
        if (ok) {
            static const int64_t scale[] = {1000000, 1000, 1, -1000};
            int64_t s = scale[n->type->unit];
            v = s > 0 ? v / s : v * -s;
        }
        break;
    case TN_DECIMAL128: {
        __int128 d;
        if (n->strict && digits_past_scale(p, len, n->type->scale)) {
            char why[160];
            snprintf(why, sizeof why,
                     "more fraction digits than decimal128(%d, %d) inferred from the sample; pass types='%s double' "
                     "or a wider decimal",
                     n->type->precision, n->type->scale, n->path);
            return mismatch(r, w, n, ti, dry, why, err);
        }
        ok = tn_text_parse_decimal(p, (int64_t)len, n->type->precision, n->type->scale, &d);
        if (ok && !dry)
            return tn_builder_append_raw(n->b, &d, err);
        break;
    }
    default:
        break;
    }
    if (!ok) {
        char what[48];
        snprintf(what, sizeof what, "expected %s", tn_type_id_name(id));
        return mismatch(r, w, n, ti, dry, what, err);
    }
    return dry || id == TN_DECIMAL128 ? TARN_OK : tn_builder_append_int(n->b, v, err);
}

static int append(jreader *r, jwork *w, jnode *n, size_t ti, bool dry, tarn_error *err)
{
    const jtok *t = &w->j.toks[ti];
    if (t->kind == J_NULL)
        return dry ? TARN_OK : tn_builder_append_null(n->b, err);
    switch (n->type->id) {
    case TN_LIST:
        if (t->kind != J_ARR)
            return mismatch(r, w, n, ti, dry, "expected list", err);
        for (size_t e = ti + 1; e < t->next; e = w->j.toks[e].next)
            TN_TRY(append(r, w, &n->kids[0], e, dry, err));
        return dry ? TARN_OK : tn_builder_append_list(n->b, err);
    case TN_STRUCT:
        if (t->kind != J_OBJ)
            return mismatch(r, w, n, ti, dry, "expected struct", err);
        TN_TRY(match_fields(r, w, n, ti, err));
        TN_TRY(append_fields(r, w, n, dry, err));
        return dry ? TARN_OK : tn_builder_append_struct(n->b, err);
    default:
        return append_scalar(r, w, n, ti, dry, err);
    }
}

/* --- rows and batches -------------------------------------------------- */

static int reject_row(jreader *r, jwork *w, size_t off, size_t len, const char *msg, tarn_error *err)
{
    if (r->o.on_error == TN_ON_ERROR_FAIL)
        return TN_CORRUPT(err, "%s", msg);
    w->chunk.rejected++;
    return write_reject(r, w, msg, off, len, err);
}

static int push_row(jreader *r, jwork *w, uint32_t ti, tarn_error *err)
{
    if (w->nrows == w->cap_rows) {
        size_t nc = w->cap_rows ? w->cap_rows * 2 : 1024;
        uint32_t *rw = tn_realloc(w->rows, nc * sizeof *rw);
        TN_TRY_ALLOC(rw, err, nc * sizeof *rw);
        w->rows = rw;
        w->cap_rows = nc;
    }
    w->rows[w->nrows++] = ti;
    return TARN_OK;
}

static int syntax_error(jreader *r, jwork *w, tarn_error *err)
{
    int64_t line, col;
    locate(r, w->j.bad_off, &line, &col);
    return TN_CORRUPT(err, "%s:%lld:%lld: %s", r->name, (long long)line, (long long)col, w->j.bad_why);
}

/* Tokenize up to max rows from buf[pos, len); *end is after the last
 * complete row. Syntax errors in NDJSON rows are rejected under skip/null
 * (the row runs to the end of its line). */
static int parse_rows(jreader *r, jwork *w, size_t from, size_t to, bool final, int64_t max, bool *nc, bool *cl,
                      size_t *end, tarn_error *err)
{
    parser *j = &w->j;
    j->buf = r->in.buf;
    j->end = to;
    j->final = final;
    j->ntoks = 0;
    w->nrows = 0;
    size_t p = from;
    *end = p;
    bool need_comma = *nc, closed = *cl;
    while ((int64_t)w->nrows < max && j->ntoks < ((size_t)1 << 22)) {
        p = skip_ws(j, p);
        if (p >= to) {
            *end = p; /* whitespace between rows is consumed with them */
            break;
        }
        if (r->array_mode) {
            if (closed) {
                j->bad_off = p;
                j->bad_why = "unexpected bytes after the top-level array";
                return syntax_error(r, w, err);
            }
            if (r->in.buf[p] == ']') {
                closed = true;
                *end = ++p;
                *cl = closed;
                continue;
            }
            if (need_comma) {
                if (r->in.buf[p] != ',') {
                    j->bad_off = p;
                    j->bad_why = "expected ',' or ']'";
                    return syntax_error(r, w, err);
                }
                p = skip_ws(j, p + 1);
                if (p >= to)
                    break;
            }
        }
        size_t t0 = j->ntoks, start = p;
        int rc = parse_value(j, &p, 0);
        if (rc == P_OOM)
            return tn_error_oom(err, j->cap * sizeof(jtok));
        if (rc == P_MORE) {
            j->ntoks = t0;
            break;
        }
        if (rc == P_BAD) {
            j->ntoks = t0;
            if (r->array_mode || r->o.on_error == TN_ON_ERROR_FAIL)
                return syntax_error(r, w, err);
            const uint8_t *nl = memchr(r->in.buf + j->bad_off, '\n', to - j->bad_off);
            if (!nl && !final)
                break;
            size_t stop = nl ? (size_t)(nl - r->in.buf) : to;
            int64_t line, col;
            locate(r, j->bad_off, &line, &col);
            char msg[512];
            snprintf(msg, sizeof msg, "%s:%lld:%lld: %s", r->name, (long long)line, (long long)col, j->bad_why);
            TN_TRY(reject_row(r, w, start, stop - start, msg, err));
            w->syntax_rejects++;
            p = stop;
            *end = p;
            continue;
        }
        TN_TRY(push_row(r, w, (uint32_t)t0, err));
        need_comma = true;
        *nc = need_comma;
        *end = p;
    }
    return TARN_OK;
}

static int finish_batch(jreader *r, jwork *w, int64_t n, tn_batch **out, tarn_error *err)
{
    tn_batch *b = tn_batch_new(r->base.schema, n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t c = 0; c < w->root.n; c++) {
        int rc = tn_builder_finish(w->root.kids[c].b, &b->columns[c], err);
        if (rc != TARN_OK) {
            tn_batch_unref(b);
            return rc;
        }
    }
    *out = b;
    return TARN_OK;
}

/* A builder left half-filled by a failed batch is emptied before the next. */
static void drop_partial(jreader *r, jwork *w)
{
    for (int32_t c = 0; c < w->root.n; c++) {
        tn_array *a = NULL;
        if (tn_builder_finish(w->root.kids[c].b, &a, NULL) == TARN_OK)
            tn_array_unref(a);
    }
}

static int convert_rows(jreader *r, jwork *w, tn_batch **out, tarn_error *err)
{
    int64_t kept = 0;
    for (size_t i = 0; i < w->nrows; i++) {
        size_t ti = w->rows[i];
        const jtok *t = &w->j.toks[ti];
        char msg[TARN_ERROR_MAX];
        if (t->kind != J_OBJ) {
            int64_t line, col;
            locate(r, t->kind == J_STR ? t->off - 1 : t->off, &line, &col);
            snprintf(msg, sizeof msg, "%s:%lld:%lld: row is %s %s, not an object", r->name, (long long)line,
                     (long long)col, t->kind == J_ARR || t->kind == J_OBJ || t->kind == J_INT ? "an" : "a",
                     kind_names[t->kind]);
            TN_TRY(reject_row(r, w, t->off, t->len, msg, err));
            continue;
        }
        TN_TRY(match_fields(r, w, &w->root, ti, err));
        if (r->o.on_error == TN_ON_ERROR_SKIP) {
            int rc = append_fields(r, w, &w->root, true, err);
            if (rc == MISMATCH) {
                describe(r, w, w->bad_node, w->bad_tok, "cannot convert", msg, sizeof msg);
                TN_TRY(reject_row(r, w, t->off, t->len, msg, err));
                continue;
            }
            TN_TRY(rc);
            TN_TRY(match_fields(r, w, &w->root, ti, err)); /* the dry run reused the slots */
        }
        TN_TRY(append_fields(r, w, &w->root, false, err));
        kept++;
    }
    *out = NULL;
    if (kept == 0)
        return TARN_OK;
    return finish_batch(r, w, kept, out, err);
}

static int refill(jreader *r, size_t want, tarn_error *err)
{
    r->par_failed = false; /* new bytes may split well again */
    return tn_textin_refill(&r->in, want, err);
}

static void advance(jreader *r, size_t end)
{
    int64_t line, col;
    locate(r, end, &line, &col);
    r->line = line;
    r->col = col;
    r->in.pos = end;
}

static void work_free(jwork *w)
{
    tn_free(w->j.toks);
    tn_free(w->rows);
    for (int32_t i = 0; i < w->root.n; i++)
        node_reset(&w->root.kids[i], true);
    tn_free(w->root.kids);
    tn_free(w->root.slots);
    tn_free(w->root.path);
    tn_buf_reset(&w->scratch);
    tn_buf_reset(&w->chunk.rejects);
    for (size_t i = 0; i < w->chunk.nbatches; i++)
        tn_batch_unref(w->chunk.batches[i]);
    tn_free(w->chunk.batches);
    memset(w, 0, sizeof *w);
}

static void work_drop_batches(jwork *w) { tn_chunk_drop_batches(&w->chunk); }

static int next_sequential(jreader *r, tn_batch **out, tarn_error *err)
{
    jwork *w = &r->seq;
    while (!r->done) {
        if (!r->in.eof && r->in.len - r->in.pos < r->block)
            TN_TRY(refill(r, r->block + (r->in.len - r->in.pos), err));
        size_t end;
        int rc = parse_rows(r, w, r->in.pos, r->in.len, r->in.eof, r->batch_size, &r->need_comma, &r->closed, &end,
                            err);
        if (rc == TARN_OK && w->nrows > 0)
            rc = convert_rows(r, w, out, err);
        if (rc == TARN_OK)
            rc = flush_rejects(r, w, err);
        r->rejected += w->chunk.rejected;
        w->chunk.rejected = 0;
        if (rc != TARN_OK) {
            drop_partial(r, w);
            r->done = true;
            return rc;
        }
        bool progress = end > r->in.pos;
        advance(r, end);
        if (*out)
            return TARN_OK;
        if (r->in.eof && (r->in.pos == r->in.len || !progress)) {
            size_t p = skip_ws(&w->j, r->in.pos);
            if (p < r->in.len) /* cannot happen: a final parse ends or rejects every row */
                return tn_error_set(err, TARN_EINTERNAL, "%s: parser made no progress", r->name);
            if (r->array_mode && !r->closed) {
                r->done = true;
                w->j.bad_off = r->in.len;
                w->j.bad_why = "the top-level array is not closed";
                return syntax_error(r, w, err);
            }
            r->done = true;
            break;
        }
        if (!progress) {
            size_t pending = r->in.len - r->in.pos;
            if ((int64_t)pending >= r->o.max_row_bytes) {
                int64_t line, col;
                locate(r, r->in.pos, &line, &col);
                r->done = true;
                return tn_error_set(err, TARN_EOVERFLOW, "%s:%lld: row is longer than max_row_bytes (%lld)", r->name,
                                    (long long)line, (long long)r->o.max_row_bytes);
            }
            TN_TRY(refill(r, pending * 2 > r->block ? pending * 2 : r->block, err));
        }
    }
    return TARN_OK;
}

/* --- parallel parsing of JSON lines ------------------------------------
 *
 * A line end is never inside a JSON string (control characters must be
 * escaped there), so the buffer is cut at the first line end after each
 * nominal offset. A value may still span lines (pretty-printed rows), so a
 * cut is proven afterwards: the chunk before it must end exactly at the cut
 * with complete values and no row dropped as broken JSON. Otherwise, or when
 * any chunk fails, the buffer is parsed again on one thread. */

#define PAR_MIN_CHUNK ((size_t)1 << 20)

static int run_chunk(void *ctx, int64_t begin, int64_t end_i, tarn_error *err)
{
    jreader *r = ctx;
    for (int64_t i = begin; i < end_i; i++) {
        jwork *w = &r->par[i];
        bool final = i == r->npar - 1 ? r->in.eof : true;
        size_t at = w->chunk.start;
        /* array: the first chunk goes on from the reader's state; a later
         * one starts at the comma after an element (array_cut) */
        w->need_comma = i == 0 ? r->need_comma : true;
        w->closed = i == 0 ? r->closed : false;
        while (at < w->chunk.stop) {
            size_t end;
            TN_TRY(parse_rows(r, w, at, w->chunk.stop, final, r->batch_size, &w->need_comma, &w->closed, &end, err));
            tn_batch *b = NULL;
            if (w->nrows > 0) {
                int rc = convert_rows(r, w, &b, err);
                if (rc != TARN_OK) {
                    drop_partial(r, w);
                    return rc;
                }
            }
            if (end == at)
                break;
            at = end;
            if (!b)
                continue;
            TN_TRY(tn_batch_push(&w->chunk.batches, &w->chunk.nbatches, &w->chunk.cap_batches, b, err));
        }
        w->chunk.end = at;
    }
    return TARN_OK;
}

static bool is_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* A key `"..."` without escapes at b[p] (before n) into key (cap bytes);
 * its length, or 0. */
static int32_t plain_key(const uint8_t *b, size_t p, size_t n, char *key, size_t cap)
{
    if (p >= n || b[p] != '"')
        return 0;
    size_t q = p + 1;
    while (q < n && q - p < cap - 1 && b[q] != '"' && b[q] != '\\' && b[q] >= 0x20)
        q++;
    if (q >= n || b[q] != '"' || q - p + 1 > cap)
        return 0;
    memcpy(key, b + p, q - p + 1);
    return (int32_t)(q - p + 1);
}

/* From b[p], the end of `: SCALAR ,` (whitespace allowed): a number, a
 * literal or a string; 0 when the text is not that before n. */
static size_t skip_scalar_member(const uint8_t *b, size_t p, size_t n)
{
    while (p < n && is_ws(b[p]))
        p++;
    if (p >= n || b[p] != ':')
        return 0;
    p++;
    while (p < n && is_ws(b[p]))
        p++;
    if (p < n && b[p] == '"') {
        for (p++; p < n && b[p] != '"'; p++)
            if (b[p] == '\\')
                p++;
        if (p >= n)
            return 0;
        p++;
    } else {
        size_t v = p;
        while (p < n && ((b[p] >= '0' && b[p] <= '9') || b[p] == '-' || b[p] == '+' || b[p] == '.' || (b[p] >= 'a' && b[p] <= 'z') ||
                         b[p] == 'E'))
            p++;
        if (p == v)
            return 0;
    }
    while (p < n && is_ws(b[p]))
        p++;
    if (p >= n || b[p] != ',')
        return 0;
    p++;
    while (p < n && is_ws(b[p]))
        p++;
    return p;
}

/* Array: learn `"key"`, the first key of the first row, from the bytes at
 * pos (an element, after an optional comma), and the second key when the
 * first value is a scalar. Rows of one array nearly always begin with the
 * same keys, which makes them a good guess of where a row starts; a guess
 * is only a guess, proven afterwards. */
static void learn_rowkey(jreader *r)
{
    const uint8_t *b = r->in.buf;
    size_t p = r->in.pos, n = r->in.len;
    r->rowkey_len = -1;
    r->rowkey2_len = 0;
    while (p < n && is_ws(b[p]))
        p++;
    if (p < n && b[p] == ',')
        p++;
    while (p < n && is_ws(b[p]))
        p++;
    if (p >= n || b[p] != '{')
        return;
    p++;
    while (p < n && is_ws(b[p]))
        p++;
    int32_t len = plain_key(b, p, n, r->rowkey, sizeof r->rowkey);
    if (len == 0)
        return;
    r->rowkey_len = len;
    size_t q = skip_scalar_member(b, p + (size_t)len, n);
    if (q)
        r->rowkey2_len = plain_key(b, q, n, r->rowkey2, sizeof r->rowkey2);
}

/* Array: a cut at or after `from` (and after `lo`, the previous cut), at a
 * comma followed by `{` and the row key, whitespace allowed between; 0 when
 * none. With a second key learned, a candidate whose first member is not
 * followed by it (an object nested in a row that happens to begin with the
 * same key) is passed over, unless no candidate before `near` has it: then
 * the first candidate is taken, as rows may lack the second key. */
static size_t array_cut(const jreader *r, size_t from, size_t lo, size_t near)
{
    const uint8_t *b = r->in.buf;
    size_t first = 0;
    while (from < r->in.len) {
        const uint8_t *k = memmem(b + from, r->in.len - from, r->rowkey, (size_t)r->rowkey_len);
        if (!k)
            break;
        size_t q = (size_t)(k - b);
        if (first && q > near)
            break;
        from = q + 1;
        while (q > lo && is_ws(b[q - 1]))
            q--;
        if (q <= lo + 1 || b[q - 1] != '{')
            continue;
        q--;
        while (q > lo && is_ws(b[q - 1]))
            q--;
        if (q <= lo + 1 || b[q - 1] != ',')
            continue;
        if (r->rowkey2_len == 0)
            return q - 1;
        size_t v = skip_scalar_member(b, (size_t)(k - b) + (size_t)r->rowkey_len, r->in.len);
        if (v && r->in.len - v >= (size_t)r->rowkey2_len && memcmp(b + v, r->rowkey2, (size_t)r->rowkey2_len) == 0)
            return q - 1;
        if (!first)
            first = q - 1;
    }
    return first;
}

static int32_t plan_chunks(jreader *r)
{
    size_t avail = r->in.len - r->in.pos;
    int32_t k = (int32_t)(avail / (r->o.parallel_min_chunk > 0 ? (size_t)r->o.parallel_min_chunk : PAR_MIN_CHUNK));
    if (k > r->maxpar)
        k = r->maxpar;
    if (k < 2)
        return 1;
    if (r->array_mode) {
        if (r->closed)
            return 1;
        if (r->rowkey_len == 0)
            learn_rowkey(r);
        if (r->rowkey_len < 0)
            return 1;
        int32_t n = 0;
        size_t prev = r->in.pos;
        r->par[0].chunk.start = r->in.pos;
        for (int32_t i = 1; i < k; i++) {
            size_t want = r->in.pos + avail / (size_t)k * (size_t)i;
            size_t cut = array_cut(r, want > prev ? want : prev + 1, prev, want + avail / (size_t)k / 2);
            if (!cut)
                break;
            r->par[n].chunk.stop = cut;
            r->par[++n].chunk.start = cut;
            prev = cut;
        }
        r->par[n].chunk.stop = r->in.len;
        return n + 1;
    }
    int32_t n = 0;
    size_t prev = r->in.pos;
    r->par[0].chunk.start = r->in.pos;
    for (int32_t i = 1; i < k; i++) {
        size_t cut = r->in.pos + avail / (size_t)k * (size_t)i;
        if (cut <= prev)
            continue;
        const uint8_t *nl = memchr(r->in.buf + cut, '\n', r->in.len - cut);
        if (!nl)
            break;
        size_t b = (size_t)(nl - r->in.buf) + 1;
        r->par[n].chunk.stop = b;
        r->par[++n].chunk.start = b;
        prev = b;
    }
    r->par[n].chunk.stop = r->in.len;
    return n + 1;
}

static int next_parallel(jreader *r, bool *used, tarn_error *err)
{
    *used = false;
    if (!r->in.eof && r->in.len - r->in.pos < r->block)
        TN_TRY(refill(r, r->block + (r->in.len - r->in.pos), err));
    int32_t k = plan_chunks(r);
    if (k < 2)
        return TARN_OK;
    r->npar = k;
    for (int32_t i = 0; i < k; i++) {
        r->par[i].chunk.end = r->par[i].chunk.start;
        r->par[i].chunk.rejected = r->par[i].syntax_rejects = 0;
        r->par[i].chunk.rejects.len = 0;
    }
    tarn_error perr;
    int rc = tn_parallel_for(k, 1, run_chunk, r, &perr);
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT) {
        for (int32_t i = 0; i < k; i++)
            work_drop_batches(&r->par[i]);
        if (err)
            *err = perr;
        return rc;
    }
    bool proven = rc == TARN_OK;
    for (int32_t i = 0; i + 1 < k && proven; i++)
        proven = r->par[i].syntax_rejects == 0 && r->par[i].chunk.end == r->par[i].chunk.stop &&
                 (!r->array_mode || (r->par[i].need_comma && !r->par[i].closed));
    size_t before = r->in.pos, total = 0;
    for (int32_t i = 0; i < k && proven; i++)
        total += r->par[i].chunk.nbatches;
    if (proven && (rc = tn_batch_queue_reset(&r->queue, total, err)) != TARN_OK) {
        for (int32_t i = 0; i < k; i++)
            work_drop_batches(&r->par[i]);
        return rc;
    }
    if (!proven || (r->par[k - 1].chunk.end == before && total == 0)) {
        for (int32_t i = 0; i < k; i++)
            work_drop_batches(&r->par[i]);
        r->par_failed = true;
        return TARN_OK;
    }
    rc = TARN_OK;
    for (int32_t i = 0; i < k; i++) {
        /* after a failed reject write, still queue the batches, write no more */
        int hr = tn_chunk_hand_out(&r->par[i].chunk, &r->queue, &r->rejfile, rc == TARN_OK ? r->o.reject_path : NULL,
                                   &r->rejected, err);
        rc = rc == TARN_OK ? hr : rc;
    }
    advance(r, r->par[k - 1].chunk.end);
    if (r->array_mode) {
        r->need_comma = r->par[k - 1].need_comma;
        r->closed = r->par[k - 1].closed;
    }
    r->par_chunks += k;
    *used = true;
    return rc;
}

static int json_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    jreader *r = (jreader *)base;
    *out = NULL;
    for (;;) {
        if ((*out = tn_batch_queue_pop(&r->queue)) != NULL)
            return TARN_OK;
        if (r->done)
            return TARN_OK;
        if (r->par && !r->par_failed) {
            bool used;
            int rc = next_parallel(r, &used, err);
            if (rc != TARN_OK) {
                r->done = true;
                return rc;
            }
            if (used)
                continue;
        }
        return next_sequential(r, out, err);
    }
}

static void json_destroy(tn_reader *base)
{
    jreader *r = (jreader *)base;
    tn_textin_free(&r->in);
    work_free(&r->seq);
    for (int32_t i = 0; r->par && i < r->maxpar; i++)
        work_free(&r->par[i]);
    tn_free(r->par);
    tn_batch_queue_free(&r->queue);
    tn_buf_reset(&r->widened);
    tn_reject_file_close(&r->rejfile);
    tn_free(r->name);
    tn_free(r->own_reject);
    tn_free(r->given_types);
    tn_free(r);
}

const char *tn_json_widened(const tn_reader *r)
{
    const jreader *j = (const jreader *)r;
    return j->widened.data ? (const char *)j->widened.data : "";
}

int64_t tn_json_rejected_rows(const tn_reader *r) { return ((const jreader *)r)->rejected; }

bool tn_json_is_array(const tn_reader *r) { return ((const jreader *)r)->array_mode; }

int64_t tn_json_parallel_chunks(const tn_reader *r) { return ((const jreader *)r)->par_chunks; }

/* Infer the schema from the rows of the first buffer. */
static int infer_schema(jreader *r, tarn_error *err)
{
    jwork *w = &r->seq;
    int64_t sample = r->o.sample_rows > 0 ? r->o.sample_rows : 20480;
    size_t end;
    bool nc = r->need_comma, cl = r->closed;
    const char *rej = r->o.reject_path;
    r->o.reject_path = NULL; /* rows are reported when they are read, not sampled */
    int rc = parse_rows(r, w, r->in.pos, r->in.len, r->in.eof, sample, &r->need_comma, &r->closed, &end, err);
    r->o.reject_path = rej;
    r->need_comma = nc;
    r->closed = cl;
    w->chunk.rejected = w->syntax_rejects = 0;
    if (rc == TARN_EINVAL || rc == TARN_ECORRUPT) {
        /* a bad row in the sample is reported by the read itself */
        rc = TARN_OK;
    }
    TN_TRY(rc);
    jinf *root = jinf_new();
    TN_TRY_ALLOC(root, err, sizeof *root);
    root->kind = T_STRUCT;
    root->first = T_STRUCT;
    for (size_t i = 0; i < w->nrows && rc == TARN_OK; i++)
        if (w->j.toks[w->rows[i]].kind == J_OBJ)
            rc = infer(r, w, root, w->rows[i], err);
    tn_schema *s = rc == TARN_OK ? tn_schema_new(root->n) : NULL;
    if (rc == TARN_OK && !s)
        rc = tn_error_oom(err, sizeof *s);
    r->base.schema = s;
    for (int32_t i = 0; i < root->n && rc == TARN_OK; i++)
        rc = tn_field_init(&s->fields[i], root->names[i], jinf_type(root->kids[i]), true, err);
    if (rc == TARN_OK)
        rc = report_widened(r, root, "", err);
    jinf_free(root);
    w->nrows = 0;
    return rc;
}

static int apply_column_types(jreader *r, tarn_error *err)
{
    int32_t k;
    char **names;
    tn_type **types;
    TN_TRY(tn_text_parse_columns(r->o.column_types, &k, &names, &types, err));
    int rc = TARN_OK;
    tn_schema *s = r->base.schema;
    r->given_types = tn_calloc((size_t)s->n_fields + 1, 1);
    if (!r->given_types) {
        tn_text_free_columns(k, names, types);
        return tn_error_oom(err, (size_t)s->n_fields + 1);
    }
    for (int32_t i = 0; i < k && rc == TARN_OK; i++) {
        int32_t c = tn_schema_find(s, names[i]);
        if (c < 0) {
            rc = tn_error_set(err, TARN_ENOTFOUND, "%s: column_types: no column named '%s'", r->name, names[i]);
            break;
        }
        tn_type_unref(s->fields[c].type);
        s->fields[c].type = types[i];
        r->given_types[c] = 1;
        types[i] = NULL;
    }
    tn_text_free_columns(k, names, types);
    return rc;
}

/* One piece of work per chunk when the pool has more than one thread and
 * the input is JSON lines. */
static int setup_parallel(jreader *r, tarn_error *err)
{
    r->threads = r->o.threads > 0 ? r->o.threads : tarn_threads();
    if (r->threads <= 1)
        return TARN_OK;
    if (r->o.block_size <= 0)
        r->block = ((size_t)4 << 20) * (size_t)(r->threads < 16 ? r->threads : 16);
    r->maxpar = 2 * r->threads;
    r->par = tn_calloc((size_t)r->maxpar, sizeof(jwork));
    TN_TRY_ALLOC(r->par, err, (size_t)r->maxpar * sizeof(jwork));
    for (int32_t i = 0; i < r->maxpar; i++) {
        jwork *w = &r->par[i];
        tn_buf_init(&w->scratch, 0);
        tn_buf_init(&w->chunk.rejects, 0);
        w->j.max_depth = r->seq.j.max_depth;
        TN_TRY(root_init(r, w, err));
    }
    return TARN_OK;
}

static int open_reader(tn_source *src, const char *name, const tn_json_options *opts, tn_reader **out, tarn_error *err)
{
    jreader *r = tn_calloc(1, sizeof *r);
    if (!r) {
        tn_source_free(src);
        return tn_error_oom(err, sizeof *r);
    }
    r->in.src = src;
    tn_reject_file_init(&r->rejfile);
    r->line = 1;
    r->col = 1;
    r->base.next = json_next;
    r->base.destroy = json_destroy;
    if (opts)
        r->o = *opts;
    tn_buf_init(&r->seq.scratch, 0);
    tn_buf_init(&r->seq.chunk.rejects, 0);
    tn_buf_init(&r->widened, 0);
    r->block = r->o.block_size > 0 ? (size_t)r->o.block_size : (size_t)4 << 20;
    r->batch_size = r->o.batch_size > 0 ? r->o.batch_size : 16384;
    if (r->o.max_row_bytes <= 0 || r->o.max_row_bytes > (1 << 29))
        r->o.max_row_bytes = 1 << 29;
    /* the parser recurses once per level: the cap keeps the stack small */
    r->seq.j.max_depth = r->o.max_depth > 0 ? r->o.max_depth : 512;
    if (r->seq.j.max_depth > 2048)
        r->seq.j.max_depth = 2048;
    int rc;
    r->name = tn_strdup(r->o.name ? r->o.name : name);
    if (!r->name) {
        rc = tn_error_oom(err, strlen(name) + 1);
        goto fail;
    }
    if (r->o.reject_path) {
        r->own_reject = tn_strdup(r->o.reject_path);
        if (!r->own_reject) {
            rc = tn_error_oom(err, strlen(r->o.reject_path) + 1);
            goto fail;
        }
        r->o.reject_path = r->own_reject;
    }
    if ((rc = refill(r, r->block > (1u << 20) ? r->block : (1u << 20), err)) != TARN_OK)
        goto fail;
    if (r->in.len >= 3 && memcmp(r->in.buf, "\xEF\xBB\xBF", 3) == 0)
        r->in.pos = 3;
    r->seq.j.buf = r->in.buf;
    r->seq.j.end = r->in.len;
    size_t p = skip_ws(&r->seq.j, r->in.pos);
    r->array_mode = r->o.format == TN_JSON_ARRAY || (r->o.format == TN_JSON_AUTO && p < r->in.len && r->in.buf[p] == '[');
    if (r->array_mode) {
        if (p >= r->in.len || r->in.buf[p] != '[') {
            rc = TN_CORRUPT(err, "%s:1:1: expected a top-level array", r->name);
            goto fail;
        }
        advance(r, p + 1);
    }
    if (r->o.schema && r->o.column_types) {
        rc = tn_error_set(err, TARN_EINVAL, "%s: give either a schema or column types, not both", r->name);
        goto fail;
    }
    if (r->o.schema) {
        r->base.schema = tn_schema_ref(r->o.schema);
        r->inferred_decimals = r->o.strict_decimals;
    } else if ((rc = infer_schema(r, err)) != TARN_OK) {
        goto fail;
    } else {
        r->inferred_decimals = r->o.decimal_inference;
    }
    if (r->o.column_types && (rc = apply_column_types(r, err)) != TARN_OK)
        goto fail;
    if ((rc = root_init(r, &r->seq, err)) != TARN_OK || (rc = setup_parallel(r, err)) != TARN_OK)
        goto fail;
    r->o.schema = NULL; /* used only while opening */
    r->o.column_types = NULL;
    r->o.name = NULL;
    *out = &r->base;
    return TARN_OK;
fail:
    tn_reader_free(&r->base);
    return rc;
}

int tn_json_open(const char *path, const tn_json_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    tn_source *src;
    TN_TRY(tn_source_open_file(path, opts ? opts->compression : TN_COMPRESSION_AUTO, &src, err));
    return open_reader(src, path, opts, out, err);
}

int tn_json_open_memory(const void *data, int64_t size, const tn_json_options *opts, tn_reader **out,
                        tarn_error *err)
{
    *out = NULL;
    tn_source *src;
    TN_TRY(tn_source_open_memory(data, size, opts ? opts->compression : TN_COMPRESSION_AUTO, &src, err));
    return open_reader(src, "input", opts, out, err);
}
