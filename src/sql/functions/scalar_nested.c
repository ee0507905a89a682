/*
 * scalar_nested.c — functions over structs and lists: field access
 * (struct_extract, the binder's form of s.field and s['field']), building
 * (struct_pack, {'a': 1}; list_value, [1, 2]), list element access (l[i],
 * 1-based, negative from the end), lengths, string_split,
 * array_to_string and list_aggr (any aggregate over each list).
 *
 * A nested value cannot be a tn_scalar, so the functions that build one are
 * marked volatile: the evaluator never folds them to a constant and always
 * calls them with the batch's row count (constant arguments broadcast).
 * Field and element access share the child arrays (zero copy for fields,
 * one tn_take for elements).
 */
#include <string.h>
#include <strings.h>

#include "sql/functions/scalar_internal.h"

/* a (consumed) with the rows cleared where parent (n rows) is NULL. */
static int and_parent_validity(tn_array *a, const tn_array *parent, int64_t n, tn_array **out, tarn_error *err)
{
    if (!parent->buffers[0] || a->type->id == TN_NA) {
        *out = a;
        return TARN_OK;
    }
    if (a->n_buffers == 0) {
        tn_array_unref(a);
        return tn_error_oom(err, (size_t)n / 8 + 1);
    }
    tn_buffer *bits = tn_buffer_new_zeroed(tn_bitmap_bytes(a->offset + n));
    if (!bits) {
        tn_array_unref(a);
        return tn_error_oom(err, (size_t)n / 8 + 1);
    }
    for (int64_t i = 0; i < n; i++)
        if (tn_array_is_valid(a, i) && tn_array_is_valid(parent, i))
            tn_bit_set(bits->data, a->offset + i);
    tn_array *r = tn_array_with_validity(a, n, bits);
    if (!r) {
        tn_array_unref(a);
        return tn_error_oom(err, (size_t)n / 8 + 1);
    }
    tn_array_unref(a);
    *out = r;
    return TARN_OK;
}

/* ---- structs ------------------------------------------------------------------------------ */

/* struct_extract(s, 'name'): the field's index as bind_data. */
static int extract_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_type *st = call->args[0]->type;
    const tn_expr *key = call->args[1];
    if (st->id != TN_STRUCT)
        return tn_error_set(err, TARN_ETYPE, "struct_extract: the first argument is not a struct");
    if (key->kind != TN_EXPR_LITERAL || !key->value->is_valid || !key->value->bytes)
        return tn_error_set(err, TARN_EINVAL, "struct_extract: the field name must be a constant string");
    char name[256];
    size_t len = (size_t)key->value->n_bytes < sizeof name - 1 ? (size_t)key->value->n_bytes : sizeof name - 1;
    memcpy(name, key->value->bytes, len);
    name[len] = '\0';
    int32_t k = -1;
    for (int32_t i = 0; i < st->n_children && k < 0; i++)
        if (strcmp(st->children[i].name, name) == 0)
            k = i;
    for (int32_t i = 0; i < st->n_children && k < 0; i++)
        if (strcasecmp(st->children[i].name, name) == 0)
            k = i;
    if (k < 0)
        return tn_error_set(err, TARN_ENOTFOUND, "struct has no field \"%s\"", name);
    int32_t *slot = tn_arena_alloc(&c->arena, sizeof *slot);
    TN_TRY_ALLOC(slot, err, sizeof *slot);
    *slot = k;
    call->bind_data = slot;
    call->type = tn_plan_keep_type(c, tn_type_ref(st->children[k].type));
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

static int extract_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    (void)nargs;
    int32_t k = *(const int32_t *)call->bind_data;
    tn_array *s;
    TN_TRY(tn_datum_to_array(args[0], n, &s, err));
    tn_array *f = tn_array_slice(s->children[k], s->offset, n);
    int rc = f ? and_parent_validity(f, s, n, out, err) : tn_error_oom(err, 64);
    tn_array_unref(s);
    return rc;
}

