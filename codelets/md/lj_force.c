/* lj_force.c - Lennard-Jones forces on a block's home particles from full neighbour lists
 * (neighbor.c), and the energy/virial reduction of thermo steps. Math: md_lj_fr, md_lj_energy
 * (md_math.h). Sum order (md_kernels.h): list entry k goes to lane k % MD_LANES, lanes combine
 * as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)); a pair beyond its cutoff adds nothing (its masked
 * term is +-0, which leaves a lane's bits unchanged since lanes start at +0).
 *
 * The lane loop is the SIMD loop: gather the MD_LANES neighbours' coordinates (and types), compute
 * r2 and the force factor, mask by the cutoff without a branch, add per lane. A single-type table
 * hoists the pair coefficients out of the loop. The same code is compiled once per SIMD variant
 * and picked at run time (stardag/simd.h): the arithmetic is identical IEEE double operations in
 * the same order, so every variant gives the same bits. */
#include "stardag/simd.h"
#include "md_kernels.h"

#define MT MD_MAX_TYPES

_Static_assert(MD_LANES == 8, "the lane combination below is written for 8 lanes");

static inline __attribute__((always_inline)) double lane_sum(const double a[MD_LANES])
{
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* x if r2 < rc2, else +0, without a floating-point comparison: under gcc's default
 * -ftrapping-math a compare may trap, so a select on it keeps the division under a branch and
 * stops the vectoriser (except with AVX-512 masks). For r2 >= +0 (or NaN with the sign bit clear)
 * and any rc2, the order of the bit patterns as int64 is the order of the values; a negative rc2
 * (the tail's padding lanes) masks everything. */
static inline __attribute__((always_inline)) double keep_if_below(double x, double r2, double rc2)
{
    int64_t ux, ur, uc;
    memcpy(&ux, &x, 8), memcpy(&ur, &r2, 8), memcpy(&uc, &rc2, 8);
    ux &= -(int64_t)(ur < uc);
    memcpy(&x, &ux, 8);
    return x;
}

/* One chunk of MD_LANES list entries nk[0..7]; lane l is masked out when l >= m (the tail's
 * padding, whose index is a copy of a valid one). The lane loop gathers the neighbours'
 * coordinates (and pair coefficients) through the indices: hardware gathers with AVX2/AVX-512. */
static inline __attribute__((always_inline)) void force_chunk(
    int single, int m, const int32_t *restrict nk, double xi, double yi, double zi,
    const double *restrict px, const double *restrict py, const double *restrict pz,
    const int32_t *restrict type, const double *restrict f12r, const double *restrict f6r,
    const double *restrict rc2r, double *restrict ax, double *restrict ay, double *restrict az)
{
    for (int l = 0; l < MD_LANES; l++) {
        const int32_t j = nk[l];
        const int tj = single ? 0 : type[j];
        const double f12 = f12r[tj], f6 = f6r[tj], rct = rc2r[tj], rc2 = l < m ? rct : -1.0;
        const double dx = xi - px[j], dy = yi - py[j], dz = zi - pz[j];
        const double r2 = (dx * dx + dy * dy) + dz * dz;
        const double mf = keep_if_below(md_lj_fr(r2, f12, f6), r2, rc2);
        ax[l] += dx * mf;
        ay[l] += dy * mf;
        az[l] += dz * mf;
    }
}

/* The tail of a list (m < MD_LANES entries) as a full chunk: indices past the end repeat entry 0. */
static inline __attribute__((always_inline)) void tail_index(int m, const int32_t *restrict nk, int32_t *restrict t)
{
    for (int l = 0; l < MD_LANES; l++) t[l] = nk[l < m ? l : 0];
}

/* Forces for home particles [i0, i1); single != 0: one type (type[] is not read). */
static inline __attribute__((always_inline)) void force_rows(int single, int64_t i0, int64_t i1,
                                                             const double *restrict px, const double *restrict py,
                                                             const double *restrict pz, const int32_t *restrict type,
                                                             const md_lj_table *restrict tab, const int64_t *restrict start,
                                                             const int32_t *restrict nbr, double *restrict fx,
                                                             double *restrict fy, double *restrict fz)
{
    for (int64_t i = i0; i < i1; i++) {
        const int ti = single ? 0 : type[i];
        const double *f12r = tab->f12 + ti * MT, *f6r = tab->f6 + ti * MT, *rc2r = tab->rc2 + ti * MT;
        double ax[MD_LANES] = {0}, ay[MD_LANES] = {0}, az[MD_LANES] = {0};
        const int64_t k1 = start[i + 1];
        int64_t k = start[i];
        for (; k + MD_LANES <= k1; k += MD_LANES)
            force_chunk(single, MD_LANES, nbr + k, px[i], py[i], pz[i], px, py, pz, type, f12r, f6r, rc2r, ax, ay, az);
        if (k < k1) {
            int32_t t[MD_LANES];
            tail_index((int)(k1 - k), nbr + k, t);
            force_chunk(single, (int)(k1 - k), t, px[i], py[i], pz[i], px, py, pz, type, f12r, f6r, rc2r, ax, ay, az);
        }
        fx[i] = lane_sum(ax);
        fy[i] = lane_sum(ay);
        fz[i] = lane_sum(az);
    }
}

static inline __attribute__((always_inline)) void lj_force_body(const md_lj_force_args *a)
{
    const int64_t nh = a->lists.home_count, sc = a->lists.position_stride, fsc = a->force_stride;
    const double *px = a->lists.position, *py = px + sc, *pz = px + 2 * sc;
    const int32_t *type = a->lists.type, *nbr = a->lists.list;
    const md_lj_table *tab = a->lists.pair_table;
    const int64_t *start = a->lists.list_start;
    double *f = a->force;
    if (tab->ntypes == 1)
        force_rows(1, 0, nh, px, py, pz, type, tab, start, nbr, f, f + fsc, f + 2 * fsc);
    else
        force_rows(0, 0, nh, px, py, pz, type, tab, start, nbr, f, f + fsc, f + 2 * fsc);
}

/* Energy and virial: same lanes and masking; e and w from md_lj_energy_virial. The table rows of
 * type ti are passed as pointers (gathers through struct members do not vectorise); single != 0:
 * one type, coefficients hoisted. */
static inline __attribute__((always_inline)) void ev_chunk(int single, int m, const int32_t *restrict nk, double xi,
                                                           double yi, double zi, const double *restrict px,
                                                           const double *restrict py, const double *restrict pz,
                                                           const int32_t *restrict type, const double *restrict row[6],
                                                           double *restrict ae, double *restrict aw)
{
    const double *restrict c12r = row[0], *restrict c6r = row[1], *restrict eshr = row[2],
                           *restrict f12r = row[3], *restrict f6r = row[4], *restrict rc2r = row[5];
    for (int l = 0; l < MD_LANES; l++) {
        const int32_t j = nk[l];
        const int tj = single ? 0 : type[j];
        const double rct = rc2r[tj], rc2 = l < m ? rct : -1.0;
        const double dx = xi - px[j], dy = yi - py[j], dz = zi - pz[j];
        const double r2 = (dx * dx + dy * dy) + dz * dz;
        double e, w;
        md_lj_energy_virial(r2, c12r[tj], c6r[tj], eshr[tj], f12r[tj], f6r[tj], &e, &w);
        ae[l] += keep_if_below(e, r2, rc2);
        aw[l] += keep_if_below(w, r2, rc2);
    }
}

static inline __attribute__((always_inline)) void ev_rows(int single, int64_t nh, const double *restrict px,
                                                          const double *restrict py, const double *restrict pz,
                                                          const int32_t *restrict type, const md_lj_table *restrict tab,
                                                          const int64_t *restrict start, const int32_t *restrict nbr,
                                                          sd_acc *epot, sd_acc *vir)
{
    for (int64_t i = 0; i < nh; i++) {
        const int o = single ? 0 : type[i] * MT;
        const double *row[6] = {tab->c12 + o, tab->c6 + o, tab->eshift + o, tab->f12 + o, tab->f6 + o, tab->rc2 + o};
        double ae[MD_LANES] = {0}, aw[MD_LANES] = {0};
        const int64_t k1 = start[i + 1];
        int64_t k = start[i];
        for (; k + MD_LANES <= k1; k += MD_LANES)
            ev_chunk(single, MD_LANES, nbr + k, px[i], py[i], pz[i], px, py, pz, type, row, ae, aw);
        if (k < k1) {
            int32_t t[MD_LANES];
            tail_index((int)(k1 - k), nbr + k, t);
            ev_chunk(single, (int)(k1 - k), t, px[i], py[i], pz[i], px, py, pz, type, row, ae, aw);
        }
        sd_acc_add(epot, 0.5 * lane_sum(ae));
        sd_acc_add(vir, 0.5 * lane_sum(aw));
    }
}

static inline __attribute__((always_inline)) void energy_virial_body(const md_lj_energy_virial_args *a)
{
    const int64_t nh = a->lists.home_count, sc = a->lists.position_stride;
    const double *px = a->lists.position, *py = px + sc, *pz = px + 2 * sc;
    const int32_t *type = a->lists.type, *nbr = a->lists.list;
    const md_lj_table *tab = a->lists.pair_table;
    const int64_t *start = a->lists.list_start;
    sd_acc *epot = a->energy, *vir = a->virial;
    if (tab->ntypes == 1) ev_rows(1, nh, px, py, pz, type, tab, start, nbr, epot, vir);
    else ev_rows(0, nh, px, py, pz, type, tab, start, nbr, epot, vir);
}

/* one copy of each per SIMD variant (md_kernels.h) */
SD_ISA_EACH(SD_ISA_WRAP_VOID, lj_force, lj_force_body, (const md_lj_force_args *a), (a))
SD_ISA_EACH(SD_ISA_WRAP_VOID, energy_virial, energy_virial_body, (const md_lj_energy_virial_args *a), (a))

void sd_md_lj_force(const md_lj_force_args *a) { SD_ISA_PICK(lj_force)(a); }

void sd_md_lj_energy_virial(const md_lj_energy_virial_args *a) { SD_ISA_PICK(energy_virial)(a); }
