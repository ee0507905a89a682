/*
 * spill.c — spill files (spill.h): batches written to an unnamed temporary
 * file and read back by independent cursors.
 *
 * The format is private to one process and one file's lifetime, so it is
 * the plainest that keeps every Arrow layout: the buffers of each array,
 * raw, each 64-byte aligned, behind a table of int64 words that says where
 * they are. One record per batch:
 *
 *   offset      size   field
 *   0           4      magic "TSPB"
 *   4           4      number of columns
 *   8           8      rows
 *   16          8      meta: bytes of the word table (a multiple of 64)
 *   24          8      data: bytes of the buffer area (a multiple of 64)
 *   32          meta   word table, one node per array in pre-order
 *   32 + meta   data   buffers, each at a multiple of 64 from here
 *
 * A node is: length, offset, null_count, nbuffers, then (position, size)
 * per buffer (position -1: no buffer), then for a dictionary array one
 * word: 1 when its dictionary (a node) follows, 2 when it is the one of the
 * previous batch at the same place of the schema (written once per run of
 * batches sharing it). Children follow their parent.
 *
 * Only the rows of the batch are written, whatever the arrays' offsets: an
 * array is written from the byte holding its first validity bit (its
 * offset becomes offset % 8, so bitmaps are copied, never shifted);
 * offsets are rebased to start at 0 with the data they cover; view arrays
 * get one data buffer holding just their out-of-line strings; list, struct
 * and fixed-size-list children are cut to the range their parent uses.
 *
 * A cursor reads a record with one pread into one aligned buffer (with the
 * next record's header) and the batch's arrays are slices of it: reading
 * allocates only that batch, and cursors share nothing but the descriptor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "sql/exec/spill.h"

#define MAGIC 0x42505354u /* "TSPB" little-endian */
#define HEADER 32
#define ALIGN 64
#define WBUF (64 * 1024) /* write buffer; larger pieces go straight to the file */
#define DIRECT (16 * 1024)

enum { DICT_NEW = 1, DICT_SAME = 2 };

/* A piece of the data area to write in the second pass. */
typedef enum piece_kind { P_RAW, P_OFF32, P_OFF64, P_VIEWS, P_VIEWDATA, P_PAD } piece_kind;

typedef struct piece {
    piece_kind kind;
    const uint8_t *p; /* P_RAW: bytes; P_OFF32/64: first offset */
    int64_t n;        /* bytes (P_RAW, P_PAD) or elements (offsets: n + 1 entries; views) */
    int64_t base;     /* offsets: subtracted from each */
    const tn_array *a; /* views: the array (physical range [base, base + n)) */
    int64_t lead;     /* views: the first `lead` are outside the array's range (written empty) */
} piece;

struct tn_spill_file {
    tn_op *op;
    tn_schema *schema;
    char *dir;
    int fd;
    int64_t size;     /* bytes in the file, buffer included */
    int64_t rows, batches;
    uint8_t *wbuf;    /* pending bytes (not yet in the file) */
    int64_t wlen;
    pthread_mutex_t lock; /* cursor_open flushes */
    /* per batch, reused */
    int64_t *meta;
    int64_t nmeta, capmeta;
    piece *pieces;
    int64_t npieces, cappieces;
    int64_t data; /* bytes of the data area so far */
    /* dictionaries of the last batch, by place in the schema */
    tn_array **dicts;
    int32_t ndicts;
};

struct tn_spill_cursor {
    tn_spill_file *f;
    int64_t pos;            /* file offset of the next record */
    uint8_t header[HEADER]; /* the next record's header, when have_header */
    bool have_header;
    tn_array **dicts;
};

/* ---- errors ------------------------------------------------------------------------ */

static const char *op_name(const tn_spill_file *f)
{
    return f->op && f->op->vt && f->op->vt->name ? f->op->vt->name : "SPILL";
}

static int oom(const tn_spill_file *f, size_t n, tarn_error *err);

static int io_error(const tn_spill_file *f, int e, tarn_error *err)
{
    if (e == ENOMEM)
        return oom(f, 64, err);
    return tn_error_set(err, e == ENOENT ? TARN_ENOTFOUND : e == EACCES || e == EPERM ? TARN_EPERM : TARN_EIO,
                        "%s: spill to %s: %s", op_name(f), f->dir, strerror(e));
}

