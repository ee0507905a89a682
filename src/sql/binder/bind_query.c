/*
 * bind_query.c — binding queries: FROM items (tables, views, CTEs, files,
 * table functions, subqueries, joins), SELECT with WHERE / GROUP BY /
 * HAVING / windows / QUALIFY / DISTINCT / ORDER BY, VALUES, set operations
 * and LIMIT / OFFSET.
 *
 * A SELECT becomes, bottom up:
 *   FROM tree -> FILTER (WHERE) -> AGGREGATE (groups ++ aggregates)
 *   -> FILTER (HAVING) -> WINDOW -> FILTER (QUALIFY)
 *   -> PROJECT (select list ++ hidden ORDER BY keys) -> DISTINCT -> SORT
 *   -> PROJECT (drops the hidden keys) -> LIMIT
 * Expressions above the AGGREGATE are first bound over the FROM columns
 * with aggregates as placeholders, then rewritten: a subtree equal to a
 * group expression becomes that group's column, a placeholder the
 * aggregate's column, and any other column reference is an error.
 */
#include "sql/binder/binder_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "formats/registry.h"
#include "sql/functions/function.h"
#include "sql/parser/parser.h"

/* ---- helpers ------------------------------------------------------------------ */

static void *arena_array(tn_binder *b, size_t n, size_t size)
{
    return tn_arena_calloc(&b->ctx->arena, (n ? n : 1) * size);
}

static int scope_from_schema(tn_binder *b, tn_scope *sc, const tn_schema *s, const char *table, bool quoted,
                             int32_t base)
{
    for (int32_t i = 0; i < s->n_fields; i++) {
        TN_TRY(tn_scope_add(b, sc, table, s->fields[i].name, s->fields[i].type, base + i));
        sc->cols[sc->n - 1].table_quoted = quoted;
    }
    return 0;
}

/* Rename the plan's output columns (t(a, b) aliases, view column lists). */
static int rename_columns(tn_binder *b, tn_plan *p, const tn_sql_idents *cols, uint32_t loc)
{
    if (cols->n == 0)
        return 0;
    if (cols->n > p->out->n_fields)
        return tn_bind_error(b, loc, TARN_EINVAL, "%d column names given for %d columns", cols->n, p->out->n_fields);
    int32_t n = p->out->n_fields;
    const char **names = arena_array(b, (size_t)n, sizeof *names);
    tn_type **types = arena_array(b, (size_t)n, sizeof *types);
    if (!names || !types)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < n; i++) {
        names[i] = i < cols->n ? cols->items[i].text : p->out->fields[i].name;
        types[i] = p->out->fields[i].type;
    }
    tn_schema *s = tn_bind_schema(b, n, names, types);
    if (!s)
        return tn_bind_oom(b);
    if (p->kind == TN_PLAN_SCAN || p->kind == TN_PLAN_PROJECT || p->kind == TN_PLAN_VALUES) {
        p->out = s;
        return 0;
    }
    /* other nodes keep their schema: put a renaming PROJECT on top */
    return 0;
}

static tn_plan *wrap_rename(tn_binder *b, tn_plan *p, const tn_sql_idents *cols)
{
    if (cols->n == 0 || p->kind == TN_PLAN_SCAN || p->kind == TN_PLAN_PROJECT || p->kind == TN_PLAN_VALUES)
        return p;
    int32_t n = p->out->n_fields;
    int32_t *idx = arena_array(b, (size_t)n, sizeof *idx);
    if (!idx)
        return NULL;
    for (int32_t i = 0; i < n; i++)
        idx[i] = i;
    return tn_plan_project_columns(b->ctx, p, idx, n);
}

static int alias_plan(tn_binder *b, tn_plan **p, const tn_sql_alias *alias, uint32_t loc)
{
    if (!alias || alias->columns.n == 0)
        return 0;
    tn_plan *w = wrap_rename(b, *p, &alias->columns);
    if (!w)
        return tn_bind_oom(b);
    *p = w;
    return rename_columns(b, w, &alias->columns, loc);
}

static int int_constant(tn_binder *b, const tn_sql_expr *e, const char *what, int64_t *out)
{
    if (e->kind == TN_SQL_LIT_INT) {
        if (strlen(e->text) > 18)
            return tn_bind_error(b, e->loc, TARN_EINVAL, "%s %s is too large", what, e->text);
        *out = strtoll(e->text, NULL, 10);
        return 0;
    }
    if (e->kind == TN_SQL_LIT_NULL) {
        *out = -1;
        return 0;
    }
    return tn_bind_error(b, e->loc, TARN_EUNSUPPORTED, "%s must be a constant integer", what);
}

/* ---- FROM -------------------------------------------------------------------------- */

static int bind_tableref(tn_binder *b, const tn_sql_tableref *r, tn_scope *outer, tn_plan **out, tn_scope *sc);

static int scan_node(tn_binder *b, tn_table *t, uint32_t loc, tn_plan **out)
{
    tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_SCAN, 0);
    if (!p || !tn_plan_keep_table(b->ctx, tn_table_ref(t)))
        return tn_bind_oom(b);
    p->loc = loc;
    p->table = t;
    p->est_rows = t->est_rows;
    p->ncolumns = t->schema->n_fields;
    p->columns = arena_array(b, (size_t)p->ncolumns, sizeof *p->columns);
    if (!p->columns || !tn_plan_keep_schema(b->ctx, tn_schema_ref(t->schema)))
        return tn_bind_oom(b);
    for (int32_t i = 0; i < p->ncolumns; i++)
        p->columns[i] = i;
    p->out = t->schema;
    *out = p;
    return 0;
}

static const tn_bcte *find_cte(tn_binder *b, const tn_sql_name *n)
{
    if (n->n != 1)
        return NULL;
    for (const tn_bcte *c = b->ctes; c; c = c->next)
        if (tn_ident_match(c->cte->name.text, n->parts[0].text, n->parts[0].quoted))
            return c;
    return NULL;
}

static int bind_view(tn_binder *b, const tn_catalog_entry *ent, uint32_t loc, tn_plan **out)
{
    if (b->view_depth >= 16)
        return tn_bind_error(b, loc, TARN_EINVAL, "view \"%s\" nests too deeply (a view referring to itself?)", ent->name);
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_stmt *st = NULL;
    int rc = tn_sql_parse_one(ent->view_sql, strlen(ent->view_sql), &a, &st, b->err);
    if (rc == 0 && (st->kind != TN_SQL_STMT_QUERY || !st->query))
        rc = tn_bind_error(b, loc, TARN_EINVAL, "view \"%s\" is not a query", ent->name);
    if (rc == 0) {
        tn_binder vb = *b;
        vb.sql = ent->view_sql;
        vb.len = strlen(ent->view_sql);
        vb.ctes = NULL;
        vb.view_depth = b->view_depth + 1;
        bool corr = false;
        rc = tn_bind_query(&vb, st->query, NULL, out, &corr);
        if (rc && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT && b->err)
            tn_error_prefix(b->err, "in view \"%s\": ", ent->name);
    }
    tn_arena_free(&a);
    TN_TRY(rc);
    if (ent->nview_columns > 0) {
        tn_sql_idents ids;
        ids.n = ent->nview_columns;
        ids.items = arena_array(b, (size_t)ids.n, sizeof *ids.items);
        if (!ids.items)
            return tn_bind_oom(b);
        for (int i = 0; i < ids.n; i++)
            ids.items[i].text = ent->view_columns[i];
        tn_plan *w = wrap_rename(b, *out, &ids);
        if (!w)
            return tn_bind_oom(b);
        *out = w;
        TN_TRY(rename_columns(b, w, &ids, loc));
    }
    return 0;
}

static bool query_mentions(const tn_sql_query *q, const char *name);

static bool ref_mentions(const tn_sql_tableref *r, const char *name)
{
    if (!r)
        return false;
    switch (r->kind) {
    case TN_SQL_REF_TABLE:
        return r->name.n == 1 && strcasecmp(r->name.parts[0].text, name) == 0;
    case TN_SQL_REF_SUBQUERY: return query_mentions(r->query, name);
    case TN_SQL_REF_JOIN: return ref_mentions(r->left, name) || ref_mentions(r->right, name);
    default: return false;
    }
}

static bool qnode_mentions(const tn_sql_qnode *n, const char *name)
{
    if (!n)
        return false;
    switch (n->kind) {
    case TN_SQL_Q_SELECT:
        for (int i = 0; i < n->select->nfrom; i++)
            if (ref_mentions(n->select->from[i], name))
                return true;
        return false;
    case TN_SQL_Q_SETOP: return qnode_mentions(n->left, name) || qnode_mentions(n->right, name);
    case TN_SQL_Q_PAREN: return query_mentions(n->paren, name);
    default: return false;
    }
}

static bool query_mentions(const tn_sql_query *q, const char *name) { return q && qnode_mentions(q->body, name); }

/* A WITH RECURSIVE entry whose body is `anchor UNION [ALL] step` with the
 * step reading the CTE itself. */
static bool references_itself(const tn_sql_cte *c)
{
    const tn_sql_qnode *body = c->query->body;
    return body->kind == TN_SQL_Q_SETOP && body->op == TN_SQL_UNION && qnode_mentions(body->right, c->name.text);
}

static int cast_columns(tn_binder *b, tn_plan **p, tn_type *const *types, const char *const *names);
static int bind_qnode(tn_binder *b, const tn_sql_qnode *n, tn_scope *outer, tn_plan **out);

/* RECURSIVE_CTE(anchor, step): the step's self-references are CTE_SCANs of
 * the previous iteration; its columns are cast to the anchor's types. */
static int bind_recursive_cte(tn_binder *b, const tn_bcte *cte, uint32_t loc, tn_plan **out)
{
    const tn_sql_qnode *body = cte->cte->query->body;
    tn_bcte *saved = b->ctes;
    b->ctes = cte->visible;
    tn_plan *anchor = NULL;
    int rc = bind_qnode(b, body->left, NULL, &anchor);
    if (rc == 0 && cte->cte->columns.n) {
        tn_plan *w = wrap_rename(b, anchor, &cte->cte->columns);
        rc = w ? rename_columns(b, w, &cte->cte->columns, loc) : tn_bind_oom(b);
        anchor = w;
    }
    tn_plan *rec = NULL;
    if (rc == 0 && !(rec = tn_plan_new(b->ctx, TN_PLAN_RECURSIVE_CTE, 2)))
        rc = tn_bind_oom(b);
    tn_bcte self;
    if (rc == 0) {
        rec->children[0] = anchor;
        rec->out = anchor->out;
        rec->all = body->all;
        rec->loc = loc;
        self = *cte;
        self.rec = rec;
        self.next = cte->visible;
        b->ctes = &self;
        tn_plan *step = NULL;
        rc = bind_qnode(b, body->right, NULL, &step);
        if (rc == 0 && step->out->n_fields != anchor->out->n_fields)
            rc = tn_bind_error(b, body->loc, TARN_EINVAL, "recursive CTE \"%s\": the step gives %d columns, the anchor %d",
                               cte->cte->name.text, step->out->n_fields, anchor->out->n_fields);
        if (rc == 0) {
            int32_t n = anchor->out->n_fields;
            tn_type **types = arena_array(b, (size_t)n, sizeof *types);
            const char **names = arena_array(b, (size_t)n, sizeof *names);
            rc = types && names ? 0 : tn_bind_oom(b);
            for (int32_t i = 0; rc == 0 && i < n; i++) {
                types[i] = anchor->out->fields[i].type;
                names[i] = anchor->out->fields[i].name;
            }
            if (rc == 0)
                rc = cast_columns(b, &step, types, names);
        }
        if (rc == 0)
            rec->children[1] = step;
    }
    b->ctes = saved;
    TN_TRY(rc);
    rec->est_rows = anchor->est_rows < 0 ? -1 : anchor->est_rows * 10;
    *out = rec;
    return 0;
}

