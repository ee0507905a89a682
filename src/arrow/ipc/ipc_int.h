/*
 * ipc_int.h — what the IPC reader and writer share: the flatbuffer field ids
 * of Arrow's Schema.fbs / Message.fbs / File.fbs, the schema codec, and the
 * dictionary-id tree that says which field carries which dictionary.
 */
#ifndef TN_ARROW_IPC_INT_H
#define TN_ARROW_IPC_INT_H

#include "arrow/ipc/fb.h"
#include "arrow/ipc/ipc.h"

/* Field ids (vtable slots). A union takes two: its tag, then its value. */
enum { MSG_VERSION = 0, MSG_HEADER_TYPE = 1, MSG_HEADER = 2, MSG_BODY_LENGTH = 3, MSG_METADATA = 4 };
enum { HDR_SCHEMA = 1, HDR_DICTIONARY = 2, HDR_RECORD_BATCH = 3, HDR_TENSOR = 4, HDR_SPARSE_TENSOR = 5 };
enum { SCH_ENDIANNESS = 0, SCH_FIELDS = 1, SCH_METADATA = 2, SCH_FEATURES = 3 };
enum { FLD_NAME = 0, FLD_NULLABLE = 1, FLD_TYPE_TYPE = 2, FLD_TYPE = 3, FLD_DICTIONARY = 4,
       FLD_CHILDREN = 5, FLD_METADATA = 6 };
enum { KV_KEY = 0, KV_VALUE = 1 };
enum { DE_ID = 0, DE_INDEX_TYPE = 1, DE_ORDERED = 2, DE_KIND = 3 };
enum { RB_LENGTH = 0, RB_NODES = 1, RB_BUFFERS = 2, RB_COMPRESSION = 3, RB_VARIADIC = 4 };
enum { DB_ID = 0, DB_DATA = 1, DB_DELTA = 2 };
enum { BC_CODEC = 0, BC_METHOD = 1 };
enum { FT_VERSION = 0, FT_SCHEMA = 1, FT_DICTIONARIES = 2, FT_BATCHES = 3, FT_METADATA = 4 };

/* The Type union's tags. */
enum {
    FT_NULL = 1, FT_INT = 2, FT_FLOAT = 3, FT_BINARY = 4, FT_UTF8 = 5, FT_BOOL = 6, FT_DECIMAL = 7,
    FT_DATE = 8, FT_TIME = 9, FT_TIMESTAMP = 10, FT_INTERVAL = 11, FT_LIST = 12, FT_STRUCT = 13,
    FT_UNION = 14, FT_FIXED_BINARY = 15, FT_FIXED_LIST = 16, FT_MAP = 17, FT_DURATION = 18,
    FT_LARGE_BINARY = 19, FT_LARGE_UTF8 = 20, FT_LARGE_LIST = 21, FT_RUN_END = 22,
    FT_BINARY_VIEW = 23, FT_UTF8_VIEW = 24, FT_LIST_VIEW = 25, FT_LARGE_LIST_VIEW = 26,
    FT_TAG_COUNT
};

#define IPC_V4 3
#define IPC_V5 4
#define IPC_CONTINUATION 0xFFFFFFFFu
#define IPC_MAX_DEPTH 64 /* nesting of fields; deeper schemas are refused */

/* Which dictionary each field carries, mirroring a schema's field tree: a
 * dictionary-typed field has its id; its children are those of the value
 * type. */
typedef struct tn_ipc_dnode {
    int64_t dict_id; /* -1 when the field is not dictionary-encoded */
    int32_t n_children;
    struct tn_ipc_dnode *children;
} tn_ipc_dnode;

void tn_ipc_dnode_reset(tn_ipc_dnode *n);

/* Decode a Schema table into *out plus the parallel dnode tree (one node per
 * top-level field, in out_nodes[n_fields]). `where` names the source for
 * errors. */
int tn_ipc_decode_schema(tn_fb *fb, const tn_fbt *schema, const char *where, tn_schema **out,
                         tn_ipc_dnode **out_nodes, tarn_error *err) TN_MUST_USE;

/* Encode a schema as a Schema table, assigning dictionary ids in pre-order
 * from 0 and building the matching dnode tree. */
int tn_ipc_encode_schema(tn_fbb *b, const tn_schema *s, tn_fb_ref *out, tn_ipc_dnode **out_nodes,
                         tarn_error *err) TN_MUST_USE;

/* A new array holding a's elements followed by b's (same type). */
int tn_ipc_concat(tn_array *a, tn_array *b, tn_array **out, tarn_error *err) TN_MUST_USE;

#endif