static int struct_pack_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                            tarn_error *err)
{
    tn_array *a = tn_array_new(call->type, n, 1, nargs);
    TN_TRY_ALLOC(a, err, 64);
    a->null_count = 0;
    for (int32_t i = 0; i < nargs; i++) {
        int rc = tn_datum_to_array(args[i], n, &a->children[i], err);
        if (rc) {
            tn_array_unref(a);
            return rc;
        }
    }
    *out = a;
    return TARN_OK;
}

static const tn_scalar_func struct_pack_fn = {"struct_pack", struct_pack_exec, false, true, NULL};

int tn_struct_pack_resolve(tn_plan_ctx *c, const char *const *names, tn_expr **args, int32_t nargs, uint32_t loc,
                           tn_expr **out, tarn_error *err)
{
    if (nargs < 1)
        return tn_error_set(err, TARN_EINVAL, "a struct needs at least one field");
    tn_field **fields = tn_calloc((size_t)nargs, sizeof *fields);
    TN_TRY_ALLOC(fields, err, (size_t)nargs * sizeof *fields);
    for (int32_t i = 0; i < nargs; i++) {
        for (int32_t j = 0; j < i; j++)
            if (strcasecmp(names[i], names[j]) == 0) {
                for (int32_t k = 0; k < i; k++)
                    tn_field_free(fields[k]);
                tn_free(fields);
                return tn_error_set(err, TARN_EINVAL, "struct field \"%s\" given twice", names[i]);
            }
        tn_type *t = args[i]->type->id == TN_NA ? tn_type_get(TN_INT32) : tn_type_ref(args[i]->type);
        fields[i] = tn_field_new(names[i], t, true);
    }
    tn_type *st = tn_type_struct(nargs, fields);
    tn_free(fields);
    TN_TRY_ALLOC(st, err, 64);
    tn_expr *e = tn_expr_new(c, TN_EXPR_CALL, st, nargs);
    TN_TRY_ALLOC(e, err, sizeof *e);
    for (int32_t i = 0; i < nargs; i++) {
        e->args[i] = args[i];
        if (args[i]->type->id == TN_NA) {
            tn_expr *x = tn_expr_new(c, TN_EXPR_CAST, tn_type_get(TN_INT32), 1);
            TN_TRY_ALLOC(x, err, sizeof *x);
            x->args[0] = args[i];
            x->loc = args[i]->loc;
            e->args[i] = x;
        }
    }
    e->func = &struct_pack_fn;
    e->loc = loc;
    *out = e;
    return TARN_OK;
}

/* ---- lists --------------------------------------------------------------------------------- */

static int list_value_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    tn_type *item = call->nargs ? call->args[0]->type : tn_type_get(TN_INT32);
    if (item->id == TN_NA)
        item = tn_type_get(TN_INT32);
    tn_type *t = tn_type_list(TN_LIST, tn_field_new("l", tn_type_ref(item), true));
    TN_TRY_ALLOC(t, err, 64);
    call->type = tn_plan_keep_type(c, t);
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

/* [a, b, c]: row r is (a[r], b[r], c[r]); the child is the arguments
 * concatenated and reordered row-major with one tn_take. */
