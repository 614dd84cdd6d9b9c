#!/usr/bin/python3
"""bench/peers/ode/refs.py - the ODE reference table bench/peers/ode/refs.txt.

Each reference problem is integrated by SciPy's solve_ivp at rtol 1e-13 (DOP853 for the non-stiff
problems, Radau for the stiff ones; atol per problem, stated in the table) and, independently, by
SUNDIALS CVODE BDF at the same tolerances (ref_cvode.c, built here with the C compiler). The table
gives SciPy's value to 17 significant digits, its change when SciPy's rtol goes down to 2.5e-14
(self_diff), CVODE's value, the difference and the number of digits on which the two agree,
-log10(|diff| / |value|): that bounds what a test may claim about a solver's error.
Every output time is reached by a run of its own (no interpolation).

  /usr/bin/python3 bench/peers/ode/refs.py [--out FILE] [--cvode BINARY]
Needs python3-scipy and libsundials-dev (Debian 12). Takes ~1-2 minutes (SciPy's Radau at 1e-13).
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy
from scipy.integrate import solve_ivp

RTOL = 1e-13
RTOL_TIGHT = 2.5e-14  # the self-check run: SciPy's same method just above its floor, 100 eps
HERE = os.path.dirname(os.path.abspath(__file__))


def vdp(t, y, mu):
    return [y[1], mu * ((1.0 - y[0] * y[0]) * y[1]) - y[0]]


def vdp_jac(t, y, mu):
    return [[0.0, 1.0], [mu * (-2.0 * y[0] * y[1]) - 1.0, mu * (1.0 - y[0] * y[0])]]


def vdp_eps(t, y, eps):
    return [y[1], ((1.0 - y[0] * y[0]) * y[1] - y[0]) / eps]


def vdp_eps_jac(t, y, eps):
    return [[0.0, 1.0], [(-2.0 * y[0] * y[1] - 1.0) / eps, (1.0 - y[0] * y[0]) / eps]]


def rober(t, y, k1, k2, k3):
    r1, r2, r3 = k1 * y[0], k2 * (y[1] * y[1]), k3 * (y[1] * y[2])
    return [r3 - r1, (r1 - r3) - r2, r2]


def rober_jac(t, y, k1, k2, k3):
    return [[-k1, k3 * y[2], k3 * y[1]],
            [k1, -k3 * y[2] - 2.0 * k2 * y[1], -k3 * y[1]],
            [0.0, 2.0 * k2 * y[1], 0.0]]


def lorenz(t, y, s, r, b):
    return [s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]]


# name, rhs, jac, params, y0, atol, output times, SciPy method; ref_cvode.c has the same list.
PROBLEMS = [
    ("vdp_mu1", vdp, vdp_jac, (1.0,), [2.0, 0.0], 1e-13, [20.0, 100.0], "DOP853"),
    ("vdp_eps1e-3", vdp_eps, vdp_eps_jac, (1e-3,), [2.0, -0.6666654321121172], 1e-13, [2.0], "Radau"),
    ("vdp_mu1000", vdp, vdp_jac, (1000.0,), [2.0, 0.0], 1e-16, [3000.0], "Radau"),
    ("robertson", rober, rober_jac, (0.04, 3e7, 1e4), [1.0, 0.0, 0.0], 1e-22, [40.0, 1e5, 1e11], "Radau"),
    ("lorenz", lorenz, None, (10.0, 28.0, 8.0 / 3.0), [1.0, 1.0, 1.0], 1e-13, [1.0], "DOP853"),
]
EVENT_T_END = 20.0


def digits(a, b):
    d = abs(a - b)
    return 17.0 if d == 0.0 else min(17.0, -math.log10(d / max(abs(a), abs(b))))


def cvode_values(binary):
    """{(problem, t_end, comp): value} and the list of event times from ref_cvode."""
    if binary is None:
        tmp = tempfile.mkdtemp(prefix="ref_cvode.")
        binary = os.path.join(tmp, "ref_cvode")
        cc = os.environ.get("CC", "cc")
        cmd = [cc, "-std=gnu11", "-O2", "-o", binary, os.path.join(HERE, "ref_cvode.c"), "-lsundials_cvode",
               "-lsundials_nvecserial", "-lsundials_sunlinsoldense", "-lsundials_sunmatrixdense", "-lm"]
        if subprocess.run(cmd).returncode != 0:
            sys.exit("refs.py: cannot build ref_cvode.c (apt-get install libsundials-dev)")
    out = subprocess.run([binary], check=True, capture_output=True, text=True).stdout
    vals, events = {}, []
    for line in out.splitlines():
        f = line.split()
        if f[1] == "-":
            events.append(float(f[3]))
        else:
            vals[(f[0], float(f[1]), int(f[2]))] = float(f[3])
    return vals, events


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "refs.txt"))
    ap.add_argument("--cvode", help="a built ref_cvode binary (default: build it)")
    args = ap.parse_args()
    cv, cv_events = cvode_values(args.cvode)

    rows = []
    for name, f, jac, p, y0, atol, touts, method in PROBLEMS:
        for tout in touts:
            kw = {"jac": jac} if (jac is not None and method != "DOP853") else {}
            sols = []
            for rtol in (RTOL, RTOL_TIGHT):
                sol = solve_ivp(f, (0.0, tout), y0, method=method, rtol=rtol, atol=atol * rtol / RTOL, args=p, **kw)
                if sol.status != 0:
                    sys.exit(f"refs.py: {name} to t = {tout}, rtol {rtol:g}: solve_ivp failed: {sol.message}")
                sols.append(sol)
            for i, (v, w) in enumerate(zip(sols[0].y[:, -1], sols[1].y[:, -1])):
                c = cv[(name, tout, i)]
                rows.append((name, f"{tout:.17g}", str(i), f"{v:.16e}", method, f"{RTOL:g}", f"{atol:g}",
                             f"{abs(v - w):.2e}", f"{c:.16e}", f"{abs(v - c):.2e}", f"{digits(v, c):.1f}"))
            print(f"refs.py: {name} t = {tout:g}: {method} nfev {sol.nfev}", file=sys.stderr)

    # events: x = 0 crossings of VdP mu = 1 from (2, 0) in [0, 20]; SciPy locates them on DOP853's
    # dense output (brentq to 4 ulp of t)
    def xzero(t, y, mu):
        return y[0]
    te = [solve_ivp(vdp, (0.0, EVENT_T_END), [2.0, 0.0], method="DOP853", rtol=rtol, atol=1e-13 * rtol / RTOL,
                    args=(1.0,), events=xzero).t_events[0] for rtol in (RTOL, RTOL_TIGHT)]
    if not len(te[0]) == len(te[1]) == len(cv_events):
        sys.exit(f"refs.py: SciPy finds {len(te[0])} (and {len(te[1])}) x = 0 crossings, CVODE {len(cv_events)}")
    for k, (v, w, c) in enumerate(zip(te[0], te[1], cv_events), 1):
        rows.append(("vdp_mu1_xzero", f"{EVENT_T_END:g}", str(k), f"{v:.16e}", "DOP853", f"{RTOL:g}", "1e-13",
                     f"{abs(v - w):.2e}", f"{c:.16e}", f"{abs(v - c):.2e}", f"{digits(v, c):.1f}"))

    head = ("problem", "t_end", "comp", "value", "method", "rtol", "atol", "self_diff", "cvode_bdf", "abs_diff",
            "digits")
    widths = [max(len(r[j]) for r in rows + [head]) for j in range(len(head))]
    with open(args.out, "w") as fp:
        fp.write(f"""# ODE references: SciPy {scipy.__version__} solve_ivp (NumPy {np.__version__}) at rtol 1e-13, cross-checked
