/* halo.cu - CUDA versions of the ghost-zone kernels of halo.c: the same cells, the same values
 * (index math, the region of a face or of a full-box round, and the Mur update from halo_math.h),
 * asynchronous on the caller's stream. Each launch walks a flattened index space with a
 * grid-stride loop; the region's x extent is fastest, so rows of y/z faces are coalesced. Copies move elements as unsigned integers of the element's width
 * (bit-exact). g is a host pointer; its struct is passed by value. */
#include "stardag/kernel_cuda.cuh"
#include "halo.h"
#include "halo_math.h"

namespace {

/* A face's index space: the region of axis d (sd_halo_region: its first cell lo, extents e, x
 * fastest) with `layers` layers along d from `first`, times ncomp, flattened. */
struct space {
    int64_t lo[3], e[3], total;
};

__host__ __device__ inline space face_space(const sd_halo_geom &g, int d, int64_t first, int64_t layers)
{
    space s;
    sd_halo_region(&g, d, first, s.lo, s.e);
    s.e[d] = layers;
    s.total = s.e[0] * s.e[1] * s.e[2] * g.ncomp;
    return s;
}

/* Split a flat index into x, y, z (tile coordinates: the region's first cell plus the offset)
 * and the component. */
__device__ __forceinline__ void unflatten(const space &s, int64_t q, int64_t ijk[3], int *c)
{
    ijk[0] = s.lo[0] + q % s.e[0];
    q /= s.e[0];
    ijk[1] = s.lo[1] + q % s.e[1];
    q /= s.e[1];
    ijk[2] = s.lo[2] + q % s.e[2];
    *c = (int)(q / s.e[2]);
}

#define FOR_FLAT(q, total)                                                                           \
    for (int64_t q = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; q < (total); q += (int64_t)gridDim.x * blockDim.x)

/* Pack (to_tile = 0) or unpack (1): the region of h layers from `first` <-> the packed face
 * buffer, whose element q is the region's cell in x, y, z, c order (halo.c's copy_region). */
template <typename E>
__global__ void copy_region_kernel(const sd_halo_geom g, E *tile, E *face, int d, int64_t first, int to_tile)
{
    const space s = face_space(g, d, first, g.h);
    FOR_FLAT(q, s.total)
    {
        int64_t r[3];
        int c;
        unflatten(s, q, r, &c);
        const int64_t t = sd_halo_at(&g, r[0], r[1], r[2], c);
        if (to_tile) tile[t] = face[q];
        else face[q] = tile[t];
    }
}

enum { WRAP, REFLECT };

/* Ghost layer m <- an interior layer of the same tile, every m at once (sources are interior
 * along d, so no thread reads what another writes). */
template <typename E> __global__ void self_copy_kernel(const sd_halo_geom g, E *tile, int d, int side, int kind)
{
    const space s = face_space(g, d, 0, g.h); /* coordinate d of the space = m */
    FOR_FLAT(q, s.total)
    {
        int64_t r[3];
        int c;
        unflatten(s, q, r, &c);
        const int64_t m = d == 0 ? r[0] : d == 1 ? r[1] : r[2];
        int64_t gl, src;
        if (kind == WRAP) sd_halo_wrap_layers(&g, d, side, m, &gl, &src);
        else {
            gl = sd_halo_ghost_layer(&g, d, side, m);
            src = sd_halo_reflect_src(&g, d, side, m);
        }
        tile[sd_halo_at_layer(&g, r, d, gl, c)] = tile[sd_halo_at_layer(&g, r, d, src, c)];
    }
}

template <typename T> __global__ void fixed_kernel(const sd_halo_geom g, T *tile, int d, int side, T value)
{
    const space s = face_space(g, d, 0, g.h);
    FOR_FLAT(q, s.total)
    {
        int64_t r[3];
        int c;
        unflatten(s, q, r, &c);
        const int64_t m = d == 0 ? r[0] : d == 1 ? r[1] : r[2];
        tile[sd_halo_at_layer(&g, r, d, sd_halo_ghost_layer(&g, d, side, m), c)] = value;
    }
}

__device__ __forceinline__ double mur(double io, double in, double go, double k) { return sd_halo_mur_f64(io, in, go, k); }
__device__ __forceinline__ float mur(float io, float in, float go, double k) { return sd_halo_mur_f32(io, in, go, k); }

/* Mur: layer m reads layer m-1's new value, so one thread per face position walks m outwards. */
template <typename T> __global__ void absorb_kernel(const sd_halo_geom g, T *nw, const T *od, int d, int side, double k)
{
    const space s = face_space(g, d, 0, 1);
    FOR_FLAT(q, s.total)
    {
        int64_t r[3];
        int c;
        unflatten(s, q, r, &c);
        for (int64_t m = 0; m < g.h; m++) {
            const int64_t gl = sd_halo_ghost_layer(&g, d, side, m), in = sd_halo_inward(side, gl, 1);
            const int64_t o = sd_halo_at_layer(&g, r, d, gl, c), p = sd_halo_at_layer(&g, r, d, in, c);
            nw[o] = od ? mur(od[p], nw[p], od[o], k) : nw[p];
        }
    }
}

/* 1D launch over `total` items; 0 when empty. */
int dims1(int64_t total, dim3 *grid, dim3 *block)
{
    if (total <= 0) return 0;
    int64_t blocks = (total + SD_CUDA_THREADS - 1) / SD_CUDA_THREADS;
    if (blocks > 65535) blocks = 65535; /* grid-stride loop covers the rest */
    *grid = dim3((unsigned)blocks);
    *block = dim3(SD_CUDA_THREADS);
    return 1;
}

} // namespace