static int oom(const tn_spill_file *f, size_t n, tarn_error *err)
{
    int rc = tn_error_oom(err, n);
    tn_error_prefix(err, "%s: spill to %s: ", op_name(f), f->dir);
    return rc;
}

/* ---- the file ------------------------------------------------------------------------- */

static int count_dicts(const tn_type *t)
{
    int n = 0;
    if (t->id == TN_DICTIONARY)
        n += 1 + count_dicts(t->value_type);
    for (int32_t i = 0; i < t->n_children; i++)
        n += count_dicts(t->children[i].type);
    return n;
}

/* mkdir -p; an errno or 0. */
static int make_dirs(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n >= sizeof p)
        return ENAMETOOLONG;
    memcpy(p, dir, n + 1);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST)
                return errno;
            *s = c;
            if (!c)
                break;
        }
    }
    return 0;
}

static int open_unnamed(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return -1;
#endif
    char *path = tn_sprintf("%s/tarn-spill-XXXXXX", dir);
    if (!path) {
        errno = ENOMEM;
        return -1;
    }
    int f = mkostemp(path, O_CLOEXEC);
    if (f >= 0)
        unlink(path);
    int e = errno;
    tn_free(path);
    errno = e;
    return f;
}

int tn_spill_create(tn_op *op, tn_schema *schema, tn_spill_file **out, tarn_error *err)
{
    *out = NULL;
    tn_spill_file *f = tn_calloc(1, sizeof *f);
    TN_TRY_ALLOC(f, err, sizeof *f);
    f->op = op;
    f->fd = -1;
    const char *dir = op && op->ctx && op->ctx->spill_dir && *op->ctx->spill_dir ? op->ctx->spill_dir : NULL;
    if (!dir) {
        dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
    }
    f->dir = tn_strdup(dir);
    if (!f->dir) {
        tn_free(f);
        return tn_error_oom(err, strlen(dir));
    }
    f->schema = tn_schema_ref(schema);
    pthread_mutex_init(&f->lock, NULL);
    int nd = 0;
    for (int32_t i = 0; i < schema->n_fields; i++)
        nd += count_dicts(schema->fields[i].type);
    if (nd && !(f->dicts = tn_calloc((size_t)nd, sizeof *f->dicts))) {
        int rc = oom(f, (size_t)nd * sizeof *f->dicts, err);
        tn_spill_free(f);
        return rc;
    }
    f->ndicts = nd;
    f->fd = open_unnamed(f->dir);
    if (f->fd < 0 && errno == ENOENT) {
        int e = make_dirs(f->dir);
        if (e == 0)
            f->fd = open_unnamed(f->dir);
        else
            errno = e;
    }
    if (f->fd < 0) {
        int rc = io_error(f, errno, err);
        tn_spill_free(f);
        return rc;
    }
    *out = f;
    return TARN_OK;
}

void tn_spill_free(tn_spill_file *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    for (int32_t i = 0; i < f->ndicts; i++)
        tn_array_unref(f->dicts[i]);
    tn_free(f->dicts);
    tn_free(f->wbuf);
    tn_free(f->meta);
    tn_free(f->pieces);
    tn_free(f->dir);
    tn_schema_unref(f->schema);
    pthread_mutex_destroy(&f->lock);
    tn_free(f);
}

int64_t tn_spill_rows(const tn_spill_file *f)
{
    return f ? f->rows : 0;
}

int64_t tn_spill_batches(const tn_spill_file *f)
{
    return f ? f->batches : 0;
}

int64_t tn_spill_bytes(const tn_spill_file *f)
{
    return f ? f->size : 0;
}

/* ---- writing: the buffered writer ------------------------------------------------------ */

static int write_all(tn_spill_file *f, const uint8_t *p, int64_t n, tarn_error *err)
{
    while (n > 0) {
        ssize_t w = write(f->fd, p, (size_t)(n > (1 << 30) ? (1 << 30) : n));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return io_error(f, errno, err);
        }
        if (w == 0)
            return io_error(f, ENOSPC, err);
        p += w;
        n -= w;
    }
    return TARN_OK;
}

