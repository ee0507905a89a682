/*
 * rule_join_order.c — greedy join ordering. A tree of INNER / CROSS joins
 * is flattened into its inputs ("leaves") and the conjuncts of its
 * conditions; it is rebuilt left-deep: start from the largest input (the
 * probe side), then repeatedly join the smallest input that a conjunct
 * links to what is joined so far (a cross product only when nothing
 * links), each new input on the right — the build side of a hash join.
 * Every conjunct goes to the first join that has all its columns. A
 * PROJECT on top restores the original column order.
 */
#include "sql/optimizer/optimizer_int.h"

#include <string.h>

#define MAX_LEAVES 64

typedef struct leaf {
    tn_plan *plan;
    int32_t base;  /* first column in the original layout */
    int32_t width;
    double rows;
} leaf;

typedef struct flat {
    leaf leaves[MAX_LEAVES];
    int n;
    tn_expr **conds;
    int32_t nconds, capconds;
    bool overflow;
} flat;

static bool is_inner(const tn_plan *p)
{
    return p->kind == TN_PLAN_JOIN && (p->join == TN_JOIN_INNER || p->join == TN_JOIN_CROSS) && p->nkeys == 0;
}

static int collect(tn_opt *o, flat *f, tn_plan *p, int32_t base)
{
    if (is_inner(p)) {
        int32_t nl = p->children[0]->out->n_fields;
        TN_TRY(collect(o, f, p->children[0], base));
        TN_TRY(collect(o, f, p->children[1], base + nl));
        if (p->condition) {
            tn_expr *c = tn_expr_copy(o->ctx, p->condition);
            if (!c)
                return tn_opt_oom(o);
            tn_expr_shift(c, 0, base);
            if (tn_expr_conjuncts(o->ctx, c, &f->conds, &f->nconds, &f->capconds))
                return tn_opt_oom(o);
        }
        return 0;
    }
    if (f->n == MAX_LEAVES) {
        f->overflow = true;
        return 0;
    }
    leaf *l = &f->leaves[f->n++];
    l->plan = p;
    l->base = base;
    l->width = p->out->n_fields;
    l->rows = tn_opt_rows(p);
    return 0;
}

static int leaf_of(const flat *f, int32_t col)
{
    for (int i = 0; i < f->n; i++)
        if (col >= f->leaves[i].base && col < f->leaves[i].base + f->leaves[i].width)
            return i;
    return -1;
}

static uint64_t leaves_used(const flat *f, const tn_expr *e, int32_t total)
{
    bool used[4096];
    bool *u = total <= 4096 ? used : NULL;
    if (!u)
        return ~(uint64_t)0;
    memset(u, 0, sizeof *u * (size_t)total);
    tn_expr_columns(e, u, total);
    uint64_t m = 0;
    for (int32_t c = 0; c < total; c++)
        if (u[c]) {
            int l = leaf_of(f, c);
            if (l >= 0)
                m |= (uint64_t)1 << l;
        }
    return m;
}