extern "C" void sd_halo_pack_cuda(const sd_halo_geom *g, const void *tile, int d, int side, void *face, void *stream)
{
    dim3 gr, bl;
    if (g->h <= 0 || !dims1(face_space(*g, d, 0, g->h).total, &gr, &bl)) return;
    cudaStream_t s = (cudaStream_t)stream;
    const int64_t first = sd_halo_pack_first(g, d, side);
    if (g->dtype == SD_F32)
        copy_region_kernel<unsigned int><<<gr, bl, 0, s>>>(*g, (unsigned int *)tile, (unsigned int *)face, d, first, 0);
    else
        copy_region_kernel<unsigned long long>
            <<<gr, bl, 0, s>>>(*g, (unsigned long long *)tile, (unsigned long long *)face, d, first, 0);
    sd_cuda_check("halo pack");
}

extern "C" void sd_halo_unpack_cuda(const sd_halo_geom *g, void *tile, int d, int side, const void *face, void *stream)
{
    dim3 gr, bl;
    if (g->h <= 0 || !dims1(face_space(*g, d, 0, g->h).total, &gr, &bl)) return;
    cudaStream_t s = (cudaStream_t)stream;
    const int64_t first = sd_halo_unpack_first(g, d, side);
    if (g->dtype == SD_F32)
        copy_region_kernel<unsigned int><<<gr, bl, 0, s>>>(*g, (unsigned int *)tile, (unsigned int *)face, d, first, 1);
    else
        copy_region_kernel<unsigned long long>
            <<<gr, bl, 0, s>>>(*g, (unsigned long long *)tile, (unsigned long long *)face, d, first, 1);
    sd_cuda_check("halo unpack");
}

static void self_copy(const sd_halo_geom *g, void *tile, int d, int side, int kind, void *stream, const char *what)
{
    dim3 gr, bl;
    if (g->h <= 0 || !dims1(face_space(*g, d, 0, g->h).total, &gr, &bl)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (g->dtype == SD_F32) self_copy_kernel<unsigned int><<<gr, bl, 0, s>>>(*g, (unsigned int *)tile, d, side, kind);
    else self_copy_kernel<unsigned long long><<<gr, bl, 0, s>>>(*g, (unsigned long long *)tile, d, side, kind);
    sd_cuda_check(what);
}

extern "C" void sd_halo_wrap_cuda(const sd_halo_geom *g, void *tile, int d, int side, void *stream)
{
    self_copy(g, tile, d, side, WRAP, stream, "halo wrap");
}

extern "C" void sd_halo_reflect_cuda(const sd_halo_geom *g, void *tile, int d, int side, void *stream)
{
    self_copy(g, tile, d, side, REFLECT, stream, "halo reflect");
}

extern "C" void sd_halo_fixed_cuda(const sd_halo_geom *g, void *tile, int d, int side, double value, void *stream)
{
    dim3 gr, bl;
    if (g->h <= 0 || !dims1(face_space(*g, d, 0, g->h).total, &gr, &bl)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (g->dtype == SD_F32) fixed_kernel<float><<<gr, bl, 0, s>>>(*g, (float *)tile, d, side, (float)value);
    else fixed_kernel<double><<<gr, bl, 0, s>>>(*g, (double *)tile, d, side, value);
    sd_cuda_check("halo fixed");
}

extern "C" void sd_halo_absorb_cuda(const sd_halo_geom *g, void *tile, const void *old, int d, int side, double k,
                                    void *stream)
{
    dim3 gr, bl;
    if (g->h <= 0 || !dims1(face_space(*g, d, 0, 1).total, &gr, &bl)) return;
    cudaStream_t s = (cudaStream_t)stream;
    if (g->dtype == SD_F32) absorb_kernel<float><<<gr, bl, 0, s>>>(*g, (float *)tile, (const float *)old, d, side, k);
    else absorb_kernel<double><<<gr, bl, 0, s>>>(*g, (double *)tile, (const double *)old, d, side, k);
    sd_cuda_check("halo absorb");
}
