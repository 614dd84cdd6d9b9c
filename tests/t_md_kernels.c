/* t_md_kernels.c - the md pack's pure kernels (codelets/md), called directly:
 *  - math: md_log vs libm, md_wrap at the edges, Gaussian/uniform statistics, LJ table (LB mixing,
 *    explicit table, shift) vs the formulas,
 *  - cells: (cell, id) sort, gather, ghost plan vs a brute-force image search,
 *  - neighbour lists vs brute force (every pair within rl, sorted by id), including particles on
 *    cell and box edges and pairs straddling cell boundaries at distance just below rl,
 *  - (1) forces vs an O(N^2) minimum-image reference (1e-12 of the largest force): several N, box
 *    shapes, 1-3 types (LB mixing, explicit table), shift on/off, particles on edges; forces vs a
 *    plain loop replicating the documented lane order (bitwise),
 *  - (2) blocking independence: 1, 2x1x1, 2x2x2, 3x2x1 blocks (home/ghost sets built by hand,
 *    shuffled): bitwise forces, identical exact energy/virial,
 *  - (3) fcc: N, density, minimum distance a/sqrt(2), lattice energy at rho 0.8442 rc 2.5 vs an
 *    independent shell sum (and LAMMPS' bench/in.lj value),
 *  - (4) velocity create + adjust: |P| <= 1e-12, T = target to 1e-13, independent of blocking.
 * Trajectories (NVE drift, thermostats): tests/t_md_trajectories.c; shared helpers: tests/md_world.h. */
#include "md_world.h"

/* ---- math ---------------------------------------------------------------------------------------------- */
static void test_math(void)
{
    rng r = {0x1234567};
    double maxrel = 0;
    for (int k = 0; k < 200000; k++) {
        const double x = k < 1000 ? ldexp(1.0 + k / 1000.0, -k % 60) : exp(rng_range(&r, -700, 700));
        const double a = md_log(x), b = log(x);
        const double rel = fabs(a - b) / fmax(fabs(b), 1e-300);
        if (b != 0 && rel > maxrel) maxrel = rel;
    }
    ok(maxrel <= 4e-16 && md_log(1.0) == 0.0, "md_log vs libm log: max rel error %.2e (<= 4e-16)", maxrel);

    const double L = 3.7, tiny = nextafter(L, 0);
    const double in[] = {0.0, -0.0, tiny, L, -1e-300, -1e-17, 2 * L + 0.25, -L - 0.5, L * (1 + 1e-16), 1.0};
    int okw = 1;
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
        const double y = md_wrap(in[k], L);
        okw &= y >= 0.0 && y < L;
        const double d = y - in[k], q = d / L; /* moved by a whole number of boxes (up to rounding) */
        okw &= fabs(q - rint(q)) < 1e-12 || fabs(y) + fabs(in[k]) < 1e-15;
    }
    okw &= md_wrap(tiny, L) == tiny && md_wrap(0.0, L) == 0.0 && md_wrap(L, L) == 0.0 && md_wrap(1.0, L) == 1.0;
    ok(okw, "md_wrap: [0, L) for 0, L - ulp, L, tiny negatives, several boxes away");

    /* Gaussian numbers: moments, no dependence between neighbouring counters */
    const int64_t N = 1000000;
    long double m1 = 0, m2 = 0, m4 = 0, c01 = 0, u1 = 0;
    double zmax = 0;
    for (int64_t i = 0; i < N; i++) {
        const double z = md_gaussian(42, i, 7, MD_RNG_LANGEVIN, (int)(i % 3));
        const double z2 = md_gaussian(42, i + 1, 7, MD_RNG_LANGEVIN, (int)(i % 3));
        m1 += z, m2 += z * z, m4 += z * z * z * z, c01 += z * z2;
        u1 += md_uniform(99, i, 0, 1, 0, 0);
        zmax = fmax(zmax, fabs(z));
    }
    m1 /= N, m2 /= N, m4 /= N, c01 /= N, u1 /= N;
    ok(fabsl(m1) < 5e-3 && fabsl(m2 - 1) < 6e-3 && fabsl(m4 - 3) < 0.04 && fabsl(c01) < 5e-3 &&
           fabsl(u1 - 0.5) < 2e-3 && zmax > 4.0,
       "Gaussian: mean %.4Lf, var %.4Lf, <z^4> %.4Lf, neighbour corr %.4Lf, uniform mean %.4Lf, max |z| %.2f",
       m1, m2, m4, c01, u1, zmax);
    ok(md_gaussian(1, 2, 3, 2, 1) == md_gaussian(1, 2, 3, 2, 1) &&
           md_gaussian(1, 2, 3, 2, 1) != md_gaussian(2, 2, 3, 2, 1) &&
           md_gaussian(1, 2, 3, 2, 1) != md_gaussian(1, 2, 4, 2, 1) &&
           md_gaussian(1, 2, 3, 2, 1) != md_gaussian(1, 2, 3, 2, 2) &&
           md_gaussian(1, 2, 3, 2, 1) != md_gaussian(1, 2, 3, 1, 1),
       "RNG: a pure function of (seed, id, step, stream, comp); each argument changes it");

    /* table vs the formulas */
    world w;
    world_alloc(&w, 1);
    int okt = 1;
    for (int mode = 0; mode < 2; mode++)
        for (int sh = 0; sh < 2; sh++) {
            world_params(&w, 3, mode, 2.5, sh);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    const int ab = a * MT + b;
                    const double e = w.eps[a][b], s = w.sig[a][b];
                    for (double rr = 0.85; rr < 2.5; rr += 0.1) {
                        const double r2 = rr * rr;
                        const double f = md_lj_fr(r2, w.tab.f12[ab], w.tab.f6[ab]);
                        const double u = md_lj_energy(r2, w.tab.c12[ab], w.tab.c6[ab], w.tab.eshift[ab]);
                        const double uref = ref_u(e, s, r2) - (sh ? ref_u(e, s, 6.25) : 0.0);
                        okt &= fabs(f - ref_fr(e, s, r2)) <= 1e-13 * fabs(ref_fr(e, s, r2)) + 1e-14;
                        okt &= fabs(u - uref) <= 1e-13 * fabs(uref) + 1e-14;
                    }
                    okt &= w.tab.rc2[ab] == 6.25 && w.tab.c12[ab] == w.tab.c12[b * MT + a];
                    okt &= sh ? fabs(md_lj_energy(6.25, w.tab.c12[ab], w.tab.c6[ab], w.tab.eshift[ab])) < 1e-16 : w.tab.eshift[ab] == 0.0;
                }
        }
    ok(okt, "LJ table (LB mixing and explicit, shift on/off): force and energy = 4 eps formulas to 1e-13");
    world_free(&w);
    ok(MD_KB_REAL == 0.00831446261815324 && fabs(MD_BAR_PER_KJMOL_NM3 - 1e3 / MD_AVOGADRO / 1e-27 / 1e5) < 1e-12,
       "unit constants: kB = %.17g kJ/mol/K, 1 kJ/mol/nm^3 = %.12g bar", MD_KB_REAL, MD_BAR_PER_KJMOL_NM3);
}