# with SUNDIALS CVODE BDF (libsundials-dev 6.4, Debian 12) at the same rtol and atol.
# Made by bench/peers/ode/refs.py (+ ref_cvode.c); do not edit by hand.
# Problems (y0 at t = 0; every output time is reached by its own run, not by interpolation):
#   vdp_mu1      Van der Pol x' = v, v' = mu (1 - x^2) v - x, mu = 1, y0 = (2, 0)
#   vdp_eps1e-3  Hairer's form y1' = y2, y2' = ((1 - y1^2) y2 - y1) / eps, eps = 1e-3,
#                y0 = (2, -0.6666654321121172)
#   vdp_mu1000   the mu form with mu = 1000, y0 = (2, 0)
#   robertson    y1' = -k1 y1 + k3 y2 y3, y2' = k1 y1 - k3 y2 y3 - k2 y2^2, y3' = k2 y2^2,
#                (k1, k2, k3) = (0.04, 3e7, 1e4), y0 = (1, 0, 0)
#   lorenz       x' = s (y - x), y' = x (r - z) - y, z' = x y - b z, (s, r, b) = (10, 28, 8/3), y0 = (1, 1, 1)
#   vdp_mu1_xzero  the times t_k (comp = k) of the crossings x = 0 of vdp_mu1 in [0, 20] (SciPy: events on
#                DOP853's dense output; CVODE: its root finding)
# Columns: value = SciPy's (17 significant digits), method = SciPy's method, atol = the absolute
# tolerance of both runs, self_diff = |value - the same SciPy method's at rtol 2.5e-14 (atol scaled
# alike)| (an estimate of value's own error), cvode_bdf = CVODE's value, abs_diff = |value - cvode_bdf|,
# digits = -log10(abs_diff / |value|): the significant digits on which the two references agree.
""")
        for r in [head] + rows:
            fp.write("  ".join(s.ljust(w) for s, w in zip(r, widths)).rstrip() + "\n")
    print(f"refs.py: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
