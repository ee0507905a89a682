/*
 * fuzz_xml.c — the object-store response reader over arbitrary bytes: walk
 * every list entry and error field the S3 and Azure backends look for.
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "store/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = tn_malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    tn_xml doc = {copy, copy + size}, item;
    tn_buf text;
    tn_buf_init(&text, 1 << 20);
    static const char *containers[] = {"Contents", "CommonPrefixes", "Blob", "BlobPrefix", "Error", "Part"};
    static const char *fields[] = {"Key", "Size", "ETag", "LastModified", "Prefix", "Name", "Code", "Message"};
    for (size_t c = 0; c < sizeof containers / sizeof containers[0]; c++) {
        tn_xml cur = doc;
        while (tn_xml_next(&cur, containers[c], &item))
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
                (void)!tn_xml_text(&item, fields[f], &text, NULL);
    }
    tn_buf_reset(&text);
    tn_free(copy);
    return 0;
}