static int bind_named(tn_binder *b, const tn_sql_tableref *r, tn_plan **out, const char **qual, bool *quoted)
{
    const tn_sql_ident *id = &r->name.parts[r->name.n - 1];
    *qual = id->text;
    *quoted = id->quoted;
    const tn_bcte *cte = find_cte(b, &r->name);
    if (cte && cte->rec) {
        /* a recursive step reading the previous iteration */
        tn_plan *scan = tn_plan_new(b->ctx, TN_PLAN_CTE_SCAN, 0);
        if (!scan)
            return tn_bind_oom(b);
        scan->recursive_ref = cte->rec;
        scan->out = cte->rec->out;
        scan->loc = r->loc;
        *out = scan;
        return 0;
    }
    if (cte && cte->recursive && references_itself(cte->cte))
        return bind_recursive_cte(b, cte, r->loc, out);
    if (cte) {
        tn_bcte *saved = b->ctes;
        b->ctes = cte->visible;
        bool corr = false;
        int rc = tn_bind_query(b, cte->cte->query, NULL, out, &corr);
        b->ctes = saved;
        TN_TRY(rc);
        if (cte->cte->columns.n) {
            tn_plan *w = wrap_rename(b, *out, &cte->cte->columns);
            if (!w)
                return tn_bind_oom(b);
            *out = w;
            TN_TRY(rename_columns(b, w, &cte->cte->columns, r->loc));
        }
        return 0;
    }
    const tn_catalog_entry *ent = tn_catalog_find(b->cat, id->text, id->quoted);
    if (!ent) {
        const char *hint = tn_catalog_closest(b->cat, id->text);
        for (const tn_bcte *c = b->ctes; !hint && c; c = c->next)
            hint = c->cte->name.text;
        return tn_bind_error_hint(b, id->loc, TARN_ENOTFOUND, hint, "table \"%s\" not found", id->text);
    }
    if (ent->kind == TN_ENTRY_VIEW)
        return bind_view(b, ent, id->loc, out);
    return scan_node(b, ent->table, r->loc, out);
}

/* Reader options for a file: the session's `<format>.<key>` settings for
 * its format, then the call's named arguments. */
static int file_options(tn_binder *b, const char *format, tarn_options *o)
{
    const tarn_options *ro = b->opts ? b->opts->reader_options : NULL;
    for (int i = 0; ro && tarn_options_key_at(ro, i); i++) {
        const char *k = tarn_options_key_at(ro, i);
        size_t fl = format ? strlen(format) : 0;
        if (fl && strncasecmp(k, format, fl) == 0 && k[fl] == '.')
            TN_TRY(tarn_options_set(o, k + fl + 1, tarn_options_value_at(ro, i), b->err));
    }
    if (format)
        TN_TRY(tarn_options_set(o, "format", format, b->err));
    return 0;
}

static int open_files(tn_binder *b, const char *path, tarn_options *o, uint32_t loc, tn_plan **out)
{
    if (b->opts && b->opts->no_files)
        return tn_bind_error(b, loc, TARN_EPERM, "reading files is disabled here (%.200s)", path);
    tn_table *t;
    int rc = tn_table_files_new(path, o, &t, b->err);
    if (rc) {
        if (rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT && b->err) {
            int line, col;
            tn_sql_location(b->sql, b->len, loc, &line, &col);
            tn_error_prefix(b->err, "line %d, column %d: ", line, col);
        }
        return rc;
    }
    rc = scan_node(b, t, loc, out);
    tn_table_unref(t);
    return rc;
}

static int bind_file(tn_binder *b, const tn_sql_tableref *r, tn_plan **out)
{
    const tn_format *f = tn_format_by_path(r->path);
    tarn_options *o = tarn_options_create();
    if (!o)
        return tn_bind_oom(b);
    int rc = file_options(b, f ? f->name : NULL, o);
    if (!rc)
        rc = open_files(b, r->path, o, r->loc, out);
    tarn_options_free(o);
    return rc;
}

/* The text of a constant argument of a table function. */
static const char *arg_text(tn_binder *b, const tn_sql_expr *e)
{
    switch (e->kind) {
    case TN_SQL_LIT_STRING: case TN_SQL_LIT_INT: case TN_SQL_LIT_NUMBER: return e->text;
    case TN_SQL_LIT_BOOL: return e->boolean ? "true" : "false";
    case TN_SQL_COLUMN: return e->name.n == 1 ? e->name.parts[0].text : NULL;
    default: (void)b; return NULL;
    }
}

/* A constant integer argument: a literal, possibly negated. */
static bool const_int_arg(const tn_sql_expr *e, int64_t *v)
{
    bool neg = false;
    while (e->kind == TN_SQL_UNARY && (e->op == TN_SQL_OP_NEG || e->op == TN_SQL_OP_PLUS)) {
        neg ^= e->op == TN_SQL_OP_NEG;
        e = e->left;
    }
    if (e->kind != TN_SQL_LIT_INT || strlen(e->text) > 18)
        return false;
    *v = strtoll(e->text, NULL, 10);
    if (neg)
        *v = -*v;
    return true;
}

#define RANGE_BATCH 65536
#define RANGE_MAX ((int64_t)1 << 32)

/* range(stop), range(start, stop[, step]) and generate_series (stop
 * included): a memory table of int64 values in batches of 64K rows. */
static int bind_range(tn_binder *b, const tn_sql_tableref *r, const char *name, tn_plan **out)
{
    const tn_sql_expr *fn = r->func;
    int64_t a[3] = {0, 0, 1};
    if (fn->list.n < 1 || fn->list.n > 3)
        return tn_bind_error(b, fn->loc, TARN_EINVAL, "%s takes 1 to 3 integer arguments", name);
    for (int i = 0; i < fn->list.n; i++)
        if (!const_int_arg(fn->list.items[i], &a[fn->list.n == 1 ? 1 : i]))
            return tn_bind_error(b, fn->list.items[i]->loc, TARN_EINVAL, "%s takes constant integer arguments", name);
    int64_t start = a[0], stop = a[1], step = a[2];
    if (step == 0)
        return tn_bind_error(b, fn->loc, TARN_EINVAL, "%s: the step cannot be 0", name);
    bool inclusive = strcasecmp(name, "generate_series") == 0;
    __int128 span = (__int128)stop - start + (inclusive ? (step > 0 ? 1 : -1) : 0);
    __int128 count = span / step + ((span % step) != 0);
    if (count < 0)
        count = 0;
    if (count > RANGE_MAX)
        return tn_bind_error(b, fn->loc, TARN_EINVAL, "%s would produce more than %lld rows", name, (long long)RANGE_MAX);
    tn_type *t64 = tn_type_get(TN_INT64);
    tn_schema *sch = tn_bind_schema(b, 1, &name, &t64);
    if (!sch)
        return tn_bind_oom(b);
    tn_table *t;
    int rc = tn_table_memory_new(name, sch, &t, b->err);
    if (rc)
        return rc;
    int64_t done = 0;
    while (rc == 0 && done < (int64_t)count) {
        int64_t n = (int64_t)count - done < RANGE_BATCH ? (int64_t)count - done : RANGE_BATCH;
        tn_builder *bl = tn_builder_new(t64);
        tn_batch *batch = tn_batch_new(sch, n);
        rc = bl && batch ? 0 : tn_bind_oom(b);
        for (int64_t i = 0; rc == 0 && i < n; i++)
            rc = tn_builder_append_int(bl, start + (done + i) * step, b->err);
        if (rc == 0)
            rc = tn_builder_finish(bl, &batch->columns[0], b->err);
        if (rc == 0)
            rc = t->ops->append(t, batch, b->err);
        tn_builder_free(bl);
        if (batch)
            tn_batch_unref(batch);
        done += n;
    }
    t->est_rows = (double)count;
    if (rc == 0)
        rc = scan_node(b, t, r->loc, out);
    tn_table_unref(t);
    return rc;
}

static int bind_table_function(tn_binder *b, const tn_sql_tableref *r, tn_plan **out)
{
    const tn_sql_expr *fn = r->func;
    const char *name = fn->name.parts[fn->name.n - 1].text;
    static const char *const funcs[][2] = {{"read_parquet", "parquet"}, {"parquet_scan", "parquet"},
                                           {"read_csv", "csv"}, {"read_csv_auto", "csv"},
                                           {"read_json", "json"}, {"read_json_auto", "json"},
                                           {"read_ndjson", "json"}, {"read_ipc", "ipc"},
                                           {"read_arrow", "ipc"}};
    if (!strcasecmp(name, "range") || !strcasecmp(name, "generate_series"))
        return bind_range(b, r, strcasecmp(name, "range") ? "generate_series" : "range", out);
    const char *format = NULL;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (strcasecmp(name, funcs[i][0]) == 0)
            format = funcs[i][1];
    if (!format) {
        const char *cands[sizeof funcs / sizeof funcs[0]];
        for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
            cands[i] = funcs[i][0];
        return tn_bind_error_hint(b, fn->loc, TARN_ENOTFOUND, tn_closest(name, cands, sizeof funcs / sizeof funcs[0]),
                                  "table function \"%s\" not found", name);
    }
    if (fn->list.n < 1 || fn->list.items[0]->kind != TN_SQL_LIT_STRING)
        return tn_bind_error(b, fn->loc, TARN_EINVAL, "%s expects a file path or glob as its first argument", name);
    tarn_options *o = tarn_options_create();
    if (!o)
        return tn_bind_oom(b);
    int rc = file_options(b, format, o);
    for (int i = 1; !rc && i < fn->list.n; i++) {
        const tn_sql_expr *a = fn->list.items[i];
        if (a->kind != TN_SQL_NAMED_ARG) {
            rc = tn_bind_error(b, a->loc, TARN_EINVAL, "%s takes one path and then named options (name := value)", name);
            break;
        }
        const char *v = arg_text(b, a->left);
        if (!v) {
            rc = tn_bind_error(b, a->left->loc, TARN_EINVAL, "option %s of %s must be a constant", a->text, name);
            break;
        }
        rc = tarn_options_set(o, a->text, v, b->err);
        if (rc && rc != TARN_ENOMEM)
            rc = tn_bind_error(b, a->loc, rc, "%s", b->err ? b->err->message : "bad option");
    }
    if (!rc)
        rc = open_files(b, fn->list.items[0]->text, o, r->loc, out);
    tarn_options_free(o);
    return rc;
}

static tn_join_kind join_kind(tn_sql_join_kind k)
{
    switch (k) {
    case TN_SQL_JOIN_LEFT: return TN_JOIN_LEFT;
    case TN_SQL_JOIN_RIGHT: return TN_JOIN_RIGHT;
    case TN_SQL_JOIN_FULL: return TN_JOIN_FULL;
    case TN_SQL_JOIN_CROSS: return TN_JOIN_CROSS;
    case TN_SQL_JOIN_SEMI: return TN_JOIN_SEMI;
    case TN_SQL_JOIN_ANTI: return TN_JOIN_ANTI;
    default: return TN_JOIN_INNER;
    }
}

/* The equality l.name = r.name of a USING / NATURAL column; marks the
 * right copy hidden from * and from unqualified names. */
