/*
 * text_format.c — CSV and JSON Lines as output formats of the registry:
 * the printer (src/arrow/print.c) writes into a temporary file that is
 * renamed over the target when complete, so a failed write leaves nothing.
 *
 * CSV writer options: delimiter (one character, default ','), header
 * (true/false, default true). A .tsv target defaults to TAB. Compressed
 * targets (.csv.gz) are refused: the readers decompress, the writer does not.
 */
#include <string.h>
#include <strings.h>

#include "arrow/print.h"
#include "formats/atomic.h"
#include "formats/registry.h"

int tn_text_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err)
{
    tn_print_options po;
    tn_print_options_init(&po);
    po.format = strcmp(self->name, "csv") == 0 ? TN_PRINT_CSV : TN_PRINT_JSONL;
    /* The readers undo .gz/.zst but the writer has no codec: refuse rather
     * than leave plain text under a compressed name. */
    if (tn_path_is_compressed(path))
        return tn_error_set(err, TARN_EINVAL,
                            "%s: writing compressed %s is not supported; write it without the compression suffix",
                            path, self->name);
    if (po.format == TN_PRINT_CSV) {
        size_t n = strlen(path);
        if (n > 4 && strcasecmp(path + n - 4, ".tsv") == 0)
            po.delimiter = '\t';
        const char *d = tn_opts_str(o, "delimiter");
        if (d && strlen(d) != 1)
            return tn_error_set(err, TARN_EINVAL, "option 'delimiter': expected one character, got '%s'", d);
        if (d)
            po.delimiter = d[0];
        TN_TRY(tn_opts_bool(o, "header", true, &po.header, err));
    }
    TN_TRY(tn_format_check_options(self, o, true, err));
    tn_atomic_file f;
    TN_TRY(tn_atomic_open(&f, path, err));
    int rc = tn_print_file(f.f, in, &po, err);
    if (rc != TARN_OK) {
        tn_atomic_abort(&f);
        tn_error_prefix(err, "writing %s: ", path);
        return rc;
    }
    return tn_atomic_commit(&f, err);
}
