#!/usr/bin/env python3
"""precond_study.py - why the membrane minimiser slows down on fine meshes: a study of a Sobolev
(H^2) preconditioner for the bending energy, on the seed's NumPy code path (bench/peers/
membrane_numpy.py). Not part of stardag or its tests; it backs the figures in
docs/membrane-minimise.md ("Large meshes: what was tried"). Needs python3-numpy and python3-scipy
(Debian: apt-get install python3-scipy).

The minimiser is the one of graphs/membrane/vesicle-bending.yaml (Polak-Ribiere+ CG, vertices moving
along their normals, the volume gradient projected out of the direction and every trial restored
onto the volume by one Newton step, Armijo backtracking over 4 halvings), optionally preconditioned:
the normal component b_v = gp_v . n_v of the projected gradient is mapped to z = phi n with
phi = K^-1 M K^-1 b, K = L + s M (L the cotangent stiffness matrix, M the lumped vertex areas,
s = 4 pi / area), i.e. the inverse of the bending Hessian's leading part kappa L M^-1 L.

  precond_study.py rayleigh LEVEL          d.H.d / d.P^-1.d for smooth, mid and rough normal modes on the
                                           unit sphere and the (1.3, 1, 0.8) ellipsoid: ~1 means P matches H
  precond_study.py run LEVEL PRECOND ITERS [--refactor N] [--area mixed|bary] [--probe IT]
                                           minimise; every 50 iterations: E, |gp|, the trial step; with
                                           --probe IT, the directional derivative along d at iteration IT
"""
import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import membrane_numpy as mn  # noqa: E402


def bending(X, F, area):
    """Bending energy and gradient: the seed's (Meyer's mixed areas), or with barycentric vertex areas
    A_v = sum A_f / 3 (smooth in the positions)."""
    if area == "mixed":
        return mn.bending_energy_grad(X, F)
    return bary_energy_grad(X, F)


def bary_energy_grad(X, F):
    nv = len(X)
    P = [X[F[:, m]] for m in range(3)]
    n = np.cross(P[1] - P[0], P[2] - P[0])
    dbl = np.linalg.norm(n, axis=1)
    nhat = n / dbl[:, None]
    K = np.zeros((nv, 3))
    A = np.zeros(nv)
    U = [P[(m + 1) % 3] - P[m] for m in range(3)]
    V = [P[(m + 2) % 3] - P[m] for m in range(3)]
    cot = [np.einsum("ij,ij->i", U[m], V[m]) / dbl for m in range(3)]
    for m in range(3):
        j, k = (m + 1) % 3, (m + 2) % 3
        np.add.at(K, F[:, m], 0.5 * (cot[j][:, None] * (P[m] - P[k]) + cot[k][:, None] * (P[m] - P[j])))
        np.add.at(A, F[:, m], dbl / 6)
    K2 = np.einsum("ij,ij->i", K, K)
    energy = 0.5 * np.sum(K2 / A)
    W = K / A[:, None]
    s = -0.5 * K2 / (A * A)
    G = np.zeros((nv, 3))
    sf = (s[F[:, 0]] + s[F[:, 1]] + s[F[:, 2]]) / 3
    for m in range(3):
        j, k = (m + 1) % 3, (m + 2) % 3
        e = P[j] - P[k]
        w = W[F[:, j]] - W[F[:, k]]
        q = 0.5 * np.einsum("ij,ij->i", e, w)
        direct = 0.5 * cot[m][:, None] * w
        du = (V[m] - cot[m][:, None] * np.cross(V[m], nhat)) / dbl[:, None]
        dv = (U[m] - cot[m][:, None] * np.cross(nhat, U[m])) / dbl[:, None]
        np.add.at(G, F[:, j], direct + q[:, None] * du)
        np.add.at(G, F[:, k], -direct + q[:, None] * dv)
        np.add.at(G, F[:, m], -q[:, None] * (du + dv) - (0.5 * sf)[:, None] * np.cross(nhat, e))
    return energy, G


def volume_grad(X, F):
    a, b, c = X[F[:, 0]], X[F[:, 1]], X[F[:, 2]]
    g = np.zeros_like(X)
    for m, t in enumerate((np.cross(b, c), np.cross(c, a), np.cross(a, b))):
        np.add.at(g, F[:, m], t / 6)
    return np.sum(np.einsum("ij,ij->i", a, np.cross(b, c))) / 6, g


def normals(X, F):
    n = np.cross(X[F[:, 1]] - X[F[:, 0]], X[F[:, 2]] - X[F[:, 0]])
    N = np.zeros_like(X)
    for m in range(3):
        np.add.at(N, F[:, m], n)
    return N / np.linalg.norm(N, axis=1)[:, None]


def stiffness(X, F):
    """Cotangent stiffness matrix L (positive semi-definite) and lumped areas M."""
    nv = len(X)
    P = [X[F[:, m]] for m in range(3)]
    nn = np.linalg.norm(np.cross(P[1] - P[0], P[2] - P[0]), axis=1)
    I, J, W = [], [], []
    for m in range(3):
        j, k = (m + 1) % 3, (m + 2) % 3
        w = 0.5 * np.einsum("ij,ij->i", P[j] - P[m], P[k] - P[m]) / nn
        I += [F[:, j], F[:, k], F[:, j], F[:, k]]
        J += [F[:, k], F[:, j], F[:, j], F[:, k]]
        W += [-w, -w, w, w]
    L = sp.csc_matrix((np.concatenate(W), (np.concatenate(I), np.concatenate(J))), shape=(nv, nv))
    M = np.zeros(nv)
    for m in range(3):
        np.add.at(M, F[:, m], nn / 6)
    return L, M, nn.sum() / 2