static int list_value_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                           tarn_error *err)
{
    const tn_type *item = call->type->children[0].type;
    tn_array **cols = tn_calloc((size_t)(nargs ? nargs : 1), sizeof *cols);
    TN_TRY_ALLOC(cols, err, sizeof *cols);
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < nargs; i++) {
        rc = tn_datum_to_array(args[i], n, &cols[i], err);
        if (rc == TARN_OK && !tn_type_equals(cols[i]->type, item)) {
            tn_array *c2 = NULL;
            rc = tn_cast(cols[i], (tn_type *)item, TN_CAST_STRICT, &c2, err);
            tn_array_unref(cols[i]);
            cols[i] = c2;
        }
    }
    tn_array *all = NULL, *child = NULL;
    if (rc == TARN_OK)
        rc = nargs ? tn_concatenate(cols, nargs, &all, err)
                   : ((all = tn_array_new_empty((tn_type *)item)) ? TARN_OK : tn_error_oom(err, 64));
    tn_buffer *ib = NULL, *ob = NULL;
    if (rc == TARN_OK) {
        ib = tn_buffer_new(n * nargs * (int64_t)sizeof(int64_t) + 8);
        ob = tn_buffer_new((n + 1) * (int64_t)sizeof(int32_t));
        if (!ib || !ob || n * nargs > INT32_MAX)
            rc = ib && ob ? tn_error_set(err, TARN_EOVERFLOW, "list_value: %lld elements", (long long)(n * nargs))
                          : tn_error_oom(err, (size_t)(n * nargs) * 8);
    }
    if (rc == TARN_OK) {
        int64_t *ix = (int64_t *)ib->data;
        int32_t *off = (int32_t *)ob->data;
        for (int64_t r = 0; r < n; r++) {
            off[r] = (int32_t)(r * nargs);
            for (int32_t k = 0; k < nargs; k++)
                ix[r * nargs + k] = k * n + r;
        }
        off[n] = (int32_t)(n * nargs);
        tn_array *idx = tn_array_new(tn_type_get(TN_INT64), n * nargs, 2, 0);
        if (!idx) {
            rc = tn_error_oom(err, 64);
        } else {
            idx->buffers[1] = tn_buffer_ref(ib);
            idx->null_count = 0;
            rc = tn_take(all, idx, &child, err);
            tn_array_unref(idx);
        }
    }
    if (rc == TARN_OK) {
        tn_array *l = tn_array_new(call->type, n, 2, 1);
        if (!l) {
            rc = tn_error_oom(err, 64);
        } else {
            l->buffers[1] = tn_buffer_ref(ob);
            l->children[0] = tn_array_ref(child);
            l->null_count = 0;
            *out = l;
        }
    }
    tn_buffer_unref(ib);
    tn_buffer_unref(ob);
    tn_array_unref(all);
    tn_array_unref(child);
    for (int32_t i = 0; i < nargs; i++)
        tn_array_unref(cols[i]);
    tn_free(cols);
    return rc;
}

static int64_t list_start(const tn_array *l, int64_t r)
{
    return l->type->id == TN_LARGE_LIST ? TN_OFFSETS64(l)[r] : TN_OFFSETS32(l)[r];
}

static int element_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    call->type = tn_plan_keep_type(c, tn_type_ref(call->args[0]->type->children[0].type));
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

/* l[i]: 1-based; negative counts from the end; out of range is NULL. */
static int element_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    (void)call, (void)nargs;
    tn_array *l;
    TN_TRY(tn_datum_to_array(args[0], n, &l, err));
    tn_buffer *ib = tn_buffer_new(n * (int64_t)sizeof(int64_t) + 8);
    tn_buffer *vb = tn_buffer_new_zeroed(tn_bitmap_bytes(n) + 1);
    tn_array *idx = ib && vb ? tn_array_new(tn_type_get(TN_INT64), n, 2, 0) : NULL;
    if (!idx) {
        tn_buffer_unref(ib);
        tn_buffer_unref(vb);
        tn_array_unref(l);
        return tn_error_oom(err, (size_t)n * 8);
    }
    int64_t *ix = (int64_t *)ib->data;
    for (int64_t r = 0; r < n; r++) {
        ix[r] = 0;
        if (!tn_array_is_valid(l, r) || !d_valid(&args[1], r))
            continue;
        int64_t s = list_start(l, r), len = list_start(l, r + 1) - s, i = d_i64(&args[1], r);
        int64_t k = i > 0 ? i - 1 : len + i;
        if (i == 0 || k < 0 || k >= len)
            continue;
        ix[r] = s + k;
        tn_bit_set(vb->data, r);
    }
    idx->buffers[0] = vb;
    idx->buffers[1] = ib;
    int rc = tn_take(l->children[0], idx, out, err);
    tn_array_unref(idx);
    tn_array_unref(l);
    return rc;
}

