/*
 * decimal.c — exact 128- and 256-bit integer arithmetic for the decimal
 * kernels. 256-bit values are four little-endian 64-bit limbs in two's
 * complement; products and quotients work on magnitudes (schoolbook
 * multiplication with 64x64->128 partial products, and division by a
 * 64-bit divisor limb by limb or by shift-and-subtract otherwise).
 */
#include <pthread.h>
#include <string.h>

#include "arrow/compute/decimal.h"

tn_i128 tn_pow10_128(int k)
{
    tn_i128 r = 1;
    for (int i = 0; i < k; i++)
        r *= 10;
    return r;
}

static tn_i256 pow10_table[77];
static pthread_once_t pow10_once = PTHREAD_ONCE_INIT;

static void pow10_init(void)
{
    tn_i256 v = tn_i256_from_i64(1), ten = tn_i256_from_i64(10);
    for (int i = 0; i <= 76; i++) {
        pow10_table[i] = v;
        (void)tn_i256_mul(v, ten, &v); /* 10^77 overflows harmlessly after the last entry */
    }
}

tn_i256 tn_pow10_256(int k)
{
    pthread_once(&pow10_once, pow10_init);
    return pow10_table[k < 0 ? 0 : k > 76 ? 76 : k];
}

tn_i256 tn_i256_from_i128(tn_i128 v)
{
    tn_i256 r;
    r.w[0] = (uint64_t)v;
    r.w[1] = (uint64_t)((tn_u128)v >> 64);
    r.w[2] = r.w[3] = v < 0 ? UINT64_MAX : 0;
    return r;
}

tn_i256 tn_i256_from_i64(int64_t v)
{
    return tn_i256_from_i128(v);
}

bool tn_i256_to_i128(tn_i256 v, tn_i128 *out)
{
    uint64_t ext = (int64_t)v.w[1] < 0 ? UINT64_MAX : 0;
    if (v.w[2] != ext || v.w[3] != ext)
        return false;
    *out = (tn_i128)(((tn_u128)v.w[1] << 64) | v.w[0]);
    return true;
}

tn_i256 tn_i256_neg(tn_i256 a)
{
    tn_i256 r;
    unsigned carry = 1;
    for (int i = 0; i < 4; i++) {
        tn_u128 s = (tn_u128)(~a.w[i]) + carry;
        r.w[i] = (uint64_t)s;
        carry = (unsigned)(s >> 64);
    }
    return r;
}

int tn_i256_cmp(tn_i256 a, tn_i256 b)
{
    bool na = tn_i256_neg_p(a), nb = tn_i256_neg_p(b);
    if (na != nb)
        return na ? -1 : 1;
    for (int i = 3; i >= 0; i--)
        if (a.w[i] != b.w[i])
            return a.w[i] < b.w[i] ? -1 : 1;
    return 0;
}

bool tn_i256_add(tn_i256 a, tn_i256 b, tn_i256 *r)
{
    unsigned carry = 0;
    tn_i256 s;
    for (int i = 0; i < 4; i++) {
        tn_u128 t = (tn_u128)a.w[i] + b.w[i] + carry;
        s.w[i] = (uint64_t)t;
        carry = (unsigned)(t >> 64);
    }
    bool na = tn_i256_neg_p(a), nb = tn_i256_neg_p(b), ns = tn_i256_neg_p(s);
    *r = s;
    return na == nb && ns != na;
}

bool tn_i256_sub(tn_i256 a, tn_i256 b, tn_i256 *r)
{
    unsigned borrow = 0;
    tn_i256 s;
    for (int i = 0; i < 4; i++) {
        tn_u128 t = (tn_u128)a.w[i] - b.w[i] - borrow;
        s.w[i] = (uint64_t)t;
        borrow = (unsigned)(t >> 64) & 1;
    }
    bool na = tn_i256_neg_p(a), nb = tn_i256_neg_p(b), ns = tn_i256_neg_p(s);
    *r = s;
    return na != nb && ns != na;
}

static tn_i256 mag(tn_i256 a)
{
    return tn_i256_neg_p(a) ? tn_i256_neg(a) : a;
}

bool tn_i256_mul(tn_i256 a, tn_i256 b, tn_i256 *r)
{
    bool neg = tn_i256_neg_p(a) != tn_i256_neg_p(b);
    tn_i256 x = mag(a), y = mag(b);
    uint64_t p[8] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        if (!x.w[i])
            continue;
        for (int j = 0; j < 4; j++) {
            tn_u128 t = (tn_u128)x.w[i] * y.w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] += carry;
    }
    tn_i256 m = {{p[0], p[1], p[2], p[3]}};
    bool over = (p[4] | p[5] | p[6] | p[7]) != 0;
    /* the magnitude must stay below 2^255 (or equal it for a negative result) */
    if ((int64_t)m.w[3] < 0) {
        bool min = m.w[3] == (1ULL << 63) && !(m.w[2] | m.w[1] | m.w[0]);
        over |= !(neg && min);
    }
    *r = neg ? tn_i256_neg(m) : m;
    return over;
}

