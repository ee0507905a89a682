/*
 * ini.h — the INI files object-store settings live in: ~/.aws/credentials
 * and ~/.aws/config (read), and tarn's own profile file, stores.ini (read
 * and written).
 *
 *   # comment            ; comment
 *   [section]            [profile name]   (the AWS config spelling)
 *   key = value          values run to the end of the line, trimmed
 *   parent =             an empty value followed by indented lines:
 *     sub = value        stored as "parent.sub" (AWS's nested settings)
 *
 * Anything else is an error naming the file, line and column. Lookups are
 * exact (case-sensitive); the last assignment of a key wins.
 */
#ifndef TN_STORE_INI_H
#define TN_STORE_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct tn_ini_entry {
    char *section; /* "" before the first [section] */
    char *key;
    char *value;
} tn_ini_entry;

typedef struct tn_ini {
    tn_ini_entry *e;
    int n, cap;
    char **sections; /* every section header seen, in order, once each */
    int n_sections, cap_sections;
} tn_ini;

/* Parse text; `name` (a path) prefixes errors: "NAME:LINE:COL: ...". */
int tn_ini_parse(const char *text, size_t n, const char *name, tn_ini *out, tarn_error *err) TN_MUST_USE;
/* Read and parse a file; a file that does not exist is an empty INI. */
int tn_ini_load(const char *path, tn_ini *out, tarn_error *err) TN_MUST_USE;
void tn_ini_reset(tn_ini *ini);

/* The value of key in section, or NULL. */
const char *tn_ini_get(const tn_ini *ini, const char *section, const char *key);
bool tn_ini_has_section(const tn_ini *ini, const char *section);
/* Set (replace or add) a value; adds the section when new. */
int tn_ini_set(tn_ini *ini, const char *section, const char *key, const char *value, tarn_error *err) TN_MUST_USE;
/* Remove one key (key non-NULL) or a whole section; true when something went. */
bool tn_ini_remove(tn_ini *ini, const char *section, const char *key);

/* The text tn_ini_save writes: keys before any section, then each section
 * with its keys in order. Parsing it gives back the same lookups. */
int tn_ini_render(const tn_ini *ini, tn_buf *out, tarn_error *err) TN_MUST_USE;

/* Write the file atomically (temporary file beside it, fsync, rename) with
 * the given mode, creating its directory (mode 0700) when missing. */
int tn_ini_save(const tn_ini *ini, const char *path, int mode, tarn_error *err) TN_MUST_USE;

#endif
