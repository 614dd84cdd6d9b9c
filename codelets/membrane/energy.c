/* energy.c - CPU kernels of the membrane energy ops: loops over the stages of energy_math.h (see
 * there for the four stages and the scratch layout), scalars folded exactly into a->acc. Buffer
 * slots, scalars and parameters as declared in glue_energy.c. */
#include "energy_kernels.h"
#include "energy_math.h"
#include "face_blocks.h"

#define F64(a, b) ((double *)(a)->p[b])
#define SCALAR(a, b) (*(const double *)(a)->p[b])

static const sd_mpart *part(const sd_tile_args *a) { return &a->mesh; }
static double *face_scratch(const sd_tile_args *a, int scratch_v) { return a->mesh.scratch + scratch_v * a->mesh.nv; }

/* Terms of the owned faces: area, volume, and the energy's gamma A_f - p V_f. */
typedef struct face_sums {
    sd_acc *area, *volume, *energy;
    double gamma, p;
} face_sums;

/* Terms go through batches (sd_acc_batch: the same exact sums as term by term, at a plain sum's
 * cost); a batch without an accumulator takes none. */
static void put(sd_acc_batch *b, double x)
{
    if (b->acc) sd_acc_batch_put(b, x);
}
static void flush(sd_acc_batch *b)
{
    if (b->acc) sd_acc_batch_flush(b);
}

static void owned_faces(const sd_mpart *m, const double *x, int64_t sx, const face_sums *s)
{
    sd_acc_batch area = {.acc = s->area}, volume = {.acc = s->volume}, energy = {.acc = s->energy};
    for (int64_t f = 0; f < m->nf_own; f++) {
        double A, V;
        mb_face_measure(m, x, sx, f, &A, &V);
        put(&area, A);
        put(&volume, V);
        put(&energy, s->gamma * A);
        put(&energy, -s->p * V);
    }
    flush(&area), flush(&volume), flush(&energy);
}

/* Stages 1 and 2 of the Helfrich (+ Gaussian) energy: every vertex [0, vlim) gets its adjoints
 * when vs is given; owned vertices' terms go into energy (and gauss). */
typedef struct helfrich_pass {
    const double *x;
    int64_t sx;
    double *fs, *vs;
    int64_t face_lim, vlim; /* faces with a corner below face_lim; vertices below vlim */
    sd_acc *energy, *gauss;
} helfrich_pass;

static void helfrich(const sd_mpart *m, const mb_params *p, const helfrich_pass *h)
{
    const int angles = p->kappa_G != 0.0;
    mb_faces_stage1(m, h->x, h->sx, h->fs, h->face_lim, angles);
    sd_acc_batch energy = {.acc = h->energy}, gauss = {.acc = h->gauss};
    for (int64_t v = 0; v < h->vlim; v++) {
        const double e = mb_stage_vertex(m, h->fs, h->vs, v, p);
        if (v >= m->nv_own) continue;
        put(&energy, e);
        if (angles) {
            const double g = mb_vertex_gauss(m, h->fs, v, p->kappa_G);
            put(&energy, g);
            put(&gauss, g);
        }
    }
    flush(&energy), flush(&gauss);
}

/* Stages 3 and 4 at positions x (stride sx): grad (and vgrad) of the owned vertices. */
static void gradient(const sd_mpart *m, const double *x, int64_t sx, double *fs, const double *vs,
                     const mb_grad_terms *t, double *grad, int64_t sg, double *vgrad, int64_t svg)
{
    mb_faces_stage3(m, x, sx, vs, fs, m->nv_own, t);
    for (int64_t v = 0; v < m->nv_own; v++) {
        if (grad) mb_store(grad, sg, v, mb_gather_corner_vec(m, fs, MB_FS_G, v));
        if (vgrad) mb_store(vgrad, svg, v, mb_gather_corner_vec(m, fs, MB_FS_VG, v));
    }
}

