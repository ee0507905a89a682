/*
 * tpch_text.h — the word lists, fixed tables and text grammar of the TPC-H
 * population rules (specification clause 4.2.2 and 4.2.3), and the random
 * function every generated value is drawn from.
 */
#ifndef TN_GEN_TPCH_TEXT_H
#define TN_GEN_TPCH_TEXT_H

#include <stdint.h>

/* A list of words to pick from uniformly. */
typedef struct tn_words {
    const char *const *w;
    int32_t n;
} tn_words;

extern const tn_words tn_tpch_colors;       /* P_NAME words (92) */
extern const tn_words tn_tpch_type_s1;      /* P_TYPE syllables */
extern const tn_words tn_tpch_type_s2;
extern const tn_words tn_tpch_type_s3;
extern const tn_words tn_tpch_container_s1; /* P_CONTAINER syllables */
extern const tn_words tn_tpch_container_s2;
extern const tn_words tn_tpch_segments;
extern const tn_words tn_tpch_priorities;
extern const tn_words tn_tpch_instructions;
extern const tn_words tn_tpch_modes;

typedef struct tn_tpch_nation {
    const char *name;
    int32_t region;
} tn_tpch_nation;
extern const tn_tpch_nation tn_tpch_nations[25];
extern const char *const tn_tpch_regions[5];

/* The counter-based random function: a well-mixed 64-bit value for
 * (stream, row), where stream names a table column. Pure, so any row can be
 * generated without the rows before it. */
static inline uint64_t tn_tpch_rand(uint64_t stream, uint64_t row)
{
    uint64_t x = row * 0x9e3779b97f4a7c15ULL + stream * 0xd1b54a32d192ed03ULL + 0x632be59bd9b4e019ULL;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Uniform integer in [lo, hi] from a random value (multiply-shift). */
static inline int64_t tn_tpch_uniform(uint64_t r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(((r >> 32) * (uint64_t)(hi - lo + 1)) >> 32);
}

/* The shared text pool that comments are cut from (clause 4.2.2.10),
 * generated once per process from the grammar; `*len` receives its size. */
const char *tn_tpch_text_pool(int64_t *len);

/* Write a comment of length in [lo, hi] for random value r into out (room
 * for hi bytes); returns its length. */
int32_t tn_tpch_text(uint64_t r, int32_t lo, int32_t hi, char *out);

/* Random alphanumeric string of length in [lo, hi] (clause 4.2.2.7, v-string). */
int32_t tn_tpch_vstring(uint64_t stream, uint64_t row, int32_t lo, int32_t hi, char *out);

/* Phone number "CC-LLL-LLL-LLLL" for a nation key (clause 4.2.2.9); 15 bytes. */
int32_t tn_tpch_phone(uint64_t r, int32_t nationkey, char *out);

#endif
