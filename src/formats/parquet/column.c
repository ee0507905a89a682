/*
 * column.c — walks the pages of one column chunk and decodes them.
 *
 * Chunk layout: [dictionary page] data page ... , each page a Thrift
 * PageHeader followed by compressed_page_size bytes.
 *   data page v1:  whole body compressed; inside: [u32 length + RLE rep
 *                  levels] [u32 length + RLE def levels] values (levels
 *                  absent when the max level is 0; BIT_PACKED levels carry
 *                  no length prefix).
 *   data page v2:  rep levels (rep_bytes) and def levels (def_bytes), both
 *                  RLE without length prefix and never compressed, then the
 *                  values, compressed when is_compressed.
 *   dictionary:    num_values PLAIN values.
 * The chunk must hold exactly ColumnMetaData.num_values levels.
 */
#include <string.h>
#include <zlib.h>

#include "core/alloc.h"
#include "core/hot.h"
#include "formats/parquet/codec.h"
#include "formats/parquet/column.h"

#define MAX_PAGE_VALUES (INT64_C(1) << 26)

void tn_pq_chunk_data_reset(pq_chunk_data *c)
{
    tn_free(c->def);
    tn_free(c->rep);
    tn_pq_dense_reset(&c->values);
    c->def = c->rep = NULL;
    c->n_levels = c->cap = 0;
}

typedef struct page_ctx {
    const pq_node *leaf;
    const pq_column_meta *m;
    const char *name;
    pq_chunk_data *out;
    pq_dense dict;
    bool have_dict;
    uint8_t *scratch;      /* decompressed page */
    size_t scratch_cap;
    pq_page_header dict_h; /* the dictionary page, decoded when first needed */
    const uint8_t *dict_body;
    bool dict_pending;
    const pq_rows_sel *sel; /* selective read: the rows to keep; NULL: all */
    int32_t si;            /* first interval of sel not before the current page */
    int64_t seen;          /* levels of the data pages walked so far */
    uint16_t *pdef;        /* selective read: the page's definition levels */
    int64_t pdef_cap;
    pq_skip_stats *st;
    tarn_error *err;
} page_ctx;

static int reserve_levels(page_ctx *c, int64_t n)
{
    pq_chunk_data *o = c->out;
    if (o->n_levels + n <= o->cap)
        return 0;
    int64_t cap = o->cap ? o->cap : 1024;
    while (cap < o->n_levels + n)
        cap *= 2;
    if (c->leaf->max_def > 0) {
        uint16_t *d = tn_realloc(o->def, (size_t)cap * 2);
        TN_TRY_ALLOC(d, c->err, (size_t)cap * 2);
        o->def = d;
    }
    if (c->leaf->max_rep > 0) {
        uint16_t *r = tn_realloc(o->rep, (size_t)cap * 2);
        TN_TRY_ALLOC(r, c->err, (size_t)cap * 2);
        o->rep = r;
    }
    o->cap = cap;
    return 0;
}

/* Never NULL after success, even for n == 0: a compressed page that claims
 * an empty body is still decompressed into it and walked from it. */
static int scratch(page_ctx *c, size_t n)
{
    if (n <= c->scratch_cap && c->scratch)
        return 0;
    uint8_t *s = tn_realloc(c->scratch, n + 8);
    TN_TRY_ALLOC(s, c->err, n);
    c->scratch = s;
    c->scratch_cap = n;
    return 0;
}

static int check_levels(page_ctx *c, const uint16_t *l, int64_t n, int max);

/* v1 levels: RLE with a u32 length prefix, or legacy BIT_PACKED. */
static int levels_v1(page_ctx *c, int encoding, int max, const uint8_t **p, const uint8_t *end, uint16_t *out,
                     int64_t n)
{
    int bw = tn_pq_bit_width((uint32_t)max);
    if (encoding == PQ_RLE) {
        if (end - *p < 4)
            return TN_CORRUPT(c->err, "parquet column \"%s\": truncated level length", c->name);
        uint32_t len;
        memcpy(&len, *p, 4);
        if (len > (size_t)(end - *p) - 4)
            return TN_CORRUPT(c->err, "parquet column \"%s\": levels of %u bytes past the end of the page", c->name,
                              len);
        TN_TRY(tn_pq_rle_u16(*p + 4, len, bw, out, n, c->err));
        *p += 4 + len;
    } else if (encoding == PQ_BIT_PACKED) {
        size_t used;
        TN_TRY(tn_pq_bitpacked_levels(*p, (size_t)(end - *p), bw, out, n, &used, c->err));
        *p += used;
    } else {
        return TN_CORRUPT(c->err, "parquet column \"%s\": level encoding %d", c->name, encoding);
    }
    return check_levels(c, out, n, max);
}