/* ---- cells: sort, gather, ghost plan -------------------------------------------------------------------- */
static void test_cells(void)
{
    rng r = {777};
    world w;
    world_alloc(&w, 3000);
    w.L[0] = 9.0, w.L[1] = 7.3, w.L[2] = 11.1;
    world_random(&w, &r, 0.0, 0, NULL);
    shuffle_i64(w.id, w.n, &r); /* ids not in index order */
    /* edge positions */
    w.x[0] = 0.0, w.x[1] = nextafter(w.L[0], 0), w.x[2 + w.n] = 0.0;
    md_grid g;
    sd_md_grid_box(w.L, 2.8, &g);
    ok(g.nc[0] == 3 && g.nc[1] == 2 && g.nc[2] == 3 && g.ih[0] * 2.8 < 1.0, "box grid: 3x2x3 cells >= 2.8 wide");
    w.x[3] = 3.0, w.x[4] = 6.0; /* exactly on cell boundaries */
    const int64_t nc = sd_md_grid_ncells(&g);
    int64_t *cell = xmalloc(8 * (size_t)w.n), *cs = xmalloc(8 * (size_t)(nc + 1)), *perm = xmalloc(8 * (size_t)w.n);
    sd_md_bin(w.n, w.x, w.n, &g, cell);
    int okb = cell[0] % 3 == 0 && cell[1] % 3 == 2 && (cell[2] / 3) % 2 == 0 && cell[3] % 3 == 1 && cell[4] % 3 == 2;
    for (int64_t i = 0; i < w.n; i++) {
        int64_t c[3];
        for (int d = 0; d < 3; d++) c[d] = (int64_t)floor(w.x[i + d * w.n] / (w.L[d] / g.nc[d]));
        okb &= cell[i] == c[0] + g.nc[0] * (c[1] + g.nc[1] * c[2]);
    }
    ok(okb, "binning: floor(x / width), x = 0 in cell 0, L - ulp in the last, boundaries in the upper cell");
    sd_md_sort_by_cell(w.n, cell, w.id, nc, cs, perm);
    int oks = cs[0] == 0 && cs[nc] == w.n;
    char *seen = calloc((size_t)w.n, 1);
    for (int64_t k = 0; k < w.n; k++) {
        oks &= !seen[perm[k]];
        seen[perm[k]] = 1;
        if (k) oks &= cell[perm[k - 1]] < cell[perm[k]] || (cell[perm[k - 1]] == cell[perm[k]] && w.id[perm[k - 1]] < w.id[perm[k]]);
    }
    for (int64_t c = 0; c < nc; c++)
        for (int64_t k = cs[c]; k < cs[c + 1]; k++) oks &= cell[perm[k]] == c;
    free(seen);
    ok(oks, "sort by (cell, id): a permutation, ordered, cell_start consistent");
    double *xs = xmalloc(sizeof(double) * 3 * (size_t)w.n);
    int64_t *ids = xmalloc(8 * (size_t)w.n);
    int32_t *ts = xmalloc(4 * (size_t)w.n);
    sd_md_gather_f64(w.n, perm, 3, w.x, w.n, xs, w.n);
    sd_md_gather_i64(w.n, perm, w.id, ids);
    sd_md_gather_i32(w.n, perm, w.type, ts);
    int okg = 1;
    for (int64_t k = 0; k < w.n; k++)
        for (int d = 0; d < 3; d++) okg &= xs[k + d * w.n] == w.x[perm[k] + d * w.n] && ids[k] == w.id[perm[k]];
    ok(okg, "gather applies the permutation");

    /* ghost plan of blocks of cells vs every image within the grown block */
    int okp = 1;
    const int64_t blocks[3][6] = {{0, 0, 0, 3, 2, 3}, {1, 0, 2, 3, 1, 3}, {0, 1, 0, 1, 2, 2}};
    int64_t *own = xmalloc(8 * 27 * (size_t)w.n);
    int8_t *sh = xmalloc(3 * 27 * (size_t)w.n);
    double *gx = xmalloc(sizeof(double) * 3 * 27 * (size_t)w.n);
    for (int bb = 0; bb < 3; bb++) {
        const int64_t *blo = blocks[bb], *bhi = blocks[bb] + 3;
        int64_t ng = sd_md_ghost_plan(&g, cs, blo, bhi, own, sh, 5);
        int64_t ng2 = sd_md_ghost_plan(&g, cs, blo, bhi, own, sh, 27 * w.n);
        okp &= ng == ng2 && ng > 0;
        sd_md_ghost_fill(ng, own, sh, w.L, xs, w.n, gx, 27 * w.n);
        /* brute force: images y of sorted particle k whose cell (of y, unwrapped) is in the layer */
        int64_t *slot = xmalloc(8 * 27 * (size_t)w.n);
        for (int64_t q = 0; q < 27 * w.n; q++) slot[q] = -1;
        for (int64_t q = 0; q < ng; q++)
            slot[own[q] * 27 + (sh[3 * q] + 1) + 3 * (sh[3 * q + 1] + 1) + 9 * (sh[3 * q + 2] + 1)] = q;
        int64_t cnt = 0;
        for (int64_t k = 0; k < w.n; k++)
            for (int s = 0; s < 27; s++) {
                const int sv[3] = {s % 3 - 1, (s / 3) % 3 - 1, s / 9 - 1};
                int in_layer = 1, inside = 1;
                for (int d = 0; d < 3; d++) {
                    const int64_t c = (int64_t)floor(xs[k + d * w.n] / (w.L[d] / g.nc[d])) + sv[d] * g.nc[d];
                    in_layer &= c >= blo[d] - 1 && c <= bhi[d];
                    inside &= c >= blo[d] && c < bhi[d];
                }
                if (in_layer && !inside) {
                    cnt++;
                    const int64_t q = slot[k * 27 + s];
                    okp &= q >= 0;
                    if (q >= 0)
                        for (int d = 0; d < 3; d++) okp &= gx[q + d * 27 * w.n] == xs[k + d * w.n] + sv[d] * w.L[d];
                }
            }
        free(slot);
        okp &= cnt == ng;
    }
    ok(okp, "ghost plan: exactly the images in the one-cell layer around a block (3 blocks), coordinates x + s L");
    free(own), free(sh), free(gx), free(xs), free(ids), free(ts), free(cell), free(cs), free(perm);
    world_free(&w);
}

