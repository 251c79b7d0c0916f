"""Row bitsets of rule antecedents: build them from bin codes, AND them, and sum per bitset.

Row i of a bitset is bit ``i % 64`` of word ``i // 64``; bits past the last row are always 0.
Every kernel that sums takes a ``mask`` (the rows still uncaptured by a rule-list prefix) so the
rule-list search scores all candidate next rules in one pass without building any new bitset.
The one-bitset cores (``count_masked``, ``sum_masked``) are shared with the rule-list
branch-and-bound through ``_bitset.pxd``.
"""

from cython.parallel cimport prange

from glassbox._ext._typedefs cimport BIN_CODE_C, BITSET_WORD_C

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__GNUC__) || defined(__clang__)
    #define glassbox_popcount64(x) ((long long)__builtin_popcountll(x))
    #define glassbox_ctz64(x) ((int)__builtin_ctzll(x))
    #else
    static long long glassbox_popcount64(unsigned long long x) {
        long long n = 0; while (x) { x &= x - 1; n++; } return n; }
    static int glassbox_ctz64(unsigned long long x) {
        int n = 0; while (!(x & 1ULL)) { x >>= 1; n++; } return n; }
    #endif

    /* out[g] = popcount(a & mask & groups[g]) over n_words words. Built twice: for the CPU's
       popcnt instruction (chosen at import when the CPU has it) and portably, because the
       default x86-64 target turns each popcount into a library call several times slower.
       Up to 8 groups (7 classes and the equivalent-points minority) are counted in one pass
       over the words, loading a & mask once; the branch-and-bound spends most of its time
       here. */
    #define GLASSBOX_COUNT_BODY \
        if (n_groups <= 8) { \
            long long n[8] = {0, 0, 0, 0, 0, 0, 0, 0}; \
            for (Py_ssize_t w = 0; w < n_words; w++) { \
                const uint64_t x = a[w] & mask[w]; \
                for (Py_ssize_t g = 0; g < n_groups; g++) n[g] += glassbox_popcount64(x & groups[g * n_words + w]); \
            } \
            for (Py_ssize_t g = 0; g < n_groups; g++) out[g] = (double)n[g]; \
        } else { \
            for (Py_ssize_t g = 0; g < n_groups; g++) { \
                const uint64_t *grp = groups + g * n_words; \
                long long n = 0; \
                for (Py_ssize_t w = 0; w < n_words; w++) n += glassbox_popcount64(a[w] & mask[w] & grp[w]); \
                out[g] = (double)n; \
            } \
        }
    typedef void (*glassbox_count_fn)(const uint64_t *, const uint64_t *, const uint64_t *,
                                      Py_ssize_t, Py_ssize_t, double *);
    static void glassbox_count_portable(const uint64_t *a, const uint64_t *mask, const uint64_t *groups,
                                        Py_ssize_t n_words, Py_ssize_t n_groups, double *out) {
        GLASSBOX_COUNT_BODY
    }
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __attribute__((target("popcnt")))
    static void glassbox_count_popcnt(const uint64_t *a, const uint64_t *mask, const uint64_t *groups,
                                      Py_ssize_t n_words, Py_ssize_t n_groups, double *out) {
        GLASSBOX_COUNT_BODY
    }
    #if defined(__x86_64__)
    #include <immintrin.h>
    /* AVX2: 4 words at a time, each byte's bits counted by two 16-entry table lookups
       (vpshufb) and summed per 64-bit lane (vpsadbw): about twice the popcnt loop's speed. */
    __attribute__((target("avx2,popcnt")))
    static void glassbox_count_avx2(const uint64_t *a, const uint64_t *mask, const uint64_t *groups,
                                    Py_ssize_t n_words, Py_ssize_t n_groups, double *out) {
        if (n_groups > 8 || n_words < 4) {
            GLASSBOX_COUNT_BODY
            return;
        }
        const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                               0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
        const __m256i nibble = _mm256_set1_epi8(0x0f);
        const __m256i zero = _mm256_setzero_si256();
        __m256i acc[8];
        long long n[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (Py_ssize_t g = 0; g < n_groups; g++) acc[g] = zero;
        Py_ssize_t w = 0;
        for (; w + 4 <= n_words; w += 4) {
            const __m256i x = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a + w)),
                                               _mm256_loadu_si256((const __m256i *)(mask + w)));
            for (Py_ssize_t g = 0; g < n_groups; g++) {
                const __m256i v = _mm256_and_si256(x, _mm256_loadu_si256((const __m256i *)(groups + g * n_words + w)));
                const __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, nibble));
                const __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
                acc[g] = _mm256_add_epi64(acc[g], _mm256_sad_epu8(_mm256_add_epi8(lo, hi), zero));
            }
        }
        for (Py_ssize_t g = 0; g < n_groups; g++) {
            uint64_t lanes[4];
            _mm256_storeu_si256((__m256i *)lanes, acc[g]);
            n[g] = (long long)(lanes[0] + lanes[1] + lanes[2] + lanes[3]);
        }
        for (; w < n_words; w++) {
            const uint64_t x = a[w] & mask[w];
            for (Py_ssize_t g = 0; g < n_groups; g++) n[g] += glassbox_popcount64(x & groups[g * n_words + w]);
        }
        for (Py_ssize_t g = 0; g < n_groups; g++) out[g] = (double)n[g];
    }
    #endif
    static glassbox_count_fn glassbox_choose_count(void) {
        __builtin_cpu_init();
    #if defined(__x86_64__)
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return glassbox_count_avx2;
    #endif
        return __builtin_cpu_supports("popcnt") ? glassbox_count_popcnt : glassbox_count_portable;
    }
    #else
    static glassbox_count_fn glassbox_choose_count(void) { return glassbox_count_portable; }
    #endif
    """
    long long popcount64 "glassbox_popcount64"(BITSET_WORD_C x) nogil
    int ctz64 "glassbox_ctz64"(BITSET_WORD_C x) nogil
    ctypedef void (*count_fn "glassbox_count_fn")(const BITSET_WORD_C *, const BITSET_WORD_C *,
                                                  const BITSET_WORD_C *, Py_ssize_t, Py_ssize_t,
                                                  double *) noexcept nogil
    count_fn choose_count "glassbox_choose_count"() noexcept nogil

# Chosen once at import: the popcnt build when the CPU has the instruction.
cdef count_fn _count = choose_count()


def build_bitsets(
    const BIN_CODE_C[::1, :] codes,         # IN: binned matrix (n_samples, n_features)
    const Py_ssize_t[::1] features,         # IN: feature tested by antecedent a
    const unsigned char[:, ::1] accept,     # IN: accept[a, code] = 1 when a holds for that code
    BITSET_WORD_C[:, ::1] out,              # OUT: (n_antecedents, n_words) row bitsets
    int n_threads,
):
    """Bitset of the rows satisfying each single-feature antecedent."""
    cdef:
        Py_ssize_t n_samples = codes.shape[0]
        Py_ssize_t n_words = out.shape[1]
        Py_ssize_t a, i, w, j
        BITSET_WORD_C word
    for a in prange(out.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        j = features[a]
        for w in range(n_words):
            word = 0
            for i in range(w * 64, min(w * 64 + 64, n_samples)):
                if accept[a, codes[i, j]]:
                    word = word | ((<BITSET_WORD_C>1) << (i - w * 64))
            out[a, w] = word


def and_pairs(
    const BITSET_WORD_C[:, ::1] bits,       # IN: (n_sets, n_words)
    const Py_ssize_t[:, ::1] pairs,         # IN: (n_pairs, 2) indices into bits
    BITSET_WORD_C[:, ::1] out,              # OUT: (n_pairs, n_words): bits[p0] & bits[p1]
    int n_threads,
):
    """Bitsets of conjunctions of two antecedents."""
    cdef Py_ssize_t p, w, i, j
    for p in prange(pairs.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        i = pairs[p, 0]
        j = pairs[p, 1]
        for w in range(bits.shape[1]):
            out[p, w] = bits[i, w] & bits[j, w]


def masked_popcounts(
    const BITSET_WORD_C[:, ::1] bits,       # IN: (n_sets, n_words) candidate bitsets
    const Py_ssize_t[::1] index,            # IN: (n_out,) which rows of bits to count
    const BITSET_WORD_C[::1] mask,          # IN: (n_words,) rows to count
    const BITSET_WORD_C[:, ::1] groups,     # IN: (n_groups, n_words), e.g. one bitset per class
    double[:, ::1] out,                     # OUT: (n_out, n_groups) |bits[index[a]] & mask & groups[g]|
    int n_threads,
):
    """Unweighted counts of each bitset's masked rows in each group (the unit-weight fast path)."""
    cdef:
        Py_ssize_t a
        Py_ssize_t n_words = bits.shape[1]
        Py_ssize_t n_groups = groups.shape[0]
    if index.shape[0] == 0 or n_words == 0:
        out[:, :] = 0.0
        return
    for a in prange(index.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        count_masked(&bits[index[a], 0], &mask[0], &groups[0, 0], n_words, n_groups, &out[a, 0])


def masked_sums(
    const BITSET_WORD_C[:, ::1] bits,       # IN: (n_sets, n_words) candidate bitsets
    const Py_ssize_t[::1] index,            # IN: (n_out,) which rows of bits to sum over
    const BITSET_WORD_C[::1] mask,          # IN: (n_words,) rows to sum
    const double[:, ::1] values,            # IN: (n_samples, n_values) per-row values
    double[:, ::1] out,                     # OUT: (n_out, n_values) sums over bits[index[a]] & mask
    int n_threads,
):
    """Sums of per-row values (weights per class, weighted targets) over each bitset's masked
    rows, visiting only the set bits: the general weighted path."""
    cdef Py_ssize_t a
    if index.shape[0] == 0:
        return
    if bits.shape[1] == 0 or values.shape[0] == 0 or values.shape[1] == 0:
        out[:, :] = 0.0
        return
    for a in prange(index.shape[0], schedule="static", nogil=True, num_threads=n_threads):
        sum_masked(&bits[index[a], 0], &mask[0], &values[0, 0], bits.shape[1], values.shape[1], &out[a, 0])


cdef void count_masked(
    const BITSET_WORD_C* a, const BITSET_WORD_C* mask, const BITSET_WORD_C* groups,
    Py_ssize_t n_words, Py_ssize_t n_groups, double* out,
) noexcept nogil:
    _count(a, mask, groups, n_words, n_groups, out)


cdef void sum_masked(
    const BITSET_WORD_C* a, const BITSET_WORD_C* mask, const double* values,
    Py_ssize_t n_words, Py_ssize_t n_values, double* out,
) noexcept nogil:
    cdef Py_ssize_t v, w, i
    cdef BITSET_WORD_C word
    for v in range(n_values):
        out[v] = 0.0
    for w in range(n_words):
        word = a[w] & mask[w]
        while word:
            i = w * 64 + ctz64(word)
            word = word & (word - 1)
            for v in range(n_values):
                out[v] += values[i * n_values + v]


cdef Py_ssize_t set_rows(const BITSET_WORD_C* mask, Py_ssize_t n_words, Py_ssize_t* out) noexcept nogil:
    cdef Py_ssize_t w, n = 0
    cdef BITSET_WORD_C word
    for w in range(n_words):
        word = mask[w]
        while word:
            out[n] = w * 64 + ctz64(word)
            word = word & (word - 1)
            n += 1
    return n
