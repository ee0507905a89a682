/*
 * writer.c — tn_parquet_write_file: Arrow record batches to a Parquet file.
 *
 * The Arrow schema maps to a Parquet schema (lists in the three-level LIST
 * form, maps as MAP/key_value, structs as groups; logical types plus the
 * legacy converted types where one exists). Batches are buffered until a
 * row group is full (rows or bytes); then every leaf column is shredded,
 * by tasks on the thread pool that claim leaves largest first while the
 * caller reads the next row group (flush_group, encode_some, run_leaf,
 * encode_leaf, finish_group; make_room keeps the batches held at about
 * one row group, release_column drops a column once encoded, and each
 * encoding borrows one of a few per-thread sets of working buffers),
 * into repetition and definition levels and PLAIN values (shred, or
 * shred_flat in bulk for top-level primitives), dictionary-encoded when the
 * dictionary stays under dictionary_bytes (build_dict), cut into data pages
 * (v1, or v2) of about page_bytes at record boundaries, compressed, and
 * written with chunk statistics (chunk_stats). The footer (FileMetaData,
 * Thrift compact) and "PAR1" close the file, which is written under a
 * temporary name and renamed into place, so readers see the whole file or
 * none.
 *
 * Each chunk is encoded into its own buffer with offsets relative to it;
 * finish_group writes the chunks in column order and relocates them, so
 * the bytes do not depend on the thread count. Per-column settings
 * (codec, encoding, dictionary, bloom filter) come from column_settings;
 * bloom filters follow their row group's chunks; the page index (column
 * and offset indexes) and the footer with ARROW:schema (arrow_schema.c)
 * close the file.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "core/pool.h"
#include "formats/atomic.h"
#include "formats/parquet/arrow_schema.h"
#include "formats/parquet/bloom.h"
#include "formats/parquet/codec.h"
#include "formats/parquet/decode.h"
#include "formats/parquet/encode.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/schema.h"
#include "formats/parquet/thrift.h"

typedef struct wnode wnode;
struct wnode {
    char *name;
    int repetition;        /* PQ_REQUIRED, PQ_OPTIONAL, PQ_REPEATED */
    int ptype;             /* physical type; -1 for groups */
    int32_t type_length;
    int converted;         /* -1: none */
    pq_logical logical;
    int kind;              /* PQN_* of the Arrow shape */
    const tn_type *type;   /* the Arrow type (leaves, lists, maps, structs) */
    int16_t max_def, max_rep;
    int32_t n_children;
    wnode *children;
    int32_t leaf;          /* leaves: column index */
};

#define STAT_MAX 64            /* bytes of a min/max statistic; longer ones are truncated */

typedef struct wbounds {   /* min/max of some values, as statistics hold them */
    bool has_min, has_max;
    uint8_t min_len, max_len;
    uint8_t min[STAT_MAX], max[STAT_MAX];
} wbounds;

typedef struct wpage {     /* a data page, for the column and offset indexes */
    int64_t offset, first_row, nulls;
    int32_t size;          /* header and (compressed) data */
    bool null_page;        /* no non-null value */
    wbounds b;
} wpage;

typedef struct wchunk {    /* one row group's column chunk being written */
    int64_t offset, usize, csize, num_values;
    int64_t data_offset;   /* first data page (after the dictionary page, if any) */
    bool dict;             /* dictionary-encoded */
    int enc;               /* encoding of the data pages' values */
    int64_t null_count;
    bool has_min, has_max;
    uint8_t min_len, max_len;
    uint8_t min[STAT_MAX], max[STAT_MAX];
    wpage *pages;          /* data pages, in order */
    int32_t n_pages, cap_pages;
    int64_t rows_done;     /* rows of the pages written so far */
    int64_t ci_offset, oi_offset; /* column / offset index; 0: not written */
    int32_t ci_len, oi_len;
    uint8_t *bloom;        /* the bloom filter's bitset until written; NULL: none */
    int64_t bloom_bytes;
    int64_t bloom_offset;  /* header and bitset in the file; 0: none */
    int32_t bloom_len;
} wchunk;

/* The working buffers of one leaf's encoding, and the counts that say what
 * they hold. A leaf holds them (wleaf.s) only while it is encoded: the
 * writer keeps one set per thread, not one per leaf (wset), lends a set to
 * a leaf for its task and takes it back after (swap_scratch), and a set's
 * buffers are reused, grown, across leaves and row groups. So the encoder
 * must not assume its buffers were last used by this leaf or a leaf of the
 * same type, and anything that describes what a buffer holds belongs here. */
typedef struct wscratch {
    uint16_t *def, *rep;
    int64_t cap;           /* levels allocated (def, rep; voff has cap + 1) */
    int64_t *voff;         /* byte offset of the values at each level; n + 1 */
    tn_buf values;         /* PLAIN values (booleans: one byte each) */
    uint32_t *idx;         /* dictionary index of each value */
    int64_t idx_cap;
    tn_buf dict;           /* PLAIN dictionary entries */
    uint32_t *slots;       /* hash table: index of an entry + 1; 0 empty */
    uint64_t *ftab;        /* fixed-width dictionaries' own table: per slot the value and its entry + 1 (fslot) */
    int64_t ftab_bytes;    /* ftab's allocated bytes */
    int64_t *dict_at;      /* byte arrays and FLBA: byte offset of each entry in dict; n_dict + 1 */
    uint64_t *dict_hash;   /* byte arrays and FLBA: hash of each entry */
    int64_t n_dict, slots_cap, dict_cap; /* n_dict: the entries dict (and dict_hash) hold */
    int dict_fw;           /* width of the entries of a fixed-width (4, 8) dictionary; 0: dict_at */
    uint32_t *rank;        /* with sorted_dict: each entry's place in value order */
    uint32_t *order;       /* entries in value order (and merge scratch after it) */
    int64_t rank_cap;
    bool ranked;           /* rank holds this chunk's dictionary order */
    tn_buf page, comp, header; /* a page's body, compressed body and header */
    uint32_t *scratch;     /* levels widened for the encoder */
    int64_t scratch_cap;
} wscratch;

typedef struct wleaf {
    int codec, level;      /* compression of this column */
    int encoding;          /* value encoding asked for (PQ_PLAIN: PLAIN or dictionary) */
    bool dictionary;       /* try a dictionary */
    bool bloom;            /* a bloom filter per chunk, sized for bloom_ndv (0: the chunk's) at bloom_fpp */
    int64_t bloom_ndv;
    double bloom_fpp;
    int32_t top;           /* index of chain[0] among the top-level columns */
    wnode *chain[64];      /* from the top-level node down to the leaf */
    int32_t child_at[64];  /* index of chain[k+1] among chain[k]'s Arrow children */
    int depth;
    int64_t n;             /* levels shredded */
    int64_t nulls;
    wscratch s;            /* lent while the leaf is encoded; empty otherwise */
    tn_buf out;            /* the encoded chunk; offsets in wchunk are relative to it until placed */
    tn_buf written;        /* the previous group's chunk, written while out is encoded (wait_group) */
    tarn_error *err;       /* the error of the task encoding the leaf */
} wleaf;

typedef struct wset wset;  /* a set of working buffers not lent out */
struct wset {
    wset *next;            /* the free list */
    wscratch s;
};

typedef struct writer writer;

typedef struct wjob {      /* one leaf's chunk of the row group being encoded */
    writer *w;
    wleaf *l;
    wchunk *ch;
} wjob;

struct writer {
    tn_parquet_write_options o;
    const char *path;
    tn_atomic_file out;    /* the temporary beside the target (formats/atomic.h) */
    int64_t pos;
    tn_schema *schema;
    wnode root;
    int32_t n_leaves;
    wleaf *leaves;
    int32_t n_groups, cap_groups;
    int64_t *group_rows;
    wchunk *chunks;        /* n_groups * n_leaves */
    int64_t total_rows;
    tn_batch **pending;
    int32_t n_pending, cap_pending;
    int64_t pending_rows;
    int64_t pending_bytes;  /* Arrow bytes of the pending batches' buffers (memory held) */
    int64_t group_bytes;    /* bytes of the pending rows (rows_bytes): where a group closes */
    tn_batch **sealed;     /* the batches of the row group being encoded */
    int32_t n_sealed, cap_sealed;
    tn_taskgroup *encoding; /* its column chunks' tasks; NULL when none */
    wjob *jobs;            /* n_leaves */
    int32_t *order;        /* leaves in the order they are claimed: largest column first */
    _Atomic int32_t next;  /* the next place in order to claim */
    _Atomic bool stop;     /* a leaf failed: claim no more */
    int32_t n_done;        /* leaves of the sealed group encoded (under mu) */
    _Atomic int32_t *left; /* per top-level column: its leaves not yet encoded */
    _Atomic int64_t sealed_bytes; /* Arrow bytes of the sealed columns not yet released */
    pthread_mutex_t mu;    /* guards spare, n_sets, n_done; cv: a leaf is done or a set returned */
    pthread_cond_t cv;
    wset *spare;           /* working buffer sets not lent out */
    int32_t n_sets;        /* sets made: at most one per thread */
    char *arrow_schema;    /* ARROW:schema value (base64); NULL when not written */
    tarn_error *err;
};

/* --- schema ------------------------------------------------------------------- */

static int unsupported(writer *w, const char *name, const tn_type *t)
{
    return tn_error_set(w->err, TARN_EUNSUPPORTED, "parquet writer: column \"%s\" of type %s is not supported", name,
                        tn_type_id_name(t->id));
}

static int leaf_of(writer *w, wnode *n, const tn_type *t)
{
    n->kind = PQN_LEAF;
    pq_logical *l = &n->logical;
    switch (t->id) {
    case TN_NA: n->ptype = PQ_INT32; l->kind = PQ_LT_UNKNOWN; break; /* always null */
    case TN_BOOL: n->ptype = PQ_BOOLEAN; break;
    case TN_INT8: case TN_INT16: case TN_INT32: case TN_UINT8: case TN_UINT16: case TN_UINT32:
    case TN_INT64: case TN_UINT64: {
        bool sgn = tn_type_is_signed_int(t->id);
        int bits = t->byte_width * 8;
        n->ptype = bits == 64 ? PQ_INT64 : PQ_INT32;
        if (bits != 32 || !sgn) {
            l->kind = PQ_LT_INTEGER;
            l->bit_width = (int8_t)bits;
            l->is_signed = sgn;
            n->converted = sgn ? (bits == 8 ? PQ_CT_INT_8 : bits == 16 ? PQ_CT_INT_16 : PQ_CT_INT_64)
                               : (bits == 8 ? PQ_CT_UINT_8 : bits == 16 ? PQ_CT_UINT_16 : bits == 32 ? PQ_CT_UINT_32 : PQ_CT_UINT_64);
        }
        break;
    }
    case TN_FLOAT16: n->ptype = PQ_FLBA; n->type_length = 2; l->kind = PQ_LT_FLOAT16; break;
    case TN_FLOAT32: n->ptype = PQ_FLOAT; break;
    case TN_FLOAT64: n->ptype = PQ_DOUBLE; break;
    case TN_DECIMAL128:
    case TN_DECIMAL256:
        l->kind = PQ_LT_DECIMAL;
        l->precision = t->precision;
        l->scale = t->scale;
        n->converted = PQ_CT_DECIMAL;
        if (t->precision <= 9) {
            n->ptype = PQ_INT32;
        } else if (t->precision <= 18) {
            n->ptype = PQ_INT64;
        } else {
            n->ptype = PQ_FLBA;
            int bytes = 1; /* the fewest bytes holding 10^precision - 1 */
            while (bytes < 32 && (double)(bytes * 8 - 1) * 0.30102999566398 < t->precision)
                bytes++;
            n->type_length = bytes;
        }
        break;
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
        n->ptype = PQ_BYTE_ARRAY;
        l->kind = PQ_LT_STRING;
        n->converted = PQ_CT_UTF8;
        break;
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: n->ptype = PQ_BYTE_ARRAY; break;
    case TN_FIXED_BINARY: n->ptype = PQ_FLBA; n->type_length = t->byte_width; break;
    case TN_DICTIONARY: /* written as its values; ARROW:schema keeps the dictionary type */
        if (t->value_type->n_children > 0 || t->value_type->id == TN_DICTIONARY)
            return unsupported(w, n->name, t);
        return leaf_of(w, n, t->value_type);
    case TN_DURATION: n->ptype = PQ_INT64; break; /* as Arrow C++: plain INT64, the unit in ARROW:schema */
    case TN_DATE32: case TN_DATE64: /* date64 as days, as Arrow C++ does */
        n->ptype = PQ_INT32;
        l->kind = PQ_LT_DATE;
        n->converted = PQ_CT_DATE;
        break;
    /* Arrow times are local times of day: TIME with isAdjustedToUTC false
     * (DuckDB reads true as TIME WITH TIME ZONE), as arrow-rs writes them.
     * The converted types TIME_MILLIS/MICROS mean UTC-adjusted times, so
     * none is written. */
    case TN_TIME32: /* seconds as milliseconds, as Arrow C++ does */
        n->ptype = PQ_INT32;
        l->kind = PQ_LT_TIME;
        l->unit = PQ_UNIT_MILLIS;
        l->utc = false;
        break;
    case TN_TIME64:
        n->ptype = PQ_INT64;
        l->kind = PQ_LT_TIME;
        l->unit = t->unit == TN_MICRO ? PQ_UNIT_MICROS : PQ_UNIT_NANOS;
        l->utc = false;
        break;
    case TN_TIMESTAMP: /* seconds as milliseconds, as Arrow C++ does */
        n->ptype = PQ_INT64;
        l->kind = PQ_LT_TIMESTAMP;
        l->unit = t->unit == TN_MILLI || t->unit == TN_SECOND ? PQ_UNIT_MILLIS : t->unit == TN_MICRO ? PQ_UNIT_MICROS : PQ_UNIT_NANOS;
        l->utc = t->tz != NULL;
        if (l->utc && t->unit != TN_NANO)
            n->converted = t->unit == TN_MICRO ? PQ_CT_TIMESTAMP_MICROS : PQ_CT_TIMESTAMP_MILLIS;
        break;
    default:
        return unsupported(w, n->name, t);
    }
    n->leaf = w->n_leaves++;
    return 0;
}

static int build_node(writer *w, wnode *n, const char *name, const tn_type *t, int repetition, int pd, int pr);

static int group_of(writer *w, wnode *n, int32_t k)
{
    n->ptype = -1;
    n->children = tn_calloc((size_t)k + 1, sizeof *n->children);
    TN_TRY_ALLOC(n->children, w->err, (size_t)k * sizeof *n->children);
    n->n_children = k;
    return 0;
}