/* ---- neighbour lists vs brute force ------------------------------------------------------------------------ */

static void test_neighbor(void)
{
    rng r = {4242};
    /* random systems with edge particles, 1 and 2x2x2 blocks */
    const double fix[6][3] = {{0.0, NAN, NAN}, {NAN, 0.0, 0.0}, {-1, NAN, NAN}, {NAN, -1, NAN}, {NAN, NAN, -1}, {-2, -2, -2}};
    int okl = 1;
    for (int cfg = 0; cfg < 3; cfg++) {
        world w;
        world_alloc(&w, cfg == 0 ? 300 : 900);
        const double Ls[3][3] = {{7.0, 7.0, 7.0}, {9.5, 7.2, 12.0}, {6.0, 13.0, 8.0}};
        memcpy(w.L, Ls[cfg], sizeof w.L);
        double fx[6][3];
        memcpy(fx, fix, sizeof fx);
        for (int k = 0; k < 6; k++)
            for (int d = 0; d < 3; d++) {
                if (fx[k][d] == -1) fx[k][d] = nextafter(w.L[d], 0);
                if (fx[k][d] == -2) fx[k][d] = w.L[d] / 2;
            }
        world_random(&w, &r, 0.7, 6, (const double (*)[3])fx);
        const int nbs[2][3] = {{1, 1, 1}, {2, 2, 2}};
        for (int s = 0; s < 2; s++) {
            split S;
            split_build(&S, &w, nbs[s], 2.8, 99 + cfg);
            for (int b = 0; b < S.nblk; b++) okl &= lists_exact(&S.b[b], 2.8);
            split_free(&S);
        }
        world_free(&w);
    }
    ok(okl, "lists = brute force (within rl, id-sorted, no self or self-image): 3 boxes, 1 and 8 blocks, edge particles");

    /* pairs straddling cell boundaries at distance just below rl: particles on the exact cell
     * boundaries of the neighbour grid (lattice spacing = cell width) and partners rl - delta away */
    const double rl = 1.3, wcell = rl * (1 + 2 * MD_CELL_MARGIN);
    const int K = 6;
    blk B;
    memset(&B, 0, sizeof B);
    const int64_t m = 2 * (K + 1) * (K + 1) * (K + 1);
    B.nh = m, B.ng = 0, B.sc = m;
    B.x = xmalloc(sizeof(double) * 3 * (size_t)m);
    B.id = xmalloc(8 * (size_t)m);
    int64_t q = 0;
    for (int c = 0; c <= K; c++)
        for (int b = 0; b <= K; b++)
            for (int a = 0; a <= K; a++) {
                const int g[3] = {a, b, c};
                for (int d = 0; d < 3; d++) {
                    B.x[q + d * m] = g[d] * wcell;
                    const double off = d == (a + b + c) % 3 ? rl * (1 - 1e-15 * (a + 1)) : 0.0;
                    B.x[q + 1 + d * m] = g[d] < K ? g[d] * wcell + off : g[d] * wcell - off; /* stay in the bbox */
                }
                q += 2;
            }
    for (int64_t i = 0; i < m; i++) B.id[i] = (i * 7919) % m; /* a permutation of 0..m-1 (m even, 7919 prime) */
    md_grid gg;
    sd_md_grid_bbox(m, B.x, B.sc, rl, &gg);
    size_t sb = sd_md_neighbor_scratch_bytes(m, B.x, B.sc, rl, NULL);
    void *scr = xmalloc(sb);
    B.start = xmalloc(8 * (size_t)(m + 1));
    B.nbr = xmalloc(4 * 64 * (size_t)m);
    const md_neighbor_args nb = {.home_count = m, .ghost_count = 0, .position = B.x, .position_stride = B.sc,
                                 .id = B.id, .list_radius = rl, .grid = NULL, .list_start = B.start, .list = B.nbr,
                                 .list_capacity = 64 * m, .scratch = scr, .scratch_bytes = sb};
    B.nnbr = sd_md_neighbor_build(&nb);
    md_neighbor_args small_scratch = nb;
    small_scratch.scratch_bytes = 10;
    ok(sd_md_neighbor_build(&small_scratch) == -1, "neighbor build refuses a scratch that is too small");
    ok(lists_exact(&B, rl) && B.nnbr >= 2 * K * K * K,
       "lists on a lattice with spacing = cell width (%lld cells/axis), partners at rl(1 - k*1e-15): %lld entries, all found",
       (long long)gg.nc[0], (long long)B.nnbr);
    /* capacity protocol: too small -> count returned, start complete */
    int64_t *st2 = xmalloc(8 * (size_t)(m + 1));
    int32_t *nb2 = xmalloc(4 * 10);
    md_neighbor_args small_list = nb;
    small_list.list_start = st2, small_list.list = nb2, small_list.list_capacity = 10;
    int64_t tot = sd_md_neighbor_build(&small_list);
    ok(tot == B.nnbr && !memcmp(st2, B.start, 8 * (size_t)(m + 1)) && !memcmp(nb2, B.nbr, 40),
       "capacity too small: returns the full count, start complete, first cap entries written");
    free(st2), free(nb2), free(scr), free(B.x), free(B.id), free(B.start), free(B.nbr);
}

