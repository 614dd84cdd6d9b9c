/* t_membrane_minimise_runs.c - whole minimisations through the membrane minimiser ops, called in the
 * graph's order on hand-built views: a convex quadratic in R^(3n) with a linear "volume"
 * constraint, converging to the analytic minimiser with an energy that never increases (exactly);
 * then the whole iteration with the real energy ops (membrane.energy, membrane.trial_volume,
 * membrane.trial_energy) on an ellipsoid at fixed volume: the bending energy never increases
 * (exactly: each step's energy is bitwise the accepted trial's), the volume stays, and the shape
 * moves toward the sphere. */
#include "minimise_view.h"

/* ---- a whole minimisation -------------------------------------------------------------------
 * E(x) = 1/2 sum_i w_i (x_i - c_i)^2 over the 3 NOWN coordinates (w_i in [1, 100]), the "volume"
 * V(x) = b.x (linear, so a trial's one restoring step puts it on v0), both with exact sums. The constrained
 * minimiser: x* = c + lambda b / w, lambda = (v0 - b.c) / sum(b^2 / w); the Hessian's eigenvalues
 * on the constraint plane are >= min w = 1, so |gp| <= tol puts x within tol of x*. tol = 1e-6:
 * a line search on energy values resolves |gp| down to about sqrt(eps E / alpha) (~2e-8 here). */
typedef struct quad {
    vfield w, c, b;
    double v0;
} quad;

static double qsum(const quad *q, const vfield *x, int what, vfield *grad)
{
    sd_acc a;
    sd_acc_init(&a);
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) {
            const int i = v + cc * NV;
            const double e = x->v[i] - q->c.v[i];
            if (what == 0) sd_acc_add(&a, 0.5 * q->w.v[i] * e * e);
            else sd_acc_add(&a, q->b.v[i] * x->v[i]);
            if (grad) grad->v[i] = what == 0 ? q->w.v[i] * e : q->b.v[i];
        }
    return sd_acc_sum(&a);
}
static double qdot(const vfield *a, const vfield *b) /* exact, as a reduction op would */
{
    sd_acc s;
    sd_acc_init(&s);
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) sd_acc_add(&s, a->v[v + cc * NV] * b->v[v + cc * NV]);
    return sd_acc_sum(&s);
}

typedef struct run_out {
    int iters, converged, monotone, armijo_ok, accepted_equals_trial, noop_after;
    double err;  /* max |x - x*| */
    double vdev; /* max |V - v0| over the steps */
} run_out;

static void scalar_op(const char *name, double *s, int n, const double *param, int np)
{
    view w;
    view_init(&w, 0);
    for (int i = 0; i < n; i++) bind_scalar(&w, i, &s[i]);
    for (int i = 0; i < np; i++) w.a.param[i] = param[i];
    get(name)->cpu(&w.a);
}