/* Unsigned magnitude division. */
static void udivmod(tn_i256 a, tn_i256 b, tn_i256 *q, tn_i256 *rem)
{
    if (!(b.w[1] | b.w[2] | b.w[3])) {
        uint64_t d = b.w[0];
        tn_u128 r = 0;
        tn_i256 qq;
        for (int i = 3; i >= 0; i--) {
            tn_u128 cur = (r << 64) | a.w[i];
            qq.w[i] = (uint64_t)(cur / d);
            r = cur % d;
        }
        *q = qq;
        *rem = (tn_i256){{(uint64_t)r, 0, 0, 0}};
        return;
    }
    tn_i256 qq = {{0}}, r = {{0}};
    for (int bit = 255; bit >= 0; bit--) {
        /* r = (r << 1) | bit of a */
        r.w[3] = (r.w[3] << 1) | (r.w[2] >> 63);
        r.w[2] = (r.w[2] << 1) | (r.w[1] >> 63);
        r.w[1] = (r.w[1] << 1) | (r.w[0] >> 63);
        r.w[0] = (r.w[0] << 1) | ((a.w[bit >> 6] >> (bit & 63)) & 1);
        bool ge = true;
        for (int i = 3; i >= 0; i--)
            if (r.w[i] != b.w[i]) {
                ge = r.w[i] > b.w[i];
                break;
            }
        if (ge) {
            tn_i256 t;
            unsigned borrow = 0;
            for (int i = 0; i < 4; i++) {
                tn_u128 s = (tn_u128)r.w[i] - b.w[i] - borrow;
                t.w[i] = (uint64_t)s;
                borrow = (unsigned)(s >> 64) & 1;
            }
            r = t;
            qq.w[bit >> 6] |= 1ULL << (bit & 63);
        }
    }
    *q = qq;
    *rem = r;
}

bool tn_i256_divmod(tn_i256 a, tn_i256 b, tn_i256 *q, tn_i256 *rem)
{
    bool na = tn_i256_neg_p(a), nb = tn_i256_neg_p(b);
    tn_i256 qq, rr;
    udivmod(mag(a), mag(b), &qq, &rr);
    bool over = na != nb ? false : tn_i256_neg_p(qq); /* only MIN / -1 */
    *q = na != nb ? tn_i256_neg(qq) : qq;
    *rem = na ? tn_i256_neg(rr) : rr;
    return over;
}

bool tn_dec256_fits(tn_i256 v, int p)
{
    tn_i256 m = mag(v);
    if (tn_i256_neg_p(m))
        return false;
    return tn_i256_cmp(m, tn_pow10_256(p)) < 0;
}

bool tn_i256_div_round(tn_i256 a, tn_i256 b, tn_i256 *r)
{
    tn_i256 q, rem;
    bool over = tn_i256_divmod(a, b, &q, &rem);
    /* round half away from zero: |2*rem| >= |b| moves one away from zero */
    tn_i256 r2 = mag(rem), bm = mag(b), two;
    bool o2 = tn_i256_add(r2, r2, &two);
    if (o2 || tn_i256_neg_p(two) || tn_i256_cmp(two, bm) >= 0) {
        bool neg = tn_i256_neg_p(a) != tn_i256_neg_p(b);
        over |= tn_i256_add(q, tn_i256_from_i64(neg ? -1 : 1), &q);
    }
    *r = q;
    return over;
}

bool tn_i128_div_round(tn_i128 a, tn_i128 b, tn_i128 *r)
{
    tn_i128 min = (tn_i128)((tn_u128)1 << 127);
    if (a == min && b == -1)
        return true;
    tn_i128 q = a / b, rem = a % b;
    tn_u128 r2 = rem < 0 ? (tn_u128)0 - (tn_u128)rem : (tn_u128)rem;
    tn_u128 bm = b < 0 ? (tn_u128)0 - (tn_u128)b : (tn_u128)b;
    if (r2 >= bm - r2) /* 2*|rem| >= |b| without overflow */
        q += ((a < 0) != (b < 0)) ? -1 : 1;
    *r = q;
    return false;
}

bool tn_i128_rescale(tn_i128 v, int k, tn_i128 *r)
{
    if (k >= 0) {
        if (k > 38)
            return v != 0 ? true : (*r = 0, false);
        return __builtin_mul_overflow(v, tn_pow10_128(k), r);
    }
    if (-k > 38) {
        *r = 0;
        return false;
    }
    return tn_i128_div_round(v, tn_pow10_128(-k), r);
}

bool tn_i256_rescale(tn_i256 v, int k, tn_i256 *r)
{
    if (k >= 0) {
        if (k > 76) {
            *r = tn_i256_from_i64(0);
            return !tn_i256_is_zero(v);
        }
        return tn_i256_mul(v, tn_pow10_256(k), r);
    }
    if (-k > 76) {
        *r = tn_i256_from_i64(0);
        return false;
    }
    return tn_i256_div_round(v, tn_pow10_256(-k), r);
}

