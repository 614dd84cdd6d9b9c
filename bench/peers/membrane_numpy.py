#!/usr/bin/env python3
"""membrane_numpy.py - the seed's (membrane_solver's) NumPy code path for the Helfrich bending
energy and its analytic gradient, re-implemented for the benchmark (bench/membrane/run.sh): per
triangle cotangents, their gradients (grad_cotan) and mixed Voronoi areas as whole-array NumPy
expressions, and np.add.at scatters of per-triangle contributions into vertices - the hot spots the
seed's profiling names. Same formulas as stardag's membrane.bending (docs/membrane.md):

  cot_m = (u . v) / |u x v| at corner m (u, v the edges from corner m), 2 A_f = |(b - a) x (c - a)|
  K_v = 1/2 sum_f [cot_j (x_v - x_k) + cot_k (x_v - x_j)]        (cotangent Laplacian)
  A_v = Meyer et al. 2003 mixed Voronoi area (1/8 (|x_v - x_j|^2 cot_k + |x_v - x_k|^2 cot_j) in a
        non-obtuse face, A_f / 2 at an obtuse corner, A_f / 4 at the others of an obtuse face)
  E = sum_v 1/2 kappa |K_v|^2 / A_v                                  (c0 = 0)
  dE/dx by the chain rule through K_v and A_v (W_v = kappa K_v / A_v, s_v = -1/2 kappa |K_v|^2 / A_v^2).

  python3 membrane_numpy.py --check              energy table (levels 3-6, -> 8 pi) and the gradient
                                                 against central differences; exit 1 on failure
  python3 membrane_numpy.py --levels 5 6 8 --reps 5   time energy + gradient per call
"""
import argparse
import sys
import time

import numpy as np


def icosphere(level, radius=1.0):
    """The subdivided icosahedron, midpoints projected to the sphere: 10 4^L + 2 vertices, faces
    counter-clockwise seen from outside. Midpoints are numbered in order of first appearance, faces
    (a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca) - the order bench/membrane/c_loop.c uses."""
    t = (1.0 + 5.0 ** 0.5) / 2.0
    v = [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t),
         (0, -1, -t), (0, 1, -t), (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]
    f = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4), (11, 10, 2),
         (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5),
         (2, 4, 11), (6, 2, 10), (8, 6, 7), (9, 8, 1)]
    x = [np.array(p, dtype=float) for p in v]
    x = [p / np.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) for p in x]
    for _ in range(level):
        mid = {}

        def midpoint(i, j):
            key = (i, j) if i < j else (j, i)
            if key not in mid:
                m = (x[i] + x[j]) * 0.5
                x.append(m / np.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]))
                mid[key] = len(x) - 1
            return mid[key]

        nf = []
        for a, b, c in f:
            ab, bc, ca = midpoint(a, b), midpoint(b, c), midpoint(c, a)
            nf += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        f = nf
    return np.array(x) * radius, np.array(f, dtype=np.int64)


def _dot(a, b):
    return np.einsum("ij,ij->i", a, b)


