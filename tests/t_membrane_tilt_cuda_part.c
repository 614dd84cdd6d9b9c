/* t_membrane_tilt_cuda_part.c - tests/mesh_part.h's partition view for t_membrane_tilt_cuda.cu,
 * compiled as C (the header is C: nvcc's C++ refuses its jumps past initialisations). */
#include "mesh_part.h"

int tilt_cuda_part_init(mesh_view *mv, int64_t nvg, int64_t nfg, const int64_t *tri, const int *owner, int part,
                        int scratch_v, int scratch_f);
int tilt_cuda_part_init(mesh_view *mv, int64_t nvg, int64_t nfg, const int64_t *tri, const int *owner, int part,
                        int scratch_v, int scratch_f)
{
    return mesh_part_init(mv, nvg, nfg, tri, owner, part, scratch_v, scratch_f);
}