static int flush(tn_spill_file *f, tarn_error *err)
{
    if (f->wlen == 0)
        return TARN_OK;
    int rc = write_all(f, f->wbuf, f->wlen, err);
    f->wlen = 0;
    return rc;
}

/* Room for at least `want` bytes (<= WBUF) at wbuf + wlen. */
static int room(tn_spill_file *f, int64_t want, tarn_error *err)
{
    if (!f->wbuf && !(f->wbuf = tn_malloc(WBUF)))
        return oom(f, WBUF, err);
    if (WBUF - f->wlen < want)
        TN_TRY(flush(f, err));
    return TARN_OK;
}

static int put(tn_spill_file *f, const void *p, int64_t n, tarn_error *err)
{
    const uint8_t *s = p;
    if (n >= DIRECT) {
        TN_TRY(flush(f, err));
        return write_all(f, s, n, err);
    }
    while (n > 0) {
        TN_TRY(room(f, 1, err));
        int64_t k = WBUF - f->wlen < n ? WBUF - f->wlen : n;
        memcpy(f->wbuf + f->wlen, s, (size_t)k);
        f->wlen += k;
        s += k;
        n -= k;
    }
    return TARN_OK;
}

static int put_zeros(tn_spill_file *f, int64_t n, tarn_error *err)
{
    static const uint8_t zeros[ALIGN];
    while (n > 0) {
        int64_t k = n < ALIGN ? n : ALIGN;
        TN_TRY(put(f, zeros, k, err));
        n -= k;
    }
    return TARN_OK;
}

/* ---- writing: the layout pass ------------------------------------------------------------ */

static int64_t pad(int64_t n)
{
    return (n + ALIGN - 1) & ~(int64_t)(ALIGN - 1);
}

static int word(tn_spill_file *f, int64_t w, tarn_error *err)
{
    if (f->nmeta == f->capmeta) {
        int64_t cap = f->capmeta ? 2 * f->capmeta : 64;
        int64_t *m = tn_realloc(f->meta, (size_t)cap * sizeof *m);
        if (!m)
            return oom(f, (size_t)cap * sizeof *m, err);
        f->meta = m;
        f->capmeta = cap;
    }
    f->meta[f->nmeta++] = w;
    return TARN_OK;
}

/* Reserve `bytes` of the data area for a piece; its position and size go in
 * the word table. */
static int add_piece(tn_spill_file *f, piece pc, int64_t bytes, tarn_error *err)
{
    if (f->npieces + 1 >= f->cappieces) {
        int64_t cap = f->cappieces ? 2 * f->cappieces : 32;
        piece *p = tn_realloc(f->pieces, (size_t)cap * sizeof *p);
        if (!p)
            return oom(f, (size_t)cap * sizeof *p, err);
        f->pieces = p;
        f->cappieces = cap;
    }
    TN_TRY(word(f, f->data, err));
    TN_TRY(word(f, bytes, err));
    f->pieces[f->npieces++] = pc;
    int64_t padded = pad(bytes);
    if (padded > bytes)
        f->pieces[f->npieces++] = (piece){.kind = P_PAD, .n = padded - bytes};
    f->data += padded;
    return TARN_OK;
}

static int no_buffer(tn_spill_file *f, tarn_error *err)
{
    TN_TRY(word(f, -1, err));
    return word(f, 0, err);
}

static int raw(tn_spill_file *f, const tn_buffer *b, int64_t from, int64_t bytes, tarn_error *err)
{
    if (!b)
        return no_buffer(f, err);
    if (from < 0 || bytes < 0 || from + bytes > b->size)
        return tn_error_set(err, TARN_EINTERNAL, "%s: spill: buffer range [%lld, +%lld) outside %lld bytes",
                            op_name(f), (long long)from, (long long)bytes, (long long)b->size);
    return add_piece(f, (piece){.kind = P_RAW, .p = b->data + from, .n = bytes}, bytes, err);
}

