/* advance_impl.h - the transport ops' CPU loops over one tile for one psi type (T, SUF and FN
 * defined by advance.c; the loop nests in loops_impl.h): transport.stream, the fused transport.step,
 * and the in-place angular_scatter and energy_loss, each compiled once per SIMD variant. */
/* What streaming a plane into out needs: the box written (nw; its angle bins are the scattered
 * ones), the occupancy notes, the cutoff and its sums (cw, ce with psi's row stride), the escape lists. */
typedef struct FN(emitter) {
    const tr_io *io;
    const tr_tables *tb;
    tr_box nw;
    int64_t g0, g1; /* nw's flat span in out */
    FN(occ_acc) *oa;
    int cutting;
    T cut;
    double *cw, *ce;
    const tr_esc *sdc[4];
    int64_t nsd[4];
} FN(emitter);

/* Destination plane (theta k, E d): streamed from B (psi's row stride; NULL: no sources, zeros),
 * then its cutoff, occupancy and escapes through the grid's sides. */
static inline void FN(emit_plane)(const FN(emitter) *e, int64_t d, int64_t k, const T *B)
{
    const tr_io *io = e->io;
    const tr_box nw = e->nw;
    T *o = (T *)io->out + k * io->os3 + d * io->os4;
    if (!B) {
        for (int64_t j = nw.z0; j <= nw.z1; j++) FN(zero_run)(o + j * io->os1, nw.x0, nw.x1);
        return;
    }
    const tr_stream_w *sw = &e->tb->sw[k];
    FN(stream_rows)(sw, B, io->ps1, o, io->os1, nw.z0, nw.z1, nw.x0, nw.x1);
    if (e->cutting)
        for (int64_t j = nw.z0; j <= nw.z1; j++)
            FN(cut_span)(o + j * io->os1, nw.x0, nw.x1, e->cut, e->tb->E[d], e->cw + j * io->ps1, e->ce + j * io->ps1);
    FN(occ_note)(e->oa, o, e->g0, e->g1, k, d);
    const int qd = (sw->sx > 0) + 2 * (sw->sz > 0);
    const T cs[3] = {(T)sw->c10, (T)sw->c01, (T)sw->c11};
    if (e->nsd[qd]) FN(escape)(io, cs, B, e->sdc[qd], e->nsd[qd], e->tb->E[d]);
}

/* The box of source bins (in: the occupied cells plus one ghost cell, its flat span f0..f1 in psi),
 * the box the step or the stream writes (nw; empty: t0 > t1) and the angle bins after scattering
 * (kt0..kt1). */
typedef struct FN(plan) {
    tr_box in, nw;
    int64_t kt0, kt1, f0, f1;
} FN(plan);

/* The plan of this tile, and out cleared where it held weight last time (old) outside nw. */
static FN(plan) FN(plan_of)(const tr_io *io, const tr_tables *tb, int fused)
{
    const int64_t nx = io->nx, nz = io->nz, nt = io->nt;
    FN(plan) p = {.kt0 = 0, .kt1 = -1, .f0 = 0, .f1 = -1};
    p.in = io->dense ? tr_box_full(io, -1, nx, -1, nz) : tr_box_from_occ(io, io->occ, io->cs1, io->csc, -1, nx, -1, nz);
    const tr_box in = p.in;
    const tr_box old = io->dense ? tr_box_full(io, 0, nx - 1, 0, nz - 1)
                                 : tr_box_from_occ(io, io->occn, io->ns1, io->nsc, 0, nx - 1, 0, nz - 1);
    p.nw = (tr_box){.t0 = 1, .t1 = 0};
    if (in.t0 <= in.t1) {
        int64_t Kin = 0;
        if (fused)
            for (int64_t m = in.m0; m <= in.m1; m++) Kin = FN(imax)(Kin, tb->K[m]);
        p.kt0 = FN(imax)(0, in.t0 - Kin);
        p.kt1 = FN(imin)(nt - 1, in.t1 + Kin);
        int64_t d0 = in.m0, d1 = in.m1;
        if (fused) {
            int64_t q = in.m0;
            while (q <= in.m1 && tb->stop[q]) q++;
            d0 = q <= in.m1 ? tb->lo[q] : 1;
            d1 = q <= in.m1 ? tb->lo[in.m1] + 1 : 0;
        }
        if (d0 <= d1)
            p.nw = (tr_box){p.kt0, p.kt1, d0, d1, FN(imax)(0, in.x0 - 1), FN(imin)(nx - 1, in.x1 + 1), FN(imax)(0, in.z0 - 1),
                            FN(imin)(nz - 1, in.z1 + 1)};
        FN(span_of)(in, io->ps1, &p.f0, &p.f1);
    }
    if (io->dense) p.nw = tr_box_full(io, 0, nx - 1, 0, nz - 1);
    FN(zero_outside)((T *)io->out, io->os1, io->os3, io->os4, old, p.nw);
    return p;
}

