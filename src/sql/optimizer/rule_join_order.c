/*
 * rule_join_order.c — join ordering by estimated cost. A tree of INNER /
 * CROSS joins is flattened into its inputs ("leaves") and the conjuncts of
 * its conditions, and rebuilt as a chain: one leaf, then one leaf joined
 * at a time. The order minimizes the sum over the joins of the rows they
 * read and produce (build rows count twice: they are hashed and held),
 * found by dynamic programming over the subsets of leaves (up to 12
 * leaves; greedily beyond), joining only leaves a conjunct links to what
 * is joined so far unless none is linked (no needless cross products).
 *
 * Each join builds its hash table on the smaller side: the new leaf goes
 * right (build) unless the rows joined so far are fewer, then left.
 *
 * Sizes: a leaf's estimated rows (tn_opt_rows: Parquet footers give the
 * table's rows, × 0.3 per filter); an equi-join of L and R on a = b gives
 * |L|·|R| / max(ndv(a), ndv(b)), ndv from the table statistics
 * (table_stats.c): each side at most the smaller of the two (one domain)
 * and at most its rows — an unknown side takes the other's, both unknown
 * give max(|L|, |R|) (a key join). With several
 * linking equalities the most selective one counts (composite keys are
 * rarely independent). Every conjunct goes to the first join that has all
 * its columns. A PROJECT on top restores the original column order.
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

/* ---- sizes ----------------------------------------------------------------- */

/* Estimated distinct values of output column c of p, < 0 when unknown. */
static double plan_ndv(const tn_plan *p, int32_t c, int depth)
{
    if (depth > 32 || c < 0 || !p->out || c >= p->out->n_fields)
        return -1;
    switch (p->kind) {
    case TN_PLAN_SCAN: {
        const tn_table *t = p->table;
        if (!t || !t->col_ndv)
            return -1;
        int32_t tc = p->columns ? (c < p->ncolumns ? p->columns[c] : -1) : c;
        return tc >= 0 && tc < t->schema->n_fields ? t->col_ndv[tc] : -1;
    }
    case TN_PLAN_FILTER: case TN_PLAN_SORT: case TN_PLAN_LIMIT:
        return plan_ndv(p->children[0], c, depth + 1);
    case TN_PLAN_PROJECT: {
        const tn_expr *e = p->exprs[c];
        while (e->kind == TN_EXPR_CAST)
            e = e->args[0];
        return e->kind == TN_EXPR_COLUMN ? plan_ndv(p->children[0], e->index, depth + 1) : -1;
    }
    case TN_PLAN_AGGREGATE: {
        if (c >= p->ngroups || p->groups[c]->kind != TN_EXPR_COLUMN)
            return -1;
        return plan_ndv(p->children[0], p->groups[c]->index, depth + 1);
    }
    case TN_PLAN_JOIN: {
        int32_t nl = p->children[0]->out->n_fields;
        return c < nl ? plan_ndv(p->children[0], c, depth + 1) : plan_ndv(p->children[1], c - nl, depth + 1);
    }
    default:
        return -1;
    }
}

/* The fraction of p's rows a conjunct keeps (a guess by its shape; an
 * equality with a literal uses the column's distinct values). */
static double conjunct_sel(const tn_plan *p, const tn_expr *e, int depth)
{
    if (depth > 16)
        return 0.5;
    switch (e->kind) {
    case TN_EXPR_COMPARE: {
        if (e->cmp == TN_CMP_NE)
            return 0.9;
        if (e->cmp != TN_CMP_EQ)
            return 0.3;
        const tn_expr *x = e->args[0], *y = e->args[1];
        const tn_expr *col = x->kind == TN_EXPR_COLUMN ? x : y->kind == TN_EXPR_COLUMN ? y : NULL;
        const tn_expr *other = col == x ? y : x;
        if (col && other->kind == TN_EXPR_LITERAL) {
            double ndv = plan_ndv(p, col->index, 0);
            if (ndv >= 1)
                return 1 / ndv;
        }
        return 0.1;
    }
    case TN_EXPR_IN_LIST: {
        double one = 0.1;
        if (e->args[0]->kind == TN_EXPR_COLUMN) {
            double ndv = plan_ndv(p, e->args[0]->index, 0);
            if (ndv >= 1)
                one = 1 / ndv;
        }
        double s = one * (e->nargs - 1);
        s = s > 1 ? 1 : s;
        return e->negated ? 1 - s : s;
    }
    case TN_EXPR_AND: {
        double s = 1;
        for (int32_t i = 0; i < e->nargs; i++)
            s *= conjunct_sel(p, e->args[i], depth + 1);
        return s;
    }
    case TN_EXPR_OR: {
        double s = 0;
        for (int32_t i = 0; i < e->nargs; i++)
            s += conjunct_sel(p, e->args[i], depth + 1);
        return s > 1 ? 1 : s;
    }
    case TN_EXPR_NOT:
        return 1 - conjunct_sel(p, e->args[0], depth + 1);
    case TN_EXPR_IS_NULL:
        return e->negated ? 0.9 : 0.1;
    case TN_EXPR_CALL:
        return 0.2; /* LIKE, starts_with, ... */
    default:
        return 0.3;
    }
}

