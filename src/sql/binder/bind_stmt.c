/*
 * bind_stmt.c — binding statements: queries, EXPLAIN, INSERT, CREATE
 * TABLE [AS], CREATE VIEW, DROP, COPY, SET / RESET, SHOW, DESCRIBE,
 * PREPARE / EXECUTE / DEALLOCATE and transaction statements; and SQL type
 * names to Arrow types.
 */
#include "sql/binder/binder_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "sql/functions/function.h"
#include "sql/parser/parser.h"

/* ---- types ------------------------------------------------------------------------ */

int tn_bind_sql_type(const tn_sql_type *t, tn_type **out, tarn_error *err)
{
    *out = NULL;
    if (t->kind == TN_SQL_TYPE_LIST || t->kind == TN_SQL_TYPE_ARRAY) {
        tn_type *elem;
        TN_TRY(tn_bind_sql_type(t->elem, &elem, err));
        tn_field *f = tn_field_new("item", elem, true);
        *out = t->kind == TN_SQL_TYPE_LIST ? tn_type_list(TN_LIST, f) : tn_type_fixed_list(f, (int32_t)t->size);
        return *out ? 0 : tn_error_oom(err, 0);
    }
    if (t->kind == TN_SQL_TYPE_STRUCT) {
        tn_field **fields = tn_calloc((size_t)(t->nfields ? t->nfields : 1), sizeof *fields);
        if (!fields)
            return tn_error_oom(err, 0);
        int rc = 0;
        for (int i = 0; i < t->nfields; i++) {
            tn_type *ft;
            rc = tn_bind_sql_type(t->ftypes[i], &ft, err);
            if (rc)
                break;
            if (!(fields[i] = tn_field_new(t->fields[i].text, ft, true))) {
                rc = tn_error_oom(err, 0);
                break;
            }
        }
        if (rc) {
            for (int i = 0; i < t->nfields; i++)
                if (fields[i])
                    tn_field_free(fields[i]);
            tn_free(fields);
            return rc;
        }
        *out = tn_type_struct(t->nfields, fields);
        tn_free(fields);
        return *out ? 0 : tn_error_oom(err, 0);
    }
    if (t->kind == TN_SQL_TYPE_MAP) {
        tn_type *k, *v;
        TN_TRY(tn_bind_sql_type(t->elem, &k, err));
        int rc = tn_bind_sql_type(t->value, &v, err);
        if (rc) {
            tn_type_unref(k);
            return rc;
        }
        *out = tn_type_map(tn_field_new("key", k, false), tn_field_new("value", v, true), false);
        return *out ? 0 : tn_error_oom(err, 0);
    }
    const char *n = t->name;
    static const struct {
        const char *name;
        tn_type_id id;
    } simple[] = {
        {"BOOLEAN", TN_BOOL}, {"BOOL", TN_BOOL}, {"LOGICAL", TN_BOOL},
        {"TINYINT", TN_INT8}, {"INT1", TN_INT8}, {"SMALLINT", TN_INT16}, {"INT2", TN_INT16}, {"SHORT", TN_INT16},
        {"INTEGER", TN_INT32}, {"INT", TN_INT32}, {"INT4", TN_INT32}, {"SIGNED", TN_INT32},
        {"BIGINT", TN_INT64}, {"INT8", TN_INT64}, {"LONG", TN_INT64},
        {"UTINYINT", TN_UINT8}, {"USMALLINT", TN_UINT16}, {"UINTEGER", TN_UINT32}, {"UBIGINT", TN_UINT64},
        {"REAL", TN_FLOAT32}, {"FLOAT4", TN_FLOAT32}, {"FLOAT", TN_FLOAT32},
        {"DOUBLE", TN_FLOAT64}, {"FLOAT8", TN_FLOAT64},
        {"VARCHAR", TN_STRING}, {"TEXT", TN_STRING}, {"STRING", TN_STRING}, {"CHAR", TN_STRING},
        {"BPCHAR", TN_STRING}, {"NVARCHAR", TN_STRING},
        {"BLOB", TN_BINARY}, {"BYTEA", TN_BINARY}, {"BINARY", TN_BINARY}, {"VARBINARY", TN_BINARY},
        {"DATE", TN_DATE32}, {"INTERVAL", TN_INTERVAL_MONTH_DAY_NANO},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (strcasecmp(n, simple[i].name) == 0) {
            *out = tn_type_get(simple[i].id);
            return 0;
        }
    if (!strcasecmp(n, "DECIMAL") || !strcasecmp(n, "NUMERIC") || !strcasecmp(n, "DEC")) {
        int64_t p = t->nparams >= 1 ? t->params[0] : 18, s = t->nparams >= 2 ? t->params[1] : (t->nparams ? 0 : 3);
        if (p < 1 || p > 76 || s < 0 || s > p)
            return tn_error_set(err, TARN_ETYPE, "invalid DECIMAL(%lld,%lld)", (long long)p, (long long)s);
        *out = tn_type_decimal(p > 38 ? 256 : 128, (int32_t)p, (int32_t)s);
        return *out ? 0 : tn_error_oom(err, 0);
    }
    if (!strcasecmp(n, "HUGEINT") || !strcasecmp(n, "INT128")) {
        *out = tn_type_decimal(128, 38, 0);
        return *out ? 0 : tn_error_oom(err, 0);
    }
    if (!strcasecmp(n, "TIMESTAMP") || !strcasecmp(n, "DATETIME") || !strcasecmp(n, "TIMESTAMP_US"))
        *out = tn_type_timestamp(TN_MICRO, NULL);
    else if (!strcasecmp(n, "TIMESTAMP_MS"))
        *out = tn_type_timestamp(TN_MILLI, NULL);
    else if (!strcasecmp(n, "TIMESTAMP_S"))
        *out = tn_type_timestamp(TN_SECOND, NULL);
    else if (!strcasecmp(n, "TIMESTAMP_NS"))
        *out = tn_type_timestamp(TN_NANO, NULL);
    else if (!strcasecmp(n, "TIMESTAMPTZ") || !strcasecmp(n, "TIMESTAMP WITH TIME ZONE"))
        *out = tn_type_timestamp(TN_MICRO, "UTC");
    else if (!strcasecmp(n, "TIME") || !strcasecmp(n, "TIME WITHOUT TIME ZONE"))
        *out = tn_type_time(TN_TIME64, TN_MICRO);
    else {
        static const char *const names[] = {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                                            "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE",
                                            "DECIMAL", "VARCHAR", "BLOB", "DATE", "TIME", "TIMESTAMP",
                                            "TIMESTAMPTZ", "INTERVAL"};
        const char *hint = tn_closest(n, names, sizeof names / sizeof names[0]);
        if (hint)
            return tn_error_set(err, TARN_ETYPE, "unknown type %s; did you mean \"%s\"?", n, hint);
        return tn_error_set(err, TARN_ETYPE, "unknown type %s", n);
    }
    return *out ? 0 : tn_error_oom(err, 0);
}

/* ---- statements --------------------------------------------------------------------- */

static const char *name_text(tn_binder *b, const tn_sql_name *n)
{
    return n->n ? tn_bind_strdup(b, n->parts[n->n - 1].text) : NULL;
}

static const char *stmt_text(tn_binder *b, uint32_t from, uint32_t to)
{
    if (to > b->len || from > to)
        return NULL;
    return tn_arena_strndup(&b->ctx->arena, b->sql + from, to - from);
}

static int bind_create_table(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    out->name = name_text(b, &s->name);
    if (!out->name)
        return tn_bind_oom(b);
    out->temp = s->temp;
    out->or_replace = s->or_replace;
    out->if_not_exists = s->if_not_exists;
    if (s->query) {
        tn_plan *q;
        bool corr = false;
        TN_TRY(tn_bind_query(b, s->query, NULL, &q, &corr));
        tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_CREATE_TABLE_AS, 1);
        if (!p)
            return tn_bind_oom(b);
        p->children[0] = q;
        p->name = out->name;
        p->temp = s->temp;
        p->or_replace = s->or_replace;
        p->if_not_exists = s->if_not_exists;
        tn_type *t = tn_type_get(TN_INT64);
        const char *nm = "Count";
        if (!(p->out = tn_bind_schema(b, 1, &nm, &t)))
            return tn_bind_oom(b);
        out->kind = TN_BOUND_PLAN;
        out->plan = p;
        return 0;
    }
    tn_schema *sch = tn_schema_new(s->ncolumns);
    if (!sch || !tn_plan_keep_schema(b->ctx, sch))
        return tn_bind_oom(b);
    for (int i = 0; i < s->ncolumns; i++) {
        const tn_sql_column_def *c = &s->columns[i];
        for (int j = 0; j < i; j++)
            if (strcasecmp(s->columns[j].name.text, c->name.text) == 0)
                return tn_bind_error(b, c->name.loc, TARN_EINVAL, "column \"%s\" is defined twice", c->name.text);
        tn_type *t;
        int rc = tn_bind_sql_type(c->type, &t, b->err);
        if (rc) {
            int line, col;
            tn_sql_location(b->sql, b->len, c->type->loc, &line, &col);
            if (rc != TARN_ENOMEM && b->err)
                tn_error_prefix(b->err, "line %d, column %d: ", line, col);
            return rc;
        }
        TN_TRY(tn_field_init(&sch->fields[i], c->name.text, t, !(c->not_null || c->primary_key), b->err));
        if (c->default_value) {
            /* kept as SQL text in the field's metadata; INSERT binds it */
            tn_scope empty = {0};
            tn_ectx ec = {.sc = &empty, .clause = "DEFAULT"};
            tn_expr *d;
            TN_TRY(tn_bind_expr(b, &ec, c->default_value, &d));
            if (d->type->id != TN_NA && !tn_type_equals(d->type, t) && !tn_cast_supported(d->type, t)) {
                char na[96], nb[96];
                tn_bind_type_name(b, d->type, na, sizeof na);
                tn_bind_type_name(b, t, nb, sizeof nb);
                return tn_bind_error(b, c->default_value->loc, TARN_ETYPE, "DEFAULT of type %s for column \"%s\" of type %s",
                                     na, c->name.text, nb);
            }
            const char *text = tn_bind_expr_text(b, c->default_value);
            if (!text)
                return tn_bind_oom(b);
            TN_TRY(tn_kv_add(&sch->fields[i].metadata, "default", text, b->err));
        }
    }
    out->kind = TN_BOUND_CREATE_TABLE;
    out->schema = sch;
    return 0;
}