typedef struct using_pair {
    int32_t left_entry; /* scope entry of the left copy */
    int32_t right_index;
} using_pair;

static int using_equality(tn_binder *b, tn_scope *sc, int32_t nleft, const tn_sql_ident *col, tn_expr **out,
                          using_pair *pair)
{
    tn_bcol *lc = NULL, *rc = NULL;
    for (int32_t i = 0; i < sc->n; i++) {
        tn_bcol *c = &sc->cols[i];
        if (c->using_dup || !tn_ident_match(c->name, col->text, col->quoted))
            continue;
        if (c->index < nleft)
            lc = lc ? lc : c;
        else
            rc = rc ? rc : c;
    }
    if (!lc || !rc)
        return tn_bind_error(b, col->loc, TARN_ENOTFOUND, "column \"%s\" of USING not found on the %s side", col->text,
                             lc ? "right" : "left");
    rc->using_dup = true;
    pair->left_entry = (int32_t)(lc - sc->cols);
    pair->right_index = rc->index;
    tn_expr *l = tn_expr_column(b->ctx, lc->index, tn_type_ref(lc->type));
    tn_expr *r = tn_expr_column(b->ctx, rc->index, tn_type_ref(rc->type));
    if (!l || !r)
        return tn_bind_oom(b);
    l->text = lc->name;
    r->text = rc->name;
    tn_type *t;
    TN_TRY(tn_bind_unify(b, l->type, r->type, col->loc, &t));
    if (!tn_plan_keep_type(b->ctx, t))
        return tn_bind_oom(b);
    TN_TRY(tn_bind_cast(b, l, tn_type_ref(t), col->loc, &l));
    TN_TRY(tn_bind_cast(b, r, tn_type_ref(t), col->loc, &r));
    tn_expr *e = tn_expr_new(b->ctx, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
    if (!e)
        return tn_bind_oom(b);
    e->cmp = TN_CMP_EQ;
    e->args[0] = l;
    e->args[1] = r;
    e->loc = col->loc;
    *out = e;
    return 0;
}

static int add_pair(tn_binder *b, using_pair **pairs, int32_t *n, int32_t *cap)
{
    if (*n == *cap) {
        int32_t ncap = *cap ? *cap * 2 : 4;
        using_pair *g = arena_array(b, (size_t)ncap, sizeof *g);
        if (!g)
            return tn_bind_oom(b);
        if (*n)
            memcpy(g, *pairs, sizeof *g * (size_t)*n);
        *pairs = g;
        *cap = ncap;
    }
    (*n)++;
    return 0;
}

/* FULL / RIGHT JOIN ... USING: the USING column is the left value, or the
 * right one where the left row is missing: a PROJECT appends
 * CASE WHEN l IS NOT NULL THEN l ELSE r END and the name points to it. */
static int coalesce_using(tn_binder *b, tn_plan **j, tn_scope *sc, const using_pair *pairs, int32_t npairs)
{
    tn_plan *join = *j;
    int32_t n = join->out->n_fields;
    tn_expr **exprs = arena_array(b, (size_t)(n + npairs), sizeof *exprs);
    const char **names = arena_array(b, (size_t)(n + npairs), sizeof *names);
    tn_type **types = arena_array(b, (size_t)(n + npairs), sizeof *types);
    if (!exprs || !names || !types)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < n; i++) {
        if (!(exprs[i] = tn_expr_column(b->ctx, i, tn_type_ref(join->out->fields[i].type))))
            return tn_bind_oom(b);
        names[i] = join->out->fields[i].name;
        types[i] = join->out->fields[i].type;
    }
    for (int32_t p = 0; p < npairs; p++) {
        tn_bcol *lc = &sc->cols[pairs[p].left_entry];
        int32_t li = lc->index, ri = pairs[p].right_index;
        tn_type *t;
        TN_TRY(tn_bind_unify(b, lc->type, join->out->fields[ri].type, join->loc, &t));
        if (!tn_plan_keep_type(b->ctx, t))
            return tn_bind_oom(b);
        tn_expr *l = tn_expr_column(b->ctx, li, tn_type_ref(lc->type));
        tn_expr *l2 = tn_expr_column(b->ctx, li, tn_type_ref(lc->type));
        tn_expr *r = tn_expr_column(b->ctx, ri, tn_type_ref(join->out->fields[ri].type));
        tn_expr *isn = tn_expr_new(b->ctx, TN_EXPR_IS_NULL, tn_type_get(TN_BOOL), 1);
        tn_expr *c = tn_expr_new(b->ctx, TN_EXPR_CASE, tn_type_ref(t), 3);
        if (!l || !l2 || !r || !isn || !c)
            return tn_bind_oom(b);
        isn->args[0] = l;
        isn->negated = true;
        c->args[0] = isn;
        TN_TRY(tn_bind_cast(b, l2, tn_type_ref(t), join->loc, &c->args[1]));
        TN_TRY(tn_bind_cast(b, r, tn_type_ref(t), join->loc, &c->args[2]));
        c->has_else = true;
        c->text = lc->name;
        exprs[n + p] = c;
        names[n + p] = lc->name;
        types[n + p] = t;
        lc->index = n + p;
        lc->type = t;
    }
    tn_plan *proj = tn_plan_new(b->ctx, TN_PLAN_PROJECT, 1);
    if (!proj)
        return tn_bind_oom(b);
    proj->children[0] = join;
    proj->exprs = exprs;
    proj->nexprs = n + npairs;
    proj->est_rows = join->est_rows;
    if (!(proj->out = tn_bind_schema(b, n + npairs, names, types)))
        return tn_bind_oom(b);
    *j = proj;
    return 0;
}

static int bind_lateral(tn_binder *b, const tn_sql_tableref *r, tn_scope *sc, tn_plan **acc);

/* l [INNER|CROSS] JOIN LATERAL (q) [ON c]: the lateral rewrite, then c as a
 * filter over its rows. */
static int bind_join_lateral(tn_binder *b, const tn_sql_tableref *r, tn_scope *outer, tn_plan **out, tn_scope *sc)
{
    tn_join_kind k = join_kind(r->join);
    if ((k != TN_JOIN_INNER && k != TN_JOIN_CROSS) || r->natural || r->using_cols.n)
        return tn_bind_error(b, r->loc, TARN_EUNSUPPORTED,
                             "only an inner or cross join with a LATERAL subquery is supported yet");
    tn_plan *acc;
    tn_scope ls = {0};
    TN_TRY(bind_tableref(b, r->left, outer, &acc, &ls));
    for (int32_t i = 0; i < ls.n; i++) {
        TN_TRY(tn_scope_add(b, sc, ls.cols[i].table, ls.cols[i].name, ls.cols[i].type, ls.cols[i].index));
        sc->cols[sc->n - 1].using_dup = ls.cols[i].using_dup;
        sc->cols[sc->n - 1].table_quoted = ls.cols[i].table_quoted;
    }
    sc->parent = outer;
    TN_TRY(bind_lateral(b, r->right, sc, &acc));
    if (r->on) {
        tn_ectx ec = {.sc = sc, .clause = "JOIN conditions"};
        tn_expr *c;
        TN_TRY(tn_bind_condition(b, &ec, r->on, &c));
        tn_plan *f = tn_plan_new(b->ctx, TN_PLAN_FILTER, 1);
        if (!f)
            return tn_bind_oom(b);
        f->children[0] = acc;
        f->predicate = c;
        f->out = acc->out;
        f->est_rows = acc->est_rows;
        acc = f;
    }
    *out = acc;
    return 0;
}

static int bind_join(tn_binder *b, const tn_sql_tableref *r, tn_scope *outer, tn_plan **out, tn_scope *sc)
{
    if (r->right->kind == TN_SQL_REF_SUBQUERY && r->right->lateral)
        return bind_join_lateral(b, r, outer, out, sc);
    tn_plan *l, *rp;
    tn_scope ls = {0}, rs = {0};
    TN_TRY(bind_tableref(b, r->left, outer, &l, &ls));
    TN_TRY(bind_tableref(b, r->right, outer, &rp, &rs));
    int32_t nl = l->out->n_fields;
    tn_join_kind k = join_kind(r->join);
    /* the combined scope: left's columns then right's (shifted) */
    for (int32_t i = 0; i < ls.n; i++) {
        TN_TRY(tn_scope_add(b, sc, ls.cols[i].table, ls.cols[i].name, ls.cols[i].type, ls.cols[i].index));
        sc->cols[sc->n - 1].using_dup = ls.cols[i].using_dup;
        sc->cols[sc->n - 1].table_quoted = ls.cols[i].table_quoted;
    }
    for (int32_t i = 0; i < rs.n; i++) {
        TN_TRY(tn_scope_add(b, sc, rs.cols[i].table, rs.cols[i].name, rs.cols[i].type, nl + rs.cols[i].index));
        sc->cols[sc->n - 1].using_dup = rs.cols[i].using_dup;
        sc->cols[sc->n - 1].table_quoted = rs.cols[i].table_quoted;
    }
    sc->parent = outer;
    tn_plan *j = tn_plan_new(b->ctx, TN_PLAN_JOIN, 2);
    if (!j)
        return tn_bind_oom(b);
    j->loc = r->loc;
    j->children[0] = l;
    j->children[1] = rp;
    j->join = k;
    tn_expr **conds = NULL;
    int32_t nconds = 0, capconds = 0;
    using_pair *pairs = NULL;
    int32_t npairs = 0, cappairs = 0;
    if (r->natural) {
        for (int32_t i = 0; i < ls.n; i++) {
            if (ls.cols[i].using_dup)
                continue;
            for (int32_t q = 0; q < rs.n; q++) {
                if (!rs.cols[q].using_dup && strcasecmp(ls.cols[i].name, rs.cols[q].name) == 0) {
                    tn_sql_ident id = {ls.cols[i].name, false, r->loc};
                    tn_expr *eq;
                    TN_TRY(add_pair(b, &pairs, &npairs, &cappairs));
                    TN_TRY(using_equality(b, sc, nl, &id, &eq, &pairs[npairs - 1]));
                    TN_TRY(tn_expr_conjuncts(b->ctx, eq, &conds, &nconds, &capconds));
                    break;
                }
            }
        }
    }
    for (int i = 0; i < r->using_cols.n; i++) {
        tn_expr *eq;
        TN_TRY(add_pair(b, &pairs, &npairs, &cappairs));
        TN_TRY(using_equality(b, sc, nl, &r->using_cols.items[i], &eq, &pairs[npairs - 1]));
        TN_TRY(tn_expr_conjuncts(b->ctx, eq, &conds, &nconds, &capconds));
    }
    if (r->on) {
        tn_ectx ec = {.sc = sc, .clause = "JOIN conditions"};
        tn_expr *c;
        TN_TRY(tn_bind_condition(b, &ec, r->on, &c));
        TN_TRY(tn_expr_conjuncts(b->ctx, c, &conds, &nconds, &capconds));
    }
    if (nconds == 0 && k == TN_JOIN_INNER)
        j->join = k = TN_JOIN_CROSS;
    if (nconds && k == TN_JOIN_CROSS)
        j->join = k = TN_JOIN_INNER;
    j->condition = tn_expr_and_of(b->ctx, conds, nconds);
    if (nconds && !j->condition)
        return tn_bind_oom(b);
    if (!(j->out = tn_plan_join_schema(b->ctx, l->out, rp->out, k)))
        return tn_bind_oom(b);
    if (npairs && (k == TN_JOIN_FULL || k == TN_JOIN_RIGHT))
        TN_TRY(coalesce_using(b, &j, sc, pairs, npairs));
    if (k == TN_JOIN_SEMI || k == TN_JOIN_ANTI) {
        /* only the left side stays visible */
        int32_t keep = 0;
        for (int32_t i = 0; i < sc->n; i++)
            if (sc->cols[i].index < nl)
                sc->cols[keep++] = sc->cols[i];
        sc->n = keep;
    }
    if (l->est_rows >= 0 && rp->est_rows >= 0)
        j->est_rows = k == TN_JOIN_CROSS ? l->est_rows * rp->est_rows : (l->est_rows > rp->est_rows ? l->est_rows : rp->est_rows);
    *out = j;
    return 0;
}

