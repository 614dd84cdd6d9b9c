/* advance_impl.h - the CPU loops of one tile for one psi type: included by advance.c with T
 * (double or float) and SUF (f64 or f32) defined. The summation orders (docs/transport.md,
 * "Orders") are the ones transport_math.h states; skipped terms are exact zeros, so the sparse loops
 * give the dense results bit for bit. */
#define TR_CAT2(a, b) a##_##b
#define TR_CAT(a, b) TR_CAT2(a, b)
#define FN(name) TR_CAT(name, SUF)
#ifndef SIMD /* independent elements (no reduction): vectorising changes no result */
#ifdef _OPENMP
#define SIMD _Pragma("omp simd")
#else
#define SIMD
#endif
#endif

static inline int64_t FN(imax)(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t FN(imin)(int64_t a, int64_t b) { return a < b ? a : b; }

/* Per-cell occupancy of what a loop writes (interior cells, x fastest). Bin indices are kept in T
 * (exact: far below 2^24) so that noting a row is a same-width compare and min/max: it vectorises. */
typedef struct FN(occ_acc) {
    T *t0, *t1, *m0, *m1;
    int64_t nx;
} FN(occ_acc);

static void FN(occ_acc_init)(FN(occ_acc) *o, T *mem, const tr_io *io)
{
    const int64_t n = io->nx * io->nz;
    o->t0 = mem;
    o->t1 = mem + n;
    o->m0 = mem + 2 * n;
    o->m1 = mem + 3 * n;
    o->nx = io->nx;
    for (int64_t i = 0; i < n; i++) {
        o->t0[i] = (T)io->nt;
        o->t1[i] = (T)-1;
        o->m0[i] = (T)io->ne;
        o->m1[i] = (T)-1;
    }
}

/* Row (k, m, z = j) of cells x0..x1 was written: note its non-zero values. */
static inline void FN(occ_note)(FN(occ_acc) *o, const T *restrict row, int64_t j, int64_t x0, int64_t x1, int32_t k, int32_t m)
{
    T *restrict t0 = o->t0 + j * o->nx, *restrict t1 = o->t1 + j * o->nx;
    T *restrict m0 = o->m0 + j * o->nx, *restrict m1 = o->m1 + j * o->nx;
    const T kt = (T)k, mt = (T)m, big = (T)INT32_MAX, none = (T)-1;
    SIMD
    for (int64_t x = x0; x <= x1; x++) {
        const int nzv = row[x] != (T)0;
        const T kl = nzv ? kt : big, kh = nzv ? kt : none, ml = nzv ? mt : big, mh = nzv ? mt : none;
        t0[x] = kl < t0[x] ? kl : t0[x];
        t1[x] = kh > t1[x] ? kh : t1[x];
        m0[x] = ml < m0[x] ? ml : m0[x];
        m1[x] = mh > m1[x] ? mh : m1[x];
    }
}

static void FN(occ_store)(const FN(occ_acc) *o, const tr_io *io, double *occ, int64_t s1, int64_t sc)
{
    for (int64_t j = 0; j < io->nz; j++)
        for (int64_t x = 0; x < io->nx; x++) {
            const int64_t i = j * io->nx + x, c = x + j * s1;
            occ[c] = (double)o->t0[i];
            occ[c + sc] = (double)o->t1[i];
            occ[c + 2 * sc] = (double)o->m0[i];
            occ[c + 3 * sc] = (double)o->m1[i];
        }
}

/* Scan psi over box b (bins and cells): the exact per-cell occupancy (cells outside b: empty). */
static void FN(occ_scan)(FN(occ_acc) *o, const tr_io *io, const T *psi, tr_box b)
{
    if (b.t0 > b.t1) return;
    for (int64_t m = b.m0; m <= b.m1; m++)
        for (int64_t k = b.t0; k <= b.t1; k++)
            for (int64_t j = b.z0; j <= b.z1; j++)
                FN(occ_note)(o, psi + j * io->ps1 + k * io->ps3 + m * io->ps4, j, b.x0, b.x1, (int32_t)k, (int32_t)m);
}

static inline void FN(zero_run)(T *restrict r, int64_t a, int64_t b)
{
    for (int64_t x = a; x <= b; x++) r[x] = (T)0;
}

/* The parts of box old (what the buffer held non-zero) outside box nw (what is written next) are
 * cleared; the rest of the buffer is zero already. */
static void FN(zero_outside)(T *out, int64_t s1, int64_t s3, int64_t s4, tr_box old, tr_box nw)
{
    if (old.t0 > old.t1) return;
    const int nwe = nw.t0 > nw.t1;
    for (int64_t m = old.m0; m <= old.m1; m++)
        for (int64_t k = old.t0; k <= old.t1; k++) {
            const int bins_in = !nwe && m >= nw.m0 && m <= nw.m1 && k >= nw.t0 && k <= nw.t1;
            for (int64_t j = old.z0; j <= old.z1; j++) {
                T *r = out + j * s1 + k * s3 + m * s4;
                if (bins_in && j >= nw.z0 && j <= nw.z1) {
                    FN(zero_run)(r, old.x0, FN(imin)(old.x1, nw.x0 - 1));
                    FN(zero_run)(r, FN(imax)(old.x0, nw.x1 + 1), old.x1);
                } else {
                    FN(zero_run)(r, old.x0, old.x1);
                }
            }
        }
}

/* Angular scatter of source E bin m over rows z0..z1, cells x0..x1: for k in [k0, k1]
 *     A[k] = sum_{d = -K..K ascending, k - d in [t0, t1]} w_d psi[k - d]
 * (bins outside [t0, t1] hold zeros). dst row (k, j) at dst + (k - k0) * dk + (j - z0) * dj. */
TR_INLINE void FN(scatter_rows)(const tr_io *io, const tr_tables *tb, const T *psi, int64_t m, tr_box in, int64_t k0, int64_t k1,
                             T *dst, int64_t dk, int64_t dj)
{
    const int64_t K = tb->K[m];
    const double *w = tb->w + tb->woff[m] + K;
    for (int64_t k = k0; k <= k1; k++) {
        const int64_t da = FN(imax)(-K, k - in.t1), db = FN(imin)(K, k - in.t0);
        for (int64_t j = in.z0; j <= in.z1; j++) {
            T *restrict a = dst + (k - k0) * dk + (j - in.z0) * dj;
            const T *restrict s = psi + j * io->ps1 + k * io->ps3 + m * io->ps4; /* d = 0; bin k - d at s - d ps3 */
            /* each element's sum kept in registers over d, blocks of 8 cells (the same order: 0, then
             * d ascending) */
            int64_t x = in.x0;
            for (; x + 7 <= in.x1; x += 8) {
                T acc[8] = {0};
                for (int64_t d = da; d <= db; d++) {
                    const T wd = (T)w[d];
                    const T *restrict sd = s + x - d * io->ps3;
                    for (int i = 0; i < 8; i++) acc[i] += wd * sd[i];
                }
                for (int i = 0; i < 8; i++) a[x + i] = acc[i];
            }
            for (; x <= in.x1; x++) {
                T acc = (T)0;
                for (int64_t d = da; d <= db; d++) acc += (T)w[d] * s[x - d * io->ps3];
                a[x] = acc;
            }
        }
    }
}

/* Lost-angle tally of source E bin m: per interior cell of box in, over k ascending,
 * lost = psi * lost[m][k]: tally 1 += lost, tally 7 += lost * E_m. */
TR_INLINE void FN(tally_lost)(const tr_io *io, const tr_tables *tb, const T *psi, int64_t m, tr_box in)
{
    const double Em = tb->E[m];
    const int64_t xa = FN(imax)(in.x0, 0), xb = FN(imin)(in.x1, io->nx - 1);
    const int64_t za = FN(imax)(in.z0, 0), zb = FN(imin)(in.z1, io->nz - 1);
    for (int64_t k = in.t0; k <= in.t1; k++) {
        const double lf = tb->lost[m * io->nt + k];
        if (lf == 0.0) continue; /* adds exact zeros */
        for (int64_t j = za; j <= zb; j++) {
            const T *restrict s = psi + j * io->ps1 + k * io->ps3 + m * io->ps4;
            double *restrict lw = io->tally + j * io->ts1 + io->tsc, *restrict le = io->tally + j * io->ts1 + 7 * io->tsc;
            for (int64_t x = xa; x <= xb; x++) {
                const double l = (double)s[x] * lf;
                lw[x] += l;
                le[x] += l * Em;
            }
        }
    }
}

/* Energy deposit of source E bin m whose (scattered) rows are at a (row (k, j) at
 * a + (k - k0) * dk + j * dj, indexed by the cell's x), over k in [k0, k1] ascending, interior cells
 * of box in. Stopped: tally 0 += w, dose += w E_m, tally 6 += w E_m. Else with w_lo = f_lo w (in T)
 * and w_hi = w - w_lo: dose += w E_m - (w_lo E_lo + w_hi E_lo+1). */
TR_INLINE void FN(deposit)(const tr_io *io, const tr_tables *tb, const T *a, int64_t dk, int64_t dj, int64_t m, tr_box in, int64_t k0,
                        int64_t k1)
{
    const double Em = tb->E[m];
    const int64_t xa = FN(imax)(in.x0, 0), xb = FN(imin)(in.x1, io->nx - 1);
    const int64_t za = FN(imax)(in.z0, 0), zb = FN(imin)(in.z1, io->nz - 1);
    const int stop = tb->stop[m];
    const int64_t lo = tb->lo[m];
    const T f = (T)tb->flo[m];
    const double El = tb->E[lo], Eh = stop ? 0.0 : tb->E[lo + 1];
    for (int64_t k = k0; k <= k1; k++)
        for (int64_t j = za; j <= zb; j++) {
            const T *restrict r = a + (k - k0) * dk + j * dj;
            double *restrict dose = io->dose + j * io->ds1;
            if (stop) {
                double *restrict t0 = io->tally + j * io->ts1, *restrict t6 = io->tally + j * io->ts1 + 6 * io->tsc;
                for (int64_t x = xa; x <= xb; x++) {
                    const double w = (double)r[x], e = w * Em;
                    t0[x] += w;
                    dose[x] += e;
                    t6[x] += e;
                }
            } else {
                SIMD
                for (int64_t x = xa; x <= xb; x++) {
                    const T wl = f * r[x], wh = r[x] - wl;
                    dose[x] += (double)r[x] * Em - ((double)wl * El + (double)wh * Eh);
                }
            }
        }
}

/* Destination E bin m of the energy loss from the source rows of bins s0..s1 (ascending):
 *     B = sum_q (lo[q] == m ? f_lo[q] A_q : A_q - f_lo[q] A_q)
 * row j of source q at src(q) + j * dj (x-indexed), into b (row j at b + j * bj). */
static inline void FN(loss_gather)(const tr_tables *tb, int64_t m, int64_t s0, int64_t s1, const T *const *srcq, int64_t dj,
                                   int64_t z0, int64_t z1, int64_t x0, int64_t x1, T *b, int64_t bj)
{
    for (int64_t j = z0; j <= z1; j++) {
        T *restrict o = b + j * bj;
        for (int64_t x = x0; x <= x1; x++) o[x] = (T)0;
        for (int64_t q = s0; q <= s1; q++) {
            const T f = (T)tb->flo[q];
            const T *restrict s = srcq[q - s0] + j * dj;
            if (tb->lo[q] == m) {
                SIMD
                for (int64_t x = x0; x <= x1; x++) o[x] += f * s[x];
            } else {
                SIMD
                for (int64_t x = x0; x <= x1; x++) o[x] += s[x] - f * s[x];
            }
        }
    }
}

/* Stream one (theta k, E m) plane: out rows z0..z1, cells x0..x1,
 *     out = ((c00 B[x, j] + c10 B[x - sx, j]) + c01 B[x, j - sz]) + c11 B[x - sx, j - sz]
 * B row j at b + j * bj (x-indexed, readable one cell around the rows written). */
static inline void FN(stream_rows)(const tr_stream_w *sw, const T *b, int64_t bj, T *out, int64_t os1, int64_t z0, int64_t z1,
                                   int64_t x0, int64_t x1)
{
    const T c00 = (T)sw->c00, c10 = (T)sw->c10, c01 = (T)sw->c01, c11 = (T)sw->c11;
    const int64_t sx = sw->sx, sz = sw->sz;
    for (int64_t j = z0; j <= z1; j++) {
        const T *restrict b0 = b + j * bj, *restrict b1 = b + (j - sz) * bj;
        T *restrict o = out + j * os1;
        SIMD
        for (int64_t x = x0; x <= x1; x++) o[x] = ((c00 * b0[x] + c10 * b0[x - sx]) + c01 * b1[x]) + c11 * b1[x - sx];
    }
}

/* Escapes of one (k, m) plane from the tile's cells on the grid's sides (list cells[], (x, z) pairs):
 * the terms c10, c01, c11 of a source cell whose destination is outside, in that order, into the
 * source cell's side channels (x first when outside in x). */
static void FN(escape)(const tr_io *io, const tr_stream_w *sw, const T *b, int64_t bj, const int64_t *cells, int64_t ncells,
                       tr_box in, double Em)
{
    const double c[3] = {(double)(T)sw->c10, (double)(T)sw->c01, (double)(T)sw->c11};
    const int ax[3] = {1, 0, 1}, az[3] = {0, 1, 1};
    for (int64_t n = 0; n < ncells; n++) {
        const int64_t x = cells[2 * n], z = cells[2 * n + 1];
        if (x < in.x0 || x > in.x1 || z < in.z0 || z > in.z1) continue; /* B is zero there */
        const double v = (double)b[x + z * bj];
        if (v == 0.0) continue; /* adds exact zeros */
        const int64_t gx = io->gx0 + x, gz = io->gz0 + z;
        for (int t = 0; t < 3; t++) {
            const int64_t dx = gx + ax[t] * sw->sx, dz = gz + az[t] * sw->sz;
            int ch = -1;
            if (dx < 0) ch = 2;
            else if (dx >= io->NX) ch = 3;
            else if (dz < 0) ch = 4;
            else if (dz >= io->NZ) ch = 5;
            if (ch < 0) continue;
            const double e = v * c[t];
            io->tally[x + z * io->ts1 + ch * io->tsc] += e;
            io->tally[x + z * io->ts1 + (ch + 6) * io->tsc] += e * Em;
        }
    }
}

/* Interior cells of the tile that send weight out of the grid when moving (sx, sz): on the side
 * x = 0 (sx < 0) or x = X (sx > 0), or z = 0 / Z likewise, as (x, z) pairs; returns their count
 * (at most nx + nz). */
static int64_t FN(side_cells)(const tr_io *io, int sx, int sz, int64_t *cells)
{
    int64_t n = 0;
    const int64_t edge_x = sx < 0 ? 0 : io->NX - 1, edge_z = sz < 0 ? 0 : io->NZ - 1;
    for (int64_t z = 0; z < io->nz; z++)
        for (int64_t x = 0; x < io->nx; x++)
            if (io->gx0 + x == edge_x || io->gz0 + z == edge_z) {
                cells[2 * n] = x;
                cells[2 * n + 1] = z;
                n++;
            }
    return n;
}

/* Stream (fused = 0: psi -> psi_next) or scatter + energy loss + stream in one pass (fused = 1). */
TR_INLINE void FN(advance_body)(const tr_io *io, const tr_tables *tb, int fused)
{
    const int64_t nx = io->nx, nz = io->nz, nt = io->nt;
    const T *psi = io->psi;
    T *out = io->out;
    tr_box in = io->dense ? tr_box_full(io, -1, nx, -1, nz) : tr_box_from_occ(io, io->occ, io->cs1, io->csc, -1, nx, -1, nz);
    const tr_box old = io->dense ? tr_box_full(io, 0, nx - 1, 0, nz - 1)
                                 : tr_box_from_occ(io, io->occn, io->ns1, io->nsc, 0, nx - 1, 0, nz - 1);
    /* what this step writes */
    tr_box nw = {.t0 = 1, .t1 = 0};
    int64_t kt0 = 0, kt1 = -1; /* theta bins after scattering */
    if (in.t0 <= in.t1) {
        int64_t Kin = 0;
        if (fused)
            for (int64_t m = in.m0; m <= in.m1; m++) Kin = FN(imax)(Kin, tb->K[m]);
        kt0 = FN(imax)(0, in.t0 - Kin);
        kt1 = FN(imin)(nt - 1, in.t1 + Kin);
        int64_t d0 = in.m0, d1 = in.m1;
        if (fused) {
            int64_t q = in.m0;
            while (q <= in.m1 && tb->stop[q]) q++;
            d0 = q <= in.m1 ? tb->lo[q] : 1;
            d1 = q <= in.m1 ? tb->lo[in.m1] + 1 : 0;
        }
        if (d0 <= d1)
            nw = (tr_box){kt0, kt1, d0, d1, FN(imax)(0, in.x0 - 1), FN(imin)(nx - 1, in.x1 + 1), FN(imax)(0, in.z0 - 1),
                          FN(imin)(nz - 1, in.z1 + 1)};
    }
    if (io->dense) nw = tr_box_full(io, 0, nx - 1, 0, nz - 1);
    FN(zero_outside)(out, io->os1, io->os3, io->os4, old, nw);

    /* scratch: scattered planes (fused), the gathered plane with a 2-cell zero border, occupancy, side cells */
    const int64_t L = in.t0 <= in.t1 ? in.x1 - in.x0 + 1 : 0, NZr = in.t0 <= in.t1 ? in.z1 - in.z0 + 1 : 0;
    const int64_t ntr = kt1 - kt0 + 1 > 0 ? kt1 - kt0 + 1 : 0;
    const int64_t W = fused ? tb->window : 0;
    const int64_t bL = L + 4, bN = bL * (NZr + 4);
    const size_t nA = (size_t)(W * ntr * NZr * L), nocc = (size_t)(4 * nx * nz), nside = (size_t)(8 * (nx + nz) + 8);
    const size_t bytes = (nA + (size_t)bN) * sizeof(T) + nocc * sizeof(T) + (nside + (size_t)W) * sizeof(int64_t) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom(fused ? "transport.step" : "transport.stream", bytes);
    T *Acache = (T *)mem, *Bbuf = Acache + nA;
    T *occm = Bbuf + bN;
    int64_t *side = (int64_t *)(((uintptr_t)(occm + nocc) + 7) & ~(uintptr_t)7);
    FN(occ_acc) oa;
    FN(occ_acc_init)(&oa, occm, io);
    /* side cells per direction quadrant (sx, sz) = (-,-), (+,-), (-,+), (+,+) */
    int64_t nsd[4], *sdc[4];
    {
        int64_t used = 0;
        for (int q = 0; q < 4; q++) {
            sdc[q] = side + used;
            nsd[q] = FN(side_cells)(io, q & 1 ? 1 : -1, q & 2 ? 1 : -1, sdc[q]);
            used += 2 * nsd[q];
        }
    }
    for (int64_t i = 0; i < bN; i++) Bbuf[i] = (T)0;
    /* B row j (x-indexed) of the gathered plane */
    T *Brow0 = Bbuf + (2 - in.z0) * bL + 2 - in.x0;
    /* scattered row (k, j) of source bin q (x-indexed): */
#define AROW(q, k) (Acache + ((((q) - in.m0) % (W ? W : 1)) * ntr + ((k) - kt0)) * NZr * L - in.z0 * L - in.x0)

    int64_t d = nw.m0;
    const int64_t dlast = nw.t0 <= nw.t1 ? nw.m1 : -1;
    const T **srcp = (const T **)(side + nside); /* W source rows of a gather */
    /* emit destination bin d: gather (fused), stream, escapes, occupancy */
#define EMIT()                                                                                                              \
    do {                                                                                                                    \
        int64_t q0 = d, q1 = d;                                                                                             \
        if (fused) { q0 = FN(imax)(tb->s0[d], in.m0); q1 = FN(imin)(tb->s1[d], in.m1); }                                   \
        else if (d < in.m0 || d > in.m1) q1 = q0 - 1;                                                                       \
        for (int64_t k = nw.t0; k <= nw.t1; k++) {                                                                          \
            const tr_stream_w *sw = &tb->sw[k];                                                                              \
            const T *B;                                                                                                     \
            int64_t bj;                                                                                                     \
            tr_box sb = in;                                                                                                 \
            if (q0 > q1 || k < kt0 || k > kt1 || in.t0 > in.t1) {                                                            \
                for (int64_t j = nw.z0; j <= nw.z1; j++) FN(zero_run)(out + j * io->os1 + k * io->os3 + d * io->os4, nw.x0, nw.x1); \
                continue;                                                                                                   \
            }                                                                                                               \
            if (fused) {                                                                                                    \
                for (int64_t q = q0; q <= q1; q++) srcp[q - q0] = AROW(q, k);                                               \
                FN(loss_gather)(tb, d, q0, q1, srcp, L, in.z0, in.z1, in.x0, in.x1, Brow0, bL);                            \
                B = Brow0;                                                                                                  \
                bj = bL;                                                                                                    \
            } else {                                                                                                        \
                B = psi + k * io->ps3 + d * io->ps4;                                                                        \
                bj = io->ps1;                                                                                               \
            }                                                                                                               \
            T *o = out + k * io->os3 + d * io->os4;                                                                         \
            FN(stream_rows)(sw, B, bj, o, io->os1, nw.z0, nw.z1, nw.x0, nw.x1);                                             \
            for (int64_t j = nw.z0; j <= nw.z1; j++) FN(occ_note)(&oa, o + j * io->os1, j, nw.x0, nw.x1, (int32_t)k, (int32_t)d); \
            const int qd = (sw->sx > 0) + 2 * (sw->sz > 0);                                                                \
            if (nsd[qd]) FN(escape)(io, sw, B, bj, sdc[qd], nsd[qd], sb, tb->E[d]);                                   \
        }                                                                                                                   \
        d++;                                                                                                                \
    } while (0)

    if (in.t0 <= in.t1)
        for (int64_t q = in.m0; q <= in.m1; q++) {
            if (fused) {
                FN(scatter_rows)(io, tb, psi, q, in, kt0, kt1, AROW(q, kt0) + in.z0 * L, NZr * L, L);
                FN(tally_lost)(io, tb, psi, q, in);
                FN(deposit)(io, tb, AROW(q, kt0), NZr * L, L, q, in, kt0, kt1);
            }
            while (d <= dlast) {
                int64_t q0 = d, q1 = d;
                if (fused) { q0 = FN(imax)(tb->s0[d], in.m0); q1 = FN(imin)(tb->s1[d], in.m1); }
                if (q0 <= q1 && q1 > q) break;
                EMIT();
            }
        }
    while (d <= dlast) EMIT();
#undef EMIT
#undef AROW
    FN(occ_store)(&oa, io, io->occn, io->ns1, io->nsc);
}

/* Angular scatter in place (psi, occ, tally). */
TR_INLINE void FN(scatter_body)(const tr_io *io, const tr_tables *tb)
{
    const int64_t nx = io->nx, nz = io->nz, nt = io->nt;
    T *psi = io->psi;
    const tr_box in = io->dense ? tr_box_full(io, 0, nx - 1, 0, nz - 1)
                                : tr_box_from_occ(io, io->occ, io->cs1, io->csc, 0, nx - 1, 0, nz - 1);
    const size_t nocc = (size_t)(4 * nx * nz);
    const int64_t L = in.x1 - in.x0 + 1, NZr = in.z1 - in.z0 + 1;
    const size_t nA = in.t0 <= in.t1 ? (size_t)(nt * NZr * L) : 0;
    const size_t bytes = nA * sizeof(T) + nocc * sizeof(T) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom("transport.angular_scatter", bytes);
    T *A = (T *)mem;
    FN(occ_acc) oa;
    FN(occ_acc_init)(&oa, A + nA, io);
    tr_box wr = in;
    if (in.t0 <= in.t1) {
        int64_t Kin = 0;
        for (int64_t m = in.m0; m <= in.m1; m++) Kin = FN(imax)(Kin, tb->K[m]);
        const int64_t k0 = io->dense ? 0 : FN(imax)(0, in.t0 - Kin), k1 = io->dense ? nt - 1 : FN(imin)(nt - 1, in.t1 + Kin);
        wr.t0 = k0;
        wr.t1 = k1;
        T *A0 = A - in.z0 * L - in.x0;
        for (int64_t m = in.m0; m <= in.m1; m++) {
            FN(scatter_rows)(io, tb, psi, m, in, k0, k1, A0 + in.z0 * L, NZr * L, L);
            FN(tally_lost)(io, tb, psi, m, in);
            for (int64_t k = k0; k <= k1; k++)
                for (int64_t j = in.z0; j <= in.z1; j++) {
                    const T *restrict s = A0 + (k - k0) * NZr * L + j * L;
                    T *restrict r = psi + j * io->ps1 + k * io->ps3 + m * io->ps4;
                    for (int64_t x = in.x0; x <= in.x1; x++) r[x] = s[x];
                }
        }
        FN(occ_scan)(&oa, io, psi, wr);
    }
    FN(occ_store)(&oa, io, (double *)io->occ, io->cs1, io->csc);
}

/* Energy loss in place (psi, occ, dose, tally). Destination d gathers from source bins >= d, so
 * ascending destinations never read a bin already overwritten (each is built in scratch first). */
TR_INLINE void FN(loss_body)(const tr_io *io, const tr_tables *tb)
{
    const int64_t nx = io->nx, nz = io->nz;
    T *psi = io->psi;
    const tr_box in = io->dense ? tr_box_full(io, 0, nx - 1, 0, nz - 1)
                                : tr_box_from_occ(io, io->occ, io->cs1, io->csc, 0, nx - 1, 0, nz - 1);
    const size_t nocc = (size_t)(4 * nx * nz);
    const int64_t L = in.x1 - in.x0 + 1, NZr = in.z1 - in.z0 + 1;
    const size_t nB = in.t0 <= in.t1 ? (size_t)(NZr * L) : 0;
    const int64_t W = tb->window;
    const size_t bytes = nB * sizeof(T) + nocc * sizeof(T) + (size_t)W * sizeof(T *) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom("transport.energy_loss", bytes);
    T *B = (T *)mem;
    T *occm = B + nB;
    const T **srcp = (const T **)(((uintptr_t)(occm + nocc) + 7) & ~(uintptr_t)7);
    FN(occ_acc) oa;
    FN(occ_acc_init)(&oa, occm, io);
    if (in.t0 <= in.t1) {
        for (int64_t m = in.m0; m <= in.m1; m++)
            FN(deposit)(io, tb, psi + in.t0 * io->ps3 + m * io->ps4, io->ps3, io->ps1, m, in, in.t0, in.t1);
        int64_t q = in.m0;
        while (q <= in.m1 && tb->stop[q]) q++;
        /* rewritten: the bins the weight moves to, and every source bin (stopped ones become empty) */
        const int64_t d0 = io->dense ? 0 : q <= in.m1 ? FN(imin)(in.m0, tb->lo[q]) : in.m0;
        const int64_t d1 = io->dense ? io->ne - 1 : in.m1;
        T *B0 = B - in.z0 * L - in.x0;
        for (int64_t d = d0; d <= d1; d++) {
            const int64_t q0 = FN(imax)(tb->s0[d], in.m0), q1 = FN(imin)(tb->s1[d], in.m1);
            for (int64_t k = in.t0; k <= in.t1; k++) {
                T *o = psi + k * io->ps3 + d * io->ps4;
                if (q0 > q1) {
                    for (int64_t j = in.z0; j <= in.z1; j++) FN(zero_run)(o + j * io->ps1, in.x0, in.x1);
                    continue;
                }
                for (int64_t s = q0; s <= q1; s++) srcp[s - q0] = psi + k * io->ps3 + s * io->ps4;
                FN(loss_gather)(tb, d, q0, q1, srcp, io->ps1, in.z0, in.z1, in.x0, in.x1, B0, L);
                for (int64_t j = in.z0; j <= in.z1; j++) {
                    const T *restrict s = B0 + j * L;
                    T *restrict r = o + j * io->ps1;
                    for (int64_t x = in.x0; x <= in.x1; x++) r[x] = s[x];
                }
            }
        }
        tr_box wr = in;
        wr.m0 = d0;
        wr.m1 = d1;
        FN(occ_scan)(&oa, io, psi, wr);
    }
    FN(occ_store)(&oa, io, (double *)io->occ, io->cs1, io->csc);
}

/* the entry points, one copy per SIMD variant */
SD_ISA_EACH(TR_VARIANT, advance, advance_body, (const tr_io *io, const tr_tables *tb, int fused), (io, tb, fused))
SD_ISA_EACH(TR_VARIANT, scatter, scatter_body, (const tr_io *io, const tr_tables *tb), (io, tb))
SD_ISA_EACH(TR_VARIANT, loss, loss_body, (const tr_io *io, const tr_tables *tb), (io, tb))
void FN(tr_advance)(const tr_io *io, const tr_tables *tb, int fused) { TR_PICK(advance)(io, tb, fused); }
void FN(tr_scatter)(const tr_io *io, const tr_tables *tb) { TR_PICK(scatter)(io, tb); }
void FN(tr_loss)(const tr_io *io, const tr_tables *tb) { TR_PICK(loss)(io, tb); }

#undef FN
#undef TR_CAT
#undef TR_CAT2