/* Level scans run once or twice per level of every page: branch-free
 * reductions, compiled for AVX2 too (vpmaxuw, vpcmpeqw). */
TN_HOT static uint16_t levels_top(const uint16_t *l, int64_t n)
{
    uint16_t top = 0;
    for (int64_t i = 0; i < n; i++)
        top = l[i] > top ? l[i] : top;
    return top;
}

/* Levels equal to v among l[0..n): the values a page holds. */
TN_HOT static int64_t levels_count(const uint16_t *l, int64_t n, uint16_t v)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        k += l[i] == v;
    return k;
}

static int check_levels(page_ctx *c, const uint16_t *l, int64_t n, int max)
{
    uint16_t top = levels_top(l, n); /* the culprit is searched only on failure */
    if (top <= max)
        return 0;
    for (int64_t i = 0; i < n; i++)
        if (l[i] > max)
            return TN_CORRUPT(c->err, "parquet column \"%s\": level %u above the maximum %d", c->name, l[i], max);
    return 0;
}

/* Decode the values section for a page with n levels, after its levels
 * were appended at out->def + first. */
static int page_values(page_ctx *c, int encoding, const uint8_t *p, size_t len, int64_t first, int64_t n)
{
    int64_t nn = n;
    if (c->leaf->max_def > 0) {
        nn = levels_count(c->out->def + first, n, (uint16_t)c->leaf->max_def);
    }
    if (c->leaf->conv == PQC_NULL)
        return 0;
    int rc = tn_pq_decode_values(&c->out->values, encoding, p, len, nn, c->have_dict ? &c->dict : NULL, c->err);
    if (rc && c->err && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
        tn_error_prefix(c->err, "column \"%s\": ", c->name);
    return rc;
}

static int first_rep_ok(page_ctx *c, int64_t first, int64_t n)
{
    /* The first level of a chunk starts a record. */
    if (c->leaf->max_rep > 0 && first == 0 && n > 0 && c->out->rep[0] != 0)
        return TN_CORRUPT(c->err, "parquet column \"%s\": first repetition level is not 0", c->name);
    return 0;
}

/* Decompress data page h and decode its n levels into rep and def (NULL
 * when the leaf has none); *vp and *vlen get the values section. */
static int page_levels(page_ctx *c, const pq_page_header *h, const uint8_t *body, int64_t n, uint16_t *rep,
                       uint16_t *def, const uint8_t **vp, size_t *vlen)
{
    const pq_node *leaf = c->leaf;
    size_t usize = (size_t)h->uncompressed_size, csize = (size_t)h->compressed_size;
    if (h->type == PQ_DATA_PAGE) {
        const uint8_t *p = body;
        if (c->m->codec != PQ_UNCOMPRESSED) {
            TN_TRY(scratch(c, usize));
            TN_TRY(tn_pq_decompress(c->m->codec, body, csize, c->scratch, usize, c->err));
            p = c->scratch;
        } else if (usize != csize) {
            return TN_CORRUPT(c->err, "parquet column \"%s\": uncompressed page sizes differ", c->name);
        }
        const uint8_t *end = p + usize;
        if (leaf->max_rep > 0)
            TN_TRY(levels_v1(c, h->rep_encoding, leaf->max_rep, &p, end, rep, n));
        if (leaf->max_def > 0)
            TN_TRY(levels_v1(c, h->def_encoding, leaf->max_def, &p, end, def, n));
        *vp = p;
        *vlen = (size_t)(end - p);
        return 0;
    }
    if (h->rep_bytes < 0 || h->def_bytes < 0 || (uint64_t)h->rep_bytes + (uint64_t)h->def_bytes > csize ||
        (uint64_t)h->rep_bytes + (uint64_t)h->def_bytes > usize)
        return TN_CORRUPT(c->err, "parquet column \"%s\": v2 level sizes exceed the page", c->name);
    const uint8_t *p = body;
    if (leaf->max_rep > 0) {
        TN_TRY(tn_pq_rle_u16(p, (size_t)h->rep_bytes, tn_pq_bit_width((uint32_t)leaf->max_rep), rep, n, c->err));
        TN_TRY(check_levels(c, rep, n, leaf->max_rep));
    }
    p += h->rep_bytes;
    if (leaf->max_def > 0) {
        TN_TRY(tn_pq_rle_u16(p, (size_t)h->def_bytes, tn_pq_bit_width((uint32_t)leaf->max_def), def, n, c->err));
        TN_TRY(check_levels(c, def, n, leaf->max_def));
    }
    p += h->def_bytes;
    size_t lv = (size_t)h->rep_bytes + (size_t)h->def_bytes;
    size_t vc = csize - lv, vu = usize - lv;
    const uint8_t *v = p;
    if (h->is_compressed && c->m->codec != PQ_UNCOMPRESSED && vu > 0) {
        TN_TRY(scratch(c, vu));
        TN_TRY(tn_pq_decompress(c->m->codec, p, vc, c->scratch, vu, c->err));
        v = c->scratch;
    } else if (vu != vc && vu > 0) {
        return TN_CORRUPT(c->err, "parquet column \"%s\": uncompressed page sizes differ", c->name);
    }
    *vp = v;
    *vlen = vu;
    return 0;
}

static int check_page_count(page_ctx *c, int64_t n, int64_t seen)
{
    if (n < 0 || n > MAX_PAGE_VALUES)
        return TN_CORRUPT(c->err, "parquet column \"%s\": page of %lld values", c->name, (long long)n);
    if (n > c->m->num_values - seen)
        return TN_CORRUPT(c->err, "parquet column \"%s\": pages hold more than the chunk's %lld values", c->name,
                          (long long)c->m->num_values);
    return 0;
}

static int data_page(page_ctx *c, const pq_page_header *h, const uint8_t *body)
{
    int64_t n = h->num_values;
    TN_TRY(check_page_count(c, n, c->out->n_levels));
    if (n == 0) /* an empty page (some writers emit them) holds nothing to decode */
        return 0;
    TN_TRY(reserve_levels(c, n));
    int64_t first = c->out->n_levels;
    const uint8_t *v;
    size_t vlen;
    TN_TRY(page_levels(c, h, body, n, c->out->rep ? c->out->rep + first : NULL,
                       c->out->def ? c->out->def + first : NULL, &v, &vlen));
    TN_TRY(first_rep_ok(c, first, n));
    TN_TRY(page_values(c, h->encoding, v, vlen, first, n));
    c->out->n_levels += n;
    return 0;
}

static int decode_dict(page_ctx *c);

/* A data page of a flat leaf read for the rows of c->sel only: a page
 * holding none of them is not even decompressed; in the others the values
 * of rows outside the selection are skipped (pq_vreader). */
static int data_page_sel(page_ctx *c, const pq_page_header *h, const uint8_t *body)
{
    int64_t n = h->num_values;
    TN_TRY(check_page_count(c, n, c->seen));
    int64_t row0 = c->seen;
    c->seen += n;
    if (n == 0)
        return 0;
    const pq_rows_sel *s = c->sel;
    while (c->si < s->n && s->iv[2 * c->si + 1] <= row0)
        c->si++;
    if (c->si == s->n || s->iv[2 * c->si] >= row0 + n) {
        c->st->pages++;
        c->st->values += n;
        return 0;
    }
    TN_TRY(decode_dict(c));
    const pq_node *leaf = c->leaf;
    if (leaf->max_def > 0 && n > c->pdef_cap) {
        uint16_t *d = tn_realloc(c->pdef, (size_t)n * 2);
        TN_TRY_ALLOC(d, c->err, (size_t)n * 2);
        c->pdef = d;
        c->pdef_cap = n;
    }
    const uint16_t *def = leaf->max_def > 0 ? c->pdef : NULL;
    const uint8_t *vp;
    size_t vlen;
    TN_TRY(page_levels(c, h, body, n, NULL, c->pdef, &vp, &vlen));
    int16_t md = leaf->max_def;
    int64_t nn = n;
    if (def) {
        nn = levels_count(def, n, (uint16_t)md);
    }
    bool vals = leaf->conv != PQC_NULL;
    pq_vreader v;
    memset(&v, 0, sizeof v);
    int rc = vals ? tn_pq_vreader_init(&v, &c->out->values, h->encoding, vp, vlen, nn, c->have_dict ? &c->dict : NULL,
                                       c->err)
                  : 0;
    int64_t at = 0, kept = 0;
    for (int32_t k = c->si; !rc && k < s->n && s->iv[2 * k] < row0 + n; k++) {
        int64_t a = (s->iv[2 * k] > row0 ? s->iv[2 * k] : row0) - row0;
        int64_t b = (s->iv[2 * k + 1] < row0 + n ? s->iv[2 * k + 1] : row0 + n) - row0;
        int64_t skip = a - at, take = b - a;
        if (def) {
            skip = levels_count(def + at, a - at, (uint16_t)md);
            take = levels_count(def + a, b - a, (uint16_t)md);
        }
        if (vals && !(rc = tn_pq_vreader_skip(&v, skip, c->err)))
            rc = tn_pq_vreader_read(&v, &c->out->values, take, c->err);
        if (!rc)
            rc = reserve_levels(c, b - a);
        if (!rc && def)
            memcpy(c->out->def + c->out->n_levels, def + a, (size_t)(b - a) * 2);
        if (!rc)
            c->out->n_levels += b - a;
        kept += b - a;
        at = b;
    }
    tn_pq_vreader_reset(&v);
    if (rc && c->err && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
        tn_error_prefix(c->err, "column \"%s\": ", c->name);
    c->st->values += n - kept;
    return rc;
}

static int dict_page(page_ctx *c, const pq_page_header *h, const uint8_t *body)
{
    if (h->num_values < 0 || h->num_values > MAX_PAGE_VALUES)
        return TN_CORRUPT(c->err, "parquet column \"%s\": dictionary of %d values", c->name, h->num_values);
    if (h->encoding != PQ_PLAIN && h->encoding != PQ_PLAIN_DICTIONARY)
        return TN_CORRUPT(c->err, "parquet column \"%s\": dictionary page encoding %d", c->name, h->encoding);
    c->dict_h = *h;
    c->dict_body = body;
    c->dict_pending = true;
    c->have_dict = false;
    return c->sel ? 0 : decode_dict(c); /* selective reads decode it for the first page they keep */
}

static int decode_dict(page_ctx *c)
{
    if (!c->dict_pending)
        return 0;
    c->dict_pending = false;
    const pq_page_header *h = &c->dict_h;
    size_t usize = (size_t)h->uncompressed_size, csize = (size_t)h->compressed_size;
    const uint8_t *p = c->dict_body;
    if (c->m->codec != PQ_UNCOMPRESSED && usize > 0) {
        TN_TRY(scratch(c, usize));
        TN_TRY(tn_pq_decompress(c->m->codec, p, csize, c->scratch, usize, c->err));
        p = c->scratch;
    } else if (usize > csize) {
        return TN_CORRUPT(c->err, "parquet column \"%s\": dictionary page sizes differ", c->name);
    }
    tn_pq_dense_reset(&c->dict);
    c->have_dict = true;
    return tn_pq_decode_values(&c->dict, PQ_PLAIN, p, usize, h->num_values, NULL, c->err);
}

/* Level index where record k (0-based) starts, or -1 when there are not
 * that many records yet. */
static int64_t record_start(const pq_chunk_data *o, int64_t k)
{
    if (!o->rep)
        return k < o->n_levels ? k : -1;
    int64_t seen = 0;
    for (int64_t i = 0; i < o->n_levels; i++)
        if (o->rep[i] == 0 && seen++ == k)
            return i;
    return -1;
}

/* Keep the first `cut` levels and the values they hold. */
static void truncate_levels(const pq_node *leaf, pq_chunk_data *o, int64_t cut)
{
    int64_t keep = cut;
    if (o->def) {
        keep = 0;
        for (int64_t i = 0; i < cut; i++)
            keep += o->def[i] == leaf->max_def;
    }
    o->n_levels = cut;
    if (leaf->conv == PQC_NULL || keep >= o->values.n)
        return;
    o->values.n = keep;
    if (!o->values.width)
        o->values.data_len = o->values.offs[keep];
}

static int read_chunk(const pq_node *leaf, const pq_column_meta *m, const uint8_t *p, size_t n, const char *name,
                      bool verify_crc, int64_t max_rows, const pq_rows_sel *sel, pq_skip_stats *st,
                      pq_chunk_data *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    tn_pq_dense_init(&out->values, leaf->elt->type, leaf->elt->type_length);
    pq_skip_stats dummy = {0};
    page_ctx c = {.leaf = leaf, .m = m, .name = name, .out = out, .err = err, .sel = sel, .st = st ? st : &dummy};
    tn_pq_dense_init(&c.dict, leaf->elt->type, leaf->elt->type_length);
    /* Size the buffers once from the metadata, within what the chunk's
     * bytes can plausibly hold, instead of growing them page by page. */
    int64_t guess = m->num_values < (int64_t)n * 8 + 1024 ? m->num_values : (int64_t)n * 8 + 1024;
    if (sel) { /* room for the selected rows only */
        int64_t k = 0;
        for (int32_t i = 0; i < sel->n; i++)
            k += sel->iv[2 * i + 1] - sel->iv[2 * i];
        guess = k < guess ? k : guess;
    }
    int64_t bytes = m->total_uncompressed_size > 0 && m->total_uncompressed_size < (int64_t)n * 16
                        ? m->total_uncompressed_size : (int64_t)n;
    int rc = guess > 0 ? reserve_levels(&c, guess) : 0;
    if (!rc && guess > 0 && leaf->conv != PQC_NULL)
        rc = tn_pq_dense_reserve(&out->values, guess, out->values.width ? 0 : bytes, err);
    size_t pos = 0;
    while (!rc && (sel ? c.seen : out->n_levels) < m->num_values) {
        if (pos >= n) {
            rc = TN_CORRUPT(err, "parquet column \"%s\": chunk ends after %lld of %lld values", name,
                            (long long)(sel ? c.seen : out->n_levels), (long long)m->num_values);
            break;
        }
        pq_page_header h;
        size_t used;
        if ((rc = tn_pq_page_header_decode(p + pos, n - pos, &h, &used, err))) {
            tn_error_prefix(err, "column \"%s\" at chunk byte %zu: ", name, pos);
            break;
        }
        pos += used;
        if ((size_t)h.compressed_size > n - pos) {
            rc = TN_CORRUPT(err, "parquet column \"%s\": page of %d bytes past the end of the chunk", name,
                            h.compressed_size);
            break;
        }
        const uint8_t *body = p + pos;
        pos += (size_t)h.compressed_size;
        if (verify_crc && h.has_crc &&
            (uint32_t)crc32(0L, body, (uInt)h.compressed_size) != h.crc) {
            rc = TN_CORRUPT(err, "parquet column \"%s\": page CRC mismatch at chunk byte %zu", name,
                            pos - (size_t)h.compressed_size);
            break;
        }
        if ((h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2 || h.type == PQ_DICTIONARY_PAGE) && !h.has_sub) {
            rc = TN_CORRUPT(err, "parquet column \"%s\": page without its %s header", name,
                            h.type == PQ_DICTIONARY_PAGE ? "dictionary" : "data");
        } else if (h.type == PQ_DICTIONARY_PAGE) {
            rc = dict_page(&c, &h, body);
        } else if ((h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2) && sel) {
            rc = data_page_sel(&c, &h, body);
        } else if (h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2) {
            rc = data_page(&c, &h, body);
            /* Limit: stop once the record after the last one wanted has begun
             * (for flat columns: once max_rows levels are in). */
            int64_t cut = max_rows >= 0 && !rc ? record_start(out, max_rows) : -1;
            if (cut >= 0) {
                truncate_levels(leaf, out, cut);
                break;
            }
        } /* index pages and unknown page types are skipped */
    }
    tn_free(c.scratch);
    tn_free(c.pdef);
    tn_pq_dense_reset(&c.dict);
    if (rc)
        tn_pq_chunk_data_reset(out);
    return rc;
}

int tn_pq_read_chunk(const pq_node *leaf, const pq_column_meta *m, const uint8_t *p, size_t n, const char *name,
                     bool verify_crc, int64_t max_rows, pq_chunk_data *out, tarn_error *err)
{
    return read_chunk(leaf, m, p, n, name, verify_crc, max_rows, NULL, NULL, out, err);
}

int tn_pq_read_chunk_rows(const pq_node *leaf, const pq_column_meta *m, const uint8_t *p, size_t n, const char *name,
                          bool verify_crc, const pq_rows_sel *sel, pq_skip_stats *st, pq_chunk_data *out,
                          tarn_error *err)
{
    if (leaf->max_rep > 0)
        return tn_error_set(err, TARN_EINTERNAL, "parquet column \"%s\": rows selected in a repeated column", name);
    return read_chunk(leaf, m, p, n, name, verify_crc, -1, sel, st, out, err);
}