/* A column's DEFAULT, stored as SQL text, bound as a constant expression. */
static int bind_default(tn_binder *b, const char *text, tn_expr **out)
{
    tn_buf q;
    tn_buf_init(&q, 0);
    int rc = tn_buf_printf(&q, b->err, "SELECT %s", text);
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_stmt *st = NULL;
    if (rc == 0)
        rc = tn_sql_parse_one((const char *)q.data, q.len, &a, &st, b->err);
    if (rc == 0 && (st->kind != TN_SQL_STMT_QUERY || st->query->body->kind != TN_SQL_Q_SELECT ||
                    st->query->body->select->nitems != 1))
        rc = tn_error_set(b->err, TARN_EINVAL, "bad DEFAULT expression %s", text);
    if (rc == 0) {
        tn_binder db = *b;
        db.sql = (const char *)q.data;
        db.len = q.len;
        tn_scope empty = {0};
        tn_ectx ec = {.sc = &empty, .clause = "DEFAULT"};
        rc = tn_bind_expr(&db, &ec, st->query->body->select->items[0].expr, out);
    }
    tn_arena_free(&a);
    tn_buf_reset(&q);
    return rc;
}

static int bind_insert(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    const tn_sql_ident *id = &s->name.parts[s->name.n - 1];
    const tn_catalog_entry *ent = tn_catalog_find(b->cat, id->text, id->quoted);
    if (!ent || ent->kind != TN_ENTRY_TABLE)
        return tn_bind_error_hint(b, id->loc, TARN_ENOTFOUND, tn_catalog_closest(b->cat, id->text),
                                  "table \"%s\" not found", id->text);
    tn_table *t = ent->table;
    const tn_schema *ts = t->schema;
    tn_plan *src;
    bool corr = false;
    TN_TRY(tn_bind_query(b, s->query, NULL, &src, &corr));
    int32_t nt = ts->n_fields;
    /* target position of each source column */
    int32_t *src_of = tn_arena_alloc(&b->ctx->arena, sizeof *src_of * (size_t)(nt ? nt : 1));
    if (!src_of)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nt; i++)
        src_of[i] = -1;
    int32_t nsrc = src->out->n_fields;
    if (s->column_names.n) {
        if (s->column_names.n != nsrc)
            return tn_bind_error(b, s->loc, TARN_EINVAL, "INSERT names %d columns but the query gives %d",
                                 s->column_names.n, nsrc);
        for (int i = 0; i < s->column_names.n; i++) {
            const tn_sql_ident *c = &s->column_names.items[i];
            int32_t k = -1;
            for (int32_t j = 0; j < nt && k < 0; j++)
                if (tn_ident_match(ts->fields[j].name, c->text, c->quoted))
                    k = j;
            if (k < 0)
                return tn_bind_error(b, c->loc, TARN_ENOTFOUND, "column \"%s\" not found in table \"%s\"", c->text,
                                     ent->name);
            src_of[k] = i;
        }
    } else {
        if (nsrc != nt)
            return tn_bind_error(b, s->loc, TARN_EINVAL, "table \"%s\" has %d columns but the query gives %d",
                                 ent->name, nt, nsrc);
        for (int32_t i = 0; i < nt; i++)
            src_of[i] = i;
    }
    tn_plan *proj = tn_plan_new(b->ctx, TN_PLAN_PROJECT, 1);
    if (!proj)
        return tn_bind_oom(b);
    proj->children[0] = src;
    proj->nexprs = nt;
    proj->exprs = tn_arena_calloc(&b->ctx->arena, sizeof *proj->exprs * (size_t)(nt ? nt : 1));
    if (!proj->exprs || !tn_plan_keep_schema(b->ctx, tn_schema_ref((tn_schema *)ts)))
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nt; i++) {
        tn_type *want = ts->fields[i].type;
        tn_expr *e;
        const char *def = tn_kv_get(&ts->fields[i].metadata, "default");
        if (src_of[i] < 0 && def) {
            TN_TRY(bind_default(b, def, &e));
            TN_TRY(tn_bind_cast(b, e, tn_type_ref(want), s->loc, &e));
        } else if (src_of[i] < 0) {
            tn_scalar *nul = tn_scalar_null(want);
            if (!nul || !(e = tn_expr_literal(b->ctx, nul)))
                return tn_bind_oom(b);
        } else {
            const tn_field *f = &src->out->fields[src_of[i]];
            if (!(e = tn_expr_column(b->ctx, src_of[i], tn_type_ref(f->type))))
                return tn_bind_oom(b);
            e->text = f->name;
            if (!tn_type_equals(f->type, want) && f->type->id != TN_NA && !tn_cast_supported(f->type, want)) {
                char na[96], nb[96];
                tn_bind_type_name(b, f->type, na, sizeof na);
                tn_bind_type_name(b, want, nb, sizeof nb);
                return tn_bind_error(b, s->loc, TARN_ETYPE, "cannot insert %s into column \"%s\" of type %s", na,
                                     ts->fields[i].name, nb);
            }
            TN_TRY(tn_bind_cast(b, e, tn_type_ref(want), s->loc, &e));
        }
        proj->exprs[i] = e;
    }
    proj->out = (tn_schema *)ts;
    tn_plan *ins = tn_plan_new(b->ctx, TN_PLAN_INSERT, 1);
    if (!ins || !tn_plan_keep_table(b->ctx, tn_table_ref(t)))
        return tn_bind_oom(b);
    ins->children[0] = proj;
    ins->table = t;
    ins->name = tn_bind_strdup(b, ent->name);
    tn_type *ct = tn_type_get(TN_INT64);
    const char *nm = "Count";
    if (!ins->name || !(ins->out = tn_bind_schema(b, 1, &nm, &ct)))
        return tn_bind_oom(b);
    out->kind = TN_BOUND_PLAN;
    out->plan = ins;
    return 0;
}

