/*
 * ast.h — the abstract syntax tree of tarn's SQL dialect, as produced by the
 * parser (sql/parser/parser.h) and consumed by the binder.
 *
 * Every node lives in the arena handed to the parser and is freed with it in
 * one call. Every node carries `loc`, the byte offset in the source text where
 * it starts; tn_sql_location turns an offset into line and column on demand.
 * Identifiers keep their spelling and whether they were quoted: matching
 * names case-insensitively (unquoted) or exactly (quoted) is the binder's job.
 * Numeric literals keep their text so that the binder can type them exactly
 * (an integer of any size, a decimal with its scale, a float).
 *
 * Lists are arrays of pointers with a count (items[0..n-1]); an empty list
 * has n == 0 and items == NULL. Optional children are NULL when absent.
 *
 * Expression precedence, loosest first (PostgreSQL's table):
 *
 *   level  operators                                   associativity
 *   1      OR                                          left
 *   2      AND                                         left
 *   3      NOT (prefix)                                right
 *   4      IS [NOT] NULL|TRUE|FALSE|DISTINCT FROM      left
 *   5      < > = <= >= <> != ==  (and ANY/ALL forms)   left
 *   6      [NOT] BETWEEN, [NOT] IN, [NOT] LIKE|ILIKE|SIMILAR TO   left
 *   7      || and other operators: & | # << >>         left
 *   8      + -                                         left
 *   9      * / %                                       left
 *   10     ^                                           left
 *   11     unary + - ~                                 right
 *   12     :: [i] [i:j] (postfix)                      left
 *
 * so `NOT a = b` is NOT (a = b), `a || b = c` is (a || b) = c, `-2 ^ 2` is
 * (-2) ^ 2 and `-x::int` is -(x::int).
 */
#ifndef TN_SQL_AST_H
#define TN_SQL_AST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tn_sql_expr tn_sql_expr;
typedef struct tn_sql_query tn_sql_query;
typedef struct tn_sql_qnode tn_sql_qnode;
typedef struct tn_sql_select tn_sql_select;
typedef struct tn_sql_tableref tn_sql_tableref;
typedef struct tn_sql_type tn_sql_type;
typedef struct tn_sql_window tn_sql_window;
typedef struct tn_sql_stmt tn_sql_stmt;

/* A name as written: `text` is NUL-terminated (quotes removed, "" undone). */
typedef struct tn_sql_ident {
    const char *text;
    bool quoted;
    uint32_t loc;
} tn_sql_ident;

/* A possibly qualified name: schema.table, t.column, catalog.schema.table. */
typedef struct tn_sql_name {
    tn_sql_ident *parts;
    int n;
} tn_sql_name;

typedef struct tn_sql_idents {
    tn_sql_ident *items;
    int n;
} tn_sql_idents;

typedef struct tn_sql_exprs {
    tn_sql_expr **items;
    int n;
} tn_sql_exprs;

/* ---- types ---------------------------------------------------------------- */

typedef enum tn_sql_type_kind {
    TN_SQL_TYPE_NAMED,  /* INTEGER, DECIMAL(10,2), VARCHAR(20), TIMESTAMP WITH TIME ZONE */
    TN_SQL_TYPE_LIST,   /* INT[] or LIST(INT) */
    TN_SQL_TYPE_ARRAY,  /* INT[3]: a fixed-size list */
    TN_SQL_TYPE_STRUCT, /* STRUCT(a INT, b VARCHAR) */
    TN_SQL_TYPE_MAP     /* MAP(VARCHAR, INT) */
} tn_sql_type_kind;

struct tn_sql_type {
    tn_sql_type_kind kind;
    uint32_t loc;
    /* NAMED: the name in upper case, multi-word names normalized
     * (DOUBLE PRECISION -> DOUBLE, CHARACTER VARYING -> VARCHAR,
     * TIMESTAMP WITHOUT TIME ZONE -> TIMESTAMP); aliases such as INT are kept
     * for the binder to resolve. */
    const char *name;
    int nparams; /* NAMED: 0..2 integer parameters */
    int64_t params[2];
    tn_sql_type *elem;     /* LIST, ARRAY: element; MAP: key */
    tn_sql_type *value;    /* MAP: value */
    int64_t size;          /* ARRAY: the fixed size */
    tn_sql_ident *fields;  /* STRUCT: field names */
    tn_sql_type **ftypes;  /* STRUCT: field types */
    int nfields;
};

