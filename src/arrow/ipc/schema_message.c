/*
 * schema_message.c — a schema alone as one encapsulated IPC message, the
 * form other formats embed: Parquet's "ARROW:schema" key-value metadata
 * holds it base64-encoded, as Arrow C++ and arrow-rs write it.
 *
 *   offset  bytes  field
 *   0       4      0xFFFFFFFF continuation marker (absent in pre-0.15 data)
 *   4       4      length of the flatbuffer, little-endian, padded to 8
 *   8       n      Message flatbuffer: version V5, header Schema, body 0
 */
#include <string.h>

#include "arrow/ipc/ipc_int.h"
#include "core/alloc.h"

int tn_ipc_schema_message(const tn_schema *s, tn_buf *out, tarn_error *err)
{
    tn_fbb fbb;
    tn_fbb_init(&fbb);
    tn_fb_ref schema;
    tn_ipc_dnode *nodes = NULL;
    int rc = tn_ipc_encode_schema(&fbb, s, &schema, &nodes, err);
    for (int32_t i = 0; nodes && i < s->n_fields; i++)
        tn_ipc_dnode_reset(&nodes[i]);
    tn_free(nodes);
    if (rc) {
        tn_fbb_reset(&fbb);
        return rc;
    }
    tn_fbb_table_start(&fbb);
    tn_fbb_add_int(&fbb, MSG_VERSION, IPC_V5, 2);
    tn_fbb_add_int(&fbb, MSG_HEADER_TYPE, HDR_SCHEMA, 1);
    tn_fbb_add_ref(&fbb, MSG_HEADER, schema);
    tn_fbb_add_int(&fbb, MSG_BODY_LENGTH, 0, 8);
    tn_fb_ref root = tn_fbb_table_end(&fbb);
    size_t n = 0;
    const uint8_t *fb = tn_fbb_finish(&fbb, root, &n);
    if (!fb) {
        tn_fbb_reset(&fbb);
        return tn_error_oom(err, fbb.cap * 2);
    }
    size_t padded = (n + 7) & ~(size_t)7;
    uint8_t head[8] = {0xff, 0xff, 0xff, 0xff, (uint8_t)padded, (uint8_t)(padded >> 8), (uint8_t)(padded >> 16),
                       (uint8_t)(padded >> 24)};
    static const uint8_t zeros[8] = {0};
    rc = tn_buf_append(out, head, 8, err);
    if (!rc)
        rc = tn_buf_append(out, fb, n, err);
    if (!rc && padded > n)
        rc = tn_buf_append(out, zeros, padded - n, err);
    tn_fbb_reset(&fbb);
    return rc;
}

int tn_ipc_schema_from_message(const uint8_t *p, size_t n, const char *where, tn_schema **out, tarn_error *err)
{
    *out = NULL;
    if (n < 4)
        return TN_CORRUPT(err, "%s: schema message of %zu bytes", where, n);
    size_t at = 4;
    uint32_t len = (uint32_t)tn_fb_le32(p);
    if (len == IPC_CONTINUATION) {
        if (n < 8)
            return TN_CORRUPT(err, "%s: schema message of %zu bytes", where, n);
        len = (uint32_t)tn_fb_le32(p + 4);
        at = 8;
    }
    if (len == 0 || len > n - at)
        return TN_CORRUPT(err, "%s: schema message length %u exceeds the %zu bytes left", where, len, n - at);
    tn_fb fb;
    tn_fbt root, header;
    tn_fb_init(&fb, p + at, len);
    tn_fb_root(&fb, &root);
    int64_t type = tn_fb_int(&fb, &root, MSG_HEADER_TYPE, 1, false, 0);
    bool has_header = tn_fb_table(&fb, &root, MSG_HEADER, &header);
    if (fb.bad)
        return TN_CORRUPT(err, "%s: malformed schema message (%s)", where, fb.bad);
    if (type != HDR_SCHEMA || !has_header)
        return TN_CORRUPT(err, "%s: the message is not a schema", where);
    tn_ipc_dnode *nodes = NULL;
    int rc = tn_ipc_decode_schema(&fb, &header, where, out, &nodes, err);
    for (int32_t i = 0; nodes && *out && i < (*out)->n_fields; i++)
        tn_ipc_dnode_reset(&nodes[i]);
    tn_free(nodes);
    return rc;
}
