/*
 * reader.c — reads the Arrow IPC stream and file formats into record batches.
 *
 * The whole input is one tn_buffer (a mapped file or caller bytes); array
 * buffers are zero-copy slices of it unless they are compressed or
 * misaligned. Layout:
 *
 *   stream   message* [end-of-stream]
 *   message  0xFFFFFFFF | i32 meta_len | Message flatbuffer (meta_len bytes,
 *            padded to 8) | body (bodyLength bytes)
 *            legacy form (before 0.15): i32 meta_len | flatbuffer | body
 *   eos      0xFFFFFFFF 0x00000000, or legacy 0x00000000, or end of input
 *   file     "ARROW1" 00 00 | stream | Footer flatbuffer | i32 footer_len | "ARROW1"
 *            the Footer repeats the schema and lists Blocks (offset,
 *            meta_len, body_len) of the dictionary and record batch messages
 *
 * A RecordBatch lists FieldNodes (length, null_count) and Buffers (offset,
 * length within the body) in depth-first field order; the buffers of each
 * node follow its type's layout (validity first). Compressed bodies prefix
 * every non-empty buffer with its i64 uncompressed length (-1: stored raw).
 * DictionaryBatch messages carry one-column batches of a dictionary's values
 * that replace (or, isDelta, extend) the dictionary with that id.
 *
 * Everything is checked before use: message lengths against the input,
 * flatbuffers by fb.c, buffers against the body, node and buffer counts
 * against their vectors, and every decoded array by tn_array_validate at
 * full level before a batch is handed out.
 */
#include <fcntl.h>
#include <lz4frame.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <errno.h>

#include "arrow/c_data.h"
#include "arrow/ipc/ipc_int.h"
#include "core/alloc.h"

#define MAX_NODE_LENGTH ((int64_t)1 << 48) /* longer arrays are refused as corrupt */

typedef struct dict_entry {
    int64_t id;
    const tn_type *value_type; /* borrowed from the schema */
    const tn_ipc_dnode *node;  /* borrowed from the reader's tree */
    tn_array *values;          /* NULL until needed */
    bool loaded;               /* a DictionaryBatch has been read */
} dict_entry;

typedef struct block {
    int64_t offset, meta_len, body_len;
} block;

typedef struct ipc_reader {
    tn_reader base;
    tn_buffer *data;
    char *name;
    bool file_format;
    bool done;
    bool failed;           /* an error was reported; later calls repeat it */
    int64_t pos;           /* stream: offset of the next message */
    int32_t n_nodes;
    tn_ipc_dnode *nodes;   /* one per schema field */
    int32_t n_dicts;
    dict_entry *dicts;
    block *batches;        /* file format: record batch blocks */
    int64_t n_batches, next_batch;
    ZSTD_DCtx *zstd;
    LZ4F_dctx *lz4;
} ipc_reader;

/* One encapsulated message, its flatbuffer verified at the top level. */
typedef struct msg {
    int64_t at;       /* offset of the message's first byte */
    tn_fb fb;
    tn_fbt root, header;
    int type;         /* MessageHeader tag */
    int64_t body_at, body_len;
} msg;

static int corrupt_at(ipc_reader *r, int64_t at, tarn_error *err, const char *what)
{
    return TN_CORRUPT(err, "%s: message at byte offset %lld: %s", r->name, (long long)at, what);
}

static int bad_fb(ipc_reader *r, const msg *m, tarn_error *err)
{
    return TN_CORRUPT(err, "%s: message at byte offset %lld: malformed flatbuffer (%s)", r->name,
                      (long long)m->at, m->fb.bad);
}

/* Parse the message at `at`; *eos is set at an end-of-stream marker or at
 * the end of the input. */