/* ---- (1) forces vs brute force, and vs the documented lane order ------------------------------------------ */
/* Plain force loop with the documented order: entry k of a list goes to lane k % 8, lanes
 * summed from +0 and combined ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). Uses the kernel's table. */
static void ref_lane_forces(const blk *B, const md_lj_table *t, double *F)
{
    for (int64_t i = 0; i < B->nh; i++) {
        double a[3][8] = {{0}};
        for (int64_t k = B->start[i]; k < B->start[i + 1]; k++) {
            const int64_t j = B->nbr[k];
            const int ab = B->type[i] * MT + B->type[j];
            const double dx = B->x[i] - B->x[j], dy = B->x[i + B->sc] - B->x[j + B->sc],
                         dz = B->x[i + 2 * B->sc] - B->x[j + 2 * B->sc];
            const double r2 = (dx * dx + dy * dy) + dz * dz;
            if (!(r2 < t->rc2[ab])) continue;
            const double r2i = 1.0 / r2, r6i = (r2i * r2i) * r2i;
            const double fr = (r6i * (t->f12[ab] * r6i - t->f6[ab])) * r2i;
            const int l = (int)((k - B->start[i]) % 8);
            a[0][l] += dx * fr, a[1][l] += dy * fr, a[2][l] += dz * fr;
        }
        for (int d = 0; d < 3; d++)
            F[i + d * B->sc] = ((a[d][0] + a[d][1]) + (a[d][2] + a[d][3])) + ((a[d][4] + a[d][5]) + (a[d][6] + a[d][7]));
    }
}