static run_out minimise(const quad *q, int method, int fix, const vfield *xstart)
{
    run_out o = {0, 0, 1, 1, 1, 0, 0, 0};
    vfield x = *xstart, g, vgrad, gp, d, gprev, y;
    /* scalars, as the graph names them */
    double V, vv, E, gv, gg, gq, qq, s, Vk[4], lam[4], L[4], alpha, step, restart, k, v0 = q->v0;
    const double tol = 1e-6, alpha0 = 1e-3;
    view vw;
    /* init: cg_reset, line_init */
    view_init(&vw, NOWN);
    for (int i = 0; i < 3 * NV; i++) d.v[i] = gprev.v[i] = gp.v[i] = g.v[i] = vgrad.v[i] = GHOST_MARK;
    bind_field(&vw, 0, &d), bind_field(&vw, 1, &gprev);
    get("membrane.cg_reset")->cpu(&vw.a);
    double li[3];
    scalar_op("membrane.line_init", li, 3, &alpha0, 1);
    alpha = li[0], restart = li[1], gg = li[2];
    double last_E = 1.0 / 0.0, accepted_L = 0;
    int accepted_prev = 0;
    vfield xconv, yacc;
    int conv_at = -1;
    for (int it = 0; it < 4000; it++) {
        /* 1 energy: E, g, vgrad, V, vv, gv */
        E = qsum(q, &x, 0, &g);
        V = qsum(q, &x, 1, &vgrad);
        vv = qdot(&vgrad, &vgrad);
        gv = qdot(&g, &vgrad);
        o.vdev = fmax(o.vdev, fabs(V - v0));
        if (!(E <= last_E)) o.monotone = 0; /* exactly: no tolerance */
        if (accepted_prev && (!same_bits(E, accepted_L) || memcmp(&x, &yacc, sizeof x))) o.accepted_equals_trial = 0;
        last_E = E;
        /* 2 project */
        view_init(&vw, NOWN);
        bind_field(&vw, 0, &g), bind_field(&vw, 1, &vgrad), bind_scalar(&vw, 2, &gv), bind_scalar(&vw, 3, &vv),
            bind_field(&vw, 4, &gp);
        vw.a.param[0] = fix;
        get("membrane.project")->cpu(&vw.a);
        /* 3 cg_dots */
        view_init(&vw, NOWN);
        bind_field(&vw, 0, &gp), bind_field(&vw, 1, &gprev);
        vw.a.nacc = 3;
        get("membrane.cg_dots")->cpu(&vw.a);
        gg = sd_acc_sum(&vw.acc[0]), gq = sd_acc_sum(&vw.acc[1]), qq = sd_acc_sum(&vw.acc[2]);
        if (conv_at < 0 && gg <= tol * tol) {
            conv_at = it;
            xconv = x;
            o.converged = 1;
            o.iters = it;
        }
        /* 4 direction */
        view_init(&vw, NOWN);
        bind_field(&vw, 0, &gp), bind_field(&vw, 1, &d), bind_field(&vw, 2, &gprev);
        bind_scalar(&vw, 3, &gg), bind_scalar(&vw, 4, &gq), bind_scalar(&vw, 5, &qq), bind_scalar(&vw, 6, &restart);
        vw.a.param[0] = method, vw.a.param[1] = tol;
        get("membrane.direction")->cpu(&vw.a);
        /* 5 slope */
        view_init(&vw, NOWN);
        bind_field(&vw, 0, &gp), bind_field(&vw, 1, &d);
        vw.a.nacc = 1;
        get("membrane.slope")->cpu(&vw.a);
        s = sd_acc_sum(&vw.acc[0]);
        /* 6 trial volumes at x + alpha 2^-k d (membrane_line_position, as trial_volume) */
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 3 * NV; i++) y.v[i] = membrane_line_position(x.v[i], d.v[i], membrane_trial_step(alpha, j));
            Vk[j] = qsum(q, &y, 1, NULL);
        }
        /* 7 trial_lambda */
        double tl[10] = {v0, vv, Vk[0], Vk[1], Vk[2], Vk[3], 0, 0, 0, 0};
        const double pfix = fix;
        scalar_op("membrane.trial_lambda", tl, 10, &pfix, 1);
        memcpy(lam, tl + 6, sizeof lam);
        /* 8 trial energies at the restored points, moved there by membrane.step itself */
        for (int j = 0; j < 4; j++) {
            y = x;
            step_op(&y, &d, &vgrad, membrane_trial_step(alpha, j), j, lam);
            L[j] = qsum(q, &y, 0, NULL);
        }
        /* 9 armijo on the energy */
        double as[11] = {E, s, gg, L[0], L[1], L[2], L[3], alpha, 0, 0, 0};
        const double ap[4] = {1e-4, 2, alpha0, tol};
        scalar_op("membrane.armijo", as, 11, ap, 4);
        alpha = as[7], step = as[8], restart = as[9], k = as[10];
        /* 10 step */
        vfield xt = x;
        step_op(&x, &d, &vgrad, step, k, lam);
        accepted_prev = k >= 0;
        if (accepted_prev) {
            /* the accepted state is the trial: the next energy must be L_k bitwise */
            const int kk = (int)k;
            accepted_L = L[kk];
            yacc = xt;
            for (int i = 0; i < 3 * NV; i++)
                yacc.v[i] = i % NV < NOWN ? membrane_restored_position(xt.v[i], d.v[i], step, vgrad.v[i], lam[kk]) : xt.v[i];
            /* sufficient decrease; at the rounding floor (c1 step s below an ulp of E) a tie L_k = E passes */
            if (!(accepted_L <= E + 1e-4 * step * s)) o.armijo_ok = 0;
        }
        if (getenv("MIN_TRACE"))
            fprintf(stderr, "it %d E %.17g V-v0 %.3g gg %.3g s %.3g alpha %.3g step %.3g k %g restart %g\n", it, E, V - v0,
                    gg, s, alpha, step, k, restart);
        if (conv_at >= 0 && it >= conv_at + 3) break; /* three more steps "in flight" */
    }
    if (conv_at >= 0) o.noop_after = !memcmp(&x, &xconv, sizeof x);
    /* distance to the analytic minimiser */
    double lstar = 0, bb = 0, bc = 0;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) {
            const int i = v + cc * NV;
            bb += q->b.v[i] * q->b.v[i] / q->w.v[i];
            bc += q->b.v[i] * q->c.v[i];
        }
    lstar = fix ? (q->v0 - bc) / bb : 0;
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) {
            const int i = v + cc * NV;
            const double want = q->c.v[i] + lstar * q->b.v[i] / q->w.v[i];
            o.err = fmax(o.err, fabs(x.v[i] - want));
        }
    return o;
}

