/* transport_cuda.cuh - what the transport pack's CUDA kernels share: the per-task tables passed by
 * value as a kernel parameter (built on the host by transport_tables.c, the CPU's very tables, so
 * the device does only +, -, * on the same numbers: bitwise the CPU), and the per-element sums in
 * the CPU loops' orders (loops_impl.h). The device loops are dense (every cell and bin): the
 * CPU's sparse loops skip exact zeros only, so the results are the same bits, occupancy included.
 * Indexing and launches only; the math is transport_math.h's and transport_tables.c's. */
#ifndef SD_TRANSPORT_CUDA_CUH
#define SD_TRANSPORT_CUDA_CUH
#include "stardag/kernel_cuda.cuh"
#include "transport_tables.h"

/* The tables as doubles (integers are exact in a double): per E bin E, far, flo, K, woff, stop,
 * lo, s0, s1; the weights; per angle bin c00, c10, c01, c11, sx, sz. A kernel parameter may hold
 * up to 32764 bytes (CUDA 12.1+, compute capability 7.0+); 3800 doubles leave room for the tile
 * arguments. Enough for 200 E bins and 180 angle bins (9 ne + weights + 6 nt <= 3800). */
#define TR_DEV_N 3800
typedef struct tr_dev {
    int ne, nt, nw;
    double d[TR_DEV_N];
} tr_dev;
enum { TRD_E = 0, TRD_FAR, TRD_FLO, TRD_K, TRD_WOFF, TRD_STOP, TRD_LO, TRD_S0, TRD_S1, TRD_NPER };
#define TRD(t, what, m) ((t).d[(what) * (t).ne + (m)])
#define TRD_W(t, i) ((t).d[TRD_NPER * (t).ne + (i)])
#define TRD_SW(t, c, k) ((t).d[TRD_NPER * (t).ne + (t).nw + 6 * (k) + (c)])

/* Fill from the host tables; -1 (with a message) when they do not fit. */
static inline int tr_dev_fill(const tr_tables *tb, tr_dev *t, const char *op)
{
    const int64_t nw = tb->woff[tb->ne - 1] + 2 * (int64_t)tb->K[tb->ne - 1] + 1;
    if (TRD_NPER * tb->ne + nw + 6 * tb->nt > TR_DEV_N) {
        fprintf(stderr, "stardag: %s (CUDA): the tables of %lld E bins and %lld angle bins need %lld doubles, more than the "
                        "%d a kernel parameter holds (use fewer bins, or CPU workers)\n", op, (long long)tb->ne,
                (long long)tb->nt, (long long)(TRD_NPER * tb->ne + nw + 6 * tb->nt), TR_DEV_N);
        return -1;
    }
    t->ne = (int)tb->ne, t->nt = (int)tb->nt, t->nw = (int)nw;
    for (int64_t m = 0; m < tb->ne; m++) {
        TRD(*t, TRD_E, m) = tb->E[m];
        TRD(*t, TRD_FAR, m) = tb->far[m];
        TRD(*t, TRD_FLO, m) = tb->flo[m];
        TRD(*t, TRD_K, m) = tb->K[m];
        TRD(*t, TRD_WOFF, m) = (double)tb->woff[m];
        TRD(*t, TRD_STOP, m) = tb->stop[m];
        TRD(*t, TRD_LO, m) = (double)tb->lo[m];
        TRD(*t, TRD_S0, m) = (double)tb->s0[m];
        TRD(*t, TRD_S1, m) = (double)tb->s1[m];
    }
    for (int64_t i = 0; i < nw; i++) TRD_W(*t, i) = tb->w[i];
    for (int64_t k = 0; k < tb->nt; k++) {
        TRD_SW(*t, 0, k) = tb->sw[k].c00;
        TRD_SW(*t, 1, k) = tb->sw[k].c10;
        TRD_SW(*t, 2, k) = tb->sw[k].c01;
        TRD_SW(*t, 3, k) = tb->sw[k].c11;
        TRD_SW(*t, 4, k) = tb->sw[k].sx;
        TRD_SW(*t, 5, k) = tb->sw[k].sz;
    }
    return 0;
}

/* A launch that fails on purpose (0 blocks: cudaErrorInvalidConfiguration), so that the runtime
 * fails the run after a host-side refusal was printed. */
static __global__ void tr_refused_kernel(void) {}
static inline void tr_refuse(cudaStream_t s) { tr_refused_kernel<<<0, 1, 0, s>>>(); }

/* A host copy of an op's stopping-power table (in a CUDA task its buffer is device memory): kept per
 * thread by device address, so the copy is made once per table and GPU, and the tables' cache
 * (keyed by the table's address) tells tables apart. NULL with a message when the copy fails. */
