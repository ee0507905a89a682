/*
 * aggregate_collect.c — aggregates that collect their values: string_agg
 * (listagg, group_concat) joins text with a separator, array_agg (list)
 * gathers values, NULLs included, into a list. The order of the values is
 * the order the states see rows in; ORDER BY inside the call is applied by
 * the aggregate operator, which then feeds the rows sorted.
 *
 * Results follow DuckDB: string_agg(x, sep) skips NULL x and gives NULL
 * for no values; the separator must be a constant (default ","); non-text
 * arguments are cast to text. array_agg of no rows is NULL.
 */
#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "sql/functions/aggregate_codec.h"
#include "sql/functions/aggregate_internal.h"

/* ---- string_agg ------------------------------------------------------------------------ */

typedef struct string_agg_state {
    tn_agg_bytes text;
    bool has;
} string_agg_state;

typedef struct string_agg_bind {
    const char *sep;
    int64_t sep_len;
} string_agg_bind;

static void sa_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(string_agg_state));
}

static void sa_destroy(const tn_agg_call *call, void *state)
{
    (void)call;
    tn_agg_bytes_free(&((string_agg_state *)state)->text);
}

static int sa_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                     tarn_error *err)
{
    const string_agg_bind *b = call->bind_data;
    const tn_array *a = args[0];
    if (a->type->id == TN_NA)
        return 0;
    const uint8_t *valid = tn_agg_validity(a);
    for (int64_t r = 0; r < n; r++) {
        if (valid && !tn_bit_get(valid, a->offset + r))
            continue;
        string_agg_state *s = states[r];
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, r, &len);
        if (s->has)
            TN_TRY(tn_agg_bytes_append(&s->text, b->sep, b->sep_len, err));
        TN_TRY(tn_agg_bytes_append(&s->text, p, len, err));
        s->has = true;
    }
    return 0;
}

static int sa_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    const string_agg_bind *b = call->bind_data;
    string_agg_state *a = into;
    const string_agg_state *f = from;
    if (!f->has)
        return 0;
    if (a->has)
        TN_TRY(tn_agg_bytes_append(&a->text, b->sep, b->sep_len, err));
    TN_TRY(tn_agg_bytes_append(&a->text, f->text.p, f->text.len, err));
    a->has = true;
    return 0;
}

static int sa_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    tn_builder *b = tn_builder_new(call->type);
    TN_TRY_ALLOC(b, err, sizeof(void *));
    int rc = 0;
    for (int64_t r = 0; r < n && rc == 0; r++) {
        const string_agg_state *s = states[r];
        rc = s->has ? tn_builder_append_bytes(b, s->text.p, s->text.len, err) : tn_builder_append_null(b, err);
    }
    if (rc == 0)
        rc = tn_builder_finish(b, out, err);
    tn_builder_free(b);
    return rc;
}

static const tn_agg_func string_agg_func = {"string_agg", sa_init, sa_update, sa_merge, sa_finalize, sa_destroy,
                                            NULL};

static int bind_string_agg(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    string_agg_bind *b = tn_arena_calloc(&c->arena, sizeof *b);
    TN_TRY_ALLOC(b, err, sizeof *b);
    b->sep = ",";
    b->sep_len = 1;
    if (out->nargs == 2) {
        const tn_expr *e = out->args[1];
        while (e->kind == TN_EXPR_CAST && e->nargs == 1)
            e = e->args[0];
        if (e->kind != TN_EXPR_LITERAL || !e->value)
            return tn_error_set(err, TARN_ETYPE, "%s: the separator must be a constant", def->name);
        if (!e->value->is_valid) {
            b->sep = "";
            b->sep_len = 0;
        } else if (tn_type_is_string(e->value->type->id)) {
            b->sep = (const char *)e->value->bytes;
            b->sep_len = e->value->n_bytes;
        } else {
            return tn_error_set(err, TARN_ETYPE, "%s: the separator must be text", def->name);
        }
        out->nargs = 1; /* the separator lives in bind_data */
    }
    const tn_type *t = out->args[0]->type;
    if (!tn_type_is_string(t->id)) {
        tn_type *utf8 = tn_type_get(TN_STRING);
        if (t->id != TN_NA && !tn_cast_supported(t, utf8))
            return tn_error_set(err, TARN_ETYPE, "no function %s(%s): candidates are %s(varchar, varchar)",
                                def->name, tn_type_id_name(t->id), def->name);
        TN_TRY(tn_agg_cast_arg(c, &out->args[0], utf8, err));
    }
    out->func = &string_agg_func;
    out->bind_data = b;
    out->state_size = TN_AGG_STATE_SIZE(string_agg_state);
    return tn_agg_set_type(c, out, tn_type_get(TN_STRING), err);
}

/* ---- array_agg ----------------------------------------------------------------------------- */

