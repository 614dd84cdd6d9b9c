#!/usr/bin/python3
"""bench/peers/ode/vdp_scipy.py - the SciPy peer: Van der Pol (x' = v, v' = mu (1 - x^2) v - x, y0 = (2, 0))
through scipy.integrate.solve_ivp, one call per system, as a SciPy user loops over an ensemble.

  vdp_scipy.py ensemble [--method RK45] [--members 10000] [--mu-lo 0.5] [--mu-hi 2] [--t-end 20]
                        [--rtol 1e-6] [--atol 1e-6] [--timed N] [--reps 1]
      Times the loop over N members (--timed; default all) spread evenly over the ensemble (every
      (M/N)-th member, so the mix of mu is the whole ensemble's) and, when N < M, EXTRAPOLATES the
      time to all M members (time * M / N), saying so (extrapolated=yes, timed_members=N).
  vdp_scipy.py single [--method RK45] [--mu 1] [--t-end 20] [--rtol 1e-6] [--atol 1e-6] [--reps 21]
      The latency of one solve_ivp call (median, min, max of --reps calls).
Methods: RK45, DOP853 (explicit), Radau, BDF, LSODA (given the analytic Jacobian).
Prints one line of key=value pairs like the C peers (vdp_arkode, vdp_cvode): time_s is the median wall
time over --reps (cpu_s the median process CPU time: less sensitive to a loaded machine); steps, rhs
(nfev), jac (njev), lu (nlu) are summed over the timed members; sum_x, sum_v are the sums of their
final states.
"""
import argparse
import statistics
import sys
import time

import scipy
from scipy.integrate import solve_ivp

IMPLICIT = ("Radau", "BDF", "LSODA")


def vdp(t, y, mu):
    return [y[1], mu * ((1.0 - y[0] * y[0]) * y[1]) - y[0]]


def vdp_jac(t, y, mu):
    return [[0.0, 1.0], [mu * (-2.0 * y[0] * y[1]) - 1.0, mu * (1.0 - y[0] * y[0])]]


def solve(mu, a):
    kw = {"jac": vdp_jac} if a.method in IMPLICIT else {}
    sol = solve_ivp(vdp, (0.0, a.t_end), [2.0, 0.0], method=a.method, rtol=a.rtol, atol=a.atol, args=(mu,), **kw)
    if sol.status != 0:
        sys.exit(f"vdp_scipy.py: {a.method} failed for mu = {mu!r}: {sol.message}")
    return sol


def run(mus, a):
    """times --reps loops over mus; returns the times and the last loop's counters"""
    times, cpu = [], []
    for _ in range(a.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        sols = [solve(mu, a) for mu in mus]
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    c = {"steps": sum(len(s.t) - 1 for s in sols), "rhs": sum(s.nfev for s in sols),
         "jac": sum(s.njev for s in sols), "lu": sum(s.nlu for s in sols),
         "sum_x": sum(s.y[0, -1] for s in sols), "sum_v": sum(s.y[1, -1] for s in sols),
         "cpu": statistics.median(cpu)}
    return times, c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("ensemble", "single"))
    ap.add_argument("--method", default="RK45", choices=("RK45", "DOP853") + IMPLICIT)
    ap.add_argument("--members", type=int, default=10000)
    ap.add_argument("--mu-lo", type=float, default=0.5)
    ap.add_argument("--mu-hi", type=float, default=2.0)
    ap.add_argument("--mu", type=float, default=1.0)
    ap.add_argument("--t-end", type=float, default=20.0)
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-6)
    ap.add_argument("--timed", type=int, default=0, help="members timed (ensemble; default all)")
    ap.add_argument("--reps", type=int, default=0, help="repetitions (default 1 ensemble, 21 single)")
    a = ap.parse_args()
    if a.members < 1 or a.timed < 0 or a.reps < 0:
        ap.error("--members must be >= 1, --timed and --reps >= 0")
    if a.mode == "single":
        a.reps = a.reps or 21
        mus, m, n = [a.mu], 1, 1
    else:
        a.reps = a.reps or 1
        m = a.members
        n = min(a.timed or m, m)
        all_mu = lambda i: a.mu_lo + (a.mu_hi - a.mu_lo) * i / (m - 1) if m > 1 else a.mu_lo
        mus = [all_mu(round(k * (m - 1) / (n - 1)) if n > 1 else 0) for k in range(n)]
    times, c = run(mus, a)
    med, scale = statistics.median(times), m / n
    extra = "yes" if n < m else "no"
    print(f"scipy_{a.method} members={m} timed_members={n} extrapolated={extra} threads=1 reps={a.reps} "
          f"time_s={med * scale:.6g} min_s={min(times) * scale:.6g} max_s={max(times) * scale:.6g} "
          f"cpu_s={c['cpu'] * scale:.6g} "
          f"per_system_s={med / n:.6g} steps={c['steps']} rhs={c['rhs']} jac={c['jac']} lu={c['lu']} "
          f"sum_x={c['sum_x']:.17g} sum_v={c['sum_v']:.17g} scipy={scipy.__version__}")
    if n < m:
        print(f"vdp_scipy.py: timed {n} of {m} members; time_s, min_s, max_s are EXTRAPOLATED x{scale:.6g}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