/* ---- expressions ---------------------------------------------------------- */

typedef enum tn_sql_expr_kind {
    TN_SQL_LIT_NULL,
    TN_SQL_LIT_BOOL,     /* boolean */
    TN_SQL_LIT_INT,      /* text: decimal digits, any length */
    TN_SQL_LIT_NUMBER,   /* text: digits with '.' and/or exponent */
    TN_SQL_LIT_STRING,   /* text/len: the decoded value (never holds a NUL byte) */
    TN_SQL_LIT_BLOB,     /* text: the hexadecimal digits of X'0a1b' */
    TN_SQL_LIT_TYPED,    /* type 'text': DATE '2024-01-01' */
    TN_SQL_INTERVAL,     /* INTERVAL operand [unit]: INTERVAL '1 day', INTERVAL 3 DAY */
    TN_SQL_COLUMN,       /* name: a, t.a, s.t.a (or a struct field; the binder decides) */
    TN_SQL_STAR,         /* name: qualifier (n == 0 for *); list: EXCLUDE columns */
    TN_SQL_PARAM,        /* index: $n, or 0 for ? */
    TN_SQL_UNARY,        /* op, left */
    TN_SQL_BINARY,       /* op, left, right */
    TN_SQL_IS,           /* left IS [NOT] (NULL|TRUE|FALSE|DISTINCT FROM right): is, negated */
    TN_SQL_BETWEEN,      /* left [NOT] BETWEEN right AND third */
    TN_SQL_IN_LIST,      /* left [NOT] IN (list) */
    TN_SQL_IN_QUERY,     /* left [NOT] IN (query) */
    TN_SQL_LIKE,         /* left [NOT] LIKE|ILIKE|SIMILAR TO right [ESCAPE third]: like */
    TN_SQL_QUANTIFIED,   /* left op ANY|ALL (query, or right: an array expression) */
    TN_SQL_EXISTS,       /* EXISTS (query); NOT EXISTS is UNARY NOT over it */
    TN_SQL_SUBQUERY,     /* (query) as a scalar */
    TN_SQL_CASE,         /* CASE [left] WHEN list THEN list2 ... [ELSE right] END */
    TN_SQL_CAST,         /* CAST(left AS type), TRY_CAST, left::type (try, ...) */
    TN_SQL_EXTRACT,      /* EXTRACT(text FROM left) */
    TN_SQL_FUNC,         /* name(list) with distinct, star, order, filter, over */
    TN_SQL_NAMED_ARG,    /* text := left (table function or call argument) */
    TN_SQL_SUBSCRIPT,    /* left[right] */
    TN_SQL_SLICE,        /* left[right:third], either bound may be NULL */
    TN_SQL_FIELD,        /* (left).field */
    TN_SQL_LIST,         /* [list] */
    TN_SQL_STRUCT,       /* {keys: list} */
    TN_SQL_ROW           /* (a, b, ...) with two or more items */
} tn_sql_expr_kind;

typedef enum tn_sql_op {
    TN_SQL_OP_NONE,
    TN_SQL_OP_OR, TN_SQL_OP_AND, TN_SQL_OP_NOT,
    TN_SQL_OP_EQ, TN_SQL_OP_NE, TN_SQL_OP_LT, TN_SQL_OP_LE, TN_SQL_OP_GT, TN_SQL_OP_GE,
    TN_SQL_OP_CONCAT, TN_SQL_OP_BITAND, TN_SQL_OP_BITOR, TN_SQL_OP_BITXOR,
    TN_SQL_OP_SHL, TN_SQL_OP_SHR,
    TN_SQL_OP_ADD, TN_SQL_OP_SUB, TN_SQL_OP_MUL, TN_SQL_OP_DIV, TN_SQL_OP_MOD, TN_SQL_OP_POW,
    TN_SQL_OP_NEG, TN_SQL_OP_PLUS, TN_SQL_OP_BITNOT,
    TN_SQL_OP_INTDIV /* a // b: integer division (level 9) */
} tn_sql_op;