static int bind_tableref(tn_binder *b, const tn_sql_tableref *r, tn_scope *outer, tn_plan **out, tn_scope *sc)
{
    const char *qual = NULL;
    bool quoted = false;
    switch (r->kind) {
    case TN_SQL_REF_TABLE:
        TN_TRY(bind_named(b, r, out, &qual, &quoted));
        break;
    case TN_SQL_REF_FILE:
        TN_TRY(bind_file(b, r, out));
        qual = r->path;
        break;
    case TN_SQL_REF_FUNCTION:
        TN_TRY(bind_table_function(b, r, out));
        qual = r->func->name.parts[r->func->name.n - 1].text;
        break;
    case TN_SQL_REF_SUBQUERY: {
        bool corr = false;
        TN_TRY(tn_bind_query(b, r->query, outer, out, &corr));
        break;
    }
    case TN_SQL_REF_JOIN:
        if (r->alias)
            return tn_bind_error(b, r->loc, TARN_EUNSUPPORTED, "an alias on a parenthesized join is not supported");
        return bind_join(b, r, outer, out, sc);
    }
    if (r->alias) {
        qual = r->alias->name.text;
        quoted = r->alias->name.quoted;
        TN_TRY(alias_plan(b, out, r->alias, r->loc));
    }
    sc->parent = outer;
    return scope_from_schema(b, sc, (*out)->out, qual, quoted, 0);
}

/* Move an expression of a LATERAL subquery's top level to the level of
 * the join that replaces it: its own columns follow the nl columns of the
 * left side, and its references to the left side (OUTER depth 1) become
 * columns. False when it holds a subquery (left to the decorrelation of
 * expressions, which this rewrite does not reach). */
static int build_project(tn_binder *b, tn_plan **plan, tn_expr **exprs, const char **names, int32_t n);

static bool lateral_remap(tn_expr *e, int32_t nl)
{
    if (e->kind == TN_EXPR_SUBQUERY)
        return false;
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0) {
        e->index += nl;
    } else if (e->kind == TN_EXPR_OUTER) {
        if (e->depth == 1) {
            e->kind = TN_EXPR_COLUMN;
            e->depth = 0;
        } else {
            e->depth--;
        }
    }
    for (int32_t i = 0; i < e->nargs; i++)
        if (!lateral_remap(e->args[i], nl))
            return false;
    return true;
}

/* `left, LATERAL (query) alias`: the query may read the columns of the FROM
 * items before it (scope sc, plan *acc). Decorrelated here into plans the
 * rest of the engine knows:
 *  - a query of aggregates without GROUP BY (one row per left row):
 *    each output column is a correlated scalar subquery over the left
 *    side, which the optimizer decorrelates like any other;
 *  - a projection over filters over an uncorrelated input X: an inner
 *    join of the left side and X on the filters, then the projection;
 *  - an uncorrelated query: a cross join.
 * Other shapes are refused (TARN_EUNSUPPORTED). *acc becomes the new left
 * side and sc gains the query's columns. */
static int bind_lateral(tn_binder *b, const tn_sql_tableref *r, tn_scope *sc, tn_plan **acc)
{
    tn_plan *q;
    bool corr = false;
    TN_TRY(tn_bind_query(b, r->query, sc, &q, &corr));
    corr = tn_plan_has_outer(q, 1);
    tn_plan *left = *acc;
    int32_t nl = left->out->n_fields, nq = q->out->n_fields;
    const char *qual = r->alias ? r->alias->name.text : NULL;
    bool quoted = r->alias && r->alias->name.quoted;
    tn_plan *below = NULL;
    tn_expr **exprs = arena_array(b, (size_t)(nl + nq), sizeof *exprs);
    const char **names = arena_array(b, (size_t)(nl + nq), sizeof *names);
    if (!exprs || !names)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nl; i++) {
        if (!(exprs[i] = tn_expr_column(b->ctx, i, tn_type_ref(left->out->fields[i].type))))
            return tn_bind_oom(b);
        exprs[i]->text = names[i] = left->out->fields[i].name;
    }
    if (r->alias && r->alias->columns.n > nq)
        return tn_bind_error(b, r->loc, TARN_EINVAL, "%d column names for %d columns", r->alias->columns.n, nq);
    for (int32_t i = 0; i < nq; i++)
        names[nl + i] = r->alias && i < r->alias->columns.n ? r->alias->columns.items[i].text : q->out->fields[i].name;
    tn_plan *top = q;
    if (!corr) {
        if (r->alias)
            TN_TRY(alias_plan(b, &q, r->alias, r->loc));
        tn_plan *j = tn_plan_new(b->ctx, TN_PLAN_JOIN, 2);
        if (!j)
            return tn_bind_oom(b);
        j->join = TN_JOIN_CROSS;
        j->children[0] = left;
        j->children[1] = q;
        j->loc = r->loc;
        if (!(j->out = tn_plan_join_schema(b->ctx, left->out, q->out, TN_JOIN_CROSS)))
            return tn_bind_oom(b);
        *acc = j;
        return scope_from_schema(b, sc, q->out, qual, quoted, nl);
    }
    if (top->kind == TN_PLAN_PROJECT && top->children[0]->kind == TN_PLAN_AGGREGATE &&
        top->children[0]->ngroups == 0 && !top->children[0]->grouping_sets) {
        /* one row per left row: a scalar subquery per column */
        for (int32_t i = 0; i < nq; i++) {
            tn_plan *agg = tn_plan_copy(b->ctx, top->children[0]);
            tn_plan *pr = agg ? tn_plan_new(b->ctx, TN_PLAN_PROJECT, 1) : NULL;
            tn_expr **one = pr ? arena_array(b, 1, sizeof *one) : NULL;
            tn_expr *sub = one ? tn_expr_new(b->ctx, TN_EXPR_SUBQUERY, tn_type_ref(top->exprs[i]->type), 0) : NULL;
            if (!sub || !(one[0] = tn_expr_copy(b->ctx, top->exprs[i])))
                return tn_bind_oom(b);
            pr->children[0] = agg;
            pr->exprs = one;
            pr->nexprs = 1;
            pr->est_rows = 1;
            if (!(pr->out = tn_bind_schema(b, 1, &names[nl + i], &one[0]->type)))
                return tn_bind_oom(b);
            sub->subquery_kind = TN_SUBQUERY_SCALAR;
            sub->subquery = pr;
            sub->loc = r->loc;
            sub->text = names[nl + i];
            exprs[nl + i] = sub;
        }
        below = left;
    } else {
        tn_expr **preds = NULL;
        int32_t npreds = 0, cap = 0;
        tn_plan *x = top->kind == TN_PLAN_PROJECT ? top->children[0] : NULL;
        while (x && x->kind == TN_PLAN_FILTER) {
            TN_TRY(tn_expr_conjuncts(b->ctx, x->predicate, &preds, &npreds, &cap));
            x = x->children[0];
        }
        bool ok = x && !tn_plan_has_outer(x, 1);
        for (int32_t i = 0; ok && i < npreds; i++)
            ok = lateral_remap(preds[i], nl);
        for (int32_t i = 0; ok && i < nq; i++) {
            exprs[nl + i] = top->exprs[i];
            ok = lateral_remap(exprs[nl + i], nl);
        }
        if (!ok)
            return tn_bind_error(b, r->loc, TARN_EUNSUPPORTED,
                                 "this LATERAL subquery is not supported yet: it must aggregate without GROUP BY, "
                                 "or read the left side only in WHERE and the select list");
        tn_plan *j = tn_plan_new(b->ctx, TN_PLAN_JOIN, 2);
        if (!j)
            return tn_bind_oom(b);
        j->children[0] = left;
        j->children[1] = x;
        j->loc = r->loc;
        j->join = npreds ? TN_JOIN_INNER : TN_JOIN_CROSS;
        j->condition = tn_expr_and_of(b->ctx, preds, npreds);
        if ((npreds && !j->condition) || !(j->out = tn_plan_join_schema(b->ctx, left->out, x->out, j->join)))
            return tn_bind_oom(b);
        if (left->est_rows >= 0 && x->est_rows >= 0)
            j->est_rows = left->est_rows > x->est_rows ? left->est_rows : x->est_rows;
        below = j;
    }
    tn_plan *p = below;
    TN_TRY(build_project(b, &p, exprs, names, nl + nq));
    *acc = p;
    for (int32_t i = 0; i < nq; i++) {
        TN_TRY(tn_scope_add(b, sc, qual, names[nl + i], exprs[nl + i]->type, nl + i));
        sc->cols[sc->n - 1].table_quoted = quoted;
    }
    return 0;
}

/* Comma-separated FROM items become CROSS joins (the optimizer turns them
 * into inner joins on the WHERE's equalities). */
static int bind_from(tn_binder *b, const tn_sql_select *s, tn_scope *outer, tn_plan **out, tn_scope *sc)
{
    sc->parent = outer;
    if (s->nfrom == 0) {
        tn_plan *v = tn_plan_new(b->ctx, TN_PLAN_VALUES, 0);
        if (!v)
            return tn_bind_oom(b);
        v->nrows = 1;
        v->rows = arena_array(b, 1, sizeof *v->rows);
        if (!v->rows || !(v->out = tn_bind_schema(b, 0, NULL, NULL)))
            return tn_bind_oom(b);
        v->est_rows = 1;
        *out = v;
        return 0;
    }
    tn_plan *acc = NULL;
    for (int i = 0; i < s->nfrom; i++) {
        if (acc && s->from[i]->kind == TN_SQL_REF_SUBQUERY && s->from[i]->lateral) {
            TN_TRY(bind_lateral(b, s->from[i], sc, &acc));
            continue;
        }
        tn_plan *p;
        tn_scope one = {0};
        TN_TRY(bind_tableref(b, s->from[i], outer, &p, &one));
        int32_t base = acc ? acc->out->n_fields : 0;
        for (int32_t c = 0; c < one.n; c++) {
            TN_TRY(tn_scope_add(b, sc, one.cols[c].table, one.cols[c].name, one.cols[c].type, base + one.cols[c].index));
            sc->cols[sc->n - 1].using_dup = one.cols[c].using_dup;
            sc->cols[sc->n - 1].table_quoted = one.cols[c].table_quoted;
        }
        if (!acc) {
            acc = p;
            continue;
        }
        tn_plan *j = tn_plan_new(b->ctx, TN_PLAN_JOIN, 2);
        if (!j)
            return tn_bind_oom(b);
        j->join = TN_JOIN_CROSS;
        j->children[0] = acc;
        j->children[1] = p;
        j->loc = s->from[i]->loc;
        if (!(j->out = tn_plan_join_schema(b->ctx, acc->out, p->out, TN_JOIN_CROSS)))
            return tn_bind_oom(b);
        if (acc->est_rows >= 0 && p->est_rows >= 0)
            j->est_rows = acc->est_rows * p->est_rows;
        acc = j;
    }
    *out = acc;
    return 0;
}