/* Bytes of out-of-line data of views [p + lead, p + n) of a (valid slots only). */
static int64_t view_data_bytes(const tn_array *a, int64_t p, int64_t lead, int64_t n)
{
    const tn_view *v = (const tn_view *)a->buffers[1]->data + p;
    const uint8_t *valid = a->buffers[0] ? a->buffers[0]->data : NULL;
    int64_t sum = 0;
    for (int64_t i = lead; i < n; i++)
        if (v[i].inl.size > 12 && (!valid || tn_bit_get(valid, p + i)))
            sum += v[i].inl.size;
    return sum;
}

static int emit(tn_spill_file *f, const tn_array *a, const tn_type *t, int64_t start, int64_t len, int32_t *dict_slot,
                tarn_error *err);

/* The node of a's elements [start, start + len) (a's logical indices). */
static int emit(tn_spill_file *f, const tn_array *a, const tn_type *t, int64_t start, int64_t len, int32_t *dict_slot,
                tarn_error *err)
{
    if (a->type->id != t->id)
        return tn_error_set(err, TARN_EINTERNAL, "%s: spill: a %s array where the schema has %s", op_name(f),
                            tn_type_id_name(a->type->id), tn_type_id_name(t->id));
    int64_t phys = a->offset + start;
    int64_t o = phys & 7;   /* the offset it gets */
    int64_t p0 = phys - o;  /* first physical element written */
    int64_t cnt = o + len;  /* physical elements written */
    int64_t nulls = a->null_count;
    if (start != 0 || len != a->length)
        nulls = t->id == TN_NA ? len : (a->null_count == 0 || len == 0) ? 0 : -1;
    bool views = tn_type_is_view(t->id);
    int32_t nb = tn_type_n_buffers(t);
    if (a->n_buffers < nb)
        return tn_error_set(err, TARN_EINTERNAL, "%s: spill: %s array with %d buffers", op_name(f),
                            tn_type_id_name(t->id), (int)a->n_buffers);
    if (views)
        nb = 2 + (a->buffers[1] && view_data_bytes(a, p0, o, cnt) > 0 ? 1 : 0);
    TN_TRY(word(f, len, err));
    TN_TRY(word(f, o, err));
    TN_TRY(word(f, nulls, err));
    TN_TRY(word(f, nb, err));
    if (t->id == TN_NA) {
        for (int32_t i = 0; i < nb; i++)
            TN_TRY(no_buffer(f, err));
        return TARN_OK;
    }
    /* validity */
    TN_TRY(raw(f, a->buffers[0], p0 / 8, a->buffers[0] ? (phys + len + 7) / 8 - p0 / 8 : 0, err));
    int64_t child_from = 0, child_len = 0;
    switch (t->id) {
    case TN_BOOL:
        TN_TRY(raw(f, a->buffers[1], p0 / 8, (phys + len + 7) / 8 - p0 / 8, err));
        break;
    case TN_STRING:
    case TN_BINARY:
    case TN_LIST:
    case TN_MAP:
    case TN_LARGE_STRING:
    case TN_LARGE_BINARY:
    case TN_LARGE_LIST: {
        bool wide = t->id == TN_LARGE_STRING || t->id == TN_LARGE_BINARY || t->id == TN_LARGE_LIST;
        const tn_buffer *ob = a->buffers[1];
        if (!ob) {
            TN_TRY(no_buffer(f, err));
        } else {
            int64_t w = wide ? 8 : 4;
            if ((p0 + cnt + 1) * w > ob->size)
                return tn_error_set(err, TARN_EINTERNAL, "%s: spill: offsets buffer too short", op_name(f));
            if (wide) {
                const int64_t *off = (const int64_t *)ob->data + p0;
                child_from = off[0];
                child_len = off[cnt] - off[0];
            } else {
                const int32_t *off = (const int32_t *)ob->data + p0;
                child_from = off[0];
                child_len = off[cnt] - off[0];
            }
            TN_TRY(add_piece(f,
                             (piece){.kind = wide ? P_OFF64 : P_OFF32, .p = ob->data + p0 * w, .n = cnt,
                                     .base = child_from},
                             (cnt + 1) * w, err));
        }
        if (t->id == TN_STRING || t->id == TN_BINARY || t->id == TN_LARGE_STRING || t->id == TN_LARGE_BINARY) {
            TN_TRY(raw(f, a->buffers[2], child_from, a->buffers[2] ? child_len : 0, err));
        }
        break;
    }
    case TN_STRING_VIEW:
    case TN_BINARY_VIEW: {
        if (!a->buffers[1]) {
            TN_TRY(no_buffer(f, err));
        } else {
            TN_TRY(add_piece(f, (piece){.kind = P_VIEWS, .a = a, .base = p0, .n = cnt, .lead = o}, cnt * 16, err));
            if (nb > 2) {
                int64_t bytes = view_data_bytes(a, p0, o, cnt);
                TN_TRY(add_piece(f, (piece){.kind = P_VIEWDATA, .a = a, .base = p0, .n = cnt, .lead = o}, bytes,
                                 err));
            }
        }
        break;
    }
    case TN_FIXED_LIST:
        child_from = p0 * t->list_size;
        child_len = cnt * t->list_size;
        break;
    case TN_STRUCT:
        child_from = p0;
        child_len = cnt;
        break;
    case TN_DICTIONARY: {
        int64_t w = t->index_type->byte_width;
        TN_TRY(raw(f, a->buffers[1], p0 * w, cnt * w, err));
        break;
    }
    default: {
        int64_t w = tn_type_bit_width(t) / 8;
        if (w <= 0)
            return tn_error_set(err, TARN_EUNSUPPORTED, "%s: spill: type %s", op_name(f), tn_type_id_name(t->id));
        TN_TRY(raw(f, a->buffers[1], p0 * w, cnt * w, err));
        break;
    }
    }
    for (int32_t i = 0; i < t->n_children; i++) {
        if (i >= a->n_children || !a->children[i])
            return tn_error_set(err, TARN_EINTERNAL, "%s: spill: %s array without its children", op_name(f),
                                tn_type_id_name(t->id));
        TN_TRY(emit(f, a->children[i], t->children[i].type, child_from, child_len, dict_slot, err));
    }
    if (t->id == TN_DICTIONARY) {
        int32_t slot = (*dict_slot)++;
        if (!a->dictionary)
            return tn_error_set(err, TARN_EINTERNAL, "%s: spill: dictionary array without dictionary", op_name(f));
        if (f->dicts[slot] == a->dictionary) {
            TN_TRY(word(f, DICT_SAME, err));
            *dict_slot += count_dicts(t->value_type);
        } else {
            TN_TRY(word(f, DICT_NEW, err));
            tn_array_unref(f->dicts[slot]);
            f->dicts[slot] = tn_array_ref(a->dictionary);
            TN_TRY(emit(f, a->dictionary, t->value_type, 0, a->dictionary->length, dict_slot, err));
        }
    }
    return TARN_OK;
}

