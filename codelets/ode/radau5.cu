/* radau5.cu - ode.radau5 on CUDA: one thread per built-in system, the whole interval per launch
 * (implicit_cuda.cuh), radau_math.h's state machine: the CPU's bits. */
#include "implicit_cuda.cuh"
#include "radau_math.h"
#include "ode_implicit_kernels.h"

namespace {
struct radau5_m {
    static const int ev_t = RW_EV_T;
    __device__ static void begin(const sd_imp_view *v) { radau_begin(v); }
    __device__ static int resume(const sd_imp_view *v, const sd_imp_opts *o) { return radau_resume(v, o); }
    __device__ static int ev_y(int n) { return radau_vec(n, RV_EVY); }
    __device__ static int ev_f(int n) { return radau_vec(n, RV_EVF); }
    __device__ static int jac(int n) { return radau_mat(n, RM_JAC); }
};
} // namespace

extern "C" void sd_ode_radau5_cuda(const sd_tile_args *a, void *stream)
{
    sd_imp_cuda_launch<radau5_m>(a, stream, "ode.radau5", 0, 1);
}
