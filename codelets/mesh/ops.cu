/* ops.cu - CUDA versions of the mesh pack's vertex ops: one thread per owned vertex (local edge, for
 * the edge ops) and component, the math of mesh_ops.h / common_math.h. Asynchronous on the
 * caller's stream. */
#include "stardag/kernel_cuda.cuh"
#include "mesh_ops.h"

namespace {

__global__ void noise_kernel(const sd_tile_args a, const uint64_t key, const double lo, const double hi, const int perturb)
{
    const int64_t n = a.mesh.nv_own * a.ncomp[0];
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t v = i % a.mesh.nv_own, c = i / a.mesh.nv_own;
        double *o = (double *)a.p[0] + v + c * a.sc[0];
        const double u = sd_noise_f64(key, sd_mesh_noise_index(c, a.mesh.vid[v], a.mesh.nv_global), lo, hi);
        *o = perturb ? *o + u : u;
    }
}

__global__ void edge_noise_kernel(const sd_tile_args a, const uint64_t key, const double lo, const double hi)
{
    const int64_t n = a.mesh.ne * a.ncomp[0];
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t e = i % a.mesh.ne, c = i / a.mesh.ne;
        ((double *)a.p[0])[e + c * a.sc[0]] = sd_noise_f64(key, sd_mesh_noise_index(c, a.mesh.eid[e], a.mesh.ne_global), lo, hi);
    }
}

__global__ void edge_mul_kernel(const sd_tile_args a)
{
    for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < a.mesh.ne; e += (int64_t)gridDim.x * blockDim.x)
        ((double *)a.p[2])[e] = sd_mesh_edge_mul(a.param[0], ((const double *)a.p[0])[e], ((const double *)a.p[1])[e]);
}

__global__ void sum_kernel(const sd_tile_args a)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    const int64_t n = a.mesh.nv_own * a.ncomp[0];
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t v = i % a.mesh.nv_own, c = i / a.mesh.nv_own;
        sd_cuda_acc_add(&t[0], &sb[0], sd_sum_term(a.param[0], ((const double *)a.p[0])[v + c * a.sc[0]]));
    }
    sd_cuda_red_end(sb, t, 1, a.acc);
}

__global__ void axpy_kernel(const sd_tile_args a)
{
    const int64_t n = a.mesh.nv_own * a.ncomp[1];
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t v = i % a.mesh.nv_own, c = i / a.mesh.nv_own;
        double *y = (double *)a.p[1] + v + c * a.sc[1];
        *y = sd_axpy_f64(a.param[0], ((const double *)a.p[0])[v + c * a.sc[0]], *y);
    }
}

__global__ void along_kernel(const sd_tile_args a)
{
    for (int64_t v = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; v < a.mesh.nv_own; v += (int64_t)gridDim.x * blockDim.x) {
        const double *x = (const double *)a.p[0], *n = (const double *)a.p[1];
        const double xv[3] = {x[v], x[v + a.sc[0]], x[v + 2 * a.sc[0]]}, nv[3] = {n[v], n[v + a.sc[1]], n[v + 2 * a.sc[1]]};
        for (int c = 0; c < 3; c++) ((double *)a.p[2])[v + c * a.sc[2]] = sd_mesh_along(xv, nv, c);
    }
}

__global__ void dot_kernel(const sd_tile_args a)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    const int64_t n = a.mesh.nv_own * a.ncomp[0];
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t v = i % a.mesh.nv_own, c = i / a.mesh.nv_own;
        sd_cuda_acc_add(&t[0], &sb[0], sd_mesh_dot_term(((const double *)a.p[0])[v + c * a.sc[0]], ((const double *)a.p[1])[v + c * a.sc[1]]));
    }
    sd_cuda_red_end(sb, t, 1, a.acc);
}

int64_t nblocks(int64_t n, int64_t most) { return (n + 255) / 256 < most ? (n + 255) / 256 : most; }

void launch(const sd_tile_args *a, void *stream, int perturb, double lo, double hi)
{
    const int64_t n = a->mesh.nv_own * a->ncomp[0];
    if (n <= 0) return;
    noise_kernel<<<(unsigned)nblocks(n, 4096), 256, 0, (cudaStream_t)stream>>>(*a, sd_noise_key(a->param[0]), lo, hi, perturb);
    sd_cuda_check(perturb ? "mesh.perturb" : "mesh.noise");
}

} // namespace

extern "C" void sd_mesh_noise_cuda(const sd_tile_args *a, void *stream) { launch(a, stream, 0, a->param[1], a->param[2]); }
extern "C" void sd_mesh_edge_noise_cuda(const sd_tile_args *a, void *stream)
{
    const int64_t n = a->mesh.ne * a->ncomp[0];
    if (n <= 0) return;
    edge_noise_kernel<<<(unsigned)nblocks(n, 4096), 256, 0, (cudaStream_t)stream>>>(*a, sd_noise_key(a->param[0]),
                                                                                   a->param[1], a->param[2]);
    sd_cuda_check("mesh.edge_noise");
}
extern "C" void sd_mesh_edge_mul_cuda(const sd_tile_args *a, void *stream)
{
    if (a->mesh.ne <= 0) return;
    edge_mul_kernel<<<(unsigned)nblocks(a->mesh.ne, 4096), 256, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check("mesh.edge_mul");
}
extern "C" void sd_mesh_perturb_cuda(const sd_tile_args *a, void *stream) { launch(a, stream, 1, -a->param[1], a->param[1]); }

extern "C" void sd_mesh_axpy_cuda(const sd_tile_args *a, void *stream)
{
    const int64_t n = a->mesh.nv_own * a->ncomp[1];
    if (n <= 0) return;
    axpy_kernel<<<(unsigned)nblocks(n, 4096), 256, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check("mesh.axpy");
}

extern "C" void sd_mesh_along_cuda(const sd_tile_args *a, void *stream)
{
    if (a->mesh.nv_own <= 0) return;
    along_kernel<<<(unsigned)nblocks(a->mesh.nv_own, 4096), 256, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check("mesh.along");
}

extern "C" void sd_mesh_dot_cuda(const sd_tile_args *a, void *stream)
{
    const int64_t n = a->mesh.nv_own * a->ncomp[0];
    if (n <= 0) return;
    dot_kernel<<<(unsigned)nblocks(n, SD_CUDA_RED_MAX_BLOCKS), 256, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check("mesh.dot");
}

extern "C" void sd_mesh_sum_cuda(const sd_tile_args *a, void *stream)
{
    const int64_t n = a->mesh.nv_own * a->ncomp[0];
    if (n <= 0) return;
    sum_kernel<<<(unsigned)nblocks(n, SD_CUDA_RED_MAX_BLOCKS), 256, 0, (cudaStream_t)stream>>>(*a);
    sd_cuda_check("mesh.sum");
}
