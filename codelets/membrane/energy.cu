/* energy.cu - CUDA kernels of the membrane energy ops: the stages of energy_math.h with one thread
 * per face (stages 1 and 3, owned-face sums) or per vertex (stages 2 and 4), in the same order as
 * energy.c; scalars folded exactly by kernel_cuda.cuh, so results equal the CPU's bitwise (the
 * Gaussian term's atan2 excepted: glue_energy.c states the tolerance). Scalar read roles (alpha,
 * lam0..lam3) are device pointers: read in the kernels. Launches are asynchronous on the task's
 * stream; the stages of one op are ordered by it. */
#include "stardag/kernel_cuda.cuh"
#include "energy_kernels.h"
#include "energy_math.h"

namespace {

#define FOR_N(i, n)                                                                                 \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

#define F64(a, b) ((double *)(a)->p[b])

/* Scalar terms of the owned faces: slot indices into acc (-1: not summed). */
struct face_slots {
    int area, volume, energy, n;
};

__global__ void face_stage_kernel(sd_mpart m, const double *x, int64_t sx, double *fs, int64_t lim, int angles)
{
    FOR_N(f, m.nf)
    if (mb_face_touches(&m, f, lim)) mb_stage_face(&m, x, sx, fs, f, angles);
}

/* Stage 2 over [0, vlim); owned vertices' terms into acc[0] (energy) and acc[1] (gauss, ngauss = 1). */
__global__ void vertex_stage_kernel(sd_mpart m, const double *fs, double *vs, int64_t vlim, mb_params p, int angles,
                                    int ngauss, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[2];
    sd_cuda_tacc t[2];
    const int n = 1 + ngauss;
    sd_cuda_red_begin(sb, t, n);
    FOR_N(v, vlim)
    {
        const double e = mb_stage_vertex(&m, fs, vs, v, &p);
        if (v < m.nv_own) {
            sd_cuda_acc_add(&t[0], &sb[0], e);
            if (angles) {
                const double g = mb_vertex_gauss(&m, fs, v, p.kappa_G);
                sd_cuda_acc_add(&t[0], &sb[0], g);
                if (ngauss) sd_cuda_acc_add(&t[1], &sb[1], g);
            }
        }
    }
    sd_cuda_red_end(sb, t, n, acc);
}

__global__ void face_grad_kernel(sd_mpart m, const double *x, int64_t sx, const double *vs, double *fs,
                                 mb_grad_terms terms)
{
    FOR_N(f, m.nf)
    if (mb_face_touches(&m, f, m.nv_own)) mb_stage_face_grad(&m, x, sx, vs, fs, f, &terms);
}

/* Stage 4; nred sums per owned vertex into acc: 1: |vgrad|^2; 2: also grad . vgrad. */
__global__ void gather_kernel(sd_mpart m, const double *fs, double *grad, int64_t sg, double *vgrad, int64_t svg,
                              int nred, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[2];
    sd_cuda_tacc t[2];
    sd_cuda_red_begin(sb, t, nred);
    FOR_N(v, m.nv_own)
    {
        mb_vec g = mb_zero(), w = mb_zero();
        if (grad) mb_store(grad, sg, v, g = mb_gather_corner_vec(&m, fs, MB_FS_G, v));
        if (vgrad) mb_store(vgrad, svg, v, w = mb_gather_corner_vec(&m, fs, MB_FS_VG, v));
        if (nred > 0) sd_cuda_acc_add(&t[0], &sb[0], mb_dot(w, w));
        if (nred > 1) sd_cuda_acc_add(&t[1], &sb[1], mb_dot(g, w));
    }
    sd_cuda_red_end(sb, t, nred, acc);
}

__global__ void owned_faces_kernel(sd_mpart m, const double *x, int64_t sx, face_slots s, double gamma, double p,
                                   sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[3];
    sd_cuda_tacc t[3];
    sd_cuda_red_begin(sb, t, s.n);
    FOR_N(f, m.nf_own)
    {
        double A, V;
        mb_face_measure(&m, x, sx, f, &A, &V);
        if (s.area >= 0) sd_cuda_acc_add(&t[s.area], &sb[s.area], A);
        if (s.volume >= 0) sd_cuda_acc_add(&t[s.volume], &sb[s.volume], V);
        if (s.energy >= 0) {
            const int e = s.energy;
            sd_cuda_acc_add(&t[e], &sb[e], gamma * A);
            sd_cuda_acc_add(&t[e], &sb[e], -p * V);
        }
    }
    sd_cuda_red_end(sb, t, s.n, acc);
}

/* V_k of the owned faces at x + alpha 2^-k d into acc[0] (one accumulator per launch). */
__global__ void trial_volume_kernel(sd_mpart m, mb_line l, const double *alpha, int k, sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    const double step = membrane_trial_step(*alpha, k);
    FOR_N(f, m.nf_own) sd_cuda_acc_add(&t[0], &sb[0], mb_face_line_volume(&m, &l, step, f));
    sd_cuda_red_end(sb, t, 1, acc);
}

__global__ void trial_position_kernel(sd_mpart m, mb_line l, const double *alpha, int k, const double *lam, double *y)
{
    const double step = membrane_trial_step(*alpha, k), lk = *lam;
    FOR_N(v, m.nv_ring1) mb_stage_trial_position(&m, &l, step, lk, y, v);
}

__global__ void curvature_kernel(sd_mpart m, const double *fs, double *area, double *H, double *normal, int64_t sn)
{
    FOR_N(v, m.nv_own)
    {
        const mb_vertex s = mb_gather_vertex(&m, fs, v);
        area[v] = s.A;
        H[v] = membrane_mean_curvature(s.K, s.A, s.N);
        mb_store(normal, sn, v, mb_scale(1.0 / sqrt(mb_dot(s.N, s.N)), s.N));
    }
}

/* Owned faces' area and unit normal (face fields, stride sn = nf); areas summed into acc[0]. */
__global__ void face_geometry_kernel(sd_mpart m, const double *x, int64_t sx, double *area, double *normal, int64_t sn,
                                     sd_acc *acc)
{
    __shared__ sd_cuda_bacc sb[1];
    sd_cuda_tacc t[1];
    sd_cuda_red_begin(sb, t, 1);
    FOR_N(f, m.nf_own)
    {
        double A;
        mb_store(normal, sn, f, mb_face_geometry(&m, x, sx, f, &A));
        area[f] = A;
        sd_cuda_acc_add(&t[0], &sb[0], A);
    }
    sd_cuda_red_end(sb, t, 1, acc);
}

/* ---- launches ----------------------------------------------------------------------------- */
struct launch {
    const sd_tile_args *a;
    cudaStream_t st;
    const char *what;
};

static int dims(int64_t n, int reduce, dim3 *g, dim3 *b)
{
    return sd_cuda_dims(n, 1, 1, reduce ? SD_CUDA_RED_MAX_BLOCKS : 0, g, b);
}

static double *face_scratch(const sd_tile_args *a, int scratch_v) { return a->mesh.scratch + scratch_v * a->mesh.nv; }

static void faces(const launch &L, const double *x, int64_t sx, double *fs, int64_t lim, int angles)
{
    dim3 g, b;
    if (!dims(L.a->mesh.nf, 0, &g, &b)) return;
    face_stage_kernel<<<g, b, 0, L.st>>>(L.a->mesh, x, sx, fs, lim, angles);
    sd_cuda_check(L.what);
}

/* Reducing launches run even over an empty range (one block), so every partial is committed. */
static void reduce_dims(int64_t n, dim3 *g, dim3 *b)
{
    if (!dims(n, 1, g, b)) *g = dim3(1), *b = dim3(SD_CUDA_THREADS);
}

static void vertices(const launch &L, const double *fs, double *vs, int64_t vlim, const mb_params &p, int ngauss,
                     sd_acc *acc)
{
    dim3 g, b;
    reduce_dims(vlim, &g, &b);
    vertex_stage_kernel<<<g, b, 0, L.st>>>(L.a->mesh, fs, vs, vlim, p, p.kappa_G != 0.0, ngauss, acc);
    sd_cuda_check(L.what);
}

static void gradient(const launch &L, const double *vs, double *fs, const mb_grad_terms &t, double *grad, int64_t sg,
                     double *vgrad, int64_t svg, int nred, sd_acc *acc)
{
    const sd_tile_args *a = L.a;
    dim3 g, b;
    if (dims(a->mesh.nf, 0, &g, &b)) {
        face_grad_kernel<<<g, b, 0, L.st>>>(a->mesh, F64(a, 0), a->sc[0], vs, fs, t);
        sd_cuda_check(L.what);
    }
    if (nred) reduce_dims(a->mesh.nv_own, &g, &b);
    else if (!dims(a->mesh.nv_own, 0, &g, &b)) return;
    gather_kernel<<<g, b, 0, L.st>>>(a->mesh, fs, grad, sg, vgrad, svg, nred, acc);
    sd_cuda_check(L.what);
}

static void owned_faces(const launch &L, const double *x, int64_t sx, face_slots s, double gamma, double p,
                        sd_acc *acc)
{
    dim3 g, b;
    reduce_dims(L.a->mesh.nf_own, &g, &b);
    owned_faces_kernel<<<g, b, 0, L.st>>>(L.a->mesh, x, sx, s, gamma, p, acc);
    sd_cuda_check(L.what);
}

} // namespace