static int read_message(ipc_reader *r, int64_t at, msg *m, bool *eos, tarn_error *err)
{
    const uint8_t *p = r->data->data;
    int64_t size = r->data->size;
    memset(m, 0, sizeof *m);
    m->at = at;
    *eos = false;
    if (at == size) {
        *eos = true;
        return TARN_OK;
    }
    if (at < 0 || size - at < 4)
        return corrupt_at(r, at, err, "truncated message length");
    uint32_t w = (uint32_t)tn_fb_le32(p + at);
    int64_t meta_at = at + 4;
    int32_t len = (int32_t)w;
    if (w == IPC_CONTINUATION) {
        if (size - at < 8)
            return corrupt_at(r, at, err, "truncated message length");
        len = tn_fb_le32(p + at + 4);
        meta_at = at + 8;
    }
    if (len == 0) {
        *eos = true;
        return TARN_OK;
    }
    if (len < 0 || len > size - meta_at) {
        return TN_CORRUPT(err, "%s: message at byte offset %lld: metadata length %d exceeds the %lld bytes left",
                          r->name, (long long)at, len, (long long)(size - meta_at));
    }
    tn_fb_init(&m->fb, p + meta_at, (size_t)len);
    tn_fb *fb = &m->fb;
    tn_fb_root(fb, &m->root);
    int64_t version = tn_fb_int(fb, &m->root, MSG_VERSION, 2, true, 0);
    m->type = (int)tn_fb_int(fb, &m->root, MSG_HEADER_TYPE, 1, false, 0);
    tn_fb_table(fb, &m->root, MSG_HEADER, &m->header);
    m->body_len = tn_fb_int(fb, &m->root, MSG_BODY_LENGTH, 8, true, 0);
    if (fb->bad)
        return bad_fb(r, m, err);
    if (version < IPC_V4 || version > IPC_V5)
        return tn_error_set(err, TARN_EUNSUPPORTED,
                            "%s: message at byte offset %lld: metadata version %lld is not supported (V4 and V5 are)",
                            r->name, (long long)at, (long long)version + 1);
    if (m->header.pos == 0)
        return corrupt_at(r, at, err, "message has no header");
    m->body_at = meta_at + len;
    if (m->body_len < 0 || m->body_len > size - m->body_at)
        return TN_CORRUPT(err, "%s: message at byte offset %lld: body length %lld exceeds the %lld bytes left",
                          r->name, (long long)at, (long long)m->body_len, (long long)(size - m->body_at));
    return TARN_OK;
}

/* --- dictionaries ----------------------------------------------------------- */

static dict_entry *find_dict(ipc_reader *r, int64_t id)
{
    for (int32_t i = 0; i < r->n_dicts; i++)
        if (r->dicts[i].id == id)
            return &r->dicts[i];
    return NULL;
}

/* Register the dictionary ids of a field tree. */
static int collect_dicts(ipc_reader *r, const tn_type *t, const tn_ipc_dnode *n, tarn_error *err)
{
    const tn_type *vt = t;
    if (t->id == TN_DICTIONARY) {
        vt = t->value_type;
        dict_entry *e = find_dict(r, n->dict_id);
        if (e) {
            if (!tn_type_equals(e->value_type, vt))
                return TN_CORRUPT(err, "%s: dictionary id %lld is used for two different value types", r->name,
                                  (long long)n->dict_id);
        } else {
            dict_entry *d = tn_realloc(r->dicts, ((size_t)r->n_dicts + 1) * sizeof *d);
            TN_TRY_ALLOC(d, err, ((size_t)r->n_dicts + 1) * sizeof *d);
            r->dicts = d;
            r->dicts[r->n_dicts++] = (dict_entry){n->dict_id, vt, n, NULL, false};
        }
    }
    if (n->n_children != vt->n_children)
        return tn_error_set(err, TARN_EINTERNAL, "dictionary tree does not match the schema");
    for (int32_t i = 0; i < vt->n_children; i++)
        TN_TRY(collect_dicts(r, vt->children[i].type, &n->children[i], err));
    return TARN_OK;
}

/* --- record batch bodies ------------------------------------------------------ */

typedef struct load {
    ipc_reader *r;
    msg *m;
    tn_fb *fb;
    tn_fbv nodes, bufs, variadic;
    uint32_t node_i, buf_i, var_i;
    int codec; /* -1: uncompressed */
    tarn_error *err;
} load;

