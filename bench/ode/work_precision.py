#!/usr/bin/python3
"""bench/ode/work_precision.py - work-precision tables: the error at the final time against
bench/peers/ode/refs.txt versus the RHS evaluations, for SciPy's solve_ivp methods (RK45, DOP853,
Radau, BDF) over rtol = 1e-3 .. 1e-10 on the reference problems, and for any other solver's results
given in a file of the same format (--add), so that stardag's curves sit beside SciPy's.

  work_precision.py [--out FILE] [--svg FILE] [--add RESULTS]... [--no-scipy] [--rtols 1e-3,...]
                    [--problems vdp_mu1,...]

Results format (what --out writes and --add reads): plain text, '#' starts a comment, fields are
separated by blanks, one row per run, a header row starting with `problem`:
  problem t_end solver rtol atol nfev njev nlu steps time_s y...  [error]
problem and t_end name a row of refs.txt (vdp_mu1 100, vdp_eps1e-3 2, vdp_mu1000 3000, robertson 1e11,
lorenz 1); solver is a label without blanks (scipy.RK45, stardag.ode.dopri5, ...); nfev/njev/nlu/steps
are the run's RHS and Jacobian evaluations, LU factorisations and accepted steps ('-' if unknown);
time_s its wall time ('-' if unknown); y... its final state, every component with 17 significant
digits. The error column is (re)computed from y against refs.txt, a trailing one in --add is ignored:
  error = max_i |y_i - ref_i| / (|ref_i| + a),   a = the problem's atol/rtol (below: ATOL_SCALE)
i.e. a relative error with an absolute floor. atol = a * rtol in every SciPy run.
With matplotlib (python3-matplotlib; optional) --svg draws error vs nfev, one panel per problem.
Takes ~1-3 minutes (SciPy's Radau and BDF at rtol 1e-10 on the stiff problems).
"""
import argparse
import math
import os
import sys
import time

from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peers", "ode"))
import refs as R  # noqa: E402  (the problems' right-hand sides and Jacobians)

# problem: (t_end, atol/rtol, methods run on it: explicit ones only where the problem is not stiff)
PROBLEMS = {
    "vdp_mu1": (100.0, 1.0, ("RK45", "DOP853", "Radau", "BDF")),
    "lorenz": (1.0, 1.0, ("RK45", "DOP853", "Radau", "BDF")),
    "vdp_eps1e-3": (2.0, 1.0, ("Radau", "BDF")),
    "vdp_mu1000": (3000.0, 1e-3, ("Radau", "BDF")),
    "robertson": (1e11, 1e-8, ("Radau", "BDF")),
}
ATOL_SCALE = {k: v[1] for k, v in PROBLEMS.items()}
RTOLS = [10.0 ** -k for k in range(3, 11)]
COLUMNS = ("problem", "t_end", "solver", "rtol", "atol", "nfev", "njev", "nlu", "steps", "time_s")


def load_refs(path):
    refs = {}
    with open(path) as fp:
        for line in fp:
            f = line.split()
            if not f or f[0].startswith("#") or f[0] == "problem":
                continue
            refs.setdefault((f[0], float(f[1])), {})[int(f[2])] = float(f[3])
    return {k: [v[i] for i in sorted(v)] for k, v in refs.items()}


def error(problem, t_end, y, refs):
    ref = refs.get((problem, t_end))
    if ref is None:
        raise ValueError(f"no reference for {problem} at t = {t_end:g} in refs.txt")
    if len(y) != len(ref):
        raise ValueError(f"{problem}: {len(y)} components, the reference has {len(ref)}")
    a = ATOL_SCALE[problem]
    return max(abs(yi - ri) / (abs(ri) + a) for yi, ri in zip(y, ref))


def scipy_rows(problems, rtols):
    spec = {p[0]: p for p in R.PROBLEMS}
    rows = []
    for name in problems:
        t_end, a, methods = PROBLEMS[name]
        _, f, jac, params, y0, _, _, _ = spec[name]
        for method in methods:
            for rtol in rtols:
                kw = {"jac": jac} if (jac is not None and method in ("Radau", "BDF")) else {}
                t0 = time.perf_counter()
                sol = solve_ivp(f, (0.0, t_end), y0, method=method, rtol=rtol, atol=a * rtol, args=params, **kw)
                dt = time.perf_counter() - t0
                if sol.status != 0:
                    print(f"work_precision.py: {name} {method} rtol {rtol:g}: {sol.message}", file=sys.stderr)
                    continue
                rows.append({"problem": name, "t_end": t_end, "solver": "scipy." + method, "rtol": rtol,
                             "atol": a * rtol, "nfev": sol.nfev, "njev": sol.njev, "nlu": sol.nlu,
                             "steps": len(sol.t) - 1, "time_s": dt, "y": list(sol.y[:, -1])})
            print(f"work_precision.py: {name} {method} done", file=sys.stderr)
    return rows