/* Estimated rows of a join input: a scan of a table with known rows
 * applies its filters' selectivities; projections pass rows through. */
static double leaf_rows(const tn_plan *p, int depth)
{
    if (depth < 32 && p->kind == TN_PLAN_PROJECT)
        return leaf_rows(p->children[0], depth + 1);
    if (depth < 32 && p->kind == TN_PLAN_FILTER) {
        double r = leaf_rows(p->children[0], depth + 1) * conjunct_sel(p->children[0], p->predicate, 0);
        return r < 1 ? 1 : r;
    }
    if (p->kind == TN_PLAN_SCAN && p->table && p->table->est_rows >= 0) {
        double r = p->table->est_rows;
        for (int32_t i = 0; i < p->nfilters; i++)
            r *= conjunct_sel(p, p->filters[i], 0);
        return r < 1 ? 1 : r;
    }
    return tn_opt_rows(p);
}

/* An equality between one column of leaf a and one of leaf b, with their
 * distinct values (< 0 unknown). */
typedef struct link {
    int a, b;
    double ndv_a, ndv_b;
} link;

/* Whether conjunct e is `x = y` (or IS NOT DISTINCT FROM) over a column of
 * one leaf and a column of another; fills l. */
static bool as_link(const flat *f, const tn_expr *e, link *l)
{
    bool eq = (e->kind == TN_EXPR_COMPARE && e->cmp == TN_CMP_EQ) || (e->kind == TN_EXPR_IS_DISTINCT && e->negated);
    if (!eq)
        return false;
    const tn_expr *x = e->args[0], *y = e->args[1];
    while (x->kind == TN_EXPR_CAST)
        x = x->args[0];
    while (y->kind == TN_EXPR_CAST)
        y = y->args[0];
    if (x->kind != TN_EXPR_COLUMN || y->kind != TN_EXPR_COLUMN)
        return false;
    int a = leaf_of(f, x->index), b = leaf_of(f, y->index);
    if (a < 0 || b < 0 || a == b)
        return false;
    l->a = a;
    l->b = b;
    l->ndv_a = plan_ndv(f->leaves[a].plan, x->index - f->leaves[a].base, 0);
    l->ndv_b = plan_ndv(f->leaves[b].plan, y->index - f->leaves[b].base, 0);
    return true;
}

typedef struct sizes {
    const flat *f;
    const uint64_t *masks; /* per conjunct: the leaves it reads */
    const link *links;     /* per conjunct, valid where is_link */
    const bool *is_link;
    int32_t nconds;
} sizes;

/* The selectivity of one equality given the rows of its two sides. The
 * tables' distinct counts are of whole columns; both sides of a join key
 * draw from one domain (a foreign key's values are among the key's), so
 * each side has at most the smaller of the two (this also corrects a range
 * estimate of a sparse foreign key: l_orderkey spans 1..6M but holds the
 * 1.5M o_orderkey values), and at most its rows. */
static double link_sel(double ndv_a, double rows_a, double ndv_b, double rows_b)
{
    if (ndv_a > 0 && ndv_b > 0)
        ndv_a = ndv_b = ndv_a < ndv_b ? ndv_a : ndv_b;
    else if (ndv_a > 0)
        ndv_b = ndv_a;
    else if (ndv_b > 0)
        ndv_a = ndv_b;
    else /* a key join: max(|L|, |R|) rows */
        ndv_a = ndv_b = rows_a > rows_b ? rows_a : rows_b;
    if (ndv_a > rows_a)
        ndv_a = rows_a;
    if (ndv_b > rows_b)
        ndv_b = rows_b;
    double d = ndv_a > ndv_b ? ndv_a : ndv_b;
    return d < 1 ? 1 : 1 / d;
}