static int list_len_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    (void)nargs;
    tn_array *l;
    TN_TRY(tn_datum_to_array(args[0], n, &l, err));
    fout o;
    int rc = fout_init(&o, call->type, n, err);
    if (rc) {
        tn_array_unref(l);
        return rc;
    }
    for (int64_t r = 0; r < n && !rc; r++) {
        if (!tn_array_is_valid(l, r)) {
            rc = fout_null(&o, r, err);
            continue;
        }
        int64_t len = list_start(l, r + 1) - list_start(l, r);
        memcpy(fout_data(&o) + r * 8, &len, 8);
    }
    tn_array_unref(l);
    return fout_close(&o, rc, out);
}

static int split_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    tn_type *t = tn_type_list(TN_LIST, tn_field_new("l", tn_type_get(TN_STRING), true));
    TN_TRY_ALLOC(t, err, 64);
    call->type = tn_plan_keep_type(c, t);
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

/* Pieces of s split at sep (an empty separator splits characters),
 * appended to o as rows when o is not NULL; returns their count. */
static int64_t split_each(const uint8_t *s, int64_t n, const uint8_t *sep, int64_t m, sout *o, int *rc, tarn_error *err)
{
    int64_t count = 0, start = 0;
    if (m == 0) {
        for (int64_t i = 0; i < n;) {
            int w = utf8_len(s[i]);
            if (w < 1 || i + w > n)
                w = 1;
            if (o && !*rc && !(*rc = sout_append(o, s + i, w, err)))
                *rc = sout_end_row(o, err);
            count++;
            i += w;
        }
        return count;
    }
    for (int64_t i = 0; i + m <= n;) {
        if (memcmp(s + i, sep, (size_t)m) == 0) {
            if (o && !*rc && !(*rc = sout_append(o, s + start, i - start, err)))
                *rc = sout_end_row(o, err);
            count++;
            i += m;
            start = i;
        } else {
            i++;
        }
    }
    if (o && !*rc && !(*rc = sout_append(o, s + start, n - start, err)))
        *rc = sout_end_row(o, err);
    return count + 1;
}

static int split_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    (void)nargs;
    int64_t total = 0;
    int rc = TARN_OK;
    for (int64_t r = 0; r < n; r++) {
        if (!d_valid(&args[0], r) || !d_valid(&args[1], r))
            continue;
        int64_t sl, pl;
        const uint8_t *s = d_str(&args[0], r, &sl), *p = d_str(&args[1], r, &pl);
        total += split_each(s, sl, p, pl, NULL, &rc, err);
    }
    if (total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "string_split: %lld pieces", (long long)total);
    sout o;
    TN_TRY(sout_init(&o, tn_type_get(TN_STRING), total, err));
    tn_buffer *ob = tn_buffer_new((n + 1) * (int64_t)sizeof(int32_t));
    tn_buffer *vb = tn_buffer_new_zeroed(tn_bitmap_bytes(n) + 1);
    if (!ob || !vb) {
        tn_buffer_unref(ob);
        tn_buffer_unref(vb);
        sout_free(&o);
        return tn_error_oom(err, (size_t)n * 4);
    }
    int32_t *off = (int32_t *)ob->data;
    int64_t at = 0, nulls = 0;
    for (int64_t r = 0; r < n && !rc; r++) {
        off[r] = (int32_t)at;
        if (!d_valid(&args[0], r) || !d_valid(&args[1], r)) {
            nulls++;
            continue;
        }
        tn_bit_set(vb->data, r);
        int64_t sl, pl;
        const uint8_t *s = d_str(&args[0], r, &sl), *p = d_str(&args[1], r, &pl);
        at += split_each(s, sl, p, pl, &o, &rc, err);
    }
    off[n] = (int32_t)at;
    tn_array *child = NULL;
    if (!rc)
        rc = sout_finish(&o, &child, err);
    else
        sout_free(&o);
    tn_array *l = rc ? NULL : tn_array_new(call->type, n, 2, 1);
    if (!rc && !l)
        rc = tn_error_oom(err, 64);
    if (rc) {
        tn_buffer_unref(ob);
        tn_buffer_unref(vb);
        tn_array_unref(child);
        return rc;
    }
    l->buffers[0] = nulls ? vb : NULL;
    if (!nulls)
        tn_buffer_unref(vb);
    l->buffers[1] = ob;
    l->children[0] = child;
    l->null_count = nulls;
    *out = l;
    return TARN_OK;
}

