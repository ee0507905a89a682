/*
 * test_compute_random.c — differential tests: the vectorized kernels
 * against a naive per-row reference written here with __int128 and plain
 * branches, on random data with nulls, random slices, random scalars and
 * random selection vectors, from a fixed seed (failures name the round).
 */
#include "arrow/compute/decimal.h"
#include "compute_helpers.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const tn_type_id int_types[] = {TN_INT8, TN_INT16, TN_INT32, TN_INT64, TN_UINT8, TN_UINT16, TN_UINT32, TN_UINT64};

static void range_of(tn_type_id id, __int128 *lo, __int128 *hi)
{
    int bits = id == TN_INT8 || id == TN_UINT8 ? 8 : id == TN_INT16 || id == TN_UINT16 ? 16
             : id == TN_INT32 || id == TN_UINT32 ? 32 : 64;
    if (tn_type_is_signed_int(id)) {
        *lo = -((__int128)1 << (bits - 1));
        *hi = ((__int128)1 << (bits - 1)) - 1;
    } else {
        *lo = 0;
        *hi = ((__int128)1 << bits) - 1;
    }
}

/* A value biased toward small numbers, zero and the extremes. */
static __int128 rand_val(tn_type_id id)
{
    __int128 lo, hi;
    range_of(id, &lo, &hi);
    switch (next() % 6) {
    case 0: return lo;
    case 1: return hi;
    case 2: return 0;
    case 3: return (__int128)(next() % 7) - (tn_type_is_signed_int(id) ? 3 : 0);
    default: {
        __int128 span = hi - lo + 1;
        unsigned __int128 r = ((unsigned __int128)next() << 64) | next();
        return lo + (__int128)(r % (unsigned __int128)span);
    }
    }
}

static tn_array *rand_int_array(tn_type_id id, int n, int null_pct)
{
    tn_builder *b = tn_builder_new(tn_type_get(id));
    for (int i = 0; i < n; i++) {
        int rc;
        if ((int)(next() % 100) < null_pct)
            rc = tn_builder_append_null(b, NULL);
        else if (id == TN_UINT64)
            rc = tn_builder_append_uint(b, (uint64_t)rand_val(id), NULL);
        else
            rc = tn_builder_append_int(b, (int64_t)rand_val(id), NULL);
        if (rc)
            exit(2);
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL))
        exit(2);
    tn_builder_free(b);
    return a;
}

static __int128 get_int(const tn_array *a, int64_t i)
{
    const uint8_t *v = a->buffers[1]->data;
    int64_t r = a->offset + i;
    switch (a->type->id) {
    case TN_INT8: return ((const int8_t *)v)[r];
    case TN_INT16: return ((const int16_t *)v)[r];
    case TN_INT32: return ((const int32_t *)v)[r];
    case TN_INT64: return ((const int64_t *)v)[r];
    case TN_UINT8: return ((const uint8_t *)v)[r];
    case TN_UINT16: return ((const uint16_t *)v)[r];
    case TN_UINT32: return ((const uint32_t *)v)[r];
    default: return ((const uint64_t *)v)[r];
    }
}

/* Reference: 0 ok (*r set), 1 overflow, 2 division by zero. */
static int ref_arith(tn_arith_op op, __int128 x, __int128 y, tn_type_id rt, __int128 *r)
{
    switch (op) {
    case TN_ADD: *r = x + y; break;
    case TN_SUB: *r = x - y; break;
    case TN_MUL:
        if (__builtin_mul_overflow(x, y, r))
            return 1; /* beyond 127 bits: beyond every result type too */
        break;
    case TN_DIV:
        if (y == 0)
            return 2;
        *r = x / y;
        break;
    default:
        if (y == 0)
            return 2;
        *r = x % y;
        break;
    }
    __int128 lo, hi;
    range_of(rt, &lo, &hi);
    return *r < lo || *r > hi;
}

static int ref_cmp(tn_cmp_op op, __int128 x, __int128 y)
{
    switch (op) {
    case TN_CMP_EQ: return x == y;
    case TN_CMP_NE: return x != y;
    case TN_CMP_LT: return x < y;
    case TN_CMP_LE: return x <= y;
    case TN_CMP_GT: return x > y;
    default: return x >= y;
    }
}

