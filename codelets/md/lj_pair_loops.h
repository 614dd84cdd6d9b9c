/* lj_pair_loops.h - the Lennard-Jones pair loops over full neighbour lists, written once for both
 * precisions: lj_force.c includes it for f64 (the default path), lj_force_mixed.c for f32 pair
 * arithmetic. The includer defines
 *   LJ_REAL     the per-pair type (double or float) of positions, coefficients and force lanes
 *   LJ_LANES    the lanes (partial sums) per home particle: list entry k goes to lane k % LJ_LANES
 *   LJ_BITS     the signed integer type of LJ_REAL's width (the cutoff mask, below), LJ_BITS_MAX its largest value
 *   LJ_FR, LJ_EV    md_lj_fr / md_lj_energy_virial of that precision (md_math.h)
 *   LJ_TABLE    the pair table of that precision (members ntypes, c12, c6, eshift, f12, f6, rc2)
 *   LJ_FN(x)    the name of this precision's copy of function x
 * and gets LJ_FN(force_rows) and LJ_FN(ev_rows).
 *
 * Sum order (md_kernels.h): each lane sums its entries in list order from +0 (in LJ_REAL); a pair
 * beyond its cutoff adds nothing (its masked term is +-0, which leaves a lane's bits unchanged since
 * lanes start at +0); the lanes are converted to double and combined as a pairwise tree of
 * neighbours, ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)) for 8 lanes, and so on for 16.
 *
 * The lane loop is the SIMD loop: gather the LJ_LANES neighbours' coordinates (and types), compute
 * r2 and the force factor, mask by the cutoff without a branch, add per lane. A single-type table
 * hoists the pair coefficients out of the loop. The includer compiles it once per SIMD variant
 * (stardag/simd.h): the arithmetic is the same IEEE operations in the same order, so every variant
 * gives the same bits. */
#define LJ_MT MD_MAX_TYPES

_Static_assert(LJ_LANES == 8 || LJ_LANES == 16, "the lane tree below is written for 8 or 16 lanes");

/* A pairwise tree of neighbours over the lanes, in double (the order above), as one expression:
 * an in-place loop over the lane array costs store-forwarding stalls in the hot loop's epilogue. */
#define LJ_TREE8(a) ((((double)(a)[0] + (double)(a)[1]) + ((double)(a)[2] + (double)(a)[3])) + \
                     (((double)(a)[4] + (double)(a)[5]) + ((double)(a)[6] + (double)(a)[7])))
static inline __attribute__((always_inline)) double LJ_FN(lane_sum)(const double a[LJ_LANES])
{
    return LJ_LANES == 8 ? LJ_TREE8(a) : LJ_TREE8(a) + LJ_TREE8(a + LJ_LANES / 2);
}

/* A force component: the tree, any NaN made the canonical one (md_canonical_nan). */
static inline __attribute__((always_inline)) double LJ_FN(lane_sum_real)(const LJ_REAL a[LJ_LANES])
{
    return md_canonical_nan(LJ_LANES == 8 ? LJ_TREE8(a) : LJ_TREE8(a) + LJ_TREE8(a + LJ_LANES / 2));
}

/* x if r2 < rc2, else +0, without a floating-point comparison: under gcc's default
 * -ftrapping-math a compare may trap, so a select on it keeps the division under a branch and
 * stops the vectoriser (except with AVX-512 masks). For r2 >= +0 and any rc2, the order of the bit
 * patterns as integers is the order of the values; a negative rc2 (the tail's padding lanes) masks
 * everything. r2's sign bit is cleared first: r2 is never negative, but a NaN r2 (a non-finite
 * position) carries a sign that depends on the operand order the compiler chose for a variant;
 * cleared, every NaN compares above every finite rc2 and is masked on every variant, as CUDA's
 * r2 < rc2 masks it. */