typedef enum tn_sql_is_kind {
    TN_SQL_IS_NULL, TN_SQL_IS_TRUE, TN_SQL_IS_FALSE, TN_SQL_IS_UNKNOWN, TN_SQL_IS_DISTINCT
} tn_sql_is_kind;

typedef enum tn_sql_like_kind { TN_SQL_LIKE_LIKE, TN_SQL_LIKE_ILIKE, TN_SQL_LIKE_SIMILAR } tn_sql_like_kind;

typedef enum tn_sql_order_dir { TN_SQL_ORDER_DEFAULT, TN_SQL_ORDER_ASC, TN_SQL_ORDER_DESC } tn_sql_order_dir;
typedef enum tn_sql_nulls { TN_SQL_NULLS_DEFAULT, TN_SQL_NULLS_FIRST, TN_SQL_NULLS_LAST } tn_sql_nulls;

typedef struct tn_sql_order {
    tn_sql_expr *expr;
    tn_sql_order_dir dir;
    tn_sql_nulls nulls;
} tn_sql_order;

typedef struct tn_sql_orders {
    tn_sql_order *items;
    int n;
} tn_sql_orders;

typedef enum tn_sql_frame_unit { TN_SQL_FRAME_NONE, TN_SQL_FRAME_ROWS, TN_SQL_FRAME_RANGE, TN_SQL_FRAME_GROUPS } tn_sql_frame_unit;
typedef enum tn_sql_bound_kind {
    TN_SQL_BOUND_NONE, /* no end bound written (frame BETWEEN start AND CURRENT ROW) */
    TN_SQL_BOUND_UNBOUNDED_PRECEDING, TN_SQL_BOUND_PRECEDING, TN_SQL_BOUND_CURRENT_ROW,
    TN_SQL_BOUND_FOLLOWING, TN_SQL_BOUND_UNBOUNDED_FOLLOWING
} tn_sql_bound_kind;
typedef enum tn_sql_exclude {
    TN_SQL_EXCLUDE_NONE, TN_SQL_EXCLUDE_CURRENT_ROW, TN_SQL_EXCLUDE_GROUP, TN_SQL_EXCLUDE_TIES,
    TN_SQL_EXCLUDE_NO_OTHERS
} tn_sql_exclude;

typedef struct tn_sql_bound {
    tn_sql_bound_kind kind;
    tn_sql_expr *offset; /* PRECEDING / FOLLOWING */
} tn_sql_bound;

/* OVER (base PARTITION BY ... ORDER BY ... frame), or OVER name (only base). */
struct tn_sql_window {
    uint32_t loc;
    tn_sql_ident *base; /* a named window this one refines, or NULL */
    bool bare_name;     /* OVER w without parentheses */
    tn_sql_exprs partition;
    tn_sql_orders order;
    tn_sql_frame_unit unit;
    tn_sql_bound start, end;
    tn_sql_exclude exclude;
};

struct tn_sql_expr {
    tn_sql_expr_kind kind;
    uint32_t loc;
    tn_sql_op op;
    tn_sql_expr *left, *right, *third;
    tn_sql_exprs list, list2;
    tn_sql_name name;
    const char *text; /* literal text, EXTRACT field, named-argument name, INTERVAL unit */
    uint32_t len;     /* LIT_STRING: bytes in text */
    bool boolean;     /* LIT_BOOL */
    bool negated;     /* IS NOT, NOT BETWEEN, NOT IN, NOT LIKE */
    tn_sql_is_kind is;
    tn_sql_like_kind like;
    bool all;         /* QUANTIFIED: ALL rather than ANY */
    bool try_cast;    /* CAST: TRY_CAST */
    bool distinct;    /* FUNC: f(DISTINCT ...) */
    bool star;        /* FUNC: f(*) */
    int64_t index;    /* PARAM */
    tn_sql_type *type;        /* CAST, LIT_TYPED */
    tn_sql_query *query;      /* IN_QUERY, QUANTIFIED, EXISTS, SUBQUERY */
    tn_sql_orders order;      /* FUNC: ORDER BY inside the call */
    tn_sql_expr *filter;      /* FUNC: FILTER (WHERE filter) */
    tn_sql_window *over;      /* FUNC: window */
    tn_sql_ident field;       /* FIELD */
    tn_sql_ident *keys;       /* STRUCT: one key per list item */
};

