/*
 * decimal.h — exact integer helpers for decimal kernels (private):
 * __int128 for decimal128 and a small two's-complement 256-bit integer of
 * our own for decimal256, with overflow-reporting add/sub/mul, truncating
 * division, powers of ten, rescaling with rounding half away from zero,
 * and conversion to and from decimal text.
 */
#ifndef TN_ARROW_COMPUTE_DECIMAL_H
#define TN_ARROW_COMPUTE_DECIMAL_H

#include <stdbool.h>
#include <stdint.h>

typedef __int128 tn_i128;
typedef unsigned __int128 tn_u128;

typedef struct tn_i256 {
    uint64_t w[4]; /* little-endian limbs, two's complement */
} tn_i256;

/* 10^k for 0 <= k <= 38 and 0 <= k <= 76. */
tn_i128 tn_pow10_128(int k);
tn_i256 tn_pow10_256(int k);

/* The largest unscaled value of a precision: 10^p - 1. */
static inline tn_i128 tn_dec128_max(int p) { return tn_pow10_128(p) - 1; }
static inline bool tn_dec128_fits(tn_i128 v, int p)
{
    tn_i128 m = tn_dec128_max(p);
    return v <= m && v >= -m;
}

tn_i256 tn_i256_from_i128(tn_i128 v);
tn_i256 tn_i256_from_i64(int64_t v);
/* False when v does not fit 128 bits. */
bool tn_i256_to_i128(tn_i256 v, tn_i128 *out);
static inline bool tn_i256_neg_p(tn_i256 a) { return (int64_t)a.w[3] < 0; }
static inline bool tn_i256_is_zero(tn_i256 a) { return !(a.w[0] | a.w[1] | a.w[2] | a.w[3]); }
tn_i256 tn_i256_neg(tn_i256 a);
int tn_i256_cmp(tn_i256 a, tn_i256 b);
/* These return true on overflow (the result wraps). */
bool tn_i256_add(tn_i256 a, tn_i256 b, tn_i256 *r);
bool tn_i256_sub(tn_i256 a, tn_i256 b, tn_i256 *r);
bool tn_i256_mul(tn_i256 a, tn_i256 b, tn_i256 *r);
/* Truncating division; b must not be zero. Returns true on overflow
 * (the minimum value divided by -1). */
bool tn_i256_divmod(tn_i256 a, tn_i256 b, tn_i256 *q, tn_i256 *rem);
bool tn_dec256_fits(tn_i256 v, int p);

/* a / b rounded half away from zero (b != 0); true on overflow. */
bool tn_i256_div_round(tn_i256 a, tn_i256 b, tn_i256 *r);
bool tn_i128_div_round(tn_i128 a, tn_i128 b, tn_i128 *r);

/* Multiply by 10^k (k >= 0, overflow reported) or divide by 10^-k rounding
 * half away from zero (k < 0). */
bool tn_i128_rescale(tn_i128 v, int k, tn_i128 *r);
bool tn_i256_rescale(tn_i256 v, int k, tn_i256 *r);

/* Write v with `scale` digits after the point ("-12.50"); returns length.
 * buf needs 80 bytes. */
int tn_i128_format(tn_i128 v, int scale, char *buf);
int tn_i256_format(tn_i256 v, int scale, char *buf);

/* Parse decimal text (optional sign, digits, optional point and digits,
 * optional exponent e[+-]n) exactly into an unscaled value at `scale`,
 * rounding half away from zero past it, within `precision` digits.
 * Returns 0, or 1 for a syntax error, 2 for out of range. */
int tn_dec_parse(const char *p, int64_t n, int precision, int scale, bool wide, tn_i256 *out);

#endif