/* roles: x (0), area (1), H (2), normal (3) */
void sd_membrane_curvature_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    double *fs = face_scratch(a, 0);
    mb_faces_stage1(m, F64(a, 0), a->sc[0], fs, m->nv_own, 0);
    for (int64_t v = 0; v < m->nv_own; v++) {
        const mb_vertex s = mb_gather_vertex(m, fs, v);
        F64(a, 1)[v] = s.A;
        F64(a, 2)[v] = membrane_mean_curvature(s.K, s.A, s.N);
        mb_store(F64(a, 3), a->sc[3], v, mb_scale(1.0 / sqrt(mb_dot(s.N, s.N)), s.N));
    }
}

/* roles: x (0); scalars area, volume */
void sd_membrane_measure_cpu(const sd_tile_args *a)
{
    const face_sums s = {.area = &a->acc[0], .volume = &a->acc[1]};
    owned_faces(part(a), F64(a, 0), a->sc[0], &s);
}

/* roles: x (0), area (1), normal (2): face fields (component stride sc = nf); scalar total. Owned
 * faces only (each face is written by its owner's task). */
void sd_membrane_face_geometry_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    double *area = F64(a, 1), *normal = F64(a, 2);
    for (int64_t f = 0; f < m->nf_own; f++)
        mb_store(normal, a->sc[2], f, mb_face_geometry(m, F64(a, 0), a->sc[0], f, &area[f]));
    sd_acc_add_n(&a->acc[0], area, m->nf_own);
}

/* roles: x (0), grad (1); scalars energy, gauss; params kappa, c0, kappa_G */
void sd_membrane_bending_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    const mb_params p = mb_params_from(a->param, 3);
    const helfrich_pass h = {.x = F64(a, 0), .sx = a->sc[0], .fs = face_scratch(a, MB_VS_SLOTS), .vs = m->scratch,
                             .face_lim = m->nv_ring1, .vlim = m->nv_ring1, .energy = &a->acc[0], .gauss = &a->acc[1]};
    helfrich(m, &p, &h);
    const mb_grad_terms t = {.bending = 1};
    gradient(m, h.x, h.sx, h.fs, h.vs, &t, F64(a, 1), a->sc[1], NULL, 0);
}

/* membrane.energy's gradients at positions x (stride sx, the local vertices of m): g = dE/dx and
 * vg = dV/dx of the owned vertices (strides sg, svg), the same stages with the same parameters
 * (kappa, c0, kappa_G, gamma, p), so the same bits as membrane.energy at x. scratch: MB_VS_SLOTS
 * doubles per local vertex, then MB_FS_SLOTS per local face. The whole evaluation that
 * newton_hessian.c's local re-evaluations must equal bit for bit (tests/t_membrane_newton). */
void sd_membrane_gradient_at(const sd_mpart *m, const double *param, const double *x, int64_t sx, double *g,
                             int64_t sg, double *vg, int64_t svg, double *scratch)
{
    const mb_params p = mb_params_from(param, 5);
    sd_acc energy;
    sd_acc_init(&energy);
    const helfrich_pass h = {.x = x, .sx = sx, .fs = scratch + MB_VS_SLOTS * m->nv, .vs = scratch,
                             .face_lim = m->nv_ring1, .vlim = m->nv_ring1, .energy = &energy};
    helfrich(m, &p, &h);
    const mb_grad_terms t = {.bending = 1, .area = p.gamma, .vol = -p.p, .vgrad = 1};
    gradient(m, x, sx, h.fs, h.vs, &t, g, sg, vg, svg);
}

/* roles: x (0), grad (1); scalar energy; param gamma */
void sd_membrane_tension_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    const double gamma = a->param[0];
    const mb_grad_terms t = {.area = gamma};
    gradient(m, F64(a, 0), a->sc[0], face_scratch(a, 0), NULL, &t, F64(a, 1), a->sc[1], NULL, 0);
    const face_sums s = {.energy = &a->acc[0], .gamma = gamma};
    owned_faces(m, F64(a, 0), a->sc[0], &s);
}

/* roles: x (0), vgrad (1); scalars volume, vv */
void sd_membrane_volume_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    const mb_grad_terms t = {.vgrad = 1};
    double *vg = F64(a, 1);
    gradient(m, F64(a, 0), a->sc[0], face_scratch(a, 0), NULL, &t, NULL, 0, vg, a->sc[1]);
    const face_sums s = {.volume = &a->acc[0]};
    owned_faces(m, F64(a, 0), a->sc[0], &s);
    sd_acc_batch vv = {.acc = &a->acc[1]};
    for (int64_t v = 0; v < m->nv_own; v++) {
        const mb_vec w = mb_load(vg, a->sc[1], v);
        put(&vv, mb_dot(w, w));
    }
    flush(&vv);
}

