/* tilt.cu - CUDA versions of membrane.tilt, membrane.bending_tilt, their t-only versions (the same
 * kernels with with_x = 0) and membrane.tilt_relax: one
 * thread per face or per vertex calling the same tilt_math.h passes as tilt.c, one launch per pass
 * on the task's stream (the stream orders them); energies folded exactly into a->acc[0] by
 * kernel_cuda.cuh's reduction, so the results equal the CPU's bitwise. */
#include "stardag/kernel_cuda.cuh"
#include "tilt_math.h"
#include "tilt_kernels.h"

namespace {

__global__ void t_face_kernel(const sd_tile_args a, double kt, int with_x)
{
    SD_CUDA_FOR_3D(f, j, k, a.mesh.nf, 1, 1)
    if (tilt_face_has_corner_below(&a.mesh, f, a.mesh.nv_own)) tilt_t_face_pass(&a, kt, with_x, f);
}

__global__ void t_vertex_kernel(const sd_tile_args a, double kt, int with_x)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    SD_CUDA_FOR_3D(v, j, k, a.mesh.nv_own, 1, 1)
    sd_cuda_acc_add(&t[0], &sb[0], tilt_t_vertex_pass(&a, kt, with_x, v));
    sd_cuda_red_end(sb, t, 1, a.acc);
}

__global__ void bt_face1_kernel(const sd_tile_args a)
{
    SD_CUDA_FOR_3D(f, j, k, a.mesh.nf, 1, 1)
    tilt_bt_face1_pass(&a, f);
}

__global__ void bt_vertex_kernel(const sd_tile_args a, double kappa, double c0)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    SD_CUDA_FOR_3D(v, j, k, a.mesh.nv_ring1, 1, 1)
    {
        const double E = tilt_bt_vertex_pass(&a, kappa, c0, v);
        if (v < a.mesh.nv_own) sd_cuda_acc_add(&t[0], &sb[0], E);
    }
    sd_cuda_red_end(sb, t, 1, a.acc);
}

__global__ void bt_face2_kernel(const sd_tile_args a, int with_x)
{
    SD_CUDA_FOR_3D(f, j, k, a.mesh.nf, 1, 1)
    if (tilt_face_has_corner_below(&a.mesh, f, a.mesh.nv_own)) tilt_bt_face2_pass(&a, with_x, f);
}

__global__ void bt_gather_kernel(const sd_tile_args a, int with_x)
{
    SD_CUDA_FOR_3D(v, j, k, a.mesh.nv_own, 1, 1)
    tilt_bt_gather_pass(&a, with_x, v);
}

__global__ void relax_kernel(const sd_tile_args a, double eta)
{
    SD_CUDA_FOR_3D(v, j, k, a.mesh.nv_own, 1, 1)
    tilt_relax_pass(&a, eta, v);
}

/* Launch shapes over n faces or vertices (reductions capped as kernel_cuda.cuh requires). */
bool dims(int64_t n, bool reduce, dim3 *g, dim3 *b)
{
    return sd_cuda_dims(n, 1, 1, reduce ? SD_CUDA_RED_MAX_BLOCKS : 0, g, b) != 0;
}

void tilt_launch(const sd_tile_args *a, cudaStream_t s, int with_x)
{
    const double kt = a->param[TILT_T_KT];
    dim3 g, b;
    if (dims(a->mesh.nf, false, &g, &b)) t_face_kernel<<<g, b, 0, s>>>(*a, kt, with_x);
    if (dims(a->mesh.nv_own, true, &g, &b)) t_vertex_kernel<<<g, b, 0, s>>>(*a, kt, with_x);
}

void bending_tilt_launch(const sd_tile_args *a, cudaStream_t s, int with_x)
{
    const double kappa = a->param[TILT_BT_KAPPA], c0 = a->param[TILT_BT_C0];
    dim3 g, b;
    if (dims(a->mesh.nf, false, &g, &b)) bt_face1_kernel<<<g, b, 0, s>>>(*a);
    if (dims(a->mesh.nv_ring1, true, &g, &b)) bt_vertex_kernel<<<g, b, 0, s>>>(*a, kappa, c0);
    if (dims(a->mesh.nf, false, &g, &b)) bt_face2_kernel<<<g, b, 0, s>>>(*a, with_x);
    if (dims(a->mesh.nv_own, false, &g, &b)) bt_gather_kernel<<<g, b, 0, s>>>(*a, with_x);
}

} // namespace

extern "C" void sd_membrane_tilt_cuda(const sd_tile_args *a, void *stream)
{
    tilt_launch(a, (cudaStream_t)stream, 1);
    sd_cuda_check("membrane.tilt");
}

extern "C" void sd_membrane_tilt_t_cuda(const sd_tile_args *a, void *stream)
{
    tilt_launch(a, (cudaStream_t)stream, 0);
    sd_cuda_check("membrane.tilt_t");
}

extern "C" void sd_membrane_bending_tilt_cuda(const sd_tile_args *a, void *stream)
{
    bending_tilt_launch(a, (cudaStream_t)stream, 1);
    sd_cuda_check("membrane.bending_tilt");
}

extern "C" void sd_membrane_bending_tilt_t_cuda(const sd_tile_args *a, void *stream)
{
    bending_tilt_launch(a, (cudaStream_t)stream, 0);
    sd_cuda_check("membrane.bending_tilt_t");
}

extern "C" void sd_membrane_tilt_relax_cuda(const sd_tile_args *a, void *stream)
{
    dim3 g, b;
    if (dims(a->mesh.nv_own, false, &g, &b)) relax_kernel<<<g, b, 0, (cudaStream_t)stream>>>(*a, a->param[TILT_RELAX_ETA]);
    sd_cuda_check("membrane.tilt_relax");
}
