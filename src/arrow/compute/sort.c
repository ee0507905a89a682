/*
 * sort.c — stable multi-key sort indices.
 *
 * When every key is a bool, integer, float, temporal or decimal128 column,
 * each key is turned into order-preserving unsigned 64-bit words
 * (signed values get their sign bit flipped; floats map to their IEEE
 * total order after -0 becomes +0 and every NaN one NaN above +inf;
 * descending keys are complemented), and the permutation is built by LSD
 * radix sort: for the keys from last to first, eight byte passes per word
 * (passes where every row has the same byte are skipped), then one pass on
 * the null flag that moves the key's nulls first or last. Every pass is
 * stable, so the composition sorts by all keys and keeps input order among
 * ties. Other keys (strings, binaries, decimal256) use a stable merge sort
 * with a comparison that walks the keys with a switch per key kind. A
 * single text key sorts (8-byte big-endian prefix, row) pairs instead, so
 * most comparisons are one integer compare.
 */
#include "arrow/compute/decimal.h"
#include "arrow/compute/kernel.h"

/* Order-preserving words of row i of a radix-sortable key; returns the
 * number of words (1 or 2, most significant last). 0 = not radix-sortable. */
static int key_words(const tn_type *t)
{
    tn_type_id id = tn_storage_id(t->id);
    if (id == TN_BOOL || tn_type_is_int(id) || tn_type_is_float(id))
        return 1;
    if (id == TN_DECIMAL128)
        return 2;
    return 0;
}

static inline uint64_t float_key(double d)
{
    if (d != d)
        d = NAN;
    if (d == 0)
        d = 0; /* -0 sorts with +0 */
    uint64_t b;
    memcpy(&b, &d, 8);
    if (d != d)
        return UINT64_MAX; /* after +inf */
    return (b >> 63) ? ~b : b | (1ULL << 63);
}

/* Normalized words of `word` (0 = low) for every row. */
static void normalize(const tn_array *a, int word, bool desc, uint64_t *k)
{
    int64_t n = a->length, off = a->offset;
    const uint8_t *v = a->buffers[1]->data;
    const uint64_t flip = 1ULL << 63;
    switch (tn_storage_id(a->type->id)) {
    case TN_BOOL:
        for (int64_t i = 0; i < n; i++)
            k[i] = tn_bit_get(v, off + i);
        break;
#define S(ID, T)                                                       \
    case ID:                                                           \
        for (int64_t i = 0; i < n; i++)                                \
            k[i] = (uint64_t)(int64_t)((const T *)v)[off + i] ^ flip;  \
        break;
#define U(ID, T)                                                       \
    case ID:                                                           \
        for (int64_t i = 0; i < n; i++)                                \
            k[i] = (uint64_t)((const T *)v)[off + i];                  \
        break;
        S(TN_INT8, int8_t) S(TN_INT16, int16_t) S(TN_INT32, int32_t) S(TN_INT64, int64_t)
        U(TN_UINT8, uint8_t) U(TN_UINT16, uint16_t) U(TN_UINT32, uint32_t) U(TN_UINT64, uint64_t)
#undef S
#undef U
    case TN_FLOAT16:
        for (int64_t i = 0; i < n; i++)
            k[i] = float_key(tn_half_to_float(((const uint16_t *)v)[off + i]));
        break;
    case TN_FLOAT32:
        for (int64_t i = 0; i < n; i++)
            k[i] = float_key(((const float *)v)[off + i]);
        break;
    case TN_FLOAT64:
        for (int64_t i = 0; i < n; i++)
            k[i] = float_key(((const double *)v)[off + i]);
        break;
    case TN_DECIMAL128:
        for (int64_t i = 0; i < n; i++) {
            uint64_t w[2];
            memcpy(w, v + 16 * (off + i), 16);
            k[i] = word ? w[1] ^ flip : w[0];
        }
        break;
    default:
        memset(k, 0, (size_t)n * 8);
        break;
    }
    if (desc)
        for (int64_t i = 0; i < n; i++)
            k[i] = ~k[i];
    const uint8_t *valid = tn_kvalid_bits(a);
    if (valid) /* null rows keep their relative order: equal keys */
        for (int64_t i = 0; i < n; i++)
            k[i] = tn_bit_get(valid, off + i) ? k[i] : 0;
}

typedef struct radix {
    int64_t n;
    int64_t *perm, *tperm;
    uint64_t *keys, *kk, *tk;
    int64_t (*count)[256]; /* eight byte histograms */
} radix;

/* One stable LSD pass set over the word k[row] in the current order. Bytes
 * that are the same in every row are found first (OR and AND of all keys)
 * and skipped; the histograms of the others are counted in one read. */