static void test_minimise(rng *r)
{
    quad q;
    fill_random(&q.w, r, 1, 100);
    fill_random(&q.c, r, -1, 1);
    fill_random(&q.b, r, 0.5, 1.5);
    q.v0 = 3.0;
    vfield x0;
    fill_random(&x0, r, -2, 2);
    /* start on the constraint b.x = v0, as a graph does (v0 = the initial volume): off it, the first
       trials' restoring steps would change the energy by O(1) and the line search would compare
       that, not the step */
    const double c0 = (q.v0 - qsum(&q, &x0, 1, NULL)) / qdot(&q.b, &q.b);
    for (int cc = 0; cc < 3; cc++)
        for (int v = 0; v < NOWN; v++) x0.v[v + cc * NV] += c0 * q.b.v[v + cc * NV];
    run_out cg = minimise(&q, 1, 1, &x0), sd = minimise(&q, 0, 1, &x0), fr = minimise(&q, 1, 0, &x0);
    diag("PR+ CG: %d steps, steepest descent: %d steps, free volume CG: %d steps", cg.iters, sd.iters, fr.iters);
    ok(cg.converged && cg.err < 1e-6, "quadratic, volume fixed, PR+ CG: |gp| <= 1e-6 after %d steps, max |x - x*| = %.2g",
       cg.iters, cg.err);
    ok(sd.converged && sd.err < 1e-6, "quadratic, volume fixed, steepest descent: converged after %d steps, max |x - x*| = %.2g",
       sd.iters, sd.err);
    ok(fr.converged && fr.err < 1e-6, "quadratic, volume free, PR+ CG: converged after %d steps to x* = c, max error %.2g",
       fr.iters, fr.err);
    ok(cg.iters < sd.iters, "conjugate gradients need fewer steps than steepest descent (%d < %d)", cg.iters, sd.iters);
    ok(cg.monotone && sd.monotone && fr.monotone, "the energy never increases from one step to the next (exactly)");
    ok(cg.armijo_ok && sd.armijo_ok && fr.armijo_ok, "every accepted step decreases the energy sufficiently");
    ok(cg.accepted_equals_trial && sd.accepted_equals_trial && fr.accepted_equals_trial,
       "the accepted state is x + step d + lam_k vgrad bitwise, its energy the trial's L_k bitwise");
    ok(cg.vdev < 1e-13 && sd.vdev < 1e-13, "the restored trials keep the linear volume at v0 (max |V - v0| %.2g, %.2g)",
       cg.vdev, sd.vdev);
    ok(cg.noop_after && sd.noop_after && fr.noop_after, "steps after the converged one change no bit of x");
}