def read_rows(path, refs):
    """rows of a results file (the format above); errors name the file and line"""
    rows = []
    with open(path) as fp:
        for ln, line in enumerate(fp, 1):
            f = line.split("#", 1)[0].split()
            if not f or f[0] == "problem":
                continue
            where = f"{path}:{ln}"
            if len(f) < len(COLUMNS) + 1:
                sys.exit(f"work_precision.py: {where}: {len(f)} fields, expected {len(COLUMNS)} + the final state")
            if f[0] not in PROBLEMS:
                sys.exit(f"work_precision.py: {where}: unknown problem '{f[0]}' (expected one of {', '.join(PROBLEMS)})")
            try:
                ref = refs.get((f[0], float(f[1])))
            except ValueError:
                ref = None
            if ref is None:
                sys.exit(f"work_precision.py: {where}: no reference for {f[0]} at t_end = {f[1]} in refs.txt "
                         f"(expected t_end {PROBLEMS[f[0]][0]:g})")
            if len(f) < len(COLUMNS) + len(ref):
                sys.exit(f"work_precision.py: {where}: {len(f) - len(COLUMNS)} state components, "
                         f"expected {len(ref)} for {f[0]}")
            try:
                num = lambda s: None if s == "-" else float(s)
                row = {"problem": f[0], "t_end": float(f[1]), "solver": f[2], "rtol": float(f[3]),
                       "atol": float(f[4]), "nfev": num(f[5]), "njev": num(f[6]), "nlu": num(f[7]),
                       "steps": num(f[8]), "time_s": num(f[9])}
                row["y"] = [float(s) for s in f[len(COLUMNS):len(COLUMNS) + len(ref)]]
            except ValueError as e:
                sys.exit(f"work_precision.py: {where}: not a number ({e}); expected: {' '.join(COLUMNS)} y...")
            rows.append(row)
    return rows


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def write_table(rows, refs, out):
    lines = [f"# work-precision: error at t_end against bench/peers/ode/refs.txt vs RHS evaluations",
             f"# error = max_i |y_i - ref_i| / (|ref_i| + a), a = atol/rtol: "
             + ", ".join(f"{k} {v:g}" for k, v in ATOL_SCALE.items()),
             "# " + " ".join(COLUMNS) + " y... error"]
    table = []
    for r in rows:
        e = error(r["problem"], r["t_end"], r["y"], refs)
        r["error"] = e
        table.append([r["problem"], f"{r['t_end']:g}", r["solver"], f"{r['rtol']:.0e}", f"{r['atol']:.0e}",
                      fmt(r["nfev"], ".0f"), fmt(r["njev"], ".0f"), fmt(r["nlu"], ".0f"), fmt(r["steps"], ".0f"),
                      fmt(r["time_s"], ".4g")] + [f"{y:.16e}" for y in r["y"]] + [f"{e:.3e}"])
    head = list(COLUMNS) + ["y..."]
    w = [max(len(t[j]) for t in table + [head] if j < len(t)) for j in range(max(len(t) for t in table))]
    lines.append("  ".join(h.ljust(w[j]) for j, h in enumerate(head)).rstrip())
    for t in table:
        lines.append("  ".join(s.ljust(w[j]) for j, s in enumerate(t)).rstrip())
    text = "\n".join(lines) + "\n"
    if out:
        with open(out, "w") as fp:
            fp.write(text)
    return text


def summary(rows):
    """per problem and solver: nfev at each rtol, and the error's slope"""
    out = []
    for name in PROBLEMS:
        solvers = sorted({r["solver"] for r in rows if r["problem"] == name})
        for s in solvers:
            rs = sorted((r for r in rows if r["problem"] == name and r["solver"] == s), key=lambda r: -r["rtol"])
            cells = " ".join(f"{r['rtol']:.0e}:{fmt(r['nfev'], '.0f')}/{r['error']:.1e}" for r in rs)
            out.append(f"{name:12s} {s:22s} rtol:nfev/error  {cells}")
    return "\n".join(out)


def draw(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("work_precision.py: no matplotlib (python3-matplotlib): no SVG drawn", file=sys.stderr)
        return
    names = [p for p in PROBLEMS if any(r["problem"] == p for r in rows)]
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names):
        for s in sorted({r["solver"] for r in rows if r["problem"] == name}):
            rs = sorted((r for r in rows if r["problem"] == name and r["solver"] == s and r["nfev"]),
                        key=lambda r: r["nfev"])
            ax.loglog([r["nfev"] for r in rs], [max(r["error"], 1e-17) for r in rs], "o-", ms=3, label=s)
        ax.set_title(f"{name}, t = {PROBLEMS[name][0]:g}")
        ax.set_xlabel("RHS evaluations")
        ax.set_ylabel("error")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    print(f"work_precision.py: drew {path}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="work-precision.txt", help="the table (default: work-precision.txt)")
    ap.add_argument("--svg", help="also draw the curves into this SVG (needs matplotlib)")
    ap.add_argument("--add", action="append", default=[], help="another solver's results (format above)")
    ap.add_argument("--no-scipy", action="store_true", help="only the --add results")
    ap.add_argument("--rtols", help="comma-separated rtols (default 1e-3,...,1e-10)")
    ap.add_argument("--problems", help="comma-separated problems (default all: " + ",".join(PROBLEMS) + ")")
    ap.add_argument("--refs", default=os.path.join(HERE, "..", "peers", "ode", "refs.txt"))
    a = ap.parse_args()
    refs = load_refs(a.refs)
    problems = a.problems.split(",") if a.problems else list(PROBLEMS)
    for p in problems:
        if p not in PROBLEMS:
            ap.error(f"--problems: unknown problem '{p}' (expected one of {', '.join(PROBLEMS)})")
    try:
        rtols = [float(s) for s in a.rtols.split(",")] if a.rtols else RTOLS
    except ValueError:
        ap.error(f"--rtols: expected comma-separated numbers, found '{a.rtols}'")
    rows = [] if a.no_scipy else scipy_rows(problems, rtols)
    for path in a.add:
        rows += [r for r in read_rows(path, refs) if r["problem"] in problems]
    try:
        write_table(rows, refs, a.out)
    except ValueError as e:
        sys.exit(f"work_precision.py: {e}")
    print(summary(rows))
    print(f"work_precision.py: wrote {a.out}", file=sys.stderr)
    if a.svg:
        draw(rows, a.svg)


if __name__ == "__main__":
    main()