/* ---- aggregation rewrite -------------------------------------------------------------- */

typedef struct agg_rewrite {
    tn_expr **groups;
    int32_t ngroups;
    const char *clause;
    int32_t naggs;     /* the grouping id column follows the aggregates */
    bool grouping_sets;
} agg_rewrite;

static tn_expr *int64_node(tn_binder *b, tn_expr_kind k, tn_arith_op op, tn_expr *l, tn_expr *r)
{
    tn_expr *x = l && r ? tn_expr_new(b->ctx, k, tn_type_get(TN_INT64), 2) : NULL;
    if (x) {
        x->arith = op;
        x->args[0] = l;
        x->args[1] = r;
    }
    return x;
}

static tn_expr *int64_lit(tn_binder *b, int64_t v)
{
    tn_scalar *s = tn_scalar_int(tn_type_get(TN_INT64), v);
    return s ? tn_expr_literal(b->ctx, s) : NULL;
}

/* grouping(a, b, ...): bit j (first argument highest) is set when the
 * argument's group expression is not in the row's grouping set; read from
 * the aggregate's grouping id column. */
static int rewrite_grouping(tn_binder *b, const agg_rewrite *ar, tn_expr **pe)
{
    tn_expr *e = *pe;
    tn_expr *acc = int64_lit(b, 0);
    if (!acc)
        return tn_bind_oom(b);
    if (ar->grouping_sets) {
        for (int32_t j = 0; j < e->nargs; j++) {
            int32_t g = -1;
            for (int32_t k = 0; k < ar->ngroups && g < 0; k++)
                if (tn_expr_equal(e->args[j], ar->groups[k]))
                    g = k;
            if (g < 0)
                return tn_bind_error(b, e->args[j]->loc, TARN_EINVAL,
                                     "arguments of grouping() must be GROUP BY expressions");
            tn_expr *gid = tn_expr_column(b->ctx, ar->ngroups + ar->naggs, tn_type_get(TN_UINT64));
            tn_expr *cast = gid ? tn_expr_new(b->ctx, TN_EXPR_CAST, tn_type_get(TN_INT64), 1) : NULL;
            if (!cast)
                return tn_bind_oom(b);
            gid->depth = TN_PH_GROUP;
            cast->args[0] = gid;
            tn_expr *bit = int64_node(b, TN_EXPR_ARITH, TN_MOD,
                                      int64_node(b, TN_EXPR_ARITH, TN_DIV, cast,
                                                 int64_lit(b, (int64_t)1 << (ar->ngroups - 1 - g))),
                                      int64_lit(b, 2));
            tn_expr *term = int64_node(b, TN_EXPR_ARITH, TN_MUL, bit, int64_lit(b, (int64_t)1 << (e->nargs - 1 - j)));
            if (!(acc = int64_node(b, TN_EXPR_ARITH, TN_ADD, acc, term)))
                return tn_bind_oom(b);
        }
    }
    acc->loc = e->loc;
    acc->text = e->text;
    *pe = acc;
    return 0;
}

static int rewrite_post_agg(tn_binder *b, const agg_rewrite *ar, tn_expr **pe)
{
    tn_expr *e = *pe;
    if (!e)
        return 0;
    if (e->kind == TN_EXPR_COLUMN && e->depth == TN_PH_GROUPING)
        return rewrite_grouping(b, ar, pe);
    if (e->kind == TN_EXPR_COLUMN && e->depth == TN_PH_AGG) {
        /* settled, not yet 0: a function library may share this node in
         * two places (coalesce(sum(x), 0)), and a second visit must not
         * take it for a column outside GROUP BY */
        e->depth = TN_PH_GROUP;
        e->index += ar->ngroups;
        return 0;
    }
    if (e->kind == TN_EXPR_COLUMN && (e->depth == TN_PH_WINDOW || e->depth == TN_PH_GROUP))
        return 0;
    for (int32_t g = 0; g < ar->ngroups; g++) {
        if (tn_expr_equal(e, ar->groups[g])) {
            tn_expr *c = tn_expr_column(b->ctx, g, tn_type_ref(e->type));
            if (!c)
                return tn_bind_oom(b);
            c->loc = e->loc;
            c->text = e->text;
            c->depth = TN_PH_GROUP; /* settled: not rewritten again */
            *pe = c;
            return 0;
        }
    }
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0)
        return tn_bind_error(b, e->loc, TARN_EINVAL,
                             "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                             e->text ? e->text : "?");
    if (e->kind == TN_EXPR_SUBQUERY && tn_plan_has_outer(e->subquery, 1))
        return tn_bind_error(b, e->loc, TARN_EUNSUPPORTED,
                             "a correlated subquery in the %s of an aggregating query is not supported", ar->clause);
    for (int32_t i = 0; i < e->nargs; i++)
        TN_TRY(rewrite_post_agg(b, ar, &e->args[i]));
    return 0;
}

/* Settle the group placeholders and window placeholders (window k ->
 * column base + k). */
static void settle(tn_expr *e, int32_t window_base)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_COLUMN && e->depth == TN_PH_GROUP)
        e->depth = 0;
    else if (e->kind == TN_EXPR_COLUMN && e->depth == TN_PH_WINDOW) {
        e->depth = 0;
        e->index += window_base;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        settle(e->args[i], window_base);
}

static bool has_placeholder(const tn_expr *e, int which)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_COLUMN && e->depth == which)
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (has_placeholder(e->args[i], which))
            return true;
    return false;
}

/* ---- SELECT ------------------------------------------------------------------------------ */

typedef struct sel_items {
    tn_expr **exprs;
    const char **names;
    int32_t n, cap;
} sel_items;

static int add_item(tn_binder *b, sel_items *s, tn_expr *e, const char *name)
{
    if (s->n == s->cap) {
        int32_t ncap = s->cap ? s->cap * 2 : 16;
        tn_expr **ge = arena_array(b, (size_t)ncap, sizeof *ge);
        const char **gn = arena_array(b, (size_t)ncap, sizeof *gn);
        if (!ge || !gn)
            return tn_bind_oom(b);
        if (s->n) {
            memcpy(ge, s->exprs, sizeof *ge * (size_t)s->n);
            memcpy(gn, s->names, sizeof *gn * (size_t)s->n);
        }
        s->exprs = ge;
        s->names = gn;
        s->cap = ncap;
    }
    s->exprs[s->n] = e;
    s->names[s->n++] = name;
    return 0;
}

static bool excluded(const tn_sql_expr *star, const char *name)
{
    for (int i = 0; i < star->list.n; i++) {
        const tn_sql_expr *x = star->list.items[i];
        if (x->kind == TN_SQL_COLUMN && x->name.n > 0 &&
            tn_ident_match(name, x->name.parts[x->name.n - 1].text, x->name.parts[x->name.n - 1].quoted))
            return true;
    }
    return false;
}

static int expand_star(tn_binder *b, const tn_scope *sc, const tn_sql_expr *star, sel_items *items)
{
    const tn_sql_ident *q = star->name.n ? &star->name.parts[star->name.n - 1] : NULL;
    int32_t before = items->n;
    for (int32_t i = 0; i < sc->n; i++) {
        const tn_bcol *c = &sc->cols[i];
        if (q) {
            if (!c->table || !tn_ident_match(c->table, q->text, q->quoted))
                continue;
        } else if (c->using_dup) {
            continue;
        }
        if (excluded(star, c->name))
            continue;
        tn_expr *e = tn_expr_column(b->ctx, c->index, tn_type_ref(c->type));
        if (!e)
            return tn_bind_oom(b);
        e->loc = star->loc;
        e->text = c->name;
        TN_TRY(add_item(b, items, e, c->name));
    }
    if (q && items->n == before)
        return tn_bind_error(b, q->loc, TARN_ENOTFOUND, "table \"%s\" not found in FROM", q->text);
    if (items->n == before)
        return tn_bind_error(b, star->loc, TARN_EINVAL, "SELECT * with no columns");
    return 0;
}

/* An unqualified column name that names a select-list alias. */
static int alias_index(const tn_sql_expr *e, const tn_sql_select *s)
{
    if (e->kind != TN_SQL_COLUMN || e->name.n != 1)
        return -1;
    for (int i = 0; i < s->nitems; i++)
        if (s->items[i].alias &&
            tn_ident_match(s->items[i].alias->text, e->name.parts[0].text, e->name.parts[0].quoted))
            return i;
    return -1;
}

static bool scope_has(const tn_scope *sc, const tn_sql_expr *e)
{
    if (e->kind != TN_SQL_COLUMN || e->name.n != 1)
        return false;
    for (int32_t i = 0; i < sc->n; i++)
        if (!sc->cols[i].using_dup && tn_ident_match(sc->cols[i].name, e->name.parts[0].text, e->name.parts[0].quoted))
            return true;
    return false;
}

/* The select-list position of item `alias` index i, after * expansion. */
static int32_t item_position(const int32_t *item_start, int i) { return item_start[i]; }

typedef struct order_key {
    int32_t column;   /* output column, or -1: hidden expression `expr` */
    tn_expr *expr;
    bool desc, nulls_first;
} order_key;

/* GROUP BY state: the distinct group expressions and, with GROUPING SETS /
 * ROLLUP / CUBE, the sets as bitmasks over them. */
typedef struct group_state {
    tn_expr **exprs;
    int32_t n, cap;
    uint64_t *sets;
    int32_t nsets;
    bool has_sets; /* GROUPING SETS, ROLLUP or CUBE was written */
} group_state;

typedef struct set_list {
    uint64_t *m;
    int32_t n;
} set_list;

#define MAX_GROUPING_SETS 4096

static int group_expr(tn_binder *b, const tn_sql_select *s, tn_scope *sc, sel_items *items, const int32_t *item_start,
                      group_state *gs, const tn_sql_expr *e, int32_t *index)
{
    tn_expr *x = NULL;
    int ai;
    if (e->kind == TN_SQL_LIT_INT) {
        int64_t k = strtoll(e->text, NULL, 10);
        if (k < 1 || k > items->n)
            return tn_bind_error(b, e->loc, TARN_EINVAL, "GROUP BY position %lld is not in the select list (1 to %d)",
                                 (long long)k, items->n);
        x = items->exprs[k - 1];
    } else if ((ai = alias_index(e, s)) >= 0 && !scope_has(sc, e)) {
        x = items->exprs[item_position(item_start, ai)];
    } else {
        tn_ectx ec = {.sc = sc, .clause = "GROUP BY"};
        TN_TRY(tn_bind_expr(b, &ec, e, &x));
    }
    if (has_placeholder(x, TN_PH_AGG) || has_placeholder(x, TN_PH_WINDOW))
        return tn_bind_error(b, e->loc, TARN_EINVAL, "GROUP BY cannot contain aggregates or window functions");
    for (int32_t i = 0; i < gs->n; i++)
        if (tn_expr_equal(gs->exprs[i], x)) {
            *index = i;
            return 0;
        }
    if (gs->n == 64)
        return tn_bind_error(b, e->loc, TARN_EUNSUPPORTED, "more than 64 GROUP BY expressions");
    if (gs->n == gs->cap) {
        int32_t ncap = gs->cap ? gs->cap * 2 : 8;
        tn_expr **g = arena_array(b, (size_t)ncap, sizeof *g);
        if (!g)
            return tn_bind_oom(b);
        if (gs->n)
            memcpy(g, gs->exprs, sizeof *g * (size_t)gs->n);
        gs->exprs = g;
        gs->cap = ncap;
    }
    gs->exprs[gs->n] = x;
    *index = gs->n++;
    return 0;
}

