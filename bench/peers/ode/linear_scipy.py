#!/usr/bin/python3
"""bench/peers/ode/linear_scipy.py - the seed's "Linear System (N=1000, RK45)" benchmark, SciPy's side:
y' = A y + b, one system of N variables, through scipy.integrate.solve_ivp.

  linear_scipy.py make DIR [--n 1000] [--seed 1] [--t-end 10]
      Writes DIR/linear.h5 (datasets /A, N x N, and /b, N: what stardag's `linear` system reads) with
      A = -I + 2 (R - R^T) / sqrt(2 N) (R standard normal, numpy's default_rng(seed)): eigenvalues
      -1 +- i w with |w| up to ~2.8, a non-stiff decaying rotation; b = 1; y0 = 1. Also
      DIR/exact.txt: y(t_end) = e^{A t} (y0 + A^-1 b) - A^-1 b (scipy.linalg.expm), one value per line.
  linear_scipy.py solve DIR [--method RK45] [--t-end 10] [--rtol 1e-6] [--atol 1e-6] [--reps 11]
      Times --reps calls of solve_ivp (f = A @ y + b, NumPy's BLAS), prints one key=value line as the
      other peers: time_s (median wall), min_s, max_s, cpu_s, steps, rhs, and err (max |y - exact|
      at t_end).
"""
import argparse
import os
import statistics
import time

import h5py
import numpy as np
import scipy.linalg
from scipy.integrate import solve_ivp


def make(a):
    rng = np.random.default_rng(a.seed)
    n = a.n
    r = rng.standard_normal((n, n))
    A = -np.eye(n) + 2.0 * (r - r.T) / np.sqrt(2.0 * n)
    b = np.ones(n)
    y0 = np.ones(n)
    os.makedirs(a.dir, exist_ok=True)
    with h5py.File(os.path.join(a.dir, "linear.h5"), "w") as f:
        f["A"] = A
        f["b"] = b
    ainv_b = np.linalg.solve(A, b)
    exact = scipy.linalg.expm(A * a.t_end) @ (y0 + ainv_b) - ainv_b
    np.savetxt(os.path.join(a.dir, "exact.txt"), exact, fmt="%.17g")


def solve(a):
    with h5py.File(os.path.join(a.dir, "linear.h5"), "r") as f:
        A = np.array(f["A"])
        b = np.array(f["b"])
    exact = np.loadtxt(os.path.join(a.dir, "exact.txt"))
    y0 = np.ones(len(b))
    fun = lambda t, y: A @ y + b
    walls, cpus = [], []
    for _ in range(a.reps):
        w0, c0 = time.perf_counter(), time.process_time()
        sol = solve_ivp(fun, (0.0, a.t_end), y0, method=a.method, rtol=a.rtol, atol=a.atol)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        assert sol.status == 0, sol.message
    err = np.max(np.abs(sol.y[:, -1] - exact))
    print("scipy-%s n=%d time_s=%.6g min_s=%.6g max_s=%.6g cpu_s=%.6g steps=%d rhs=%d err=%.3g" %
          (a.method, len(b), statistics.median(walls), min(walls), max(walls), statistics.median(cpus),
           len(sol.t) - 1, sol.nfev, err))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir")
    m.add_argument("--n", type=int, default=1000)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--t-end", type=float, default=10.0)
    s = sub.add_parser("solve")
    s.add_argument("dir")
    s.add_argument("--method", default="RK45")
    s.add_argument("--t-end", type=float, default=10.0)
    s.add_argument("--rtol", type=float, default=1e-6)
    s.add_argument("--atol", type=float, default=1e-6)
    s.add_argument("--reps", type=int, default=11)
    a = p.parse_args()
    make(a) if a.cmd == "make" else solve(a)


if __name__ == "__main__":
    main()
