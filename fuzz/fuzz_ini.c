/*
 * fuzz_ini.c — the INI reader of ~/.aws/credentials, ~/.aws/config and the
 * store profile file over arbitrary bytes. Whatever parses must render to
 * text that parses again to the same lookups (what `tarn store config`
 * relies on when it rewrites the file).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_lookups(const tn_ini *a, const tn_ini *b)
{
    for (int i = 0; i < a->n; i++) {
        const char *x = tn_ini_get(a, a->e[i].section, a->e[i].key);
        const char *y = tn_ini_get(b, a->e[i].section, a->e[i].key);
        if (!x || !y || strcmp(x, y) != 0)
            abort();
    }
    for (int i = 0; i < a->n_sections; i++)
        if (!tn_ini_has_section(b, a->sections[i]))
            abort();
    if (a->n_sections != b->n_sections)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_ini ini, again;
    tarn_error err;
    tarn_error_init(&err);
    if (tn_ini_parse((const char *)data, size, "fuzz.ini", &ini, &err) != TARN_OK) {
        if (strncmp(err.message, "fuzz.ini:", 9) != 0) /* every error names the place */
            abort();
        return 0;
    }
    tn_buf text;
    tn_buf_init(&text, 0);
    if (tn_ini_render(&ini, &text, &err) == TARN_OK) {
        if (tn_ini_parse(text.data ? (const char *)text.data : "", text.len, "rendered", &again, &err) != TARN_OK)
            abort();
        same_lookups(&ini, &again);
        tn_ini_reset(&again);
    }
    tn_buf_reset(&text);
    tn_ini_reset(&ini);
    return 0;
}