TEST(arith_and_compare_ints)
{
    int mismatches = 0;
    for (int round = 0; round < 600; round++) {
        tn_type_id ta = int_types[next() % 8], tb = int_types[next() % 8];
        int n = (int)(next() % 150);
        tn_array *fa = rand_int_array(ta, n + 5, (int)(next() % 40)), *fb = rand_int_array(tb, n + 5, (int)(next() % 40));
        tn_array *a = tn_array_slice(fa, (int64_t)(next() % 5), n), *b = tn_array_slice(fb, (int64_t)(next() % 5), n);
        bool scalar_b = next() % 5 == 0;
        tn_scalar *sb = NULL;
        if (scalar_b) {
            __int128 v = rand_val(tb);
            sb = tb == TN_UINT64 ? tn_scalar_uint(tn_type_get(tb), (uint64_t)v) : tn_scalar_int(tn_type_get(tb), (int64_t)v);
        }
        tn_datum db = scalar_b ? S(sb) : A(b);
        /* a random selection half of the time */
        int32_t *rows = malloc(sizeof(int32_t) * (size_t)(n + 1));
        int64_t nsel = 0;
        bool use_sel = n > 0 && next() % 2;
        for (int i = 0; use_sel && i < n; i++)
            if (next() % 3)
                rows[nsel++] = (int32_t)(next() % (uint64_t)n);
        tn_selection sel = {rows, nsel};
        const tn_selection *sp = use_sel ? &sel : NULL;
        int64_t outn = use_sel ? nsel : n;
        tn_arith_op op = (tn_arith_op)(next() % 5);
        tn_type *rt = NULL;
        tarn_error err;
        if (tn_arith_result_type(op, a->type, tn_datum_type(db), &rt, &err) != 0) {
            mismatches++;
            continue;
        }
        tn_array *o = NULL;
        int rc = tn_arith(op, A(a), db, sp, &o, &err);
        /* reference; the cast of an operand into the result type fails first
         * (uint64 values beyond int64), for any selected valid row */
        int want_rc = 0;
        __int128 lo, hi;
        range_of(rt->id, &lo, &hi);
        for (int64_t k = 0; k < outn; k++) {
            int64_t r = use_sel ? rows[k] : k;
            bool va = tn_array_is_valid(a, r), vb = scalar_b ? sb->is_valid : tn_array_is_valid(b, r);
            __int128 x = get_int(a, r), y = scalar_b ? (tb == TN_UINT64 ? (__int128)sb->v.u : sb->v.i) : get_int(b, r);
            if ((va && (x < lo || x > hi)) || (vb && (y < lo || y > hi)))
                want_rc = TARN_EOVERFLOW;
        }
        if (want_rc && rc == want_rc && !strstr(err.message, "out of range for int64"))
            mismatches++;
        for (int64_t k = 0; k < outn && !want_rc; k++) {
            int64_t r = use_sel ? rows[k] : k;
            bool va = tn_array_is_valid(a, r), vb = scalar_b ? sb->is_valid : tn_array_is_valid(b, r);
            __int128 x = get_int(a, r), y = scalar_b ? (tb == TN_UINT64 ? (__int128)sb->v.u : sb->v.i) : get_int(b, r);
            __int128 res = 0;
            int f = va && vb ? ref_arith(op, x, y, rt->id, &res) : 0;
            if (f) {
                want_rc = f == 2 ? TARN_EDIVZERO : TARN_EOVERFLOW;
                char want_row[40];
                snprintf(want_row, sizeof want_row, "at row %lld", (long long)k);
                if (rc == want_rc && !strstr(err.message, want_row))
                    mismatches++;
                break;
            }
            if (rc == 0) {
                bool vo = tn_array_is_valid(o, k);
                if (vo != (va && vb) || (vo && get_int(o, k) != res))
                    mismatches++;
            }
        }
        if (rc != want_rc) {
            fprintf(stderr, "round %d: %s %s %s: rc %d want %d (%s)\n", round, tn_type_id_name(ta),
                    (const char *[]){"+", "-", "*", "/", "%"}[op], tn_type_id_name(tb), rc, want_rc, err.message);
            mismatches++;
        }
        tn_array_unref(o);
        /* comparisons against the reference on the same data */
        tn_cmp_op cop = (tn_cmp_op)(next() % 6);
        o = NULL;
        rc = tn_compare(cop, A(a), db, sp, &o, &err);
        if (rc != 0) {
            mismatches++;
        } else {
            for (int64_t k = 0; k < outn; k++) {
                int64_t r = use_sel ? rows[k] : k;
                bool va = tn_array_is_valid(a, r), vb = scalar_b ? sb->is_valid : tn_array_is_valid(b, r);
                __int128 x = get_int(a, r), y = scalar_b ? (tb == TN_UINT64 ? (__int128)sb->v.u : sb->v.i) : get_int(b, r);
                bool vo = tn_array_is_valid(o, k);
                if (vo != (va && vb) || (vo && tn_bit_get(o->buffers[1]->data, o->offset + k) != ref_cmp(cop, x, y))) {
                    /* uint64 values beyond int64 make the common-type cast fail instead */
                    mismatches++;
                    break;
                }
            }
        }
        tn_array_unref(o);
        tn_type_unref(rt);
        tn_scalar_free(sb);
        free(rows);
        tn_array_unref(a);
        tn_array_unref(b);
        tn_array_unref(fa);
        tn_array_unref(fb);
    }
    CHECK_EQ_INT(mismatches, 0);
}