static void radix_word(radix *r, const uint64_t *k)
{
    int64_t n = r->n;
    uint64_t any = 0, all = UINT64_MAX;
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = k[r->perm[i]];
        r->kk[i] = v;
        any |= v;
        all &= v;
    }
    int shifts[8], nact = 0;
    for (int b = 0; b < 8; b++)
        if ((((any ^ all) >> (8 * b)) & 255) != 0)
            shifts[nact++] = 8 * b;
    if (nact == 0)
        return;
    int64_t (*count)[256] = r->count;
    memset(count, 0, sizeof(int64_t) * 8 * 256);
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = r->kk[i];
        for (int j = 0; j < nact; j++)
            count[j][(v >> shifts[j]) & 255]++;
    }
    for (int j = 0; j < nact; j++) {
        int sh = shifts[j];
        int64_t pos = 0;
        for (int c = 0; c < 256; c++) {
            int64_t t = count[j][c];
            count[j][c] = pos;
            pos += t;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t d = count[j][(r->kk[i] >> sh) & 255]++;
            r->tk[d] = r->kk[i];
            r->tperm[d] = r->perm[i];
        }
        uint64_t *t1 = r->kk;
        r->kk = r->tk;
        r->tk = t1;
        int64_t *t2 = r->perm;
        r->perm = r->tperm;
        r->tperm = t2;
    }
}

/* Stable partition of the current order by the key's nulls. */
static void radix_nulls(radix *r, const tn_array *a, bool nulls_first)
{
    const uint8_t *valid = tn_kvalid_bits(a);
    if (!valid || tn_array_null_count((tn_array *)a) == 0)
        return;
    int64_t n = r->n, nn = a->null_count, p0 = nulls_first ? 0 : n - nn, p1 = nulls_first ? nn : 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t row = r->perm[i];
        bool null = !tn_bit_get(valid, a->offset + row);
        r->tperm[null ? p0++ : p1++] = row;
    }
    int64_t *t = r->perm;
    r->perm = r->tperm;
    r->tperm = t;
}