/* ---- the whole iteration with the energy ops: an ellipsoid at fixed volume ----------------------
 * Bending only (kappa = 1, no area constraint): the minimum at fixed volume is the sphere of that
 * volume (E = 8 pi in the continuum, scale-free). Every op is called through the registry on a
 * whole-mesh view (one partition) in the graph's order; scalar outputs of reductions are their
 * sd_acc sums. */
typedef struct ell_state {
    mesh_view mv;
    int64_t nv;
    double *x, *g, *vg, *gp, *d, *q; /* SoA vertex fields, stride nv */
    double V, vv, E, area, gv, v0, gg, gq, qq, s, Vk[4], lam[4], L[4], alpha, step, restart, k;
} ell_state;

static void ell_bind(sd_tile_args *a, const ell_state *st, sd_acc *acc)
{
    memset(a, 0, sizeof *a);
    a->mesh = st->mv.m;
    a->acc = acc;
    for (int i = 0; i < SD_MAX_ACC; i++) sd_acc_init(&acc[i]);
}
static void ell_field(sd_tile_args *a, int slot, double *f, int64_t nv)
{
    a->p[slot] = f, a->sc[slot] = nv, a->ncomp[slot] = 3, a->dtype[slot] = SD_F64;
    if (slot >= a->nbuf) a->nbuf = slot + 1;
}
static void ell_scalar(sd_tile_args *a, int slot, double *v)
{
    a->p[slot] = v, a->sc[slot] = 1, a->ncomp[slot] = 1, a->dtype[slot] = SD_F64;
    if (slot >= a->nbuf) a->nbuf = slot + 1;
}

/* Radii from the centroid: max/min. */
static double ell_aspect(const ell_state *st)
{
    double c[3] = {0, 0, 0}, rmin = 1e300, rmax = 0;
    for (int k = 0; k < 3; k++) {
        for (int64_t v = 0; v < st->nv; v++) c[k] += st->x[v + k * st->nv];
        c[k] /= (double)st->nv;
    }
    for (int64_t v = 0; v < st->nv; v++) {
        double r2 = 0;
        for (int k = 0; k < 3; k++) r2 += (st->x[v + k * st->nv] - c[k]) * (st->x[v + k * st->nv] - c[k]);
        rmin = fmin(rmin, sqrt(r2)), rmax = fmax(rmax, sqrt(r2));
    }
    return rmax / rmin;
}

