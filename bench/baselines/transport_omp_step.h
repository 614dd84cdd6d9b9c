/* transport_omp_step.h - the fused transport step of bench/baselines/transport_omp.c for one
 * precision, included twice by it with REAL = double / float and SFX = f64 / f32.
 *
 * One pass per step: every thread owns a contiguous range [m0, m1) of destination energy bins and
 * walks the source bins s from the highest one its range needs down to m0. For each s it scatters
 * the whole (theta, cells) block psi[., ., ., s] into a ring of S blocks (angular scatter, the
 * weight leaving the theta range tallied), books s's energy loss (dose, stopped weight) when s is
 * its own, and then finishes destination bin m = s: Q = sum of the energy-loss fractions of its
 * source blocks (all >= m: energy only decreases, so they are in the ring), streamed bilinearly
 * into psi_next[., ., ., m] with the weight leaving the grid tallied. psi is read once and
 * psi_next written once from memory; the S ring (a few (theta, cells) blocks) stays in L2/L3.
 * Tallies go to per-thread arrays, summed in thread order at the end. */

#define TP_CAT2(a, b) a##_##b
#define TP_CAT(a, b) TP_CAT2(a, b)
#define TP_FN(name) TP_CAT(name, SFX)

/* S[k] = sum_{d ascending} w_d psi[k - d] for one energy bin s, all cells of each theta plane. */
static void TP_FN(scatter_block)(const tp_config *c, const tp_tables *t, const REAL *restrict psi_s,
                                 REAL *restrict S, int64_t s)
{
    const int64_t nc = c->nx * c->nz, nth = c->nth;
    const int K = t->K[s];
    const double *w = t->w + t->w_off[s];
    for (int64_t k = 0; k < nth; k++) {
        REAL *restrict out = S + k * nc;
        for (int64_t i = 0; i < nc; i++) out[i] = 0;
        for (int d = -K; d <= K; d++) {
            const int64_t src = k - d;
            if (src < 0 || src >= nth) continue;
            const REAL wd = (REAL)w[d + K];
            const REAL *restrict in = psi_s + src * nc;
            for (int64_t i = 0; i < nc; i++) out[i] += wd * in[i];
        }
    }
}

/* Own source bin s: the weight scattered past the theta range (from psi), and the energy loss of
 * the scattered block S (stopped weight, or the energy given to the cell). acc: 13 x nc. */
static void TP_FN(book_source)(const tp_config *c, const tp_tables *t, const REAL *restrict psi_s,
                               const REAL *restrict S, int64_t s, double *restrict acc)
{
    const int64_t nc = c->nx * c->nz, nth = c->nth;
    const double Es = t->ec[s];
    double *restrict dose = acc, *restrict tl = acc + nc;
    const double *lf = t->lostfrac + s * nth;
    for (int64_t k = 0; k < nth; k++) {
        if (lf[k] == 0.0) continue;
        const REAL *restrict in = psi_s + k * nc;
        for (int64_t i = 0; i < nc; i++) {
            const double lw = (double)in[i] * lf[k];
            tl[1 * nc + i] += lw;
            tl[7 * nc + i] += lw * Es;
        }
    }
    for (int64_t k = 0; k < nth; k++) {
        const REAL *restrict in = S + k * nc;
        if (t->stop[s]) {
            for (int64_t i = 0; i < nc; i++) {
                const double v = in[i];
                tl[0 * nc + i] += v;
                tl[6 * nc + i] += v * Es;
                dose[i] += v * Es;
            }
        } else {
            const double ed = t->edep[s];
            for (int64_t i = 0; i < nc; i++) dose[i] += (double)in[i] * ed;
        }
    }
}

/* Destination bin m: q (padded plane, zero ghosts) = energy-loss gather of the ring blocks, then
 * the bilinear streaming gather into psi_next and the grid-leaving weight tallied per side. */
