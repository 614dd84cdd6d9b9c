/* tilt.c - CPU loops of membrane.tilt, membrane.bending_tilt, their t-only versions (tilt_t,
 * bending_tilt_t: the same loops with with_x = 0) and membrane.tilt_relax: the order of the passes
 * only; each face's and vertex's work is tilt_math.h's (the CUDA kernels call the same). */
#include "tilt_kernels.h"
#include "tilt_math.h"

/* Roles: x (R, halo 1), t (R, halo 1; halo 0 without with_x), tgrad (W), [grad (W) with_x],
 * energy (W scalar); param k_t. */
static void tilt_loops(const sd_tile_args *a, int with_x)
{
    const sd_mpart *m = &a->mesh;
    const double kt = a->param[TILT_T_KT];
    for (int64_t f = 0; f < m->nf; f++)
        if (tilt_face_has_corner_below(m, f, m->nv_own)) tilt_t_face_pass(a, kt, with_x, f);
    sd_acc_batch energy = {.acc = &a->acc[0]}; /* exact, as term by term, at a plain sum's cost */
    for (int64_t v = 0; v < m->nv_own; v++) sd_acc_batch_put(&energy, tilt_t_vertex_pass(a, kt, with_x, v));
    sd_acc_batch_flush(&energy);
}

/* Roles: x (R, halo 2), t (R, halo 2), tgrad (W), [grad (W) with_x], energy (W scalar); params
 * kappa, c0. Every local face's geometry and divergence; per owned and ring-1 vertex its sums and
 * adjoints (the energies of ring-1 vertices depend on owned positions and tilts; only owned ones are
 * summed); per face with an owned corner its derivative parts; per owned vertex their corner-ordered
 * sums. */
static void bending_tilt_loops(const sd_tile_args *a, int with_x)
{
    const sd_mpart *m = &a->mesh;
    const double kappa = a->param[TILT_BT_KAPPA], c0 = a->param[TILT_BT_C0];
    for (int64_t f = 0; f < m->nf; f++) tilt_bt_face1_pass(a, f);
    sd_acc_batch energy = {.acc = &a->acc[0]};
    for (int64_t v = 0; v < m->nv_ring1; v++) {
        const double E = tilt_bt_vertex_pass(a, kappa, c0, v);
        if (v < m->nv_own) sd_acc_batch_put(&energy, E);
    }
    sd_acc_batch_flush(&energy);
    for (int64_t f = 0; f < m->nf; f++)
        if (tilt_face_has_corner_below(m, f, m->nv_own)) tilt_bt_face2_pass(a, with_x, f);
    for (int64_t v = 0; v < m->nv_own; v++) tilt_bt_gather_pass(a, with_x, v);
}

void sd_membrane_tilt_cpu(const sd_tile_args *a) { tilt_loops(a, 1); }
void sd_membrane_tilt_t_cpu(const sd_tile_args *a) { tilt_loops(a, 0); }
void sd_membrane_bending_tilt_cpu(const sd_tile_args *a) { bending_tilt_loops(a, 1); }
void sd_membrane_bending_tilt_t_cpu(const sd_tile_args *a) { bending_tilt_loops(a, 0); }

/* Roles: t (RW), tgrad (R), normal (R); param eta. Owned vertices. */
void sd_membrane_tilt_relax_cpu(const sd_tile_args *a)
{
    const double eta = a->param[TILT_RELAX_ETA];
    for (int64_t v = 0; v < a->mesh.nv_own; v++) tilt_relax_pass(a, eta, v);
}