TEST(int_casts)
{
    int mismatches = 0;
    for (int round = 0; round < 400; round++) {
        tn_type_id from = int_types[next() % 8], to = int_types[next() % 8];
        int n = (int)(next() % 100);
        tn_array *fa = rand_int_array(from, n + 3, 20), *a = tn_array_slice(fa, (int64_t)(next() % 3), n), *o = NULL;
        tarn_error err;
        if (tn_cast(a, tn_type_get(to), TN_CAST_TRY, &o, &err) != 0) {
            mismatches++;
        } else {
            __int128 lo, hi;
            range_of(to, &lo, &hi);
            for (int64_t i = 0; i < n; i++) {
                bool v = tn_array_is_valid(a, i);
                __int128 x = get_int(a, i);
                bool fits = x >= lo && x <= hi;
                if (tn_array_is_valid(o, i) != (v && fits) || (v && fits && get_int(o, i) != x)) {
                    mismatches++;
                    break;
                }
            }
        }
        tn_array_unref(o);
        /* through text and back is the identity */
        tn_array *s = NULL, *back = NULL;
        if (tn_cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &s, &err) != 0 ||
            tn_cast(s, tn_type_get(from), TN_CAST_STRICT, &back, &err) != 0 || !tn_array_equals(back, a))
            mismatches++;
        tn_array_unref(s);
        tn_array_unref(back);
        tn_array_unref(a);
        tn_array_unref(fa);
    }
    CHECK_EQ_INT(mismatches, 0);
}

static double rand_double(void)
{
    uint64_t bits = next();
    double d;
    switch (next() % 4) {
    case 0: memcpy(&d, &bits, 8); return d; /* any bit pattern, NaN and inf included */
    case 1: return (double)(int64_t)(next() % 2000001) / 1000.0 - 1000.0;
    case 2: return ldexp((double)(next() >> 11), (int)(next() % 200) - 100);
    default: return (double)(int64_t)next();
    }
}

