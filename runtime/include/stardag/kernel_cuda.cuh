/* stardag/kernel_cuda.cuh - what a CUDA kernel of a codelet uses: launch geometry over a tile,
 * launch-error reporting, and exact device-side reductions into the engine's sd_acc partials.
 * No StarPU here. Include it from a .cu file (nvcc); the per-element math stays in the pack's
 * SD_HD math header, so a .cu file holds only indexing, launches and reductions.
 *
 * Calling convention of a codelet's CUDA function (codelet.h, sd_cuda_fn):
 *     extern "C" void sd_<pack>_<op>_cuda(const sd_tile_args *a, void *stream);
 * `a` is a host struct; a->p[b] are device pointers to interior cell (0,0,0) of each buffer (same
 * layout and strides as on the CPU); a->acc points at a->nacc device sd_acc already initialised
 * (sd_acc_init). Everything is launched asynchronously on `stream` (a cudaStream_t): no
 * synchronisation, no allocation, no host<->device copy. Pass `*a` by value as a kernel parameter.
 *
 * ---- Exact reductions: design -------------------------------------------------------------
 * The CPU folds every term into an sd_acc (kernel.h): a term x is split (sd_acc_split) into three
 * signed parts added to limbs L, L+1, L+2 of a 67-limb integer; integer addition is associative,
 * so any order of adding gives the same exact value, and after sd_acc_normalize the same limbs.
 * The device side adds the very same parts, in three levels:
 *
 * 1. Thread: a register window (sd_cuda_tacc) of 4 limbs base..base+3. A term whose L is base or
 *    base+1 is added in registers (the common case: neighbouring terms rarely differ by more than
 *    a factor 2^32). Another L flushes the window into the block accumulator and restarts it at L.
 *    The window also flushes after SD_CUDA_WIN_MAX adds, so |window limb| < 2^24 * 2^33 = 2^57.
 *    A flush first propagates carries in balanced form (each limb brought into [-2^31, 2^31), the
 *    carry moved up; the top limb 66 keeps its whole value), then adds the non-zero limbs to shared
 *    memory with 64-bit atomicAdd (two's complement, so signed values add correctly).
 *    count and nonfinite are thread-local integers, maxv/minv thread-local doubles updated exactly
 *    as sd_acc_add / sd_acc_extreme do (non-finite values are counted, never compared).
 * 2. Block: sd_cuda_bacc in shared memory. Every flush adds < 2^31 (+ a small carry) per limb, and
 *    a block does at most (terms + threads) flushes. sd_cuda_dims keeps the cells per block near
 *    SD_CUDA_RED_MAX_PER_BLOCK = 2^24 at most (up to 8x more from rounding the 3D grid; an op adds
 *    at most 4 terms per cell), so fewer than 2^28 flushes reach a block and shared limbs stay
 *    below 2^60 in magnitude. maxv/minv are kept as order-preserving integer keys
 *    (sd_cuda_order_key) with atomicMax/atomicMin.
 * 3. Grid: after a barrier, one thread brings the block's limbs into balanced form again (|limb| <
 *    2^31 except the top one), then the block's threads add the non-zero limbs to the global sd_acc
 *    with 64-bit atomicAdd, count/nonfinite with atomicAdd, maxv/minv with a compare-and-swap loop
 *    on the double (`if (x > maxv) maxv = x`, as sd_acc_merge), and nadd += 1: the block's
 *    contribution counts as one add of bounded size, so the CPU's carry rule (normalize before
 *    2^30 adds) stays sound. Launches cap the grid at SD_CUDA_RED_MAX_BLOCKS = 1024 blocks (about
 *    one wave of 256-thread blocks on an H100; more only for tiles above 2^34 cells), so each
 *    thread folds many terms in registers, the per-block commit is amortised, and one launch adds
 *    < 2^10 * 2^31 = 2^41 to a global limb. The global accumulator is left unnormalized (as
 *    after CPU adds); sd_acc_merge / sd_acc_sum / sd_acc_normalize canonicalise it, giving the
 *    same limbs as the CPU's for the same terms.
 * Result: the exact sum, count and nonfinite equal the CPU's bitwise for the same terms; maxv/minv
 * equal too, except that when both -0.0 and +0.0 are extreme the GPU keeps +0.0 for the max and
 * -0.0 for the min (the CPU keeps whichever came first, so it is itself order-dependent there).
 *
 * Use in a kernel (every thread of the block must reach the begin/end calls: grid-stride loops,
 * no early return):
 *     __shared__ sd_cuda_bacc sb[NACC];
 *     sd_cuda_tacc t[NACC];
 *     sd_cuda_red_begin(sb, t, NACC);
 *     ... per term: sd_cuda_acc_add(&t[r], &sb[r], x);   (or sd_cuda_acc_extreme / sd_cuda_acc_count)
 *     sd_cuda_red_end(sb, t, NACC, a.acc);
 * and launch it with sd_cuda_dims(..., SD_CUDA_RED_MAX_BLOCKS, ...) so the bounds above hold. */
