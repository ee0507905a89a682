/*
 * schema.c — turns Parquet's flattened schema (a depth-first list of
 * SchemaElements with child counts) into the node tree of schema.h and the
 * Arrow schema a reader produces.
 *
 * Lists follow the LIST rules of LogicalTypes.md including the backward-
 * compatibility forms: a LIST-annotated group holds one repeated field; the
 * repeated field itself is the element when it is primitive, when it has
 * several fields, or when it is named "array" or "<list name>_tuple" (the
 * legacy two-level forms); otherwise its only child is the element. A
 * repeated field outside a LIST or MAP becomes a non-null list of itself.
 * Leaf types map physical + logical (or legacy converted) types to Arrow the
 * way Arrow C++ does.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/schema.h"

#define MAX_DEPTH 100

typedef struct raw {
    const pq_schema_elt *e;
    int32_t n;
    struct raw **kids;
} raw;

typedef struct ctx {
    const pq_file_meta *m;
    pq_schema *s;
    tarn_error *err;
    int32_t pos;
    int32_t n_leaves, cap_leaves;
} ctx;

static int oom(ctx *c) { return tn_error_oom(c->err, 64); }

/* Bytes of values past which a BYTE_ARRAY column chunk may not fit the
 * 32-bit offsets of utf8/binary; such columns read as large_utf8/large_binary. */
int64_t tn_pq_large_threshold = INT32_MAX;

/* Whether some row group's chunk of leaf holds more bytes (uncompressed,
 * as the footer says) than 32-bit offsets can address. */
static bool huge_chunk(const pq_file_meta *m, int32_t leaf)
{
    for (int32_t g = 0; g < m->n_row_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        if (leaf < rg->n_columns && rg->columns[leaf].has_meta &&
            rg->columns[leaf].meta.total_uncompressed_size > tn_pq_large_threshold)
            return true;
    }
    return false;
}

static int parse_raw(ctx *c, int depth, raw **out)
{
    if (depth > MAX_DEPTH)
        return TN_CORRUPT(c->err, "parquet schema: nested deeper than %d", MAX_DEPTH);
    if (c->pos >= c->m->n_schema)
        return TN_CORRUPT(c->err, "parquet schema: child counts exceed the %d elements", c->m->n_schema);
    raw *r = tn_arena_calloc(&c->s->arena, sizeof *r);
    if (!r)
        return oom(c);
    r->e = &c->m->schema[c->pos++];
    if (r->e->num_children < 0 || r->e->num_children > c->m->n_schema)
        return TN_CORRUPT(c->err, "parquet schema: element \"%s\" has %d children", r->e->name, r->e->num_children);
    if (r->e->num_children > 0 || depth == 0) {
        r->n = r->e->num_children;
        if (!(r->kids = tn_arena_calloc(&c->s->arena, (size_t)r->n * sizeof(raw *) + 1)))
            return oom(c);
        for (int32_t i = 0; i < r->n; i++)
            TN_TRY(parse_raw(c, depth + 1, &r->kids[i]));
    } else if (r->e->type < 0) {
        return TN_CORRUPT(c->err, "parquet schema: element \"%s\" has neither a type nor children", r->e->name);
    }
    *out = r;
    return 0;
}

/* --- leaf types ------------------------------------------------------------ */

static tn_time_unit unit_of(int u) { return u == PQ_UNIT_MILLIS ? TN_MILLI : u == PQ_UNIT_MICROS ? TN_MICRO : TN_NANO; }

static tn_type *decimal(int32_t precision, int32_t scale)
{
    return tn_type_decimal(precision <= 38 ? 128 : 256, precision, scale);
}

/* The Arrow type of a leaf and how its values convert; NULL type with *why
 * set when unsupported. */
