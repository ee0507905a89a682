/*
 * filter.h — the `where` option of the Parquet reader: a conjunction of
 * comparisons of a column with a literal, used to skip row groups whose
 * statistics prove no row matches and to keep only the matching rows of
 * the others.
 *
 *   filter  := term { AND term }
 *   term    := column op literal | column IN ( literal { , literal } )
 *   column  := name { '.' name }     name: [A-Za-z_][A-Za-z0-9_]* or "double quoted"
 *   op      := = | != | <> | < | <= | > | >=
 *   literal := number | 'string'     ('' inside a string is a quote)
 *
 * Strings compare with string columns, with date32 columns as ISO
 * dates ('1998-01-01') and with timestamp columns as ISO times
 * ('2009-03-01 00:01:00[.fraction]', in UTC, no finer than the unit); numbers compare with integer, float and decimal
 * columns (a decimal literal must fit the column's scale). A NULL value
 * never matches, as in SQL.
 *
 * Two ways in: text (tn_pq_filter_parse, the `where` option), or terms a
 * caller has already parsed (tn_pq_filter_add_terms, the reader's
 * `terms` option; tn_parquet_term in parquet.h), e.g. the conjunction of
 * column-op-literal comparisons a SQL planner pushes down. Both bind the
 * same way, and a reader given both ANDs them.
 *
 * Pruning, for each row group: chunk statistics (min/max, null count),
 * then for `=` the chunk's bloom filter, then the page index (pages whose
 * bounds exclude a match are not decoded).
 */
#ifndef TN_PARQUET_FILTER_H
#define TN_PARQUET_FILTER_H

#include "arrow/compute/compute.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/schema.h"

enum { PQF_NUMBER, PQF_STRING };
enum { PQS_NONE, PQS_INT, PQS_DOUBLE, PQS_BYTES }; /* how statistics of the column compare */

typedef struct pq_term {
    char *column;
    int op;                /* tn_cmp_op */
    int lit_kind;          /* PQF_* */
    char *lit;             /* the literal's text (unquoted for strings) */
    size_t lit_len;
    int col_pos, lit_pos;  /* 1-based character positions, for messages (text filters) */
    int term_no;           /* 1-based index among the caller's terms (tn_parquet_term); 0 for text */
    /* bound to a file */
    const pq_node *node;
    int32_t sel;           /* index among the output columns; -1: read for the filter only */
    tn_scalar *scalar;
    int stat_kind;         /* PQS_* */
    int64_t i;
    double d;
    const uint8_t *plain;  /* the literal's PLAIN bytes in the column's physical type, as bloom
                              filters hash them; NULL when a bloom filter cannot be used */
    size_t plain_len;
    uint8_t plain_buf[32];
    struct pq_term *alts;  /* IN: one `=` term per literal, any of which matches; the term's own
                              literal, scalar and bounds are then unused */
    int32_t n_alts;
} pq_term;

typedef struct pq_filter {
    int32_t n;
    pq_term *terms;
    char *text;
} pq_filter;

/* Where term t came from, for messages, written into buf: " at position
 * 5" / " (position 5)" with paren (of the column, or with lit of the
 * literal, in the filter text), or " in term 2" / " (term 2)" for the
 * caller's second tn_parquet_term; "" when neither is known. */
const char *tn_pq_term_where(const pq_term *t, char *buf, size_t n, bool paren, bool lit);

/* Parse text; TARN_EPARSE with the position of the problem. */
int tn_pq_filter_parse(const char *text, pq_filter **out, tarn_error *err) TN_MUST_USE;
void tn_pq_filter_free(pq_filter *f);

/* Append terms already parsed (copied) to *f, which is created when NULL.
 * A term needs a column, an op of tn_cmp_op and a literal; TARN_EINVAL
 * names the first one that lacks them. */
int tn_pq_filter_add_terms(pq_filter **f, const tn_parquet_term *terms, int32_t n, tarn_error *err) TN_MUST_USE;

/* " at position N" (paren: " (position N)") for a term parsed from text,
 * into buf; "" for a term passed as tn_parquet_term, which has none. */
const char *tn_pq_filter_pos(char *buf, size_t n, bool paren, int pos);

/* Bind term t to node (a leaf outside lists): type checks, the literal
 * as a scalar of the column's type and as a statistics bound. */
int tn_pq_filter_bind(pq_term *t, const pq_node *node, const char *file, tarn_error *err) TN_MUST_USE;

/* Whether the chunk statistics of term t's column prove no row of a row
 * group of `rows` rows can match (IN: for every literal). */
bool tn_pq_filter_prunes(const pq_term *t, const pq_column_meta *m, int64_t rows);

#endif