#ifndef STARDAG_KERNEL_CUDA_CUH
#define STARDAG_KERNEL_CUDA_CUH

#include <stdint.h>
#include <stdio.h>
#include <cuda_runtime.h>
#include "stardag/kernel.h"

/* ---- Launch geometry ----------------------------------------------------------------------- */

#define SD_CUDA_THREADS 256                  /* threads per block of the stardag kernels */
#define SD_CUDA_RED_MAX_BLOCKS 1024          /* blocks of one reduction launch (see above) */
#define SD_CUDA_RED_MAX_PER_BLOCK (1LL << 24) /* cells one reduction block should fold at most */
#define SD_CUDA_WIN_MAX (1 << 24)            /* adds into a thread window before it flushes */

/* Block and grid for an index space nx * ny * nz (x fastest, e.g. nz = n[2] * components): blocks
 * of up to SD_CUDA_THREADS threads shaped by powers of two after the extents (x first, for
 * coalesced rows; a warp spans several short rows), grid dimensions within CUDA's limits, and at
 * most max_blocks blocks in all (0 = no cap); kernels walk the space with grid-stride loops
 * (SD_CUDA_FOR_3D), so any cap is correct. For reductions pass SD_CUDA_RED_MAX_BLOCKS: the grid
 * then also keeps at least ceil(total / SD_CUDA_RED_MAX_PER_BLOCK) blocks where the grid limits
 * allow. Returns 0 for an empty space (nothing to launch). */
static inline int sd_cuda_dims(int64_t nx, int64_t ny, int64_t nz, int64_t max_blocks, dim3 *grid, dim3 *block)
{
    if (nx <= 0 || ny <= 0 || nz <= 0) return 0;
    unsigned bx = 1, by = 1, bz = 1;
    while (bx < SD_CUDA_THREADS && (int64_t)bx < nx) bx *= 2;
    while (bx * by < SD_CUDA_THREADS && (int64_t)by < ny) by *= 2;
    while (bx * by * bz < SD_CUDA_THREADS && (int64_t)bz < nz && bz < 64) bz *= 2;
    int64_t gx = (nx + bx - 1) / bx, gy = (ny + by - 1) / by, gz = (nz + bz - 1) / bz;
    if (gx > 2147483647LL) gx = 2147483647LL;
    if (gy > 65535) gy = 65535;
    if (gz > 65535) gz = 65535;
    if (max_blocks > 0) {
        const int64_t need = (nx * ny * nz + SD_CUDA_RED_MAX_PER_BLOCK - 1) / SD_CUDA_RED_MAX_PER_BLOCK;
        if (max_blocks < need) max_blocks = need;
        /* shrink z, then y, then x until the block count fits */
        if (gx * gy * gz > max_blocks) gz = max_blocks / (gx * gy) > 1 ? max_blocks / (gx * gy) : 1;
        if (gx * gy * gz > max_blocks) gy = max_blocks / gx > 1 ? max_blocks / gx : 1;
        if (gx * gy * gz > max_blocks) gx = max_blocks;
    }
    *block = dim3(bx, by, bz);
    *grid = dim3((unsigned)gx, (unsigned)gy, (unsigned)gz);
    return 1;
}