static int decompress(load *c, const uint8_t *src, int64_t n, uint8_t *dst, int64_t dn)
{
    ipc_reader *r = c->r;
    if (c->codec == 1) {
        if (!r->zstd && !(r->zstd = ZSTD_createDCtx()))
            return tn_error_oom(c->err, 1 << 16);
        size_t got = ZSTD_decompressDCtx(r->zstd, dst, (size_t)dn, src, (size_t)n);
        if (ZSTD_isError(got) || got != (size_t)dn)
            return TN_CORRUPT(c->err, "%s: message at byte offset %lld: zstd buffer does not decompress to %lld bytes",
                              r->name, (long long)c->m->at, (long long)dn);
        return TARN_OK;
    }
    if (!r->lz4 && LZ4F_isError(LZ4F_createDecompressionContext(&r->lz4, LZ4F_VERSION))) {
        r->lz4 = NULL;
        return tn_error_oom(c->err, 1 << 16);
    }
    LZ4F_resetDecompressionContext(r->lz4);
    size_t out = 0, in = 0, ret = 1;
    while (ret != 0) {
        size_t dsz = (size_t)dn - out, ssz = (size_t)n - in;
        ret = LZ4F_decompress(r->lz4, dst + out, &dsz, src + in, &ssz, NULL);
        if (LZ4F_isError(ret) || (dsz == 0 && ssz == 0))
            break;
        out += dsz;
        in += ssz;
    }
    if (ret != 0 || out != (size_t)dn)
        return TN_CORRUPT(c->err, "%s: message at byte offset %lld: lz4 buffer does not decompress to %lld bytes",
                          r->name, (long long)c->m->at, (long long)dn);
    return TARN_OK;
}

/* The next buffer of the body, as a slice of the input or decompressed. */
static int take_buffer(load *c, tn_buffer **out)
{
    *out = NULL;
    ipc_reader *r = c->r;
    const uint8_t *b = tn_fb_vec_struct(c->fb, &c->bufs, c->buf_i, 16);
    if (!b)
        return corrupt_at(r, c->m->at, c->err, "record batch has fewer buffers than its fields need");
    c->buf_i++;
    int64_t off = tn_fb_le64(b), len = tn_fb_le64(b + 8);
    if (off < 0 || len < 0 || off > c->m->body_len || len > c->m->body_len - off)
        return TN_CORRUPT(c->err, "%s: message at byte offset %lld: buffer %u [%lld, +%lld) lies outside the %lld-byte body",
                          r->name, (long long)c->m->at, c->buf_i - 1, (long long)off, (long long)len,
                          (long long)c->m->body_len);
    int64_t at = c->m->body_at + off;
    if (c->codec >= 0 && len > 0) {
        if (len < 8)
            return corrupt_at(r, c->m->at, c->err, "compressed buffer shorter than its length prefix");
        int64_t ulen = tn_fb_le64(r->data->data + at);
        at += 8;
        len -= 8;
        /* Neither codec expands data more than ~32768:1 (zstd RLE blocks),
         * so a larger claim is a lie that must not become an allocation. */
        int64_t ratio = c->codec == 1 ? 32768 : 256;
        if (ulen > len * ratio + 65536)
            return TN_CORRUPT(c->err, "%s: message at byte offset %lld: buffer claims %lld bytes from %lld compressed",
                              r->name, (long long)c->m->at, (long long)ulen, (long long)len);
        if (c->codec == 1 && ulen >= 0) {
            unsigned long long fcs = ZSTD_getFrameContentSize(r->data->data + at, (size_t)len);
            if (fcs == ZSTD_CONTENTSIZE_ERROR || (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs != (unsigned long long)ulen))
                return TN_CORRUPT(c->err, "%s: message at byte offset %lld: zstd frame does not hold %lld bytes",
                                  r->name, (long long)c->m->at, (long long)ulen);
        }
        if (ulen >= 0) {
            tn_buffer *d = tn_buffer_new(ulen);
            TN_TRY_ALLOC(d, c->err, (size_t)ulen);
            int rc = ulen > 0 ? decompress(c, r->data->data + at, len, d->data, ulen) : TARN_OK;
            if (rc != TARN_OK) {
                tn_buffer_unref(d);
                return rc;
            }
            *out = d;
            return TARN_OK;
        }
        if (ulen != -1)
            return corrupt_at(r, c->m->at, c->err, "negative uncompressed buffer length");
    }
    /* Values are read through typed pointers: copy what is not 8-aligned. */
    if (((uintptr_t)(r->data->data + at) & 7) != 0)
        *out = tn_buffer_copy_of(r->data->data + at, len);
    else
        *out = tn_buffer_slice(r->data, at, len);
    TN_TRY_ALLOC(*out, c->err, (size_t)len);
    return TARN_OK;
}