/* Digits of a magnitude, most significant first; returns the count. */
static int digits256(tn_i256 m, char *d)
{
    char tmp[80];
    int n = 0;
    tn_i256 ten19 = {{10000000000000000000ULL, 0, 0, 0}};
    do {
        tn_i256 q, rem;
        udivmod(m, ten19, &q, &rem);
        uint64_t chunk = rem.w[0];
        bool last = tn_i256_is_zero(q);
        for (int i = 0; i < 19 && (!last || chunk); i++) {
            tmp[n++] = (char)('0' + chunk % 10);
            chunk /= 10;
        }
        m = q;
        if (last)
            break;
    } while (1);
    if (n == 0)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        d[i] = tmp[n - 1 - i];
    return n;
}

static int place_point(bool neg, const char *d, int nd, int scale, char *buf)
{
    int o = 0;
    if (neg)
        buf[o++] = '-';
    if (scale <= 0) {
        memcpy(buf + o, d, (size_t)nd);
        o += nd;
        for (int i = 0; i < -scale && nd && !(nd == 1 && d[0] == '0'); i++)
            buf[o++] = '0';
    } else if (nd <= scale) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int i = 0; i < scale - nd; i++)
            buf[o++] = '0';
        memcpy(buf + o, d, (size_t)nd);
        o += nd;
    } else {
        memcpy(buf + o, d, (size_t)(nd - scale));
        o += nd - scale;
        buf[o++] = '.';
        memcpy(buf + o, d + nd - scale, (size_t)scale);
        o += scale;
    }
    buf[o] = 0;
    return o;
}

int tn_i256_format(tn_i256 v, int scale, char *buf)
{
    char d[80];
    bool neg = tn_i256_neg_p(v);
    tn_i256 m = neg ? tn_i256_neg(v) : v; /* MIN's magnitude reads right as unsigned */
    int nd = digits256(m, d);
    return place_point(neg, d, nd, scale, buf);
}

int tn_i128_format(tn_i128 v, int scale, char *buf)
{
    char d[48];
    int nd = 0;
    bool neg = v < 0;
    tn_u128 m = neg ? (tn_u128)0 - (tn_u128)v : (tn_u128)v;
    char tmp[48];
    do {
        tmp[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    for (int i = 0; i < nd; i++)
        d[i] = tmp[nd - 1 - i];
    return place_point(neg, d, nd, scale, buf);
}

int tn_dec_parse(const char *p, int64_t n, int precision, int scale, bool wide, tn_i256 *out)
{
    int64_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    while (n > i && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    bool neg = false;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    /* collect significant digits (at most 80, more are an overflow unless zeros) */
    char dig[160];
    int nd = 0, frac = 0;
    bool seen = false, point = false, over = false;
    for (; i < n; i++) {
        char c = p[i];
        if (c >= '0' && c <= '9') {
            seen = true;
            if (nd == 0 && c == '0') {
                if (point)
                    frac++;
                continue;
            }
            if (nd < 150) {
                dig[nd++] = c;
                frac += point;
            } else if (!point) {
                over = true; /* an integer part this long fits no decimal */
            } /* else: a digit past the 150th significant one cannot change
                 rounding at a scale of at most 76 */
        } else if (c == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!seen)
        return 1;
    long exp = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            eneg = p[i++] == '-';
        if (i >= n)
            return 1;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            if (exp < 100000)
                exp = exp * 10 + (p[i] - '0');
        exp = eneg ? -exp : exp;
    }
    if (i != n)
        return 1;
    if (over)
        return 2;
    /* value = digits * 10^(exp - frac); the wanted unscaled value is
     * digits * 10^(exp - frac + scale) */
    long shift = exp - frac + scale;
    int maxd = wide ? 76 : 38;
    if (nd == 0) {
        *out = tn_i256_from_i64(0);
        return 0;
    }
    int keep = nd;
    bool round_up = false;
    if (shift < 0) {
        long drop = -shift;
        if (drop > nd) {
            keep = 0;
        } else {
            keep = (int)(nd - drop);
            round_up = dig[keep] >= '5';
        }
        if (drop > nd + 1)
            round_up = false;
        else if (drop == nd + 1)
            round_up = false;
        shift = 0;
    }
    if (keep + shift > maxd + 1)
        return 2;
    tn_i256 v = tn_i256_from_i64(0), ten = tn_i256_from_i64(10);
    for (int k = 0; k < keep; k++) {
        if (tn_i256_mul(v, ten, &v) || tn_i256_add(v, tn_i256_from_i64(dig[k] - '0'), &v))
            return 2;
    }
    for (long k = 0; k < shift; k++)
        if (tn_i256_mul(v, ten, &v))
            return 2;
    if (round_up && tn_i256_add(v, tn_i256_from_i64(1), &v))
        return 2;
    if (!tn_dec256_fits(v, precision))
        return 2;
    *out = neg ? tn_i256_neg(v) : v;
    return 0;
}