extern "C" void sd_membrane_curvature_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.curvature"};
    double *fs = face_scratch(a, 0);
    faces(L, F64(a, 0), a->sc[0], fs, a->mesh.nv_own, 0);
    dim3 g, b;
    if (!dims(a->mesh.nv_own, 0, &g, &b)) return;
    curvature_kernel<<<g, b, 0, L.st>>>(a->mesh, fs, F64(a, 1), F64(a, 2), F64(a, 3), a->sc[3]);
    sd_cuda_check(L.what);
}

extern "C" void sd_membrane_measure_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.measure"};
    owned_faces(L, F64(a, 0), a->sc[0], face_slots{0, 1, -1, 2}, 0.0, 0.0, a->acc);
}

extern "C" void sd_membrane_face_geometry_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.face_geometry"};
    dim3 g, b;
    reduce_dims(a->mesh.nf_own, &g, &b);
    face_geometry_kernel<<<g, b, 0, L.st>>>(a->mesh, F64(a, 0), a->sc[0], F64(a, 1), F64(a, 2), a->sc[2], a->acc);
    sd_cuda_check(L.what);
}

extern "C" void sd_membrane_bending_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.bending"};
    const mb_params p = mb_params_from(a->param, 3);
    double *vs = a->mesh.scratch, *fs = face_scratch(a, MB_VS_SLOTS);
    faces(L, F64(a, 0), a->sc[0], fs, a->mesh.nv_ring1, p.kappa_G != 0.0);
    vertices(L, fs, vs, a->mesh.nv_ring1, p, 1, a->acc);
    mb_grad_terms t = {1, 0.0, 0.0, 0};
    gradient(L, vs, fs, t, F64(a, 1), a->sc[1], NULL, 0, 0, NULL);
}