def bending_energy_grad(X, F, kappa=1.0):
    """E and dE/dX (nv x 3) for c0 = 0. Per-triangle work on whole arrays, np.add.at scatters."""
    nv = X.shape[0]
    P = [X[F[:, 0]], X[F[:, 1]], X[F[:, 2]]]
    n = np.cross(P[1] - P[0], P[2] - P[0])
    dbl = np.sqrt(_dot(n, n))                  # 2 A_f
    nhat = n / dbl[:, None]
    area_f = 0.5 * dbl
    # corner m: u = x_{m+1} - x_m, v = x_{m+2} - x_m; e_m = x_{m+1} - x_{m+2} (the opposite edge)
    U = [P[(m + 1) % 3] - P[m] for m in range(3)]
    V = [P[(m + 2) % 3] - P[m] for m in range(3)]
    uv = [_dot(U[m], V[m]) for m in range(3)]
    cot = [uv[m] / dbl for m in range(3)]
    E_ = [P[(m + 1) % 3] - P[(m + 2) % 3] for m in range(3)]
    elen2 = [_dot(E_[m], E_[m]) for m in range(3)]
    obtuse_at = [uv[m] < 0 for m in range(3)]
    obtuse = obtuse_at[0] | obtuse_at[1] | obtuse_at[2]

    # cotangent Laplacian and mixed areas, scattered into vertices
    K = np.zeros((nv, 3))
    A = np.zeros(nv)
    for m in range(3):
        j, k = (m + 1) % 3, (m + 2) % 3
        km = 0.5 * (cot[j][:, None] * (P[m] - P[k]) + cot[k][:, None] * (P[m] - P[j]))
        np.add.at(K, F[:, m], km)
        voronoi = 0.125 * (elen2[k] * cot[k] + elen2[j] * cot[j])  # |x_m - x_j|^2 cot_k + |x_m - x_k|^2 cot_j
        am = np.where(obtuse, np.where(obtuse_at[m], 0.5 * area_f, 0.25 * area_f), voronoi)
        np.add.at(A, F[:, m], am)
    K2 = _dot(K, K)
    energy = 0.5 * kappa * np.sum(K2 / A)

    # adjoints: dE = sum_v W_v . dK_v + s_v dA_v
    W = kappa * K / A[:, None]
    s = -0.5 * kappa * K2 / (A * A)
    Wc = [W[F[:, m]] for m in range(3)]
    sc = [s[F[:, m]] for m in range(3)]
    G = [np.zeros_like(P[0]) for _ in range(3)]
    beta_s = np.where(obtuse, sum(np.where(obtuse_at[m], 0.5, 0.25) * sc[m] for m in range(3)), 0.0)
    for m in range(3):
        j, k = (m + 1) % 3, (m + 2) % 3
        w = Wc[j] - Wc[k]
        q = _dot(E_[m], w)
        sjk = np.where(obtuse, 0.0, sc[j] + sc[k])
        ccoef = 0.5 * q + 0.125 * elen2[m] * sjk            # on grad cot_m
        direct = 0.5 * cot[m][:, None] * w + (0.25 * cot[m] * sjk)[:, None] * E_[m]
        G[j] += direct
        G[k] -= direct
        # grad_cotan: d cot / du = v/|n| - cot/|n| (v x nhat), d cot / dv = u/|n| - cot/|n| (nhat x u)
        du = (V[m] - cot[m][:, None] * np.cross(V[m], nhat)) / dbl[:, None]
        dv = (U[m] - cot[m][:, None] * np.cross(nhat, U[m])) / dbl[:, None]
        G[j] += ccoef[:, None] * du
        G[k] += ccoef[:, None] * dv
        G[m] -= ccoef[:, None] * (du + dv)
        # obtuse faces: sum_i beta_i s_i grad A_f, grad_m A_f = -1/2 nhat x e_m
        G[m] -= (0.5 * beta_s)[:, None] * np.cross(nhat, E_[m])
    grad = np.zeros((nv, 3))
    for m in range(3):
        np.add.at(grad, F[:, m], G[m])
    return energy, grad


def check():
    good = True
    print("bending energy of the unit icosphere (kappa = 1, c0 = 0), 8 pi = %.6f:" % (8 * np.pi))
    want = {3: 25.01, 6: 25.13}
    for level in range(3, 7):
        X, F = icosphere(level)
        e, _ = bending_energy_grad(X, F)
        note = ""
        if level in want:
            ok = abs(e - want[level]) <= 0.006
            good &= ok
            note = "  (issue: ~%.2f) %s" % (want[level], "ok" if ok else "FAIL")
        print("  level %d  %8d vertices  E = %.6f%s" % (level, X.shape[0], e, note))
    # gradient against central differences on a randomly perturbed level-2 sphere
    rng = np.random.default_rng(7)
    X, F = icosphere(2)
    X = X * (1.0 + 0.08 * rng.standard_normal(X.shape))
    e, g = bending_energy_grad(X, F)
    h = 1e-6
    worst = 0.0
    for i in rng.choice(X.shape[0], 24, replace=False):
        for c in range(3):
            Xp, Xm = X.copy(), X.copy()
            Xp[i, c] += h
            Xm[i, c] -= h
            fd = (bending_energy_grad(Xp, F)[0] - bending_energy_grad(Xm, F)[0]) / (2 * h)
            worst = max(worst, abs(fd - g[i, c]) / max(abs(g).max(), 1e-300))
    ok = worst <= 1e-6
    good &= ok
    print("gradient vs central differences (h = 1e-6, 72 components of a perturbed level-2 sphere): "
          "max |fd - g| / max|g| = %.2e %s" % (worst, "ok" if ok else "FAIL"))
    return good


def bench(levels, reps, kappa):
    for level in levels:
        X, F = icosphere(level)
        bending_energy_grad(X, F, kappa)  # warm-up
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            e, g = bending_energy_grad(X, F, kappa)
            ts.append(time.perf_counter() - t0)
        ts.sort()
        med = ts[len(ts) // 2] if len(ts) % 2 else 0.5 * (ts[len(ts) // 2 - 1] + ts[len(ts) // 2])
        print("numpy level=%d nv=%d nf=%d energy=%.15g gnorm=%.15g reps=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f"
              % (level, X.shape[0], F.shape[0], e, np.sqrt((g * g).sum()), reps, 1e3 * med, 1e3 * ts[0], 1e3 * ts[-1]))
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="energy table and gradient check (exit 1 on failure)")
    ap.add_argument("--levels", type=int, nargs="*", default=[5, 6, 8], help="icosphere levels to time")
    ap.add_argument("--reps", type=int, default=5, help="timed calls per level")
    ap.add_argument("--kappa", type=float, default=1.0, help="bending modulus")
    a = ap.parse_args()
    if a.check:
        return 0 if check() else 1
    bench(a.levels, a.reps, a.kappa)
    return 0


if __name__ == "__main__":
    sys.exit(main())