/* Bytes of the escape lists (escape_list: at most 3 (nx + nz) runs per quadrant). */
static size_t FN(side_bytes)(const tr_io *io) { return (size_t)(12 * (io->nx + io->nz) + 4) * sizeof(tr_esc); }

/* The emitter of plan p: occupancy accumulator oa (its memory at occm), escape lists in side. */
static void FN(emitter_init)(FN(emitter) *e, const tr_io *io, const tr_tables *tb, const FN(plan) *p, FN(occ_acc) *oa, void *occm,
                             tr_esc *side)
{
    *e = (FN(emitter)){.io = io, .tb = tb, .nw = p->nw, .g0 = 0, .g1 = -1, .oa = oa};
    if (p->nw.t0 <= p->nw.t1) FN(span_of)(p->nw, io->os1, &e->g0, &e->g1);
    FN(occ_acc_init)(oa, occm, io, io->os1);
    int64_t used = 0;
    for (int q = 0; q < 4; q++) { /* direction quadrants (sx, sz) = (-,-), (+,-), (-,+), (+,+) */
        e->sdc[q] = side + used;
        e->nsd[q] = FN(escape_list)(io, q & 1 ? 1 : -1, q & 2 ? 1 : -1, io->ps1, side + used);
        used += e->nsd[q];
    }
}

/* transport.stream alone, psi -> psi_next: every written plane from psi's plane of the same bins
 * (advance: the stream op; step: the fused one). */
TR_INLINE void FN(advance_body)(const tr_io *io, const tr_tables *tb)
{
    const FN(plan) p = FN(plan_of)(io, tb, 0);
    const size_t bytes = FN(side_bytes)(io) + FN(occ_acc_bytes)(io, io->os1) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom("transport.stream", bytes);
    FN(emitter) e;
    FN(occ_acc) oa;
    FN(emitter_init)(&e, io, tb, &p, &oa, mem + FN(side_bytes)(io), (tr_esc *)mem);
    const T *psi = (const T *)io->psi;
    if (p.nw.t0 <= p.nw.t1) /* then in is not empty either */
        for (int64_t d = p.nw.m0; d <= p.nw.m1; d++)
            for (int64_t k = p.nw.t0; k <= p.nw.t1; k++) {
                const int src = d >= p.in.m0 && d <= p.in.m1;
                if (src) FN(prefetch_ahead)(io, psi, d, k, p.in.m1, p.f0, p.f1);
                FN(emit_plane)(&e, d, k, src ? psi + k * io->ps3 + d * io->ps4 : NULL);
            }
    FN(occ_store)(&oa, io, io->occn, io->ns1, io->nsc);
}

/* One plane (E q, theta k) of the fused step over the flat span i0..i1, from the scattered value
 * r (NTAP = 3: the 3-term kernel from psi's planes s0, s1, s2 with w0..w2, summed as scatter_span
 * does; NTAP = 1: r = s0[i], a plane scatter_span wrote): its energy deposit into dz (deposit's
 * formula) and its two shares, w_lo = f r to destination lo[q] (pl) and r - w_lo to lo[q] + 1 (ph),
 * each added to the destination's partial sum (FL, FH: q is its first source, the sum starts at 0),
 * so each destination sums its sources in ascending order as loss_gather does. */
TR_INLINE void FN(share)(const T *restrict s0, const T *restrict s1, const T *restrict s2, T w0, T w1, T w2, T f, double Em, double El,
                          double Eh, double *restrict dz, T *restrict pl, T *restrict ph, int64_t i0, int64_t i1, const int NTAP,
                          const int FL, const int FH)
{
    SIMD
    for (int64_t i = i0; i <= i1; i++) {
        const T r = NTAP == 3 ? (((T)0 + w0 * s0[i]) + w1 * s1[i]) + w2 * s2[i] : s0[i];
        const T wl = f * r, wh = r - wl;
        dz[i] += FN(loss_dose)(r, wl, wh, Em, El, Eh);
        pl[i] = (FL ? (T)0 : pl[i]) + wl;
        ph[i] = (FH ? (T)0 : ph[i]) + wh;
    }
}