/* Offsets of an empty array may be omitted; give them their one zero. */
static int fix_empty_offsets(load *c, tn_array *a, int width)
{
    if (a->length == 0 && a->buffers[1]->size == 0) {
        tn_buffer_unref(a->buffers[1]);
        a->buffers[1] = tn_buffer_new_zeroed(width);
        TN_TRY_ALLOC(a->buffers[1], c->err, (size_t)width);
    }
    return TARN_OK;
}

static int load_array(load *c, const tn_type *t, const tn_ipc_dnode *dn, tn_array **out);

static int load_children(load *c, const tn_type *t, const tn_ipc_dnode *dn, tn_array *a)
{
    for (int32_t i = 0; i < t->n_children; i++)
        TN_TRY(load_array(c, t->children[i].type, &dn->children[i], &a->children[i]));
    return TARN_OK;
}

static int load_layout(load *c, const tn_type *t, const tn_ipc_dnode *dn, tn_array *a)
{
    ipc_reader *r = c->r;
    for (int32_t i = 0; i < a->n_buffers; i++)
        TN_TRY(take_buffer(c, &a->buffers[i]));
    if (a->n_buffers > 0 && a->null_count == 0) {
        tn_buffer_unref(a->buffers[0]);
        a->buffers[0] = NULL;
    }
    switch (t->id) {
    case TN_STRING: case TN_BINARY: case TN_LIST: case TN_MAP:
        TN_TRY(fix_empty_offsets(c, a, 4));
        break;
    case TN_LARGE_STRING: case TN_LARGE_BINARY: case TN_LARGE_LIST:
        TN_TRY(fix_empty_offsets(c, a, 8));
        break;
    case TN_FIXED_LIST:
        if (t->list_size > 0 && a->length > INT64_MAX / t->list_size)
            return corrupt_at(r, c->m->at, c->err, "fixed_size_list length overflows");
        break;
    case TN_DICTIONARY: {
        dict_entry *e = find_dict(r, dn->dict_id);
        if (!e)
            return tn_error_set(c->err, TARN_EINTERNAL, "dictionary id %lld not registered", (long long)dn->dict_id);
        /* A column that is all null may come before its dictionary: give it an
         * empty one, and validation rejects any index that needs more. */
        if (!e->values && !(e->values = tn_array_new_empty((tn_type *)e->value_type)))
            return tn_error_oom(c->err, sizeof(tn_array));
        a->dictionary = tn_array_ref(e->values);
        break;
    }
    default:
        break;
    }
    return t->id == TN_DICTIONARY ? TARN_OK : load_children(c, t, dn, a);
}

static int load_array(load *c, const tn_type *t, const tn_ipc_dnode *dn, tn_array **out)
{
    ipc_reader *r = c->r;
    const uint8_t *node = tn_fb_vec_struct(c->fb, &c->nodes, c->node_i, 16);
    if (!node)
        return corrupt_at(r, c->m->at, c->err, "record batch has fewer field nodes than its schema needs");
    c->node_i++;
    int64_t length = tn_fb_le64(node), nulls = tn_fb_le64(node + 8);
    if (length < 0 || length > MAX_NODE_LENGTH || nulls < 0 || nulls > length)
        return TN_CORRUPT(c->err, "%s: message at byte offset %lld: field node %u has length %lld and %lld nulls",
                          r->name, (long long)c->m->at, c->node_i - 1, (long long)length, (long long)nulls);
    int64_t width = t->id == TN_DICTIONARY ? t->index_type->byte_width : t->byte_width;
    if (width > 0 && length > ((int64_t)1 << 56) / width)
        return TN_CORRUPT(c->err, "%s: message at byte offset %lld: field node %u: %lld values of %lld bytes overflow",
                          r->name, (long long)c->m->at, c->node_i - 1, (long long)length, (long long)width);
    int32_t nbuf = tn_type_n_buffers(t);
    if (tn_type_is_view(t->id)) {
        const uint8_t *v = tn_fb_vec_struct(c->fb, &c->variadic, c->var_i, 8);
        if (!v)
            return corrupt_at(r, c->m->at, c->err, "view field without a variadic buffer count");
        c->var_i++;
        int64_t nv = tn_fb_le64(v);
        if (nv < 0 || nv > (int64_t)(c->bufs.n - c->buf_i))
            return TN_CORRUPT(c->err, "%s: message at byte offset %lld: variadic buffer count %lld exceeds the buffers left",
                              r->name, (long long)c->m->at, (long long)nv);
        nbuf += (int32_t)nv;
    }
    int32_t nkids = t->id == TN_DICTIONARY ? 0 : t->n_children;
    tn_array *a = tn_array_new((tn_type *)t, length, nbuf, nkids);
    TN_TRY_ALLOC(a, c->err, sizeof *a);
    a->null_count = t->id == TN_NA ? length : nulls;
    int rc = load_layout(c, t, dn, a);
    if (rc != TARN_OK) {
        tn_array_unref(a);
        return rc;
    }
    *out = a;
    return TARN_OK;
}