static int build_node(writer *w, wnode *n, const char *name, const tn_type *t, int repetition, int pd, int pr)
{
    n->name = tn_strdup(name);
    TN_TRY_ALLOC(n->name, w->err, strlen(name));
    if (t->id == TN_NA)
        repetition = PQ_OPTIONAL;
    n->repetition = repetition;
    n->converted = -1;
    n->type = t;
    n->max_def = (int16_t)(pd + (repetition != PQ_REQUIRED));
    n->max_rep = (int16_t)(pr + (repetition == PQ_REPEATED));
    if (n->max_def > 60)
        return tn_error_set(w->err, TARN_EUNSUPPORTED, "parquet writer: column \"%s\" nested too deeply", name);
    int d = n->max_def, r = n->max_rep;
    switch (t->id) {
    case TN_LIST:
    case TN_LARGE_LIST:
    case TN_MAP: {
        bool map = t->id == TN_MAP;
        n->kind = map ? PQN_MAP : PQN_LIST;
        n->logical.kind = map ? PQ_LT_MAP : PQ_LT_LIST;
        n->converted = map ? PQ_CT_MAP : PQ_CT_LIST;
        TN_TRY(group_of(w, n, 1));
        wnode *rep = &n->children[0];
        rep->name = tn_strdup(map ? "key_value" : "list");
        TN_TRY_ALLOC(rep->name, w->err, 16);
        rep->repetition = PQ_REPEATED;
        rep->converted = -1;
        rep->kind = PQN_STRUCT;
        rep->max_def = (int16_t)(d + 1);
        rep->max_rep = (int16_t)(r + 1);
        const tn_field *item = &t->children[0];
        if (!map) {
            TN_TRY(group_of(w, rep, 1));
            return build_node(w, &rep->children[0], "element", item->type, item->nullable ? PQ_OPTIONAL : PQ_REQUIRED,
                              d + 1, r + 1);
        }
        const tn_type *entries = item->type;
        TN_TRY(group_of(w, rep, 2));
        rep->type = entries;
        TN_TRY(build_node(w, &rep->children[0], "key", entries->children[0].type, PQ_REQUIRED, d + 1, r + 1));
        return build_node(w, &rep->children[1], "value", entries->children[1].type,
                          entries->children[1].nullable ? PQ_OPTIONAL : PQ_REQUIRED, d + 1, r + 1);
    }
    case TN_STRUCT:
        if (t->n_children == 0)
            return unsupported(w, name, t);
        n->kind = PQN_STRUCT;
        TN_TRY(group_of(w, n, t->n_children));
        for (int32_t i = 0; i < t->n_children; i++)
            TN_TRY(build_node(w, &n->children[i], t->children[i].name, t->children[i].type,
                              t->children[i].nullable ? PQ_OPTIONAL : PQ_REQUIRED, d, r));
        return 0;
    default:
        return leaf_of(w, n, t);
    }
}

static void free_node(wnode *n)
{
    for (int32_t i = 0; i < n->n_children; i++)
        free_node(&n->children[i]);
    tn_free(n->children);
    tn_free(n->name);
}

/* Record the chain of nodes from the top to each leaf. */
static void chains(writer *w, wnode *n, wnode **stack, int32_t *idx, int depth)
{
    stack[depth] = n;
    if (n->kind == PQN_LEAF && n->n_children == 0) {
        wleaf *l = &w->leaves[n->leaf];
        l->depth = depth + 1;
        memcpy(l->chain, stack, sizeof(wnode *) * (size_t)(depth + 1));
        memcpy(l->child_at, idx, sizeof(int32_t) * (size_t)(depth + 1));
        return;
    }
    for (int32_t i = 0; i < n->n_children; i++) {
        idx[depth] = i;
        chains(w, &n->children[i], stack, idx, depth + 1);
    }
}

/* --- shredding: Arrow arrays to levels and PLAIN values ------------------------ */

/* Room for levels up to index need (and voff[need]). On failure the
 * arrays keep their old capacity. */
static int grow_levels(writer *w, wleaf *l, int64_t need)
{
    if (need < l->s.cap)
        return 0;
    int64_t cap = l->s.cap ? l->s.cap : 4096;
    while (cap <= need)
        cap *= 2;
    uint16_t *nd = tn_realloc(l->s.def, (size_t)cap * 2);
    if (nd)
        l->s.def = nd;
    uint16_t *nr = nd ? tn_realloc(l->s.rep, (size_t)cap * 2) : NULL;
    if (nr)
        l->s.rep = nr;
    int64_t *nv = nr ? tn_realloc(l->s.voff, (size_t)(cap + 1) * 8) : NULL;
    if (!nv)
        return tn_error_oom(l->err, (size_t)cap * 12);
    l->s.voff = nv;
    l->s.cap = cap;
    return 0;
}

static int push(writer *w, wleaf *l, int r, int d)
{
    TN_TRY(grow_levels(w, l, l->n + 1));
    l->s.def[l->n] = (uint16_t)d;
    l->s.rep[l->n] = (uint16_t)r;
    l->s.voff[l->n] = (int64_t)l->s.values.len;
    l->n++;
    return 0;
}

/* Seconds as milliseconds (timestamp[s], time32[s]), or an error naming
 * the column when the value does not fit. */
static int seconds_to_ms(wleaf *l, const wnode *n, int64_t x, int bytes, tn_buf *b)
{
    int64_t lim = bytes == 4 ? INT32_MAX / 1000 : INT64_MAX / 1000;
    if (x > lim || x < -lim)
        return tn_error_set(l->err, TARN_EOVERFLOW, "parquet writer: column \"%s\": %lld seconds do not fit in milliseconds",
                            n->name, (long long)x);
    x *= 1000;
    if (bytes == 4) {
        int32_t y = (int32_t)x;
        return tn_buf_append(b, &y, 4, l->err);
    }
    return tn_buf_append(b, &x, 8, l->err);
}

static int put_value(writer *w, wleaf *l, const wnode *n, const tn_array *a, int64_t i)
{
    if (a->type->id == TN_DICTIONARY) /* the value the index points at */
        return put_value(w, l, n, a->dictionary, tn_array_dict_index(a, i));
    tn_buf *b = &l->s.values;
    int64_t j = a->offset + i;
    const uint8_t *v = a->n_buffers > 1 && a->buffers[1] ? a->buffers[1]->data : NULL;
    switch (a->type->id) {
    case TN_TIMESTAMP:
        if (a->type->unit == TN_SECOND)
            return seconds_to_ms(l, n, ((const int64_t *)v)[j], 8, b);
        break;
    case TN_TIME32:
        if (a->type->unit == TN_SECOND)
            return seconds_to_ms(l, n, ((const int32_t *)v)[j], 4, b);
        break;
    case TN_DATE64: {
        int64_t ms = ((const int64_t *)v)[j], d = ms / 86400000 - (ms % 86400000 < 0);
        if (d > INT32_MAX || d < INT32_MIN)
            return tn_error_set(l->err, TARN_EOVERFLOW, "parquet writer: column \"%s\": date64 %lld out of range",
                                n->name, (long long)ms);
        int32_t x = (int32_t)d;
        return tn_buf_append(b, &x, 4, l->err);
    }
    default:
        break;
    }
    switch (a->type->id) {
    case TN_BOOL:
        return tn_buf_append_byte(b, tn_bit_get(v, j), l->err);
    case TN_INT8: { int32_t x = ((const int8_t *)v)[j]; return tn_buf_append(b, &x, 4, l->err); }
    case TN_INT16: { int32_t x = ((const int16_t *)v)[j]; return tn_buf_append(b, &x, 4, l->err); }
    case TN_UINT8: { int32_t x = ((const uint8_t *)v)[j]; return tn_buf_append(b, &x, 4, l->err); }
    case TN_UINT16: { int32_t x = ((const uint16_t *)v)[j]; return tn_buf_append(b, &x, 4, l->err); }
    case TN_DECIMAL128:
    case TN_DECIMAL256: {
        const uint8_t *p = v + j * a->type->byte_width;
        if (n->ptype == PQ_INT32 || n->ptype == PQ_INT64)
            return tn_buf_append(b, p, n->ptype == PQ_INT32 ? 4 : 8, l->err);
        uint8_t be[32];
        for (int k = 0; k < n->type_length; k++)
            be[k] = p[n->type_length - 1 - k];
        return tn_buf_append(b, be, (size_t)n->type_length, l->err);
    }
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: {
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, i, &len);
        if (len > UINT32_MAX / 2)
            return tn_error_set(l->err, TARN_EOVERFLOW, "parquet writer: value of %lld bytes", (long long)len);
        uint32_t l32 = (uint32_t)len;
        TN_TRY(tn_buf_append(b, &l32, 4, l->err));
        return tn_buf_append(b, p, (size_t)len, l->err);
    }
    default:
        return tn_buf_append(b, v + j * a->type->byte_width, (size_t)a->type->byte_width, l->err);
    }
}

static int shred(writer *w, wleaf *l, int k, const tn_array *a, int64_t i, int r, int d)
{
    const wnode *n = l->chain[k];
    if (n->repetition == PQ_OPTIONAL) {
        if (!tn_array_is_valid(a, i))
            return push(w, l, r, d);
        d++;
    }
    switch (n->kind) {
    case PQN_LEAF:
        if (a->type->id == TN_DICTIONARY && !tn_array_is_valid(a->dictionary, tn_array_dict_index(a, i))) {
            if (n->repetition != PQ_OPTIONAL)
                return tn_error_set(l->err, TARN_EINVAL, "parquet writer: column \"%s\" is not nullable but has a null",
                                    n->name);
            return push(w, l, r, d - 1); /* an index to a null dictionary value */
        }
        TN_TRY(push(w, l, r, d));
        return put_value(w, l, n, a, i);
    case PQN_STRUCT:
        return shred(w, l, k + 1, a->children[l->child_at[k]], a->offset + i, r, d);
    default: { /* list or map: chain[k + 1] is the repeated group */
        int64_t s, e, j = a->offset + i;
        if (a->type->id == TN_LARGE_LIST) {
            s = TN_OFFSETS64(a)[i];
            e = TN_OFFSETS64(a)[i + 1];
        } else {
            s = ((const int32_t *)a->buffers[1]->data)[j];
            e = ((const int32_t *)a->buffers[1]->data)[j + 1];
        }
        if (s == e)
            return push(w, l, r, d);
        int rl = l->chain[k + 1]->max_rep;
        const tn_array *c = a->children[0];
        for (int64_t x = s; x < e; x++) {
            int rr = x == s ? r : rl;
            if (n->kind == PQN_LIST)
                TN_TRY(shred(w, l, k + 2, c, x, rr, d + 1));
            else
                TN_TRY(shred(w, l, k + 2, c->children[l->child_at[k + 1]], c->offset + x, rr, d + 1));
        }
        return 0;
    }
    }
}

/* Values whose PLAIN form is a fixed-width conversion, out_w bytes each:
 * decimals stored as INT32/INT64 (their low bytes, little-endian two's
 * complement) and 8/16-bit integers (widened to INT32). */
static int shred_converted(wleaf *l, const tn_array *a, int out_w, int16_t dmax, uint16_t *def, int64_t *voff)
{
    int64_t len = a->length;
    const uint8_t *valid = a->buffers[0] ? a->buffers[0]->data : NULL;
    int32_t wd = a->type->byte_width;
    const uint8_t *v = a->buffers[1]->data + a->offset * wd;
    tn_type_id id = a->type->id;
    TN_TRY(tn_buf_reserve(&l->s.values, (size_t)(len * out_w), l->err));
    uint8_t *o = l->s.values.data + l->s.values.len;
    int64_t base = (int64_t)l->s.values.len, k = 0;
    /* One loop per conversion, so each value is a fixed-size load and store. */
#define CONVERT(OW, STORE)                                                                  \
    for (int64_t i = 0; i < len; i++) {                                                     \
        voff[i] = base + k * (OW);                                                          \
        if (valid && !tn_bit_get(valid, a->offset + i)) {                                   \
            def[i] = 0;                                                                     \
            continue;                                                                       \
        }                                                                                   \
        def[i] = (uint16_t)dmax;                                                            \
        const uint8_t *p = v + i * wd;                                                      \
        uint8_t *q = o + k++ * (OW);                                                        \
        STORE;                                                                              \
    }
    switch (id) {
    case TN_INT8: CONVERT(4, { int32_t x = (int8_t)p[0]; memcpy(q, &x, 4); }) break;
    case TN_UINT8: CONVERT(4, { int32_t x = p[0]; memcpy(q, &x, 4); }) break;
    case TN_INT16: CONVERT(4, { int16_t y; memcpy(&y, p, 2); int32_t x = y; memcpy(q, &x, 4); }) break;
    case TN_UINT16: CONVERT(4, { uint16_t y; memcpy(&y, p, 2); int32_t x = y; memcpy(q, &x, 4); }) break;
    default: /* decimals: the low bytes */
        if (out_w == 4)
            CONVERT(4, memcpy(q, p, 4))
        else
            CONVERT(8, memcpy(q, p, 8))
        break;
    }
#undef CONVERT
    l->s.values.len += (size_t)(k * out_w);
    return 0;
}

/* Strings and binaries with 32-bit offsets into PLAIN values (a u32
 * length before each value's bytes), levels into def and voff. */
static int shred_strings32(wleaf *l, const tn_array *a, int16_t dmax, uint16_t *def, int64_t *voff)
{
    int64_t len = a->length;
    const uint8_t *valid = a->buffers[0] ? a->buffers[0]->data : NULL;
    const int32_t *off = TN_OFFSETS32(a);
    const uint8_t *data = a->buffers[2] ? a->buffers[2]->data : NULL;
    /* an upper bound: the bytes of every slot, nulls included */
    TN_TRY(tn_buf_reserve(&l->s.values, (size_t)(off[len] - off[0]) + (size_t)len * 4, l->err));
    uint8_t *o = l->s.values.data + l->s.values.len;
    int64_t pos = (int64_t)l->s.values.len;
    for (int64_t i = 0; i < len; i++) {
        voff[i] = pos;
        if (valid && !tn_bit_get(valid, a->offset + i)) {
            def[i] = 0;
            continue;
        }
        def[i] = (uint16_t)dmax;
        uint32_t vl = (uint32_t)(off[i + 1] - off[i]);
        memcpy(o, &vl, 4);
        if (vl)
            memcpy(o + 4, data + off[i], vl);
        o += 4 + vl;
        pos += 4 + (int64_t)vl;
    }
    l->s.values.len = (size_t)pos;
    return 0;
}

/* A top-level primitive column in bulk: levels straight from the validity
 * bitmap, and values copied as a block where Arrow's bytes are already
 * Parquet's PLAIN bytes. Other columns go value by value (shred). */
static int shred_flat(writer *w, wleaf *l, const tn_array *a)
{
    const wnode *n = l->chain[0];
    int64_t len = a->length;
    tn_type_id id = a->type->id;
    bool seconds = (id == TN_TIME32 || id == TN_TIMESTAMP) && a->type->unit == TN_SECOND;
    bool same_bytes = (n->ptype == PQ_INT32 && (id == TN_INT32 || id == TN_UINT32 || id == TN_DATE32 || id == TN_TIME32) && !seconds) ||
                      (n->ptype == PQ_INT64 && (id == TN_INT64 || id == TN_UINT64 || id == TN_TIME64 || id == TN_TIMESTAMP ||
                                                id == TN_DURATION) && !seconds) ||
                      ((n->ptype == PQ_FLOAT || n->ptype == PQ_DOUBLE) && id != TN_DICTIONARY) ||
                      (n->ptype == PQ_FLBA && (id == TN_FIXED_BINARY || id == TN_FLOAT16));
    bool strings = id == TN_STRING || id == TN_BINARY || id == TN_LARGE_STRING || id == TN_LARGE_BINARY;
    bool converted = ((id == TN_DECIMAL128 || id == TN_DECIMAL256) && (n->ptype == PQ_INT32 || n->ptype == PQ_INT64)) ||
                     id == TN_INT8 || id == TN_INT16 || id == TN_UINT8 || id == TN_UINT16;
    if ((!same_bytes && !strings && !converted) || n->repetition == PQ_REPEATED) {
        for (int64_t r = 0; r < len; r++)
            TN_TRY(shred(w, l, 0, a, r, 0, 0));
        return 0;
    }
    TN_TRY(grow_levels(w, l, l->n + len + 1));
    const uint8_t *valid = a->buffers[0] ? a->buffers[0]->data : NULL;
    int16_t dmax = n->max_def;
    uint16_t *def = l->s.def + l->n;
    int64_t *voff = l->s.voff + l->n;
    /* no repetition levels: a flat column has none, and none are read (max_rep 0) */
    if (converted) {
        TN_TRY(shred_converted(l, a, n->ptype == PQ_INT32 ? 4 : 8, dmax, def, voff));
    } else if (same_bytes) {
        int32_t wd = a->type->byte_width;
        const uint8_t *v = a->buffers[1]->data + a->offset * wd;
        int64_t base = (int64_t)l->s.values.len;
        if (!valid) {
            TN_TRY(tn_buf_append(&l->s.values, v, (size_t)(len * wd), l->err));
            for (int64_t i = 0; i < len; i++) {
                def[i] = (uint16_t)dmax;
                voff[i] = base + i * wd;
            }
        } else {
            TN_TRY(tn_buf_reserve(&l->s.values, (size_t)(len * wd), l->err));
            uint8_t *o = l->s.values.data + l->s.values.len;
            int64_t k = 0;
            for (int64_t i = 0; i < len; i++) {
                bool ok = tn_bit_get(valid, a->offset + i);
                def[i] = ok ? (uint16_t)dmax : 0;
                voff[i] = base + k * wd;
                if (ok)
                    memcpy(o + (k++) * wd, v + i * wd, (size_t)wd);
            }
            l->s.values.len += (size_t)(k * wd);
        }
    } else if (id == TN_STRING || id == TN_BINARY) {
        TN_TRY(shred_strings32(l, a, dmax, def, voff));
    } else {
        int64_t total = 0;
        for (int64_t i = 0; i < len; i++) {
            if (valid && !tn_bit_get(valid, a->offset + i))
                continue;
            int64_t vl;
            (void)tn_array_bytes(a, i, &vl);
            if (vl > UINT32_MAX / 2)
                return tn_error_set(l->err, TARN_EOVERFLOW, "parquet writer: value of %lld bytes", (long long)vl);
            total += 4 + vl;
        }
        TN_TRY(tn_buf_reserve(&l->s.values, (size_t)total, l->err));
        uint8_t *o = l->s.values.data + l->s.values.len;
        int64_t pos = (int64_t)l->s.values.len;
        for (int64_t i = 0; i < len; i++) {
            voff[i] = pos;
            if (valid && !tn_bit_get(valid, a->offset + i)) {
                def[i] = 0;
                continue;
            }
            def[i] = (uint16_t)dmax;
            int64_t vl;
            const uint8_t *p = tn_array_bytes(a, i, &vl);
            uint32_t l32 = (uint32_t)vl;
            memcpy(o, &l32, 4);
            if (vl)
                memcpy(o + 4, p, (size_t)vl);
            o += 4 + vl;
            pos += 4 + vl;
        }
        l->s.values.len = (size_t)pos;
    }
    l->n += len;
    return 0;
}