static int set_list_new(tn_binder *b, set_list *l, int32_t n)
{
    if (n > MAX_GROUPING_SETS)
        return tn_bind_error(b, 0, TARN_EUNSUPPORTED, "more than %d grouping sets", MAX_GROUPING_SETS);
    l->n = n;
    l->m = arena_array(b, (size_t)n, sizeof *l->m);
    return l->m ? 0 : tn_bind_oom(b);
}

/* Every combination of one set from a and one from c (their union). */
static int cross_sets(tn_binder *b, const set_list *a, const set_list *c, set_list *out)
{
    TN_TRY(set_list_new(b, out, a->n * c->n));
    for (int32_t i = 0; i < a->n; i++)
        for (int32_t j = 0; j < c->n; j++)
            out->m[i * c->n + j] = a->m[i] | c->m[j];
    return 0;
}

static int group_sets(tn_binder *b, const tn_sql_select *s, tn_scope *sc, sel_items *items, const int32_t *item_start,
                      group_state *gs, const tn_sql_group *gr, set_list *out)
{
    switch (gr->kind) {
    case TN_SQL_GROUP_EXPR: {
        int32_t k = 0;
        TN_TRY(group_expr(b, s, sc, items, item_start, gs, gr->expr, &k));
        TN_TRY(set_list_new(b, out, 1));
        out->m[0] = (uint64_t)1 << k;
        return 0;
    }
    case TN_SQL_GROUP_SET: {
        set_list acc = {0};
        TN_TRY(set_list_new(b, &acc, 1));
        acc.m[0] = 0;
        for (int i = 0; i < gr->n; i++) {
            set_list one = {0}, x = {0};
            TN_TRY(group_sets(b, s, sc, items, item_start, gs, gr->items[i], &one));
            TN_TRY(cross_sets(b, &acc, &one, &x));
            acc = x;
        }
        *out = acc;
        return 0;
    }
    case TN_SQL_GROUP_ROLLUP: case TN_SQL_GROUP_CUBE: {
        gs->has_sets = true;
        /* each element is one set (the union of its own) */
        uint64_t elem[64];
        if (gr->n > 16)
            return tn_bind_error(b, s->loc, TARN_EUNSUPPORTED, "ROLLUP / CUBE of more than 16 elements");
        for (int i = 0; i < gr->n; i++) {
            set_list one;
            TN_TRY(group_sets(b, s, sc, items, item_start, gs, gr->items[i], &one));
            elem[i] = 0;
            for (int32_t j = 0; j < one.n; j++)
                elem[i] |= one.m[j];
        }
        if (gr->kind == TN_SQL_GROUP_ROLLUP) {
            TN_TRY(set_list_new(b, out, gr->n + 1));
            for (int i = gr->n; i >= 0; i--) {
                uint64_t m = 0;
                for (int j = 0; j < i; j++)
                    m |= elem[j];
                out->m[gr->n - i] = m;
            }
        } else {
            TN_TRY(set_list_new(b, out, 1 << gr->n));
            for (int32_t bits = (1 << gr->n) - 1, k = 0; bits >= 0; bits--, k++) {
                uint64_t m = 0;
                for (int j = 0; j < gr->n; j++)
                    if (bits & (1 << (gr->n - 1 - j)))
                        m |= elem[j];
                out->m[k] = m;
            }
        }
        return 0;
    }
    case TN_SQL_GROUP_SETS: {
        gs->has_sets = true;
        set_list lists[64];
        int32_t total = 0;
        if (gr->n > 64)
            return tn_bind_error(b, s->loc, TARN_EUNSUPPORTED, "more than 64 items in GROUPING SETS");
        for (int i = 0; i < gr->n; i++) {
            TN_TRY(group_sets(b, s, sc, items, item_start, gs, gr->items[i], &lists[i]));
            total += lists[i].n;
        }
        TN_TRY(set_list_new(b, out, total));
        int32_t k = 0;
        for (int i = 0; i < gr->n; i++)
            for (int32_t j = 0; j < lists[i].n; j++)
                out->m[k++] = lists[i].m[j];
        return 0;
    }
    }
    return tn_bind_error(b, s->loc, TARN_EINTERNAL, "unknown GROUP BY item");
}

static int bind_group_by(tn_binder *b, const tn_sql_select *s, tn_scope *sc, sel_items *items,
                         const int32_t *item_start, group_state *gs)
{
    set_list acc = {0};
    TN_TRY(set_list_new(b, &acc, 1));
    acc.m[0] = 0;
    for (int i = 0; i < s->ngroup; i++) {
        set_list one = {0}, x = {0};
        TN_TRY(group_sets(b, s, sc, items, item_start, gs, s->group[i], &one));
        TN_TRY(cross_sets(b, &acc, &one, &x));
        acc = x;
    }
    if (gs->has_sets) {
        gs->sets = acc.m;
        gs->nsets = acc.n;
    }
    return 0;
}

static const char *expr_name(const tn_expr *e) { return e->text ? e->text : "?"; }

static int build_aggregate(tn_binder *b, tn_plan **plan, const group_state *gs, tn_ectx *ec)
{
    tn_plan *a = tn_plan_new(b->ctx, TN_PLAN_AGGREGATE, 1);
    if (!a)
        return tn_bind_oom(b);
    tn_expr **groups = gs->exprs;
    int32_t ngroups = gs->n;
    a->children[0] = *plan;
    a->groups = groups;
    a->ngroups = ngroups;
    a->aggs = ec->aggs;
    a->naggs = ec->naggs;
    a->grouping_sets = gs->sets;
    a->nsets = gs->sets ? gs->nsets : 0;
    int32_t n = ngroups + ec->naggs + (gs->sets ? 1 : 0);
    const char **names = arena_array(b, (size_t)n, sizeof *names);
    tn_type **types = arena_array(b, (size_t)n, sizeof *types);
    if (!names || !types)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < ngroups; i++) {
        names[i] = expr_name(groups[i]);
        types[i] = groups[i]->type;
    }
    for (int32_t i = 0; i < ec->naggs; i++) {
        names[ngroups + i] = ec->aggs[i].text ? ec->aggs[i].text : "?";
        types[ngroups + i] = ec->aggs[i].type;
    }
    if (gs->sets) {
        names[n - 1] = "grouping id";
        types[n - 1] = tn_type_get(TN_UINT64);
    }
    if (!(a->out = tn_bind_schema(b, n, names, types)))
        return tn_bind_oom(b);
    a->est_rows = ngroups == 0 ? 1 : (*plan)->est_rows;
    *plan = a;
    return 0;
}

static int build_filter(tn_binder *b, tn_plan **plan, tn_expr *pred)
{
    tn_plan *f = tn_plan_new(b->ctx, TN_PLAN_FILTER, 1);
    if (!f)
        return tn_bind_oom(b);
    f->children[0] = *plan;
    f->predicate = pred;
    f->out = (*plan)->out;
    f->est_rows = (*plan)->est_rows;
    *plan = f;
    return 0;
}

static int build_window(tn_binder *b, tn_plan **plan, tn_ectx *ec)
{
    tn_plan *w = tn_plan_new(b->ctx, TN_PLAN_WINDOW, 1);
    if (!w)
        return tn_bind_oom(b);
    tn_plan *child = *plan;
    w->children[0] = child;
    w->windows = ec->wins;
    w->nwindows = ec->nwins;
    int32_t nc = child->out->n_fields, n = nc + ec->nwins;
    const char **names = arena_array(b, (size_t)n, sizeof *names);
    tn_type **types = arena_array(b, (size_t)n, sizeof *types);
    if (!names || !types)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nc; i++) {
        names[i] = child->out->fields[i].name;
        types[i] = child->out->fields[i].type;
    }
    for (int32_t i = 0; i < ec->nwins; i++) {
        names[nc + i] = ec->wins[i].agg.text ? ec->wins[i].agg.text : "?";
        types[nc + i] = ec->wins[i].agg.type;
    }
    if (!(w->out = tn_bind_schema(b, n, names, types)))
        return tn_bind_oom(b);
    w->est_rows = child->est_rows;
    *plan = w;
    return 0;
}

/* Apply `fn` to every expression of the window calls. */
static int each_window_expr(tn_binder *b, tn_ectx *ec, const agg_rewrite *ar, int32_t window_base, bool rewrite)
{
    for (int32_t w = 0; w < ec->nwins; w++) {
        tn_window_call *wc = &ec->wins[w];
        tn_expr **lists[3] = {wc->agg.args, wc->partition, NULL};
        int32_t counts[3] = {wc->agg.nargs, wc->npartition, 0};
        for (int l = 0; l < 2; l++)
            for (int32_t i = 0; i < counts[l]; i++) {
                if (rewrite)
                    TN_TRY(rewrite_post_agg(b, ar, &lists[l][i]));
                else
                    settle(lists[l][i], window_base);
            }
        for (int32_t i = 0; i < wc->norder; i++) {
            if (rewrite)
                TN_TRY(rewrite_post_agg(b, ar, &wc->order[i].expr));
            else
                settle(wc->order[i].expr, window_base);
        }
        if (wc->agg.filter) {
            if (rewrite)
                TN_TRY(rewrite_post_agg(b, ar, &wc->agg.filter));
            else
                settle(wc->agg.filter, window_base);
        }
    }
    return 0;
}

static int bind_order_keys(tn_binder *b, const tn_sql_query *q, const tn_sql_select *s, tn_ectx *ec,
                           sel_items *items, const int32_t *item_start, order_key **keys, int32_t *nkeys)
{
    *nkeys = 0;
    *keys = NULL;
    if (q->order.n == 0)
        return 0;
    if (q->order_all) {
        *keys = arena_array(b, (size_t)items->n, sizeof **keys);
        if (!*keys)
            return tn_bind_oom(b);
        for (int32_t i = 0; i < items->n; i++) {
            (*keys)[i].column = i;
            (*keys)[i].desc = q->order.items[0].dir == TN_SQL_ORDER_DESC;
            (*keys)[i].nulls_first = q->order.items[0].nulls == TN_SQL_NULLS_FIRST;
        }
        *nkeys = items->n;
        return 0;
    }
    *keys = arena_array(b, (size_t)q->order.n, sizeof **keys);
    if (!*keys)
        return tn_bind_oom(b);
    for (int i = 0; i < q->order.n; i++) {
        const tn_sql_order *o = &q->order.items[i];
        order_key *k = &(*keys)[i];
        k->desc = o->dir == TN_SQL_ORDER_DESC;
        k->nulls_first = o->nulls == TN_SQL_NULLS_FIRST;
        k->column = -1;
        int ai;
        if (o->expr->kind == TN_SQL_LIT_INT) {
            int64_t pos = strtoll(o->expr->text, NULL, 10);
            if (pos < 1 || pos > items->n)
                return tn_bind_error(b, o->expr->loc, TARN_EINVAL,
                                     "ORDER BY position %lld is not in the select list (1 to %d)", (long long)pos, items->n);
            k->column = (int32_t)pos - 1;
            continue;
        }
        if (s && (ai = alias_index(o->expr, s)) >= 0) {
            k->column = item_position(item_start, ai);
            continue;
        }
        tn_expr *x;
        TN_TRY(tn_bind_expr(b, ec, o->expr, &x));
        for (int32_t c = 0; c < items->n && k->column < 0; c++)
            if (tn_expr_equal(items->exprs[c], x))
                k->column = c;
        if (k->column < 0)
            k->expr = x;
    }
    *nkeys = q->order.n;
    return 0;
}