/* array_to_string(l, sep): the elements as text joined by sep, NULL
 * elements skipped (DuckDB's). */
static int to_string_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    (void)nargs;
    tn_array *l, *txt = NULL;
    TN_TRY(tn_datum_to_array(args[0], n, &l, err));
    tn_array *items = l->children[0];
    int rc = TARN_OK;
    if (tn_type_is_string(items->type->id))
        txt = tn_array_ref(items);
    else
        rc = tn_cast(items, tn_type_get(TN_STRING), TN_CAST_STRICT, &txt, err);
    sout o;
    if (rc == TARN_OK)
        rc = sout_init(&o, call->type, n, err);
    if (rc) {
        tn_array_unref(txt);
        tn_array_unref(l);
        return rc;
    }
    for (int64_t r = 0; r < n && !rc; r++) {
        if (!tn_array_is_valid(l, r) || !d_valid(&args[1], r)) {
            rc = sout_null_row(&o, err);
            continue;
        }
        int64_t pl, s = list_start(l, r), e = list_start(l, r + 1);
        const uint8_t *p = d_str(&args[1], r, &pl);
        bool first = true;
        for (int64_t k = s; k < e && !rc; k++) {
            if (!tn_array_is_valid(txt, k))
                continue;
            int64_t len;
            const uint8_t *v = tn_array_bytes(txt, k, &len);
            if (!first)
                rc = sout_append(&o, p, pl, err);
            if (!rc)
                rc = sout_append(&o, v, len, err);
            first = false;
        }
        if (!rc)
            rc = sout_end_row(&o, err);
    }
    tn_array_unref(txt);
    tn_array_unref(l);
    return sout_close(&o, rc, out, err);
}

/* list_aggr(l, 'name'): the aggregate `name` over each list's items, run
 * with one state per row (the aggregate library's kernels, resolved at bind
 * time for the item type). A NULL list gives NULL. */
static int list_aggr_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_expr *name = call->args[1];
    if (name->kind != TN_EXPR_LITERAL || !name->value->is_valid || !name->value->bytes)
        return tn_error_set(err, TARN_EINVAL, "list_aggr: the aggregate name must be a constant string");
    char fn[64];
    size_t len = (size_t)name->value->n_bytes < sizeof fn - 1 ? (size_t)name->value->n_bytes : sizeof fn - 1;
    memcpy(fn, name->value->bytes, len);
    fn[len] = '\0';
    tn_expr *item = tn_expr_column(c, 0, tn_type_ref(call->args[0]->type->children[0].type));
    tn_agg_call *agg = tn_arena_calloc(&c->arena, sizeof *agg);
    TN_TRY_ALLOC(item && agg ? agg : NULL, err, sizeof *agg);
    tn_expr *args[1] = {item};
    int rc = tn_agg_func_resolve(c, fn, args, 1, false, agg, err);
    if (rc == TARN_ENOTFOUND)
        return tn_error_set(err, TARN_ENOTFOUND, "list_aggr: no aggregate function named %s", fn);
    TN_TRY(rc);
    if (agg->args[0]->kind != TN_EXPR_COLUMN)
        return tn_error_set(err, TARN_EUNSUPPORTED, "list_aggr: %s needs its items cast", fn);
    call->bind_data = agg;
    call->type = tn_plan_keep_type(c, tn_type_ref(agg->type));
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