/* Set up a load context over a RecordBatch table. */
static int start_load(ipc_reader *r, msg *m, const tn_fbt *rb, load *c, int64_t *length, tarn_error *err)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->m = m;
    c->fb = &m->fb;
    c->err = err;
    c->codec = -1;
    *length = tn_fb_int(c->fb, rb, RB_LENGTH, 8, true, 0);
    tn_fb_vector(c->fb, rb, RB_NODES, 16, &c->nodes);
    tn_fb_vector(c->fb, rb, RB_BUFFERS, 16, &c->bufs);
    tn_fb_vector(c->fb, rb, RB_VARIADIC, 8, &c->variadic);
    tn_fbt bc;
    if (tn_fb_table(c->fb, rb, RB_COMPRESSION, &bc)) {
        int64_t codec = tn_fb_int(c->fb, &bc, BC_CODEC, 1, true, 0);
        if (tn_fb_int(c->fb, &bc, BC_METHOD, 1, true, 0) != 0)
            return tn_error_set(err, TARN_EUNSUPPORTED, "%s: message at byte offset %lld: unknown body compression method",
                                r->name, (long long)m->at);
        if (codec != 0 && codec != 1)
            return tn_error_set(err, TARN_EUNSUPPORTED, "%s: message at byte offset %lld: unknown compression codec %lld",
                                r->name, (long long)m->at, (long long)codec);
        c->codec = (int)codec;
    }
    if (c->fb->bad)
        return bad_fb(r, m, err);
    if (*length < 0 || *length > MAX_NODE_LENGTH)
        return TN_CORRUPT(err, "%s: message at byte offset %lld: record batch length %lld", r->name,
                          (long long)m->at, (long long)*length);
    return TARN_OK;
}

static int validate(ipc_reader *r, msg *m, const tn_array *a, const char *what, const char *field,
                    tarn_error *err)
{
    int rc = tn_array_validate(a, TARN_VALIDATE_FULL, err);
    if (rc != TARN_OK)
        tn_error_prefix(err, "%s: message at byte offset %lld: %s '%s': ", r->name, (long long)m->at, what, field);
    return rc;
}

static int read_dictionary(ipc_reader *r, msg *m, tarn_error *err)
{
    tn_fb *fb = &m->fb;
    int64_t id = tn_fb_int(fb, &m->header, DB_ID, 8, true, 0);
    bool delta = tn_fb_bool(fb, &m->header, DB_DELTA, false);
    tn_fbt rb;
    tn_fb_table(fb, &m->header, DB_DATA, &rb);
    if (fb->bad)
        return bad_fb(r, m, err);
    if (rb.pos == 0)
        return corrupt_at(r, m->at, err, "dictionary batch without data");
    dict_entry *e = find_dict(r, id);
    if (!e)
        return TN_CORRUPT(err, "%s: message at byte offset %lld: dictionary id %lld is not in the schema", r->name,
                          (long long)m->at, (long long)id);
    if (r->file_format && e->loaded && !delta)
        return TN_CORRUPT(err, "%s: message at byte offset %lld: dictionary id %lld replaced (not allowed in the file format)",
                          r->name, (long long)m->at, (long long)id);
    load c;
    int64_t length;
    TN_TRY(start_load(r, m, &rb, &c, &length, err));
    tn_array *v = NULL;
    TN_TRY(load_array(&c, e->value_type, e->node, &v));
    char idname[32];
    snprintf(idname, sizeof idname, "%lld", (long long)id);
    int rc = v->length != length ? corrupt_at(r, m->at, err, "dictionary length differs from its batch length")
                                 : validate(r, m, v, "dictionary", idname, err);
    if (rc == TARN_OK && delta && e->values) {
        tn_array *all = NULL;
        rc = tn_ipc_concat(e->values, v, &all, err);
        tn_array_unref(v);
        v = all;
    }
    if (rc != TARN_OK) {
        tn_array_unref(v);
        return rc;
    }
    tn_array_unref(e->values);
    e->values = v;
    e->loaded = true;
    return TARN_OK;
}

