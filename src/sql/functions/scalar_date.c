/* scalar_date.c — placeholder table (filled in below). */
#include "sql/functions/scalar_internal.h"

const tn_sfn tn_sfn_date[] = {{{"__none_date", NULL, false, false, NULL}, 0, false, {0}, R_BOOL, NULL}};
const int tn_sfn_date_n = 0;