#define TR_SHARE(NTAP, FL, FH) FN(share)(t3.s0, t3.s1, t3.s2, t3.w0, t3.w1, t3.w2, f, Em, El, Eh, dz, pl, ph, p.f0, p.f1, NTAP, FL, FH)

/* transport.step: scatter, energy loss and streaming in one pass over a tile. For each source E bin
 * q (ascending) and angle bin k, one loop over the plane's cells scatters psi (3 terms; a wider
 * kernel goes through a plane in L1 first), deposits the energy lost and adds the two shares of
 * each value into the partial planes of its destinations lo[q] and lo[q] + 1 (a ring of two plane
 * sets: only those two can be pending). A destination whose last source is q is streamed into
 * psi_next plane by plane, right after its plane is complete, while it is in cache; one completed
 * after that (the last bins, or a gap in lo) is streamed from its planes after q. Every sum keeps the
 * operators' order (docs/transport.md, "The fused step"), so the result is angular_scatter,
 * energy_loss and stream in sequence, bit for bit. */
TR_INLINE void FN(step_body)(const tr_io *io, const tr_tables *tb)
{
    const int64_t nz = io->nz, s1 = io->ps1;
    const T *psi = (const T *)io->psi;
    const FN(plan) p = FN(plan_of)(io, tb, 1);
    const tr_box in = p.in, nw = p.nw;
    const int64_t ntr = p.kt1 - p.kt0 + 1 > 0 ? p.kt1 - p.kt0 + 1 : 0;
    /* planes with psi's row stride and a ghost ring (rows -1..nz): index 0 = cell (0, 0) at PO */
    const int64_t PF = (nz + 2) * s1 + 2, PO = s1 + 1;
    const int cutting = io->cutoff > 0.0;
    const size_t ndz = (size_t)((cutting ? 3 : 1) * PF); /* dose (and the cut weight and energy) */
    const size_t nP = (size_t)((2 * ntr + 1) * PF);      /* two destinations' planes, one scattered plane */
    const size_t bytes = ndz * sizeof(double) + nP * sizeof(T) + FN(side_bytes)(io) + FN(occ_acc_bytes)(io, io->os1) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom("transport.step", bytes);
    double *dz = (double *)mem + PO, *cw = dz + PF, *ce = cw + PF;
    T *Pmem = (T *)((double *)mem + ndz), *Atmp = Pmem + 2 * ntr * PF + PO;
    tr_esc *side = (tr_esc *)(((uintptr_t)(Pmem + nP) + 63) & ~(uintptr_t)63); /* f32 planes can end off 8 bytes */
    FN(emitter) e;
    FN(occ_acc) oa;
    FN(emitter_init)(&e, io, tb, &p, &oa, (char *)side + FN(side_bytes)(io), side);
    e.cutting = cutting;
    e.cut = (T)io->cutoff;
    e.cw = cw;
    e.ce = ce;
    FN(dose_load)(io, dz, s1, dz - PO, ndz); /* the cut sums too */
    /* destination d's plane k (ring slot d % 2); outside the source span the planes hold zeros */
#define PPLANE(d, k) (Pmem + (((d) & 1) * ntr + ((k) - p.kt0)) * PF + PO)
    for (int64_t n = 0; n < 2 * ntr; n++) {
        T *pz = Pmem + n * PF + PO;
        FN(zero_run)(pz, -PO, p.f0 - 1);
        FN(zero_run)(pz, p.f1 + 1, PF - PO - 1);
    }
    FN(zero_run)(Atmp, -PO, PF - PO - 1);
    int64_t d = nw.m0;
    const int64_t dlast = nw.t0 <= nw.t1 ? nw.m1 : -1;
#define Q0(d) FN(imax)(tb->s0[d], in.m0)
#define Q1(d) FN(imin)(tb->s1[d], in.m1)
    /* every plane of destination d, complete or without sources */
#define EMIT_ALL()                                                                                                          \
    do {                                                                                                                    \
        const int src = Q0(d) <= Q1(d);                                                                                     \
        for (int64_t k = nw.t0; k <= nw.t1; k++) FN(emit_plane)(&e, d, k, src ? PPLANE(d, k) : NULL);                      \
        d++;                                                                                                                \
    } while (0)
    if (in.t0 <= in.t1)
        for (int64_t q = in.m0; q <= in.m1; q++) {
            while (d <= dlast && Q0(d) > Q1(d)) EMIT_ALL(); /* no sources */
            const int stop = tb->stop[q];
            const int64_t dl = tb->lo[q], dh = dl + 1;
            const int FL = !stop && q == Q0(dl), FH = !stop && q == Q0(dh);
            const int inter = !stop && d == dl && q == Q1(dl); /* dl is complete after q */
            const T f = (T)tb->flo[q];
            const double Em = tb->E[q], El = stop ? 0.0 : tb->E[dl], Eh = stop ? 0.0 : tb->E[dh];
            for (int64_t k = p.kt0; k <= p.kt1; k++) {
                T *pl = stop ? NULL : PPLANE(dl, k), *ph = stop ? NULL : PPLANE(dh, k);
                FN(prefetch_ahead)(io, psi, q, k, in.m1, p.f0, p.f1);
                FN(taps3) t3 = {.s0 = Atmp}; /* NTAP 1: the scattered plane */
                const int three = !stop && FN(taps3_of)(io, tb, psi, q, in.t0, in.t1, k, &t3);
                if (!three) FN(scatter_span)(io, tb, psi, q, in.t0, in.t1, k, k, p.f0, p.f1, Atmp, 0);
                if (stop) FN(deposit)(io, tb, Atmp, 0, s1, q, in, k, k, dz);
                else if (three) {
                    if (FL) { if (FH) TR_SHARE(3, 1, 1); else TR_SHARE(3, 1, 0); }
                    else { if (FH) TR_SHARE(3, 0, 1); else TR_SHARE(3, 0, 0); }
                } else {
                    if (FL) { if (FH) TR_SHARE(1, 1, 1); else TR_SHARE(1, 1, 0); }
                    else { if (FH) TR_SHARE(1, 0, 1); else TR_SHARE(1, 0, 0); }
                }
                if (inter) FN(emit_plane)(&e, dl, k, pl);
            }
            FN(tally_lost)(io, tb, psi, q, in);
            if (inter) d++;
            while (d <= dlast && (Q0(d) > Q1(d) || Q1(d) <= q)) EMIT_ALL();
        }
    while (d <= dlast) EMIT_ALL();
#undef EMIT_ALL
#undef Q0
#undef Q1
#undef PPLANE
    if (cutting) FN(cut_store)(io, cw, ce, dz, s1);
    FN(dose_store)(io, dz, s1);
    FN(occ_store)(&oa, io, io->occn, io->ns1, io->nsc);
}
#undef TR_SHARE

