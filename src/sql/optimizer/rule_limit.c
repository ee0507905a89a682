/*
 * rule_limit.c — a LIMIT (with its offset) over a SCAN without filters,
 * possibly through PROJECTs, becomes the scan's limit hint, so the scan
 * stops early. The LIMIT node stays (it still applies the offset and the
 * exact count).
 */
#include "sql/optimizer/optimizer_int.h"

int tn_rule_limit(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_limit(o, &p->children[i]));
    if (p->kind != TN_PLAN_LIMIT || p->limit < 0)
        return 0;
    tn_plan *c = p->children[0];
    while (c->kind == TN_PLAN_PROJECT)
        c = c->children[0];
    if (c->kind == TN_PLAN_SCAN && c->nfilters == 0)
        c->scan_limit = p->limit + p->offset;
    return 0;
}
