/*
 * multi.h — many CSV or JSON files read as one stream with the union of
 * their columns by name (multi.c). A glob pattern (*, ?, [...]) expands to
 * its files in sorted order.
 */
#ifndef TN_FORMATS_MULTI_H
#define TN_FORMATS_MULTI_H

#include "formats/csv/csv.h"
#include "formats/json/json.h"

int tn_csv_open_many(const char *const *paths, int32_t n, const tn_csv_options *opts, tn_reader **out,
                     tarn_error *err) TN_MUST_USE;
int tn_json_open_many(const char *const *paths, int32_t n, const tn_json_options *opts, tn_reader **out,
                      tarn_error *err) TN_MUST_USE;

bool tn_is_glob(const char *path);
/* Expand pattern and open its files (csv or json options as json says). */
int tn_glob_open(const char *pattern, bool json, const tn_csv_options *csv, const tn_json_options *js,
                 tn_reader **out, tarn_error *err) TN_MUST_USE;

#endif