/* Grid-stride loops over nx * ny * nz (x fastest). The body sees int64_t i, j, kc. */
#define SD_CUDA_FOR_3D(i, j, kc, nx, ny, nz)                                                        \
    for (int64_t kc = blockIdx.z * (int64_t)blockDim.z + threadIdx.z; kc < (nz);                    \
         kc += (int64_t)gridDim.z * blockDim.z)                                                     \
        for (int64_t j = blockIdx.y * (int64_t)blockDim.y + threadIdx.y; j < (ny);                  \
             j += (int64_t)gridDim.y * blockDim.y)                                                  \
            for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < (nx);              \
                 i += (int64_t)gridDim.x * blockDim.x)

/* After a launch: 0, or -1 with a message naming what was launched (e.g. "common.fill"). Does not
 * synchronise: only launch-configuration errors are seen here; errors of the running kernel
 * surface at StarPU's next synchronisation of the stream. The error is left pending (peeked, not
 * cleared): the runtime's trampoline takes it after the launcher returns and fails the run. */
static inline int sd_cuda_check(const char *what)
{
    const cudaError_t e = cudaPeekAtLastError();
    if (e == cudaSuccess) return 0;
    fprintf(stderr, "stardag: CUDA kernel of %s failed to launch: %s (%s)\n", what, cudaGetErrorString(e),
            cudaGetErrorName(e));
    return -1;
}

/* ---- Exact reductions (see the design above) ---------------------------------------------- */

/* Thread part: a 4-limb register window plus counts and extremes. */
typedef struct sd_cuda_tacc {
    int base;  /* lowest limb of the window; -1 when empty */
    int nwin;  /* adds since the window was last flushed */
    int64_t w0, w1, w2, w3;
    int64_t count, nonfinite;
    double maxv, minv;
} sd_cuda_tacc;

/* Block part, in shared memory. Limbs are int64 values stored as unsigned for atomicAdd. */
typedef struct sd_cuda_bacc {
    unsigned long long limb[SD_XSUM_LIMBS];
    unsigned long long count, nonfinite;
    unsigned long long maxk, mink; /* sd_cuda_order_key of the extremes */
} sd_cuda_bacc;

/* Order-preserving map from doubles to unsigned integers: x < y <=> key(x) < key(y) for non-NaN
 * values (with -0.0 < +0.0), so atomicMax/atomicMin on keys give max/min. */
__device__ __forceinline__ unsigned long long sd_cuda_order_key(double x)
{
    const unsigned long long u = (unsigned long long)__double_as_longlong(x);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}
__device__ __forceinline__ double sd_cuda_order_key_inv(unsigned long long k)
{
    return __longlong_as_double((long long)((k >> 63) ? (k & 0x7fffffffffffffffULL) : ~k));
}

#define SD_CUDA_NEG_INF __longlong_as_double((long long)0xfff0000000000000ULL)
#define SD_CUDA_POS_INF __longlong_as_double((long long)0x7ff0000000000000ULL)

__device__ __forceinline__ int sd_cuda_tid(void)
{
    return (int)(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z));
}
__device__ __forceinline__ int sd_cuda_nthreads(void) { return (int)(blockDim.x * blockDim.y * blockDim.z); }

/* Balanced carry: v - carry * 2^32 lies in [-2^31, 2^31). */
__device__ __forceinline__ int64_t sd_cuda_carry(int64_t v) { return (v + ((int64_t)1 << 31)) >> 32; }