static int build_project(tn_binder *b, tn_plan **plan, tn_expr **exprs, const char **names, int32_t n)
{
    tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_PROJECT, 1);
    if (!p)
        return tn_bind_oom(b);
    p->children[0] = *plan;
    p->exprs = exprs;
    p->nexprs = n;
    tn_type **types = arena_array(b, (size_t)n, sizeof *types);
    if (!types)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < n; i++)
        types[i] = exprs[i]->type;
    if (!(p->out = tn_bind_schema(b, n, names, types)))
        return tn_bind_oom(b);
    p->est_rows = (*plan)->est_rows;
    *plan = p;
    return 0;
}

static int build_sort(tn_binder *b, tn_plan **plan, const order_key *keys, int32_t nkeys)
{
    tn_plan *s = tn_plan_new(b->ctx, TN_PLAN_SORT, 1);
    if (!s)
        return tn_bind_oom(b);
    s->children[0] = *plan;
    s->out = (*plan)->out;
    s->nsort = nkeys;
    s->sort = arena_array(b, (size_t)nkeys, sizeof *s->sort);
    if (!s->sort)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nkeys; i++) {
        const tn_field *f = &(*plan)->out->fields[keys[i].column];
        s->sort[i].expr = tn_expr_column(b->ctx, keys[i].column, tn_type_ref(f->type));
        if (!s->sort[i].expr)
            return tn_bind_oom(b);
        s->sort[i].expr->text = f->name;
        s->sort[i].descending = keys[i].desc;
        s->sort[i].nulls_first = keys[i].nulls_first;
    }
    s->est_rows = (*plan)->est_rows;
    *plan = s;
    return 0;
}

/* DISTINCT ON (k...): the first row of each k in ORDER BY order, as
 * FILTER (row_number() OVER (PARTITION BY k ORDER BY the ORDER BY keys) = 1)
 * over the select list, then a PROJECT dropping the row number. */
static int distinct_on(tn_binder *b, tn_plan **plan, const int32_t *on_cols, int32_t non, const order_key *keys,
                       int32_t nkeys)
{
    tn_plan *child = *plan;
    int32_t n = child->out->n_fields;
    tn_window_call *wc = tn_arena_calloc(&b->ctx->arena, sizeof *wc);
    if (!wc)
        return tn_bind_oom(b);
    TN_TRY(tn_window_func_resolve(b->ctx, "row_number", NULL, 0, wc, b->err));
    wc->agg.text = "row_number()";
    wc->npartition = non;
    wc->partition = arena_array(b, (size_t)non, sizeof *wc->partition);
    wc->norder = nkeys;
    wc->order = arena_array(b, (size_t)nkeys, sizeof *wc->order);
    if (!wc->partition || !wc->order)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < non; i++)
        if (!(wc->partition[i] = tn_expr_column(b->ctx, on_cols[i], tn_type_ref(child->out->fields[on_cols[i]].type))))
            return tn_bind_oom(b);
    for (int32_t i = 0; i < nkeys; i++) {
        if (!(wc->order[i].expr = tn_expr_column(b->ctx, keys[i].column, tn_type_ref(child->out->fields[keys[i].column].type))))
            return tn_bind_oom(b);
        wc->order[i].descending = keys[i].desc;
        wc->order[i].nulls_first = keys[i].nulls_first;
    }
    wc->unit = TN_FRAME_ROWS;
    wc->start.kind = TN_BOUND_UNBOUNDED_PRECEDING;
    wc->end.kind = TN_BOUND_CURRENT_ROW;
    tn_ectx ec = {0};
    ec.wins = wc;
    ec.nwins = 1;
    ec.capwins = 1;
    tn_plan *w = child;
    TN_TRY(build_window(b, &w, &ec));
    tn_expr *rn = tn_expr_column(b->ctx, n, tn_type_ref(wc->agg.type));
    tn_scalar *one = tn_scalar_int(wc->agg.type, 1);
    tn_expr *lit1 = one ? tn_expr_literal(b->ctx, one) : NULL;
    tn_expr *eq = tn_expr_new(b->ctx, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
    if (!rn || !lit1 || !eq)
        return tn_bind_oom(b);
    eq->cmp = TN_CMP_EQ;
    eq->args[0] = rn;
    eq->args[1] = lit1;
    TN_TRY(build_filter(b, &w, eq));
    int32_t *cols = arena_array(b, (size_t)n, sizeof *cols);
    if (!cols)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < n; i++)
        cols[i] = i;
    if (!(*plan = tn_plan_project_columns(b->ctx, w, cols, n)))
        return tn_bind_oom(b);
    return 0;
}

static int bind_select(tn_binder *b, const tn_sql_select *s, const tn_sql_query *q, tn_scope *outer, tn_plan **out)
{
    tn_scope sc = {0};
    tn_plan *plan;
    TN_TRY(bind_from(b, s, outer, &plan, &sc));
    if (s->where) {
        tn_ectx wc = {.sc = &sc, .clause = "WHERE"};
        tn_expr *pred;
        TN_TRY(tn_bind_condition(b, &wc, s->where, &pred));
        TN_TRY(build_filter(b, &plan, pred));
    }
    /* select list, over the FROM columns, aggregates and windows as placeholders */
    tn_ectx ec = {.sc = &sc, .allow = TN_ALLOW_AGG | TN_ALLOW_WINDOW, .clause = "SELECT", .select = s};
    sel_items items = {0};
    int32_t *item_start = arena_array(b, (size_t)s->nitems, sizeof *item_start);
    if (!item_start)
        return tn_bind_oom(b);
    for (int i = 0; i < s->nitems; i++) {
        const tn_sql_select_item *it = &s->items[i];
        item_start[i] = items.n;
        if (it->expr->kind == TN_SQL_STAR) {
            TN_TRY(expand_star(b, &sc, it->expr, &items));
            continue;
        }
        tn_expr *x;
        TN_TRY(tn_bind_expr(b, &ec, it->expr, &x));
        const char *name = it->alias ? it->alias->text : tn_bind_expr_text(b, it->expr);
        if (!name)
            return tn_bind_oom(b);
        TN_TRY(add_item(b, &items, x, name));
    }
    int32_t nvisible = items.n;
    group_state gs = {0};
    if (s->group_all) {
        gs.exprs = arena_array(b, (size_t)items.n, sizeof *gs.exprs);
        if (!gs.exprs)
            return tn_bind_oom(b);
        for (int32_t i = 0; i < items.n; i++)
            if (!has_placeholder(items.exprs[i], TN_PH_AGG) && !has_placeholder(items.exprs[i], TN_PH_WINDOW))
                gs.exprs[gs.n++] = items.exprs[i];
    } else if (s->ngroup) {
        TN_TRY(bind_group_by(b, s, &sc, &items, item_start, &gs));
    }
    tn_expr *having = NULL, *qualify = NULL;
    if (s->having) {
        ec.clause = "HAVING";
        ec.allow = TN_ALLOW_AGG;
        TN_TRY(tn_bind_condition(b, &ec, s->having, &having));
    }
    if (s->qualify) {
        ec.clause = "QUALIFY";
        ec.allow = TN_ALLOW_AGG | TN_ALLOW_WINDOW;
        TN_TRY(tn_bind_condition(b, &ec, s->qualify, &qualify));
    }
    order_key *keys = NULL;
    int32_t nkeys = 0;
    ec.clause = "ORDER BY";
    ec.allow = TN_ALLOW_AGG | TN_ALLOW_WINDOW;
    if (q)
        TN_TRY(bind_order_keys(b, q, s, &ec, &items, item_start, &keys, &nkeys));
    for (int32_t i = 0; i < nkeys; i++)
        if (keys[i].column < 0) {
            if (s->distinct == TN_SQL_DISTINCT_ALL)
                return tn_bind_error(b, q->order.items[i].expr->loc, TARN_EINVAL,
                                     "for SELECT DISTINCT, ORDER BY expressions must appear in the select list");
            keys[i].column = items.n;
            TN_TRY(add_item(b, &items, keys[i].expr, expr_name(keys[i].expr)));
        }
    /* DISTINCT ON keys: select-list columns (hidden ones when not selected) */
    int32_t *on_cols = NULL;
    if (s->distinct == TN_SQL_DISTINCT_ON) {
        on_cols = arena_array(b, (size_t)s->distinct_on.n, sizeof *on_cols);
        if (!on_cols)
            return tn_bind_oom(b);
        ec.clause = "DISTINCT ON";
        for (int i = 0; i < s->distinct_on.n; i++) {
            const tn_sql_expr *oe = s->distinct_on.items[i];
            int ai;
            if (oe->kind == TN_SQL_LIT_INT) {
                int64_t pos = strtoll(oe->text, NULL, 10);
                if (pos < 1 || pos > nvisible)
                    return tn_bind_error(b, oe->loc, TARN_EINVAL, "DISTINCT ON position %lld is not in the select list",
                                         (long long)pos);
                on_cols[i] = (int32_t)pos - 1;
                continue;
            }
            if ((ai = alias_index(oe, s)) >= 0) {
                on_cols[i] = item_position(item_start, ai);
                continue;
            }
            tn_expr *x;
            TN_TRY(tn_bind_expr(b, &ec, oe, &x));
            on_cols[i] = -1;
            for (int32_t c = 0; c < items.n && on_cols[i] < 0; c++)
                if (tn_expr_equal(items.exprs[c], x))
                    on_cols[i] = c;
            if (on_cols[i] < 0) {
                on_cols[i] = items.n;
                TN_TRY(add_item(b, &items, x, expr_name(x)));
            }
        }
    }
    bool aggregating = gs.n > 0 || ec.naggs > 0 || having || s->group_all || s->ngroup;
    if (aggregating) {
        agg_rewrite ar = {gs.exprs, gs.n, "SELECT", ec.naggs, gs.sets != NULL};
        for (int32_t i = 0; i < items.n; i++)
            TN_TRY(rewrite_post_agg(b, &ar, &items.exprs[i]));
        ar.clause = "HAVING";
        TN_TRY(rewrite_post_agg(b, &ar, &having));
        ar.clause = "QUALIFY";
        TN_TRY(rewrite_post_agg(b, &ar, &qualify));
        ar.clause = "window";
        TN_TRY(each_window_expr(b, &ec, &ar, 0, true));
        TN_TRY(build_aggregate(b, &plan, &gs, &ec));
        if (having) {
            settle(having, 0);
            TN_TRY(build_filter(b, &plan, having));
        }
    }
    int32_t window_base = plan->out->n_fields;
    TN_TRY(each_window_expr(b, &ec, NULL, window_base, false));
    if (ec.nwins)
        TN_TRY(build_window(b, &plan, &ec));
    if (qualify) {
        settle(qualify, window_base);
        TN_TRY(build_filter(b, &plan, qualify));
    }
    for (int32_t i = 0; i < items.n; i++)
        settle(items.exprs[i], window_base);
    TN_TRY(build_project(b, &plan, items.exprs, items.names, items.n));
    if (s->distinct == TN_SQL_DISTINCT_ALL) {
        tn_plan *d = tn_plan_new(b->ctx, TN_PLAN_DISTINCT, 1);
        if (!d)
            return tn_bind_oom(b);
        d->children[0] = plan;
        d->out = plan->out;
        d->est_rows = plan->est_rows;
        plan = d;
    } else if (s->distinct == TN_SQL_DISTINCT_ON) {
        TN_TRY(distinct_on(b, &plan, on_cols, s->distinct_on.n, keys, nkeys));
    }
    if (nkeys)
        TN_TRY(build_sort(b, &plan, keys, nkeys));
    if (items.n > nvisible) {
        int32_t *cols = arena_array(b, (size_t)nvisible, sizeof *cols);
        if (!cols)
            return tn_bind_oom(b);
        for (int32_t i = 0; i < nvisible; i++)
            cols[i] = i;
        if (!(plan = tn_plan_project_columns(b->ctx, plan, cols, nvisible)))
            return tn_bind_oom(b);
    }
    *out = plan;
    return 0;
}