static inline const double *tr_table_host(const double *dev, int64_t rows, cudaStream_t s, const char *op)
{
    enum { NCOPY = 8 };
    static thread_local struct { const double *dev; int64_t rows; double *host; } copy[NCOPY];
    static thread_local int next;
    for (int i = 0; i < NCOPY; i++)
        if (copy[i].dev == dev && copy[i].rows == rows) return copy[i].host;
    double *h = (double *)malloc((size_t)rows * 2 * sizeof(double));
    cudaError_t e = h ? cudaMemcpyAsync(h, dev, (size_t)rows * 2 * sizeof(double), cudaMemcpyDeviceToHost, s)
                      : cudaErrorMemoryAllocation;
    if (e == cudaSuccess) e = cudaStreamSynchronize(s);
    if (e != cudaSuccess) {
        fprintf(stderr, "stardag: %s (CUDA): cannot copy the stopping-power table to the host: %s\n", op, cudaGetErrorString(e));
        free(h);
        return NULL;
    }
    free(copy[next].host); /* an older table's copy; its tables are rebuilt if it comes back */
    copy[next].dev = dev;
    copy[next].rows = rows;
    copy[next].host = h;
    next = (next + 1) % NCOPY;
    return h;
}

/* The tables of an op's tile (host); tslot: the op's optional table role, -1 for none. NULL (with a
 * message) when the table cannot be copied. */
static inline const tr_tables *tr_host_tables(const sd_tile_args *a, int tslot, double k_sigma, double e_cut, cudaStream_t s,
                                              const char *op)
{
    tr_setup su;
    const double *tab = NULL;
    if (tslot >= 0 && a->p[tslot]) {
        tab = tr_table_host((const double *)a->p[tslot], a->sc[tslot], s, op);
        if (!tab) return NULL;
    }
    tr_setup_of(a, k_sigma, e_cut, tab, tab ? a->sc[tslot] : 0, &su);
    const tr_tables *tb = tr_tables_get(&su);
    if (!tb) tr_oom(op, tr_tables_bytes(&su));
    return tb;
}

/* Element strides of a psi buffer. */
typedef struct tr_ps {
    int64_t s1, s3, s4;
} tr_ps;
static inline tr_ps tr_ps_of(const sd_tile_args *a, int b)
{
    tr_ps p = {a->stride[b][1], a->stride[b][3], a->stride[b][4]};
    return p;
}

/* Scattered value of bin (k, m) of the cell at c: sum over d ascending of (T)w_d psi[k - d]
 * (loops_impl.h, scatter_span). */
template <typename T>
__device__ __forceinline__ T tr_scatter_at(const tr_dev &t, const T *c, const tr_ps &p, int k, int m)
{
    const int K = (int)TRD(t, TRD_K, m), off = (int)TRD(t, TRD_WOFF, m) + K;
    const int da = -K > k - (t.nt - 1) ? -K : k - (t.nt - 1), db = K < k ? K : k;
    T acc = (T)0;
    for (int d = da; d <= db; d++) acc += (T)TRD_W(t, off + d) * c[(int64_t)(k - d) * p.s3 + (int64_t)m * p.s4];
    return acc;
}

/* The lost fraction of source bin (m, k) as transport_tables.c sums it. */
__device__ __forceinline__ double tr_lost_at(const tr_dev &t, int m, int k)
{
    const int K = (int)TRD(t, TRD_K, m), off = (int)TRD(t, TRD_WOFF, m) + K;
    double l = 0.0;
    for (int d = -K; d < -k && d <= K; d++) l += TRD_W(t, off + d);
    for (int d = t.nt - k > -K ? t.nt - k : -K; d <= K; d++) l += TRD_W(t, off + d);
    l += TRD(t, TRD_FAR, m);
    l += TRD(t, TRD_FAR, m);
    return l;
}

/* Energy-loss gather of destination bin d at angle k of the cell at c (loops_impl.h,
 * loss_gather, which the fused step's partial sums follow); SCATTER: the sources are scattered first
 * (the fused step). */
template <typename T, bool SCATTER>
__device__ __forceinline__ T tr_gather_at(const tr_dev &t, const T *c, const tr_ps &p, int k, int d)
{
    const int q0 = (int)TRD(t, TRD_S0, d) > 0 ? (int)TRD(t, TRD_S0, d) : 0;
    const int q1 = (int)TRD(t, TRD_S1, d) < t.ne - 1 ? (int)TRD(t, TRD_S1, d) : t.ne - 1;
    T o = (T)0;
    for (int q = q0; q <= q1; q++) {
        const T f = (T)TRD(t, TRD_FLO, q);
        const T s = SCATTER ? tr_scatter_at<T>(t, c, p, k, q) : c[(int64_t)k * p.s3 + (int64_t)q * p.s4];
        if ((int)TRD(t, TRD_LO, q) == d) o += f * s;
        else o += s - f * s;
    }
    return o;
}

/* The value B a source cell at c sends (gathered for FUSED, psi itself for stream). */
template <typename T, bool FUSED>
__device__ __forceinline__ T tr_source_at(const tr_dev &t, const T *c, const tr_ps &p, int k, int d)
{
    return FUSED ? tr_gather_at<T, true>(t, c, p, k, d) : c[(int64_t)k * p.s3 + (int64_t)d * p.s4];
}

#endif
