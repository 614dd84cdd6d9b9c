/* dop853.cu - ode.dop853 on CUDA: one thread per built-in system through erk_cuda.cuh with the
 * DOP853 tableau in constant memory. */
#include "erk_cuda.cuh"

namespace {
__constant__ erk_tableau dop853_tab = ERK_DOP853_TABLEAU;
struct dop853_t {
    __device__ static const erk_tableau &get() { return dop853_tab; }
};
} // namespace

extern "C" void sd_ode_dop853_cuda(const sd_tile_args *a, void *stream)
{
    erk_cuda_launch<dop853_t>(a, stream, "ode.dop853");
}