/* roles: x (0), grad (1), vgrad (2); scalars energy, area, volume, vv, gv;
 * params kappa, c0, kappa_G, gamma, p */
void sd_membrane_energy_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    const mb_params p = mb_params_from(a->param, 5);
    const helfrich_pass h = {.x = F64(a, 0), .sx = a->sc[0], .fs = face_scratch(a, MB_VS_SLOTS), .vs = m->scratch,
                             .face_lim = m->nv_ring1, .vlim = m->nv_ring1, .energy = &a->acc[0]};
    helfrich(m, &p, &h);
    const mb_grad_terms t = {.bending = 1, .area = p.gamma, .vol = -p.p, .vgrad = 1};
    double *g = F64(a, 1), *vg = F64(a, 2);
    gradient(m, h.x, h.sx, h.fs, h.vs, &t, g, a->sc[1], vg, a->sc[2]);
    const face_sums s = {.area = &a->acc[1], .volume = &a->acc[2], .energy = &a->acc[0], .gamma = p.gamma, .p = p.p};
    owned_faces(m, F64(a, 0), a->sc[0], &s);
    sd_acc_batch vv = {.acc = &a->acc[3]}, gv = {.acc = &a->acc[4]};
    for (int64_t v = 0; v < m->nv_own; v++) {
        const mb_vec gk = mb_load(g, a->sc[1], v), w = mb_load(vg, a->sc[2], v);
        put(&vv, mb_dot(w, w));
        put(&gv, mb_dot(gk, w));
    }
    flush(&vv), flush(&gv);
}

/* roles: x (0), d (1), alpha (2); scalars V0..V3: V_k = V(x + alpha 2^-k d), exact sums over the
 * owned faces (the points membrane.trial_lambda restores). */
void sd_membrane_trial_volume_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    const mb_line l = {.x = F64(a, 0), .d = F64(a, 1), .sx = a->sc[0], .sd = a->sc[1]};
    const double alpha = SCALAR(a, 2);
    for (int k = 0; k < 4; k++) {
        const double step = membrane_trial_step(alpha, k);
        sd_acc_batch vol = {.acc = &a->acc[k]};
        for (int64_t f = 0; f < m->nf_own; f++) put(&vol, mb_face_line_volume(m, &l, step, f));
        flush(&vol);
    }
}

/* roles: x (0), d (1), n (2: dV/dx at x), alpha (3), lam0..lam3 (4..7); scalars L0..L3; params as
 * membrane.energy. L_k = E(y_k) at the restored trial points y_k = x + alpha 2^-k d + lam_k n, the
 * same terms as membrane.energy's energy at y_k (so bitwise equal to it). */
void sd_membrane_trial_energy_cpu(const sd_tile_args *a)
{
    const sd_mpart *m = part(a);
    const mb_params p = mb_params_from(a->param, 5);
    const mb_line l = {.x = F64(a, 0), .d = F64(a, 1), .n = F64(a, 2), .sx = a->sc[0], .sd = a->sc[1], .sn = a->sc[2]};
    const double alpha = SCALAR(a, 3);
    double *y = m->scratch; /* MB_VS_Y, stride nv */
    for (int k = 0; k < 4; k++) {
        const double step = membrane_trial_step(alpha, k), lam = SCALAR(a, 4 + k);
        for (int64_t v = 0; v < m->nv_ring1; v++) mb_stage_trial_position(m, &l, step, lam, y, v);
        const helfrich_pass h = {.x = y, .sx = m->nv, .fs = face_scratch(a, 3), .face_lim = m->nv_own,
                                 .vlim = m->nv_own, .energy = &a->acc[k]};
        helfrich(m, &p, &h);
        const face_sums s = {.energy = &a->acc[k], .gamma = p.gamma, .p = p.p};
        owned_faces(m, y, m->nv, &s);
    }
}
