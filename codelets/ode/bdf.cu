/* bdf.cu - ode.bdf on CUDA: one thread per built-in system, the whole interval per launch
 * (implicit_cuda.cuh), bdf_math.h's state machine: the CPU's bits. */
#include "implicit_cuda.cuh"
#include "bdf_math.h"
#include "ode_implicit_kernels.h"

namespace {
struct bdf_m {
    static const int ev_t = BW_EV_T;
    __device__ static void begin(const sd_imp_view *v) { bdf_begin(v); }
    __device__ static int resume(const sd_imp_view *v, const sd_imp_opts *o) { return bdf_resume(v, o); }
    __device__ static int ev_y(int n) { return bdf_vec(n, BV_EVY); }
    __device__ static int ev_f(int n) { return bdf_vec(n, BV_EVF); }
    __device__ static int jac(int n) { return bdf_mat(n, BM_JAC); }
};
} // namespace

extern "C" void sd_ode_bdf_cuda(const sd_tile_args *a, void *stream) { sd_imp_cuda_launch<bdf_m>(a, stream, "ode.bdf", 1, 0); }