/* ---- queries -------------------------------------------------------------- */

typedef struct tn_sql_alias {
    tn_sql_ident name;
    tn_sql_idents columns; /* t(a, b) */
} tn_sql_alias;

typedef enum tn_sql_join_kind {
    TN_SQL_JOIN_INNER, TN_SQL_JOIN_LEFT, TN_SQL_JOIN_RIGHT, TN_SQL_JOIN_FULL,
    TN_SQL_JOIN_CROSS, TN_SQL_JOIN_SEMI, TN_SQL_JOIN_ANTI
} tn_sql_join_kind;

typedef enum tn_sql_tableref_kind {
    TN_SQL_REF_TABLE,    /* name [alias] */
    TN_SQL_REF_FUNCTION, /* func: a TN_SQL_FUNC call, e.g. read_parquet('x', hive_partitioning := true) */
    TN_SQL_REF_FILE,     /* a quoted path or glob: FROM 'data/x.parquet' */
    TN_SQL_REF_SUBQUERY, /* [LATERAL] (query) alias */
    TN_SQL_REF_JOIN      /* left JOIN right ON on | USING (using) */
} tn_sql_tableref_kind;

struct tn_sql_tableref {
    tn_sql_tableref_kind kind;
    uint32_t loc;
    tn_sql_name name;
    tn_sql_expr *func;
    const char *path;
    tn_sql_query *query;
    bool lateral;
    tn_sql_alias *alias; /* NULL when none */
    tn_sql_join_kind join;
    bool natural;
    tn_sql_tableref *left, *right;
    tn_sql_expr *on;
    tn_sql_idents using_cols;
};

typedef struct tn_sql_select_item {
    tn_sql_expr *expr;
    tn_sql_ident *alias;
} tn_sql_select_item;

typedef enum tn_sql_group_kind {
    TN_SQL_GROUP_EXPR,  /* expr */
    TN_SQL_GROUP_SET,   /* (a, b) or () inside GROUPING SETS / ROLLUP / CUBE, or () alone */
    TN_SQL_GROUP_ROLLUP, TN_SQL_GROUP_CUBE, TN_SQL_GROUP_SETS
} tn_sql_group_kind;

typedef struct tn_sql_group tn_sql_group;
struct tn_sql_group {
    tn_sql_group_kind kind;
    tn_sql_expr *expr;
    tn_sql_group **items; /* SET, ROLLUP, CUBE, SETS */
    int n;
};

typedef struct tn_sql_named_window {
    tn_sql_ident name;
    tn_sql_window *spec;
} tn_sql_named_window;

typedef enum tn_sql_distinct { TN_SQL_DISTINCT_NONE, TN_SQL_DISTINCT_ALL, TN_SQL_DISTINCT_ON } tn_sql_distinct;

struct tn_sql_select {
    uint32_t loc;
    tn_sql_distinct distinct;  /* DISTINCT_ALL: plain DISTINCT */
    tn_sql_exprs distinct_on;
    tn_sql_select_item *items;
    int nitems;
    tn_sql_tableref **from; /* comma-separated FROM items */
    int nfrom;
    tn_sql_expr *where;
    bool group_all;         /* GROUP BY ALL */
    tn_sql_group **group;
    int ngroup;
    tn_sql_expr *having;
    tn_sql_named_window *windows;
    int nwindows;
    tn_sql_expr *qualify;
};

typedef enum tn_sql_qnode_kind { TN_SQL_Q_SELECT, TN_SQL_Q_VALUES, TN_SQL_Q_SETOP, TN_SQL_Q_PAREN } tn_sql_qnode_kind;
typedef enum tn_sql_setop { TN_SQL_UNION, TN_SQL_INTERSECT, TN_SQL_EXCEPT } tn_sql_setop;

/* A query body: a SELECT, a VALUES list, a set operation or a
 * parenthesized query (which may carry its own ORDER BY / LIMIT / WITH). */
struct tn_sql_qnode {
    tn_sql_qnode_kind kind;
    uint32_t loc;
    tn_sql_select *select;
    tn_sql_exprs *rows; /* VALUES: each row a list */
    int nrows;
    tn_sql_setop op;
    bool all;           /* UNION ALL */
    tn_sql_qnode *left, *right;
    tn_sql_query *paren;
};