static const char *option_value_text(tn_binder *b, const tn_sql_expr *e)
{
    if (!e)
        return "true";
    switch (e->kind) {
    case TN_SQL_LIT_STRING: case TN_SQL_LIT_INT: case TN_SQL_LIT_NUMBER: return e->text;
    case TN_SQL_LIT_BOOL: return e->boolean ? "true" : "false";
    case TN_SQL_COLUMN: return e->name.parts[e->name.n - 1].text;
    default: return tn_bind_expr_text(b, e);
    }
}

static int bind_copy(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    if (s->copy_from)
        return tn_bind_error(b, s->loc, TARN_EUNSUPPORTED,
                             "COPY ... FROM is not supported yet; use INSERT INTO t SELECT * FROM 'file'");
    tn_plan *src;
    if (s->query) {
        bool corr = false;
        TN_TRY(tn_bind_query(b, s->query, NULL, &src, &corr));
    } else {
        tn_sql_tableref ref;
        memset(&ref, 0, sizeof ref);
        (void)ref;
        const tn_sql_ident *id = &s->name.parts[s->name.n - 1];
        const tn_catalog_entry *ent = tn_catalog_find(b->cat, id->text, id->quoted);
        if (!ent || ent->kind != TN_ENTRY_TABLE)
            return tn_bind_error_hint(b, id->loc, TARN_ENOTFOUND, tn_catalog_closest(b->cat, id->text),
                                      "table \"%s\" not found", id->text);
        src = tn_plan_new(b->ctx, TN_PLAN_SCAN, 0);
        if (!src || !tn_plan_keep_table(b->ctx, tn_table_ref(ent->table)) ||
            !tn_plan_keep_schema(b->ctx, tn_schema_ref(ent->table->schema)))
            return tn_bind_oom(b);
        src->table = ent->table;
        src->out = ent->table->schema;
        src->ncolumns = src->out->n_fields;
        src->columns = tn_arena_alloc(&b->ctx->arena, sizeof *src->columns * (size_t)(src->ncolumns + 1));
        if (!src->columns)
            return tn_bind_oom(b);
        for (int32_t i = 0; i < src->ncolumns; i++)
            src->columns[i] = i;
    }
    tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_COPY_TO, 1);
    if (!p)
        return tn_bind_oom(b);
    p->children[0] = src;
    p->path = tn_bind_strdup(b, s->path ? s->path : "");
    p->noptions = s->noptions;
    p->option_keys = tn_arena_calloc(&b->ctx->arena, sizeof *p->option_keys * (size_t)(s->noptions + 1));
    p->option_values = tn_arena_calloc(&b->ctx->arena, sizeof *p->option_values * (size_t)(s->noptions + 1));
    if (!p->path || !p->option_keys || !p->option_values)
        return tn_bind_oom(b);
    for (int i = 0; i < s->noptions; i++) {
        p->option_keys[i] = tn_bind_strdup(b, s->options[i].name.text);
        p->option_values[i] = option_value_text(b, s->options[i].value);
        if (!p->option_keys[i] || !p->option_values[i])
            return tn_bind_oom(b);
    }
    tn_type *ct = tn_type_get(TN_INT64);
    const char *nm = "Count";
    if (!(p->out = tn_bind_schema(b, 1, &nm, &ct)))
        return tn_bind_oom(b);
    out->kind = TN_BOUND_PLAN;
    out->plan = p;
    return 0;
}

