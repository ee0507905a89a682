/*
 * window_func.h — the window functions proper (row_number, rank, lag, ...):
 * what tn_window_func_resolve (function.h) puts in tn_window_call.wfunc.
 * They are computed by the window operator (sql/exec/window.c), which
 * switches on `kind`; aggregates used as window functions are tn_agg_func.
 */
#ifndef TN_SQL_WINDOW_FUNC_H
#define TN_SQL_WINDOW_FUNC_H

#include "sql/functions/function.h"

typedef enum tn_window_kind {
    TN_WIN_ROW_NUMBER,
    TN_WIN_RANK,
    TN_WIN_DENSE_RANK,
    TN_WIN_PERCENT_RANK,
    TN_WIN_CUME_DIST,
    TN_WIN_NTILE,       /* args: buckets (int64) */
    TN_WIN_LAG,         /* args: value [, offset (int64) [, default (value's type)]] */
    TN_WIN_LEAD,
    TN_WIN_FIRST_VALUE, /* args: value; over the frame */
    TN_WIN_LAST_VALUE,
    TN_WIN_NTH_VALUE    /* args: value, n (int64, 1-based) */
} tn_window_kind;

struct tn_window_func {
    const char *name;
    tn_window_kind kind;
    int32_t min_args, max_args;
};

#endif
