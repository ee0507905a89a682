/*
 * ipc_format.c — the Arrow IPC file and stream formats in the format
 * registry: option parsing around src/arrow/ipc (which does the decoding,
 * encoding and the atomic write).
 *
 * Writer option: compression = zstd | lz4 | none, optionally ":LEVEL"
 * ("zstd:9"); the IPC format compresses each buffer of a batch body.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arrow/ipc/ipc.h"
#include "formats/registry.h"

int tn_ipc_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err)
{
    TN_TRY(tn_format_check_options(self, o, false, err));
    return tn_ipc_open_file(path, out, err);
}

/* "zstd", "lz4:1", "none" into codec and level. */
static int compression(const char *s, tn_ipc_codec *codec, int *level, tarn_error *err)
{
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    *level = 0;
    if (n == 4 && strncasecmp(s, "zstd", 4) == 0)
        *codec = TN_IPC_ZSTD;
    else if (n == 3 && strncasecmp(s, "lz4", 3) == 0)
        *codec = TN_IPC_LZ4_FRAME;
    else if ((n == 4 && strncasecmp(s, "none", 4) == 0) || (n == 12 && strncasecmp(s, "uncompressed", 12) == 0))
        *codec = TN_IPC_UNCOMPRESSED;
    else
        return tn_error_set(err, TARN_EINVAL, "option 'compression': unknown codec '%.*s' (known: zstd, lz4, none)",
                            (int)n, s);
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || v < -100 || v > 100)
            return tn_error_set(err, TARN_EINVAL, "option 'compression': bad level '%s'", colon + 1);
        if (*codec == TN_IPC_UNCOMPRESSED)
            return tn_error_set(err, TARN_EINVAL, "option 'compression': 'none' takes no level");
        *level = (int)v;
    }
    return TARN_OK;
}

int tn_ipc_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err)
{
    tn_ipc_write_options w = {.file_format = strcmp(self->name, "ipc") == 0, .codec = TN_IPC_UNCOMPRESSED};
    const char *c = tn_opts_str(o, "compression");
    if (c)
        TN_TRY(compression(c, &w.codec, &w.level, err));
    TN_TRY(tn_format_check_options(self, o, true, err));
    return tn_ipc_write_file(path, in, &w, err);
}