/* Rows of (set `in` of `rows_in` rows) joined with leaf i; *linked when a
 * conjunct links them. */
static double join_rows(const sizes *z, uint64_t in, double rows_in, int i, bool *linked)
{
    const flat *f = z->f;
    uint64_t bit = (uint64_t)1 << i, with = in | bit;
    double ri = f->leaves[i].rows, best = -1;
    *linked = false;
    for (int32_t c = 0; c < z->nconds; c++) {
        uint64_t m = z->masks[c];
        if (!(m & bit) || !(m & in) || (m & ~with))
            continue;
        *linked = true;
        if (!z->is_link[c])
            continue;
        const link *l = &z->links[c];
        /* the side in `in`: its distinct values are capped by rows_in */
        double sel = l->a == i ? link_sel(l->ndv_b, rows_in, l->ndv_a, ri) : link_sel(l->ndv_a, rows_in, l->ndv_b, ri);
        if (best < 0 || sel < best)
            best = sel;
    }
    if (!*linked)
        return rows_in * ri;
    if (best < 0) /* linked by other conditions only (a < b, f(a, b)) */
        best = 0.3 / (rows_in > ri ? rows_in : ri);
    double r = rows_in * ri * best;
    return r < 1 ? 1 : r;
}

/* The cost of joining set `in` (rows_in) with leaf i giving `out` rows:
 * both inputs read, the output produced, the smaller side built (twice). */
static double join_cost(double rows_in, double ri, double out)
{
    double small = rows_in < ri ? rows_in : ri;
    return rows_in + ri + out + small;
}

#define DP_MAX 12

typedef struct dp_cell {
    double cost, rows;
    int8_t last;     /* the leaf joined last, -1: unreachable */
} dp_cell;

/* Whether some leaf outside `in` is linked to it. */
static bool any_linked(const sizes *z, uint64_t in, int n)
{
    for (int i = 0; i < n; i++) {
        if (in & ((uint64_t)1 << i))
            continue;
        uint64_t with = in | ((uint64_t)1 << i);
        for (int32_t c = 0; c < z->nconds; c++)
            if ((z->masks[c] & ((uint64_t)1 << i)) && (z->masks[c] & in) && !(z->masks[c] & ~with))
                return true;
    }
    return false;
}

/* The order of the leaves in order[0..n): dynamic programming over subsets. */
static int order_dp(tn_opt *o, const sizes *z, int n, int *order)
{
    size_t cells = (size_t)1 << n;
    dp_cell *dp = tn_arena_alloc(&o->ctx->arena, sizeof *dp * cells);
    if (!dp)
        return tn_opt_oom(o);
    for (size_t s = 0; s < cells; s++)
        dp[s].last = -1;
    for (int i = 0; i < n; i++) {
        dp[(size_t)1 << i].cost = 0;
        dp[(size_t)1 << i].rows = z->f->leaves[i].rows;
        dp[(size_t)1 << i].last = (int8_t)i;
    }
    for (size_t s = 1; s < cells; s++) {
        if (dp[s].last < 0 || s == cells - 1)
            continue;
        bool need_link = any_linked(z, s, n);
        for (int i = 0; i < n; i++) {
            if (s & ((size_t)1 << i))
                continue;
            bool linked;
            double out = join_rows(z, s, dp[s].rows, i, &linked);
            if (need_link && !linked)
                continue;
            double cost = dp[s].cost + join_cost(dp[s].rows, z->f->leaves[i].rows, out);
            size_t t = s | ((size_t)1 << i);
            if (dp[t].last < 0 || cost < dp[t].cost) {
                dp[t].cost = cost;
                dp[t].rows = out;
                dp[t].last = (int8_t)i;
            }
        }
    }
    size_t s = cells - 1;
    for (int k = n - 1; k >= 0; k--) {
        order[k] = dp[s].last;
        s &= ~((size_t)1 << dp[s].last);
    }
    return 0;
}

/* Greedy for many leaves: start from the largest, add the leaf giving the
 * fewest rows among the linked ones. */