static int bind_one(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out);
static int bind_rewrite_table(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out);

static int bind_describe(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    tn_plan *p;
    if (s->query) {
        bool corr = false;
        TN_TRY(tn_bind_query(b, s->query, NULL, &p, &corr));
    } else {
        tn_sql_tableref ref;
        memset(&ref, 0, sizeof ref);
        /* DESCRIBE t binds SELECT * FROM t */
        const tn_sql_ident *id = &s->name.parts[s->name.n - 1];
        const tn_catalog_entry *ent = tn_catalog_find(b->cat, id->text, id->quoted);
        if (!ent)
            return tn_bind_error_hint(b, id->loc, TARN_ENOTFOUND, tn_catalog_closest(b->cat, id->text),
                                      "table \"%s\" not found", id->text);
        if (ent->kind == TN_ENTRY_TABLE) {
            out->kind = TN_BOUND_DESCRIBE;
            out->schema = tn_plan_keep_schema(b->ctx, tn_schema_ref(ent->table->schema));
            return out->schema ? 0 : tn_bind_oom(b);
        }
        char *sql = tn_bind_strdup(b, ent->view_sql);
        if (!sql)
            return tn_bind_oom(b);
        TN_TRY(tn_bind_query_text(b->cat, b->opts, sql, b->ctx, &p, b->err));
    }
    out->kind = TN_BOUND_DESCRIBE;
    out->schema = p->out;
    return 0;
}