/* --- pages --------------------------------------------------------------------- */

/* One ULEB128 varint at o; returns the bytes written. */
static int put_uleb(uint8_t *o, uint64_t x)
{
    int h = 0;
    for (;; x >>= 7) {
        o[h++] = (uint8_t)(x & 0x7f) | (x >= 0x80 ? 0x80 : 0);
        if (x < 0x80)
            return h;
    }
}

/* Length of the run of values equal to v[i] starting at i (at most n - i). */
static inline int64_t run_length(const uint32_t *v, int64_t i, int64_t n)
{
    uint32_t x = v[i];
    int64_t e = i + 1;
    while (e < n && v[e] == x)
        e++;
    return e - i;
}

/* One group of 8 values below 2^bw (bw 1..32) bit-packed LSB first at o,
 * which has 8 bytes of room past the group's bw bytes. */
static inline void pack8(const uint32_t *v, int bw, uint8_t *o)
{
    if (bw <= 8) { /* the group fits one word */
        uint64_t acc = 0;
        for (int j = 0; j < 8; j++)
            acc |= (uint64_t)v[j] << (j * bw);
        memcpy(o, &acc, 8);
        return;
    }
    uint64_t acc = 0;
    int nbits = 0;
    for (int j = 0; j < 8; j++) { /* whole bytes leave after each value */
        acc |= (uint64_t)v[j] << nbits;
        nbits += bw;
        memcpy(o, &acc, 8);
        int done = nbits >> 3;
        o += done;
        acc >>= done * 8;
        nbits &= 7;
    }
}

/* RLE/bit-packed hybrid of n values at bit width bw, appended to out: a
 * run of 8 or more equal values (or the tail) is an RLE run, anything else
 * goes into bit-packed runs of groups of 8, up to the next run of 8. */
static int rle_encode(const uint32_t *v, int64_t n, int bw, tn_buf *out, tarn_error *err)
{
    int vb = (bw + 7) / 8;
    int64_t i = 0;
    while (i < n) {
        int64_t run = run_length(v, i, n);
        if (run >= 8 || i + run == n) {
            TN_TRY(tn_buf_reserve(out, 16, err));
            uint8_t *o = out->data + out->len;
            int h = put_uleb(o, (uint64_t)run << 1);
            for (int k = 0; k < vb; k++)
                o[h + k] = (uint8_t)(v[i] >> (8 * k));
            out->len += (size_t)(h + vb);
            i += run;
            continue;
        }
        /* A bit-packed run of groups of 8 (63 at most) up to the start of
         * the next run of 8 equal values. A run of 8 that starts at or
         * after j and at or before j + 7 holds v[j + 7], so looking at the
         * run around v[j + 7] either finds it or moves j past that run. */
        int64_t lim = n < i + 63 * 8 ? n : i + 63 * 8, end = lim, j = i + run;
        while (j < lim && j + 8 <= n) {
            int64_t q = j + 7, b = q, f = q;
            uint32_t x = v[q];
            while (b > j && v[b - 1] == x)
                b--;
            while (f + 1 < n && f + 1 - b < 8 && v[f + 1] == x)
                f++;
            if (f - b + 1 >= 8) {
                if (b < lim)
                    end = b;
                break;
            }
            j = f + 1;
        }
        int64_t groups = (end - i + 7) / 8;
        TN_TRY(tn_buf_reserve(out, (size_t)(1 + groups * bw + 8), err));
        uint8_t *o = out->data + out->len;
        *o++ = (uint8_t)(groups << 1 | 1);
        int64_t count = groups * 8, avail = n - i < count ? n - i : count;
        for (int64_t g = 0; g + 8 <= avail; g += 8, o += bw)
            pack8(v + i + g, bw, o);
        if (avail % 8) { /* the last group, past the values: zeros */
            uint32_t last[8] = {0};
            memcpy(last, v + i + avail / 8 * 8, (size_t)(avail % 8) * sizeof *v);
            pack8(last, bw, o);
        }
        out->len += (size_t)(1 + groups * bw);
        i += avail;
    }
    return 0;
}

/* Levels as the RLE/bit-packed hybrid; v1 pages prefix them with their
 * u32 length, v2 pages record the length in the header. */
static int levels(wleaf *l, const uint16_t *v, int64_t n, int max, bool prefix)
{
    uint16_t diff = 0; /* levels all equal (no nulls, most often) are one RLE run, without widening */
    for (int64_t i = 0; i < n; i++)
        diff |= (uint16_t)(v[i] ^ v[0]);
    if (n > 0 && diff == 0) {
        TN_TRY(tn_buf_reserve(&l->s.page, 4 + 16, l->err));
        uint8_t *o = l->s.page.data + l->s.page.len;
        int h = prefix ? 4 : 0;
        h += put_uleb(o + h, (uint64_t)n << 1);
        int vb = (tn_pq_bit_width((uint32_t)max) + 7) / 8;
        for (int k = 0; k < vb; k++)
            o[h + k] = (uint8_t)(v[0] >> (8 * k));
        if (prefix) {
            uint32_t len = (uint32_t)(h + vb - 4);
            memcpy(o, &len, 4);
        }
        l->s.page.len += (size_t)(h + vb);
        return 0;
    }
    if (n > l->s.scratch_cap) {
        uint32_t *s = tn_realloc(l->s.scratch, (size_t)n * 4);
        TN_TRY_ALLOC(s, l->err, (size_t)n * 4);
        l->s.scratch = s;
        l->s.scratch_cap = n;
    }
    for (int64_t i = 0; i < n; i++)
        l->s.scratch[i] = v[i];
    size_t at = l->s.page.len;
    uint32_t zero = 0;
    if (prefix)
        TN_TRY(tn_buf_append(&l->s.page, &zero, 4, l->err));
    TN_TRY(rle_encode(l->s.scratch, n, tn_pq_bit_width((uint32_t)max), &l->s.page, l->err));
    if (prefix) {
        uint32_t len = (uint32_t)(l->s.page.len - at - 4);
        memcpy(l->s.page.data + at, &len, 4);
    }
    return 0;
}

static int write_all(writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->out.f) != n)
        return tn_error_set(w->err, TARN_EIO, "%s: write failed: %s", w->path, strerror(errno));
    w->pos += (int64_t)n;
    return 0;
}

typedef struct v2info {   /* what a data page v2 header adds */
    int32_t num_nulls, num_rows, def_bytes, rep_bytes;
} v2info;

/* Frame a page: header (Thrift) + body, appended to l->out. The body is
 * l->s.page followed by the vlen bytes at vals, which are compressed where
 * they lie when nothing compressed precedes them (no copy into l->s.page).
 * Everything is compressed except a v2 page's levels (the first
 * rep_bytes + def_bytes of l->s.page). */