def rayleigh(level):
    X0, F = mn.icosphere(level)
    rng = np.random.default_rng(1)
    for name, X in (("sphere", X0), ("ellipsoid", X0 * np.array([1.3, 1.0, 0.8]))):
        N = normals(X, F)
        L, M, area = stiffness(X, F)
        K = L + sp.diags(4 * np.pi / area * M)
        for mode, phi in (("smooth", X[:, 0] * X[:, 1] * X[:, 2]), ("mid", np.sin(7 * X[:, 0]) * np.cos(6 * X[:, 1])),
                          ("rough", rng.standard_normal(len(X)))):
            d, a = phi[:, None] * N, 1e-5
            dHd = np.sum((mn.bending_energy_grad(X + a * d, F)[1] - mn.bending_energy_grad(X - a * d, F)[1]) * d) / (2 * a)
            print(f"level {level} {name:9s} {mode:6s}  d.H.d / d.P^-1.d = {dHd / (phi @ (K @ ((K @ phi) / M))):.3f}")


def run(level, precond, iters, refactor, area, probe):
    X, F = mn.icosphere(level)
    X = X * np.array([1.3, 1.0, 0.8])
    v0 = volume_grad(X, F)[0]
    d = np.zeros_like(X)
    gprev = np.zeros_like(X)
    alpha, restart, lu, qz, t0 = (1.0 if precond else 1e-3), True, None, 1.0, time.time()
    for it in range(iters):
        E, g = bending(X, F, area)
        _, vg = volume_grad(X, F)
        N = normals(X, F)
        gn = np.einsum("ij,ij->i", g, N)[:, None] * N
        vgn = np.einsum("ij,ij->i", vg, N)[:, None] * N
        gp = gn - np.sum(gn * vgn) / np.sum(vgn * vgn) * vgn
        vv = np.sum(vg * vg)
        gnorm = np.sqrt(np.sum(gp * gp))
        if gnorm <= 1e-6:
            break
        z = gp
        if precond:
            if lu is None or (refactor and it % refactor == 0):
                L, M, a_tot = stiffness(X, F)
                lu = splu((L + sp.diags(4 * np.pi / a_tot * M)).tocsc())
            z = lu.solve(M * lu.solve(np.einsum("ij,ij->i", gp, N)))[:, None] * N
            z = z - np.sum(z * vgn) / np.sum(vgn * vgn) * vgn
        gz = np.sum(gp * z)
        beta = 0.0 if restart or it == 0 else max(0.0, (gz - np.sum(gprev * z)) / qz)
        d, qz, gprev = -z + beta * d, gz, gp
        s = np.sum(gp * d)
        if s >= 0:
            d, s = -z, -gz
        if it == probe:
            print(f"  probe at iteration {it}: slope s = {s:.3g}, d.P^-1.d ~ g.z = {gz:.3g}")
            for a in (0.0625, 0.25, 1.0):
                print(f"    phi'({a}) = g(x + a d).d = {np.sum(bending(X + a * d, F, area)[1] * d):.4g}")
            for a in (0.0625, 0.25, 1.0):
                dm = np.sum((bending(X + a * d, F, area)[1] - bending(X - a * d, F, area)[1]) * d) / (2 * a)
                print(f"    central (g(x+ad) - g(x-ad)).d / 2a at a = {a}: {dm:.4g}")
        accepted = False
        for k in range(4):
            a = alpha * 2.0 ** -k
            Y = X + a * d
            Y = Y + (v0 - volume_grad(Y, F)[0]) / vv * vg
            if bending(Y, F, area)[0] <= E + 1e-4 * a * s:
                X, alpha, accepted = Y, (alpha * 2 if k == 0 else a), True
                break
        if not accepted:
            alpha /= 16
        restart = not accepted
        if it % 50 == 0:
            print(f"  {it:5d}  E {E:.12f}  |gp| {gnorm:.3g}  alpha {alpha:.3g}", flush=True)
    print(f"level {level} ({len(X)} vertices), {'preconditioned' if precond else 'plain'} CG, {area} areas: "
          f"{it + 1} iterations, |gp| {gnorm:.3g}, E {E:.9f}, {time.time() - t0:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rayleigh")
    r.add_argument("level", type=int)
    m = sub.add_parser("run")
    m.add_argument("level", type=int)
    m.add_argument("precond", type=int)
    m.add_argument("iters", type=int)
    m.add_argument("--refactor", type=int, default=0, help="refactor K every N iterations (0: once)")
    m.add_argument("--area", choices=("mixed", "bary"), default="mixed")
    m.add_argument("--probe", type=int, default=-1)
    a = ap.parse_args()
    if a.cmd == "rayleigh":
        rayleigh(a.level)
    else:
        run(a.level, a.precond, a.iters, a.refactor, a.area, a.probe)


if __name__ == "__main__":
    main()
