/* loops_impl.h - the loop nests the transport ops share, for one psi type (T, SUF and FN defined by
 * advance.c): the occupancy notes, scatter, lost-angle tally, deposit, gather, streaming, escapes
 * and cutoff over one tile's planes. The summation orders are the ones transport_math.h states;
 * skipped terms are exact zeros, so the sparse loops give the dense results bit for bit. */
static inline int64_t FN(imax)(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t FN(imin)(int64_t a, int64_t b) { return a < b ? a : b; }

/* Per-cell occupancy of what a loop writes, over the cells of a buffer with row stride s1 (flat
 * index i = j * s1 + x, rows 0..nz-1; a span may cross ghost columns, which occ_store ignores).
 * Noting a value costs a compare and two byte ORs: mk[k][i] records theta bin k, md[i] the current E
 * bin, folded into m0/m1 when the E bin changes (each E bin's notes come together). */
typedef struct FN(occ_acc) {
    uint8_t *mk, *md;
    int32_t *m0, *m1;
    int64_t n, s1, lo, hi, cur;
} FN(occ_acc);

/* m0 and m1, then mk and md, per cell of nz rows of stride s1 */
static size_t FN(occ_acc_bytes)(const tr_io *io, int64_t s1)
{
    return (size_t)(io->nz * s1) * (2 * sizeof(int32_t) + (size_t)io->nt + 1) + 64;
}

static void FN(occ_acc_init)(FN(occ_acc) *o, void *mem, const tr_io *io, int64_t s1)
{
    const int64_t n = io->nz * s1;
    o->m0 = (int32_t *)mem;
    o->m1 = o->m0 + n;
    o->mk = (uint8_t *)(o->m1 + n);
    o->md = o->mk + io->nt * n;
    o->n = n;
    o->s1 = s1;
    o->lo = n;
    o->hi = -1;
    o->cur = -1;
    memset(o->mk, 0, (size_t)((io->nt + 1) * n));
    for (int64_t i = 0; i < n; i++) {
        o->m0[i] = (int32_t)io->ne;
        o->m1[i] = -1;
    }
}

/* Fold the current E bin's cells into m0/m1. */
static void FN(occ_flush)(FN(occ_acc) *o)
{
    const int32_t m = (int32_t)o->cur;
    int32_t *restrict m0 = o->m0, *restrict m1 = o->m1;
    uint8_t *restrict md = o->md;
    for (int64_t i = o->lo; i <= o->hi; i++) {
        const int z = md[i] != 0;
        m0[i] = z && m < m0[i] ? m : m0[i];
        m1[i] = z && m > m1[i] ? m : m1[i];
        md[i] = 0;
    }
    o->lo = o->n;
    o->hi = -1;
}

/* Cells i0..i1 (flat) of plane (theta k, E m) were written, values at v[i]: note the non-zero ones. */
static inline void FN(occ_note)(FN(occ_acc) *o, const T *restrict v, int64_t i0, int64_t i1, int64_t k, int64_t m)
{
    if (m != o->cur) {
        if (o->cur >= 0) FN(occ_flush)(o);
        o->cur = m;
    }
    uint8_t *restrict a = o->mk + k * o->n, *restrict b = o->md;
    SIMD
    for (int64_t i = i0; i <= i1; i++) {
        const uint8_t z = v[i] != (T)0;
        a[i] |= z;
        b[i] |= z;
    }
    o->lo = i0 < o->lo ? i0 : o->lo;
    o->hi = i1 > o->hi ? i1 : o->hi;
}

/* The interior cells' [first theta, last theta, first E, last E] into occ (empty: [nt, -1, ne, -1]). */
static void FN(occ_store)(FN(occ_acc) *o, const tr_io *io, double *occ, int64_t cs1, int64_t sc)
{
    if (o->cur >= 0) FN(occ_flush)(o);
    for (int64_t j = 0; j < io->nz; j++)
        for (int64_t x = 0; x < io->nx; x++) {
            const int64_t i = j * o->s1 + x, c = x + j * cs1;
            int64_t t0 = io->nt, t1 = -1;
            for (int64_t k = 0; k < io->nt; k++)
                if (o->mk[k * o->n + i]) {
                    t0 = t0 < k ? t0 : k;
                    t1 = k;
                }
            occ[c] = (double)t0;
            occ[c + sc] = (double)t1;
            occ[c + 2 * sc] = (double)o->m0[i];
            occ[c + 3 * sc] = (double)o->m1[i];
        }
}

/* Scan psi (row stride = the accumulator's) over box b: the exact per-cell occupancy (cells outside
 * b: empty). */
static void FN(occ_scan)(FN(occ_acc) *o, const tr_io *io, const T *psi, tr_box b)
{
    if (b.t0 > b.t1) return;
    for (int64_t m = b.m0; m <= b.m1; m++)
        for (int64_t k = b.t0; k <= b.t1; k++)
            for (int64_t j = b.z0; j <= b.z1; j++)
                FN(occ_note)(o, psi + k * io->ps3 + m * io->ps4, j * io->ps1 + b.x0, j * io->ps1 + b.x1, k, m);
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

/* The cache lines of the flat span i0..i1 of psi's plane TR_AHEAD planes after (E m, theta k), in
 * address order (past the last angle bin, E bin m + 1's first ones; none past E bin mlast),
 * requested ahead of their use. The ops read psi's planes in that order, yet the hardware
 * prefetcher alone leaves their loops waiting on memory (they also read and write the partial
 * planes and psi_next): requests a few planes ahead hide the latency (docs/transport.md). */
static inline void FN(prefetch_ahead)(const tr_io *io, const T *psi, int64_t m, int64_t k, int64_t mlast, int64_t i0, int64_t i1)
{
    const int64_t ka = k + TR_AHEAD, ma = m + ka / io->nt;
    if (ma > mlast) return;
    const T *p = psi + (ka % io->nt) * io->ps3 + ma * io->ps4;
    /* every line from the one holding i0 to the one holding i1 (addresses: none formed past psi) */
    const uintptr_t a1 = (uintptr_t)(p + i1);
    for (uintptr_t a = (uintptr_t)(p + i0) & ~(uintptr_t)63; a <= a1; a += 64) __builtin_prefetch((const void *)a, 0, 3);
}

/* The 3-term angular kernel of bin (m, k) where bins t0..t1 hold the weight: its source planes s0,
 * s1, s2 (bins k + 1, k, k - 1, clipped terms aside) and weights, in the order its sum adds them;
 * returns 0 where the kernel has another number of terms (a wider one, or clipped at t0 or t1). */
typedef struct FN(taps3) {
    const T *s0, *s1, *s2;
    T w0, w1, w2;
} FN(taps3);

static inline int FN(taps3_of)(const tr_io *io, const tr_tables *tb, const T *psi, int64_t m, int64_t t0, int64_t t1, int64_t k,
                               FN(taps3) *t)
{
    const int64_t K = tb->K[m], da = FN(imax)(-K, k - t1), db = FN(imin)(K, k - t0);
    if (db - da != 2) return 0;
    const double *w = tb->w + tb->woff[m] + K;
    t->s0 = psi + (k - da) * io->ps3 + m * io->ps4;
    t->s1 = t->s0 - io->ps3;
    t->s2 = t->s1 - io->ps3;
    t->w0 = (T)w[da];
    t->w1 = (T)w[da + 1];
    t->w2 = (T)w[da + 2];
    return 1;
}

/* The energy a weight r of bin E_m leaves in its cell when it moves on as w_lo = f r at E_lo and
 * w_hi = r - w_lo at E_hi (energy_loss's deposit, and the fused step's). */
static inline double FN(loss_dose)(T r, T wl, T wh, double Em, double El, double Eh)
{
    return (double)r * Em - ((double)wl * El + (double)wh * Eh);
}

/* Angular scatter of source E bin m over the cells of the flat span i0..i1 of psi's planes: for k in
 * [k0, k1]
 *     A[k] = sum_{d = -K..K ascending, k - d in [t0, t1]} w_d psi[k - d]
 * (bins outside [t0, t1] hold zeros), bin k's plane at dst + (k - k0) * dk, indexed by the flat i.
 * Vectorised across cells (a span is many rows long, so loop overheads are paid per plane, not per
 * row): the 3-term kernel in one pass, a wider one summed over every term a block of cells at a time. */
TR_INLINE void FN(scatter_span)(const tr_io *io, const tr_tables *tb, const T *psi, int64_t m, int64_t t0, int64_t t1, int64_t k0,
                                int64_t k1, int64_t i0, int64_t i1, T *dst, int64_t dk)
{
    const int64_t K = tb->K[m];
    const double *w = tb->w + tb->woff[m] + K;
    for (int64_t k = k0; k <= k1; k++) {
        const int64_t da = FN(imax)(-K, k - t1), db = FN(imin)(K, k - t0);
        T *restrict a = dst + (k - k0) * dk;
        const T *s = psi + k * io->ps3 + m * io->ps4; /* d = 0; bin k - d at s - d ps3 */
        /* the common 3-term kernel in one pass. Either way each sum starts from 0 and adds the terms
         * in d order */
        FN(taps3) t3;
        if (FN(taps3_of)(io, tb, psi, m, t0, t1, k, &t3)) {
            const T w0 = t3.w0, w1 = t3.w1, w2 = t3.w2;
            const T *restrict s0 = t3.s0, *restrict s1 = t3.s1, *restrict s2 = t3.s2;
            SIMD
            for (int64_t i = i0; i <= i1; i++) a[i] = (((T)0 + w0 * s0[i]) + w1 * s1[i]) + w2 * s2[i];
            continue;
        }
        /* a wider kernel: blocks of TR_BLOCK cells summed over every term in registers, then the
         * rest in chunks of TR_CHUNK cells summed in L1 */
        int64_t c0 = i0;
        for (; c0 + TR_BLOCK - 1 <= i1; c0 += TR_BLOCK) {
            T acc[TR_BLOCK];
            for (int u = 0; u < TR_BLOCK; u++) acc[u] = (T)0;
            for (int64_t d = da; d <= db; d++) {
                const T wd = (T)w[d];
                const T *restrict sd = s - d * io->ps3 + c0;
                for (int u = 0; u < TR_BLOCK; u++) acc[u] += wd * sd[u];
            }
            for (int u = 0; u < TR_BLOCK; u++) a[c0 + u] = acc[u];
        }
        for (; c0 <= i1; c0 += TR_CHUNK) {
            const int64_t c1 = FN(imin)(c0 + TR_CHUNK - 1, i1);
            SIMD
            for (int64_t i = c0; i <= c1; i++) a[i] = (T)0;
            for (int64_t d = da; d <= db; d++) {
                const T wd = (T)w[d];
                const T *restrict sd = s - d * io->ps3;
                SIMD
                for (int64_t i = c0; i <= c1; i++) a[i] += wd * sd[i];
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

/* Energy deposit of source E bin m whose (scattered) planes are at a (bin k's at a + (k - k0) * dk,
 * indexed by the flat cell index of row stride s1), over k in [k0, k1] ascending, interior cells
 * of box in, into the dose plane dz (the same flat index; dose_load/dose_store). Stopped: tally 0
 * += w, dose += w E_m, tally 6 += w E_m. Else with w_lo = f_lo w (in T) and w_hi = w - w_lo:
 * dose += w E_m - (w_lo E_lo + w_hi E_lo+1), as one flat span (cells outside the box add exact
 * zeros; ghost columns land in dz's ghost columns, which are not stored). */
TR_INLINE void FN(deposit)(const tr_io *io, const tr_tables *tb, const T *a, int64_t dk, int64_t s1, int64_t m, tr_box in, int64_t k0,
                           int64_t k1, double *dz)
{
    const double Em = tb->E[m];
    const int64_t xa = FN(imax)(in.x0, 0), xb = FN(imin)(in.x1, io->nx - 1);
    const int64_t za = FN(imax)(in.z0, 0), zb = FN(imin)(in.z1, io->nz - 1);
    const int stop = tb->stop[m];
    const int64_t lo = tb->lo[m];
    const T f = (T)tb->flo[m];
    const double El = tb->E[lo], Eh = stop ? 0.0 : tb->E[lo + 1];
    for (int64_t k = k0; k <= k1; k++) {
        const T *restrict r = a + (k - k0) * dk;
        if (stop) {
            for (int64_t j = za; j <= zb; j++) {
                double *restrict t0 = io->tally + j * io->ts1, *restrict t6 = io->tally + j * io->ts1 + 6 * io->tsc;
                for (int64_t x = xa; x <= xb; x++) {
                    const double w = (double)r[j * s1 + x], e = w * Em;
                    t0[x] += w;
                    dz[j * s1 + x] += e;
                    t6[x] += e;
                }
            }
        } else {
            double *restrict dd = dz;
            SIMD
            for (int64_t i = za * s1 + xa; i <= zb * s1 + xb; i++) {
                const T wl = f * r[i], wh = r[i] - wl;
                dd[i] += FN(loss_dose)(r[i], wl, wh, Em, El, Eh);
            }
        }
    }
}

/* The tile's dose into the flat plane dz of row stride s1 (interior cells; the n values from clear
 * are zeroed first: spans add into ghost columns and rows), and back. */
static void FN(dose_load)(const tr_io *io, double *dz, int64_t s1, double *clear, size_t n)
{
    memset(clear, 0, n * sizeof(double));
    for (int64_t j = 0; j < io->nz; j++) memcpy(dz + j * s1, io->dose + j * io->ds1, (size_t)io->nx * sizeof(double));
}
static void FN(dose_store)(const tr_io *io, const double *dz, int64_t s1)
{
    for (int64_t j = 0; j < io->nz; j++) memcpy(io->dose + j * io->ds1, dz + j * s1, (size_t)io->nx * sizeof(double));
}

/* Destination E bin m of the energy loss from the source planes of bins s0..s1 (ascending):
 *     B = sum_q (lo[q] == m ? f_lo[q] A_q : A_q - f_lo[q] A_q)
 * over the flat span i0..i1 (source q's plane at srcq[q - s0], b indexed alike). */
static inline void FN(loss_gather)(const tr_tables *tb, int64_t m, int64_t s0, int64_t s1, const T *const *srcq, int64_t i0,
                                   int64_t i1, T *restrict o)
{
    SIMD
    for (int64_t i = i0; i <= i1; i++) o[i] = (T)0;
    for (int64_t q = s0; q <= s1; q++) {
        const T f = (T)tb->flo[q];
        const T *restrict s = srcq[q - s0];
        if (tb->lo[q] == m) {
            SIMD
            for (int64_t i = i0; i <= i1; i++) o[i] += f * s[i];
        } else {
            SIMD
            for (int64_t i = i0; i <= i1; i++) o[i] += s[i] - f * s[i];
        }
    }
}

/* Stream one (theta k, E m) plane of B (row stride bj) into out (row stride os1), rows z0..z1, cells
 * x0..x1:
 *     out = ((c00 B[i] + c10 B[i - sx]) + c01 B[i - sz bj]) + c11 B[i - sx - sz bj]
 * Row by row, so out's ghost columns are never written (a flat span across them had to read them,
 * a cache miss per row of a plane no one had read yet, to restore them). */
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

/* Escapes of one (k, m) plane from the tile's cells on the grid's sides, through the runs of its
 * direction quadrant (escape_list): term e->c of source cells B[e->b + i] into tally elements
 * e->t + i (weight) and e->t + i + 6 tsc (energy), i < e->n; cs = the stream's c10, c01, c11 in T.
 * Cells without weight add exact zeros. (The coefficients come in as T values: GCC 12's SLP
 * vectoriser dropped the rounding of `(double)(float)sw->c10` when the pair was built here.) */
static void FN(escape)(const tr_io *io, const T cs[3], const T *b, const tr_esc *e, int64_t ne, double Em)
{
    const int64_t off = 6 * io->tsc;
    for (int64_t n = 0; n < ne; n++) {
        const double c = (double)cs[e[n].c];
        const T *restrict s = b + e[n].b;
        double *restrict tw = io->tally + e[n].t, *restrict te = tw + off;
        SIMD
        for (int64_t i = 0; i < e[n].n; i++) {
            const double v = (double)s[i] * c;
            tw[i] += v;
            te[i] += v * Em;
        }
    }
}

/* The escapes of direction quadrant (sx, sz): the interior cells on the grid's side x = 0 (sx < 0)
 * or x = X (sx > 0), or z = 0 / Z likewise, and of each its terms c10, c01, c11 whose destination
 * is outside, with the side channel (x first when outside in x) of the source cell's tally; B's
 * row stride bj. Listed term by term (every cell's c10, then c01, then c11: a tally element gets
 * its own cell's terms only, so each element still sums them in term order), and cells in a row
 * whose B and tally elements follow each other merged into one run (a z side is one run per
 * term). Returns the number of runs (at most 3 (nx + nz)). */
static int64_t FN(escape_list)(const tr_io *io, int sx, int sz, int64_t bj, tr_esc *e)
{
    int64_t n = 0;
    const int64_t edge_x = sx < 0 ? 0 : io->NX - 1, edge_z = sz < 0 ? 0 : io->NZ - 1;
    const int ax[3] = {1, 0, 1}, az[3] = {0, 1, 1};
    for (int t = 0; t < 3; t++)
        for (int64_t z = 0; z < io->nz; z++)
            for (int64_t x = 0; x < io->nx; x++) {
                const int64_t gx = io->gx0 + x, gz = io->gz0 + z;
                if (gx != edge_x && gz != edge_z) continue;
                const int64_t dx = gx + ax[t] * sx, dz = gz + az[t] * sz;
                int ch = -1;
                if (dx < 0) ch = 2;
                else if (dx >= io->NX) ch = 3;
                else if (dz < 0) ch = 4;
                else if (dz >= io->NZ) ch = 5;
                if (ch < 0) continue;
                const tr_esc r = {x + z * bj, x + z * io->ts1 + ch * io->tsc, t, 1};
                if (n && e[n - 1].c == t && e[n - 1].b + e[n - 1].n == r.b && e[n - 1].t + e[n - 1].n == r.t) e[n - 1].n++;
                else e[n++] = r;
            }
    return n;
}

/* The cutoff of the fused step over cells i0..i1 (flat) of one streamed plane o of E bin centre Ed:
 * a weight below cut becomes 0 and stops in its cell, its weight and energy summed per cell (in
 * the planes' order, d then k ascending) into cw and ce (added to tally 0, 6 and the dose at the end
 * of the task, cut_store). */
static inline void FN(cut_span)(T *restrict o, int64_t i0, int64_t i1, T cut, double Ed, double *restrict cw, double *restrict ce)
{
    SIMD
    for (int64_t i = i0; i <= i1; i++) {
        const T v = o[i], c = v < cut ? v : (T)0;
        o[i] = v - c;
        cw[i] += (double)c;
        ce[i] += (double)c * Ed;
    }
}

/* The cut weights of the tile's interior cells (flat planes cw, ce of row stride s1) into tally 0
 * (weight), tally 6 and the dose plane dz (energy). */
static void FN(cut_store)(const tr_io *io, const double *cw, const double *ce, double *dz, int64_t s1)
{
    for (int64_t j = 0; j < io->nz; j++) {
        double *restrict t0 = io->tally + j * io->ts1, *restrict t6 = io->tally + j * io->ts1 + 6 * io->tsc;
        for (int64_t x = 0; x < io->nx; x++) {
            t0[x] += cw[j * s1 + x];
            t6[x] += ce[j * s1 + x];
            dz[j * s1 + x] += ce[j * s1 + x];
        }
    }
}

/* The flat span of box b's cells in a buffer of row stride s1 (from its first row's first cell to
 * its last row's last cell). */
static inline void FN(span_of)(tr_box b, int64_t s1, int64_t *i0, int64_t *i1)
{
    *i0 = b.z0 * s1 + b.x0;
    *i1 = b.z1 * s1 + b.x1;
}