typedef struct list_state {
    tn_agg_bytes values; /* encoded values (aggregate_codec.h), in order */
    int64_t count;
    int64_t pending;     /* bytes about to be appended by the current update */
} list_state;

static void list_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(list_state));
}

static void list_destroy(const tn_agg_call *call, void *state)
{
    (void)call;
    tn_agg_bytes_free(&((list_state *)state)->values);
}

static int list_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                       tarn_error *err)
{
    (void)call;
    if (n == 0)
        return 0;
    int64_t *sizes = tn_calloc((size_t)n, sizeof *sizes);
    uint8_t **dst = tn_malloc((size_t)n * sizeof *dst);
    int rc = 0;
    if (!sizes || !dst) {
        rc = tn_error_oom(err, (size_t)n * 8);
        goto done;
    }
    tn_codec_sizes(args[0], n, sizes);
    /* Grow each state once for all its rows, then place the rows, so that
     * no pointer into a state moves while the batch is encoded. */
    for (int64_t r = 0; r < n; r++)
        ((list_state *)states[r])->pending += sizes[r];
    for (int64_t r = 0; r < n && rc == 0; r++) {
        list_state *s = states[r];
        if (s->pending)
            rc = tn_agg_bytes_reserve(&s->values, s->values.len + s->pending, err);
        s->pending = 0;
    }
    if (rc) {
        for (int64_t r = 0; r < n; r++)
            ((list_state *)states[r])->pending = 0;
        goto done;
    }
    for (int64_t r = 0; r < n; r++) {
        list_state *s = states[r];
        dst[r] = s->values.p + s->values.len;
        s->values.len += sizes[r];
        s->count++;
    }
    tn_codec_encode(args[0], n, dst);
done:
    tn_free(sizes);
    tn_free(dst);
    return rc;
}

static int list_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    list_state *a = into;
    const list_state *b = from;
    TN_TRY(tn_agg_bytes_append(&a->values, b->values.p, b->values.len, err));
    a->count += b->count;
    return 0;
}

static int list_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out,
                         tarn_error *err)
{
    *out = NULL;
    tn_type *item = call->type->children[0].type;
    int64_t total = 0;
    for (int64_t r = 0; r < n; r++)
        total += ((const list_state *)states[r])->count;
    if (total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "%s: %lld values do not fit one list array", call->text,
                            (long long)total);
    const uint8_t **src = tn_malloc(((size_t)total + 1) * sizeof *src);
    tn_buffer *offs = tn_buffer_new((n + 1) * 4);
    tn_buffer *valid = tn_buffer_new_zeroed(tn_bitmap_bytes(n));
    tn_array *a = tn_array_new(call->type, n, 2, 1);
    tn_array *child = NULL;
    int rc = 0;
    if (!src || !offs || !valid || !a) {
        rc = tn_error_oom(err, (size_t)total * 8);
        goto fail;
    }
    int64_t k = 0, nulls = 0;
    for (int64_t r = 0; r < n; r++) {
        const list_state *s = states[r];
        ((int32_t *)offs->data)[r] = (int32_t)k;
        if (s->count)
            tn_bit_set(valid->data, r);
        else
            nulls++;
        const uint8_t *p = s->values.p;
        for (int64_t i = 0; i < s->count; i++) {
            src[k++] = p;
            p += tn_codec_size_at(item, p);
        }
    }
    ((int32_t *)offs->data)[n] = (int32_t)k;
    rc = tn_codec_decode(item, src, total, &child, err);
    if (rc)
        goto fail;
    a->buffers[0] = valid;
    a->buffers[1] = offs;
    a->children[0] = child;
    a->null_count = nulls;
    tn_free(src);
    *out = a;
    return 0;
fail:
    tn_free(src);
    tn_buffer_unref(offs);
    tn_buffer_unref(valid);
    tn_array_unref(a);
    return rc;
}

static const tn_agg_func list_func = {"array_agg", list_init, list_update, list_merge, list_finalize,
                                      list_destroy, NULL};

static int bind_array_agg(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    tn_type *t = out->args[0]->type;
    if (!tn_codec_supports(t))
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s of %s values is not supported", def->name,
                            tn_type_id_name(t->id));
    out->func = &list_func;
    out->state_size = TN_AGG_STATE_SIZE(list_state);
    return tn_agg_set_type(c, out, tn_type_list(TN_LIST, tn_field_new("item", tn_type_ref(t), true)), err);
}

const tn_agg_def tn_agg_defs_collect[] = {
    {"string_agg", 1, 2, bind_string_agg, NULL},
    {"listagg", 1, 2, bind_string_agg, NULL},
    {"group_concat", 1, 2, bind_string_agg, NULL},
    {"array_agg", 1, 1, bind_array_agg, NULL},
    {"list", 1, 1, bind_array_agg, NULL},
    {NULL, 0, 0, NULL, NULL},
};
