#!/usr/bin/python3
"""Reference numbers for tests/t_ode_implicit.c (ode.radau5, ode.bdf), made with SciPy's solve_ivp.

Writes ref_implicit.txt beside this script: per problem the reference state at each output time
(Radau at rtol 1e-13, atol as stated; Robertson with per-component atol scaled to the components'
sizes), then for rtol 1e-6 and 1e-10 SciPy's Radau and BDF step counts (accepted steps, f and
Jacobian evaluations, LU factorisations) and their achieved error at the last time. Then the
event references: the times where x crosses 0 downwards (Radau at rtol 1e-13), for the stiff
problems above and for Van der Pol mu = 1 on [0, 20].

Run: /usr/bin/python3 bench/peers/ode/ref_implicit.py  (Debian 12: python3-scipy)."""
import os
import numpy as np
from scipy.integrate import solve_ivp


def vdp_eps(eps):
    f = lambda t, y: [y[1], ((1 - y[0] ** 2) * y[1] - y[0]) / eps]
    j = lambda t, y: [[0, 1], [(-2 * y[0] * y[1] - 1) / eps, (1 - y[0] ** 2) / eps]]
    return f, j


def vdp_mu(mu):
    f = lambda t, y: [y[1], mu * ((1 - y[0] ** 2) * y[1]) - y[0]]
    j = lambda t, y: [[0, 1], [mu * (-2 * y[0] * y[1]) - 1, mu * (1 - y[0] ** 2)]]
    return f, j


def robertson(k1=0.04, k2=3e7, k3=1e4):
    f = lambda t, y: [k3 * y[1] * y[2] - k1 * y[0], k1 * y[0] - k3 * y[1] * y[2] - k2 * y[1] ** 2, k2 * y[1] ** 2]
    j = lambda t, y: [[-k1, k3 * y[2], k3 * y[1]], [k1, -k3 * y[2] - 2 * k2 * y[1], -k3 * y[1]], [0, 2 * k2 * y[1], 0]]
    return f, j


# name, (f, jac), y0, output times, reference atol (per component), atol of the runs compared
# (as a multiple of rtol, per component)
PROBLEMS = [
    ("vdp_eps", vdp_eps(1e-3), [2.0, 0.0], [0.5, 1.0, 1.5, 2.0], [1e-14, 1e-14], [1.0, 1.0]),
    ("vdp_mu", vdp_mu(1000.0), [2.0, 0.0], [500.0, 1000.0, 2000.0, 3000.0], [1e-14, 1e-14], [1.0, 1.0]),
    ("robertson", robertson(), [1.0, 0.0, 0.0], [1e-4, 1e-2, 1.0, 1e2, 1e4, 1e6, 1e8, 1e11],
     [1e-20, 1e-24, 1e-20], [1e-6, 1e-10, 1e-6]),
]

# name, (f, jac), y0, end: x crossing 0 downwards
EVENTS = [
    ("vdp_eps_down", vdp_eps(1e-3), [2.0, 0.0], 2.0),
    ("vdp_mu_down", vdp_mu(1000.0), [2.0, 0.0], 3000.0),
    ("vdp_mu1_down", vdp_mu(1.0), [2.0, 0.0], 20.0),
]


def main():
    out = []
    out.append("# made by ref_implicit.py with SciPy solve_ivp (scipy %s)" % __import__("scipy").__version__)
    for name, (f, j), y0, times, ref_atol, atol_mult in PROBLEMS:
        ref = solve_ivp(f, (0, times[-1]), y0, method="Radau", jac=j, rtol=1e-13, atol=ref_atol,
                        t_eval=times, dense_output=False)
        assert ref.success, ref.message
        for k, t in enumerate(times):
            out.append("ref %s %.17g %s" % (name, t, " ".join("%.17g" % v for v in ref.y[:, k])))
        for rtol in (1e-6, 1e-10):
            atol = [m * rtol for m in atol_mult]
            for method in ("Radau", "BDF"):
                s = solve_ivp(f, (0, times[-1]), y0, method=method, jac=j, rtol=rtol, atol=atol)
                assert s.success, s.message
                yend = s.y[:, -1]
                sc = np.array(atol) + rtol * np.abs(ref.y[:, -1])
                err = np.sqrt(np.mean(((yend - ref.y[:, -1]) / sc) ** 2))
                out.append("scipy %s %s %.0e steps %d nfev %d njev %d nlu %d err_scaled %.3g" %
                           (name, method, rtol, len(s.t) - 1, s.nfev, s.njev, s.nlu, err))
        print("\n".join(out[-(len(times) + 4):]), flush=True)
    x_down = lambda t, y: y[0]
    x_down.direction = -1
    for name, (f, j), y0, tend in EVENTS:
        ev = solve_ivp(f, (0, tend), y0, method="Radau", jac=j, rtol=1e-13, atol=1e-14, events=x_down)
        assert ev.success, ev.message
        out.append("event %s %s" % (name, " ".join("%.17g" % t for t in ev.t_events[0])))
        print(out[-1], flush=True)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref_implicit.txt")
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