static inline __attribute__((always_inline)) LJ_REAL LJ_FN(keep_if_below)(LJ_REAL x, LJ_REAL r2, LJ_REAL rc2)
{
    LJ_BITS ux, ur, uc;
    memcpy(&ux, &x, sizeof x), memcpy(&ur, &r2, sizeof r2), memcpy(&uc, &rc2, sizeof rc2);
    ur &= LJ_BITS_MAX; /* clears the sign bit */
    ux &= -(LJ_BITS)(ur < uc);
    memcpy(&x, &ux, sizeof x);
    return x;
}

/* The tail of a list (m < LJ_LANES entries) as a full chunk: indices past the end repeat entry 0. */
static inline __attribute__((always_inline)) void LJ_FN(tail_index)(int m, const int32_t *restrict nk,
                                                                    int32_t *restrict t)
{
    for (int l = 0; l < LJ_LANES; l++) t[l] = nk[l < m ? l : 0];
}

/* The particles a loop reads: coordinates (home then ghost, one array per axis) and types. */
typedef struct LJ_FN(pts) {
    const LJ_REAL *restrict x, *restrict y, *restrict z;
    const int32_t *restrict type;
} LJ_FN(pts);

/* One chunk of LJ_LANES list entries nk[]; lane l is masked out when l >= m (the tail's padding,
 * whose index is a copy of a valid one). The lane loop gathers the neighbours' coordinates (and
 * pair coefficients) through the indices: hardware gathers with AVX2/AVX-512. */
static inline __attribute__((always_inline)) void LJ_FN(force_chunk)(
    int single, int m, const int32_t *restrict nk, LJ_REAL xi, LJ_REAL yi, LJ_REAL zi,
    const LJ_REAL *restrict px, const LJ_REAL *restrict py, const LJ_REAL *restrict pz,
    const int32_t *restrict type, const LJ_REAL *restrict f12r, const LJ_REAL *restrict f6r,
    const LJ_REAL *restrict rc2r, LJ_REAL *restrict ax, LJ_REAL *restrict ay, LJ_REAL *restrict az)
{
    for (int l = 0; l < LJ_LANES; l++) {
        const int32_t j = nk[l];
        const int tj = single ? 0 : type[j];
        const LJ_REAL f12 = f12r[tj], f6 = f6r[tj], rct = rc2r[tj], rc2 = l < m ? rct : (LJ_REAL)-1;
        const LJ_REAL dx = xi - px[j], dy = yi - py[j], dz = zi - pz[j];
        const LJ_REAL r2 = (dx * dx + dy * dy) + dz * dz;
        const LJ_REAL mf = LJ_FN(keep_if_below)(LJ_FR(r2, f12, f6), r2, rc2);
        ax[l] += dx * mf;
        ay[l] += dy * mf;
        az[l] += dz * mf;
    }
}

/* Forces of home particles [0, nh) into f[i + c*fsc]; single != 0: one type (type[] is not read). */
static inline __attribute__((always_inline)) void LJ_FN(force_rows)(int single, int64_t nh, LJ_FN(pts) p,
                                                                    const LJ_TABLE *restrict tab,
                                                                    const int64_t *restrict start,
                                                                    const int32_t *restrict nbr,
                                                                    double *restrict f, int64_t fsc)
{
    const LJ_REAL *restrict px = p.x, *restrict py = p.y, *restrict pz = p.z;
    const int32_t *restrict type = p.type;
    for (int64_t i = 0; i < nh; i++) {
        const int ti = single ? 0 : type[i];
        const LJ_REAL *f12r = tab->f12 + ti * LJ_MT, *f6r = tab->f6 + ti * LJ_MT, *rc2r = tab->rc2 + ti * LJ_MT;
        LJ_REAL ax[LJ_LANES] = {0}, ay[LJ_LANES] = {0}, az[LJ_LANES] = {0};
        const int64_t k1 = start[i + 1];
        int64_t k = start[i];
        for (; k + LJ_LANES <= k1; k += LJ_LANES)
            LJ_FN(force_chunk)(single, LJ_LANES, nbr + k, px[i], py[i], pz[i], px, py, pz, type, f12r, f6r, rc2r, ax,
                               ay, az);
        if (k < k1) {
            int32_t t[LJ_LANES];
            LJ_FN(tail_index)((int)(k1 - k), nbr + k, t);
            LJ_FN(force_chunk)(single, (int)(k1 - k), t, px[i], py[i], pz[i], px, py, pz, type, f12r, f6r, rc2r, ax, ay,
                               az);
        }
        f[i] = LJ_FN(lane_sum_real)(ax);
        f[i + fsc] = LJ_FN(lane_sum_real)(ay);
        f[i + 2 * fsc] = LJ_FN(lane_sum_real)(az);
    }
}

