/*
 * print.c — renders the AST back to canonical SQL text.
 *
 * Operators are fully parenthesized, so the text shows the tree exactly and
 * parses back to the same tree: print(parse(print(parse(x)))) equals
 * print(parse(x)), which the tests check for every statement they parse.
 * Keywords are upper case; identifiers keep their spelling and are quoted
 * again when they were quoted. The recursion is as deep as the tree, which
 * the parser bounds (TN_SQL_MAX_DEPTH).
 */
#include <stdio.h>
#include <string.h>

#include "sql/parser/parser.h"

typedef struct pr {
    tn_buf *b;
    tarn_error *err;
    int rc;
} pr;

static void put(pr *w, const char *s)
{
    if (!w->rc)
        w->rc = tn_buf_append_str(w->b, s, w->err);
}

static void putn(pr *w, const char *s, size_t n)
{
    if (!w->rc && n)
        w->rc = tn_buf_append(w->b, s, n, w->err);
}

static void ident(pr *w, const tn_sql_ident *id)
{
    if (!id->quoted) {
        put(w, id->text);
        return;
    }
    put(w, "\"");
    const char *s = id->text, *start = s;
    for (; *s; s++) {
        if (*s == '"') {
            putn(w, start, (size_t)(s - start) + 1);
            start = s;
        }
    }
    putn(w, start, (size_t)(s - start));
    put(w, "\"");
}

static void name(pr *w, const tn_sql_name *n)
{
    for (int i = 0; i < n->n; i++) {
        if (i)
            put(w, ".");
        ident(w, &n->parts[i]);
    }
}

static void idents(pr *w, const tn_sql_idents *l)
{
    put(w, "(");
    for (int i = 0; i < l->n; i++) {
        if (i)
            put(w, ", ");
        ident(w, &l->items[i]);
    }
    put(w, ")");
}

static void string(pr *w, const char *s, size_t n)
{
    put(w, "'");
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') {
            putn(w, s + start, i + 1 - start);
            start = i;
        }
    }
    putn(w, s + start, n - start);
    put(w, "'");
}

static void expr(pr *w, const tn_sql_expr *e);
static void query(pr *w, const tn_sql_query *q);
static void stmt(pr *w, const tn_sql_stmt *s);

static void type(pr *w, const tn_sql_type *t)
{
    char num[48];
    switch (t->kind) {
    case TN_SQL_TYPE_NAMED: {
        const char *with = strstr(t->name, " WITH");
        putn(w, t->name, with ? (size_t)(with - t->name) : strlen(t->name));
        for (int i = 0; i < t->nparams; i++) {
            snprintf(num, sizeof num, "%s%lld", i ? ", " : "(", (long long)t->params[i]);
            put(w, num);
        }
        if (t->nparams)
            put(w, ")");
        if (with)
            put(w, with);
        break;
    }
    case TN_SQL_TYPE_LIST:
        type(w, t->elem);
        put(w, "[]");
        break;
    case TN_SQL_TYPE_ARRAY:
        type(w, t->elem);
        snprintf(num, sizeof num, "[%lld]", (long long)t->size);
        put(w, num);
        break;
    case TN_SQL_TYPE_STRUCT:
        put(w, "STRUCT(");
        for (int i = 0; i < t->nfields; i++) {
            if (i)
                put(w, ", ");
            ident(w, &t->fields[i]);
            put(w, " ");
            type(w, t->ftypes[i]);
        }
        put(w, ")");
        break;
    case TN_SQL_TYPE_MAP:
        put(w, "MAP(");
        type(w, t->elem);
        put(w, ", ");
        type(w, t->value);
        put(w, ")");
        break;
    }
}

static void exprs(pr *w, const tn_sql_exprs *l)
{
    for (int i = 0; i < l->n; i++) {
        if (i)
            put(w, ", ");
        expr(w, l->items[i]);
    }
}