static int read_batch(ipc_reader *r, msg *m, tn_batch **out, tarn_error *err)
{
    load c;
    int64_t length;
    TN_TRY(start_load(r, m, &m->header, &c, &length, err));
    tn_schema *s = r->base.schema;
    tn_batch *b = tn_batch_new(s, length);
    TN_TRY_ALLOC(b, err, sizeof *b);
    int rc = TARN_OK;
    for (int32_t i = 0; i < s->n_fields && rc == TARN_OK; i++) {
        rc = load_array(&c, s->fields[i].type, &r->nodes[i], &b->columns[i]);
        if (rc == TARN_OK && b->columns[i]->length != length)
            rc = TN_CORRUPT(err, "%s: message at byte offset %lld: column '%s' has %lld rows, the batch %lld",
                            r->name, (long long)m->at, s->fields[i].name, (long long)b->columns[i]->length,
                            (long long)length);
        if (rc == TARN_OK)
            rc = validate(r, m, b->columns[i], "column", s->fields[i].name, err);
    }
    if (rc != TARN_OK) {
        tn_batch_unref(b);
        return rc;
    }
    *out = b;
    return TARN_OK;
}

/* --- readers ------------------------------------------------------------------- */

static int failed_before(ipc_reader *r, tarn_error *err)
{
    return tn_error_set(err, TARN_EINVAL, "%s: reading stopped at an earlier error", r->name);
}

static int stream_message(ipc_reader *r, tn_batch **out, tarn_error *err);

static int stream_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    ipc_reader *r = (ipc_reader *)base;
    *out = NULL;
    if (r->failed)
        return failed_before(r, err);
    int rc = stream_message(r, out, err);
    r->failed = rc != TARN_OK;
    return rc;
}

static int stream_message(ipc_reader *r, tn_batch **out, tarn_error *err)
{
    while (!r->done) {
        msg m;
        bool eos;
        TN_TRY(read_message(r, r->pos, &m, &eos, err));
        if (eos) {
            r->done = true;
            break;
        }
        r->pos = m.body_at + m.body_len;
        if (m.type == HDR_DICTIONARY)
            TN_TRY(read_dictionary(r, &m, err));
        else if (m.type == HDR_RECORD_BATCH)
            return read_batch(r, &m, out, err);
        else if (m.type == HDR_SCHEMA)
            return corrupt_at(r, m.at, err, "a second schema message in the stream");
        else
            return tn_error_set(err, TARN_EUNSUPPORTED, "%s: message at byte offset %lld: message type %d is not supported",
                                r->name, (long long)m.at, m.type);
    }
    return TARN_OK;
}

/* Read the message of a file block and check its type. */
static int block_message(ipc_reader *r, const block *b, int type, msg *m, tarn_error *err)
{
    bool eos;
    TN_TRY(read_message(r, b->offset, m, &eos, err));
    if (eos || m->type != type)
        return corrupt_at(r, b->offset, err, type == HDR_DICTIONARY ? "footer block is not a dictionary batch"
                                                                     : "footer block is not a record batch");
    return TARN_OK;
}

static int file_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    ipc_reader *r = (ipc_reader *)base;
    *out = NULL;
    if (r->failed)
        return failed_before(r, err);
    if (r->next_batch >= r->n_batches)
        return TARN_OK;
    msg m;
    int rc = block_message(r, &r->batches[r->next_batch], HDR_RECORD_BATCH, &m, err);
    if (rc == TARN_OK)
        rc = read_batch(r, &m, out, err);
    r->failed = rc != TARN_OK;
    r->next_batch++;
    return rc;
}