static void test_forces(void)
{
    rng r = {31337};
    struct { int64_t n; double L[3]; int ntypes, expl, shift; double rc; } cfg[] = {
        {120, {6.0, 6.0, 6.0}, 1, 0, 0, 2.5},  {400, {7.0, 8.5, 10.0}, 1, 0, 1, 2.5},
        {700, {9.0, 7.5, 8.0}, 2, 0, 0, 2.5},  {700, {9.0, 7.5, 8.0}, 3, 0, 1, 2.5},
        {1000, {11.0, 9.0, 10.0}, 3, 1, 0, 2.2}, {1000, {10.0, 10.0, 12.0}, 3, 1, 1, 3.0}};
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
        world w;
        world_alloc(&w, cfg[c].n);
        memcpy(w.L, cfg[c].L, sizeof w.L);
        world_params(&w, cfg[c].ntypes, cfg[c].expl, cfg[c].rc, cfg[c].shift);
        const double rl = cfg[c].rc + 0.3;
        md_grid g;
        sd_md_grid_box(w.L, rl, &g);
        /* edge particles: 0, L - ulp, half box, box-grid cell boundaries */
        double fx[8][3];
        for (int k = 0; k < 8; k++)
            for (int d = 0; d < 3; d++) fx[k][d] = NAN;
        fx[0][0] = 0.0, fx[0][1] = 0.0, fx[0][2] = 0.0;
        fx[1][0] = nextafter(w.L[0], 0);
        fx[2][1] = nextafter(w.L[1], 0), fx[2][2] = 0.0;
        fx[3][2] = nextafter(w.L[2], 0);
        fx[4][0] = w.L[0] / 2;
        fx[5][0] = w.L[0] / (double)g.nc[0], fx[5][1] = w.L[1] / (double)g.nc[1];
        fx[6][2] = w.L[2] / (double)g.nc[2];
        fx[7][0] = w.L[0] / 3, fx[7][1] = w.L[1] / 3;
        world_random(&w, &r, 0.8, 8, (const double (*)[3])fx);
        double *F = xmalloc(sizeof(double) * 3 * (size_t)w.n);
        long double U, W;
        ref_forces(&w, F, &U, &W);
        split S;
        split_build(&S, &w, (const int[3]){1, 1, 1}, rl, 5 + c);
        sd_acc Ua, Wa;
        split_forces(&S, &w, &Ua, &Wa);
        double Fmax = 0, err = 0;
        for (int64_t i = 0; i < 3 * w.n; i++) Fmax = fmax(Fmax, fabs(F[i]));
        for (int64_t i = 0; i < w.n; i++) {
            double e2 = 0;
            for (int d = 0; d < 3; d++) e2 += (w.f[i + d * w.n] - F[i + d * w.n]) * (w.f[i + d * w.n] - F[i + d * w.n]);
            err = fmax(err, sqrt(e2));
        }
        const double eu = fabs(sd_acc_sum(&Ua) - (double)U) / fabs((double)U), ew = fabs(sd_acc_sum(&Wa) - (double)W) / fabs((double)W);
        ok(err <= 1e-12 * Fmax && eu <= 1e-13 && ew <= 1e-13,
           "forces vs O(N^2) min image: N %lld, box %gx%gx%g, %d type(s) %s, shift %s, rc %g: max |dF| / max |F| = %.2e, "
           "U rel %.1e, W rel %.1e",
           (long long)w.n, w.L[0], w.L[1], w.L[2], w.ntypes, cfg[c].expl ? "explicit" : "LB", cfg[c].shift ? "on" : "off",
           w.rc, err / Fmax, eu, ew);
        /* bitwise vs the documented lane order */
        blk *B = &S.b[0];
        double *F2 = xmalloc(sizeof(double) * 3 * (size_t)B->sc);
        ref_lane_forces(B, &w.tab, F2);
        int same = 1;
        for (int64_t i = 0; i < B->nh; i++)
            for (int d = 0; d < 3; d++) same &= same_bits(F2[i + d * B->sc], B->f[i + d * B->sc]);
        ok(same, "  ... bitwise equal to a plain loop in the documented lane order");
        split_free(&S);
        free(F), free(F2);
        world_free(&w);
    }
}

