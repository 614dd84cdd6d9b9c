/* face_blocks.h - stages 1 and 3 of the membrane energy ops (energy_math.h) over all local faces
 * with a corner below lim, vectorised across faces on the CPU (face_blocks.c). The same bits as
 * mb_stage_face and mb_stage_face_grad face by face. No StarPU. */
#ifndef SD_MEMBRANE_FACE_BLOCKS_H
#define SD_MEMBRANE_FACE_BLOCKS_H

#include "energy_math.h"

/* Stage 1 (corner angles too when angles) at positions x (component stride sx). */
void mb_faces_stage1(const sd_mpart *m, const double *x, int64_t sx, double *fs, int64_t lim, int angles);
/* Stage 3 at positions x with the vertex adjoints vs (read when t->bending). */
void mb_faces_stage3(const sd_mpart *m, const double *x, int64_t sx, const double *vs, double *fs, int64_t lim,
                     const mb_grad_terms *t);

#endif
