/* dopri5.cu - ode.dopri5 on CUDA: one thread per built-in system through erk_cuda.cuh with the
 * DOPRI5 tableau in constant memory. */
#include "erk_cuda.cuh"

namespace {
__constant__ erk_tableau dopri5_tab = ERK_DOPRI5_TABLEAU;
struct dopri5_t {
    __device__ static const erk_tableau &get() { return dopri5_tab; }
};
} // namespace

extern "C" void sd_ode_dopri5_cuda(const sd_tile_args *a, void *stream)
{
    erk_cuda_launch<dopri5_t>(a, stream, "ode.dopri5");
}