/* ---- (2) blocking independence ------------------------------------------------------------------------------ */
static void test_blocking(void)
{
    rng r = {2718};
    for (int sys = 0; sys < 2; sys++) {
        world w;
        world_alloc(&w, sys ? 1500 : 800);
        if (sys) w.L[0] = 12.0, w.L[1] = 10.0, w.L[2] = 11.0;
        else w.L[0] = w.L[1] = w.L[2] = 9.0;
        world_params(&w, sys ? 3 : 1, 0, 2.5, sys);
        const double fx[3][3] = {{0.0, 0.0, 0.0}, {NAN, 5.0, NAN}, {3.0, NAN, 4.5}}; /* block boundaries */
        world_random(&w, &r, 0.8, 3, fx);
        const double rl = 2.8;
        const int nbs[4][3] = {{1, 1, 1}, {2, 1, 1}, {2, 2, 2}, {3, 2, 1}};
        double *F0 = xmalloc(sizeof(double) * 3 * (size_t)w.n);
        sd_acc U0, W0;
        int same = 1, samee = 1;
        for (int s = 0; s < 4; s++) {
            split S;
            split_build(&S, &w, nbs[s], rl, 1000 + s);
            sd_acc U, W;
            split_forces(&S, &w, &U, &W);
            if (s == 0) {
                memcpy(F0, w.f, sizeof(double) * 3 * (size_t)w.n);
                U0 = U, W0 = W;
            } else {
                same &= !memcmp(F0, w.f, sizeof(double) * 3 * (size_t)w.n);
                samee &= acc_same(&U, &U0) && acc_same(&W, &W0);
            }
            split_free(&S);
        }
        ok(same && samee, "blocking 1, 2x1x1, 2x2x2, 3x2x1 (shuffled home and ghosts): forces bitwise equal, exact U, W equal (%s)",
           sys ? "1500 particles, 3 types, shift" : "800 particles, 1 type");
        free(F0);
        world_free(&w);
    }
}

/* ---- (3) fcc lattice ------------------------------------------------------------------------------------------- */
/* Independent lattice sum: fcc sites are (a/2)(i, j, k) with i + j + k even; energy per atom =
 * 1/2 sum over sites within rc of 4 (r^-12 - r^-6), accumulated shell by shell (m = i^2+j^2+k^2). */