static int reorder(tn_opt *o, tn_plan **slot)
{
    tn_plan *root = *slot;
    flat f;
    memset(&f, 0, sizeof f);
    TN_TRY(collect(o, &f, root, 0));
    for (int i = 0; i < f.n; i++)
        TN_TRY(tn_rule_join_order(o, &f.leaves[i].plan));
    if (f.overflow || f.n < 2)
        return 0;
    int32_t total = root->out->n_fields;
    if (total > 4096)
        return 0;
    for (int i = 0; i < f.n; i++)
        f.leaves[i].rows = tn_opt_rows(f.leaves[i].plan);
    uint64_t *masks = tn_arena_alloc(&o->ctx->arena, sizeof *masks * (size_t)(f.nconds + 1));
    bool *placed = tn_arena_calloc(&o->ctx->arena, sizeof *placed * (size_t)(f.nconds + 1));
    int32_t *pos = tn_arena_alloc(&o->ctx->arena, sizeof *pos * (size_t)total);
    if (!masks || !placed || !pos)
        return tn_opt_oom(o);
    for (int32_t c = 0; c < f.nconds; c++)
        masks[c] = leaves_used(&f, f.conds[c], total);
    /* the probe side: the largest input */
    int start = 0;
    for (int i = 1; i < f.n; i++)
        if (f.leaves[i].rows > f.leaves[start].rows)
            start = i;
    uint64_t in = (uint64_t)1 << start;
    tn_plan *cur = f.leaves[start].plan;
    int32_t width = 0;
    for (int32_t c = 0; c < f.leaves[start].width; c++)
        pos[f.leaves[start].base + c] = width++;
    double cur_rows = f.leaves[start].rows;
    for (int step = 1; step < f.n; step++) {
        int best = -1;
        bool best_linked = false;
        for (int i = 0; i < f.n; i++) {
            if (in & ((uint64_t)1 << i))
                continue;
            uint64_t with = in | ((uint64_t)1 << i);
            bool linked = false;
            for (int32_t c = 0; c < f.nconds && !linked; c++)
                linked = !placed[c] && (masks[c] & ((uint64_t)1 << i)) && (masks[c] & in) && (masks[c] & ~with) == 0;
            if (best < 0 || (linked && !best_linked) ||
                (linked == best_linked && f.leaves[i].rows < f.leaves[best].rows)) {
                best = i;
                best_linked = linked;
            }
        }
        leaf *l = &f.leaves[best];
        for (int32_t c = 0; c < l->width; c++)
            pos[l->base + c] = width + c;
        in |= (uint64_t)1 << best;
        tn_expr **here = tn_arena_alloc(&o->ctx->arena, sizeof *here * (size_t)(f.nconds + 1));
        if (!here)
            return tn_opt_oom(o);
        int32_t nhere = 0;
        for (int32_t c = 0; c < f.nconds; c++) {
            if (placed[c] || (masks[c] & ~in) != 0)
                continue;
            placed[c] = true;
            tn_expr_remap(f.conds[c], pos);
            here[nhere++] = f.conds[c];
        }
        tn_plan *j = tn_plan_new(o->ctx, TN_PLAN_JOIN, 2);
        if (!j)
            return tn_opt_oom(o);
        j->children[0] = cur;
        j->children[1] = l->plan;
        j->join = nhere ? TN_JOIN_INNER : TN_JOIN_CROSS;
        j->condition = tn_expr_and_of(o->ctx, here, nhere);
        if ((nhere && !j->condition) ||
            !(j->out = tn_plan_join_schema(o->ctx, cur->out, l->plan->out, j->join)))
            return tn_opt_oom(o);
        cur_rows = best_linked ? (cur_rows > l->rows ? cur_rows : l->rows) : cur_rows * l->rows;
        j->est_rows = cur_rows;
        j->loc = root->loc;
        cur = j;
        width += l->width;
    }
    /* conjuncts reading no column at all */
    tn_expr **left = tn_arena_alloc(&o->ctx->arena, sizeof *left * (size_t)(f.nconds + 1));
    if (!left)
        return tn_opt_oom(o);
    int32_t nleft = 0;
    for (int32_t c = 0; c < f.nconds; c++)
        if (!placed[c])
            left[nleft++] = f.conds[c];
    if (!(cur = tn_opt_filter(o, cur, left, nleft)))
        return tn_opt_oom(o);
    bool same = true;
    for (int32_t c = 0; c < total; c++)
        same = same && pos[c] == c;
    if (!same) {
        tn_plan *p = tn_plan_project_columns(o->ctx, cur, pos, total);
        if (!p)
            return tn_opt_oom(o);
        p->out = root->out;
        cur = p;
    }
    *slot = cur;
    return 0;
}

int tn_rule_join_order(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    if (is_inner(p))
        return reorder(o, plan);
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_join_order(o, &p->children[i]));
    return 0;
}