static void reader_destroy(tn_reader *base)
{
    ipc_reader *r = (ipc_reader *)base;
    for (int32_t i = 0; i < r->n_dicts; i++)
        tn_array_unref(r->dicts[i].values);
    tn_free(r->dicts);
    for (int32_t i = 0; i < r->n_nodes; i++)
        tn_ipc_dnode_reset(&r->nodes[i]);
    tn_free(r->nodes);
    tn_free(r->batches);
    tn_buffer_unref(r->data);
    tn_free(r->name);
    ZSTD_freeDCtx(r->zstd);
    LZ4F_freeDecompressionContext(r->lz4);
    tn_free(r);
}

/* Decode a Schema table and set up the reader's schema and dictionaries. */
static int take_schema(ipc_reader *r, tn_fb *fb, const tn_fbt *st, int64_t at, tarn_error *err)
{
    char where[512];
    snprintf(where, sizeof where, "%s: schema at byte offset %lld", r->name, (long long)at);
    tn_schema *s;
    TN_TRY(tn_ipc_decode_schema(fb, st, where, &s, &r->nodes, err));
    r->base.schema = s;
    r->n_nodes = s->n_fields;
    for (int32_t i = 0; i < s->n_fields; i++)
        TN_TRY(collect_dicts(r, s->fields[i].type, &r->nodes[i], err));
    return TARN_OK;
}

static int open_stream(ipc_reader *r, tarn_error *err)
{
    msg m;
    bool eos;
    TN_TRY(read_message(r, 0, &m, &eos, err));
    if (eos || m.type != HDR_SCHEMA)
        return corrupt_at(r, 0, err, "the stream does not start with a schema message");
    TN_TRY(take_schema(r, &m.fb, &m.header, 0, err));
    r->pos = m.body_at + m.body_len;
    r->base.next = stream_next;
    return TARN_OK;
}

static int read_blocks(ipc_reader *r, tn_fb *fb, const tn_fbt *footer, int id, block **out, int64_t *n,
                       int64_t limit, tarn_error *err)
{
    tn_fbv v;
    tn_fb_vector(fb, footer, id, 24, &v);
    if (fb->bad)
        return TN_CORRUPT(err, "%s: footer at byte offset %lld: malformed flatbuffer (%s)", r->name, (long long)limit,
                          fb->bad);
    *n = v.n;
    if (v.n == 0)
        return TARN_OK;
    *out = tn_calloc(v.n, sizeof **out);
    TN_TRY_ALLOC(*out, err, v.n * sizeof **out);
    for (uint32_t i = 0; i < v.n; i++) {
        const uint8_t *b = tn_fb_vec_struct(fb, &v, i, 24);
        block *k = &(*out)[i];
        k->offset = tn_fb_le64(b);
        k->meta_len = tn_fb_le32(b + 8);
        k->body_len = tn_fb_le64(b + 16);
        if (k->offset < 8 || k->offset >= limit)
            return TN_CORRUPT(err, "%s: footer at byte offset %lld: block offset %lld outside the file", r->name,
                              (long long)limit, (long long)k->offset);
    }
    return TARN_OK;
}

static int open_file(ipc_reader *r, tarn_error *err)
{
    const uint8_t *p = r->data->data;
    int64_t size = r->data->size;
    if (size < 8 + 4 + 6 || memcmp(p + size - 6, "ARROW1", 6) != 0)
        return TN_CORRUPT(err, "%s: Arrow file is truncated: no trailing ARROW1 magic (%lld bytes)", r->name,
                          (long long)size);
    int32_t flen = tn_fb_le32(p + size - 10);
    int64_t fat = size - 10 - (int64_t)flen;
    if (flen <= 0 || fat < 8)
        return TN_CORRUPT(err, "%s: footer length %d at byte offset %lld is invalid", r->name, flen,
                          (long long)(size - 10));
    tn_fb fb;
    tn_fbt footer, st;
    tn_fb_init(&fb, p + fat, (size_t)flen);
    tn_fb_root(&fb, &footer);
    int64_t version = tn_fb_int(&fb, &footer, FT_VERSION, 2, true, 0);
    tn_fb_table(&fb, &footer, FT_SCHEMA, &st);
    if (fb.bad)
        return TN_CORRUPT(err, "%s: footer at byte offset %lld: malformed flatbuffer (%s)", r->name, (long long)fat,
                          fb.bad);
    if (version < IPC_V4 || version > IPC_V5)
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s: footer at byte offset %lld: metadata version %lld is not supported",
                            r->name, (long long)fat, (long long)version + 1);
    if (st.pos == 0)
        return TN_CORRUPT(err, "%s: footer at byte offset %lld: no schema", r->name, (long long)fat);
    TN_TRY(take_schema(r, &fb, &st, fat, err));
    block *dicts = NULL;
    int64_t n_dicts = 0;
    int rc = read_blocks(r, &fb, &footer, FT_DICTIONARIES, &dicts, &n_dicts, fat, err);
    if (rc == TARN_OK)
        rc = read_blocks(r, &fb, &footer, FT_BATCHES, &r->batches, &r->n_batches, fat, err);
    for (int64_t i = 0; i < n_dicts && rc == TARN_OK; i++) {
        msg m;
        rc = block_message(r, &dicts[i], HDR_DICTIONARY, &m, err);
        if (rc == TARN_OK)
            rc = read_dictionary(r, &m, err);
    }
    tn_free(dicts);
    r->base.next = file_next;
    return rc;
}