/* ---- writing: the data pass ------------------------------------------------------------------ */

static int put_piece(tn_spill_file *f, const piece *pc, tarn_error *err)
{
    switch (pc->kind) {
    case P_RAW:
        return put(f, pc->p, pc->n, err);
    case P_PAD:
        return put_zeros(f, pc->n, err);
    case P_OFF32:
    case P_OFF64: {
        int64_t w = pc->kind == P_OFF32 ? 4 : 8;
        int64_t total = pc->n + 1;
        for (int64_t i = 0; i < total;) {
            TN_TRY(room(f, w * 256, err));
            int64_t k = (WBUF - f->wlen) / w;
            if (k > total - i)
                k = total - i;
            /* the write buffer position need not be aligned: store by memcpy */
            if (w == 4) {
                const int32_t *s = (const int32_t *)pc->p + i;
                uint8_t *d = f->wbuf + f->wlen;
                int32_t base = (int32_t)pc->base;
                for (int64_t j = 0; j < k; j++) {
                    int32_t v = s[j] - base;
                    memcpy(d + 4 * j, &v, 4);
                }
            } else {
                const int64_t *s = (const int64_t *)pc->p + i;
                uint8_t *d = f->wbuf + f->wlen;
                for (int64_t j = 0; j < k; j++) {
                    int64_t v = s[j] - pc->base;
                    memcpy(d + 8 * j, &v, 8);
                }
            }
            f->wlen += k * w;
            i += k;
        }
        return TARN_OK;
    }
    case P_VIEWS: {
        const tn_array *a = pc->a;
        const tn_view *v = (const tn_view *)a->buffers[1]->data + pc->base;
        const uint8_t *valid = a->buffers[0] ? a->buffers[0]->data : NULL;
        int64_t at = 0;
        for (int64_t i = 0; i < pc->n; i++) {
            tn_view out;
            memset(&out, 0, sizeof out);
            bool ok = i >= pc->lead && (!valid || tn_bit_get(valid, pc->base + i));
            if (ok && v[i].inl.size <= 12) {
                out = v[i];
            } else if (ok) {
                out.ref.size = v[i].ref.size;
                memcpy(out.ref.prefix, v[i].ref.prefix, 4);
                out.ref.buffer_index = 0;
                out.ref.offset = (int32_t)at;
                at += v[i].ref.size;
            }
            TN_TRY(room(f, 16, err));
            memcpy(f->wbuf + f->wlen, &out, 16);
            f->wlen += 16;
        }
        return TARN_OK;
    }
    case P_VIEWDATA: {
        const tn_array *a = pc->a;
        const tn_view *v = (const tn_view *)a->buffers[1]->data + pc->base;
        const uint8_t *valid = a->buffers[0] ? a->buffers[0]->data : NULL;
        for (int64_t i = pc->lead; i < pc->n; i++) {
            if (v[i].inl.size <= 12 || (valid && !tn_bit_get(valid, pc->base + i)))
                continue;
            int32_t bi = v[i].ref.buffer_index;
            if (bi < 0 || 2 + bi >= a->n_buffers || !a->buffers[2 + bi] ||
                (int64_t)v[i].ref.offset + v[i].ref.size > a->buffers[2 + bi]->size)
                return tn_error_set(err, TARN_EINTERNAL, "%s: spill: view %lld points outside its buffers",
                                    op_name(f), (long long)(pc->base + i));
            TN_TRY(put(f, a->buffers[2 + bi]->data + v[i].ref.offset, v[i].ref.size, err));
        }
        return TARN_OK;
    }
    }
    return TARN_OK;
}