static int radix_sort(const tn_sort_key *keys, int32_t nk, int64_t n, int64_t *out, tarn_error *err)
{
    radix r = {n, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t cnt = (size_t)(n ? n : 1);
    r.perm = tn_malloc(cnt * 8);
    r.tperm = tn_malloc(cnt * 8);
    r.keys = tn_malloc(cnt * 8);
    r.kk = tn_malloc(cnt * 8);
    r.tk = tn_malloc(cnt * 8);
    r.count = tn_malloc(sizeof(int64_t) * 8 * 256);
    if (!r.perm || !r.tperm || !r.keys || !r.kk || !r.tk || !r.count) {
        tn_free(r.count);
        tn_free(r.perm);
        tn_free(r.tperm);
        tn_free(r.keys);
        tn_free(r.kk);
        tn_free(r.tk);
        return tn_error_oom(err, cnt * 40);
    }
    for (int64_t i = 0; i < n; i++)
        r.perm[i] = i;
    for (int32_t j = nk - 1; j >= 0 && n > 1; j--) {
        const tn_array *a = keys[j].array;
        int words = key_words(a->type);
        for (int w = 0; w < words; w++) {
            normalize(a, w, keys[j].descending, r.keys);
            radix_word(&r, r.keys);
        }
        radix_nulls(&r, a, keys[j].nulls_first);
    }
    memcpy(out, r.perm, (size_t)n * 8);
    tn_free(r.count);
    tn_free(r.perm);
    tn_free(r.tperm);
    tn_free(r.keys);
    tn_free(r.kk);
    tn_free(r.tk);
    return TARN_OK;
}

/* --- comparison sort ------------------------------------------------------------------ */

typedef struct cmp_ctx {
    const tn_sort_key *keys;
    int32_t nk;
    uint64_t **norm; /* per key: normalized words for radix-able kinds (low word), or NULL */
    uint64_t **norm_hi;
} cmp_ctx;

static int compare_rows(const cmp_ctx *c, int64_t i, int64_t j)
{
    for (int32_t k = 0; k < c->nk; k++) {
        const tn_array *a = c->keys[k].array;
        bool vi = tn_array_is_valid(a, i), vj = tn_array_is_valid(a, j);
        if (vi != vj) /* exactly one null */
            return (vi ? 1 : -1) * (c->keys[k].nulls_first ? 1 : -1);
        if (!vi)
            continue;
        int r;
        if (c->norm[k]) { /* already direction-adjusted */
            uint64_t x = c->norm_hi[k] ? c->norm_hi[k][i] : c->norm[k][i];
            uint64_t y = c->norm_hi[k] ? c->norm_hi[k][j] : c->norm[k][j];
            if (x == y && c->norm_hi[k]) {
                x = c->norm[k][i];
                y = c->norm[k][j];
            }
            r = (x > y) - (x < y);
            if (r)
                return r;
            continue;
        }
        if (a->type->id == TN_DECIMAL256) {
            tn_i256 x, y;
            memcpy(&x, a->buffers[1]->data + 32 * (a->offset + i), 32);
            memcpy(&y, a->buffers[1]->data + 32 * (a->offset + j), 32);
            r = tn_i256_cmp(x, y);
        } else {
            int64_t pn, qn;
            const uint8_t *p = tn_array_bytes(a, i, &pn), *q = tn_array_bytes(a, j, &qn);
            int64_t m = pn < qn ? pn : qn;
            r = m ? memcmp(p, q, (size_t)m) : 0;
            r = r ? (r > 0) - (r < 0) : (pn > qn) - (pn < qn);
        }
        if (r)
            return c->keys[k].descending ? -r : r;
    }
    return 0;
}

static void merge_sort(const cmp_ctx *c, int64_t *v, int64_t *tmp, int64_t n)
{
    if (n < 16) { /* insertion sort: stable */
        for (int64_t i = 1; i < n; i++) {
            int64_t x = v[i], j = i;
            while (j > 0 && compare_rows(c, v[j - 1], x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    int64_t h = n / 2;
    merge_sort(c, v, tmp, h);
    merge_sort(c, v + h, tmp, n - h);
    if (compare_rows(c, v[h - 1], v[h]) <= 0)
        return;
    memcpy(tmp, v, (size_t)h * 8);
    int64_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        v[o++] = compare_rows(c, v[j], tmp[i]) < 0 ? v[j++] : tmp[i++];
    while (i < h)
        v[o++] = tmp[i++];
}

static int comparison_sort(const tn_sort_key *keys, int32_t nk, int64_t n, int64_t *out, tarn_error *err)
{
    cmp_ctx c = {keys, nk, tn_calloc((size_t)nk, sizeof(uint64_t *)), tn_calloc((size_t)nk, sizeof(uint64_t *))};
    int64_t *tmp = tn_malloc((size_t)(n ? n : 1) * 8);
    int rc = c.norm && c.norm_hi && tmp ? TARN_OK : tn_error_oom(err, (size_t)n * 8);
    for (int32_t k = 0; k < nk && rc == TARN_OK; k++) {
        int words = key_words(keys[k].array->type);
        if (!words)
            continue;
        c.norm[k] = tn_malloc((size_t)(n ? n : 1) * 8);
        if (!c.norm[k]) {
            rc = tn_error_oom(err, (size_t)n * 8);
            break;
        }
        normalize(keys[k].array, 0, keys[k].descending, c.norm[k]);
        if (words == 2) {
            c.norm_hi[k] = tn_malloc((size_t)(n ? n : 1) * 8);
            if (!c.norm_hi[k]) {
                rc = tn_error_oom(err, (size_t)n * 8);
                break;
            }
            normalize(keys[k].array, 1, keys[k].descending, c.norm_hi[k]);
        }
    }
    if (rc == TARN_OK) {
        for (int64_t i = 0; i < n; i++)
            out[i] = i;
        merge_sort(&c, out, tmp, n);
    }
    for (int32_t k = 0; c.norm && k < nk; k++) {
        tn_free(c.norm[k]);
        if (c.norm_hi)
            tn_free(c.norm_hi[k]);
    }
    tn_free(c.norm);
    tn_free(c.norm_hi);
    tn_free(tmp);
    return rc;
}

/* --- one text key ------------------------------------------------------------------- */

/* A row of a text key: its first eight bytes big-endian (zero-padded), so
 * most comparisons are one integer compare; ties compare the bytes. */
typedef struct skey {
    uint64_t pre;
    int64_t row;
} skey;

typedef struct text_ctx {
    const uint8_t **ptr;
    int64_t *len;
    bool desc;
} text_ctx;

static inline int skey_cmp(const text_ctx *c, const skey *x, const skey *y)
{
    int r;
    if (x->pre != y->pre) {
        r = x->pre < y->pre ? -1 : 1;
    } else {
        int64_t pn = c->len[x->row], qn = c->len[y->row], m = pn < qn ? pn : qn;
        r = m > 8 ? memcmp(c->ptr[x->row] + 8, c->ptr[y->row] + 8, (size_t)(m - 8)) : 0;
        r = r ? r : (pn > qn) - (pn < qn);
    }
    return c->desc ? -r : r;
}

static void skey_sort(const text_ctx *c, skey *v, skey *tmp, int64_t n)
{
    if (n < 16) {
        for (int64_t i = 1; i < n; i++) {
            skey x = v[i];
            int64_t j = i;
            while (j > 0 && skey_cmp(c, &v[j - 1], &x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    int64_t h = n / 2;
    skey_sort(c, v, tmp, h);
    skey_sort(c, v + h, tmp, n - h);
    if (skey_cmp(c, &v[h - 1], &v[h]) <= 0)
        return;
    memcpy(tmp, v, (size_t)h * sizeof *v);
    int64_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        v[o++] = skey_cmp(c, &v[j], &tmp[i]) < 0 ? v[j++] : tmp[i++];
    while (i < h)
        v[o++] = tmp[i++];
}

static int text_sort(const tn_sort_key *key, int64_t n, int64_t *out, tarn_error *err)
{
    tn_array *a = key->array;
    size_t cnt = (size_t)(n ? n : 1);
    text_ctx c = {tn_malloc(cnt * sizeof(uint8_t *)), tn_malloc(cnt * 8), key->descending};
    skey *v = tn_malloc(cnt * sizeof *v), *tmp = tn_malloc(cnt * sizeof *v);
    int64_t *nulls = tn_malloc(cnt * 8);
    if (!c.ptr || !c.len || !v || !tmp || !nulls) {
        tn_free(c.ptr);
        tn_free(c.len);
        tn_free(v);
        tn_free(tmp);
        tn_free(nulls);
        return tn_error_oom(err, cnt * 48);
    }
    int64_t nv = 0, nn = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!tn_array_is_valid(a, i)) {
            nulls[nn++] = i;
            continue;
        }
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, i, &len);
        c.ptr[i] = p;
        c.len[i] = len;
        uint8_t b[8] = {0};
        memcpy(b, p, (size_t)(len < 8 ? len : 8));
        uint64_t pre = 0;
        for (int k = 0; k < 8; k++)
            pre = (pre << 8) | b[k];
        v[nv].pre = pre;
        v[nv].row = i;
        nv++;
    }
    skey_sort(&c, v, tmp, nv);
    int64_t o = 0;
    if (key->nulls_first)
        for (int64_t i = 0; i < nn; i++)
            out[o++] = nulls[i];
    for (int64_t i = 0; i < nv; i++)
        out[o++] = v[i].row;
    if (!key->nulls_first)
        for (int64_t i = 0; i < nn; i++)
            out[o++] = nulls[i];
    tn_free(c.ptr);
    tn_free(c.len);
    tn_free(v);
    tn_free(tmp);
    tn_free(nulls);
    return TARN_OK;
}

int tn_sort_indices(const tn_sort_key *keys, int32_t n_keys, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!keys || n_keys <= 0)
        return tn_error_set(err, TARN_EINVAL, "sort needs at least one key");
    int64_t n = -1;
    bool radix_ok = true;
    for (int32_t k = 0; k < n_keys; k++) {
        tn_array *a = keys[k].array;
        if (!a)
            return tn_error_set(err, TARN_EINVAL, "sort key %d is missing", k);
        if (n >= 0 && a->length != n)
            return tn_error_set(err, TARN_EINVAL, "sort key %d has %lld rows, key 0 has %lld", k,
                                (long long)a->length, (long long)n);
        n = a->length;
        tn_type_id id = a->type->id;
        bool text = tn_type_is_string(id) || tn_type_is_binary(id) || id == TN_FIXED_BINARY;
        if (!key_words(a->type) && !text && id != TN_DECIMAL256 && id != TN_NA)
            return tn_error_set(err, TARN_EUNSUPPORTED, "cannot sort by a key of type %s", tn_type_id_name(id));
        radix_ok &= key_words(a->type) != 0 || id == TN_NA;
        tn_array_null_count(a);
    }
    tn_array *o = tn_kout_fixed(tn_type_get(TN_INT64), n);
    TN_TRY_ALLOC(o, err, (size_t)n * 8);
    int64_t *idx = (int64_t *)o->buffers[1]->data;
    tn_type_id k0 = keys[0].array->type->id;
    bool one_text = n_keys == 1 && (tn_type_is_string(k0) || tn_type_is_binary(k0) || k0 == TN_FIXED_BINARY);
    int rc = radix_ok ? radix_sort(keys, n_keys, n, idx, err)
           : one_text ? text_sort(&keys[0], n, idx, err)
                      : comparison_sort(keys, n_keys, n, idx, err);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    o->null_count = 0;
    *out = o;
    return TARN_OK;
}