static void TP_FN(finish_dest)(const tp_config *c, const tp_tables *t, const REAL *ring, int64_t R, int64_t m,
                               REAL *restrict qp, REAL *restrict out_m, double *restrict acc)
{
    const int64_t nx = c->nx, nz = c->nz, nc = nx * nz, nth = c->nth, px = nx + 2;
    const double Em = t->ec[m];
    double *restrict tl = acc + nc;
    const int first = t->src_first[m], count = t->src_count[m];
    for (int64_t k = 0; k < nth; k++) {
        for (int64_t j = 0; j < nz; j++) {
            REAL *restrict q = qp + (j + 1) * px + 1;
            for (int64_t i = 0; i < nx; i++) q[i] = 0;
            for (int e = first; e < first + count; e++) {
                const REAL f = (REAL)t->src_f[e];
                const REAL *restrict S = ring + (t->src_m[e] % R) * nth * nc + k * nc + j * nx;
                for (int64_t i = 0; i < nx; i++) q[i] += f * S[i];
            }
        }
        const tp_stream *st = &t->st[k];
        const REAL c00 = (REAL)st->c00, c10 = (REAL)st->c10, c01 = (REAL)st->c01, c11 = (REAL)st->c11;
        const int64_t sx = st->sx, sz = st->sz;
        REAL *restrict out = out_m + k * nc;
        for (int64_t j = 0; j < nz; j++) {
            const REAL *restrict r0 = qp + (j + 1) * px + 1, *restrict r1 = qp + (j + 1 - sz) * px + 1;
            REAL *restrict o = out + j * nx;
            for (int64_t i = 0; i < nx; i++)
                o[i] = c00 * r0[i] + c10 * r0[i - sx] + c01 * r1[i] + c11 * r1[i - sx];
        }
        /* Weight leaving the grid, booked in the source cell: x sides first, then z. */
        for (int64_t j = 0; j < nz; j++) {
            const int zout = sz != 0 && (j + sz < 0 || j + sz >= nz);
            const REAL *restrict r0 = qp + (j + 1) * px + 1;
            for (int64_t i = 0; i < nx; i++) {
                const int xout = sx != 0 && (i + sx < 0 || i + sx >= nx);
                if (!xout && !zout) {
                    if (i > 0 && i < nx - 1) i = nx - 2; /* interior of a row inside in z */
                    continue;
                }
                const double v = r0[i];
                if (v == 0) continue;
                if (xout) {
                    const double lw = v * c10 + v * c11;
                    const int side = sx < 0 ? 2 : 3;
                    tl[side * nc + j * nx + i] += lw;
                    tl[(side + 6) * nc + j * nx + i] += lw * Em;
                }
                if (zout) {
                    const double lw = xout ? v * c01 : v * c01 + v * c11;
                    const int side = sz < 0 ? 4 : 5;
                    tl[side * nc + j * nx + i] += lw;
                    tl[(side + 6) * nc + j * nx + i] += lw * Em;
                }
            }
        }
    }
}

/* One step psi -> psi_next; dose (nc) and tally (12 x nc, component-major) accumulate. */
static void TP_FN(step)(const tp_config *c, const tp_tables *t, tp_scratch *sc, const REAL *psi, REAL *psi_next,
                        double *dose, double *tally)
{
    const int64_t nc = c->nx * c->nz, nth = c->nth, ne = c->ne, R = t->ring;
#pragma omp parallel num_threads(sc->nthreads)
    {
        const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t m0 = ne * tid / nt, m1 = ne * (tid + 1) / nt;
        REAL *ring = (REAL *)sc->ring[tid];
        REAL *qp = (REAL *)sc->qpad[tid];
        double *acc = sc->acc[tid];
        memset(acc, 0, 13 * nc * sizeof *acc);
        if (m1 > m0) {
            int64_t top = m1 - 1;
            if (t->win_top[m1 - 1] > top) top = t->win_top[m1 - 1];
            for (int64_t s = top; s >= m0; s--) {
                const REAL *psi_s = psi + s * nth * nc;
                REAL *S = ring + (s % R) * nth * nc;
                TP_FN(scatter_block)(c, t, psi_s, S, s);
                if (s < m1) {
                    TP_FN(book_source)(c, t, psi_s, S, s, acc);
                    TP_FN(finish_dest)(c, t, ring, R, s, qp, psi_next + s * nth * nc, acc);
                }
            }
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t i = 0; i < nc; i++)
            for (int th = 0; th < nt; th++) {
                const double *a = sc->acc[th];
                dose[i] += a[i];
                for (int q = 0; q < 12; q++) tally[q * nc + i] += a[(1 + q) * nc + i];
            }
    }
}

/* Totals for the conservation check: weight, kinetic energy (sum psi E_m). */
static void TP_FN(totals)(const tp_config *c, const tp_tables *t, const REAL *psi, long double *w, long double *e)
{
    const int64_t nb = c->nx * c->nz * c->nth;
    long double sw = 0, se = 0;
    for (int64_t m = 0; m < c->ne; m++) {
        long double bw = 0;
        for (int64_t i = 0; i < nb; i++) bw += psi[m * nb + i];
        sw += bw;
        se += bw * t->ec[m];
    }
    *w = sw;
    *e = se;
}

#undef TP_FN
#undef TP_CAT
#undef TP_CAT2