/* Angular scatter in place (psi, occ, tally): each source bin's planes scattered into scratch (flat
 * spans of the box), then copied back row by row (the ghost columns keep their values). */
TR_INLINE void FN(scatter_body)(const tr_io *io, const tr_tables *tb)
{
    const int64_t nx = io->nx, nz = io->nz, nt = io->nt;
    T *psi = io->psi;
    const tr_box in = io->dense ? tr_box_full(io, 0, nx - 1, 0, nz - 1)
                                : tr_box_from_occ(io, io->occ, io->cs1, io->csc, 0, nx - 1, 0, nz - 1);
    int64_t f0 = 0, f1 = -1;
    if (in.t0 <= in.t1) FN(span_of)(in, io->ps1, &f0, &f1);
    const int64_t PA = f1 - f0 + 1;
    const size_t nA = (size_t)(nt * PA);
    const size_t bytes = nA * sizeof(T) + FN(occ_acc_bytes)(io, io->ps1) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom("transport.angular_scatter", bytes);
    T *A = (T *)mem;
    FN(occ_acc) oa;
    FN(occ_acc_init)(&oa, (void *)(((uintptr_t)(A + nA) + 7) & ~(uintptr_t)7), io, io->ps1);
    tr_box wr = in;
    if (in.t0 <= in.t1) {
        int64_t Kin = 0;
        for (int64_t m = in.m0; m <= in.m1; m++) Kin = FN(imax)(Kin, tb->K[m]);
        const int64_t k0 = io->dense ? 0 : FN(imax)(0, in.t0 - Kin), k1 = io->dense ? nt - 1 : FN(imin)(nt - 1, in.t1 + Kin);
        wr.t0 = k0;
        wr.t1 = k1;
        T *A0 = A - f0;
        for (int64_t m = in.m0; m <= in.m1; m++) {
            FN(scatter_span)(io, tb, psi, m, in.t0, in.t1, k0, k1, f0, f1, A0, PA);
            FN(tally_lost)(io, tb, psi, m, in);
            for (int64_t k = k0; k <= k1; k++)
                for (int64_t j = in.z0; j <= in.z1; j++) {
                    const T *restrict s = A0 + (k - k0) * PA + j * io->ps1;
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
    int64_t f0 = 0, f1 = -1;
    if (in.t0 <= in.t1) FN(span_of)(in, io->ps1, &f0, &f1);
    const size_t nB = (size_t)(f1 - f0 + 1);
    const int64_t W = tb->window;
    const size_t ndz = (size_t)(nz * io->ps1);
    const size_t bytes = ndz * sizeof(double) + nB * sizeof(T) + FN(occ_acc_bytes)(io, io->ps1) + (size_t)W * sizeof(T *) + 64;
    char *mem = tr_scratch(bytes);
    if (!mem) tr_oom("transport.energy_loss", bytes);
    double *dz = (double *)mem;
    T *B = (T *)(dz + ndz);
    const T **srcp = (const T **)(((uintptr_t)(B + nB) + 7) & ~(uintptr_t)7);
    FN(occ_acc) oa;
    FN(occ_acc_init)(&oa, srcp + W, io, io->ps1);
    if (in.t0 <= in.t1) {
        FN(dose_load)(io, dz, io->ps1, dz, ndz);
        for (int64_t m = in.m0; m <= in.m1; m++)
            FN(deposit)(io, tb, psi + in.t0 * io->ps3 + m * io->ps4, io->ps3, io->ps1, m, in, in.t0, in.t1, dz);
        FN(dose_store)(io, dz, io->ps1);
        int64_t q = in.m0;
        while (q <= in.m1 && tb->stop[q]) q++;
        /* rewritten: the bins the weight moves to, and every source bin (stopped ones become empty) */
        const int64_t d0 = io->dense ? 0 : q <= in.m1 ? FN(imin)(in.m0, tb->lo[q]) : in.m0;
        const int64_t d1 = io->dense ? io->ne - 1 : in.m1;
        T *B0 = B - f0;
        for (int64_t d = d0; d <= d1; d++) {
            const int64_t q0 = FN(imax)(tb->s0[d], in.m0), q1 = FN(imin)(tb->s1[d], in.m1);
            for (int64_t k = in.t0; k <= in.t1; k++) {
                T *o = psi + k * io->ps3 + d * io->ps4;
                if (q0 > q1) {
                    for (int64_t j = in.z0; j <= in.z1; j++) FN(zero_run)(o + j * io->ps1, in.x0, in.x1);
                    continue;
                }
                for (int64_t s = q0; s <= q1; s++) srcp[s - q0] = psi + k * io->ps3 + s * io->ps4;
                FN(loss_gather)(tb, d, q0, q1, srcp, f0, f1, B0);
                for (int64_t j = in.z0; j <= in.z1; j++) {
                    const T *restrict s = B0 + j * io->ps1;
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
SD_ISA_EACH(TR_VARIANT, advance, advance_body, (const tr_io *io, const tr_tables *tb), (io, tb))
SD_ISA_EACH(TR_VARIANT, step, step_body, (const tr_io *io, const tr_tables *tb), (io, tb))
SD_ISA_EACH(TR_VARIANT, scatter, scatter_body, (const tr_io *io, const tr_tables *tb), (io, tb))
SD_ISA_EACH(TR_VARIANT, loss, loss_body, (const tr_io *io, const tr_tables *tb), (io, tb))
void FN(tr_advance)(const tr_io *io, const tr_tables *tb, int fused)
{
    if (fused) TR_PICK(step)(io, tb);
    else TR_PICK(advance)(io, tb);
}
void FN(tr_scatter)(const tr_io *io, const tr_tables *tb) { TR_PICK(scatter)(io, tb); }
void FN(tr_loss)(const tr_io *io, const tr_tables *tb) { TR_PICK(loss)(io, tb); }