TEST(float_text_and_arith)
{
    int mismatches = 0;
    for (int round = 0; round < 200; round++) {
        int n = (int)(next() % 200);
        double *v = malloc(sizeof(double) * (size_t)(n + 1)), *w = malloc(sizeof(double) * (size_t)(n + 1));
        char *valid = malloc((size_t)n + 1);
        for (int i = 0; i < n; i++) {
            v[i] = rand_double();
            w[i] = rand_double();
            valid[i] = next() % 10 ? '1' : '0';
        }
        valid[n] = 0;
        tn_array *a = mk_dbl(tn_type_get(TN_FLOAT64), n, v, valid), *b = mk_dbl(tn_type_get(TN_FLOAT64), n, w, NULL);
        tn_array *s = NULL, *back = NULL, *o = NULL;
        tarn_error err;
        /* shortest text reads back bit-exactly (NaNs: as a NaN) */
        if (tn_cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &s, &err) != 0 ||
            tn_cast(s, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &back, &err) != 0) {
            mismatches++;
        } else {
            for (int i = 0; i < n; i++) {
                if (valid[i] == '0')
                    continue;
                double x = TN_VALUES(back, double)[i];
                int64_t len;
                const uint8_t *p = tn_array_bytes(s, i, &len);
                char tmp[40];
                int shorter = 0;
                /* no shorter %.*g text reads back the same value */
                for (int prec = 1; prec < 17 && !isnan(v[i]) && !isinf(v[i]); prec++) {
                    int m = snprintf(tmp, sizeof tmp, "%.*g", prec, v[i]);
                    if (strtod(tmp, NULL) == v[i]) {
                        shorter = m < len;
                        break;
                    }
                }
                if ((isnan(v[i]) ? !isnan(x) : x != v[i]) || shorter) {
                    fprintf(stderr, "round %d row %d: %.17g -> %.*s -> %.17g\n", round, i, v[i], (int)len, p, x);
                    mismatches++;
                    break;
                }
            }
        }
        if (tn_arith(TN_MUL, A(a), A(b), NULL, &o, &err) != 0) {
            mismatches++;
        } else {
            for (int i = 0; i < n; i++) {
                double want = v[i] * w[i], got = TN_VALUES(o, double)[i];
                if (tn_array_is_valid(o, i) != (valid[i] == '1') ||
                    (valid[i] == '1' && !(got == want || (isnan(got) && isnan(want))))) {
                    mismatches++;
                    break;
                }
            }
        }
        tn_array_unref(o);
        tn_array_unref(s);
        tn_array_unref(back);
        tn_array_unref(a);
        tn_array_unref(b);
        free(v);
        free(w);
        free(valid);
    }
    CHECK_EQ_INT(mismatches, 0);
}