static void order_greedy(const sizes *z, int n, int *order)
{
    const flat *f = z->f;
    int start = 0;
    for (int i = 1; i < n; i++)
        if (f->leaves[i].rows > f->leaves[start].rows)
            start = i;
    order[0] = start;
    uint64_t in = (uint64_t)1 << start;
    double rows = f->leaves[start].rows;
    for (int step = 1; step < n; step++) {
        int best = -1;
        bool best_linked = false;
        double best_rows = 0;
        for (int i = 0; i < n; i++) {
            if (in & ((uint64_t)1 << i))
                continue;
            bool linked;
            double r = join_rows(z, in, rows, i, &linked);
            if (best < 0 || (linked && !best_linked) || (linked == best_linked && r < best_rows)) {
                best = i;
                best_linked = linked;
                best_rows = r;
            }
        }
        order[step] = best;
        in |= (uint64_t)1 << best;
        rows = best_rows;
    }
}

/* ---- the rewrite ------------------------------------------------------------- */

/* The sizing facts of f's conjuncts: the leaves each reads, and which are
 * join links (arena memory). */
static int sizes_of(tn_opt *o, const flat *f, int32_t total, sizes *z)
{
    uint64_t *masks = tn_arena_alloc(&o->ctx->arena, sizeof *masks * (size_t)(f->nconds + 1));
    link *links = tn_arena_alloc(&o->ctx->arena, sizeof *links * (size_t)(f->nconds + 1));
    bool *is_link = tn_arena_calloc(&o->ctx->arena, sizeof *is_link * (size_t)(f->nconds + 1));
    if (!masks || !links || !is_link)
        return tn_opt_oom(o);
    for (int32_t c = 0; c < f->nconds; c++) {
        masks[c] = leaves_used(f, f->conds[c], total);
        is_link[c] = as_link(f, f->conds[c], &links[c]);
    }
    *z = (sizes){f, masks, links, is_link, f->nconds};
    return 0;
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
        f.leaves[i].rows = leaf_rows(f.leaves[i].plan, 0);
    bool *placed = tn_arena_calloc(&o->ctx->arena, sizeof *placed * (size_t)(f.nconds + 1));
    int32_t *pos = tn_arena_alloc(&o->ctx->arena, sizeof *pos * (size_t)total);
    if (!placed || !pos)
        return tn_opt_oom(o);
    sizes z;
    TN_TRY(sizes_of(o, &f, total, &z));
    const uint64_t *masks = z.masks;
    int order[MAX_LEAVES];
    if (f.n <= DP_MAX)
        TN_TRY(order_dp(o, &z, f.n, order));
    else
        order_greedy(&z, f.n, order);
    int start = order[0];
    uint64_t in = (uint64_t)1 << start;
    tn_plan *cur = f.leaves[start].plan;
    int32_t width = 0;
    for (int32_t c = 0; c < f.leaves[start].width; c++)
        pos[f.leaves[start].base + c] = width++;
    double cur_rows = f.leaves[start].rows;
    for (int step = 1; step < f.n; step++) {
        int best = order[step];
        leaf *l = &f.leaves[best];
        bool linked;
        double out = join_rows(&z, in, cur_rows, best, &linked);
        /* the smaller side builds: the new leaf goes left when it is larger */
        bool swap = linked && l->rows > cur_rows;
        if (swap) {
            for (int i = 0; i < f.n; i++)
                if (in & ((uint64_t)1 << i))
                    for (int32_t c = 0; c < f.leaves[i].width; c++)
                        pos[f.leaves[i].base + c] += l->width;
            for (int32_t c = 0; c < l->width; c++)
                pos[l->base + c] = c;
        } else {
            for (int32_t c = 0; c < l->width; c++)
                pos[l->base + c] = width + c;
        }
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
        j->children[0] = swap ? l->plan : cur;
        j->children[1] = swap ? cur : l->plan;
        j->join = nhere ? TN_JOIN_INNER : TN_JOIN_CROSS;
        j->condition = tn_expr_and_of(o->ctx, here, nhere);
        if ((nhere && !j->condition) ||
            !(j->out = tn_plan_join_schema(o->ctx, j->children[0]->out, j->children[1]->out, j->join)))
            return tn_opt_oom(o);
        cur_rows = out;
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

/* ---- SEMI / ANTI joins into the tree below ---------------------------------------
 * Decorrelation puts a SEMI / ANTI join (IN, EXISTS) over the whole FROM
 * tree, but its condition often reads the columns of one input only
 * (TPC-H Q18: o_orderkey IN (...) over lineitem x orders x customer). It
 * is a filter on that input's rows, so it may as well run on the input:
 * it moves down when the input is estimated no larger than the tree (it
 * then runs on fewer rows, and the joins above see fewer; Q21's EXISTS over
 * l1, which the other joins cut to 2%, stays up). */

/* The estimated rows of an INNER / CROSS tree once ordered (greedily). */
static int tree_rows(tn_opt *o, tn_plan *root, double *out)
{
    flat f;
    memset(&f, 0, sizeof f);
    *out = tn_opt_rows(root);
    TN_TRY(collect(o, &f, root, 0));
    int32_t total = root->out->n_fields;
    if (f.overflow || f.n < 2 || total > 4096)
        return 0;
    for (int i = 0; i < f.n; i++)
        f.leaves[i].rows = leaf_rows(f.leaves[i].plan, 0);
    sizes z;
    TN_TRY(sizes_of(o, &f, total, &z));
    int order[MAX_LEAVES];
    order_greedy(&z, f.n, order);
    uint64_t in = (uint64_t)1 << order[0];
    double rows = f.leaves[order[0]].rows;
    for (int step = 1; step < f.n; step++) {
        bool linked;
        rows = join_rows(&z, in, rows, order[step], &linked);
        in |= (uint64_t)1 << order[step];
    }
    *out = rows;
    return 0;
}

static int push_semi(tn_opt *o, tn_plan **slot)
{
    tn_plan *p = *slot;
    if (p->kind != TN_PLAN_JOIN || (p->join != TN_JOIN_SEMI && p->join != TN_JOIN_ANTI) || p->nkeys != 0 ||
        !p->condition || !is_inner(p->children[0]) || tn_expr_has_subquery(p->condition))
        return 0;
    tn_plan *tree = p->children[0], *right = p->children[1];
    int32_t nl = tree->out->n_fields, nr = right->out->n_fields;
    bool *used = tn_arena_calloc(&o->ctx->arena, sizeof *used * (size_t)(nl + nr + 1));
    int32_t *map = tn_arena_alloc(&o->ctx->arena, sizeof *map * (size_t)(nl + nr + 1));
    if (!used || !map)
        return tn_opt_oom(o);
    tn_expr_columns(p->condition, used, nl + nr);
    int32_t lo = -1, hi = -1;
    for (int32_t c = 0; c < nl; c++)
        if (used[c]) {
            lo = lo < 0 ? c : lo;
            hi = c;
        }
    if (lo < 0)
        return 0;
    /* the deepest input of the tree holding columns [lo, hi] */
    tn_plan **at = &p->children[0];
    int32_t base = 0;
    while (is_inner(*at)) {
        int32_t w0 = (*at)->children[0]->out->n_fields;
        if (hi - base < w0)
            at = &(*at)->children[0];
        else if (lo - base >= w0) {
            base += w0;
            at = &(*at)->children[1];
        } else
            break;
    }
    tn_plan *target = *at;
    double tree_est = 0;
    if (target != tree)
        TN_TRY(tree_rows(o, tree, &tree_est));
    if (target == tree || leaf_rows(target, 0) > tree_est)
        return 0;
    int32_t w = target->out->n_fields;
    for (int32_t c = 0; c < nl; c++)
        map[c] = c >= base && c < base + w ? c - base : 0; /* unused columns: any */
    for (int32_t c = 0; c < nr; c++)
        map[nl + c] = w + c;
    tn_expr *cond = tn_expr_copy(o->ctx, p->condition);
    tn_plan *j = tn_plan_new(o->ctx, TN_PLAN_JOIN, 2);
    if (!cond || !j)
        return tn_opt_oom(o);
    tn_expr_remap(cond, map);
    j->join = p->join;
    j->children[0] = target;
    j->children[1] = right;
    j->condition = cond;
    j->loc = p->loc;
    if (!(j->out = tn_plan_join_schema(o->ctx, target->out, right->out, p->join)))
        return tn_opt_oom(o);
    double tr = leaf_rows(target, 0), rr = tn_opt_rows(right);
    j->est_rows = p->join == TN_JOIN_SEMI ? (rr < tr ? rr : tr) : tr * 0.5;
    *at = j;
    *slot = tree; /* the tree's columns are the SEMI / ANTI join's */
    return 0;
}

int tn_rule_join_order(tn_opt *o, tn_plan **plan)
{
    TN_TRY(push_semi(o, plan));
    tn_plan *p = *plan;
    if (is_inner(p))
        return reorder(o, plan);
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_join_order(o, &p->children[i]));
    return 0;
}