/* ---- VALUES and set operations ---------------------------------------------------------- */

static int bind_values(tn_binder *b, const tn_sql_qnode *v, tn_scope *outer, tn_plan **out)
{
    int32_t ncols = v->nrows ? v->rows[0].n : 0;
    tn_plan *p = tn_plan_new(b->ctx, TN_PLAN_VALUES, 0);
    if (!p)
        return tn_bind_oom(b);
    p->loc = v->loc;
    p->nrows = v->nrows;
    p->rows = arena_array(b, (size_t)v->nrows, sizeof *p->rows);
    tn_type **types = arena_array(b, (size_t)ncols, sizeof *types);
    const char **names = arena_array(b, (size_t)ncols, sizeof *names);
    if (!p->rows || !types || !names)
        return tn_bind_oom(b);
    tn_scope empty = {0};
    empty.parent = outer;
    tn_ectx ec = {.sc = &empty, .clause = "VALUES"};
    for (int32_t c = 0; c < ncols; c++)
        types[c] = tn_type_get(TN_NA);
    for (int r = 0; r < v->nrows; r++) {
        if (v->rows[r].n != ncols)
            return tn_bind_error(b, v->rows[r].n ? v->rows[r].items[0]->loc : v->loc, TARN_EINVAL,
                                 "VALUES rows have different lengths (%d and %d)", ncols, v->rows[r].n);
        p->rows[r] = arena_array(b, (size_t)ncols, sizeof *p->rows[r]);
        if (!p->rows[r])
            return tn_bind_oom(b);
        for (int32_t c = 0; c < ncols; c++) {
            TN_TRY(tn_bind_expr(b, &ec, v->rows[r].items[c], &p->rows[r][c]));
            tn_type *u;
            TN_TRY(tn_bind_unify(b, types[c], p->rows[r][c]->type, p->rows[r][c]->loc, &u));
            if (!tn_plan_keep_type(b->ctx, u))
                return tn_bind_oom(b);
            types[c] = u;
        }
    }
    for (int32_t c = 0; c < ncols; c++) {
        char nm[24];
        snprintf(nm, sizeof nm, "col%d", c);
        if (!(names[c] = tn_bind_strdup(b, nm)))
            return tn_bind_oom(b);
        for (int r = 0; r < v->nrows; r++)
            TN_TRY(tn_bind_cast(b, p->rows[r][c], tn_type_ref(types[c]), p->rows[r][c]->loc, &p->rows[r][c]));
    }
    if (!(p->out = tn_bind_schema(b, ncols, names, types)))
        return tn_bind_oom(b);
    p->est_rows = (double)v->nrows;
    *out = p;
    return 0;
}

/* Cast the columns of p to types (a PROJECT when any differs). */
static int cast_columns(tn_binder *b, tn_plan **p, tn_type *const *types, const char *const *names)
{
    int32_t n = (*p)->out->n_fields;
    bool same = true;
    for (int32_t i = 0; i < n; i++)
        same = same && tn_type_equals((*p)->out->fields[i].type, types[i]);
    if (same)
        return 0;
    tn_expr **exprs = arena_array(b, (size_t)n, sizeof *exprs);
    if (!exprs)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < n; i++) {
        tn_expr *c = tn_expr_column(b->ctx, i, tn_type_ref((*p)->out->fields[i].type));
        if (!c)
            return tn_bind_oom(b);
        c->text = (*p)->out->fields[i].name;
        TN_TRY(tn_bind_cast(b, c, tn_type_ref(types[i]), (*p)->loc, &exprs[i]));
    }
    return build_project(b, p, exprs, (const char **)names, n);
}

static int bind_qnode(tn_binder *b, const tn_sql_qnode *n, tn_scope *outer, tn_plan **out);

static tn_setop_kind setop_kind(tn_sql_setop op)
{
    return op == TN_SQL_UNION ? TN_SETOP_UNION : op == TN_SQL_INTERSECT ? TN_SETOP_INTERSECT : TN_SETOP_EXCEPT;
}

static int bind_setop(tn_binder *b, const tn_sql_qnode *n, tn_scope *outer, tn_plan **out)
{
    tn_plan *l, *r;
    TN_TRY(bind_qnode(b, n->left, outer, &l));
    TN_TRY(bind_qnode(b, n->right, outer, &r));
    int32_t nc = l->out->n_fields;
    if (r->out->n_fields != nc)
        return tn_bind_error(b, n->loc, TARN_EINVAL, "set operation sides have %d and %d columns", nc,
                             r->out->n_fields);
    tn_setop_kind k = setop_kind(n->op);
    /* flatten UNION chains into one n-ary node */
    bool flatten = k == TN_SETOP_UNION && l->kind == TN_PLAN_SETOP && l->setop == TN_SETOP_UNION && l->all == n->all;
    tn_type **types = arena_array(b, (size_t)nc, sizeof *types);
    const char **names = arena_array(b, (size_t)nc, sizeof *names);
    if (!types || !names)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nc; i++) {
        tn_type *u;
        TN_TRY(tn_bind_unify(b, l->out->fields[i].type, r->out->fields[i].type, n->loc, &u));
        if (u->id == TN_NA) {
            tn_type_unref(u);
            u = tn_type_get(TN_INT32);
        }
        if (!tn_plan_keep_type(b->ctx, u))
            return tn_bind_oom(b);
        types[i] = u;
        names[i] = l->out->fields[i].name;
    }
    int32_t nkids = flatten ? l->nchildren + 1 : 2;
    tn_plan *s = tn_plan_new(b->ctx, TN_PLAN_SETOP, nkids);
    if (!s)
        return tn_bind_oom(b);
    s->loc = n->loc;
    s->setop = k;
    s->all = n->all;
    if (flatten)
        for (int32_t i = 0; i < l->nchildren; i++)
            s->children[i] = l->children[i];
    else
        s->children[0] = l;
    s->children[nkids - 1] = r;
    for (int32_t i = 0; i < nkids; i++)
        TN_TRY(cast_columns(b, &s->children[i], types, names));
    if (!(s->out = tn_bind_schema(b, nc, names, types)))
        return tn_bind_oom(b);
    s->est_rows = 0;
    for (int32_t i = 0; i < nkids; i++)
        s->est_rows += s->children[i]->est_rows < 0 ? 1000 : s->children[i]->est_rows;
    *out = s;
    return 0;
}

static int bind_qnode(tn_binder *b, const tn_sql_qnode *n, tn_scope *outer, tn_plan **out)
{
    switch (n->kind) {
    case TN_SQL_Q_SELECT: return bind_select(b, n->select, NULL, outer, out);
    case TN_SQL_Q_VALUES: return bind_values(b, n, outer, out);
    case TN_SQL_Q_SETOP: return bind_setop(b, n, outer, out);
    case TN_SQL_Q_PAREN: {
        bool corr = false;
        return tn_bind_query(b, n->paren, outer, out, &corr);
    }
    }
    return tn_bind_error(b, n->loc, TARN_EINTERNAL, "unknown query node");
}

/* ORDER BY over the output columns of a VALUES / set operation. */
static int order_outputs(tn_binder *b, const tn_sql_query *q, tn_scope *outer, tn_plan **plan)
{
    tn_scope sc = {0};
    sc.parent = outer;
    TN_TRY(scope_from_schema(b, &sc, (*plan)->out, NULL, false, 0));
    sel_items items = {0};
    for (int32_t i = 0; i < (*plan)->out->n_fields; i++) {
        tn_expr *c = tn_expr_column(b->ctx, i, tn_type_ref((*plan)->out->fields[i].type));
        if (!c)
            return tn_bind_oom(b);
        TN_TRY(add_item(b, &items, c, (*plan)->out->fields[i].name));
    }
    tn_ectx ec = {.sc = &sc, .clause = "ORDER BY"};
    order_key *keys;
    int32_t nkeys;
    TN_TRY(bind_order_keys(b, q, NULL, &ec, &items, NULL, &keys, &nkeys));
    int32_t nvisible = items.n;
    for (int32_t i = 0; i < nkeys; i++)
        if (keys[i].column < 0) {
            keys[i].column = items.n;
            TN_TRY(add_item(b, &items, keys[i].expr, expr_name(keys[i].expr)));
        }
    if (items.n > nvisible)
        TN_TRY(build_project(b, plan, items.exprs, items.names, items.n));
    TN_TRY(build_sort(b, plan, keys, nkeys));
    if (items.n > nvisible) {
        int32_t *cols = arena_array(b, (size_t)nvisible, sizeof *cols);
        if (!cols)
            return tn_bind_oom(b);
        for (int32_t i = 0; i < nvisible; i++)
            cols[i] = i;
        if (!(*plan = tn_plan_project_columns(b->ctx, *plan, cols, nvisible)))
            return tn_bind_oom(b);
    }
    return 0;
}

static int push_ctes(tn_binder *b, const tn_sql_query *q)
{
    for (int i = 0; i < q->nctes; i++) {
        tn_bcte *c = tn_arena_calloc(&b->ctx->arena, sizeof *c);
        if (!c)
            return tn_bind_oom(b);
        c->cte = &q->ctes[i];
        c->recursive = q->recursive;
        c->visible = b->ctes; /* the CTEs before it; a recursive one sees itself in its step */
        c->next = b->ctes;
        b->ctes = c;
    }
    return 0;
}

int tn_bind_query(tn_binder *b, const tn_sql_query *q, tn_scope *outer, tn_plan **out, bool *correlated)
{
    (void)correlated;
    tn_bcte *saved = b->ctes;
    int rc = push_ctes(b, q);
    tn_plan *plan = NULL;
    if (!rc) {
        if (q->body->kind == TN_SQL_Q_SELECT)
            rc = bind_select(b, q->body->select, q, outer, &plan);
        else {
            rc = bind_qnode(b, q->body, outer, &plan);
            if (!rc && q->order.n)
                rc = order_outputs(b, q, outer, &plan);
        }
    }
    b->ctes = saved;
    TN_TRY(rc);
    if (q->limit || q->offset) {
        int64_t limit = -1, offset = 0;
        if (q->limit)
            TN_TRY(int_constant(b, q->limit, "LIMIT", &limit));
        if (q->offset)
            TN_TRY(int_constant(b, q->offset, "OFFSET", &offset));
        if (offset < 0)
            offset = 0;
        tn_plan *l = tn_plan_new(b->ctx, TN_PLAN_LIMIT, 1);
        if (!l)
            return tn_bind_oom(b);
        l->children[0] = plan;
        l->out = plan->out;
        l->limit = limit;
        l->offset = offset;
        l->est_rows = limit >= 0 && (plan->est_rows < 0 || plan->est_rows > (double)limit) ? (double)limit : plan->est_rows;
        plan = l;
    }
    plan->loc = q->loc;
    *out = plan;
    return 0;
}