TEST(decimal_arith)
{
    int mismatches = 0;
    for (int round = 0; round < 300; round++) {
        tn_arith_op op = (tn_arith_op)(next() % 4); /* + - * / */
        uint64_t maxp = op == TN_DIV ? 9 : 18;   /* keeps the __int128 reference exact */
        int p1 = 1 + (int)(next() % maxp), s1 = (int)(next() % (uint64_t)(p1 + 1));
        int p2 = 1 + (int)(next() % maxp), s2 = (int)(next() % (uint64_t)(p2 + 1));
        int n = (int)(next() % 60);
        int64_t *x = malloc(8 * (size_t)(n + 1)), *y = malloc(8 * (size_t)(n + 1));
        int64_t m1 = 1, m2 = 1;
        for (int i = 0; i < p1; i++)
            m1 *= 10;
        for (int i = 0; i < p2; i++)
            m2 *= 10;
        for (int i = 0; i < n; i++) {
            x[i] = next() % 8 == 0 ? NUL_I : (int64_t)(next() % (uint64_t)(2 * m1 - 1)) - (m1 - 1);
            y[i] = next() % 8 == 0 ? NUL_I : (int64_t)(next() % (uint64_t)(2 * m2 - 1)) - (m2 - 1);
        }
        tn_type *t1 = tn_type_decimal(128, p1, s1), *t2 = tn_type_decimal(next() % 2 ? 128 : 256, p2, s2);
        tn_array *a = mk_int(tn_type_ref(t1), n, x), *b = mk_int(tn_type_ref(t2), n, y), *o = NULL;
        tarn_error err;
        int rc = tn_arith(op, A(a), A(b), NULL, &o, &err);
        tn_type *rt = NULL;
        if (tn_arith_result_type(op, t1, t2, &rt, &err) != 0) {
            mismatches++;
            goto next_round;
        }
        if (op == TN_DIV) { /* a valid zero divisor anywhere fails the whole division */
            bool zero = false;
            for (int i = 0; i < n; i++)
                zero |= x[i] != NUL_I && y[i] == 0;
            if (zero) {
                mismatches += rc != TARN_EDIVZERO;
                goto next_round;
            }
        }
        for (int i = 0; i < n; i++) {
            if (x[i] == NUL_I || y[i] == NUL_I) {
                if (rc == 0 && tn_array_is_valid(o, i))
                    mismatches++;
                continue;
            }
            /* reference in __int128: exact rational x/10^s1 op y/10^s2 at scale rt->scale */
            __int128 X = x[i], Y = y[i], want, num, den;
            int s = rt->scale;
            switch (op) {
            case TN_ADD: case TN_SUB: {
                int c = s1 > s2 ? s1 : s2;
                __int128 xa = X * tn_pow10_128(c - s1), ya = Y * tn_pow10_128(c - s2);
                want = op == TN_ADD ? xa + ya : xa - ya;
                break;
            }
            case TN_MUL: want = X * Y; break;
            default: {
                if (Y == 0) {
                    if (rc != TARN_EDIVZERO)
                        mismatches++;
                    goto next_round;
                }
                /* X/10^s1 / (Y/10^s2) * 10^s = X * 10^(s - s1 + s2) / Y, rounded half away */
                int k = s - s1 + s2;
                num = X * tn_pow10_128(k > 0 ? k : 0);
                den = Y * tn_pow10_128(k < 0 ? -k : 0);
                __int128 q = num / den, r = num % den;
                __int128 ar = r < 0 ? -r : r, ad = den < 0 ? -den : den;
                if (2 * ar >= ad)
                    q += ((num < 0) != (den < 0)) ? -1 : 1;
                want = q;
                break;
            }
            }
            if (rc != 0) {
                fprintf(stderr, "decimal round %d: %s\n", round, err.message);
                mismatches++;
                break;
            }
            tn_i256 got;
            if (o->type->id == TN_DECIMAL256) {
                memcpy(&got, o->buffers[1]->data + 32 * (o->offset + i), 32);
            } else {
                tn_i128 g;
                memcpy(&g, o->buffers[1]->data + 16 * (o->offset + i), 16);
                got = tn_i256_from_i128(g);
            }
            tn_i128 g128 = 0;
            if (!tn_i256_to_i128(got, &g128) || g128 != want) {
                char gs[100], ws[100];
                tn_i256_format(got, s, gs);
                tn_i128_format(want, s, ws);
                fprintf(stderr, "decimal round %d row %d op %d: got %s want %s\n", round, i, op, gs, ws);
                mismatches++;
                break;
            }
        }
    next_round:
        tn_type_unref(rt);
        tn_array_unref(o);
        tn_array_unref(a);
        tn_array_unref(b);
        tn_type_unref(t1);
        tn_type_unref(t2);
        free(x);
        free(y);
    }
    CHECK_EQ_INT(mismatches, 0);
}

/* --- sort: against a naive stable insertion sort ----------------------------------- */

typedef struct ref_key {
    tn_array *a;
    int kind; /* 0 int64-ish, 1 double, 2 text, 3 uint64 */
    bool desc, nulls_first;
} ref_key;

static int ref_cmp_rows(const ref_key *k, int nk, int64_t i, int64_t j)
{
    for (int c = 0; c < nk; c++) {
        tn_array *a = k[c].a;
        bool vi = tn_array_is_valid(a, i), vj = tn_array_is_valid(a, j);
        if (!vi || !vj) {
            if (vi == vj)
                continue;
            return (!vi ? -1 : 1) * (k[c].nulls_first ? 1 : -1);
        }
        int r = 0;
        if (k[c].kind == 1) {
            double x = TN_VALUES(a, double)[i], y = TN_VALUES(a, double)[j];
            bool nx = isnan(x), ny = isnan(y);
            r = nx || ny ? (nx && ny ? 0 : nx ? 1 : -1) : (x < y ? -1 : x > y ? 1 : 0);
        } else if (k[c].kind == 2) {
            int64_t pn, qn;
            const uint8_t *p = tn_array_bytes(a, i, &pn), *q = tn_array_bytes(a, j, &qn);
            for (int64_t b = 0; b < pn && b < qn && !r; b++)
                r = p[b] < q[b] ? -1 : p[b] > q[b] ? 1 : 0;
            if (!r)
                r = pn < qn ? -1 : pn > qn ? 1 : 0;
        } else {
            __int128 x = get_int(a, i), y = get_int(a, j);
            r = x < y ? -1 : x > y ? 1 : 0;
        }
        if (r)
            return k[c].desc ? -r : r;
    }
    return 0;
}