static void orders(pr *w, const tn_sql_orders *l)
{
    for (int i = 0; i < l->n; i++) {
        const tn_sql_order *o = &l->items[i];
        if (i)
            put(w, ", ");
        if (o->expr)
            expr(w, o->expr);
        else
            put(w, "ALL");
        put(w, o->dir == TN_SQL_ORDER_ASC ? " ASC" : o->dir == TN_SQL_ORDER_DESC ? " DESC" : "");
        put(w, o->nulls == TN_SQL_NULLS_FIRST ? " NULLS FIRST" : o->nulls == TN_SQL_NULLS_LAST ? " NULLS LAST" : "");
    }
}

static void bound(pr *w, const tn_sql_bound *b)
{
    switch (b->kind) {
    case TN_SQL_BOUND_NONE: break;
    case TN_SQL_BOUND_UNBOUNDED_PRECEDING: put(w, "UNBOUNDED PRECEDING"); break;
    case TN_SQL_BOUND_UNBOUNDED_FOLLOWING: put(w, "UNBOUNDED FOLLOWING"); break;
    case TN_SQL_BOUND_CURRENT_ROW: put(w, "CURRENT ROW"); break;
    case TN_SQL_BOUND_PRECEDING:
    case TN_SQL_BOUND_FOLLOWING:
        expr(w, b->offset);
        put(w, b->kind == TN_SQL_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        break;
    }
}

static void window(pr *w, const tn_sql_window *win)
{
    if (win->bare_name) {
        ident(w, win->base);
        return;
    }
    const char *sep = "";
    put(w, "(");
    if (win->base) {
        ident(w, win->base);
        sep = " ";
    }
    if (win->partition.n) {
        put(w, sep);
        put(w, "PARTITION BY ");
        exprs(w, &win->partition);
        sep = " ";
    }
    if (win->order.n) {
        put(w, sep);
        put(w, "ORDER BY ");
        orders(w, &win->order);
        sep = " ";
    }
    if (win->unit) {
        static const char *const units[] = {"", "ROWS", "RANGE", "GROUPS"};
        static const char *const ex[] = {"", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP", " EXCLUDE TIES",
                                         " EXCLUDE NO OTHERS"};
        put(w, sep);
        put(w, units[win->unit]);
        if (win->end.kind) {
            put(w, " BETWEEN ");
            bound(w, &win->start);
            put(w, " AND ");
            bound(w, &win->end);
        } else {
            put(w, " ");
            bound(w, &win->start);
        }
        put(w, ex[win->exclude]);
    }
    put(w, ")");
}

static const char *op_text(tn_sql_op op)
{
    switch (op) {
    case TN_SQL_OP_OR: return "OR";
    case TN_SQL_OP_AND: return "AND";
    case TN_SQL_OP_NOT: return "NOT ";
    case TN_SQL_OP_EQ: return "=";
    case TN_SQL_OP_NE: return "<>";
    case TN_SQL_OP_LT: return "<";
    case TN_SQL_OP_LE: return "<=";
    case TN_SQL_OP_GT: return ">";
    case TN_SQL_OP_GE: return ">=";
    case TN_SQL_OP_CONCAT: return "||";
    case TN_SQL_OP_BITAND: return "&";
    case TN_SQL_OP_BITOR: return "|";
    case TN_SQL_OP_BITXOR: return "#";
    case TN_SQL_OP_SHL: return "<<";
    case TN_SQL_OP_SHR: return ">>";
    case TN_SQL_OP_ADD: return "+";
    case TN_SQL_OP_SUB: return "-";
    case TN_SQL_OP_MUL: return "*";
    case TN_SQL_OP_DIV: return "/";
    case TN_SQL_OP_INTDIV: return "//";
    case TN_SQL_OP_MOD: return "%";
    case TN_SQL_OP_POW: return "^";
    case TN_SQL_OP_NEG: return "-";
    case TN_SQL_OP_PLUS: return "+";
    case TN_SQL_OP_BITNOT: return "~";
    default: return "?";
    }
}

/* A postfix base ([i], [i:j]) that needs no parentheses of its own. */
static int tight(const tn_sql_expr *e)
{
    switch (e->kind) {
    case TN_SQL_COLUMN: case TN_SQL_FUNC: case TN_SQL_SUBSCRIPT: case TN_SQL_SLICE: case TN_SQL_LIST:
    case TN_SQL_STRUCT: case TN_SQL_CAST: case TN_SQL_PARAM: case TN_SQL_SUBQUERY: case TN_SQL_EXTRACT:
    case TN_SQL_CASE:
        return 1;
    default:
        return 0;
    }
}

static void wrapped(pr *w, const tn_sql_expr *e, int need)
{
    if (need)
        put(w, "(");
    expr(w, e);
    if (need)
        put(w, ")");
}

static void func(pr *w, const tn_sql_expr *e)
{
    name(w, &e->name);
    put(w, "(");
    if (e->star)
        put(w, "*");
    if (e->distinct)
        put(w, "DISTINCT ");
    exprs(w, &e->list);
    if (e->order.n) {
        put(w, " ORDER BY ");
        orders(w, &e->order);
    }
    put(w, ")");
    if (e->filter) {
        put(w, " FILTER (WHERE ");
        expr(w, e->filter);
        put(w, ")");
    }
    if (e->over) {
        put(w, " OVER ");
        window(w, e->over);
    }
}

/* IS, BETWEEN, IN, LIKE and quantified comparisons. */
static void predicate(pr *w, const tn_sql_expr *e)
{
    static const char *const is[] = {"NULL", "TRUE", "FALSE", "UNKNOWN", "DISTINCT FROM "};
    static const char *const like[] = {"LIKE ", "ILIKE ", "SIMILAR TO "};
    put(w, "(");
    expr(w, e->left);
    switch (e->kind) {
    case TN_SQL_IS:
        put(w, e->negated ? " IS NOT " : " IS ");
        put(w, is[e->is]);
        if (e->right)
            expr(w, e->right);
        break;
    case TN_SQL_BETWEEN:
        put(w, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        expr(w, e->right);
        put(w, " AND ");
        expr(w, e->third);
        break;
    case TN_SQL_IN_LIST:
    case TN_SQL_IN_QUERY:
        put(w, e->negated ? " NOT IN (" : " IN (");
        if (e->kind == TN_SQL_IN_LIST)
            exprs(w, &e->list);
        else
            query(w, e->query);
        put(w, ")");
        break;
    case TN_SQL_LIKE:
        put(w, e->negated ? " NOT " : " ");
        put(w, like[e->like]);
        expr(w, e->right);
        if (e->third) {
            put(w, " ESCAPE ");
            expr(w, e->third);
        }
        break;
    default: /* QUANTIFIED */
        put(w, " ");
        put(w, op_text(e->op));
        put(w, e->all ? " ALL (" : " ANY (");
        if (e->query)
            query(w, e->query);
        else
            expr(w, e->right);
        put(w, ")");
        break;
    }
    put(w, ")");
}

static void expr(pr *w, const tn_sql_expr *e)
{
    if (w->rc)
        return;
    char num[32];
    switch (e->kind) {
    case TN_SQL_LIT_NULL: put(w, "NULL"); break;
    case TN_SQL_LIT_BOOL: put(w, e->boolean ? "TRUE" : "FALSE"); break;
    case TN_SQL_LIT_INT:
    case TN_SQL_LIT_NUMBER: put(w, e->text); break;
    case TN_SQL_LIT_STRING: string(w, e->text, e->len); break;
    case TN_SQL_LIT_BLOB:
        put(w, "X'");
        put(w, e->text);
        put(w, "'");
        break;
    case TN_SQL_LIT_TYPED:
        type(w, e->type);
        put(w, " ");
        expr(w, e->right);
        break;
    case TN_SQL_INTERVAL:
        put(w, "INTERVAL ");
        wrapped(w, e->left, e->left->kind != TN_SQL_LIT_STRING);
        if (e->text) {
            put(w, " ");
            put(w, e->text);
        }
        break;
    case TN_SQL_COLUMN: name(w, &e->name); break;
    case TN_SQL_STAR:
        if (e->name.n) {
            name(w, &e->name);
            put(w, ".");
        }
        put(w, "*");
        if (e->list.n) {
            put(w, " EXCLUDE (");
            exprs(w, &e->list);
            put(w, ")");
        }
        break;
    case TN_SQL_PARAM:
        snprintf(num, sizeof num, "$%lld", (long long)e->index);
        put(w, e->index ? num : "?");
        break;
    case TN_SQL_UNARY:
        put(w, "(");
        put(w, op_text(e->op));
        expr(w, e->left);
        put(w, ")");
        break;
    case TN_SQL_BINARY:
        put(w, "(");
        expr(w, e->left);
        put(w, " ");
        put(w, op_text(e->op));
        put(w, " ");
        expr(w, e->right);
        put(w, ")");
        break;
    case TN_SQL_IS:
    case TN_SQL_BETWEEN:
    case TN_SQL_IN_LIST:
    case TN_SQL_IN_QUERY:
    case TN_SQL_LIKE:
    case TN_SQL_QUANTIFIED:
        predicate(w, e);
        break;
    case TN_SQL_EXISTS:
        put(w, "EXISTS (");
        query(w, e->query);
        put(w, ")");
        break;
    case TN_SQL_SUBQUERY:
        put(w, "(");
        query(w, e->query);
        put(w, ")");
        break;
    case TN_SQL_CASE:
        put(w, "CASE");
        if (e->left) {
            put(w, " ");
            expr(w, e->left);
        }
        for (int i = 0; i < e->list.n; i++) {
            put(w, " WHEN ");
            expr(w, e->list.items[i]);
            put(w, " THEN ");
            expr(w, e->list2.items[i]);
        }
        if (e->right) {
            put(w, " ELSE ");
            expr(w, e->right);
        }
        put(w, " END");
        break;
    case TN_SQL_CAST:
        put(w, e->try_cast ? "TRY_CAST(" : "CAST(");
        expr(w, e->left);
        put(w, " AS ");
        type(w, e->type);
        put(w, ")");
        break;
    case TN_SQL_EXTRACT:
        put(w, "EXTRACT(");
        put(w, e->text);
        put(w, " FROM ");
        expr(w, e->left);
        put(w, ")");
        break;
    case TN_SQL_FUNC:
        func(w, e);
        break;
    case TN_SQL_NAMED_ARG: {
        tn_sql_ident id = {.text = e->text, .quoted = 1};
        ident(w, &id);
        put(w, " := ");
        expr(w, e->left);
        break;
    }
    case TN_SQL_SUBSCRIPT:
    case TN_SQL_SLICE:
        wrapped(w, e->left, !tight(e->left));
        put(w, "[");
        if (e->right)
            expr(w, e->right);
        if (e->kind == TN_SQL_SLICE) {
            put(w, ":");
            if (e->third)
                expr(w, e->third);
        }
        put(w, "]");
        break;
    case TN_SQL_FIELD:
        wrapped(w, e->left, 1);
        put(w, ".");
        ident(w, &e->field);
        break;
    case TN_SQL_LIST:
        put(w, "[");
        exprs(w, &e->list);
        put(w, "]");
        break;
    case TN_SQL_STRUCT:
        put(w, "{");
        for (int i = 0; i < e->list.n; i++) {
            if (i)
                put(w, ", ");
            string(w, e->keys[i].text, strlen(e->keys[i].text));
            put(w, ": ");
            expr(w, e->list.items[i]);
        }
        put(w, "}");
        break;
    case TN_SQL_ROW:
        put(w, "(");
        exprs(w, &e->list);
        put(w, ")");
        break;
    }
}

static void alias(pr *w, const tn_sql_alias *a)
{
    if (!a)
        return;
    put(w, " AS ");
    ident(w, &a->name);
    if (a->columns.n)
        idents(w, &a->columns);
}

static void tableref(pr *w, const tn_sql_tableref *r)
{
    static const char *const kinds[] = {"INNER JOIN ", "LEFT JOIN ", "RIGHT JOIN ", "FULL JOIN ",
                                        "CROSS JOIN ", "SEMI JOIN ", "ANTI JOIN "};
    if (w->rc)
        return;
    switch (r->kind) {
    case TN_SQL_REF_TABLE:
        name(w, &r->name);
        break;
    case TN_SQL_REF_FUNCTION:
        func(w, r->func);
        break;
    case TN_SQL_REF_FILE:
        string(w, r->path, strlen(r->path));
        break;
    case TN_SQL_REF_SUBQUERY:
        put(w, r->lateral ? "LATERAL (" : "(");
        query(w, r->query);
        put(w, ")");
        break;
    case TN_SQL_REF_JOIN:
        /* Joins chain to the left; a join on the right came from parentheses. */
        tableref(w, r->left);
        put(w, r->natural ? " NATURAL " : " ");
        put(w, kinds[r->join]);
        if (r->right->kind == TN_SQL_REF_JOIN)
            put(w, "(");
        tableref(w, r->right);
        if (r->right->kind == TN_SQL_REF_JOIN)
            put(w, ")");
        if (r->on) {
            put(w, " ON ");
            expr(w, r->on);
        } else if (r->using_cols.n) {
            put(w, " USING ");
            idents(w, &r->using_cols);
        }
        return;
    }
    alias(w, r->alias);
}

static void from_list(pr *w, tn_sql_tableref *const *items, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            put(w, ", ");
        tableref(w, items[i]);
    }
}

static void group(pr *w, const tn_sql_group *g)
{
    static const char *const heads[] = {"", "(", "ROLLUP (", "CUBE (", "GROUPING SETS ("};
    if (g->kind == TN_SQL_GROUP_EXPR) {
        expr(w, g->expr);
        return;
    }
    put(w, heads[g->kind]);
    for (int i = 0; i < g->n; i++) {
        if (i)
            put(w, ", ");
        group(w, g->items[i]);
    }
    put(w, ")");
}

static void select_core(pr *w, const tn_sql_select *s)
{
    put(w, "SELECT ");
    if (s->distinct == TN_SQL_DISTINCT_ALL)
        put(w, "DISTINCT ");
    if (s->distinct == TN_SQL_DISTINCT_ON) {
        put(w, "DISTINCT ON (");
        exprs(w, &s->distinct_on);
        put(w, ") ");
    }
    for (int i = 0; i < s->nitems; i++) {
        if (i)
            put(w, ", ");
        expr(w, s->items[i].expr);
        if (s->items[i].alias) {
            put(w, " AS ");
            ident(w, s->items[i].alias);
        }
    }
    if (s->nfrom) {
        put(w, " FROM ");
        from_list(w, s->from, s->nfrom);
    }
    if (s->where) {
        put(w, " WHERE ");
        expr(w, s->where);
    }
    if (s->group_all)
        put(w, " GROUP BY ALL");
    for (int i = 0; i < s->ngroup; i++) {
        put(w, i ? ", " : " GROUP BY ");
        group(w, s->group[i]);
    }
    if (s->having) {
        put(w, " HAVING ");
        expr(w, s->having);
    }
    for (int i = 0; i < s->nwindows; i++) {
        put(w, i ? ", " : " WINDOW ");
        ident(w, &s->windows[i].name);
        put(w, " AS ");
        window(w, s->windows[i].spec);
    }
    if (s->qualify) {
        put(w, " QUALIFY ");
        expr(w, s->qualify);
    }
}

static void qnode(pr *w, const tn_sql_qnode *q)
{
    static const char *const ops[] = {" UNION ", " INTERSECT ", " EXCEPT "};
    if (w->rc)
        return;
    switch (q->kind) {
    case TN_SQL_Q_SELECT:
        select_core(w, q->select);
        break;
    case TN_SQL_Q_VALUES:
        put(w, "VALUES ");
        for (int i = 0; i < q->nrows; i++) {
            put(w, i ? ", (" : "(");
            exprs(w, &q->rows[i]);
            put(w, ")");
        }
        break;
    case TN_SQL_Q_SETOP:
        /* The parser builds left-deep chains with INTERSECT below UNION and
         * EXCEPT; any other shape came from parentheses (a PAREN node). */
        qnode(w, q->left);
        put(w, ops[q->op]);
        if (q->all)
            put(w, "ALL ");
        qnode(w, q->right);
        break;
    case TN_SQL_Q_PAREN:
        put(w, "(");
        query(w, q->paren);
        put(w, ")");
        break;
    }
}

static void query(pr *w, const tn_sql_query *q)
{
    if (w->rc)
        return;
    if (q->nctes) {
        put(w, q->recursive ? "WITH RECURSIVE " : "WITH ");
        for (int i = 0; i < q->nctes; i++) {
            const tn_sql_cte *c = &q->ctes[i];
            if (i)
                put(w, ", ");
            ident(w, &c->name);
            if (c->columns.n)
                idents(w, &c->columns);
            put(w, c->materialized > 0   ? " AS MATERIALIZED ("
                   : c->materialized < 0 ? " AS NOT MATERIALIZED ("
                                         : " AS (");
            query(w, c->query);
            put(w, ")");
        }
        put(w, " ");
    }
    qnode(w, q->body);
    if (q->order.n) {
        put(w, " ORDER BY ");
        orders(w, &q->order);
    }
    if (q->limit) {
        put(w, " LIMIT ");
        expr(w, q->limit);
    }
    if (q->offset) {
        put(w, " OFFSET ");
        expr(w, q->offset);
    }
}

static void column_def(pr *w, const tn_sql_column_def *c)
{
    ident(w, &c->name);
    put(w, " ");
    type(w, c->type);
    if (c->not_null)
        put(w, " NOT NULL");
    if (c->default_value) {
        put(w, " DEFAULT ");
        expr(w, c->default_value);
    }
    if (c->primary_key)
        put(w, " PRIMARY KEY");
    if (c->unique)
        put(w, " UNIQUE");
}

static void create(pr *w, const tn_sql_stmt *s)
{
    put(w, "CREATE ");
    if (s->or_replace)
        put(w, "OR REPLACE ");
    if (s->temp)
        put(w, "TEMP ");
    put(w, s->kind == TN_SQL_STMT_CREATE_VIEW ? "VIEW " : "TABLE ");
    if (s->if_not_exists)
        put(w, "IF NOT EXISTS ");
    name(w, &s->name);
    if (s->column_names.n)
        idents(w, &s->column_names);
    if (s->ncolumns) {
        put(w, " (");
        for (int i = 0; i < s->ncolumns; i++) {
            if (i)
                put(w, ", ");
            column_def(w, &s->columns[i]);
        }
        if (s->pkey.n) {
            put(w, ", PRIMARY KEY ");
            idents(w, &s->pkey);
        }
        put(w, ")");
    }
    if (s->query) {
        put(w, " AS ");
        query(w, s->query);
    }
}

static void copy_stmt(pr *w, const tn_sql_stmt *s)
{
    put(w, "COPY ");
    if (s->query) {
        put(w, "(");
        query(w, s->query);
        put(w, ")");
    } else {
        name(w, &s->name);
        if (s->column_names.n) {
            put(w, " ");
            idents(w, &s->column_names);
        }
    }
    put(w, s->copy_from ? " FROM " : " TO ");
    string(w, s->path, strlen(s->path));
    for (int i = 0; i < s->noptions; i++) {
        put(w, i ? ", " : " (");
        ident(w, &s->options[i].name);
        if (s->options[i].value) {
            put(w, " ");
            expr(w, s->options[i].value);
        }
    }
    if (s->noptions)
        put(w, ")");
}

static void modify(pr *w, const tn_sql_stmt *s)
{
    put(w, s->kind == TN_SQL_STMT_DELETE ? "DELETE FROM " : "UPDATE ");
    name(w, &s->name);
    if (s->alias) {
        put(w, " AS ");
        ident(w, s->alias);
    }
    for (int i = 0; i < s->nsets; i++) {
        put(w, i ? ", " : " SET ");
        ident(w, &s->sets[i].column);
        put(w, " = ");
        expr(w, s->sets[i].value);
    }
    if (s->nfrom) {
        put(w, s->kind == TN_SQL_STMT_DELETE ? " USING " : " FROM ");
        from_list(w, s->from, s->nfrom);
    }
    if (s->where) {
        put(w, " WHERE ");
        expr(w, s->where);
    }
}

static void stmt(pr *w, const tn_sql_stmt *s)
{
    if (w->rc)
        return;
    switch (s->kind) {
    case TN_SQL_STMT_QUERY:
        query(w, s->query);
        break;
    case TN_SQL_STMT_CREATE_TABLE:
    case TN_SQL_STMT_CREATE_VIEW:
        create(w, s);
        break;
    case TN_SQL_STMT_INSERT:
        put(w, "INSERT INTO ");
        name(w, &s->name);
        if (s->column_names.n) {
            put(w, " ");
            idents(w, &s->column_names);
        }
        put(w, " ");
        query(w, s->query);
        break;
    case TN_SQL_STMT_DELETE:
    case TN_SQL_STMT_UPDATE:
        modify(w, s);
        break;
    case TN_SQL_STMT_DROP:
        put(w, s->is_view ? "DROP VIEW " : "DROP TABLE ");
        if (s->if_exists)
            put(w, "IF EXISTS ");
        for (int i = 0; i < s->nnames; i++) {
            if (i)
                put(w, ", ");
            name(w, &s->names[i]);
        }
        if (s->cascade)
            put(w, " CASCADE");
        break;
    case TN_SQL_STMT_COPY:
        copy_stmt(w, s);
        break;
    case TN_SQL_STMT_PREPARE:
        put(w, "PREPARE ");
        name(w, &s->name);
        put(w, " AS ");
        stmt(w, s->inner);
        break;
    case TN_SQL_STMT_EXECUTE:
        put(w, "EXECUTE ");
        name(w, &s->name);
        if (s->args.n) {
            put(w, "(");
            exprs(w, &s->args);
            put(w, ")");
        }
        break;
    case TN_SQL_STMT_DEALLOCATE:
        put(w, "DEALLOCATE ");
        name(w, &s->name);
        break;
    case TN_SQL_STMT_SET:
        put(w, "SET ");
        name(w, &s->name);
        put(w, " = ");
        expr(w, s->value);
        break;
    case TN_SQL_STMT_RESET:
        put(w, "RESET ");
        if (s->all)
            put(w, "ALL");
        else
            name(w, &s->name);
        break;
    case TN_SQL_STMT_DESCRIBE:
        put(w, "DESCRIBE ");
        if (s->query)
            query(w, s->query);
        else
            name(w, &s->name);
        break;
    case TN_SQL_STMT_SHOW:
        put(w, "SHOW ");
        if (s->name.n)
            name(w, &s->name);
        else
            put(w, "TABLES");
        break;
    case TN_SQL_STMT_EXPLAIN:
        put(w, s->analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ");
        stmt(w, s->inner);
        break;
    case TN_SQL_STMT_BEGIN: put(w, "BEGIN"); break;
    case TN_SQL_STMT_COMMIT: put(w, "COMMIT"); break;
    case TN_SQL_STMT_ROLLBACK: put(w, "ROLLBACK"); break;
    }
}

int tn_sql_print_stmt(tn_buf *b, const tn_sql_stmt *s, tarn_error *err)
{
    pr w = {b, err, 0};
    stmt(&w, s);
    return w.rc;
}

int tn_sql_print_expr(tn_buf *b, const tn_sql_expr *e, tarn_error *err)
{
    pr w = {b, err, 0};
    expr(&w, e);
    return w.rc;
}

int tn_sql_print_script(tn_buf *b, const tn_sql_script *s, tarn_error *err)
{
    pr w = {b, err, 0};
    for (int i = 0; i < s->n; i++) {
        if (i)
            put(&w, ";\n");
        stmt(&w, s->stmts[i]);
    }
    return w.rc;
}