static int list_aggr_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    (void)nargs;
    const tn_agg_call *agg = call->bind_data;
    tn_array *l;
    TN_TRY(tn_datum_to_array(args[0], n, &l, err));
    size_t size = (agg->state_size + 15) & ~(size_t)15;
    int64_t s0 = list_start(l, 0), s1 = list_start(l, n), m = s1 - s0;
    uint8_t *mem = tn_malloc(size * (size_t)(n ? n : 1) + 16);
    void **states = tn_malloc(sizeof(void *) * (size_t)(m > n ? m : n ? n : 1));
    tn_array *items = tn_array_slice(l->children[0], s0, m);
    int rc = mem && states && items ? TARN_OK : tn_error_oom(err, size * (size_t)n);
    uint8_t *base = mem ? (uint8_t *)(((uintptr_t)mem + 15) & ~(uintptr_t)15) : NULL;
    if (rc == TARN_OK) {
        memset(base, 0, size * (size_t)n);
        for (int64_t r = 0; r < n; r++)
            agg->func->init(agg, base + (size_t)r * size);
        for (int64_t r = 0; r < n; r++)
            for (int64_t k = list_start(l, r); k < list_start(l, r + 1); k++)
                states[k - s0] = base + (size_t)r * size;
        tn_array *const in[1] = {items};
        if (m > 0)
            rc = agg->func->update(agg, states, in, m, err);
    }
    tn_array *res = NULL;
    if (rc == TARN_OK) {
        for (int64_t r = 0; r < n; r++)
            states[r] = base + (size_t)r * size;
        rc = agg->func->finalize(agg, states, n, &res, err);
    }
    if (base && agg->func->destroy)
        for (int64_t r = 0; r < n; r++)
            agg->func->destroy(agg, base + (size_t)r * size);
    tn_free(mem);
    tn_free(states);
    tn_array_unref(items);
    if (rc == TARN_OK)
        rc = and_parent_validity(res, l, n, out, err);
    else
        tn_array_unref(res);
    tn_array_unref(l);
    return rc;
}

/* ---- the table -------------------------------------------------------------------------------- */

#define F(name, exec, nn) {name, exec, nn, false, NULL}
#define FV(name, exec) {name, exec, false, true, NULL}
#define L P_LIST
#define V P_VARCHAR

const tn_sfn tn_sfn_nested[] = {
    {F("struct_extract", extract_exec, false), 2, false, {P_ANY, V}, R_BIND, extract_bind},
    {FV("list_value", list_value_exec), 1, true, {P_SAME}, R_BIND, list_value_bind},
    {FV("list_pack", list_value_exec), 1, true, {P_SAME}, R_BIND, list_value_bind},
    {F("list_element", element_exec, false), 2, false, {L, P_BIGINT}, R_BIND, element_bind},
    {F("list_extract", element_exec, false), 2, false, {L, P_BIGINT}, R_BIND, element_bind},
    {F("array_extract", element_exec, false), 2, false, {L, P_BIGINT}, R_BIND, element_bind},
    {F("len", list_len_exec, true), 1, false, {L}, R_BIGINT, NULL},
    {F("length", list_len_exec, true), 1, false, {L}, R_BIGINT, NULL},
    {F("array_length", list_len_exec, true), 1, false, {L}, R_BIGINT, NULL},
    {F("list_length", list_len_exec, true), 1, false, {L}, R_BIGINT, NULL},
    {FV("string_split", split_exec), 2, false, {V, V}, R_BIND, split_bind},
    {FV("str_split", split_exec), 2, false, {V, V}, R_BIND, split_bind},
    {FV("string_to_array", split_exec), 2, false, {V, V}, R_BIND, split_bind},
    {F("array_to_string", to_string_exec, false), 2, false, {L, V}, R_VARCHAR, NULL},
    {F("list_to_string", to_string_exec, false), 2, false, {L, V}, R_VARCHAR, NULL},
    {F("list_aggr", list_aggr_exec, false), 2, false, {L, V}, R_BIND, list_aggr_bind},
    {F("list_aggregate", list_aggr_exec, false), 2, false, {L, V}, R_BIND, list_aggr_bind},
    {F("array_aggr", list_aggr_exec, false), 2, false, {L, V}, R_BIND, list_aggr_bind},
};
const int tn_sfn_nested_n = (int)(sizeof tn_sfn_nested / sizeof tn_sfn_nested[0]);