static tn_type *leaf_type(const pq_schema_elt *e, int *conv, const char **why)
{
    const pq_logical *l = &e->logical;
    int ct = e->converted, lt = l->kind;
    *conv = PQC_COPY;
    *why = NULL;
    if (lt == PQ_LT_UNKNOWN) {
        *conv = PQC_NULL;
        return tn_type_get(TN_NA);
    }
    bool is_dec = lt == PQ_LT_DECIMAL || (lt == PQ_LT_NONE && ct == PQ_CT_DECIMAL);
    int32_t prec = lt == PQ_LT_DECIMAL ? l->precision : e->precision;
    int32_t scale = lt == PQ_LT_DECIMAL ? l->scale : e->scale;
    if (is_dec && (prec < 1 || prec > 76 || scale < 0 || scale > prec)) {
        *why = "decimal precision/scale out of range";
        return NULL;
    }
    switch (e->type) {
    case PQ_BOOLEAN:
        *conv = PQC_BOOL;
        return tn_type_get(TN_BOOL);
    case PQ_INT32:
        if (is_dec) {
            *conv = PQC_DEC_INT;
            return decimal(prec, scale);
        }
        if (lt == PQ_LT_DATE || ct == PQ_CT_DATE)
            return tn_type_get(TN_DATE32);
        if (lt == PQ_LT_TIME && l->unit == PQ_UNIT_MILLIS)
            return tn_type_time(TN_TIME32, TN_MILLI);
        if (lt == PQ_LT_NONE && ct == PQ_CT_TIME_MILLIS)
            return tn_type_time(TN_TIME32, TN_MILLI);
        if (lt == PQ_LT_INTEGER || (lt == PQ_LT_NONE && ct >= PQ_CT_UINT_8 && ct <= PQ_CT_INT_32)) {
            int bits = lt == PQ_LT_INTEGER ? l->bit_width : 0;
            bool sgn = lt == PQ_LT_INTEGER ? l->is_signed : ct >= PQ_CT_INT_8;
            if (!bits)
                bits = ct == PQ_CT_UINT_8 || ct == PQ_CT_INT_8 ? 8 : ct == PQ_CT_UINT_16 || ct == PQ_CT_INT_16 ? 16 : 32;
            if (bits == 8 || bits == 16)
                *conv = PQC_NARROW;
            if (bits == 8)
                return tn_type_get(sgn ? TN_INT8 : TN_UINT8);
            if (bits == 16)
                return tn_type_get(sgn ? TN_INT16 : TN_UINT16);
            if (bits == 32)
                return tn_type_get(sgn ? TN_INT32 : TN_UINT32);
            *why = "integer width does not fit INT32";
            return NULL;
        }
        return tn_type_get(TN_INT32);
    case PQ_INT64:
        if (is_dec) {
            *conv = PQC_DEC_INT;
            return decimal(prec, scale);
        }
        if (lt == PQ_LT_TIMESTAMP)
            return tn_type_timestamp(unit_of(l->unit), l->utc ? "UTC" : NULL);
        if (lt == PQ_LT_NONE && (ct == PQ_CT_TIMESTAMP_MILLIS || ct == PQ_CT_TIMESTAMP_MICROS))
            return tn_type_timestamp(ct == PQ_CT_TIMESTAMP_MILLIS ? TN_MILLI : TN_MICRO, "UTC");
        if (lt == PQ_LT_TIME)
            return l->unit == PQ_UNIT_MILLIS ? NULL : tn_type_time(TN_TIME64, unit_of(l->unit));
        if (lt == PQ_LT_NONE && ct == PQ_CT_TIME_MICROS)
            return tn_type_time(TN_TIME64, TN_MICRO);
        if (lt == PQ_LT_INTEGER)
            return l->bit_width == 64 ? tn_type_get(l->is_signed ? TN_INT64 : TN_UINT64) : NULL;
        if (lt == PQ_LT_NONE && ct == PQ_CT_UINT_64)
            return tn_type_get(TN_UINT64);
        return tn_type_get(TN_INT64);
    case PQ_INT96:
        return tn_type_timestamp(TN_MICRO, NULL); /* DuckDB's unit: ns overflows dates past 2262 */
    case PQ_FLOAT:
        return tn_type_get(TN_FLOAT32);
    case PQ_DOUBLE:
        return tn_type_get(TN_FLOAT64);
    case PQ_BYTE_ARRAY:
        if (is_dec) {
            *conv = PQC_DEC_BE;
            return decimal(prec, scale);
        }
        *conv = PQC_BINARY;
        if (lt == PQ_LT_STRING || lt == PQ_LT_ENUM || lt == PQ_LT_JSON ||
            (lt == PQ_LT_NONE && (ct == PQ_CT_UTF8 || ct == PQ_CT_ENUM || ct == PQ_CT_JSON)))
            return tn_type_get(TN_STRING);
        return tn_type_get(TN_BINARY);
    case PQ_FLBA:
        if (e->type_length <= 0) {
            *why = "FIXED_LEN_BYTE_ARRAY without a positive type_length";
            return NULL;
        }
        if (is_dec) {
            if (e->type_length > 32) {
                *why = "decimal wider than 32 bytes";
                return NULL;
            }
            *conv = PQC_DEC_BE;
            return decimal(prec, scale);
        }
        if (lt == PQ_LT_FLOAT16 && e->type_length == 2)
            return tn_type_get(TN_FLOAT16);
        return tn_type_fixed_binary(e->type_length);
    default:
        *why = "unknown physical type";
        return NULL;
    }
}