static int bind_view_stmt(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    /* bind once so that a broken view fails now, not at its first use */
    tn_plan *p;
    bool corr = false;
    TN_TRY(tn_bind_query(b, s->query, NULL, &p, &corr));
    if (s->column_names.n > p->out->n_fields)
        return tn_bind_error(b, s->loc, TARN_EINVAL, "view \"%s\" names %d columns but its query gives %d",
                             s->name.parts[s->name.n - 1].text, s->column_names.n, p->out->n_fields);
    out->kind = TN_BOUND_CREATE_VIEW;
    out->name = name_text(b, &s->name);
    out->view_sql = stmt_text(b, s->query->loc, s->end);
    out->temp = s->temp;
    out->or_replace = s->or_replace;
    out->if_not_exists = s->if_not_exists;
    out->nview_columns = s->column_names.n;
    out->view_columns = tn_arena_calloc(&b->ctx->arena, sizeof *out->view_columns * (size_t)(s->column_names.n + 1));
    if (!out->name || !out->view_sql || !out->view_columns)
        return tn_bind_oom(b);
    for (int i = 0; i < s->column_names.n; i++)
        if (!(out->view_columns[i] = tn_bind_strdup(b, s->column_names.items[i].text)))
            return tn_bind_oom(b);
    return 0;
}