__device__ __forceinline__ void sd_cuda_tacc_init(sd_cuda_tacc *t)
{
    t->base = -1;
    t->nwin = 0;
    t->w0 = t->w1 = t->w2 = t->w3 = 0;
    t->count = t->nonfinite = 0;
    t->maxv = SD_CUDA_NEG_INF;
    t->minv = SD_CUDA_POS_INF;
}

/* Move the window into the block's limbs (balanced carries, non-zero limbs only) and empty it. */
__device__ __forceinline__ void sd_cuda_window_flush(sd_cuda_tacc *t, sd_cuda_bacc *b)
{
    if (t->base < 0) return;
    const int base = t->base;
    const int64_t w[4] = {t->w0, t->w1, t->w2, t->w3};
    int64_t carry = 0;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int64_t v = w[i] + carry;
        if (base + i == SD_XSUM_LIMBS - 1) { /* the top limb keeps its whole (signed) value */
            carry = 0;
            if (v) atomicAdd(&b->limb[base + i], (unsigned long long)v);
            break;
        }
        carry = sd_cuda_carry(v);
        v -= carry * ((int64_t)1 << 32);
        if (v) atomicAdd(&b->limb[base + i], (unsigned long long)v);
    }
    if (carry) atomicAdd(&b->limb[base + 4], (unsigned long long)carry); /* base + 3 < top here */
    t->base = -1;
    t->nwin = 0;
    t->w0 = t->w1 = t->w2 = t->w3 = 0;
}

/* Fold x as sd_acc_add does (same split, same count/nonfinite/maxv/minv rules). */
__device__ __forceinline__ void sd_cuda_acc_add(sd_cuda_tacc *t, sd_cuda_bacc *b, double x)
{
    int L = 0;
    int64_t v[3];
    const int k = sd_acc_split(x, &L, v);
    t->count++;
    if (k < 0) { t->nonfinite++; return; }
    if (x > t->maxv) t->maxv = x;
    if (x < t->minv) t->minv = x;
    if (!k) return;
    if (t->base >= 0 && (L < t->base || L > t->base + 1 || t->nwin >= SD_CUDA_WIN_MAX)) sd_cuda_window_flush(t, b);
    if (t->base < 0) t->base = L;
    if (L == t->base) {
        t->w0 += v[0];
        t->w1 += v[1];
        t->w2 += v[2];
    } else {
        t->w1 += v[0];
        t->w2 += v[1];
        t->w3 += v[2];
    }
    t->nwin++;
}

/* Track an extreme without summing, as sd_acc_extreme does. */
__device__ __forceinline__ void sd_cuda_acc_extreme(sd_cuda_tacc *t, double x)
{
    t->count++;
    if (x != x || x - x != 0) { t->nonfinite++; return; }
    if (x > t->maxv) t->maxv = x;
    if (x < t->minv) t->minv = x;
}

/* Add to the counts only (count += n, nonfinite += nf). */
__device__ __forceinline__ void sd_cuda_acc_count(sd_cuda_tacc *t, int64_t n, int64_t nf)
{
    t->count += n;
    t->nonfinite += nf;
}

/* global *p = max(*p, x) / min(*p, x), as sd_acc_merge compares (x > *p, x < *p). */
__device__ __forceinline__ void sd_cuda_atomic_max(double *p, double x)
{
    unsigned long long *q = (unsigned long long *)p, old = *(volatile unsigned long long *)q;
    while (x > __longlong_as_double((long long)old)) {
        const unsigned long long prev = atomicCAS(q, old, (unsigned long long)__double_as_longlong(x));
        if (prev == old) break;
        old = prev;
    }
}
__device__ __forceinline__ void sd_cuda_atomic_min(double *p, double x)
{
    unsigned long long *q = (unsigned long long *)p, old = *(volatile unsigned long long *)q;
    while (x < __longlong_as_double((long long)old)) {
        const unsigned long long prev = atomicCAS(q, old, (unsigned long long)__double_as_longlong(x));
        if (prev == old) break;
        old = prev;
    }
}

