/*
 * writer.c — writes record batches in the Arrow IPC stream or file format
 * (layout in reader.c): continuation-marked messages with 8-byte aligned
 * metadata and bodies, every buffer padded to 8 bytes, dictionary batches
 * before the record batches that use them, optional LZ4_FRAME or ZSTD body
 * compression per buffer, and for files the magic and a footer.
 *
 * Sliced input arrays are written as if they started at zero: bitmaps at an
 * offset that is not a multiple of 8 are shifted into a copy, offsets are
 * rebased into a copy, children are sliced to the range their parent uses.
 * Everything else is written straight from the array's memory.
 *
 * Dictionaries: ids are assigned in schema pre-order. Before each batch the
 * dictionary of every dictionary-typed array is compared with the last one
 * written for its id: the same one is not written again, one that extends it
 * becomes a delta batch holding the new values, and any other change a
 * replacement — which the file format forbids (TARN_EUNSUPPORTED).
 *
 * Files are written atomically: to a temporary file in the destination's
 * directory, fsync'ed, then renamed over the destination; on any failure the
 * temporary file is removed and nothing is left at the path.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "arrow/c_data.h"
#include "arrow/ipc/ipc_int.h"
#include "core/alloc.h"

#define FLUSH_AT (1 << 20)

typedef struct block {
    int64_t offset, meta_len, body_len;
} block;

typedef struct blocks {
    block *v;
    int64_t n, cap;
} blocks;

typedef struct writer {
    tn_ipc_write_options opts;
    int fd;             /* -1: everything stays in out */
    const char *path;   /* for messages */
    tn_buf out;         /* bytes not yet flushed */
    int64_t pos;        /* bytes produced so far */
    tn_schema *schema;
    tn_ipc_dnode *nodes;
    int64_t n_ids;
    tn_array **last_dict; /* per id: the dictionary last written */
    blocks dict_blocks, batch_blocks;
    ZSTD_CCtx *zstd;
    tarn_error *err;
} writer;

/* --- output ----------------------------------------------------------------- */

static int write_fd(writer *w, const uint8_t *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(w->fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return tn_error_set(w->err, TARN_EIO, "%s: write failed: %s", w->path,
                                n < 0 ? strerror(errno) : "no progress");
        done += (size_t)n;
    }
    return TARN_OK;
}

static int flush(writer *w)
{
    if (w->fd < 0)
        return TARN_OK;
    TN_TRY(write_fd(w, w->out.data, w->out.len));
    w->out.len = 0;
    return TARN_OK;
}

static int emit(writer *w, const void *p, size_t n)
{
    if (n == 0)
        return TARN_OK;
    if (w->fd >= 0 && n >= FLUSH_AT) { /* large buffers skip the staging copy */
        TN_TRY(flush(w));
        TN_TRY(write_fd(w, p, n));
        w->pos += (int64_t)n;
        return TARN_OK;
    }
    TN_TRY(tn_buf_append(&w->out, p, n, w->err));
    w->pos += (int64_t)n;
    if (w->fd >= 0 && w->out.len >= FLUSH_AT)
        return flush(w);
    return TARN_OK;
}

static int emit_pad(writer *w, int64_t n)
{
    static const uint8_t zeros[64];
    int64_t pad = (8 - (n & 7)) & 7;
    return emit(w, zeros, (size_t)pad);
}

static int emit_le32(writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return emit(w, b, 4);
}