TEST(sort_against_reference)
{
    static const char *const words[] = {"", "a", "ab", "abcdefgh", "abcdefghi", "abcdefghij", "b", "zz", "abcdefgh\x01"};
    int mismatches = 0;
    for (int round = 0; round < 300; round++) {
        int n = (int)(next() % 120), nk = 1 + (int)(next() % 3);
        tn_sort_key keys[3];
        ref_key ref[3];
        for (int c = 0; c < nk; c++) {
            int kind = (int)(next() % 4);
            tn_array *a;
            if (kind == 0) {
                a = rand_int_array(next() % 2 ? TN_INT8 : TN_INT64, n, 20);
            } else if (kind == 3) {
                a = rand_int_array(TN_UINT64, n, 20);
            } else if (kind == 1) {
                double *v = malloc(sizeof(double) * (size_t)(n + 1));
                char *valid = malloc((size_t)n + 1);
                static const double pool[] = {0.0, -0.0, 1.5, -1.5, 1e300, -1e300, INFINITY, -INFINITY, NAN, 2.0};
                for (int i = 0; i < n; i++) {
                    v[i] = pool[next() % 10];
                    valid[i] = next() % 6 ? '1' : '0';
                }
                valid[n] = 0;
                a = mk_dbl(tn_type_get(TN_FLOAT64), n, v, valid);
                free(v);
                free(valid);
            } else {
                const char **w = malloc(sizeof(char *) * (size_t)(n + 1));
                for (int i = 0; i < n; i++)
                    w[i] = next() % 7 ? words[next() % 9] : NULL;
                a = mk_str(next() % 2 ? tn_type_get(TN_STRING) : tn_type_get(TN_STRING_VIEW), n, w);
                free(w);
            }
            keys[c].array = a;
            keys[c].descending = next() % 2;
            keys[c].nulls_first = next() % 2;
            ref[c].a = a;
            ref[c].kind = kind;
            ref[c].desc = keys[c].descending;
            ref[c].nulls_first = keys[c].nulls_first;
        }
        tn_array *o = NULL;
        tarn_error err;
        int rc = tn_sort_indices(keys, nk, &o, &err);
        int64_t *want = malloc(sizeof(int64_t) * (size_t)(n + 1));
        for (int i = 0; i < n; i++) { /* insertion sort: stable by construction */
            int64_t j = i;
            while (j > 0 && ref_cmp_rows(ref, nk, want[j - 1], i) > 0) {
                want[j] = want[j - 1];
                j--;
            }
            want[j] = i;
        }
        if (rc != 0 || !o || o->length != n) {
            mismatches++;
        } else {
            for (int i = 0; i < n; i++)
                if (TN_VALUES(o, int64_t)[i] != want[i]) {
                    fprintf(stderr, "sort round %d (%d keys): row %d got %lld want %lld\n", round, nk, i,
                            (long long)TN_VALUES(o, int64_t)[i], (long long)want[i]);
                    mismatches++;
                    break;
                }
        }
        free(want);
        tn_array_unref(o);
        for (int c = 0; c < nk; c++)
            tn_array_unref(keys[c].array);
    }
    CHECK_EQ_INT(mismatches, 0);
}

int main(void)
{
    RUN(arith_and_compare_ints);
    RUN(int_casts);
    RUN(float_text_and_arith);
    RUN(decimal_arith);
    RUN(sort_against_reference);
    return tn_test_done();
}