int tn_spill_write(tn_spill_file *f, const tn_batch *b, tarn_error *err)
{
    if (b->schema->n_fields != f->schema->n_fields)
        return tn_error_set(err, TARN_EINTERNAL, "%s: spill: a batch of %d columns into a file of %d", op_name(f),
                            (int)b->schema->n_fields, (int)f->schema->n_fields);
    f->nmeta = 0;
    f->npieces = 0;
    f->data = 0;
    int32_t slot = 0;
    for (int32_t c = 0; c < f->schema->n_fields; c++) {
        const tn_array *a = b->columns[c];
        if (!a || a->length != b->length)
            return tn_error_set(err, TARN_EINTERNAL, "%s: spill: column %d does not have the batch's %lld rows",
                                op_name(f), (int)c, (long long)b->length);
        int rc = emit(f, a, f->schema->fields[c].type, 0, a->length, &slot, err);
        if (rc) {
            /* the dictionaries remembered may not have reached the file */
            for (int32_t i = 0; i < f->ndicts; i++) {
                tn_array_unref(f->dicts[i]);
                f->dicts[i] = NULL;
            }
            return rc;
        }
    }
    int64_t meta = pad(f->nmeta * 8);
    uint8_t h[HEADER];
    uint32_t magic = MAGIC, ncols = (uint32_t)f->schema->n_fields;
    int64_t rows = b->length;
    memcpy(h, &magic, 4);
    memcpy(h + 4, &ncols, 4);
    memcpy(h + 8, &rows, 8);
    memcpy(h + 16, &meta, 8);
    memcpy(h + 24, &f->data, 8);
    int rc = put(f, h, HEADER, err);
    if (rc == TARN_OK)
        rc = put(f, f->meta, f->nmeta * 8, err);
    if (rc == TARN_OK)
        rc = put_zeros(f, meta - f->nmeta * 8, err);
    for (int64_t i = 0; rc == TARN_OK && i < f->npieces; i++)
        rc = put_piece(f, &f->pieces[i], err);
    if (rc) {
        /* the file is now unusable: later writes and reads fail the same way */
        for (int32_t i = 0; i < f->ndicts; i++) {
            tn_array_unref(f->dicts[i]);
            f->dicts[i] = NULL;
        }
        return rc;
    }
    int64_t bytes = HEADER + meta + f->data;
    f->size += bytes;
    f->rows += b->length;
    f->batches++;
    if (f->op)
        atomic_fetch_add(&f->op->metrics.spilled_bytes, bytes);
    if (f->capmeta > 4096 && f->nmeta < f->capmeta / 4) {
        tn_free(f->meta);
        f->meta = NULL;
        f->capmeta = 0;
    }
    return TARN_OK;
}