static void le64(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

static int add_block(writer *w, blocks *bs, int64_t offset, int64_t meta_len, int64_t body_len)
{
    if (bs->n == bs->cap) {
        int64_t cap = bs->cap ? bs->cap * 2 : 16;
        block *v = tn_realloc(bs->v, (size_t)cap * sizeof *v);
        TN_TRY_ALLOC(v, w->err, (size_t)cap * sizeof *v);
        bs->v = v;
        bs->cap = cap;
    }
    bs->v[bs->n++] = (block){offset, meta_len, body_len};
    return TARN_OK;
}

/* --- bodies ------------------------------------------------------------------- */

typedef struct piece {
    const uint8_t *p;
    int64_t n;
    void *owned; /* freed after writing */
} piece;

typedef struct body {
    tn_buf nodes, bufs, variadic; /* FieldNode, Buffer structs; i64 counts */
    piece *pieces;
    int64_t n_pieces, cap;
    int64_t len;
    int64_t n_nodes, n_bufs, n_variadic;
} body;

static void body_init(body *b)
{
    memset(b, 0, sizeof *b);
    tn_buf_init(&b->nodes, 0);
    tn_buf_init(&b->bufs, 0);
    tn_buf_init(&b->variadic, 0);
}

static void body_reset(body *b)
{
    for (int64_t i = 0; i < b->n_pieces; i++)
        tn_free(b->pieces[i].owned);
    tn_free(b->pieces);
    tn_buf_reset(&b->nodes);
    tn_buf_reset(&b->bufs);
    tn_buf_reset(&b->variadic);
    memset(b, 0, sizeof *b);
}

static int add_node(writer *w, body *b, int64_t length, int64_t nulls)
{
    uint8_t s[16];
    le64(s, length);
    le64(s + 8, nulls);
    b->n_nodes++;
    return tn_buf_append(&b->nodes, s, 16, w->err);
}

/* Compress p[0, n) behind an 8-byte length prefix; *out stays NULL when
 * compression does not make the buffer smaller. */
static int compress(writer *w, const uint8_t *p, int64_t n, uint8_t **out, int64_t *out_n)
{
    *out = NULL;
    size_t bound;
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.compressionLevel = w->opts.level;
    prefs.frameInfo.contentSize = (unsigned long long)n;
    if (w->opts.codec == TN_IPC_ZSTD)
        bound = ZSTD_compressBound((size_t)n);
    else
        bound = LZ4F_compressFrameBound((size_t)n, &prefs);
    uint8_t *dst = tn_malloc(8 + bound);
    TN_TRY_ALLOC(dst, w->err, 8 + bound);
    size_t got;
    if (w->opts.codec == TN_IPC_ZSTD) {
        if (!w->zstd && !(w->zstd = ZSTD_createCCtx())) {
            tn_free(dst);
            return tn_error_oom(w->err, 1 << 20);
        }
        got = ZSTD_compressCCtx(w->zstd, dst + 8, bound, p, (size_t)n, w->opts.level); /* 0: default */
        if (ZSTD_isError(got)) {
            tn_free(dst);
            return tn_error_set(w->err, TARN_EINTERNAL, "zstd compression failed: %s", ZSTD_getErrorName(got));
        }
    } else {
        got = LZ4F_compressFrame(dst + 8, bound, p, (size_t)n, &prefs);
        if (LZ4F_isError(got)) {
            tn_free(dst);
            return tn_error_set(w->err, TARN_EINTERNAL, "lz4 compression failed: %s", LZ4F_getErrorName(got));
        }
    }
    if ((int64_t)got >= n) {
        tn_free(dst);
        return TARN_OK;
    }
    le64(dst, n);
    *out = dst;
    *out_n = 8 + (int64_t)got;
    return TARN_OK;
}

/* Add one buffer of the body; takes ownership of `owned` (may be NULL). */
static int add_buffer(writer *w, body *b, const uint8_t *p, int64_t n, void *owned)
{
    if (n > 0 && w->opts.codec != TN_IPC_UNCOMPRESSED) {
        uint8_t *z = NULL;
        int64_t zn = 0;
        int rc = compress(w, p, n, &z, &zn);
        if (rc != TARN_OK) {
            tn_free(owned);
            return rc;
        }
        if (z) {
            tn_free(owned);
            p = owned = z;
            n = zn;
        } else { /* stored raw behind a -1 prefix */
            uint8_t *raw = tn_malloc(8 + (size_t)n);
            if (!raw) {
                tn_free(owned);
                return tn_error_oom(w->err, 8 + (size_t)n);
            }
            le64(raw, -1);
            memcpy(raw + 8, p, (size_t)n);
            tn_free(owned);
            p = owned = raw;
            n += 8;
        }
    }
    if (b->n_pieces == b->cap) {
        int64_t cap = b->cap ? b->cap * 2 : 32;
        piece *v = tn_realloc(b->pieces, (size_t)cap * sizeof *v);
        if (!v) {
            tn_free(owned);
            return tn_error_oom(w->err, (size_t)cap * sizeof *v);
        }
        b->pieces = v;
        b->cap = cap;
    }
    b->pieces[b->n_pieces++] = (piece){p, n, owned};
    uint8_t s[16];
    le64(s, b->len);
    le64(s + 8, n);
    b->len += (n + 7) & ~(int64_t)7;
    b->n_bufs++;
    return tn_buf_append(&b->bufs, s, 16, w->err);
}

/* A bitmap of `len` bits starting at bit `off`. */
static int add_bitmap(writer *w, body *b, const tn_buffer *bits, int64_t off, int64_t len)
{
    int64_t bytes = tn_bitmap_bytes(len);
    if (!bits || len == 0)
        return add_buffer(w, b, NULL, 0, NULL);
    if ((off & 7) == 0)
        return add_buffer(w, b, bits->data + off / 8, bytes, NULL);
    uint8_t *copy = tn_calloc(1, (size_t)bytes);
    TN_TRY_ALLOC(copy, w->err, (size_t)bytes);
    tn_bitmap_copy(copy, 0, bits->data, off, len);
    return add_buffer(w, b, copy, bytes, copy);
}

/* Offsets of [a->offset, +length], rebased to start at zero; *first and
 * *last receive the original first and last offsets. */
static int add_offsets(writer *w, body *b, const tn_array *a, bool large, int64_t *first, int64_t *last)
{
    static const int64_t zero;
    int64_t n = a->length;
    int wd = large ? 8 : 4;
    if (!a->buffers[1]) { /* an empty array may omit its offsets; write the one zero */
        *first = *last = 0;
        return add_buffer(w, b, (const uint8_t *)&zero, wd, NULL);
    }
    const uint8_t *p = a->buffers[1]->data + a->offset * wd;
    *first = large ? ((const int64_t *)p)[0] : ((const int32_t *)p)[0];
    *last = large ? ((const int64_t *)p)[n] : ((const int32_t *)p)[n];
    if (*first == 0)
        return add_buffer(w, b, p, (n + 1) * wd, NULL);
    uint8_t *copy = tn_malloc((size_t)((n + 1) * wd));
    TN_TRY_ALLOC(copy, w->err, (size_t)((n + 1) * wd));
    for (int64_t i = 0; i <= n; i++) {
        if (large)
            ((int64_t *)copy)[i] = ((const int64_t *)p)[i] - *first;
        else
            ((int32_t *)copy)[i] = (int32_t)(((const int32_t *)p)[i] - *first);
    }
    return add_buffer(w, b, copy, (n + 1) * wd, copy);
}

static int add_array(writer *w, body *b, tn_array *a);

/* Bytes of a buffer from an offset; NULL for an absent buffer (which
 * validation allows only where nothing is read from it). */
static const uint8_t *at(const tn_buffer *buf, int64_t off)
{
    return buf ? buf->data + off : NULL;
}

/* Write child c restricted to [off, off+len). */
static int add_child_range(writer *w, body *b, tn_array *c, int64_t off, int64_t len)
{
    if (off == 0 && len == c->length)
        return add_array(w, b, c);
    tn_array *s = tn_array_slice(c, off, len);
    TN_TRY_ALLOC(s, w->err, sizeof *s);
    int rc = add_array(w, b, s);
    tn_array_unref(s);
    return rc;
}

static int add_array(writer *w, body *b, tn_array *a)
{
    const tn_type *t = a->type;
    int64_t n = a->length, off = a->offset;
    int64_t nulls = tn_array_null_count(a);
    TN_TRY(add_node(w, b, n, nulls));
    if (t->id == TN_NA)
        return TARN_OK;
    TN_TRY(add_bitmap(w, b, nulls > 0 ? a->buffers[0] : NULL, off, n));
    bool large = t->id == TN_LARGE_STRING || t->id == TN_LARGE_BINARY || t->id == TN_LARGE_LIST;
    int64_t first, last;
    switch (t->id) {
    case TN_BOOL:
        return add_bitmap(w, b, a->buffers[1], off, n);
    case TN_STRING: case TN_BINARY: case TN_LARGE_STRING: case TN_LARGE_BINARY:
        TN_TRY(add_offsets(w, b, a, large, &first, &last));
        return add_buffer(w, b, at(a->buffers[2], first), last - first, NULL);
    case TN_STRING_VIEW: case TN_BINARY_VIEW: {
        TN_TRY(add_buffer(w, b, at(a->buffers[1], off * 16), n * 16, NULL));
        for (int32_t i = 2; i < a->n_buffers; i++)
            TN_TRY(add_buffer(w, b, a->buffers[i] ? a->buffers[i]->data : NULL,
                              a->buffers[i] ? a->buffers[i]->size : 0, NULL));
        uint8_t s[8];
        le64(s, a->n_buffers - 2);
        b->n_variadic++;
        return tn_buf_append(&b->variadic, s, 8, w->err);
    }
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP:
        TN_TRY(add_offsets(w, b, a, large, &first, &last));
        return add_child_range(w, b, a->children[0], first, last - first);
    case TN_FIXED_LIST:
        return add_child_range(w, b, a->children[0], off * t->list_size, n * t->list_size);
    case TN_STRUCT:
        for (int32_t i = 0; i < a->n_children; i++)
            TN_TRY(add_child_range(w, b, a->children[i], off, n));
        return TARN_OK;
    default: {
        int64_t wd = t->id == TN_DICTIONARY ? t->index_type->byte_width : t->byte_width;
        return add_buffer(w, b, at(a->buffers[1], off * wd), n * wd, NULL);
    }
    }
}

/* --- messages ----------------------------------------------------------------- */

/* Emit one message: continuation, metadata length, flatbuffer padded to 8,
 * then the body pieces each padded to 8. */
static int emit_message(writer *w, tn_fbb *fbb, tn_fb_ref header, int header_type, body *b, blocks *bs)
{
    int64_t body_len = b ? b->len : 0;
    tn_fbb_table_start(fbb);
    tn_fbb_add_int(fbb, MSG_VERSION, IPC_V5, 2);
    tn_fbb_add_int(fbb, MSG_HEADER_TYPE, header_type, 1);
    tn_fbb_add_ref(fbb, MSG_HEADER, header);
    tn_fbb_add_int(fbb, MSG_BODY_LENGTH, body_len, 8);
    tn_fb_ref root = tn_fbb_table_end(fbb);
    size_t n = 0;
    const uint8_t *fb = tn_fbb_finish(fbb, root, &n);
    if (!fb)
        return tn_error_oom(w->err, fbb->cap * 2);
    int64_t at = w->pos;
    size_t padded = (n + 7) & ~(size_t)7;
    TN_TRY(emit_le32(w, IPC_CONTINUATION));
    TN_TRY(emit_le32(w, (uint32_t)padded));
    TN_TRY(emit(w, fb, n));
    TN_TRY(emit_pad(w, (int64_t)n));
    for (int64_t i = 0; b && i < b->n_pieces; i++) {
        TN_TRY(emit(w, b->pieces[i].p, (size_t)b->pieces[i].n));
        TN_TRY(emit_pad(w, b->pieces[i].n));
    }
    if (bs)
        TN_TRY(add_block(w, bs, at, 8 + (int64_t)padded, body_len));
    return TARN_OK;
}

/* A RecordBatch table over a finished body. */
static tn_fb_ref record_batch_table(writer *w, tn_fbb *fbb, body *b, int64_t length)
{
    tn_fbb_vec_start(fbb, 16, (size_t)b->n_nodes, 8);
    tn_fbb_push_bytes(fbb, b->nodes.data, b->nodes.len); /* structs are already in order */
    tn_fb_ref nodes = tn_fbb_vec_end(fbb, (size_t)b->n_nodes);
    tn_fbb_vec_start(fbb, 16, (size_t)b->n_bufs, 8);
    tn_fbb_push_bytes(fbb, b->bufs.data, b->bufs.len);
    tn_fb_ref bufs = tn_fbb_vec_end(fbb, (size_t)b->n_bufs);
    tn_fb_ref variadic = 0, comp = 0;
    if (b->n_variadic) {
        tn_fbb_vec_start(fbb, 8, (size_t)b->n_variadic, 8);
        tn_fbb_push_bytes(fbb, b->variadic.data, b->variadic.len);
        variadic = tn_fbb_vec_end(fbb, (size_t)b->n_variadic);
    }
    if (w->opts.codec != TN_IPC_UNCOMPRESSED) {
        tn_fbb_table_start(fbb);
        tn_fbb_add_int(fbb, BC_CODEC, w->opts.codec == TN_IPC_ZSTD ? 1 : 0, 1);
        tn_fbb_add_int(fbb, BC_METHOD, 0, 1);
        comp = tn_fbb_table_end(fbb);
    }
    tn_fbb_table_start(fbb);
    tn_fbb_add_int(fbb, RB_LENGTH, length, 8);
    tn_fbb_add_ref(fbb, RB_NODES, nodes);
    tn_fbb_add_ref(fbb, RB_BUFFERS, bufs);
    if (comp)
        tn_fbb_add_ref(fbb, RB_COMPRESSION, comp);
    if (variadic)
        tn_fbb_add_ref(fbb, RB_VARIADIC, variadic);
    return tn_fbb_table_end(fbb);
}

static int write_dictionary_batch(writer *w, int64_t id, tn_array *values, bool delta)
{
    body b;
    body_init(&b);
    tn_fbb fbb;
    tn_fbb_init(&fbb);
    int rc = add_array(w, &b, values);
    if (rc == TARN_OK) {
        tn_fb_ref rb = record_batch_table(w, &fbb, &b, values->length);
        tn_fbb_table_start(&fbb);
        tn_fbb_add_int(&fbb, DB_ID, id, 8);
        tn_fbb_add_ref(&fbb, DB_DATA, rb);
        tn_fbb_add_int(&fbb, DB_DELTA, delta, 1);
        rc = emit_message(w, &fbb, tn_fbb_table_end(&fbb), HDR_DICTIONARY, &b, &w->dict_blocks);
    }
    tn_fbb_reset(&fbb);
    body_reset(&b);
    return rc;
}

static int write_dicts(writer *w, tn_array *a, const tn_ipc_dnode *dn, const char *name);

/* Emit what the dictionary of one dictionary-typed array needs. */
static int handle_dict(writer *w, tn_array *a, const tn_ipc_dnode *dn, const char *name)
{
    tn_array *d = a->dictionary;
    int64_t id = dn->dict_id;
    if (!d)
        return tn_error_set(w->err, TARN_EINVAL, "field '%s': dictionary array without a dictionary", name);
    tn_array *prev = w->last_dict[id];
    if (prev == d)
        return TARN_OK;
    if (prev && d->length <= prev->length) {
        /* indices into a prefix of the dictionary in force stay valid */
        tn_array *head = tn_array_slice(prev, 0, d->length);
        TN_TRY_ALLOC(head, w->err, sizeof *head);
        bool same = tn_array_equals(head, d);
        tn_array_unref(head);
        if (same)
            return TARN_OK;
    }
    for (int32_t i = 0; i < d->n_children && i < dn->n_children; i++) /* dictionaries inside the values */
        TN_TRY(write_dicts(w, d->children[i], &dn->children[i], d->type->children[i].name));
    bool delta = false;
    if (prev && prev->length <= d->length) {
        tn_array *head = tn_array_slice(d, 0, prev->length);
        TN_TRY_ALLOC(head, w->err, sizeof *head);
        delta = tn_array_equals(head, prev);
        tn_array_unref(head);
    }
    if (prev && !delta && w->opts.file_format)
        return tn_error_set(w->err, TARN_EUNSUPPORTED,
                            "field '%s': the Arrow file format cannot replace dictionary %lld (only extend it); "
                            "use the stream format",
                            name, (long long)id);
    if (delta && prev->length < d->length) {
        tn_array *tail = tn_array_slice(d, prev->length, d->length - prev->length);
        TN_TRY_ALLOC(tail, w->err, sizeof *tail);
        int rc = write_dictionary_batch(w, id, tail, true);
        tn_array_unref(tail);
        TN_TRY(rc);
    } else if (!delta) {
        TN_TRY(write_dictionary_batch(w, id, d, false));
    }
    tn_array_unref(prev);
    w->last_dict[id] = tn_array_ref(d);
    return TARN_OK;
}

/* Walk array a (of the field described by dn) for dictionary-typed arrays. */
static int write_dicts(writer *w, tn_array *a, const tn_ipc_dnode *dn, const char *name)
{
    if (a->type->id == TN_DICTIONARY)
        return handle_dict(w, a, dn, name);
    for (int32_t i = 0; i < a->n_children && i < dn->n_children; i++)
        TN_TRY(write_dicts(w, a->children[i], &dn->children[i], a->type->children[i].name));
    return TARN_OK;
}

static int write_batch(writer *w, tn_batch *batch)
{
    TN_TRY(tn_batch_check(batch, w->err));
    for (int32_t i = 0; i < w->schema->n_fields; i++) {
        /* buffers present and large enough: what the body assembly relies on */
        int rc = tn_array_validate(batch->columns[i], TARN_VALIDATE_DEFAULT, w->err);
        if (rc != TARN_OK) {
            tn_error_prefix(w->err, "%s: column '%s': ", w->path, w->schema->fields[i].name);
            return rc;
        }
    }
    for (int32_t i = 0; i < w->schema->n_fields; i++)
        TN_TRY(write_dicts(w, batch->columns[i], &w->nodes[i], w->schema->fields[i].name));
    body b;
    body_init(&b);
    tn_fbb fbb;
    tn_fbb_init(&fbb);
    int rc = TARN_OK;
    for (int32_t i = 0; i < w->schema->n_fields && rc == TARN_OK; i++)
        rc = add_array(w, &b, batch->columns[i]);
    if (rc == TARN_OK)
        rc = emit_message(w, &fbb, record_batch_table(w, &fbb, &b, batch->length), HDR_RECORD_BATCH, &b,
                          &w->batch_blocks);
    tn_fbb_reset(&fbb);
    body_reset(&b);
    return rc;
}

static int64_t count_ids(const tn_ipc_dnode *n, int32_t k)
{
    int64_t c = 0;
    for (int32_t i = 0; i < k; i++)
        c += (n[i].dict_id >= 0) + count_ids(n[i].children, n[i].n_children);
    return c;
}

static int write_schema(writer *w)
{
    tn_fbb fbb;
    tn_fbb_init(&fbb);
    tn_fb_ref s;
    int rc = tn_ipc_encode_schema(&fbb, w->schema, &s, &w->nodes, w->err);
    if (rc == TARN_OK)
        rc = emit_message(w, &fbb, s, HDR_SCHEMA, NULL, NULL);
    tn_fbb_reset(&fbb);
    TN_TRY(rc);
    int64_t n = count_ids(w->nodes, w->schema->n_fields);
    if (n > 0) {
        w->last_dict = tn_calloc((size_t)n, sizeof *w->last_dict);
        TN_TRY_ALLOC(w->last_dict, w->err, (size_t)n * sizeof *w->last_dict);
        w->n_ids = n;
    }
    return TARN_OK;
}

static tn_fb_ref blocks_vector(tn_fbb *fbb, const blocks *bs)
{
    tn_fbb_vec_start(fbb, 24, (size_t)bs->n, 8);
    for (int64_t i = bs->n; i-- > 0;) {
        uint8_t s[24] = {0};
        le64(s, bs->v[i].offset);
        for (int k = 0; k < 4; k++)
            s[8 + k] = (uint8_t)((uint64_t)bs->v[i].meta_len >> (8 * k));
        le64(s + 16, bs->v[i].body_len);
        tn_fbb_push_bytes(fbb, s, 24);
    }
    return tn_fbb_vec_end(fbb, (size_t)bs->n);
}

static int write_footer(writer *w)
{
    tn_fbb fbb;
    tn_fbb_init(&fbb);
    tn_fb_ref s;
    tn_ipc_dnode *nodes = NULL;
    int rc = tn_ipc_encode_schema(&fbb, w->schema, &s, &nodes, w->err);
    for (int32_t i = 0; nodes && i < w->schema->n_fields; i++)
        tn_ipc_dnode_reset(&nodes[i]);
    tn_free(nodes);
    if (rc != TARN_OK) {
        tn_fbb_reset(&fbb);
        return rc;
    }
    tn_fb_ref dicts = blocks_vector(&fbb, &w->dict_blocks);
    tn_fb_ref batches = blocks_vector(&fbb, &w->batch_blocks);
    tn_fbb_table_start(&fbb);
    tn_fbb_add_int(&fbb, FT_VERSION, IPC_V5, 2);
    tn_fbb_add_ref(&fbb, FT_SCHEMA, s);
    tn_fbb_add_ref(&fbb, FT_DICTIONARIES, dicts);
    tn_fbb_add_ref(&fbb, FT_BATCHES, batches);
    tn_fb_ref root = tn_fbb_table_end(&fbb);
    size_t n = 0;
    const uint8_t *fb = tn_fbb_finish(&fbb, root, &n);
    rc = fb ? emit(w, fb, n) : tn_error_oom(w->err, fbb.cap * 2);
    if (rc == TARN_OK)
        rc = emit_le32(w, (uint32_t)n);
    if (rc == TARN_OK)
        rc = emit(w, "ARROW1", 6);
    tn_fbb_reset(&fbb);
    return rc;
}

static int write_all(writer *w, tn_reader *in)
{
    if (w->opts.codec != TN_IPC_UNCOMPRESSED && w->opts.codec != TN_IPC_LZ4_FRAME && w->opts.codec != TN_IPC_ZSTD)
        return tn_error_set(w->err, TARN_EINVAL, "unknown IPC compression codec %d", (int)w->opts.codec);
    w->schema = in->schema;
    if (w->opts.file_format)
        TN_TRY(emit(w, "ARROW1\0\0", 8));
    TN_TRY(write_schema(w));
    for (;;) {
        tn_batch *b = NULL;
        TN_TRY(tn_reader_next(in, &b, w->err));
        if (!b)
            break;
        int rc = tn_schema_equals(b->schema, w->schema)
                     ? write_batch(w, b)
                     : tn_error_set(w->err, TARN_ETYPE, "a batch's schema differs from the stream's schema");
        tn_batch_unref(b);
        TN_TRY(rc);
    }
    TN_TRY(emit_le32(w, IPC_CONTINUATION));
    TN_TRY(emit_le32(w, 0));
    if (w->opts.file_format)
        TN_TRY(write_footer(w));
    return flush(w);
}

static void writer_reset(writer *w)
{
    for (int64_t i = 0; i < w->n_ids; i++)
        tn_array_unref(w->last_dict[i]);
    tn_free(w->last_dict);
    for (int32_t i = 0; w->nodes && i < w->schema->n_fields; i++)
        tn_ipc_dnode_reset(&w->nodes[i]);
    tn_free(w->nodes);
    tn_free(w->dict_blocks.v);
    tn_free(w->batch_blocks.v);
    tn_buf_reset(&w->out);
    ZSTD_freeCCtx(w->zstd);
}

static void writer_init(writer *w, const tn_ipc_write_options *opts, tarn_error *err)
{
    memset(w, 0, sizeof *w);
    if (opts)
        w->opts = *opts;
    w->fd = -1;
    w->err = err;
    tn_buf_init(&w->out, 0);
}

int tn_ipc_write_buffer(tn_reader *in, const tn_ipc_write_options *opts, tn_buffer **out, tarn_error *err)
{
    writer w;
    *out = NULL;
    writer_init(&w, opts, err);
    w.path = "<memory>";
    int rc = write_all(&w, in);
    if (rc == TARN_OK) {
        *out = tn_buffer_copy_of(w.out.data, (int64_t)w.out.len);
        if (!*out)
            rc = tn_error_oom(err, w.out.len);
    }
    writer_reset(&w);
    return rc;
}

/* Make the rename durable: fsync the directory holding path (best effort). */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int tn_ipc_write_file(const char *path, tn_reader *in, const tn_ipc_write_options *opts, tarn_error *err)
{
    writer w;
    writer_init(&w, opts, err);
    w.path = path;
    char *tmp = tn_sprintf("%s.tmp.XXXXXX", path);
    TN_TRY_ALLOC(tmp, err, strlen(path) + 16);
    w.fd = mkstemp(tmp);
    if (w.fd < 0) {
        int rc = tn_error_set(err, TARN_EIO, "%s: cannot create a temporary file: %s", path, strerror(errno));
        tn_free(tmp);
        return rc;
    }
    int rc = write_all(&w, in);
    if (rc == TARN_OK && fchmod(w.fd, 0644) != 0) /* mkstemp made it 0600 */
        rc = tn_error_set(err, TARN_EIO, "%s: chmod failed: %s", path, strerror(errno));
    if (rc == TARN_OK && fsync(w.fd) != 0)
        rc = tn_error_set(err, TARN_EIO, "%s: fsync failed: %s", path, strerror(errno));
    if (close(w.fd) != 0 && rc == TARN_OK)
        rc = tn_error_set(err, TARN_EIO, "%s: close failed: %s", path, strerror(errno));
    w.fd = -1;
    if (rc == TARN_OK && rename(tmp, path) != 0)
        rc = tn_error_set(err, TARN_EIO, "%s: cannot rename the temporary file into place: %s", path,
                          strerror(errno));
    if (rc != TARN_OK)
        unlink(tmp);
    else
        sync_dir(path);
    tn_free(tmp);
    writer_reset(&w);
    return rc;
}