typedef struct tn_sql_cte {
    tn_sql_ident name;
    tn_sql_idents columns;
    int materialized; /* 0 unspecified, 1 MATERIALIZED, -1 NOT MATERIALIZED */
    tn_sql_query *query;
} tn_sql_cte;

struct tn_sql_query {
    uint32_t loc;
    bool recursive;
    tn_sql_cte *ctes;
    int nctes;
    tn_sql_qnode *body;
    bool order_all;     /* ORDER BY ALL [dir] [nulls]: order.items[0].expr is NULL */
    tn_sql_orders order;
    tn_sql_expr *limit; /* LIMIT n or FETCH FIRST n ROWS ONLY */
    tn_sql_expr *offset;
};

/* ---- statements ----------------------------------------------------------- */

typedef enum tn_sql_stmt_kind {
    TN_SQL_STMT_QUERY, TN_SQL_STMT_CREATE_TABLE, TN_SQL_STMT_CREATE_VIEW, TN_SQL_STMT_INSERT,
    TN_SQL_STMT_DELETE, TN_SQL_STMT_UPDATE, TN_SQL_STMT_DROP, TN_SQL_STMT_COPY,
    TN_SQL_STMT_PREPARE, TN_SQL_STMT_EXECUTE, TN_SQL_STMT_DEALLOCATE, TN_SQL_STMT_SET,
    TN_SQL_STMT_RESET, TN_SQL_STMT_DESCRIBE, TN_SQL_STMT_SHOW, TN_SQL_STMT_EXPLAIN,
    TN_SQL_STMT_BEGIN, TN_SQL_STMT_COMMIT, TN_SQL_STMT_ROLLBACK
} tn_sql_stmt_kind;

typedef struct tn_sql_column_def {
    tn_sql_ident name;
    tn_sql_type *type;
    bool not_null;
    bool primary_key;
    bool unique;
    tn_sql_expr *default_value;
} tn_sql_column_def;

typedef struct tn_sql_option {
    tn_sql_ident name;
    tn_sql_expr *value; /* NULL for a bare flag such as HEADER */
} tn_sql_option;

typedef struct tn_sql_assign {
    tn_sql_ident column;
    tn_sql_expr *value;
} tn_sql_assign;

struct tn_sql_stmt {
    tn_sql_stmt_kind kind;
    uint32_t loc; /* first byte of the statement */
    uint32_t end; /* one past its last byte (before ';') */
    tn_sql_query *query;   /* QUERY, CREATE ... AS, VIEW, INSERT source, COPY (query), DESCRIBE query */
    tn_sql_name name;      /* the table/view/statement/setting named */
    bool or_replace, temp, if_not_exists, if_exists;
    bool cascade;          /* DROP ... CASCADE */
    bool is_view;          /* DROP VIEW */
    tn_sql_name *names;    /* DROP: every name */
    int nnames;
    tn_sql_column_def *columns; /* CREATE TABLE */
    int ncolumns;
    tn_sql_idents pkey;         /* CREATE TABLE ..., PRIMARY KEY (a, b) */
    tn_sql_idents column_names; /* INSERT (cols), CREATE VIEW v(cols), COPY t(cols) */
    tn_sql_ident *alias;        /* UPDATE / DELETE target alias */
    tn_sql_expr *where;
    tn_sql_assign *sets;        /* UPDATE */
    int nsets;
    tn_sql_tableref **from;     /* UPDATE ... FROM, DELETE ... USING */
    int nfrom;
    bool copy_from;             /* COPY t FROM 'file' rather than TO */
    const char *path;           /* COPY file */
    tn_sql_option *options;     /* COPY (...) */
    int noptions;
    tn_sql_exprs args;          /* EXECUTE name(args) */
    tn_sql_expr *value;         /* SET name = value */
    bool all;                   /* RESET ALL */
    bool analyze;               /* EXPLAIN ANALYZE */
    tn_sql_stmt *inner;         /* EXPLAIN, PREPARE */
};

typedef struct tn_sql_script {
    tn_sql_stmt **stmts;
    int n;
} tn_sql_script;

#endif