/* A scan of every column of t. */
static tn_plan *scan_all(tn_binder *b, tn_table *t)
{
    const tn_schema *ts = t->schema;
    int32_t n = ts->n_fields;
    tn_plan *scan = tn_plan_new(b->ctx, TN_PLAN_SCAN, 0);
    if (!scan || !tn_plan_keep_table(b->ctx, tn_table_ref(t)) || !tn_plan_keep_schema(b->ctx, tn_schema_ref((tn_schema *)ts)))
        return NULL;
    scan->table = t;
    scan->out = (tn_schema *)ts;
    scan->est_rows = t->est_rows;
    scan->ncolumns = n;
    scan->columns = tn_arena_alloc(&b->ctx->arena, sizeof *scan->columns * (size_t)(n + 1));
    if (!scan->columns)
        return NULL;
    for (int32_t i = 0; i < n; i++)
        scan->columns[i] = i;
    return scan;
}

/* SELECT count(*) FROM t [WHERE where]: the rows a DELETE or UPDATE
 * affects (where is copied). */
static int affected_count(tn_binder *b, tn_table *t, const tn_expr *where, tn_plan **out)
{
    tn_plan *scan = scan_all(b, t);
    if (!scan)
        return tn_bind_oom(b);
    tn_plan *child = scan;
    if (where) {
        tn_plan *f = tn_plan_new(b->ctx, TN_PLAN_FILTER, 1);
        if (!f || !(f->predicate = tn_expr_copy(b->ctx, where)))
            return tn_bind_oom(b);
        f->children[0] = scan;
        f->out = scan->out;
        child = f;
    }
    tn_plan *agg = tn_plan_new(b->ctx, TN_PLAN_AGGREGATE, 1);
    tn_agg_call *call = agg ? tn_arena_calloc(&b->ctx->arena, sizeof *call) : NULL;
    if (!call)
        return tn_bind_oom(b);
    TN_TRY(tn_agg_func_resolve(b->ctx, "count", NULL, 0, true, call, b->err));
    call->text = "count_star()";
    agg->children[0] = child;
    agg->aggs = call;
    agg->naggs = 1;
    const char *nm = "Count";
    if (!(agg->out = tn_bind_schema(b, 1, &nm, &call->type)))
        return tn_bind_oom(b);
    *out = agg;
    return 0;
}

/* DELETE and UPDATE rewrite the table: CREATE OR REPLACE TABLE t AS the
 * rows that stay (DELETE: WHERE is not true) or the rows with the SET
 * columns replaced where WHERE holds (UPDATE). The count reported is the
 * rows the statement affected (count_plan, run before the rewrite). */