static double fcc_shell_energy(double a, double rc, int *nshell, double *virial)
{
    const int M = (int)ceil(2 * rc / a) + 1;
    long double e = 0, w = 0;
    *nshell = 0;
    for (int m = 1; m <= 3 * M * M; m++) {
        const double r = 0.5 * a * sqrt((double)m);
        if (r >= rc) break;
        int cnt = 0;
        for (int i = -M; i <= M; i++)
            for (int j = -M; j <= M; j++)
                for (int k = -M; k <= M; k++)
                    if (((i + j + k) & 1) == 0 && i * i + j * j + k * k == m) cnt++;
        if (!cnt) continue;
        (*nshell)++;
        const long double ir6 = 1.0L / powl(r, 6);
        e += 0.5L * cnt * 4.0L * (ir6 * ir6 - ir6);
        w += 0.5L * cnt * (48.0L * ir6 * ir6 - 24.0L * ir6); /* r . F of the pair */
    }
    *virial = (double)w;
    return (double)e;
}

static void test_fcc(void)
{
    const double rho = 0.8442, rc = 2.5;
    const int64_t nc[3] = {6, 5, 7};
    const int64_t N = 4 * nc[0] * nc[1] * nc[2];
    const double a = sd_md_fcc_lattice_constant(rho);
    world w;
    world_alloc(&w, N);
    for (int d = 0; d < 3; d++) w.L[d] = (double)nc[d] * a;
    /* two chunks: particle k's position depends on k only */
    const int64_t k1 = N / 3;
    double *xa = xmalloc(sizeof(double) * 3 * (size_t)N);
    sd_md_fcc(0, k1, nc, a, xa, N, w.id);
    sd_md_fcc(k1, N - k1, nc, a, xa + k1, N, w.id + k1);
    memcpy(w.x, xa, sizeof(double) * 3 * (size_t)N);
    double *xb = xmalloc(sizeof(double) * 3 * 10);
    int64_t idb[10];
    sd_md_fcc(123, 10, nc, a, xb, 10, idb);
    int same = 1, inbox = 1, ids = 1;
    for (int k = 0; k < 10; k++)
        for (int d = 0; d < 3; d++) same &= xb[k + d * 10] == xa[123 + k + d * N] && idb[k] == 123 + k;
    for (int64_t i = 0; i < N; i++) {
        ids &= w.id[i] == i;
        for (int d = 0; d < 3; d++) inbox &= w.x[i + d * N] >= 0 && w.x[i + d * N] < w.L[d];
    }
    const double dens = (double)N / (w.L[0] * w.L[1] * w.L[2]);
    double dmin2 = INFINITY;
    for (int64_t i = 0; i < N; i++)
        for (int64_t j = i + 1; j < N; j++) {
            double r2 = 0;
            for (int d = 0; d < 3; d++) {
                double dx = w.x[i + d * N] - w.x[j + d * N];
                dx -= w.L[d] * rint(dx / w.L[d]);
                r2 += dx * dx;
            }
            dmin2 = fmin(dmin2, r2);
        }
    ok(N == 840 && same && inbox && ids && fabs(dens - rho) <= 1e-14 * rho && fabs(sqrt(dmin2) - a / sqrt(2.0)) <= 1e-14 * a,
       "fcc 6x5x7: N = 4 nx ny nz = %lld, ids 0..N-1, in the box, chunk-independent, density %.17g (rho %.4g), "
       "min distance = a/sqrt2 (a = %.15g)",
       (long long)N, dens, rho, a);
    /* lattice energy */
    world_params(&w, 1, 0, rc, 0);
    split S;
    split_build(&S, &w, (const int[3]){1, 1, 1}, rc + 0.3, 1);
    sd_acc U, Wv;
    split_forces(&S, &w, &U, &Wv);
    int ns;
    double wref;
    const double eref = fcc_shell_energy(a, rc, &ns, &wref), e = sd_acc_sum(&U) / (double)N;
    const double wn = sd_acc_sum(&Wv) / (double)N, V = w.L[0] * w.L[1] * w.L[2];
    const double P = md_pressure(0.5 * (3.0 * N - 3.0) * 1.44, sd_acc_sum(&Wv), V); /* at T = 1.44 */
    const double Pref = ((3.0 * N - 3.0) * 1.44 + wref * N) / (3.0 * V);
    double Fmax = 0;
    for (int64_t i = 0; i < 3 * N; i++) Fmax = fmax(Fmax, fabs(w.f[i]));
    ok(fabs(e - eref) <= 1e-12 * fabs(eref) && fabs(e - (-6.7733681)) < 1e-7 && Fmax < 1e-12,
       "perfect fcc, rho 0.8442, rc 2.5, no shift: U/N = %.15f, shell sum (%d shells) %.15f, LAMMPS in.lj -6.7733681; "
       "max |F| %.1e", e, ns, eref, Fmax);
    ok(fabs(wn - wref) <= 1e-12 * fabs(wref) && fabs(P - Pref) <= 1e-12 * fabs(Pref),
       "  ... virial W/N = %.15f (shell sum %.15f), pressure at T 1.44 = %.15f (from the shell sum %.15f)", wn, wref, P, Pref);
    split_free(&S);
    free(xa), free(xb);
    world_free(&w);
}

