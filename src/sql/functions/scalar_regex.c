/* scalar_regex.c — placeholder table (filled in below). */
#include "sql/functions/scalar_internal.h"

const tn_sfn tn_sfn_regex[] = {{{"__none_regex", NULL, false, false, NULL}, 0, false, {0}, R_BOOL, NULL}};
const int tn_sfn_regex_n = 0;