/* ---- reading ------------------------------------------------------------------------------------- */

int tn_spill_cursor_open(tn_spill_file *f, tn_spill_cursor **out, tarn_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&f->lock);
    int rc = flush(f, err);
    if (rc == TARN_OK && f->wbuf) {
        tn_free(f->wbuf); /* reading needs it no more; a later write takes it again */
        f->wbuf = NULL;
    }
    pthread_mutex_unlock(&f->lock);
    TN_TRY(rc);
    tn_spill_cursor *c = tn_calloc(1, sizeof *c);
    if (!c)
        return oom(f, sizeof *c, err);
    c->f = f;
    if (f->ndicts && !(c->dicts = tn_calloc((size_t)f->ndicts, sizeof *c->dicts))) {
        tn_free(c);
        return oom(f, (size_t)f->ndicts * sizeof *c->dicts, err);
    }
    *out = c;
    return TARN_OK;
}

void tn_spill_cursor_free(tn_spill_cursor *c)
{
    if (!c)
        return;
    for (int32_t i = 0; c->dicts && i < c->f->ndicts; i++)
        tn_array_unref(c->dicts[i]);
    tn_free(c->dicts);
    tn_free(c);
}

static int read_at(const tn_spill_file *f, uint8_t *p, int64_t n, int64_t at, int64_t *got, tarn_error *err)
{
    int64_t done = 0;
    while (done < n) {
        ssize_t r = pread(f->fd, p + done, (size_t)(n - done > (1 << 30) ? (1 << 30) : n - done), (off_t)(at + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return io_error(f, errno, err);
        }
        if (r == 0)
            break;
        done += r;
    }
    *got = done;
    return TARN_OK;
}

typedef struct reader {
    const tn_spill_file *f;
    tn_spill_cursor *c;
    tn_buffer *payload; /* meta words then data */
    const int64_t *w;
    int64_t nw, at;     /* words and next word */
    int64_t data_at, data_size;
} reader;

static int corrupt(const reader *r, tarn_error *err)
{
    return TN_CORRUPT(err, "%s: spill file under %s: bad record at word %lld", op_name(r->f), r->f->dir,
                      (long long)r->at);
}

static bool next_word(reader *r, int64_t *v)
{
    if (r->at >= r->nw)
        return false;
    *v = r->w[r->at++];
    return true;
}

static int load(reader *r, tn_type *t, int32_t *dict_slot, tn_array **out, tarn_error *err)
{
    int64_t len, off, nulls, nb;
    if (!next_word(r, &len) || !next_word(r, &off) || !next_word(r, &nulls) || !next_word(r, &nb) || len < 0 ||
        off < 0 || nb < 0 || nb > 1 << 20)
        return corrupt(r, err);
    tn_array *a = tn_array_new(t, len, (int32_t)nb, t->n_children);
    if (!a)
        return oom(r->f, sizeof(tn_array), err);
    a->offset = off;
    a->null_count = nulls;
    int rc = TARN_OK;
    for (int64_t i = 0; rc == TARN_OK && i < nb; i++) {
        int64_t pos, size;
        if (!next_word(r, &pos) || !next_word(r, &size) || size < 0 || pos < -1 ||
            (pos >= 0 && pos + size > r->data_size)) {
            rc = corrupt(r, err);
            break;
        }
        if (pos < 0)
            continue;
        if (!(a->buffers[i] = tn_buffer_slice(r->payload, r->data_at + pos, size)))
            rc = oom(r->f, sizeof(tn_buffer), err);
    }
    for (int32_t i = 0; rc == TARN_OK && i < t->n_children; i++)
        rc = load(r, t->children[i].type, dict_slot, &a->children[i], err);
    if (rc == TARN_OK && t->id == TN_DICTIONARY) {
        int32_t slot = (*dict_slot)++;
        int64_t flag;
        if (!next_word(r, &flag) || slot >= r->f->ndicts || (flag != DICT_NEW && flag != DICT_SAME)) {
            rc = corrupt(r, err);
        } else if (flag == DICT_SAME) {
            if (!r->c->dicts[slot])
                rc = corrupt(r, err);
            else
                a->dictionary = tn_array_ref(r->c->dicts[slot]);
            *dict_slot += count_dicts(t->value_type);
        } else {
            rc = load(r, t->value_type, dict_slot, &a->dictionary, err);
            if (rc == TARN_OK) {
                tn_array_unref(r->c->dicts[slot]);
                r->c->dicts[slot] = tn_array_ref(a->dictionary);
            }
        }
    }
    if (rc) {
        tn_array_unref(a);
        return rc;
    }
    *out = a;
    return TARN_OK;
}

int tn_spill_next(tn_spill_cursor *c, tn_batch **out, tarn_error *err)
{
    *out = NULL;
    const tn_spill_file *f = c->f;
    if (c->pos >= f->size)
        return TARN_OK;
    if (!c->have_header) {
        int64_t got = 0;
        TN_TRY(read_at(f, c->header, HEADER, c->pos, &got, err));
        if (got < HEADER)
            return TN_CORRUPT(err, "%s: spill file under %s: short record at byte %lld", op_name(f), f->dir,
                              (long long)c->pos);
    }
    uint32_t magic, ncols;
    int64_t rows, meta, data;
    memcpy(&magic, c->header, 4);
    memcpy(&ncols, c->header + 4, 4);
    memcpy(&rows, c->header + 8, 8);
    memcpy(&meta, c->header + 16, 8);
    memcpy(&data, c->header + 24, 8);
    if (magic != MAGIC || ncols != (uint32_t)f->schema->n_fields || rows < 0 || meta < 0 || data < 0 ||
        meta % ALIGN || c->pos + HEADER + meta + data > f->size)
        return TN_CORRUPT(err, "%s: spill file under %s: bad record header at byte %lld", op_name(f), f->dir,
                          (long long)c->pos);
    int64_t body = meta + data;
    bool more = c->pos + HEADER + body + HEADER <= f->size;
    tn_buffer *payload = tn_buffer_new(body + (more ? HEADER : 0));
    if (!payload)
        return oom(f, (size_t)(body + HEADER), err);
    int64_t got = 0;
    int rc = read_at(f, payload->data, payload->size, c->pos + HEADER, &got, err);
    if (rc == TARN_OK && got < payload->size)
        rc = TN_CORRUPT(err, "%s: spill file under %s: short record at byte %lld", op_name(f), f->dir,
                        (long long)c->pos);
    if (rc) {
        tn_buffer_unref(payload);
        return rc;
    }
    reader r = {.f = f, .c = c, .payload = payload, .w = (const int64_t *)payload->data, .nw = meta / 8,
                .data_at = meta, .data_size = data};
    tn_batch *b = tn_batch_new(f->schema, rows);
    if (!b)
        rc = oom(f, sizeof *b, err);
    int32_t slot = 0;
    for (int32_t i = 0; rc == TARN_OK && i < f->schema->n_fields; i++) {
        rc = load(&r, f->schema->fields[i].type, &slot, &b->columns[i], err);
        if (rc == TARN_OK && b->columns[i]->length != rows)
            rc = corrupt(&r, err);
    }
    if (rc == TARN_OK && more) {
        memcpy(c->header, payload->data + body, HEADER);
        payload->size = body;
    }
    tn_buffer_unref(payload);
    if (rc) {
        tn_batch_unref(b);
        return rc;
    }
    c->have_header = more;
    c->pos += HEADER + body;
    *out = b;
    return TARN_OK;
}
