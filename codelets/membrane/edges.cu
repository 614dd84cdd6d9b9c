/* edges.cu - CUDA kernels of the membrane ops on mesh edges: one thread per edge (edge_geometry, the
 * tether energy) or per owned vertex (edge_sum, the tether gradient), calling edge_math.h's SD_HD
 * functions as edges.c does; scalars folded exactly by kernel_cuda.cuh, so every value equals the
 * CPU's bitwise (glue_edges.c: cuda_tol 0). Launches are asynchronous on the task's stream. */
#include "stardag/kernel_cuda.cuh"
#include "edge_kernels.h"
#include "edge_math.h"

namespace {

#define FOR_N(i, n)                                                                                 \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

#define F64(a, b) ((double *)(a)->p[b])

/* Every local edge's length and dihedral; the owned edges' l and l theta / 2 into acc[0], acc[1]. */
__global__ void edge_geometry_kernel(sd_mpart m, const double *x, int64_t sx, double *len, double *dih, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[2];
    sd_cuda_tacc t[2];
    sd_cuda_red_begin(sb, t, 2);
    FOR_N(e, m.ne)
    {
        double l, th;
        mb_edge_geometry(&m, x, sx, e, &l, &th);
        len[e] = l;
        dih[e] = th;
        if (e < m.ne_own) {
            sd_cuda_acc_add(&t[0], &sb[0], l);
            sd_cuda_acc_add(&t[1], &sb[1], membrane_edge_mean_curvature(l, th));
        }
    }
    sd_cuda_red_end(sb, t, 2, acc);
}

__global__ void edge_sum_kernel(sd_mpart m, const double *w, double s, double *out)
{
    FOR_N(v, m.nv_own) out[v] = s * mb_vertex_edge_sum(&m, w, v);
}

/* The owned vertices' gradient and the owned edges' energy (acc[0]) in one launch. */
__global__ void tether_kernel(sd_mpart m, const double *x, int64_t sx, const double *l0, double k, double *grad,
                              int64_t sg, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    FOR_N(v, m.nv_own) mb_store(grad, sg, v, mb_tether_vertex_grad(&m, x, sx, l0, k, v));
    FOR_N(e, m.ne_own) sd_cuda_acc_add(&t[0], &sb[0], mb_tether_edge_energy(&m, x, sx, l0, k, e));
    sd_cuda_red_end(sb, t, 1, acc);
}

/* Reducing launches run even over an empty range (one block), so every partial is committed. */
static void reduce_dims(int64_t n, dim3 *g, dim3 *b)
{
    if (!sd_cuda_dims(n, 1, 1, SD_CUDA_RED_MAX_BLOCKS, g, b)) *g = dim3(1), *b = dim3(SD_CUDA_THREADS);
}

} // namespace

extern "C" void sd_membrane_edge_geometry_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    reduce_dims(a->mesh.ne, &g, &b);
    edge_geometry_kernel<<<g, b, 0, (cudaStream_t)stream>>>(a->mesh, F64(a, 0), a->sc[0], F64(a, 1), F64(a, 2), a->acc);
    sd_cuda_check("membrane.edge_geometry");
}

extern "C" void sd_membrane_edge_sum_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (!sd_cuda_dims(a->mesh.nv_own, 1, 1, 0, &g, &b)) return;
    edge_sum_kernel<<<g, b, 0, (cudaStream_t)stream>>>(a->mesh, F64(a, 0), a->param[0], F64(a, 1));
    sd_cuda_check("membrane.edge_sum");
}

extern "C" void sd_membrane_tether_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    const int64_t n = a->mesh.nv_own > a->mesh.ne_own ? a->mesh.nv_own : a->mesh.ne_own;
    reduce_dims(n, &g, &b);
    tether_kernel<<<g, b, 0, (cudaStream_t)stream>>>(a->mesh, F64(a, 0), a->sc[0], F64(a, 1), a->param[0], F64(a, 2),
                                                      a->sc[2], a->acc);
    sd_cuda_check("membrane.tether");
}
