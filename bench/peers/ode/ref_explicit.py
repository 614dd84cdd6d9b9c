#!/usr/bin/python3
"""Reference numbers for tests/t_ode_explicit.c (ode.dopri5, ode.dop853), from SciPy's solve_ivp.

Run: /usr/bin/python3 bench/peers/ode/ref_explicit.py > bench/peers/ode/ref_explicit.txt
(Debian 12: python3-scipy 1.10). Each line is `key value...`; the C test reads them by key.
  ref.<problem>        t_end and y(t_end) by DOP853 at rtol = atol = 1e-13
  nfev.<method>.<problem>.<rtol>   SciPy's RK45 / DOP853 right-hand side evaluations and steps
                       (nfev, accepted steps = len(t) - 1) at rtol = atol = that tolerance
  event.vdp_down       Van der Pol (mu = 1, y0 = (2, 0)) on [0, 20]: the times where x crosses 0
                       downwards (SciPy events, direction -1, DOP853 at 1e-13)
"""
import numpy as np
import scipy
from scipy.integrate import solve_ivp


def vdp(mu):
    return lambda t, y: [y[1], mu * ((1.0 - y[0] * y[0]) * y[1]) - y[0]]


def lorenz(t, y, s=10.0, r=28.0, b=8.0 / 3.0):
    return [s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]]


PROBLEMS = {
    "vdp1": (vdp(1.0), [2.0, 0.0], 100.0),
    "lorenz": (lorenz, [1.0, 1.0, 1.0], 1.0),
}


def main():
    print("# SciPy %s, numpy %s: bench/peers/ode/ref_explicit.py" % (scipy.__version__, np.__version__))
    for name, (f, y0, t1) in PROBLEMS.items():
        r = solve_ivp(f, (0.0, t1), y0, method="DOP853", rtol=1e-13, atol=1e-13)
        assert r.success
        print("ref.%s %.17g %s" % (name, t1, " ".join("%.17g" % v for v in r.y[:, -1])))
    for name, (f, y0, t1) in PROBLEMS.items():
        for tol in (1e-6, 1e-10):
            for method in ("RK45", "DOP853"):
                r = solve_ivp(f, (0.0, t1), y0, method=method, rtol=tol, atol=tol)
                assert r.success
                print("nfev.%s.%s.%g %d %d" % (method, name, tol, r.nfev, len(r.t) - 1))

    def x_down(t, y):
        return y[0]
    x_down.direction = -1
    r = solve_ivp(vdp(1.0), (0.0, 20.0), [2.0, 0.0], method="DOP853", rtol=1e-13, atol=1e-13, events=x_down)
    assert r.success
    print("event.vdp_down %s" % " ".join("%.17g" % v for v in r.t_events[0]))


if __name__ == "__main__":
    main()