static void ell_iteration(ell_state *st, double tol)
{
    const int64_t nv = st->nv;
    sd_tile_args a;
    sd_acc acc[SD_MAX_ACC];
    /* 1 energy: x -> grad, vgrad; energy, area, volume, vv, gv (kappa 1) */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->x, nv), ell_field(&a, 1, st->g, nv), ell_field(&a, 2, st->vg, nv);
    a.nacc = 5, a.param[0] = 1;
    get("membrane.energy")->cpu(&a);
    st->E = sd_acc_sum(&acc[0]), st->area = sd_acc_sum(&acc[1]), st->V = sd_acc_sum(&acc[2]);
    st->vv = sd_acc_sum(&acc[3]), st->gv = sd_acc_sum(&acc[4]);
    /* 2 project */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->g, nv), ell_field(&a, 1, st->vg, nv);
    ell_scalar(&a, 2, &st->gv), ell_scalar(&a, 3, &st->vv), ell_field(&a, 4, st->gp, nv), a.param[0] = 1;
    get("membrane.project")->cpu(&a);
    /* 3 cg_dots */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->gp, nv), ell_field(&a, 1, st->q, nv), a.nacc = 3;
    get("membrane.cg_dots")->cpu(&a);
    st->gg = sd_acc_sum(&acc[0]), st->gq = sd_acc_sum(&acc[1]), st->qq = sd_acc_sum(&acc[2]);
    /* 4 direction */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->gp, nv), ell_field(&a, 1, st->d, nv), ell_field(&a, 2, st->q, nv);
    ell_scalar(&a, 3, &st->gg), ell_scalar(&a, 4, &st->gq), ell_scalar(&a, 5, &st->qq), ell_scalar(&a, 6, &st->restart);
    a.param[0] = 1, a.param[1] = tol;
    get("membrane.direction")->cpu(&a);
    /* 5 slope */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->gp, nv), ell_field(&a, 1, st->d, nv), a.nacc = 1;
    get("membrane.slope")->cpu(&a);
    st->s = sd_acc_sum(&acc[0]);
    /* 6 trial_volume: x, d; alpha -> V0..V3 */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->x, nv), ell_field(&a, 1, st->d, nv), ell_scalar(&a, 2, &st->alpha);
    a.nacc = 4;
    get("membrane.trial_volume")->cpu(&a);
    for (int k = 0; k < 4; k++) st->Vk[k] = sd_acc_sum(&acc[k]);
    /* 7 trial_lambda: v0, vv, V0..V3 -> lam0..lam3 */
    ell_bind(&a, st, acc), ell_scalar(&a, 0, &st->v0), ell_scalar(&a, 1, &st->vv);
    for (int k = 0; k < 4; k++) ell_scalar(&a, 2 + k, &st->Vk[k]), ell_scalar(&a, 6 + k, &st->lam[k]);
    a.param[0] = 1;
    get("membrane.trial_lambda")->cpu(&a);
    /* 8 trial_energy: x, d, vgrad; alpha, lam0..lam3 -> L0..L3 */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->x, nv), ell_field(&a, 1, st->d, nv), ell_field(&a, 2, st->vg, nv);
    ell_scalar(&a, 3, &st->alpha);
    for (int k = 0; k < 4; k++) ell_scalar(&a, 4 + k, &st->lam[k]);
    a.nacc = 4, a.param[0] = 1;
    get("membrane.trial_energy")->cpu(&a);
    for (int k = 0; k < 4; k++) st->L[k] = sd_acc_sum(&acc[k]);
    /* 9 armijo: merit = the energy */
    double as[11] = {st->E, st->s, st->gg, st->L[0], st->L[1], st->L[2], st->L[3], st->alpha, 0, 0, 0};
    ell_bind(&a, st, acc);
    for (int i = 0; i < 11; i++) ell_scalar(&a, i, &as[i]);
    a.param[0] = 1e-4, a.param[1] = 2, a.param[2] = 1e-3, a.param[3] = tol;
    get("membrane.armijo")->cpu(&a);
    st->alpha = as[7], st->step = as[8], st->restart = as[9], st->k = as[10];
    /* 10 step: x, d, vgrad; step, k, lam0..lam3 */
    ell_bind(&a, st, acc), ell_field(&a, 0, st->x, nv), ell_field(&a, 1, st->d, nv), ell_field(&a, 2, st->vg, nv);
    ell_scalar(&a, 3, &st->step), ell_scalar(&a, 4, &st->k);
    for (int k = 0; k < 4; k++) ell_scalar(&a, 5 + k, &st->lam[k]);
    get("membrane.step")->cpu(&a);
}