/* --- nodes -------------------------------------------------------------------- */

static pq_node *new_node(ctx *c, int kind, const char *name, int32_t n_children)
{
    pq_node *n = tn_arena_calloc(&c->s->arena, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->name = tn_arena_strndup(&c->s->arena, name, strlen(name));
    n->n_children = n_children;
    n->children = tn_arena_calloc(&c->s->arena, (size_t)n_children * sizeof(pq_node *) + 1);
    n->first_leaf = -1;
    return n->name && n->children ? n : NULL;
}

/* pd/pr: definition and repetition levels of the parent; sdef/srep: the
 * parent's slot rule, which a non-repeated child shares (a null struct
 * still has a slot in each of its children). */
static int convert(ctx *c, const raw *r, int pd, int pr, int sdef, int srep, bool as_element, pq_node **out);

static int add_leaf(ctx *c, pq_node *n)
{
    if (c->n_leaves == c->cap_leaves) {
        int32_t cap = c->cap_leaves ? c->cap_leaves * 2 : 16;
        pq_node **l = tn_arena_alloc(&c->s->arena, (size_t)cap * sizeof *l);
        if (!l)
            return oom(c);
        if (c->n_leaves)
            memcpy(l, c->s->leaves, (size_t)c->n_leaves * sizeof *l);
        c->s->leaves = l;
        c->cap_leaves = cap;
    }
    n->leaf = c->n_leaves;
    c->s->leaves[c->n_leaves++] = n;
    return 0;
}

/* The Arrow type of a node from its children's types (consumed: none, the
 * children keep their references). */
static int node_type(ctx *c, pq_node *n)
{
    switch (n->kind) {
    case PQN_STRUCT: {
        tn_field **f = tn_calloc((size_t)n->n_children + 1, sizeof *f);
        if (!f)
            return oom(c);
        for (int32_t i = 0; i < n->n_children; i++)
            f[i] = tn_field_new(n->children[i]->name, tn_type_ref(n->children[i]->type), n->children[i]->nullable);
        n->type = tn_type_struct(n->n_children, f);
        tn_free(f);
        break;
    }
    case PQN_LIST:
        n->type = tn_type_list(TN_LIST, tn_field_new(n->children[0]->name, tn_type_ref(n->children[0]->type),
                                                      n->children[0]->nullable));
        break;
    case PQN_MAP: {
        pq_node *kv = n->children[0];
        n->type = tn_type_map(tn_field_new(kv->children[0]->name, tn_type_ref(kv->children[0]->type), false),
                              tn_field_new(kv->children[1]->name, tn_type_ref(kv->children[1]->type),
                                           kv->children[1]->nullable),
                              false);
        break;
    }
    }
    return n->type ? 0 : oom(c);
}

static bool is_list(const pq_schema_elt *e)
{
    return e->logical.kind == PQ_LT_LIST || (e->logical.kind == PQ_LT_NONE && e->converted == PQ_CT_LIST);
}

static bool is_map(const pq_schema_elt *e)
{
    return e->logical.kind == PQ_LT_MAP ||
           (e->logical.kind == PQ_LT_NONE && (e->converted == PQ_CT_MAP || e->converted == PQ_CT_MAP_KEY_VALUE));
}

/* Children of a group as a struct node's children. */
static int struct_children(ctx *c, pq_node *n, const raw *r, int d, int rl)
{
    for (int32_t i = 0; i < r->n; i++) {
        TN_TRY(convert(c, r->kids[i], d, rl, n->slot_def, n->slot_rep, false, &n->children[i]));
        if (n->first_leaf < 0)
            n->first_leaf = n->children[i]->first_leaf;
    }
    if (r->n == 0)
        return TN_CORRUPT(c->err, "parquet schema: group \"%s\" has no fields", r->e->name);
    return 0;
}

static int list_body(ctx *c, pq_node *n, const raw *r, int d, int rl)
{
    const raw *rep = r->kids[0];
    size_t nl = strlen(r->e->name);
    bool two_level = rep->n == 0 || rep->n > 1 || strcmp(rep->e->name, "array") == 0 ||
                     (strncmp(rep->e->name, r->e->name, nl) == 0 && strcmp(rep->e->name + nl, "_tuple") == 0);
    if (two_level)
        TN_TRY(convert(c, rep, d, rl, d + 1, rl + 1, true, &n->children[0]));
    else
        TN_TRY(convert(c, rep->kids[0], d + 1, rl + 1, d + 1, rl + 1, false, &n->children[0]));
    n->first_leaf = n->children[0]->first_leaf;
    return 0;
}

static int convert(ctx *c, const raw *r, int pd, int pr, int sdef, int srep, bool as_element, pq_node **out)
{
    const pq_schema_elt *e = r->e;
    int rep = e->repetition < 0 ? PQ_REQUIRED : e->repetition;
    if (rep > PQ_REPEATED)
        return TN_CORRUPT(c->err, "parquet schema: field \"%s\" has repetition %d", e->name, rep);
    int d = pd + (rep != PQ_REQUIRED), rl = pr + (rep == PQ_REPEATED);
    if (d > INT16_MAX / 2 || rl > INT16_MAX / 2)
        return TN_CORRUPT(c->err, "parquet schema: nesting too deep at \"%s\"", e->name);
    pq_node *n;
    if (rep == PQ_REPEATED && !as_element) {
        /* A bare repeated field: a non-null list of its elements. */
        if (!(n = new_node(c, PQN_LIST, e->name, 1)))
            return oom(c);
        *out = n; /* linked at once, so a failure below still frees through the tree */
        n->slot_rep = (int16_t)srep;
        n->slot_def = n->valid_def = (int16_t)sdef;
        TN_TRY(convert(c, r, pd, pr, d, rl, true, &n->children[0]));
        n->first_leaf = n->children[0]->first_leaf;
        TN_TRY(node_type(c, n));
        *out = n;
        return 0;
    }
    bool group = e->type < 0 || r->n > 0;
    int kind = !group ? PQN_LEAF : is_list(e) && r->n == 1 && r->kids[0]->e->repetition == PQ_REPEATED ? PQN_LIST
             : is_map(e) && r->n == 1 && r->kids[0]->e->repetition == PQ_REPEATED && r->kids[0]->n == 2 ? PQN_MAP
             : PQN_STRUCT;
    if (!(n = new_node(c, kind, e->name, kind == PQN_STRUCT ? r->n : kind == PQN_LEAF ? 0 : 1)))
        return oom(c);
    *out = n;
    n->slot_rep = (int16_t)(as_element ? rl : srep);
    n->slot_def = (int16_t)(as_element ? d : sdef);
    n->valid_def = (int16_t)d;
    n->nullable = !as_element && rep == PQ_OPTIONAL;
    switch (kind) {
    case PQN_LEAF: {
        const char *why;
        if (!(n->type = leaf_type(e, &n->conv, &why))) {
            if (why)
                return tn_error_set(c->err, TARN_EUNSUPPORTED, "parquet schema: column \"%s\": %s", e->name, why);
            return oom(c);
        }
        n->elt = e;
        n->max_def = (int16_t)d;
        n->max_rep = (int16_t)rl;
        TN_TRY(add_leaf(c, n));
        n->first_leaf = n->leaf;
        if (n->conv == PQC_BINARY && huge_chunk(c->m, n->leaf)) { /* 64-bit offsets */
            tn_type *t = tn_type_get(n->type->id == TN_STRING ? TN_LARGE_STRING : TN_LARGE_BINARY);
            tn_type_unref(n->type);
            n->type = t;
            n->large = true;
        }
        *out = n;
        return 0;
    }
    case PQN_STRUCT:
        TN_TRY(struct_children(c, n, r, d, rl));
        break;
    case PQN_LIST:
        TN_TRY(list_body(c, n, r, d, rl));
        break;
    case PQN_MAP: {
        const raw *kv = r->kids[0];
        pq_node *entries = new_node(c, PQN_STRUCT, "entries", 2);
        if (!entries)
            return oom(c);
        n->children[0] = entries;
        entries->slot_rep = (int16_t)(rl + 1);
        entries->slot_def = entries->valid_def = (int16_t)(d + 1);
        TN_TRY(struct_children(c, entries, kv, d + 1, rl + 1));
        TN_TRY(node_type(c, entries));
        n->first_leaf = entries->first_leaf;
        break;
    }
    }
    TN_TRY(node_type(c, n));
    *out = n;
    return 0;
}

static void unref_types(pq_node *n)
{
    if (!n)
        return;
    for (int32_t i = 0; i < n->n_children; i++)
        unref_types(n->children[i]);
    tn_type_unref(n->type);
    n->type = NULL;
}

void tn_pq_schema_free(pq_schema *s)
{
    if (!s)
        return;
    unref_types(s->root);
    tn_schema_unref(s->arrow);
    tn_arena_free(&s->arena);
    tn_free(s);
}

int tn_pq_schema_build(const pq_file_meta *m, pq_schema **out, tarn_error *err)
{
    *out = NULL;
    if (m->n_schema < 1)
        return TN_CORRUPT(err, "parquet schema: empty");
    pq_schema *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    tn_arena_init(&s->arena, 0);
    ctx c = {.m = m, .s = s, .err = err};
    raw *root = NULL;
    int rc = parse_raw(&c, 0, &root);
    int32_t n_top = rc ? 0 : root->n;
    if (!rc && c.pos != m->n_schema)
        rc = TN_CORRUPT(err, "parquet schema: %d elements but the tree holds %d", m->n_schema, c.pos);
    if (!rc && !(s->root = new_node(&c, PQN_STRUCT, "", n_top)))
        rc = oom(&c);
    for (int32_t i = 0; !rc && i < n_top; i++)
        rc = convert(&c, root->kids[i], 0, 0, 0, 0, false, &s->root->children[i]);
    s->n_leaves = c.n_leaves;
    if (!rc && !(s->arrow = tn_schema_new(n_top)))
        rc = oom(&c);
    for (int32_t i = 0; !rc && i < n_top; i++) {
        pq_node *n = s->root->children[i];
        rc = tn_field_init(&s->arrow->fields[i], n->name, tn_type_ref(n->type), n->nullable, err);
    }
    if (rc) {
        tn_pq_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