/* Energy and virial: same lanes and masking; e and w from LJ_EV, each lane summed in double. The
 * table rows of type ti are passed as pointers (gathers through struct members do not
 * vectorise); single != 0: one type, coefficients hoisted. */
static inline __attribute__((always_inline)) void LJ_FN(ev_chunk)(int single, int m, const int32_t *restrict nk,
                                                                  LJ_REAL xi, LJ_REAL yi, LJ_REAL zi, LJ_FN(pts) p,
                                                                  const LJ_REAL *restrict row[6],
                                                                  double *restrict ae, double *restrict aw)
{
    const LJ_REAL *restrict c12r = row[0], *restrict c6r = row[1], *restrict eshr = row[2], *restrict f12r = row[3],
                            *restrict f6r = row[4], *restrict rc2r = row[5];
    for (int l = 0; l < LJ_LANES; l++) {
        const int32_t j = nk[l];
        const int tj = single ? 0 : p.type[j];
        const LJ_REAL rct = rc2r[tj], rc2 = l < m ? rct : (LJ_REAL)-1;
        const LJ_REAL dx = xi - p.x[j], dy = yi - p.y[j], dz = zi - p.z[j];
        const LJ_REAL r2 = (dx * dx + dy * dy) + dz * dz;
        LJ_REAL e, w;
        LJ_EV(r2, c12r[tj], c6r[tj], eshr[tj], f12r[tj], f6r[tj], &e, &w);
        ae[l] += (double)LJ_FN(keep_if_below)(e, r2, rc2);
        aw[l] += (double)LJ_FN(keep_if_below)(w, r2, rc2);
    }
}

static inline __attribute__((always_inline)) void LJ_FN(ev_rows)(int single, int64_t nh, LJ_FN(pts) p,
                                                                 const LJ_TABLE *restrict tab,
                                                                 const int64_t *restrict start,
                                                                 const int32_t *restrict nbr, sd_acc *epot,
                                                                 sd_acc *vir)
{
    for (int64_t i = 0; i < nh; i++) {
        const int o = single ? 0 : p.type[i] * LJ_MT;
        const LJ_REAL *row[6] = {tab->c12 + o, tab->c6 + o, tab->eshift + o, tab->f12 + o, tab->f6 + o, tab->rc2 + o};
        double ae[LJ_LANES] = {0}, aw[LJ_LANES] = {0};
        const int64_t k1 = start[i + 1];
        int64_t k = start[i];
        for (; k + LJ_LANES <= k1; k += LJ_LANES)
            LJ_FN(ev_chunk)(single, LJ_LANES, nbr + k, p.x[i], p.y[i], p.z[i], p, row, ae, aw);
        if (k < k1) {
            int32_t t[LJ_LANES];
            LJ_FN(tail_index)((int)(k1 - k), nbr + k, t);
            LJ_FN(ev_chunk)(single, (int)(k1 - k), t, p.x[i], p.y[i], p.z[i], p, row, ae, aw);
        }
        sd_acc_add(epot, 0.5 * LJ_FN(lane_sum)(ae));
        sd_acc_add(vir, 0.5 * LJ_FN(lane_sum)(aw));
    }
}

#undef LJ_MT