static int bind_rewrite_table(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    bool update = s->kind == TN_SQL_STMT_UPDATE;
    if (s->nfrom)
        return tn_bind_error(b, s->loc, TARN_EUNSUPPORTED, "%s with %s is not supported yet",
                             update ? "UPDATE" : "DELETE", update ? "FROM" : "USING");
    const tn_sql_ident *id = &s->name.parts[s->name.n - 1];
    const tn_catalog_entry *ent = tn_catalog_find(b->cat, id->text, id->quoted);
    if (!ent || ent->kind != TN_ENTRY_TABLE)
        return tn_bind_error_hint(b, id->loc, TARN_ENOTFOUND, tn_catalog_closest(b->cat, id->text),
                                  "table \"%s\" not found", id->text);
    tn_table *t = ent->table;
    const tn_schema *ts = t->schema;
    int32_t n = ts->n_fields;
    tn_plan *scan = scan_all(b, t);
    if (!scan)
        return tn_bind_oom(b);
    tn_scope sc = {0};
    const char *qual = s->alias ? s->alias->text : id->text;
    for (int32_t i = 0; i < n; i++)
        TN_TRY(tn_scope_add(b, &sc, qual, ts->fields[i].name, ts->fields[i].type, i));
    tn_ectx ec = {.sc = &sc, .clause = "WHERE"};
    tn_expr *where = NULL;
    if (s->where)
        TN_TRY(tn_bind_condition(b, &ec, s->where, &where));
    TN_TRY(affected_count(b, t, where, &out->count_plan));
    tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_PROJECT, 1);
    tn_expr **exprs = tn_arena_calloc(&b->ctx->arena, sizeof *exprs * (size_t)(n + 1));
    if (!p || !exprs)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < n; i++) {
        if (!(exprs[i] = tn_expr_column(b->ctx, i, tn_type_ref(ts->fields[i].type))))
            return tn_bind_oom(b);
        exprs[i]->text = ts->fields[i].name;
    }
    tn_plan *child = scan;
    if (!update) {
        if (where) {
            /* keep the rows where WHERE is false or NULL */
            tn_expr *tr = tn_expr_bool(b->ctx, true);
            tn_expr *keep = tr ? tn_expr_new(b->ctx, TN_EXPR_IS_DISTINCT, tn_type_get(TN_BOOL), 2) : NULL;
            tn_plan *f = keep ? tn_plan_new(b->ctx, TN_PLAN_FILTER, 1) : NULL;
            if (!f)
                return tn_bind_oom(b);
            keep->args[0] = where;
            keep->args[1] = tr;
            f->children[0] = scan;
            f->predicate = keep;
            f->out = scan->out;
            child = f;
        } else {
            tn_plan *f = tn_plan_new(b->ctx, TN_PLAN_FILTER, 1);
            if (!f || !(f->predicate = tn_expr_bool(b->ctx, false)))
                return tn_bind_oom(b);
            f->children[0] = scan;
            f->out = scan->out;
            child = f;
        }
    }
    for (int i = 0; update && i < s->nsets; i++) {
        const tn_sql_assign *a = &s->sets[i];
        int32_t k = -1;
        for (int32_t j = 0; j < n && k < 0; j++)
            if (tn_ident_match(ts->fields[j].name, a->column.text, a->column.quoted))
                k = j;
        if (k < 0)
            return tn_bind_error(b, a->column.loc, TARN_ENOTFOUND, "column \"%s\" not found in table \"%s\"",
                                 a->column.text, ent->name);
        tn_expr *v;
        ec.clause = "SET";
        TN_TRY(tn_bind_expr(b, &ec, a->value, &v));
        TN_TRY(tn_bind_cast(b, v, tn_type_ref(ts->fields[k].type), a->value->loc, &v));
        if (where) {
            tn_expr *c = tn_expr_new(b->ctx, TN_EXPR_CASE, tn_type_ref(ts->fields[k].type), 3);
            tn_expr *w = tn_expr_copy(b->ctx, where);
            if (!c || !w)
                return tn_bind_oom(b);
            c->args[0] = w;
            c->args[1] = v;
            c->args[2] = exprs[k];
            c->has_else = true;
            v = c;
        }
        exprs[k] = v;
    }
    p->children[0] = child;
    p->exprs = exprs;
    p->nexprs = n;
    p->out = (tn_schema *)ts;
    tn_plan *ctas = tn_plan_new(b->ctx, TN_PLAN_CREATE_TABLE_AS, 1);
    if (!ctas)
        return tn_bind_oom(b);
    ctas->children[0] = p;
    ctas->name = tn_bind_strdup(b, ent->name);
    ctas->or_replace = true;
    ctas->temp = ent->temp;
    tn_type *ct = tn_type_get(TN_INT64);
    const char *nm = "Count";
    if (!ctas->name || !(ctas->out = tn_bind_schema(b, 1, &nm, &ct)))
        return tn_bind_oom(b);
    out->kind = TN_BOUND_PLAN;
    out->plan = ctas;
    return 0;
}

