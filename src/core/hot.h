/*
 * hot.h — TN_HOT marks a hot loop to be compiled twice, for AVX2 and for the
 * baseline; the loader picks one for the CPU at run time (GCC function
 * multi-versioning). Elsewhere it is empty.
 */
#ifndef TN_CORE_HOT_H
#define TN_CORE_HOT_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TN_HOT __attribute__((target_clones("avx2", "default")))
#else
#define TN_HOT
#endif

#endif