int tn_ipc_open_buffer(tn_buffer *data, const char *name, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    if (!data)
        return tn_error_set(err, TARN_EINVAL, "no input buffer");
    ipc_reader *r = tn_calloc(1, sizeof *r);
    TN_TRY_ALLOC(r, err, sizeof *r);
    r->base.destroy = reader_destroy;
    r->data = tn_buffer_ref(data);
    r->name = tn_strdup(name ? name : "<memory>");
    if (!r->name) {
        tn_reader_free(&r->base);
        return tn_error_oom(err, 64);
    }
    r->file_format = data->size >= 8 && memcmp(data->data, "ARROW1", 6) == 0;
    int rc;
    if (data->size == 0)
        rc = TN_CORRUPT(err, "%s: empty input is not Arrow IPC", r->name);
    else
        rc = r->file_format ? open_file(r, err) : open_stream(r, err);
    if (rc != TARN_OK) {
        tn_reader_free(&r->base);
        return rc;
    }
    *out = &r->base;
    return TARN_OK;
}

typedef struct mapping {
    void *p;
    size_t n;
} mapping;

static void unmap(void *owner)
{
    mapping *m = owner;
    munmap(m->p, m->n);
    tn_free(m);
}

/* Read everything from fd (closed here) into one buffer and open that. */
static int open_unmappable(int fd, const char *path, tn_reader **out, tarn_error *err)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = TARN_OK;
    for (;;) {
        if ((rc = tn_buf_reserve(&b, 1 << 16, err)) != TARN_OK)
            break;
        ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = tn_error_set(err, TARN_EIO, "%s: read failed: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
    }
    close(fd);
    tn_buffer *data = NULL;
    if (rc == TARN_OK && !(data = tn_buffer_copy_of(b.data, (int64_t)b.len)))
        rc = tn_error_oom(err, b.len);
    tn_buf_reset(&b);
    if (rc == TARN_OK)
        rc = tn_ipc_open_buffer(data, path, out, err);
    tn_buffer_unref(data);
    return rc;
}

int tn_ipc_open_file(const char *path, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tn_error_set(err, errno == ENOENT ? TARN_ENOTFOUND : TARN_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return tn_error_set(err, TARN_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) /* a pipe or device: read it all */
        return open_unmappable(fd, path, out, err);
    if (st.st_size == 0) {
        close(fd);
        return TN_CORRUPT(err, "%s: empty file is not Arrow IPC", path);
    }
    mapping *m = tn_malloc(sizeof *m);
    void *p = m ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    int e = errno;
    close(fd);
    if (!m)
        return tn_error_oom(err, sizeof *m);
    if (p == MAP_FAILED) {
        tn_free(m);
        return tn_error_set(err, TARN_EIO, "%s: cannot map: %s", path, strerror(e));
    }
    m->p = p;
    m->n = (size_t)st.st_size;
    tn_buffer *b = tn_buffer_wrap(p, st.st_size, unmap, m);
    if (!b) {
        unmap(m);
        return tn_error_oom(err, sizeof *b);
    }
    int rc = tn_ipc_open_buffer(b, path, out, err);
    tn_buffer_unref(b);
    return rc;
}