/* Start of a reducing kernel: empty block parts sb[0..n) and thread parts t[0..n). Every thread of
 * the block calls it (it ends with a barrier). */
__device__ __forceinline__ void sd_cuda_red_begin(sd_cuda_bacc *sb, sd_cuda_tacc *t, int n)
{
    const int tid = sd_cuda_tid(), nth = sd_cuda_nthreads();
    for (int r = 0; r < n; r++) {
        for (int i = tid; i < SD_XSUM_LIMBS; i += nth) sb[r].limb[i] = 0;
        if (tid == 0) {
            sb[r].count = sb[r].nonfinite = 0;
            sb[r].maxk = sd_cuda_order_key(SD_CUDA_NEG_INF);
            sb[r].mink = sd_cuda_order_key(SD_CUDA_POS_INF);
        }
        sd_cuda_tacc_init(&t[r]);
    }
    __syncthreads();
}

/* End of a reducing kernel: thread parts -> block parts -> the global accumulators acc[0..n)
 * (device sd_acc, initialised by the engine). Every thread of the block calls it. */
__device__ __forceinline__ void sd_cuda_red_end(sd_cuda_bacc *sb, sd_cuda_tacc *t, int n, sd_acc *acc)
{
    const int tid = sd_cuda_tid(), nth = sd_cuda_nthreads();
    for (int r = 0; r < n; r++) {
        sd_cuda_window_flush(&t[r], &sb[r]);
        if (t[r].count) atomicAdd(&sb[r].count, (unsigned long long)t[r].count);
        if (t[r].nonfinite) atomicAdd(&sb[r].nonfinite, (unsigned long long)t[r].nonfinite);
        if (t[r].maxv > SD_CUDA_NEG_INF) atomicMax(&sb[r].maxk, sd_cuda_order_key(t[r].maxv));
        if (t[r].minv < SD_CUDA_POS_INF) atomicMin(&sb[r].mink, sd_cuda_order_key(t[r].minv));
    }
    __syncthreads();
    if (tid == 0)
        for (int r = 0; r < n; r++) {
            /* balanced form: |limb| < 2^31 below the top limb, so one block adds little */
            int64_t carry = 0;
            int any = 0;
            for (int i = 0; i < SD_XSUM_LIMBS - 1; i++) {
                int64_t v = (int64_t)sb[r].limb[i] + carry;
                carry = sd_cuda_carry(v);
                v -= carry * ((int64_t)1 << 32);
                sb[r].limb[i] = (unsigned long long)v;
                any |= v != 0;
            }
            const int64_t top = (int64_t)sb[r].limb[SD_XSUM_LIMBS - 1] + carry;
            sb[r].limb[SD_XSUM_LIMBS - 1] = (unsigned long long)top;
            any |= top != 0;
            if (any) atomicAdd((unsigned long long *)&acc[r].nadd, 1ULL);
            if (sb[r].count) atomicAdd((unsigned long long *)&acc[r].count, sb[r].count);
            if (sb[r].nonfinite) atomicAdd((unsigned long long *)&acc[r].nonfinite, sb[r].nonfinite);
            if (sb[r].maxk != sd_cuda_order_key(SD_CUDA_NEG_INF))
                sd_cuda_atomic_max(&acc[r].maxv, sd_cuda_order_key_inv(sb[r].maxk));
            if (sb[r].mink != sd_cuda_order_key(SD_CUDA_POS_INF))
                sd_cuda_atomic_min(&acc[r].minv, sd_cuda_order_key_inv(sb[r].mink));
        }
    __syncthreads();
    for (int r = 0; r < n; r++)
        for (int i = tid; i < SD_XSUM_LIMBS; i += nth) {
            const unsigned long long v = sb[r].limb[i];
            if (v) atomicAdd((unsigned long long *)&acc[r].limb[i], v);
        }
}

#endif