extern "C" void sd_membrane_tension_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.tension"};
    const double gamma = a->param[0];
    mb_grad_terms t = {0, gamma, 0.0, 0};
    gradient(L, NULL, face_scratch(a, 0), t, F64(a, 1), a->sc[1], NULL, 0, 0, NULL);
    owned_faces(L, F64(a, 0), a->sc[0], face_slots{-1, -1, 0, 1}, gamma, 0.0, a->acc);
}

extern "C" void sd_membrane_volume_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.volume"};
    mb_grad_terms t = {0, 0.0, 0.0, 1};
    gradient(L, NULL, face_scratch(a, 0), t, NULL, 0, F64(a, 1), a->sc[1], 1, &a->acc[1]);
    owned_faces(L, F64(a, 0), a->sc[0], face_slots{-1, 0, -1, 1}, 0.0, 0.0, a->acc);
}

extern "C" void sd_membrane_energy_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.energy"};
    const mb_params p = mb_params_from(a->param, 5);
    double *vs = a->mesh.scratch, *fs = face_scratch(a, MB_VS_SLOTS);
    faces(L, F64(a, 0), a->sc[0], fs, a->mesh.nv_ring1, p.kappa_G != 0.0);
    vertices(L, fs, vs, a->mesh.nv_ring1, p, 0, a->acc);
    mb_grad_terms t = {1, p.gamma, -p.p, 1};
    gradient(L, vs, fs, t, F64(a, 1), a->sc[1], F64(a, 2), a->sc[2], 2, &a->acc[3]);
    owned_faces(L, F64(a, 0), a->sc[0], face_slots{1, 2, 0, 3}, p.gamma, p.p, a->acc);
}

extern "C" void sd_membrane_trial_volume_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.trial_volume"};
    mb_line l = {F64(a, 0), F64(a, 1), NULL, a->sc[0], a->sc[1], 0};
    for (int k = 0; k < 4; k++) {
        dim3 g, b;
        reduce_dims(a->mesh.nf_own, &g, &b);
        trial_volume_kernel<<<g, b, 0, L.st>>>(a->mesh, l, F64(a, 2), k, &a->acc[k]);
        sd_cuda_check(L.what);
    }
}

extern "C" void sd_membrane_trial_energy_cuda(const sd_tile_args *a, void *stream)
{
    const launch L = {a, (cudaStream_t)stream, "membrane.trial_energy"};
    const mb_params p = mb_params_from(a->param, 5);
    mb_line l = {F64(a, 0), F64(a, 1), F64(a, 2), a->sc[0], a->sc[1], a->sc[2]};
    double *y = a->mesh.scratch, *fs = face_scratch(a, 3);
    const int64_t nv = a->mesh.nv;
    for (int k = 0; k < 4; k++) {
        dim3 g, b;
        if (dims(a->mesh.nv_ring1, 0, &g, &b)) {
            trial_position_kernel<<<g, b, 0, L.st>>>(a->mesh, l, F64(a, 3), k, F64(a, 4 + k), y);
            sd_cuda_check(L.what);
        }
        faces(L, y, nv, fs, a->mesh.nv_own, p.kappa_G != 0.0);
        vertices(L, fs, NULL, a->mesh.nv_own, p, 0, &a->acc[k]);
        owned_faces(L, y, nv, face_slots{-1, -1, 0, 1}, p.gamma, p.p, &a->acc[k]);
    }
}