static int emit_page(const writer *w, wleaf *l, int type, int32_t num_values, int encoding, wchunk *ch, const v2info *v2,
                     const uint8_t *vals, size_t vlen)
{
    l->s.comp.len = 0;
    size_t raw = v2 ? (size_t)v2->rep_bytes + (size_t)v2->def_bytes : 0;
    if (vlen && l->s.page.len > raw) { /* v1 levels and values are compressed as one */
        TN_TRY(tn_buf_append(&l->s.page, vals, vlen, l->err));
        vlen = 0;
    }
    if (raw)
        TN_TRY(tn_buf_append(&l->s.comp, l->s.page.data, raw, l->err));
    if (vlen)
        TN_TRY(tn_pq_compress(l->codec, l->level, vals, vlen, &l->s.comp, l->err));
    else
        TN_TRY(tn_pq_compress(l->codec, l->level, l->s.page.data ? l->s.page.data + raw : (const uint8_t *)"",
                              l->s.page.len - raw, &l->s.comp, l->err));
    size_t usize = l->s.page.len + vlen;
    if (usize > INT32_MAX || l->s.comp.len > INT32_MAX)
        return tn_error_set(l->err, TARN_EOVERFLOW, "parquet writer: page larger than 2 GiB");
    l->s.header.len = 0;
    tn_th_writer t;
    tn_th_writer_init(&t, &l->s.header, l->err);
    TN_TRY(tn_th_w_struct_begin(&t));
    TN_TRY(tn_th_w_i32(&t, 1, type));
    TN_TRY(tn_th_w_i32(&t, 2, (int32_t)usize));
    TN_TRY(tn_th_w_i32(&t, 3, (int32_t)l->s.comp.len));
    TN_TRY(tn_th_w_field(&t, type == PQ_DICTIONARY_PAGE ? 7 : type == PQ_DATA_PAGE_V2 ? 8 : 5, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(&t));
    TN_TRY(tn_th_w_i32(&t, 1, num_values));
    if (type == PQ_DATA_PAGE_V2) {
        TN_TRY(tn_th_w_i32(&t, 2, v2->num_nulls));
        TN_TRY(tn_th_w_i32(&t, 3, v2->num_rows));
        TN_TRY(tn_th_w_i32(&t, 4, encoding));
        TN_TRY(tn_th_w_i32(&t, 5, v2->def_bytes));
        TN_TRY(tn_th_w_i32(&t, 6, v2->rep_bytes));
        TN_TRY(tn_th_w_bool(&t, 7, l->codec != PQ_UNCOMPRESSED));
    } else {
        TN_TRY(tn_th_w_i32(&t, 2, encoding));
    }
    if (type == PQ_DATA_PAGE) {
        TN_TRY(tn_th_w_i32(&t, 3, PQ_RLE));
        TN_TRY(tn_th_w_i32(&t, 4, PQ_RLE));
    }
    TN_TRY(tn_th_w_struct_end(&t));
    TN_TRY(tn_th_w_struct_end(&t));
    TN_TRY(tn_buf_append(&l->out, l->s.header.data, l->s.header.len, l->err));
    if (l->s.comp.len)
        TN_TRY(tn_buf_append(&l->out, l->s.comp.data, l->s.comp.len, l->err));
    ch->usize += (int64_t)(l->s.header.len + usize);
    ch->csize += (int64_t)(l->s.header.len + l->s.comp.len);
    if (type != PQ_DICTIONARY_PAGE)
        ch->num_values += num_values;
    return 0;
}

/* Levels [a, b) holding values [v0, v0 + nv) as one data page. */
static int write_page(writer *w, wleaf *l, int64_t a, int64_t b, int64_t v0, int64_t nv, wchunk *ch)
{
    const wnode *leaf = l->chain[l->depth - 1];
    bool v2 = w->o.page_version == 2;
    v2info info = {0};
    l->s.page.len = 0;
    if (leaf->max_rep > 0)
        TN_TRY(levels(l, l->s.rep + a, b - a, leaf->max_rep, !v2));
    info.rep_bytes = (int32_t)l->s.page.len;
    if (leaf->max_def > 0)
        TN_TRY(levels(l, l->s.def + a, b - a, leaf->max_def, !v2));
    info.def_bytes = (int32_t)l->s.page.len - info.rep_bytes;
    info.num_nulls = (int32_t)(b - a - nv);
    info.num_rows = (int32_t)(b - a);
    if (leaf->max_rep > 0) {
        info.num_rows = 0;
        for (int64_t i = a; i < b; i++)
            info.num_rows += l->s.rep[i] == 0;
    }
    int type = v2 ? PQ_DATA_PAGE_V2 : PQ_DATA_PAGE;
    if (ch->dict) {
        uint8_t bw = (uint8_t)tn_pq_bit_width(l->s.n_dict > 1 ? (uint32_t)(l->s.n_dict - 1) : 1);
        TN_TRY(tn_buf_append_byte(&l->s.page, bw, l->err));
        TN_TRY(rle_encode(l->s.idx + v0, nv, bw, &l->s.page, l->err));
        return emit_page(w, l, type, (int32_t)(b - a), PQ_RLE_DICTIONARY, ch, v2 ? &info : NULL, NULL, 0);
    }
    const uint8_t *vals = l->s.values.data + l->s.voff[a];
    size_t vlen = (size_t)(l->s.voff[b] - l->s.voff[a]);
    switch (ch->enc) {
    case PQ_DELTA_BINARY_PACKED:
        TN_TRY(tn_pq_encode_dbp(vals, nv, leaf->ptype == PQ_INT32 ? 4 : 8, &l->s.page, l->err));
        return emit_page(w, l, type, (int32_t)(b - a), ch->enc, ch, v2 ? &info : NULL, NULL, 0);
    case PQ_DELTA_LENGTH_BYTE_ARRAY:
        TN_TRY(tn_pq_encode_dlba(vals, vlen, nv, &l->s.page, l->err));
        return emit_page(w, l, type, (int32_t)(b - a), ch->enc, ch, v2 ? &info : NULL, NULL, 0);
    case PQ_DELTA_BYTE_ARRAY:
        TN_TRY(tn_pq_encode_dba(vals, vlen, nv, &l->s.page, l->err));
        return emit_page(w, l, type, (int32_t)(b - a), ch->enc, ch, v2 ? &info : NULL, NULL, 0);
    case PQ_BYTE_STREAM_SPLIT:
        TN_TRY(tn_pq_encode_bss(vals, nv, leaf->ptype == PQ_FLOAT ? 4 : 8, &l->s.page, l->err));
        return emit_page(w, l, type, (int32_t)(b - a), ch->enc, ch, v2 ? &info : NULL, NULL, 0);
    default:
        break;
    }
    if (leaf->ptype == PQ_BOOLEAN) {
        size_t nb = (vlen + 7) / 8;
        TN_TRY(tn_buf_reserve(&l->s.page, nb, l->err));
        uint8_t *o = l->s.page.data + l->s.page.len;
        memset(o, 0, nb);
        for (size_t k = 0; k < vlen; k++)
            if (vals[k])
                o[k >> 3] |= (uint8_t)(1u << (k & 7));
        l->s.page.len += nb;
        vlen = 0;
    }
    return emit_page(w, l, type, (int32_t)(b - a), PQ_PLAIN, ch, v2 ? &info : NULL, vals, vlen);
}

/* --- dictionary ----------------------------------------------------------------- */

/* Slot of a fixed-width value in a table of 2^(64 - shift) slots:
 * Fibonacci hashing after folding the high half in, so that doubles
 * (whose low bits are often zero) spread too. */
static inline uint64_t fixed_slot(uint64_t x, int shift)
{
    x ^= x >> 32;
    return (x * UINT64_C(0x9E3779B97F4A7C15)) >> shift;
}

static int table_shift(int64_t cap)
{
    return 64 - (63 - __builtin_clzll((unsigned long long)cap));
}

/* A fixed-width dictionary entry's bits, zero-extended. */
static inline uint64_t fixed_entry(const uint8_t *p, size_t fw)
{
    if (fw == 4) {
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Double the byte-array dictionary's hash table (1024 slots at first) and
 * re-insert the entries from their kept hashes. */
static int dict_grow(wleaf *l)
{
    int64_t cap = l->s.slots_cap ? l->s.slots_cap * 2 : 1024;
    uint32_t *t = tn_calloc((size_t)cap, sizeof *t);
    TN_TRY_ALLOC(t, l->err, (size_t)cap * sizeof *t);
    uint64_t mask = (uint64_t)cap - 1;
    for (int64_t e = 0; e < l->s.n_dict; e++) {
        uint64_t s = l->s.dict_hash[e] & mask;
        while (t[s])
            s = (s + 1) & mask;
        t[s] = (uint32_t)(e + 1);
    }
    tn_free(l->s.slots);
    l->s.slots = t;
    l->s.slots_cap = cap;
    return 0;
}

/* The slots of a fixed-width dictionary's table (ftab) hold the value and
 * its entry + 1 together, so a probe touches one cache line: for 4-byte
 * values one word, entry << 32 | value (never 0 once used); for 8-byte
 * values two words, value then entry. 0 entry: empty. */
#define FSLOT_WORDS(fw) ((fw) == 4 ? 1 : 2)

/* A fixed-width table of cap slots (a power of two), empty, in l->s.ftab:
 * its entries re-inserted from the dictionary's first n entries. */
static int ftab_make(wleaf *l, size_t fw, int64_t cap, int64_t n)
{
    size_t bytes = (size_t)cap * FSLOT_WORDS(fw) * 8;
    if ((int64_t)bytes > l->s.ftab_bytes) {
        tn_free(l->s.ftab);
        l->s.ftab_bytes = 0;
        l->s.ftab = tn_malloc(bytes);
        TN_TRY_ALLOC(l->s.ftab, l->err, bytes);
        l->s.ftab_bytes = (int64_t)bytes;
    }
    memset(l->s.ftab, 0, bytes);
    uint64_t *t = l->s.ftab, mask = (uint64_t)cap - 1;
    int shift = table_shift(cap);
    for (int64_t e = 0; e < n; e++) {
        uint64_t x = fixed_entry(l->s.dict.data + e * (int64_t)fw, fw);
        uint64_t s = fixed_slot(x, shift);
        if (fw == 4) {
            while (t[s])
                s = (s + 1) & mask;
            t[s] = (uint64_t)(e + 1) << 32 | x;
        } else {
            while (t[2 * s + 1])
                s = (s + 1) & mask;
            t[2 * s] = x;
            t[2 * s + 1] = (uint64_t)(e + 1);
        }
    }
    return 0;
}

/* Room for one more dictionary entry (and dict_at's closing offset). */
static int dict_room(wleaf *l)
{
    if (l->s.n_dict < l->s.dict_cap)
        return 0;
    int64_t cap = l->s.dict_cap ? l->s.dict_cap * 2 : 256;
    int64_t *d = tn_realloc(l->s.dict_at, (size_t)(cap + 1) * sizeof *d);
    if (d)
        l->s.dict_at = d;
    uint64_t *hs = d ? tn_realloc(l->s.dict_hash, (size_t)cap * sizeof *hs) : NULL;
    TN_TRY_ALLOC(hs, l->err, (size_t)cap * 16);
    l->s.dict_hash = hs;
    l->s.dict_cap = cap;
    return 0;
}

/* Append the PLAIN value p (vl bytes, with a BYTE_ARRAY's length prefix)
 * to the dictionary as a new entry of hash h. */
static int dict_add(wleaf *l, const uint8_t *p, size_t vl, uint64_t h)
{
    TN_TRY(dict_room(l));
    TN_TRY(tn_buf_append(&l->s.dict, p, vl, l->err));
    l->s.dict_hash[l->s.n_dict] = h;
    l->s.dict_at[++l->s.n_dict] = (int64_t)l->s.dict.len;
    return 0;
}

#define DICT_RECENT 8192  /* the values whose new entries give a dictionary's current growth rate */
#define DICT_WINDOW 65536 /* values between two forecasts of a dictionary's size */

/* Whether a dictionary of n entries (bytes in all) after k of nvals values,
 * recent of them new in the last DICT_RECENT values, looks bound to pass
 * limit. Drawing k values uniformly from D distinct ones yields
 * n = D (1 - e^(-k/D)) of them, which gives D and the final size; when new
 * entries keep coming much faster than such draws allow (sorted or
 * clustered data), the current rate is kept to the end instead. Nothing is
 * foretold while nearly every value is new: a unique column and one that
 * repeats a long cycle look alike until the limit. The forecast must pass
 * the limit by 10%, so a dictionary that would just fit is still built. */
static bool dict_hopeless(int64_t k, int64_t nvals, int64_t n, int64_t recent, int64_t bytes, int64_t limit)
{
    double q = (double)n / (double)k, r = (double)recent / DICT_RECENT;
    if (n == 0 || k >= nvals || q >= 0.9)
        return false;
    double lo = 0, hi = 64; /* x = k / D solves (1 - e^-x) / x = q, which falls from 1 as x grows */
    for (int i = 0; i < 40; i++) {
        double x = (lo + hi) / 2;
        if ((1 - exp(-x)) / x > q)
            lo = x;
        else
            hi = x;
    }
    double x = (lo + hi) / 2, d = (double)k / x;
    double final = (double)n + r * (double)(nvals - k), drawn = d * (1 - exp(-(double)nvals / d));
    if (r <= 2 * exp(-x) + 0.02 && drawn < final)
        final = drawn;
    return final * ((double)bytes / (double)n) > 1.1 * (double)limit;
}

/* The dictionary of nvals fixed-width values of FW bytes (4 or 8), compared
 * as integers in a table of (value, entry) slots at most 70% full: a probe
 * reads no entry. The slot of the value 16 ahead is prefetched once the
 * table outgrows L2, as those of large dictionaries leave the caches. *fits false when more than max
 * entries are needed (or dict_hopeless). */
static inline __attribute__((always_inline)) int dict_fixed(wleaf *l, int64_t nvals, const size_t FW, int64_t max,
                                                            bool *fits)
{
    *fits = false;
    int64_t room = nvals < max ? nvals : max;
    TN_TRY(tn_buf_reserve(&l->s.dict, (size_t)room * FW, l->err));
    /* Small at first, whatever was allocated before: only the slots in use
     * are cleared, and a few distinct values stay in a few cache lines. */
    int64_t cap = 1024;
    TN_TRY(ftab_make(l, FW, cap, 0));
    const uint8_t *p = l->s.values.data;
    uint32_t *idx = l->s.idx;
    uint64_t *tab = l->s.ftab, mask = (uint64_t)cap - 1;
    int shift = table_shift(cap);
    int64_t nd = 0, grow_at = cap * 7 / 10;
    bool far = false; /* the table is past L2's size (256 KiB): prefetch */
    int hopeless = 0;
    for (int64_t k0 = 0; k0 < nvals; k0 += DICT_RECENT) {
        int64_t k1 = k0 + DICT_RECENT < nvals ? k0 + DICT_RECENT : nvals, nd0 = nd;
        for (int64_t k = k0; k < k1; k++) {
            if (far && k + 16 < nvals)
                __builtin_prefetch(&tab[FSLOT_WORDS(FW) * fixed_slot(fixed_entry(p + (k + 16) * (int64_t)FW, FW), shift)]);
            uint64_t x = fixed_entry(p + k * (int64_t)FW, FW);
            uint64_t s = fixed_slot(x, shift);
            uint32_t e;
            if (FW == 4) {
                uint64_t t;
                while ((t = tab[s]) != 0 && (uint32_t)t != x)
                    s = (s + 1) & mask;
                e = (uint32_t)(t >> 32);
            } else {
                while ((e = (uint32_t)tab[2 * s + 1]) != 0 && tab[2 * s] != x)
                    s = (s + 1) & mask;
            }
            if (e == 0) {
                if (nd >= max)
                    return 0; /* past the limit: PLAIN */
                memcpy(l->s.dict.data + nd * (int64_t)FW, p + k * (int64_t)FW, FW);
                e = (uint32_t)++nd;
                if (FW == 4) {
                    tab[s] = (uint64_t)e << 32 | x;
                } else {
                    tab[2 * s] = x;
                    tab[2 * s + 1] = e;
                }
                if (nd > grow_at) {
                    cap *= 2;
                    TN_TRY(ftab_make(l, FW, cap, nd));
                    tab = l->s.ftab;
                    mask = (uint64_t)cap - 1;
                    shift = table_shift(cap);
                    grow_at = cap * 7 / 10;
                    far = cap * FSLOT_WORDS(FW) * 8 > 256 << 10;
                }
            }
            idx[k] = e - 1;
        }
        /* Given up when two forecasts in a row say so. */
        if (k1 % DICT_WINDOW == 0)
            hopeless = dict_hopeless(k1, nvals, nd, nd - nd0, nd * (int64_t)FW, max * (int64_t)FW) ? hopeless + 1 : 0;
        if (hopeless == 2)
            return 0;
    }
    l->s.n_dict = nd;
    l->s.dict.len = (size_t)nd * FW;
    *fits = true;
    return 0;
}

/* The dictionary of byte arrays (PLAIN, with their length prefix) or of
 * fixed-width values of fw bytes, compared by their bytes. The table keeps
 * each entry's hash, so probes compare hashes before bytes and growing
 * never rehashes values. */
static int dict_bytes(wleaf *l, int64_t nvals, bool bytes, size_t fw, int64_t limit, bool *fits)
{
    *fits = false;
    TN_TRY(dict_room(l)); /* dict_at exists */
    l->s.dict_at[0] = 0;
    const uint8_t *p = l->s.values.data;
    int hopeless = 0;
    for (int64_t k0 = 0; k0 < nvals; k0 += DICT_RECENT) {
        int64_t k1 = k0 + DICT_RECENT < nvals ? k0 + DICT_RECENT : nvals, nd0 = l->s.n_dict;
        for (int64_t k = k0; k < k1; k++) {
            size_t vl = fw, skip = 0;
            if (bytes) {
                uint32_t l32;
                memcpy(&l32, p, 4);
                vl = 4 + (size_t)l32;
                skip = 4; /* equal lengths are compared on their own */
            }
            uint64_t h = tn_hash_short_bytes(p + skip, vl - skip);
            if ((l->s.n_dict + 1) * 2 > l->s.slots_cap)
                TN_TRY(dict_grow(l));
            uint64_t mask = (uint64_t)l->s.slots_cap - 1, s = h & mask;
            uint32_t e;
            while ((e = l->s.slots[s]) != 0) {
                const int64_t *at = &l->s.dict_at[e - 1];
                if (l->s.dict_hash[e - 1] == h && (size_t)(at[1] - at[0]) == vl &&
                    tn_bytes_equal(l->s.dict.data + at[0] + skip, p + skip, vl - skip))
                    break;
                s = (s + 1) & mask;
            }
            if (e == 0) {
                if ((int64_t)(l->s.dict.len + vl) > limit || l->s.n_dict >= UINT32_MAX / 2)
                    return 0; /* past the limit: PLAIN */
                TN_TRY(dict_add(l, p, vl, h));
                e = (uint32_t)l->s.n_dict;
                l->s.slots[s] = e;
            }
            l->s.idx[k] = e - 1;
            p += vl;
        }
        if (k1 % DICT_WINDOW == 0)
            hopeless = dict_hopeless(k1, nvals, l->s.n_dict, l->s.n_dict - nd0, (int64_t)l->s.dict.len, limit) ? hopeless + 1 : 0;
        if (hopeless == 2)
            return 0;
    }
    *fits = true;
    return 0;
}

/* How many of the n levels at d equal v: counted in 16-bit lanes, which the
 * compiler vectorizes, a block of up to 65535 at a time. */
static int64_t count_level(const uint16_t *d, int64_t n, uint16_t v)
{
    int64_t total = 0;
    for (int64_t i = 0; i < n;) {
        int64_t e = n - i > 65535 ? i + 65535 : n;
        uint16_t c = 0;
        for (; i < e; i++)
            c = (uint16_t)(c + (d[i] == v));
        total += c;
    }
    return total;
}

/* Build the chunk's dictionary: unique PLAIN values in the order they first
 * appear and each value's index. Returns 0 with ch->dict false when the
 * dictionary would pass the byte limit (the chunk is then written PLAIN).
 * INT32/FLOAT and INT64/DOUBLE compare as integers (by their bits, so NaNs
 * and -0.0 keep their exact bytes); byte arrays and FLBA by their bytes. */
static int build_dict(const writer *w, wleaf *l, wchunk *ch)
{
    const wnode *n = l->chain[l->depth - 1];
    ch->dict = false;
    if (!l->dictionary || n->ptype == PQ_BOOLEAN || l->s.values.len == 0)
        return 0;
    int64_t limit = w->o.dictionary_bytes > 0 ? w->o.dictionary_bytes : 1 << 20;
    int64_t nvals = 0;
    if (n->max_def == 0)
        nvals = l->n;
    else
        nvals = count_level(l->s.def, l->n, (uint16_t)n->max_def);
    if (nvals > l->s.idx_cap) {
        uint32_t *x = tn_realloc(l->s.idx, (size_t)nvals * 4);
        TN_TRY_ALLOC(x, l->err, (size_t)nvals * 4);
        l->s.idx = x;
        l->s.idx_cap = nvals;
    }
    bool bytes = n->ptype == PQ_BYTE_ARRAY;
    size_t fw = n->ptype == PQ_INT32 || n->ptype == PQ_FLOAT ? 4 : n->ptype == PQ_INT64 || n->ptype == PQ_DOUBLE ? 8
              : (size_t)n->type_length;
    l->s.dict_fw = !bytes && (n->ptype == PQ_INT32 || n->ptype == PQ_FLOAT || n->ptype == PQ_INT64 ||
                            n->ptype == PQ_DOUBLE) ? (int)fw : 0;
    l->s.dict.len = 0;
    l->s.n_dict = 0;
    bool fits;
    if (l->s.dict_fw) {
        int64_t max = limit / (int64_t)fw < UINT32_MAX / 2 ? limit / (int64_t)fw : UINT32_MAX / 2;
        if (fw == 4)
            TN_TRY(dict_fixed(l, nvals, 4, max, &fits));
        else
            TN_TRY(dict_fixed(l, nvals, 8, max, &fits));
    } else {
        if (l->s.slots_cap == 0)
            TN_TRY(dict_grow(l));
        memset(l->s.slots, 0, (size_t)l->s.slots_cap * sizeof *l->s.slots);
        TN_TRY(dict_bytes(l, nvals, bytes, fw, limit, &fits));
    }
    ch->dict = fits;
    return 0;
}

/* --- statistics ------------------------------------------------------------ */

/* Order of two PLAIN values of the leaf's physical type and sort order;
 * 0 when equal. */
static int cmp_value(const wnode *n, const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    switch (n->ptype) {
    case PQ_INT32: {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        if (n->logical.kind == PQ_LT_INTEGER && !n->logical.is_signed)
            return (uint32_t)x < (uint32_t)y ? -1 : (uint32_t)x > (uint32_t)y;
        return x < y ? -1 : x > y;
    }
    case PQ_INT64: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (n->logical.kind == PQ_LT_INTEGER && !n->logical.is_signed)
            return (uint64_t)x < (uint64_t)y ? -1 : (uint64_t)x > (uint64_t)y;
        return x < y ? -1 : x > y;
    }
    case PQ_FLOAT: {
        float x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return x < y ? -1 : x > y;
    }
    case PQ_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return x < y ? -1 : x > y;
    }
    case PQ_BOOLEAN:
        return *a < *b ? -1 : *a > *b;
    default: {
        if (n->logical.kind == PQ_LT_DECIMAL && al > 0 && bl > 0 && (a[0] ^ b[0]) & 0x80)
            return a[0] & 0x80 ? -1 : 1; /* big-endian two's complement of equal width */
        if (al > 0 && bl > 0 && a[0] != b[0]) /* most comparisons end here, without a call */
            return a[0] < b[0] ? -1 : 1;
        int c = memcmp(a, b, al < bl ? al : bl);
        return c ? c : al < bl ? -1 : al > bl;
    }
    }
}

/* Whether the leaf's values have an order tarn writes statistics for. */
static bool has_order(const wnode *n)
{
    if (n->logical.kind == PQ_LT_FLOAT16 || n->logical.kind == PQ_LT_UNKNOWN)
        return false;
    return n->ptype != PQ_FLBA || n->type_length <= STAT_MAX;
}

static void put_stat(uint8_t *dst, uint8_t *len, bool *has, const uint8_t *p, size_t n, bool is_max)
{
    if (n <= STAT_MAX) {
        memcpy(dst, p, n);
        *len = (uint8_t)n;
        *has = true;
        return;
    }
    /* Truncated: a prefix bounds the minimum; the maximum needs the prefix
     * incremented at its last byte that can be. */
    memcpy(dst, p, STAT_MAX);
    size_t k = STAT_MAX;
    if (is_max) {
        while (k > 0 && dst[k - 1] == 0xff)
            k--;
        if (k == 0) {
            *has = false;
            return;
        }
        dst[k - 1]++;
    }
    *len = (uint8_t)k;
    *has = true;
}

/* Typed scans for the minimum and maximum of n fixed-width values (n > 0),
 * stored at mn and mx. Floats start at the first value that is not NaN
 * (false when there is none); later NaNs fail both comparisons, so they
 * are left out. The loops have no branch, so the compiler vectorizes them. */
#define MINMAX_SCAN(NAME, T, SKIP_NAN)                                                 \
    static bool NAME(const uint8_t *p, int64_t n, uint8_t *mn, uint8_t *mx)           \
    {                                                                                  \
        int64_t i = 0;                                                                 \
        T lo, x;                                                                       \
        for (;; i++) {                                                                 \
            if (i == n)                                                                \
                return false;                                                          \
            memcpy(&lo, p + i * (int64_t)sizeof lo, sizeof lo);                        \
            if (!SKIP_NAN || lo == lo)                                                 \
                break;                                                                 \
        }                                                                              \
        T hi = lo;                                                                     \
        for (i++; i < n; i++) {                                                        \
            memcpy(&x, p + i * (int64_t)sizeof x, sizeof x);                           \
            lo = x < lo ? x : lo;                                                      \
            hi = x > hi ? x : hi;                                                      \
        }                                                                              \
        memcpy(mn, &lo, sizeof lo);                                                    \
        memcpy(mx, &hi, sizeof hi);                                                    \
        return true;                                                                   \
    }
MINMAX_SCAN(minmax_i32, int32_t, 0)
MINMAX_SCAN(minmax_u32, uint32_t, 0)
MINMAX_SCAN(minmax_i64, int64_t, 0)
MINMAX_SCAN(minmax_u64, uint64_t, 0)
MINMAX_SCAN(minmax_f32, float, 1)
MINMAX_SCAN(minmax_f64, double, 1)

/* The typed scan for leaf n's INT32/INT64/FLOAT/DOUBLE values; NULL for
 * the other physical types. */
static bool (*minmax_scan(const wnode *n))(const uint8_t *, int64_t, uint8_t *, uint8_t *)
{
    bool uns = n->logical.kind == PQ_LT_INTEGER && !n->logical.is_signed;
    switch (n->ptype) {
    case PQ_INT32: return uns ? minmax_u32 : minmax_i32;
    case PQ_INT64: return uns ? minmax_u64 : minmax_i64;
    case PQ_FLOAT: return minmax_f32;
    case PQ_DOUBLE: return minmax_f64;
    default: return NULL;
    }
}

static void set_bounds(const wnode *n, const uint8_t *mn, size_t mnl, const uint8_t *mx, size_t mxl, wbounds *bd);

/* The bounds of the PLAIN values in [p, end) of leaf n. */
static void bounds(const wnode *n, const uint8_t *p, const uint8_t *end, wbounds *bd)
{
    bd->has_min = bd->has_max = false;
    if (!has_order(n) || p == end)
        return;
    const uint8_t *mn = NULL, *mx = NULL;
    size_t mnl = 0, mxl = 0;
    size_t w = n->ptype == PQ_BOOLEAN ? 1 : n->ptype == PQ_INT32 || n->ptype == PQ_FLOAT ? 4
             : n->ptype == PQ_INT64 || n->ptype == PQ_DOUBLE ? 8 : (size_t)n->type_length;
    bool (*scan)(const uint8_t *, int64_t, uint8_t *, uint8_t *) = minmax_scan(n);
    uint8_t lo[8], hi[8];
    if (scan) {
        if (scan(p, (int64_t)((size_t)(end - p) / w), lo, hi)) {
            mn = lo;
            mx = hi;
            mnl = mxl = w;
        }
        p = end;
    }
    while (p < end) {
        const uint8_t *v = p;
        size_t vl = w;
        if (n->ptype == PQ_BYTE_ARRAY) {
            uint32_t l32;
            memcpy(&l32, p, 4);
            v = p + 4;
            vl = l32;
        }
        p = v + vl;
        if (n->ptype == PQ_FLOAT || n->ptype == PQ_DOUBLE) {
            double x;
            if (n->ptype == PQ_FLOAT) {
                float f;
                memcpy(&f, v, 4);
                x = f;
            } else {
                memcpy(&x, v, 8);
            }
            if (x != x)
                continue; /* NaN is unordered: left out of min/max */
        }
        if (!mn || cmp_value(n, v, vl, mn, mnl) < 0) {
            mn = v;
            mnl = vl;
        }
        if (!mx || cmp_value(n, v, vl, mx, mxl) > 0) {
            mx = v;
            mxl = vl;
        }
    }
    set_bounds(n, mn, mnl, mx, mxl, bd);
}

/* Bounds from the minimum and maximum values found (mn NULL: none). */
static void set_bounds(const wnode *n, const uint8_t *mn, size_t mnl, const uint8_t *mx, size_t mxl, wbounds *bd)
{
    bd->has_min = bd->has_max = false;
    if (!mn)
        return;
    size_t w = n->ptype == PQ_FLOAT ? 4 : 8;
    put_stat(bd->min, &bd->min_len, &bd->has_min, mn, mnl, false);
    put_stat(bd->max, &bd->max_len, &bd->has_max, mx, mxl, true);
    /* Zeros: the minimum is -0.0 and the maximum +0.0 (the format's rule). */
    if (n->ptype == PQ_FLOAT || n->ptype == PQ_DOUBLE) {
        double z = 0;
        float zf = 0;
        const uint8_t *zero = n->ptype == PQ_FLOAT ? (const uint8_t *)&zf : (const uint8_t *)&z;
        if (cmp_value(n, bd->min, w, zero, w) == 0) {
            bd->min[w - 1] |= 0x80;
        }
        if (cmp_value(n, bd->max, w, zero, w) == 0)
            bd->max[w - 1] &= 0x7f;
    }
}

/* Dictionary entry e's value bytes (without a BYTE_ARRAY's length). */
static const uint8_t *dict_value(const wleaf *l, const wnode *n, uint32_t e, size_t *len)
{
    if (l->s.dict_fw) {
        *len = (size_t)l->s.dict_fw;
        return l->s.dict.data + (size_t)e * (size_t)l->s.dict_fw;
    }
    const uint8_t *p = l->s.dict.data + l->s.dict_at[e];
    size_t vl = (size_t)(l->s.dict_at[e + 1] - l->s.dict_at[e]);
    if (n->ptype == PQ_BYTE_ARRAY) {
        p += 4;
        vl -= 4;
    }
    *len = vl;
    return p;
}

static int cmp_entries(const wleaf *l, const wnode *n, uint32_t a, uint32_t b)
{
    size_t al, bl;
    const uint8_t *x = dict_value(l, n, a, &al), *y = dict_value(l, n, b, &bl);
    return cmp_value(n, x, al, y, bl);
}

/* The dictionary's entries in value order by a stable merge sort on
 * cmp_entries; returns l->s.order or l->s.order + n_dict. */
static uint32_t *merge_entries(wleaf *l, const wnode *n)
{
    int64_t k = l->s.n_dict;
    uint32_t *a = l->s.order, *b = l->s.order + k;
    for (int64_t i = 0; i < k; i++)
        a[i] = (uint32_t)i;
    for (int64_t width = 1; width < k; width *= 2) {
        for (int64_t lo = 0; lo < k; lo += 2 * width) {
            int64_t mid = lo + width < k ? lo + width : k, hi = lo + 2 * width < k ? lo + 2 * width : k;
            int64_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                b[o++] = cmp_entries(l, n, a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                b[o++] = a[i++];
            while (j < hi)
                b[o++] = a[j++];
        }
        uint32_t *t = a;
        a = b;
        b = t;
    }
    return a;
}

/* Rank the chunk's dictionary entries in value order (a stable merge sort),
 * so that a page's bounds come from its indices: the entries of least and
 * greatest rank. Only for byte arrays and FLBA: fixed-width numbers get
 * their bounds from a (vectorized) scan of the values, cheaper than a sort,
 * and floats' NaN has no place in the order. */
static int rank_dict(wleaf *l, const wnode *n)
{
    l->s.ranked = false;
    if (!has_order(n) || l->s.dict_fw || n->ptype == PQ_BOOLEAN)
        return 0;
    int64_t k = l->s.n_dict;
    if (k > l->s.rank_cap) {
        uint32_t *r = tn_realloc(l->s.rank, (size_t)k * sizeof *r);
        if (r)
            l->s.rank = r;
        uint32_t *o = r ? tn_realloc(l->s.order, (size_t)k * 2 * sizeof *o) : NULL;
        TN_TRY_ALLOC(o, l->err, (size_t)k * 12);
        l->s.order = o;
        l->s.rank_cap = k;
    }
    uint32_t *a = merge_entries(l, n);
    for (int64_t i = 0; i < k; i++)
        l->s.rank[a[i]] = (uint32_t)i;
    if (a != l->s.order) /* keep the sorted entries at the front */
        memcpy(l->s.order, a, (size_t)k * sizeof *a);
    l->s.ranked = true;
    return 0;
}

/* Bounds of a dictionary-encoded page from its nv indices at idx. */
static void dict_bounds(const wleaf *l, const wnode *n, const uint32_t *idx, int64_t nv, wbounds *bd)
{
    if (nv == 0) {
        bd->has_min = bd->has_max = false;
        return;
    }
    uint32_t lo = l->s.rank[idx[0]], hi = lo;
    for (int64_t i = 1; i < nv; i++) {
        uint32_t r = l->s.rank[idx[i]];
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
    }
    size_t mnl, mxl;
    const uint8_t *mn = dict_value(l, n, l->s.order[lo], &mnl), *mx = dict_value(l, n, l->s.order[hi], &mxl);
    set_bounds(n, mn, mnl, mx, mxl, bd);
}

/* The chunk's null count, and its bounds merged from its pages' bounds:
 * the least page minimum and the greatest page maximum. Truncation to
 * STAT_MAX bytes keeps order, so this equals the bounds of all the values;
 * a page whose maximum could not be truncated leaves the chunk without one. */
static void chunk_stats(const wleaf *l, wchunk *ch)
{
    const wnode *n = l->chain[l->depth - 1];
    ch->null_count = 0;
    for (int32_t i = 0; i < ch->n_pages; i++)
        ch->null_count += ch->pages[i].nulls;
    ch->has_min = ch->has_max = false;
    bool max_lost = false;
    for (int32_t i = 0; i < ch->n_pages; i++) {
        const wbounds *b = &ch->pages[i].b;
        if (b->has_min && (!ch->has_min || cmp_value(n, b->min, b->min_len, ch->min, ch->min_len) < 0)) {
            memcpy(ch->min, b->min, b->min_len);
            ch->min_len = b->min_len;
            ch->has_min = true;
        }
        if (b->has_max && (!ch->has_max || cmp_value(n, b->max, b->max_len, ch->max, ch->max_len) > 0)) {
            memcpy(ch->max, b->max, b->max_len);
            ch->max_len = b->max_len;
            ch->has_max = true;
        }
        max_lost = max_lost || (b->has_min && !b->has_max);
    }
    if (max_lost)
        ch->has_max = false;
}

/* Record the data page of levels [a, b) holding nv values, about to be
 * appended at l->out's end: its first row, nulls and bounds for the page index. */
static int note_page(const wleaf *l, int64_t a, int64_t b, int64_t v0, int64_t nv, wchunk *ch)
{
    const wnode *n = l->chain[l->depth - 1];
    if (ch->n_pages == ch->cap_pages) {
        int32_t cap = ch->cap_pages ? ch->cap_pages * 2 : 4;
        wpage *p = tn_realloc(ch->pages, (size_t)cap * sizeof *p);
        TN_TRY_ALLOC(p, l->err, (size_t)cap * sizeof *p);
        ch->pages = p;
        ch->cap_pages = cap;
    }
    wpage *pg = &ch->pages[ch->n_pages++];
    memset(pg, 0, sizeof *pg);
    pg->offset = (int64_t)l->out.len;
    pg->first_row = ch->rows_done;
    pg->nulls = (b - a) - nv;
    pg->null_page = nv == 0;
    if (n->max_rep > 0) {
        for (int64_t i = a; i < b; i++)
            ch->rows_done += l->s.rep[i] == 0;
    } else {
        ch->rows_done += b - a;
    }
    if (ch->dict && l->s.ranked)
        dict_bounds(l, n, l->s.idx + v0, nv, &pg->b);
    else
        bounds(n, l->s.values.data + l->s.voff[a], l->s.values.data + l->s.voff[b], &pg->b);
    return 0;
}

/* The encoding asked for, where the column's physical type has it
 * (BYTE_STREAM_SPLIT only for FLOAT and DOUBLE, which every reader takes);
 * PLAIN (or a dictionary) otherwise. */
static int value_encoding(int encoding, const wnode *n)
{
    switch (encoding) {
    case PQ_DELTA_BINARY_PACKED:
        return n->ptype == PQ_INT32 || n->ptype == PQ_INT64 ? PQ_DELTA_BINARY_PACKED : PQ_PLAIN;
    case PQ_DELTA_LENGTH_BYTE_ARRAY:
    case PQ_DELTA_BYTE_ARRAY:
        return n->ptype == PQ_BYTE_ARRAY ? encoding : PQ_PLAIN;
    case PQ_BYTE_STREAM_SPLIT:
        return n->ptype == PQ_FLOAT || n->ptype == PQ_DOUBLE ? PQ_BYTE_STREAM_SPLIT : PQ_PLAIN;
    default:
        return PQ_PLAIN;
    }
}

/* The chunk's bloom filter: every distinct value (the dictionary's
 * entries, else every value) hashed over its PLAIN bytes. */
static int build_bloom(wleaf *l, wchunk *ch)
{
    const wnode *n = l->chain[l->depth - 1];
    bool bytes = n->ptype == PQ_BYTE_ARRAY;
    size_t fw = n->ptype == PQ_INT32 || n->ptype == PQ_FLOAT ? 4 : n->ptype == PQ_INT64 || n->ptype == PQ_DOUBLE ? 8
              : n->ptype == PQ_INT96 ? 12 : (size_t)n->type_length;
    int64_t ndv = l->bloom_ndv > 0 ? l->bloom_ndv : ch->dict ? l->s.n_dict : l->n - ch->null_count;
    ch->bloom_bytes = tn_pq_bloom_bytes(ndv, l->bloom_fpp);
    ch->bloom = tn_calloc((size_t)ch->bloom_bytes, 1);
    TN_TRY_ALLOC(ch->bloom, l->err, (size_t)ch->bloom_bytes);
    if (ch->dict) {
        for (int64_t e = 0; e < l->s.n_dict; e++) {
            size_t len;
            const uint8_t *v = dict_value(l, n, (uint32_t)e, &len);
            tn_pq_bloom_insert(ch->bloom, ch->bloom_bytes, tn_pq_bloom_hash(v, len));
        }
        return 0;
    }
    const uint8_t *p = l->s.values.data, *end = p + l->s.values.len;
    while (p < end) {
        size_t len = fw;
        if (bytes) {
            uint32_t l32;
            memcpy(&l32, p, 4);
            p += 4;
            len = l32;
        }
        tn_pq_bloom_insert(ch->bloom, ch->bloom_bytes, tn_pq_bloom_hash(p, len));
        p += len;
    }
    return 0;
}

static int write_chunk(writer *w, wleaf *l, wchunk *ch)
{
    const wnode *leaf = l->chain[l->depth - 1];
    int64_t page_bytes = w->o.page_bytes > 0 ? w->o.page_bytes : 1 << 20;
    ch->offset = (int64_t)l->out.len;
    l->s.voff[l->n] = (int64_t)l->s.values.len;
    ch->enc = value_encoding(l->encoding, leaf);
    if (ch->enc == PQ_PLAIN)
        TN_TRY(build_dict(w, l, ch));
    l->s.ranked = false;
    if (ch->dict)
        TN_TRY(rank_dict(l, leaf));
    if (ch->dict) {
        l->s.page.len = 0;
        TN_TRY(emit_page(w, l, PQ_DICTIONARY_PAGE, (int32_t)l->s.n_dict, PQ_PLAIN, ch, NULL, l->s.dict.data, l->s.dict.len));
    }
    ch->data_offset = (int64_t)l->out.len;
    int64_t a = 0, v0 = 0, nv = 0;
    bool repeated = leaf->max_rep > 0;
    if (!repeated) {
        /* Pages end at the first level whose values reach page_bytes (voff
         * does not decrease, so a binary search finds it) or at 2^20 levels. */
        while (a < l->n) {
            int64_t lo = a + 1, hi = l->n < a + (1 << 20) ? l->n : a + (1 << 20);
            int64_t want = l->s.voff[a] + page_bytes;
            while (lo < hi) {
                int64_t mid = lo + (hi - lo) / 2;
                if (l->s.voff[mid] >= want)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            int64_t b = lo;
            nv = leaf->max_def > 0 ? count_level(l->s.def + a, b - a, (uint16_t)leaf->max_def) : b - a;
            TN_TRY(note_page(l, a, b, v0, nv, ch));
            TN_TRY(write_page(w, l, a, b, v0, nv, ch));
            ch->pages[ch->n_pages - 1].size = (int32_t)((int64_t)l->out.len - ch->pages[ch->n_pages - 1].offset);
            a = b;
            v0 += nv;
        }
    }
    for (int64_t i = 1; repeated && i <= l->n; i++) {
        nv += leaf->max_def == 0 || l->s.def[i - 1] == leaf->max_def;
        bool full = l->s.voff[i] - l->s.voff[a] >= page_bytes || i - a >= (1 << 20);
        if (i == l->n || (full && (!repeated || l->s.rep[i] == 0))) {
            TN_TRY(note_page(l, a, i, v0, nv, ch));
            TN_TRY(write_page(w, l, a, i, v0, nv, ch));
            ch->pages[ch->n_pages - 1].size = (int32_t)((int64_t)l->out.len - ch->pages[ch->n_pages - 1].offset);
            a = i;
            v0 += nv;
            nv = 0;
        }
    }
    if (l->n == 0) { /* an empty chunk still has one (empty) page */
        TN_TRY(note_page(l, 0, 0, 0, 0, ch));
        TN_TRY(write_page(w, l, 0, 0, 0, 0, ch));
        ch->pages[0].size = (int32_t)((int64_t)l->out.len - ch->pages[0].offset);
    }
    chunk_stats(l, ch);
    return l->bloom ? build_bloom(l, ch) : 0;
}

/* Shred leaf l of the sealed batches into levels and values and encode its
 * chunk into l->out (a task on the pool: it touches only l and ch). */
static int encode_leaf(void *arg, tarn_error *err)
{
    wjob *j = arg;
    writer *w = j->w;
    wleaf *l = j->l;
    l->err = err;
    l->n = 0;
    l->s.values.len = 0;
    l->out.len = 0;
    TN_TRY(push(w, l, 0, 0)); /* make sure the arrays exist */
    l->n = 0;
    int32_t top = 0;
    for (int32_t i = 0; i < w->root.n_children; i++)
        if (&w->root.children[i] == l->chain[0])
            top = i;
    for (int32_t b = 0; b < w->n_sealed; b++) {
        const tn_array *col = w->sealed[b]->columns[top];
        if (l->depth == 1) {
            TN_TRY(shred_flat(w, l, col));
            continue;
        }
        for (int64_t r = 0; r < w->sealed[b]->length; r++)
            TN_TRY(shred(w, l, 0, col, r, 0, 0));
    }
    return write_chunk(w, l, j->ch);
}

/* Write an encoded chunk at the file's current position: its offsets,
 * relative to the chunk until now, become file offsets. */
static int place_chunk(writer *w, wleaf *l, wchunk *ch)
{
    tn_buf *out = &l->written;
    int64_t base = w->pos;
    ch->offset += base;
    ch->data_offset += base;
    for (int32_t i = 0; i < ch->n_pages; i++)
        ch->pages[i].offset += base;
    TN_TRY(write_all(w, out->data, out->len));
    out->len = 0;
    return 0;
}

/* A chunk's bloom filter, after the row group's chunks (as arrow-rs places
 * them): header and bitset; the bitset is freed. */
static int write_bloom(writer *w, wchunk *ch)
{
    if (!ch->bloom)
        return 0;
    tn_buf h;
    tn_buf_init(&h, 0);
    int rc = tn_pq_bloom_header_write(&h, (int32_t)ch->bloom_bytes, w->err);
    ch->bloom_offset = w->pos;
    if (!rc)
        rc = write_all(w, h.data, h.len);
    if (!rc)
        rc = write_all(w, ch->bloom, (size_t)ch->bloom_bytes);
    ch->bloom_len = (int32_t)(w->pos - ch->bloom_offset);
    tn_buf_reset(&h);
    tn_free(ch->bloom);
    ch->bloom = NULL;
    return rc;
}

/* --- who encodes which leaf ------------------------------------------------------ */

/* Exchange leaf l's working buffers with set s: lends the set to the
 * leaf, and called again, takes it back (the leaf's set is empty between). */
static void swap_scratch(wleaf *l, wset *s)
{
    wscratch t = l->s;
    l->s = s->s;
    s->s = t;
}

static void init_scratch(wscratch *s)
{
    memset(s, 0, sizeof *s);
    tn_buf_init(&s->values, 0);
    tn_buf_init(&s->dict, 0);
    tn_buf_init(&s->page, 0);
    tn_buf_init(&s->comp, 0);
    tn_buf_init(&s->header, 0);
}

static void free_scratch(wscratch *s)
{
    tn_free(s->def);
    tn_free(s->rep);
    tn_free(s->voff);
    tn_buf_reset(&s->values);
    tn_free(s->idx);
    tn_buf_reset(&s->dict);
    tn_free(s->slots);
    tn_free(s->ftab);
    tn_free(s->dict_at);
    tn_free(s->dict_hash);
    tn_free(s->rank);
    tn_free(s->order);
    tn_buf_reset(&s->page);
    tn_buf_reset(&s->comp);
    tn_buf_reset(&s->header);
    tn_free(s->scratch);
}

/* A spare set of working buffers, or a new empty one while there are
 * fewer sets than threads; else wait for one (every set lent out is held
 * by a running encoder, so one comes back). */
static int take_scratch(writer *w, wset **out, tarn_error *err)
{
    int32_t most = tarn_threads() > 1 ? tarn_threads() : 1;
    pthread_mutex_lock(&w->mu);
    while (!w->spare && w->n_sets >= most)
        pthread_cond_wait(&w->cv, &w->mu);
    wset *s = w->spare;
    if (s)
        w->spare = s->next;
    else
        w->n_sets++;
    pthread_mutex_unlock(&w->mu);
    if (!s) {
        s = tn_malloc(sizeof *s);
        if (!s) {
            pthread_mutex_lock(&w->mu);
            w->n_sets--;
            pthread_cond_broadcast(&w->cv);
            pthread_mutex_unlock(&w->mu);
            return tn_error_oom(err, sizeof *s);
        }
        s->next = NULL;
        init_scratch(&s->s);
    }
    *out = s;
    return 0;
}

static void give_scratch(writer *w, wset *s)
{
    pthread_mutex_lock(&w->mu);
    s->next = w->spare;
    w->spare = s;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Bytes an array holds in its buffers (an upper bound for slices). */
static int64_t array_bytes(const tn_array *a)
{
    int64_t n = 0;
    for (int32_t i = 0; i < a->n_buffers; i++)
        n += a->buffers[i] ? a->buffers[i]->size : 0;
    for (int32_t i = 0; i < a->n_children; i++)
        n += array_bytes(a->children[i]);
    return n;
}

/* Every leaf of top-level column `top` is encoded: drop the column from
 * the sealed batches the writer alone holds (a batch someone else also
 * holds is left whole), so the group's Arrow memory drains while it is
 * encoded rather than when the group is written. */
static void release_column(writer *w, int32_t top)
{
    for (int32_t b = 0; b < w->n_sealed; b++) {
        tn_batch *bt = w->sealed[b];
        tn_array *col = bt->columns[top];
        if (!col)
            continue;
        atomic_fetch_sub(&w->sealed_bytes, array_bytes(col));
        if (atomic_load(&bt->refcount) == 1) {
            bt->columns[top] = NULL;
            tn_array_unref(col);
        }
    }
}

/* The next leaf of the sealed group to encode, or -1 when every leaf is
 * claimed or one has failed. */
static int32_t claim(writer *w)
{
    if (atomic_load(&w->stop))
        return -1;
    int32_t i = atomic_fetch_add(&w->next, 1);
    return i < w->n_leaves ? w->order[i] : -1;
}

/* Encode leaf c of the sealed group (encode_leaf) with a lent set of
 * working buffers; the last leaf of a top-level column releases it. */
static int run_leaf(writer *w, int32_t c, tarn_error *err)
{
    wleaf *l = &w->leaves[c];
    wset *s = NULL;
    int rc = take_scratch(w, &s, err);
    if (!rc) {
        swap_scratch(l, s);
        rc = encode_leaf(&w->jobs[c], err);
        swap_scratch(l, s);
        give_scratch(w, s);
    }
    if (rc)
        atomic_store(&w->stop, true);
    if (atomic_fetch_sub(&w->left[l->top], 1) == 1)
        release_column(w, l->top);
    pthread_mutex_lock(&w->mu);
    w->n_done++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* A task on the pool: encode leaves of the sealed group until none is left. */
static int encode_some(void *arg, tarn_error *err)
{
    writer *w = arg;
    for (int32_t c; (c = claim(w)) >= 0;)
        TN_TRY(run_leaf(w, c, err));
    return 0;
}

/* While a row group is being encoded, keep the Arrow bytes the writer holds
 * (the group filling plus the sealed columns not yet encoded) at about
 * row_group_bytes: before reading on, the caller encodes leaves of the
 * sealed group itself, or waits for the threads encoding the last ones.
 * So memory is about one row group of batches, not two, and reading still
 * overlaps encoding as the sealed group drains. */
static int make_room(writer *w)
{
    int64_t blimit = w->o.row_group_bytes > 0 ? w->o.row_group_bytes : INT64_C(128) << 20;
    while (w->encoding && w->pending_bytes + atomic_load(&w->sealed_bytes) > blimit) {
        int32_t c = claim(w);
        if (c >= 0) {
            TN_TRY(run_leaf(w, c, w->err));
            continue;
        }
        if (atomic_load(&w->stop))
            return 0; /* finish_group reports the failure */
        pthread_mutex_lock(&w->mu);
        bool all = w->n_done >= w->n_leaves;
        if (!all && w->pending_bytes + atomic_load(&w->sealed_bytes) > blimit)
            pthread_cond_wait(&w->cv, &w->mu);
        pthread_mutex_unlock(&w->mu);
        if (all)
            return 0; /* what is still held belongs to batches shared with others */
    }
    return 0;
}

typedef struct wsize {     /* a leaf and the Arrow bytes of its top-level column */
    int64_t bytes;
    int32_t leaf;
} wsize;

static int larger_first(const void *a, const void *b)
{
    const wsize *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

/* The order leaves are claimed in: the largest columns first, so the last
 * task of a group is a short one. The order does not change the bytes. */
static int order_leaves(writer *w)
{
    int32_t n_top = w->root.n_children;
    wsize *sz = tn_calloc((size_t)w->n_leaves, sizeof *sz);
    int64_t *top_bytes = tn_calloc((size_t)n_top, sizeof *top_bytes);
    if (!sz || !top_bytes) {
        tn_free(sz);
        tn_free(top_bytes);
        return tn_error_oom(w->err, (size_t)w->n_leaves * sizeof *sz);
    }
    for (int32_t b = 0; b < w->n_sealed; b++)
        for (int32_t t = 0; t < n_top; t++)
            top_bytes[t] += array_bytes(w->sealed[b]->columns[t]);
    for (int32_t c = 0; c < w->n_leaves; c++)
        sz[c] = (wsize){.bytes = top_bytes[w->leaves[c].top], .leaf = c};
    qsort(sz, (size_t)w->n_leaves, sizeof *sz, larger_first);
    for (int32_t c = 0; c < w->n_leaves; c++)
        w->order[c] = sz[c].leaf;
    tn_free(sz);
    tn_free(top_bytes);
    return 0;
}

/* Wait for the row group being encoded, if any: *g is its index (-1:
 * none), and each leaf's encoded chunk moves to the leaf's `written`
 * buffer, so the next group can be encoded while this one is written
 * (write_group). */
static int wait_group(writer *w, int32_t *g)
{
    *g = -1;
    if (!w->encoding)
        return 0;
    int rc = tn_taskgroup_wait(w->encoding, w->err);
    tn_taskgroup_free(w->encoding);
    w->encoding = NULL;
    atomic_store(&w->sealed_bytes, 0);
    if (rc)
        return rc;
    for (int32_t c = 0; c < w->n_leaves; c++) {
        tn_buf t = w->leaves[c].out;
        w->leaves[c].out = w->leaves[c].written;
        w->leaves[c].written = t;
    }
    *g = w->n_groups - 1;
    return 0;
}

/* Write row group g's chunks (from the leaves' `written` buffers) in
 * column order, so the file is the same whatever the number of threads,
 * then their bloom filters. */
static int write_group(writer *w, int32_t g)
{
    if (g < 0)
        return 0;
    wchunk *chunks = w->chunks + (size_t)g * (size_t)w->n_leaves;
    for (int32_t c = 0; c < w->n_leaves; c++)
        TN_TRY(place_chunk(w, &w->leaves[c], &chunks[c]));
    for (int32_t c = 0; c < w->n_leaves; c++)
        TN_TRY(write_bloom(w, &chunks[c]));
    return 0;
}

/* Wait for the row group being encoded, if any, write it, and drop its batches. */
static int finish_group(writer *w)
{
    int32_t g;
    int rc = wait_group(w, &g);
    if (!rc)
        rc = write_group(w, g);
    for (int32_t b = 0; b < w->n_sealed; b++)
        tn_batch_unref(w->sealed[b]);
    w->n_sealed = 0;
    return rc;
}

/* Room for one more row group's chunks. */
static int grow_groups(writer *w)
{
    if (w->n_groups < w->cap_groups)
        return 0;
    int32_t cap = w->cap_groups ? w->cap_groups * 2 : 8;
    int64_t *g = tn_realloc(w->group_rows, (size_t)cap * sizeof *g);
    TN_TRY_ALLOC(g, w->err, (size_t)cap * sizeof *g);
    w->group_rows = g;
    size_t per = (size_t)(w->n_leaves + 1);
    wchunk *c = tn_realloc(w->chunks, (size_t)cap * per * sizeof *c);
    TN_TRY_ALLOC(c, w->err, (size_t)cap * sizeof *c);
    memset(c + (size_t)w->cap_groups * per, 0, (size_t)(cap - w->cap_groups) * per * sizeof *c);
    w->chunks = c;
    w->cap_groups = cap;
    return 0;
}

/* Close the pending batches as a row group: the previous group is waited
 * for, this one's leaves are set encoding by tasks on the pool
 * (encode_some, as many as threads, each claiming leaves largest first),
 * and only then are the previous group's chunks written and its batches
 * dropped, so the write overlaps the encoding. The caller then goes on
 * reading batches for the next group, as far as make_room lets it. */
static int flush_group(writer *w)
{
    int32_t g;
    int rc = wait_group(w, &g);
    /* the finished group's batches, dropped once it is written */
    tn_batch **done = w->sealed;
    int32_t n_done = w->n_sealed, cap_done = w->cap_sealed;
    w->sealed = NULL;
    w->n_sealed = w->cap_sealed = 0;
    if (rc || w->n_pending == 0)
        goto out;
    if ((rc = grow_groups(w)))
        goto out;
    wchunk *chunks = w->chunks + (size_t)w->n_groups * (size_t)w->n_leaves;
    memset(chunks, 0, (size_t)w->n_leaves * sizeof *chunks);
    w->sealed = w->pending;
    w->n_sealed = w->n_pending;
    w->cap_sealed = w->cap_pending;
    w->pending = NULL;
    w->n_pending = w->cap_pending = 0;
    w->group_rows[w->n_groups++] = w->pending_rows;
    w->total_rows += w->pending_rows;
    w->pending_rows = 0;
    w->group_bytes = 0;
    atomic_store(&w->sealed_bytes, w->pending_bytes);
    w->pending_bytes = 0;
    for (int32_t c = 0; c < w->n_leaves; c++)
        w->jobs[c] = (wjob){.w = w, .l = &w->leaves[c], .ch = &chunks[c]};
    for (int32_t k = 0; k < w->root.n_children; k++)
        atomic_store(&w->left[k], 0);
    for (int32_t c = 0; c < w->n_leaves; c++)
        atomic_fetch_add(&w->left[w->leaves[c].top], 1);
    if ((rc = order_leaves(w)))
        goto out;
    atomic_store(&w->next, 0);
    atomic_store(&w->stop, false);
    w->n_done = 0;
    w->encoding = tn_taskgroup_new();
    if (!w->encoding) {
        rc = tn_error_oom(w->err, 64);
        goto out;
    }
    int32_t tasks = tarn_threads() < w->n_leaves ? tarn_threads() : w->n_leaves;
    if (tasks < 1)
        tasks = 1;
    for (int32_t k = 0; k < tasks; k++)
        if (tn_taskgroup_spawn(w->encoding, encode_some, w) != TARN_OK)
            break; /* the group holds the error; wait_group returns it */
out:
    if (!rc)
        rc = write_group(w, g);
    for (int32_t b = 0; b < n_done; b++)
        tn_batch_unref(done[b]);
    if (!w->pending) { /* reuse the array for the next group's batches */
        w->pending = done;
        w->cap_pending = cap_done;
    } else
        tn_free(done);
    return rc;
}

/* --- footer ------------------------------------------------------------------------ */

static int w_logical(tn_th_writer *t, const pq_logical *l)
{
    TN_TRY(tn_th_w_field(t, 10, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_field(t, (int16_t)l->kind, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(t));
    switch (l->kind) {
    case PQ_LT_DECIMAL:
        TN_TRY(tn_th_w_i32(t, 1, l->scale));
        TN_TRY(tn_th_w_i32(t, 2, l->precision));
        break;
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP:
        TN_TRY(tn_th_w_bool(t, 1, l->utc));
        TN_TRY(tn_th_w_field(t, 2, TN_TH_STRUCT));
        TN_TRY(tn_th_w_struct_begin(t));
        TN_TRY(tn_th_w_field(t, (int16_t)l->unit, TN_TH_STRUCT));
        TN_TRY(tn_th_w_struct_begin(t));
        TN_TRY(tn_th_w_struct_end(t));
        TN_TRY(tn_th_w_struct_end(t));
        break;
    case PQ_LT_INTEGER:
        TN_TRY(tn_th_w_byte(t, 1, l->bit_width));
        TN_TRY(tn_th_w_bool(t, 2, l->is_signed));
        break;
    default:
        break;
    }
    TN_TRY(tn_th_w_struct_end(t));
    return tn_th_w_struct_end(t);
}

static int32_t count_nodes(const wnode *n)
{
    int32_t k = 1;
    for (int32_t i = 0; i < n->n_children; i++)
        k += count_nodes(&n->children[i]);
    return k;
}

static int w_schema(tn_th_writer *t, const wnode *n, bool root)
{
    TN_TRY(tn_th_w_struct_begin(t));
    if (n->ptype >= 0) {
        TN_TRY(tn_th_w_i32(t, 1, n->ptype));
        if (n->ptype == PQ_FLBA)
            TN_TRY(tn_th_w_i32(t, 2, n->type_length));
    }
    if (!root)
        TN_TRY(tn_th_w_i32(t, 3, n->repetition));
    TN_TRY(tn_th_w_binary(t, 4, n->name, strlen(n->name)));
    if (n->ptype < 0)
        TN_TRY(tn_th_w_i32(t, 5, n->n_children));
    if (n->converted >= 0)
        TN_TRY(tn_th_w_i32(t, 6, n->converted));
    if (n->converted == PQ_CT_DECIMAL) {
        TN_TRY(tn_th_w_i32(t, 7, n->logical.scale));
        TN_TRY(tn_th_w_i32(t, 8, n->logical.precision));
    }
    if (n->logical.kind != PQ_LT_NONE)
        TN_TRY(w_logical(t, &n->logical));
    TN_TRY(tn_th_w_struct_end(t));
    for (int32_t i = 0; i < n->n_children; i++)
        TN_TRY(w_schema(t, &n->children[i], false));
    return 0;
}

static int w_column(writer *w, tn_th_writer *t, const wleaf *l, const wchunk *c)
{
    const wnode *leaf = l->chain[l->depth - 1];
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_i64(t, 2, c->offset + c->csize));
    TN_TRY(tn_th_w_field(t, 3, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_i32(t, 1, leaf->ptype));
    TN_TRY(tn_th_w_list(t, 2, TN_TH_I32, c->dict || c->enc != PQ_PLAIN ? 3 : 2));
    TN_TRY(tn_th_w_raw_i32(t, PQ_PLAIN));
    TN_TRY(tn_th_w_raw_i32(t, PQ_RLE));
    if (c->dict || c->enc != PQ_PLAIN)
        TN_TRY(tn_th_w_raw_i32(t, c->dict ? PQ_RLE_DICTIONARY : c->enc));
    TN_TRY(tn_th_w_list(t, 3, TN_TH_BINARY, l->depth));
    for (int k = 0; k < l->depth; k++)
        TN_TRY(tn_th_w_raw_binary(t, l->chain[k]->name, strlen(l->chain[k]->name)));
    TN_TRY(tn_th_w_i32(t, 4, l->codec));
    TN_TRY(tn_th_w_i64(t, 5, c->num_values));
    TN_TRY(tn_th_w_i64(t, 6, c->usize));
    TN_TRY(tn_th_w_i64(t, 7, c->csize));
    TN_TRY(tn_th_w_i64(t, 9, c->data_offset));
    if (c->dict)
        TN_TRY(tn_th_w_i64(t, 11, c->offset));
    TN_TRY(tn_th_w_field(t, 12, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_i64(t, 3, c->null_count));
    if (c->has_max)
        TN_TRY(tn_th_w_binary(t, 5, c->max, c->max_len));
    if (c->has_min)
        TN_TRY(tn_th_w_binary(t, 6, c->min, c->min_len));
    TN_TRY(tn_th_w_struct_end(t));
    if (c->bloom_offset > 0) {
        TN_TRY(tn_th_w_i64(t, 14, c->bloom_offset));
        TN_TRY(tn_th_w_i32(t, 15, c->bloom_len));
    }
    TN_TRY(tn_th_w_struct_end(t));
    if (c->oi_offset > 0) {
        TN_TRY(tn_th_w_i64(t, 4, c->oi_offset));
        TN_TRY(tn_th_w_i32(t, 5, c->oi_len));
    }
    if (c->ci_offset > 0) {
        TN_TRY(tn_th_w_i64(t, 6, c->ci_offset));
        TN_TRY(tn_th_w_i32(t, 7, c->ci_len));
    }
    return tn_th_w_struct_end(t);
}

/* BoundaryOrder of the pages' bounds: 1 ascending, 2 descending, 0 neither. */
static int32_t boundary_order(const wnode *n, const wchunk *c)
{
    bool asc = true, desc = true;
    const wpage *prev = NULL;
    for (int32_t i = 0; i < c->n_pages; i++) {
        const wpage *p = &c->pages[i];
        if (p->null_page)
            continue;
        if (prev) {
            int lo = cmp_value(n, prev->b.min, prev->b.min_len, p->b.min, p->b.min_len);
            int hi = cmp_value(n, prev->b.max, prev->b.max_len, p->b.max, p->b.max_len);
            asc = asc && lo <= 0 && hi <= 0;
            desc = desc && lo >= 0 && hi >= 0;
        }
        prev = p;
    }
    return asc ? 1 : desc ? 2 : 0;
}

/* ColumnIndex: null_pages, min_values, max_values, boundary_order, null_counts. */
static int w_column_index(const wnode *n, const wchunk *c, tn_th_writer *t)
{
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_list(t, 1, TN_TH_TRUE, c->n_pages));
    for (int32_t i = 0; i < c->n_pages; i++)
        TN_TRY(tn_th_w_raw_bool(t, c->pages[i].null_page));
    TN_TRY(tn_th_w_list(t, 2, TN_TH_BINARY, c->n_pages));
    for (int32_t i = 0; i < c->n_pages; i++)
        TN_TRY(tn_th_w_raw_binary(t, c->pages[i].b.min, c->pages[i].null_page ? 0 : c->pages[i].b.min_len));
    TN_TRY(tn_th_w_list(t, 3, TN_TH_BINARY, c->n_pages));
    for (int32_t i = 0; i < c->n_pages; i++)
        TN_TRY(tn_th_w_raw_binary(t, c->pages[i].b.max, c->pages[i].null_page ? 0 : c->pages[i].b.max_len));
    TN_TRY(tn_th_w_i32(t, 4, boundary_order(n, c)));
    TN_TRY(tn_th_w_list(t, 5, TN_TH_I64, c->n_pages));
    for (int32_t i = 0; i < c->n_pages; i++)
        TN_TRY(tn_th_w_raw_i64(t, c->pages[i].nulls));
    return tn_th_w_struct_end(t);
}

/* OffsetIndex: page_locations (offset, compressed_page_size, first_row_index). */
static int w_offset_index(const wchunk *c, tn_th_writer *t)
{
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_list(t, 1, TN_TH_STRUCT, c->n_pages));
    for (int32_t i = 0; i < c->n_pages; i++) {
        TN_TRY(tn_th_w_struct_begin(t));
        TN_TRY(tn_th_w_i64(t, 1, c->pages[i].offset));
        TN_TRY(tn_th_w_i32(t, 2, c->pages[i].size));
        TN_TRY(tn_th_w_i64(t, 3, c->pages[i].first_row));
        TN_TRY(tn_th_w_struct_end(t));
    }
    return tn_th_w_struct_end(t);
}

/* Whether a chunk's pages all have bounds (a column index needs min and
 * max for every page that is not all null). */
static bool indexable(const wnode *n, const wchunk *c)
{
    if (!has_order(n))
        return false;
    for (int32_t i = 0; i < c->n_pages; i++)
        if (!c->pages[i].null_page && (!c->pages[i].b.has_min || !c->pages[i].b.has_max))
            return false;
    return true;
}

/* The page index after the data, before the footer: every chunk's column
 * index, then every chunk's offset index, as the format lays them out. */
static int write_page_index(writer *w)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    tn_th_writer t;
    int rc = 0;
    for (int pass = 0; !rc && pass < 2; pass++)
        for (int32_t g = 0; !rc && g < w->n_groups; g++)
            for (int32_t c = 0; !rc && c < w->n_leaves; c++) {
                wchunk *ch = &w->chunks[(size_t)g * (size_t)w->n_leaves + (size_t)c];
                const wnode *n = w->leaves[c].chain[w->leaves[c].depth - 1];
                if (pass == 0 && !indexable(n, ch))
                    continue;
                b.len = 0;
                tn_th_writer_init(&t, &b, w->err);
                rc = pass == 0 ? w_column_index(n, ch, &t) : w_offset_index(ch, &t);
                if (!rc && b.len > INT32_MAX)
                    rc = tn_error_set(w->err, TARN_EOVERFLOW, "parquet writer: page index larger than 2 GiB");
                if (rc)
                    break;
                *(pass == 0 ? &ch->ci_offset : &ch->oi_offset) = w->pos;
                *(pass == 0 ? &ch->ci_len : &ch->oi_len) = (int32_t)b.len;
                rc = write_all(w, b.data, b.len);
            }
    tn_buf_reset(&b);
    return rc;
}

/* key_value_metadata: the schema's own metadata, then ARROW:schema. */
static int w_key_values(writer *w, tn_th_writer *t)
{
    const tn_kv *kv = &w->schema->metadata;
    int32_t n = 0;
    for (int32_t i = 0; i < kv->n; i++)
        n += strcmp(kv->keys[i], TN_PQ_ARROW_SCHEMA_KEY) != 0;
    n += w->arrow_schema != NULL;
    if (n == 0)
        return 0;
    TN_TRY(tn_th_w_list(t, 5, TN_TH_STRUCT, n));
    for (int32_t i = 0; i <= kv->n; i++) {
        const char *k = i < kv->n ? kv->keys[i] : TN_PQ_ARROW_SCHEMA_KEY;
        const char *v = i < kv->n ? kv->values[i] : w->arrow_schema;
        if ((i < kv->n && strcmp(k, TN_PQ_ARROW_SCHEMA_KEY) == 0) || !v)
            continue;
        TN_TRY(tn_th_w_struct_begin(t));
        TN_TRY(tn_th_w_binary(t, 1, k, strlen(k)));
        TN_TRY(tn_th_w_binary(t, 2, v, strlen(v)));
        TN_TRY(tn_th_w_struct_end(t));
    }
    return 0;
}

static int write_footer(writer *w)
{
    tn_buf f;
    tn_buf_init(&f, 0);
    tn_th_writer t;
    tn_th_writer_init(&t, &f, w->err);
    int rc = tn_th_w_struct_begin(&t);
    if (!rc) rc = tn_th_w_i32(&t, 1, 2);
    if (!rc) rc = tn_th_w_list(&t, 2, TN_TH_STRUCT, count_nodes(&w->root));
    if (!rc) rc = w_schema(&t, &w->root, true);
    if (!rc) rc = tn_th_w_i64(&t, 3, w->total_rows);
    if (!rc) rc = tn_th_w_list(&t, 4, TN_TH_STRUCT, w->n_groups);
    for (int32_t g = 0; !rc && g < w->n_groups; g++) {
        const wchunk *ch = w->chunks + (size_t)g * (size_t)w->n_leaves;
        int64_t usize = 0, csize = 0;
        for (int32_t c = 0; c < w->n_leaves; c++) {
            usize += ch[c].usize;
            csize += ch[c].csize;
        }
        rc = tn_th_w_struct_begin(&t);
        if (!rc) rc = tn_th_w_list(&t, 1, TN_TH_STRUCT, w->n_leaves);
        for (int32_t c = 0; !rc && c < w->n_leaves; c++)
            rc = w_column(w, &t, &w->leaves[c], &ch[c]);
        if (!rc) rc = tn_th_w_i64(&t, 2, usize);
        if (!rc) rc = tn_th_w_i64(&t, 3, w->group_rows[g]);
        if (!rc) rc = tn_th_w_i64(&t, 5, ch[0].offset);
        if (!rc) rc = tn_th_w_i64(&t, 6, csize);
        if (!rc) rc = tn_th_w_struct_end(&t);
    }
    if (!rc) rc = w_key_values(w, &t);
    if (!rc) rc = tn_th_w_binary(&t, 6, "tarn version " TARN_VERSION_STRING, strlen("tarn version " TARN_VERSION_STRING));
    /* column_orders: TYPE_DEFINED_ORDER for every leaf, so readers trust min_value/max_value */
    if (!rc) rc = tn_th_w_list(&t, 7, TN_TH_STRUCT, w->n_leaves);
    for (int32_t c = 0; !rc && c < w->n_leaves; c++) {
        rc = tn_th_w_struct_begin(&t);
        if (!rc) rc = tn_th_w_field(&t, 1, TN_TH_STRUCT);
        if (!rc) rc = tn_th_w_struct_begin(&t);
        if (!rc) rc = tn_th_w_struct_end(&t);
        if (!rc) rc = tn_th_w_struct_end(&t);
    }
    if (!rc) rc = tn_th_w_struct_end(&t);
    if (!rc) rc = write_all(w, f.data, f.len);
    uint8_t tail[8] = {(uint8_t)f.len, (uint8_t)(f.len >> 8), (uint8_t)(f.len >> 16), (uint8_t)(f.len >> 24), 'P', 'A', 'R', '1'};
    if (!rc) rc = write_all(w, tail, 8);
    tn_buf_reset(&f);
    return rc;
}

/* --- driver ----------------------------------------------------------------------- */

static int add_batch(writer *w, tn_batch *b, int64_t rows_b);

/* Arrow bytes of rows [s, e) of a, counted row by row (value widths,
 * offsets and string or child bytes; validity bitmaps and dictionaries are
 * left out), so that the bytes of some rows are the same however they are
 * split into batches: row groups close by them (add_rows). */
static int64_t rows_bytes(const tn_array *a, int64_t s, int64_t e)
{
    if (!a || e <= s)
        return 0;
    int64_t n = e - s, p = a->offset + s;
    const tn_type *t = a->type;
    switch (t->id) {
    case TN_NA:
        return 0;
    case TN_BOOL:
        return n;
    case TN_STRING: case TN_BINARY: {
        const int32_t *off = (const int32_t *)a->buffers[1]->data + p;
        return n * 4 + (off[n] - off[0]);
    }
    case TN_LARGE_STRING: case TN_LARGE_BINARY: {
        const int64_t *off = (const int64_t *)a->buffers[1]->data + p;
        return n * 8 + (off[n] - off[0]);
    }
    case TN_STRING_VIEW: case TN_BINARY_VIEW: {
        const tn_view *v = (const tn_view *)a->buffers[1]->data + p;
        int64_t b = n * 16;
        for (int64_t i = 0; i < n; i++)
            b += v[i].inl.size > 12 ? v[i].inl.size : 0;
        return b;
    }
    case TN_LIST: case TN_MAP: {
        const int32_t *off = (const int32_t *)a->buffers[1]->data + p;
        return n * 4 + rows_bytes(a->children[0], off[0], off[n]);
    }
    case TN_LARGE_LIST: {
        const int64_t *off = (const int64_t *)a->buffers[1]->data + p;
        return n * 8 + rows_bytes(a->children[0], off[0], off[n]);
    }
    case TN_FIXED_LIST:
        return rows_bytes(a->children[0], p * t->list_size, (p + n) * t->list_size);
    case TN_STRUCT: {
        int64_t b = 0;
        for (int32_t i = 0; i < a->n_children; i++)
            b += rows_bytes(a->children[i], p, p + n);
        return b;
    }
    case TN_DICTIONARY:
        return n * t->index_type->byte_width;
    default:
        return n * t->byte_width;
    }
}

static int64_t batch_rows_bytes(const tn_batch *b, int64_t s, int64_t e)
{
    int64_t n = 0;
    for (int32_t c = 0; c < b->schema->n_fields; c++)
        n += rows_bytes(b->columns[c], s, e);
    return n;
}

/* Rows of b to add before the group holding `have` bytes reaches `limit`:
 * the fewest that take it to the limit, or all of b's. A row's bytes only
 * grow the count, so the first k rows' bytes are monotonic in k. */
static int64_t rows_to_limit(const tn_batch *b, int64_t have, int64_t limit)
{
    if (have + batch_rows_bytes(b, 0, b->length) < limit)
        return b->length;
    int64_t lo = 1, hi = b->length; /* the answer lies in [lo, hi] */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (have + batch_rows_bytes(b, 0, mid) >= limit)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Add batch b (a reference is consumed), cut at the row where its group
 * reaches row_group_rows rows or row_group_bytes bytes (rows_bytes), so
 * groups hold the same rows whatever the batches' sizes. */
static int add_rows(writer *w, tn_batch *b)
{
    int64_t limit = w->o.row_group_rows > 0 ? w->o.row_group_rows : 1 << 20;
    int64_t blimit = w->o.row_group_bytes > 0 ? w->o.row_group_bytes : INT64_C(128) << 20;
    for (;;) {
        int64_t head = limit - w->pending_rows;
        int64_t k = rows_to_limit(b, w->group_bytes, blimit);
        if (k < head)
            head = k;
        if (head >= b->length)
            return add_batch(w, b, batch_rows_bytes(b, 0, b->length));
        tn_batch *first = tn_batch_slice(b, 0, head), *rest = first ? tn_batch_slice(b, head, b->length - head) : NULL;
        tn_batch_unref(b);
        if (!rest) {
            tn_batch_unref(first);
            return tn_error_oom(w->err, sizeof *b);
        }
        b = rest;
        int rc = add_batch(w, first, batch_rows_bytes(first, 0, first->length));
        if (rc) {
            tn_batch_unref(b);
            return rc;
        }
    }
}

/* Add batch b (a reference is consumed) of rows_b bytes (rows_bytes) to
 * the group filling, and close the group when it is full. */
static int add_batch(writer *w, tn_batch *b, int64_t rows_b)
{
    if (w->n_pending == w->cap_pending) {
        int32_t cap = w->cap_pending ? w->cap_pending * 2 : 16;
        tn_batch **p = tn_realloc(w->pending, (size_t)cap * sizeof *p);
        if (!p) {
            tn_batch_unref(b);
            return tn_error_oom(w->err, (size_t)cap * sizeof *p);
        }
        w->pending = p;
        w->cap_pending = cap;
    }
    w->pending[w->n_pending++] = b;
    w->pending_rows += b->length;
    w->group_bytes += rows_b;
    for (int32_t c = 0; c < b->schema->n_fields; c++)
        w->pending_bytes += array_bytes(b->columns[c]);
    int64_t limit = w->o.row_group_rows > 0 ? w->o.row_group_rows : 1 << 20;
    int64_t blimit = w->o.row_group_bytes > 0 ? w->o.row_group_bytes : INT64_C(128) << 20;
    return w->pending_rows >= limit || w->group_bytes >= blimit ? flush_group(w) : make_room(w);
}

/* Whether option name o names leaf l: its top-level column, or its whole
 * dotted path. */
static bool names_leaf(const char *o, const wleaf *l)
{
    if (strcmp(o, l->chain[0]->name) == 0)
        return true;
    const char *p = o;
    for (int k = 0; k < l->depth; k++) {
        size_t n = strlen(l->chain[k]->name);
        if (strncmp(p, l->chain[k]->name, n) != 0)
            return false;
        p += n;
        if (k + 1 < l->depth && *p++ != '.')
            return false;
    }
    return *p == '\0';
}

/* The encoding a column option asks for, checked against the leaf's type. */
static int column_encoding(writer *w, const tn_parquet_column_options *c, const wleaf *l)
{
    const wnode *n = l->chain[l->depth - 1];
    if (c->encoding == PQ_PLAIN || c->encoding == PQ_RLE_DICTIONARY || c->encoding == PQ_PLAIN_DICTIONARY)
        return 0;
    if (value_encoding(c->encoding, n) != c->encoding)
        return tn_error_set(w->err, TARN_EINVAL, "parquet writer: column \"%s\": encoding %s does not apply to its %s values",
                            c->column, tn_pq_encoding_name(c->encoding), tn_pq_physical_name(n->ptype));
    return 0;
}

/* Each leaf's codec, encoding and dictionary: the file's, then the column
 * options naming it, in order. */
static int column_settings(writer *w)
{
    for (int32_t i = 0; i < w->n_leaves; i++) {
        wleaf *l = &w->leaves[i];
        l->codec = w->o.codec;
        l->level = w->o.level;
        l->encoding = w->o.encoding;
        l->dictionary = w->o.dictionary;
    }
    for (int32_t c = 0; c < w->o.n_columns; c++) {
        const tn_parquet_column_options *co = &w->o.columns[c];
        bool found = false;
        for (int32_t i = 0; co->column && i < w->n_leaves; i++) {
            wleaf *l = &w->leaves[i];
            if (!names_leaf(co->column, l))
                continue;
            found = true;
            if (co->codec >= 0) {
                l->codec = co->codec == PQ_LZ4 ? PQ_LZ4_RAW : co->codec;
                l->level = co->level;
            }
            if (co->encoding >= 0) {
                TN_TRY(column_encoding(w, co, l));
                l->encoding = co->encoding == PQ_RLE_DICTIONARY || co->encoding == PQ_PLAIN_DICTIONARY ? PQ_PLAIN
                                                                                                       : co->encoding;
                if (co->encoding == PQ_RLE_DICTIONARY || co->encoding == PQ_PLAIN_DICTIONARY)
                    l->dictionary = true;
                else if (co->encoding == PQ_PLAIN && co->dictionary < 0)
                    l->dictionary = false;
            }
            if (co->dictionary >= 0)
                l->dictionary = co->dictionary > 0;
            if (co->bloom) {
                if (l->chain[l->depth - 1]->ptype == PQ_BOOLEAN)
                    return tn_error_set(w->err, TARN_EINVAL,
                                        "parquet writer: column \"%s\": no bloom filter for booleans", co->column);
                l->bloom = true;
                l->bloom_ndv = co->bloom_ndv;
                l->bloom_fpp = co->bloom_fpp;
            }
        }
        if (!found)
            return tn_error_set(w->err, TARN_ENOTFOUND, "parquet writer: column option for \"%s\": no such column",
                                co->column ? co->column : "(null)");
    }
    return 0;
}

static int setup(writer *w, tn_schema *s)
{
    w->schema = s;
    w->root.name = tn_strdup("schema");
    TN_TRY_ALLOC(w->root.name, w->err, 8);
    w->root.ptype = -1;
    w->root.kind = PQN_STRUCT;
    w->root.converted = -1;
    if (s->n_fields == 0)
        return tn_error_set(w->err, TARN_EINVAL, "parquet writer: a schema without columns");
    TN_TRY(group_of(w, &w->root, s->n_fields));
    for (int32_t i = 0; i < s->n_fields; i++)
        TN_TRY(build_node(w, &w->root.children[i], s->fields[i].name, s->fields[i].type,
                          s->fields[i].nullable ? PQ_OPTIONAL : PQ_REQUIRED, 0, 0));
    w->leaves = tn_calloc((size_t)w->n_leaves + 1, sizeof *w->leaves);
    TN_TRY_ALLOC(w->leaves, w->err, (size_t)w->n_leaves * sizeof *w->leaves);
    w->jobs = tn_calloc((size_t)w->n_leaves + 1, sizeof *w->jobs);
    TN_TRY_ALLOC(w->jobs, w->err, (size_t)w->n_leaves * sizeof *w->jobs);
    w->order = tn_calloc((size_t)w->n_leaves + 1, sizeof *w->order);
    TN_TRY_ALLOC(w->order, w->err, (size_t)w->n_leaves * sizeof *w->order);
    w->left = tn_calloc((size_t)w->root.n_children, sizeof *w->left);
    TN_TRY_ALLOC(w->left, w->err, (size_t)w->root.n_children * sizeof *w->left);
    for (int32_t i = 0; i < w->n_leaves; i++) {
        wleaf *l = &w->leaves[i];
        init_scratch(&l->s);
        tn_buf_init(&l->out, 0);
        tn_buf_init(&l->written, 0);
        l->err = w->err;
    }
    if (!w->o.no_arrow_schema)
        TN_TRY(tn_pq_arrow_schema_encode(s, &w->arrow_schema, w->err));
    wnode *stack[64];
    int32_t idx[64] = {0};
    for (int32_t i = 0; i < w->root.n_children; i++)
        chains(w, &w->root.children[i], stack, idx, 0);
    for (int32_t i = 0; i < w->n_leaves; i++)
        w->leaves[i].top = (int32_t)(w->leaves[i].chain[0] - w->root.children);
    TN_TRY(column_settings(w));
    return 0;
}

static void cleanup(writer *w)
{
    if (w->encoding) { /* a failure while a row group was being encoded */
        atomic_store(&w->stop, true); /* running tasks claim no more leaves */
        tn_taskgroup_cancel(w->encoding);
        tn_taskgroup_free(w->encoding);
    }
    for (int32_t b = 0; b < w->n_sealed; b++)
        tn_batch_unref(w->sealed[b]);
    tn_free(w->sealed);
    tn_free(w->jobs);
    tn_free(w->order);
    tn_free((void *)w->left);
    while (w->spare) {
        wset *s = w->spare;
        w->spare = s->next;
        free_scratch(&s->s);
        tn_free(s);
    }
    tn_free(w->arrow_schema);
    for (int32_t i = 0; w->leaves && i < w->n_leaves; i++) {
        wleaf *l = &w->leaves[i];
        free_scratch(&l->s);
        tn_buf_reset(&l->out);
        tn_buf_reset(&l->written);
    }
    tn_free(w->leaves);
    free_node(&w->root);
    for (int32_t b = 0; b < w->n_pending; b++)
        tn_batch_unref(w->pending[b]);
    tn_free(w->pending);
    tn_free(w->group_rows);
    for (size_t i = 0; w->chunks && i < (size_t)w->cap_groups * (size_t)(w->n_leaves + 1); i++) {
        tn_free(w->chunks[i].pages);
        tn_free(w->chunks[i].bloom);
    }
    tn_free(w->chunks);
}

static int write_stream(writer *w, tn_reader *in)
{
    TN_TRY(setup(w, in->schema));
    static const uint8_t magic[4] = {'P', 'A', 'R', '1'};
    TN_TRY(write_all(w, magic, 4));
    for (;;) {
        tn_batch *b;
        TN_TRY(tn_reader_next(in, &b, w->err));
        if (!b)
            break;
        if (b->schema->n_fields != w->schema->n_fields) {
            tn_batch_unref(b);
            return tn_error_set(w->err, TARN_ETYPE, "parquet writer: a batch with another schema");
        }
        if (b->length > 0)
            TN_TRY(add_rows(w, b));
        else
            tn_batch_unref(b);
    }
    TN_TRY(flush_group(w));
    TN_TRY(finish_group(w));
    TN_TRY(write_page_index(w));
    return write_footer(w);
}

int tn_parquet_write_file(const char *path, tn_reader *in, const tn_parquet_write_options *opts, tarn_error *err)
{
    writer w = {.path = path, .err = err};
    if (opts)
        w.o = *opts;
    if (w.o.codec == PQ_LZ4)
        w.o.codec = PQ_LZ4_RAW;
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc = tn_atomic_open(&w.out, path, err);
    if (!rc) {
        rc = write_stream(&w, in);
        if (rc)
            tn_atomic_abort(&w.out);
        else
            rc = tn_atomic_commit(&w.out, err);
    }
    cleanup(&w);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc;
}