/* ---- (4) velocities ------------------------------------------------------------------------------------------------ */

static void test_velocities(void)
{
    const int64_t nc[3] = {6, 6, 6};
    const int64_t N = 864;
    struct { int ntypes; double m0, m1, T, kB; const char *what; } cfg[] = {
        {1, 1.0, 1.0, 1.44, MD_KB_LJ, "LJ units, 1 type"},
        {2, 1.0, 2.5, 1.44, MD_KB_LJ, "LJ units, masses 1 and 2.5"},
        {1, 39.948, 39.948, 300.0, MD_KB_REAL, "real units, argon at 300 K"}};
    for (int c = 0; c < 3; c++) {
        world w;
        world_alloc(&w, N);
        sd_md_fcc(0, N, nc, 1.7, w.x, N, w.id);
        w.ntypes = cfg[c].ntypes, w.mass[0] = cfg[c].m0, w.mass[1] = cfg[c].m1;
        for (int64_t i = 0; i < N; i++) w.type[i] = (int32_t)(i % cfg[c].ntypes);
        int *g1 = calloc((size_t)N, sizeof(int)), *g3 = xmalloc(sizeof(int) * (size_t)N);
        rng r = {11 + c};
        for (int64_t i = 0; i < N; i++) g3[i] = (int)(rng_u64(&r) % 3);
        double Tb;
        vel_init(&w, g1, 1, cfg[c].T, cfg[c].kB, 2024, &Tb);
        double *v1 = xmalloc(sizeof(double) * 3 * (size_t)N);
        memcpy(v1, w.v, sizeof(double) * 3 * (size_t)N);
        vel_init(&w, g3, 3, cfg[c].T, cfg[c].kB, 2024, NULL);
        const int same = !memcmp(v1, w.v, sizeof(double) * 3 * (size_t)N);
        sd_acc P[3], M, K;
        for (int d = 0; d < 3; d++) sd_acc_init(&P[d]);
        sd_acc_init(&M), sd_acc_init(&K);
        sd_md_momentum(N, w.type, w.mass, w.ntypes, w.v, N, P, &M);
        sd_md_kinetic(N, w.type, w.mass, w.ntypes, w.v, N, NULL, &K);
        const double p = sqrt(pow(sd_acc_sum(&P[0]), 2) + pow(sd_acc_sum(&P[1]), 2) + pow(sd_acc_sum(&P[2]), 2));
        const double T = md_temperature(sd_acc_sum(&K), 3.0 * N - 3.0, cfg[c].kB);
        /* the momentum scale: sum m |v| */
        double mv = 0;
        for (int64_t i = 0; i < N; i++) mv += w.mass[w.type[i]] * fabs(w.v[i]);
        ok(same && p <= 1e-12 * fmax(1.0, mv / N) && fabs(T - cfg[c].T) <= 1e-13 * cfg[c].T && fabs(Tb / cfg[c].T - 1) < 0.15,
           "velocity create+adjust (%s): |P| = %.2e, T = %.17g (target %g, rel %.1e; raw Gaussians %.4g), "
           "1 block == 3 blocks bitwise",
           cfg[c].what, p, T, cfg[c].T, fabs(T - cfg[c].T) / cfg[c].T, Tb);
        free(g1), free(g3), free(v1);
        world_free(&w);
    }
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    double t = now();
    test_math();
    test_cells();
    test_neighbor();
    test_forces();
    test_blocking();
    test_fcc();
    test_velocities();
    diag("total %.1f s", now() - t);
    return tap_done();
}