static void test_ellipsoid(void)
{
    sd_mesh m;
    char err[256];
    const double axes[3] = {1.3, 1.0, 0.8};
    if (sd_mesh_ellipsoid(3, axes, &m, err, sizeof err)) {
        ok(0, "ellipsoid: %s", err);
        return;
    }
    ell_state st;
    memset(&st, 0, sizeof st);
    st.nv = m.nv;
    int sv = 0, sf = 0;
    const char *ops[] = {"membrane.volume", "membrane.energy", "membrane.trial_volume", "membrane.trial_energy"};
    for (int i = 0; i < 4; i++) {
        const sd_codelet *c = get(ops[i]);
        sv = c->scratch_v > sv ? c->scratch_v : sv, sf = c->scratch_f > sf ? c->scratch_f : sf;
    }
    if (mesh_view_init(&st.mv, m.nv, m.nf, m.tri, sv, sf)) {
        ok(0, "ellipsoid: mesh view");
        sd_mesh_free(&m);
        return;
    }
    st.x = mesh_view_soa(m.x, m.nv);
    double **f[5] = {&st.g, &st.vg, &st.gp, &st.d, &st.q};
    for (int i = 0; i < 5; i++) *f[i] = calloc(3 * (size_t)m.nv, sizeof(double));
    sd_mesh_free(&m);
    /* init: v0 = the ellipsoid's volume (as membrane.measure), cg_reset, line_init */
    sd_tile_args a;
    sd_acc acc[SD_MAX_ACC];
    ell_bind(&a, &st, acc), ell_field(&a, 0, st.x, st.nv), ell_field(&a, 1, st.vg, st.nv), a.nacc = 2;
    get("membrane.volume")->cpu(&a);
    st.v0 = sd_acc_sum(&acc[0]);
    ell_bind(&a, &st, acc), ell_field(&a, 0, st.d, st.nv), ell_field(&a, 1, st.q, st.nv);
    get("membrane.cg_reset")->cpu(&a);
    double li[3];
    ell_bind(&a, &st, acc);
    for (int i = 0; i < 3; i++) ell_scalar(&a, i, &li[i]);
    a.param[0] = 1e-3;
    get("membrane.line_init")->cpu(&a);
    st.alpha = li[0], st.restart = li[1], st.gg = li[2];

    const double aspect0 = ell_aspect(&st);
    double E0 = 0, Eprev = 1.0 / 0.0, vdev = 0, accepted_L = 0;
    int rises = 0, accepted = 0, not_trial = 0, prev_accepted = 0, it;
    const int iters = 1000; /* ~2 s: the shape is round by then (max/min radius ~1.01) */
    for (it = 0; it < iters; it++) {
        ell_iteration(&st, 1e-7);
        if (it == 0) E0 = st.E;
        if (!(st.E <= Eprev)) rises++; /* exactly, no tolerance */
        if (prev_accepted && !same_bits(st.E, accepted_L)) not_trial++;
        Eprev = st.E;
        vdev = fmax(vdev, fabs(st.V - st.v0) / st.v0);
        /* this step's accepted trial: the next step's membrane.energy must give L_k bitwise */
        prev_accepted = st.k >= 0;
        if (prev_accepted) accepted_L = st.L[(int)st.k];
        accepted += st.step != 0;
        if (getenv("MIN_TRACE"))
            fprintf(stderr, "it %d E %.17g V-v0 %.3g step %.3g k %g alpha %.3g gg %.3g\n", it, st.E, st.V - st.v0, st.step,
                    st.k, st.alpha, st.gg);
    }
    const double aspect = ell_aspect(&st);
    diag("ellipsoid (1.3, 1, 0.8), level 3: E %.6f -> %.6f after %d steps (%d accepted), |gp| %.3g, max/min radius "
         "%.4f -> %.4f, max |V - v0|/v0 %.2g", E0, st.E, iters, accepted, sqrt(st.gg), aspect0, aspect, vdev);
    ok(rises == 0, "ellipsoid: the energy never increases over %d steps (exactly; %d rises)", iters, rises);
    ok(accepted > iters / 2 && not_trial == 0,
       "ellipsoid: after each of the %d accepted steps membrane.energy gives the accepted trial's L_k bitwise (%d not)",
       accepted, not_trial);
    ok(vdev < 1e-4, "ellipsoid: the volume stays at v0 (max relative deviation %.2g: the restoring steps' Newton error)",
       vdev);
    ok(st.E < E0 - 1.0 && st.E > 8 * M_PI - 0.5, "ellipsoid: the bending energy falls from %.4f toward the sphere's (%.4f)",
       E0, st.E);
    ok(aspect < 1.0 + 0.2 * (aspect0 - 1.0), "ellipsoid: the shape becomes round (max/min radius %.4f -> %.4f)", aspect0,
       aspect);
    free(st.x);
    for (int i = 0; i < 5; i++) free(*f[i]);
    mesh_view_free(&st.mv);
}

int main(void)
{
    sd_register_builtin_codelets();
    rng r = {0x9E3779B97F4A7C15ULL};
    test_minimise(&r);
    test_ellipsoid();
    return tap_done();
}
