/*
 * keywords.h — the words the SQL lexer recognizes, in sorted order (the
 * lexer finds them by binary search; a unit test checks the order).
 * R marks reserved words: they cannot be a bare identifier or alias and must
 * be quoted to be used as names. U words are keywords only where the grammar
 * expects them and are plain identifiers everywhere else.
 */
#ifndef TN_SQL_KEYWORDS_H
#define TN_SQL_KEYWORDS_H

#define TN_SQL_KEYWORDS(X) \
    X(ALL, R) X(ANALYZE, U) X(AND, R) X(ANTI, R) X(ANY, R) X(ARRAY, R) X(AS, R) X(ASC, R) \
    X(BEGIN, U) X(BETWEEN, R) X(BY, R) X(CASCADE, U) X(CASE, R) X(CAST, R) X(COLLATE, R) \
    X(COMMIT, U) X(COPY, U) X(CREATE, R) X(CROSS, R) X(CUBE, U) X(CURRENT, U) X(DEALLOCATE, U) \
    X(DEFAULT, R) X(DELETE, U) X(DESC, R) X(DESCRIBE, U) X(DISTINCT, R) X(DROP, U) X(ELSE, R) \
    X(END, R) X(ESCAPE, U) X(EXCEPT, R) X(EXCLUDE, U) X(EXECUTE, U) X(EXISTS, R) X(EXPLAIN, U) \
    X(EXTRACT, R) X(FALSE, R) X(FETCH, R) X(FILTER, R) X(FIRST, U) X(FOLLOWING, U) X(FOR, R) \
    X(FROM, R) X(FULL, R) X(GROUP, R) X(GROUPING, U) X(GROUPS, U) X(HAVING, R) X(IF, U) \
    X(ILIKE, R) X(IN, R) X(INNER, R) X(INSERT, U) X(INTERSECT, R) X(INTERVAL, U) X(INTO, R) \
    X(IS, R) X(ISNULL, R) X(JOIN, R) X(KEY, U) X(LAST, U) X(LATERAL, R) X(LEFT, R) X(LIKE, R) \
    X(LIMIT, R) X(MATERIALIZED, U) X(NATURAL, R) X(NEXT, U) X(NO, U) X(NOT, R) X(NOTNULL, R) \
    X(NULL, R) X(NULLS, U) X(OFFSET, R) X(ON, R) X(ONLY, U) X(OR, R) X(ORDER, R) X(OTHERS, U) \
    X(OUTER, R) X(OVER, R) X(PARTITION, U) X(PRECEDING, U) X(PREPARE, U) X(PRIMARY, R) \
    X(QUALIFY, R) X(RANGE, U) X(RECURSIVE, U) X(REPLACE, U) X(RESET, U) X(RESTRICT, U) \
    X(RETURNING, R) X(RIGHT, R) X(ROLLBACK, U) X(ROLLUP, U) X(ROW, U) X(ROWS, U) X(SELECT, R) \
    X(SEMI, R) X(SET, U) X(SETS, U) X(SHOW, U) X(SIMILAR, R) X(SOME, R) X(START, U) X(TABLE, R) \
    X(TABLES, U) X(TEMP, U) X(TEMPORARY, U) X(THEN, R) X(TIES, U) X(TO, R) X(TRANSACTION, U) \
    X(TRUE, R) X(TRY_CAST, R) X(UNBOUNDED, U) X(UNION, R) X(UNIQUE, R) X(UPDATE, U) X(USING, R) \
    X(VALUES, R) X(VIEW, U) X(WHEN, R) X(WHERE, R) X(WINDOW, R) X(WITH, R) X(WORK, U)

enum {
    KW_NONE_ = 0,
#define TN_SQL_KW_ENUM(w, r) KW_##w,
    TN_SQL_KEYWORDS(TN_SQL_KW_ENUM)
#undef TN_SQL_KW_ENUM
    KW_COUNT_
};

#endif
