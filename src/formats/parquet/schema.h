/*
 * schema.h — the Parquet schema as a tree of Arrow-shaped nodes.
 *
 * Parquet flattens a nested schema into leaf columns, each a stream of
 * (repetition level, definition level, value). Every node of the Arrow
 * shape we produce reads its elements from the level stream of its first
 * leaf with one rule: position i starts an element ("slot") of the node when
 * rep[i] <= slot_rep and def[i] >= slot_def, and the element is non-null
 * when def[i] >= valid_def. A list's elements are its child's slots.
 */
#ifndef TN_PARQUET_SCHEMA_H
#define TN_PARQUET_SCHEMA_H

#include "arrow/type.h"
#include "formats/parquet/meta.h"

enum { PQN_LEAF, PQN_STRUCT, PQN_LIST, PQN_MAP };

/* How dense physical values become the leaf's Arrow values. */
enum {
    PQC_COPY,    /* same bytes: width of the Arrow type equals the physical width */
    PQC_BOOL,    /* one byte per value -> bits */
    PQC_NARROW,  /* INT32 -> int8/int16/uint8/uint16 (truncating) */
    PQC_DEC_INT, /* INT32/INT64 -> decimal128/256, sign-extended */
    PQC_DEC_BE,  /* big-endian two's complement bytes -> decimal128/256 */
    PQC_BINARY,  /* BYTE_ARRAY -> utf8/binary */
    PQC_NULL     /* the UNKNOWN logical type: all nulls */
};

typedef struct pq_node pq_node;
struct pq_node {
    int kind;               /* PQN_* */
    char *name;
    bool nullable;
    int16_t slot_rep, slot_def, valid_def;
    int32_t first_leaf;     /* leaf column index whose levels drive this node */
    int32_t n_children;
    pq_node **children;
    tn_type *type;          /* owned reference */
    /* leaves */
    int32_t leaf;           /* index among the leaf columns */
    const pq_schema_elt *elt;
    int conv;               /* PQC_* */
    bool large;             /* PQC_BINARY read with 64-bit offsets: a chunk of the file holds more
                               than tn_pq_large_threshold bytes */
    int16_t max_def, max_rep;
};

typedef struct pq_schema {
    tn_arena arena;         /* nodes and names */
    pq_node *root;          /* a struct of the top-level columns */
    int32_t n_leaves;
    pq_node **leaves;       /* in column-chunk order */
    tn_schema *arrow;       /* owned reference */
} pq_schema;

/* Byte arrays of a column chunk past this many bytes (uncompressed) make
 * the column large_utf8/large_binary; INT32_MAX, lowered by tests. */
extern int64_t tn_pq_large_threshold;

/* Build the tree from the footer's flattened schema. */
int tn_pq_schema_build(const pq_file_meta *m, pq_schema **out, tarn_error *err) TN_MUST_USE;
void tn_pq_schema_free(pq_schema *s);

#endif