static int bind_one(tn_binder *b, const tn_sql_stmt *s, tn_bound_stmt *out)
{
    bool corr = false;
    switch (s->kind) {
    case TN_SQL_STMT_QUERY:
        out->kind = TN_BOUND_PLAN;
        return tn_bind_query(b, s->query, NULL, &out->plan, &corr);
    case TN_SQL_STMT_EXPLAIN: {
        tn_bound_stmt inner;
        memset(&inner, 0, sizeof inner);
        TN_TRY(bind_one(b, s->inner, &inner));
        if (inner.kind != TN_BOUND_PLAN)
            return tn_bind_error(b, s->loc, TARN_EINVAL, "EXPLAIN needs a query or a data-changing statement");
        tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_EXPLAIN, 1);
        if (!p)
            return tn_bind_oom(b);
        p->children[0] = inner.plan;
        p->analyze = s->analyze;
        tn_type *t = tn_type_get(TN_STRING);
        const char *nm = "explain";
        if (!(p->out = tn_bind_schema(b, 1, &nm, &t)))
            return tn_bind_oom(b);
        out->kind = TN_BOUND_PLAN;
        out->plan = p;
        return 0;
    }
    case TN_SQL_STMT_CREATE_TABLE: return bind_create_table(b, s, out);
    case TN_SQL_STMT_CREATE_VIEW: return bind_view_stmt(b, s, out);
    case TN_SQL_STMT_INSERT: return bind_insert(b, s, out);
    case TN_SQL_STMT_COPY: return bind_copy(b, s, out);
    case TN_SQL_STMT_DROP: {
        out->kind = TN_BOUND_DROP;
        out->is_view = s->is_view;
        out->if_exists = s->if_exists;
        int32_t n = s->nnames ? s->nnames : 1;
        out->names = tn_arena_calloc(&b->ctx->arena, sizeof *out->names * (size_t)n);
        if (!out->names)
            return tn_bind_oom(b);
        for (int32_t i = 0; i < n; i++)
            if (!(out->names[i] = name_text(b, s->nnames ? &s->names[i] : &s->name)))
                return tn_bind_oom(b);
        out->nnames = n;
        return 0;
    }
    case TN_SQL_STMT_SET:
        out->kind = TN_BOUND_SET;
        out->name = name_text(b, &s->name);
        out->value = option_value_text(b, s->value);
        return out->name && out->value ? 0 : tn_bind_oom(b);
    case TN_SQL_STMT_RESET:
        out->kind = TN_BOUND_RESET;
        out->all = s->all;
        out->name = s->name.n ? name_text(b, &s->name) : NULL;
        return 0;
    case TN_SQL_STMT_SHOW:
        if (s->name.n && strcasecmp(s->name.parts[s->name.n - 1].text, "tables") != 0) {
            /* SHOW t is DESCRIBE t */
            return bind_describe(b, s, out);
        }
        out->kind = TN_BOUND_SHOW_TABLES;
        return 0;
    case TN_SQL_STMT_DESCRIBE: return bind_describe(b, s, out);
    case TN_SQL_STMT_PREPARE:
        out->kind = TN_BOUND_PREPARE;
        out->name = name_text(b, &s->name);
        out->stmt_sql = s->inner ? stmt_text(b, s->inner->loc, s->inner->end) : NULL;
        return out->name && out->stmt_sql ? 0 : tn_bind_oom(b);
    case TN_SQL_STMT_EXECUTE: {
        out->kind = TN_BOUND_EXECUTE;
        out->name = name_text(b, &s->name);
        out->nparams = s->args.n;
        out->params = tn_arena_calloc(&b->ctx->arena, sizeof *out->params * (size_t)(s->args.n + 1));
        if (!out->name || !out->params)
            return tn_bind_oom(b);
        tn_scope empty = {0};
        tn_ectx ec = {.sc = &empty, .clause = "EXECUTE"};
        for (int i = 0; i < s->args.n; i++)
            TN_TRY(tn_bind_expr(b, &ec, s->args.items[i], &out->params[i]));
        return 0;
    }
    case TN_SQL_STMT_DEALLOCATE:
        out->kind = TN_BOUND_DEALLOCATE;
        out->name = name_text(b, &s->name);
        return out->name ? 0 : tn_bind_oom(b);
    case TN_SQL_STMT_BEGIN: case TN_SQL_STMT_COMMIT: case TN_SQL_STMT_ROLLBACK:
        out->kind = TN_BOUND_TRANSACTION;
        return 0;
    case TN_SQL_STMT_DELETE: case TN_SQL_STMT_UPDATE:
        return bind_rewrite_table(b, s, out);
    }
    return tn_bind_error(b, s->loc, TARN_EINTERNAL, "unknown statement kind %d", (int)s->kind);
}

int tn_bind_statement(tn_catalog *cat, const tn_bind_options *o, const char *sql, size_t len,
                      const tn_sql_stmt *stmt, tn_plan_ctx *ctx, tn_bound_stmt *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    tn_binder b = {.ctx = ctx, .cat = cat, .opts = o, .sql = sql, .len = len, .err = err};
    int rc = bind_one(&b, stmt, out);
    if (rc) {
        memset(out, 0, sizeof *out);
        /* messages quote the user's text, which may break lines: keep one */
        for (char *p = err ? err->message : NULL; p && *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
    }
    return rc;
}

int tn_bind_query_text(tn_catalog *cat, const tn_bind_options *o, const char *sql, tn_plan_ctx *ctx, tn_plan **out,
                       tarn_error *err)
{
    *out = NULL;
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_stmt *st;
    int rc = tn_sql_parse_one(sql, strlen(sql), &a, &st, err);
    if (rc == 0) {
        tn_bound_stmt bs;
        rc = tn_bind_statement(cat, o, sql, strlen(sql), st, ctx, &bs, err);
        if (rc == 0 && bs.kind != TN_BOUND_PLAN)
            rc = tn_error_set(err, TARN_EINVAL, "not a query: %.60s", sql);
        if (rc == 0)
            *out = bs.plan;
    }
    tn_arena_free(&a);
    return rc;
}
