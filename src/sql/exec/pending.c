/*
 * pending.c — weak placeholders for the operators built in other files of
 * this folder (joins, aggregation, windows) so that the library
 * links while they are missing; each fails with TARN_EUNSUPPORTED. A real
 * definition anywhere in the library replaces the placeholder.
 */
#include "sql/exec/exec.h"

#define PENDING(what) tn_error_set(err, TARN_EUNSUPPORTED, "%s is not available in this build", what)




__attribute__((weak)) int tn_op_window_new(tn_exec_ctx *ctx, const tn_plan *win, tn_op *child, tn_op **out,
                                           tarn_error *err)
{
    (void)ctx, (void)win, (void)child, (void)out;
    return PENDING("the window operator");
}
