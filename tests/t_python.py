"""tests/t_python.py - the stardag Python package against the build tree (run by t_python.sh, which
sets PYTHONPATH and STARDAG_LIB and runs it in a scratch directory). Prints TAP."""

import io
import os
import signal
import subprocess
import sys
import textwrap
import traceback

import h5py
import numpy as np

import stardag

top_srcdir, top_builddir = os.environ["top_srcdir"], os.environ["top_builddir"]
KG = os.path.join(top_srcdir, "graphs", "lattice", "kg-packet.yaml")
MD = os.path.join(top_srcdir, "tests", "graphs", "md-slab.yaml")
BLOWUP = os.path.join(top_srcdir, "tests", "graphs", "blowup.yaml")
n = fails = 0


def ok(cond, desc):
    global n, fails
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        fails += 1
    sys.stdout.flush()


def raises(exc, fn, *a, **kw):
    """The exception fn raises, if it is an exc; None otherwise."""
    try:
        fn(*a, **kw)
    except exc as e:
        return e
    except BaseException as e:  # noqa: B036 - any other exception is a failure of the test
        print("# unexpected %s: %s" % (type(e).__name__, e))
    return None


def case(fn):
    """Run one group of checks; an unexpected exception is one failed result with its traceback."""
    try:
        fn()
    except Exception:
        ok(False, "%s raised" % fn.__name__)
        print("# " + traceback.format_exc().replace("\n", "\n# "))
    return fn


def cli(*args):
    return subprocess.run([os.path.join(top_builddir, "stardag")] + list(args), capture_output=True, text=True)


@case
def loading():
    ok(stardag.version() == cli("--version").stdout.split()[1], "version() is the CLI's version")
    g = stardag.load(KG, n=12, width="2*dx")
    ok(g.shape == (12, 12, 12) and g.domain == "grid" and g.name == "kg-packet", "overrides reach the graph (shape)")
    ok(g.params["n"] == 12 and g.params["width"] == 2.0 and g.params["dt"] == 0.5, "params are the evaluated values")
    ok(g.fields == ["E", "chi"] and g.scalars == ["energy", "max_E"], "fields and declared scalars (no hidden ones)")
    ok(g.steps == 300 and g.dt == 0.5 and g.output_file == "kg-packet.h5", "run and output sections")
    g2 = g.with_params(chi0=0.3)
    ok(g2.params["chi0"] == 0.3 and g2.params["n"] == 12 and g.params["chi0"] == 0.2, "with_params keeps earlier overrides")


@case
def graph_errors():
    with open("bad.yaml", "w") as f:
        f.write(open(KG).read().replace("op: lattice.kg_leapfrog", "op: lattice.kg_leapfrg"))
    e = raises(stardag.GraphError, stardag.load, "bad.yaml")
    line = next(i + 1 for i, s in enumerate(open("bad.yaml")) if "kg_leapfrg" in s)
    ok(e is not None and e.path == "bad.yaml" and e.line == line and e.col > 0,
       "a bad graph raises GraphError with file:line:col (%s)" % (e and e.message))
    ok(e is not None and "kg_leapfrog" in e.message, "the loader's suggestion is in the message")
    ok(e is not None and e.message == cli("check", "bad.yaml").stderr.strip().split("stardag: ", 1)[-1],
       "the same message as stardag check")
    e = raises(stardag.GraphError, stardag.load, KG, nn=3)
    ok(e is not None and "unknown param 'nn'" in e.message and "did you mean 'n'" in e.message,
       "an unknown param override is refused, with a suggestion (%s)" % (e and e.message))
    e = raises(stardag.GraphError, stardag.load, KG, n="2*nosuch")
    ok(e is not None and "nosuch" in e.message, "an override that does not evaluate is refused (%s)" % (e and e.message))
    ok(raises(TypeError, stardag.load, KG, n=True) is not None, "a bool override is a TypeError")
    e = raises(stardag.GraphError, stardag.load, "missing.yaml")
    ok(e is not None and e.path == "missing.yaml" and e.line is None and "cannot open" in e.message,
       "a missing file raises GraphError naming it (%s)" % (e and e.message))


@case
def running():
    g = stardag.load(KG, n=12)
    seen = []
    r = g.run(steps=40, out="a.h5", progress=seen.append, quiet=True)
    ok(isinstance(r, stardag.Run) and r.status == "completed" and r.steps == 40 and r.exit_status == 0,
       "run returns a complete Run")
    ok([p.step for p in seen[:-1]] == list(range(1, 41)) and seen[-1].final and seen[-1].step == 40,
       "the progress callback sees every step, then a final call")
    ok(sorted(seen[-1].scalars) == ["energy", "max_E"] and seen[-1].scalars["energy"] > 0,
       "it sees the latest declared scalars")
    with h5py.File("a.h5", "r") as f:
        same = np.array_equal(f["scalars/energy"][:], r.scalars["energy"]) and \
            np.array_equal(f["scalars/step"][:], r.scalars.step) and \
            np.array_equal(f["fields/E/00000040"][:], r.field("E", step=40))
    ok(same and list(r.scalars) == ["energy", "max_E"], "scalars and fields are the file's datasets")
    ok(list(r.field_steps("E")) == [0, 40] and r.field("E").shape == (12, 12, 12), "field steps; last step by default")
    ok(raises(KeyError, r.field, "E", step=7) is not None and raises(KeyError, r.field, "nosuch") is not None,
       "an unwritten step or field is a KeyError")
    ok(r.meta["cmdline"].startswith("python:") and r.grid["shape"] == (12, 12, 12), "meta and grid")
    ok(stardag.Run("a.h5").steps == 40, "Run(path) opens an earlier output")
    ok(raises(FileNotFoundError, stardag.Run, "nosuch.h5") is not None, "Run of a missing file is FileNotFoundError")
    before = open("a.h5", "rb").read()
    e = raises(FileExistsError, g.run, steps=5, out="a.h5")
    ok(e is not None and "a.h5" in str(e) and open("a.h5", "rb").read() == before,
       "an existing output is refused and left as it was")
    ok(g.run(steps=5, out="a.h5", overwrite=True, progress=False, quiet=True).steps == 5, "overwrite=True replaces it")
    buf = io.StringIO()
    g.run(steps=40, out="", progress=stardag.ProgressBar(stream=buf), quiet=True)
    ok(buf.getvalue().count("\n") == 1 and buf.getvalue().startswith("\r[" + "#" * 30 + "] 40/40 steps"),
       "the bar writes only its final line to a stream that is not a terminal (%r)" % buf.getvalue())
    r0 = g.run(steps=3, out="", progress=False, quiet=True)
    ok(r0.path is None and raises(stardag.StardagError, lambda: r0.scalars) is not None, "out='' writes no file")


@case
def run_errors():
    e = raises(stardag.CheckFailed, stardag.load(BLOWUP).run, steps=300, out="blow.h5", progress=False, quiet=True)
    ok(e is not None and e.status == 3 and "finite(E)" in e.message, "a failed check raises CheckFailed (status 3)")
    ok(e is not None and e.run.status == "check failed" and e.run.steps < 300, "its run holds what was written")
    g = stardag.load(KG, n=12)
    e = raises(stardag.RunError, g.run, steps=5, out="nodir/x.h5", progress=False, quiet=True)
    ok(e is not None and e.status == 1 and "nodir/x." in e.message and e.run is None,
       "an output that cannot be created raises RunError (status 1) naming it (%s)" % (e and e.message.strip()))
    e = raises(stardag.RunInterrupted, g.run, steps=50, out="stop.h5", progress=lambda p: p.step >= 10, quiet=True)
    ok(e is not None and isinstance(e, KeyboardInterrupt) and "progress callback at step 10" in e.message,
       "a progress callback returning True stops the run (RunInterrupted)")
    ok(e is not None and e.run.status == "interrupted" and 10 <= e.run.steps < 50, "the stopped run's file says so")

    def boom(p):
        if p.step == 5:
            raise ValueError("boom")
    e = raises(ValueError, g.run, steps=50, out="boom.h5", progress=boom, quiet=True)
    ok(e is not None and str(e) == "boom" and stardag.Run("boom.h5").steps < 50,
       "an exception in the callback stops the run and is raised")
    e = raises(stardag.RunInterrupted, g.run, steps=5, out="", progress=lambda p: 1, quiet=True)
    ok(e is None, "a truthy answer other than True (a count written, say) does not stop the run")
    g.run(steps=3, out="old.h5", progress=False, quiet=True)
    e = raises(stardag.RunError, g.run, steps=5, out="old.h5", overwrite=True, sched="nosuch", progress=False, quiet=True)
    ok(e is not None and e.status == 2 and e.run is None and stardag.Run("old.h5").steps == 3,
       "a failed run with overwrite=True keeps the old file, and its error's run is not the old file")
    e = raises(stardag.StardagError, stardag.load_pack, "nothere.so")
    ok(e is not None and "nothere.so: no such pack file" in str(e), "load_pack of a missing file: StardagError naming it")
    e = raises(stardag.StardagError, g.run, steps=5, out="", quiet=True, progress=lambda p: g.run(steps=1, out=""))
    ok(e is not None and "another run" in str(e), "a run inside a run is refused (StarPU is one per process)")
    ok(raises(ValueError, g.run, tiles="3x", out="") is not None and raises(ValueError, g.run, arch="gpu") is not None,
       "bad tiles and arch are ValueErrors")


@case
def two_graphs_one_process():
    kg = stardag.load(KG, n=12)
    a = kg.run(steps=20, out="kg1.h5", progress=False, quiet=True)
    md = stardag.load(MD).run(steps=10, out="md.h5", progress=False, quiet=True, overwrite=True)
    b = kg.run(steps=20, out="kg2.h5", progress=False, quiet=True, tiles=(6, 12, 4))
    ok(md.status == "completed" and len(md.scalars.step) > 0, "a particle graph runs after a grid graph")
    ok(stardag.compare(a, b), "and the grid graph again, bitwise the same with other tiles")
    c = kg.run(steps=20, out="kg3.h5", progress=False, quiet=True, tiles=(6, 12, 4), fuse=3)
    ok(stardag.compare(a, c), "and with fused steps (fuse=3), bitwise the same")
    ok(raises(ValueError, kg.run, fuse=0, out="") is not None, "fuse=0 is refused")


@case
def comparing():
    g = stardag.load(KG, n=12)
    a = g.run(steps=20, out="c1.h5", progress=False, quiet=True)
    b = g.run(steps=20, out="c2.h5", progress=False, quiet=True, tiles=(12, 6, 6), ncpu=1, sched="eager")
    c = g.with_params(chi0=0.2000001).run(steps=20, out="c3.h5", progress=False, quiet=True)
    same, diff = stardag.compare(a, b), stardag.compare("c1.h5", "c3.h5")
    ok(same and same.differing == [] and "agree (bitwise)" in same.report, "other tiles, workers, scheduler: bitwise")
    ok(not diff and "/scalars/energy" in diff.differing and "/fields/E/00000020" in diff.differing,
       "a changed param differs, naming the datasets")
    ok(stardag.compare(a, c, rtol=1e-3, atol=1e-6) and not stardag.compare(a, c, rtol=1e-5),
       "and agrees within a tolerance, not within a tighter one")
    ok([cli("compare", "c1.h5", x).returncode for x in ("c2.h5", "c3.h5")] == [0, 3], "as stardag compare says")
    e = raises(stardag.StardagError, stardag.compare, "c1.h5", "nosuch.h5")
    ok(e is not None and "nosuch.h5" in str(e), "a missing file is an error naming it")


@case
def ctrl_c():
    child = textwrap.dedent("""
        import sys, stardag
        g = stardag.load(sys.argv[1], n=24)
        def tell(p):
            if p.step == 5 and not p.final:
                print("running", flush=True)
        try:
            g.run(steps=1000000, out="int.h5", progress=tell, quiet=True)
            print("finished")
        except stardag.RunInterrupted as e:
            print("interrupted", e.run.status, e.run.steps, e.status)
        """)
    p = subprocess.Popen([sys.executable, "-c", child, KG], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline().strip()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    words = out.split()
    ok(first == "running" and p.returncode == 0 and words[:3] == ["interrupted", "interrupted", words[2]]
       and 5 <= int(words[2]) < 1000000 and words[3] == "130",
       "Ctrl-C stops the run cleanly: RunInterrupted, the file says interrupted (%r)" % (first + " " + out))
    ok(stardag.Run("int.h5").field("E").shape == (24, 24, 24), "and what was complete is readable")


@case
def profiles():
    with open("prof.yaml", "w") as f:
        f.write(textwrap.dedent("""\
            domain: {grid: {shape: [6, 5], spacing: [1, 0.25], units: {length: mm}}}
            fields: {u: {}}
            init: [{op: common.noise, write: {out: u}, params: {seed: 3, lo: 0, hi: 1}}]
            step: [{op: common.scale, readwrite: {x: u}, params: {a: 0.5}}]
            output:
              fields: {names: [u], every: 1}
              profiles: [{field: u, axis: y, falloff: [50, 12.5]}]
            run: {steps: 2, dt: 1}
            """))
    r = stardag.load("prof.yaml").run(out="prof.h5", progress=False, quiet=True)
    p = r.profiles["u_y"]
    u = r.field("u")
    ok(list(r.profiles) == ["u_y"] and list(p.step) == [0, 1, 2] and p.axis == "y" and p.axis_label == "y" and p.units_length == "mm",
       "Run.profiles: one row per written step, its axis and unit")
    ok(np.allclose(p.values[-1], u.sum(axis=1), rtol=1e-14, atol=0) and
       np.array_equal(p.positions, (np.arange(5) + 0.5) * 0.25), "values: the last field summed over x; the cell centres")
    ok(p.peak[-1] == (np.argmax(p.values[-1]) + 0.5) * 0.25 and p.max[-1] == p.values[-1].max() and
       sorted(p.falloff) == [12.5, 50] and len(p.falloff[12.5]) == 3, "peak, max and the fall-off columns")


@case
def refusals_and_warnings():
    g = stardag.load(KG, n=12)
    for kw in (dict(steps=2.7), dict(ncpu=-1), dict(max_inflight=0), dict(steps="3")):
        e = raises(ValueError, g.run, out="", progress=False, quiet=True, **kw)
        ok(e is not None, "run(%s) is a ValueError, as stardag run refuses it (%s)" % (kw, e))
    md = stardag.load(MD)
    e = raises(ValueError, md.run, steps=1, out="", tiles=(2, 3), progress=False, quiet=True)
    ok(e is not None and "not a shape" in str(e), "tiles=(2, 3) on a particle graph: a ValueError (a number of blocks)")
    r = g.run(steps=3, out="warn.h5", progress=False, quiet=True)
    ok(len(r.warnings) == 1 and "never evaluated" in r.warnings[0], "Run.warnings: a run's warning lines (%s)" % r.warnings)
    e = raises(stardag.RunError, g.run, steps=3, out="fail.h5", sched="nosuch", progress=False, quiet=True)
    ok(e is not None and not os.path.exists("fail.log"), "a run refused at start leaves no log behind")
    r = g.run(steps=3, out="fail.h5", progress=False, quiet=True)
    ok(r.status == "completed", "so the corrected run is not refused for it")
    e = raises(stardag.RunError, g.run, steps=3, out="late.h5", trace="nodir/t.json", progress=False, quiet=True)
    ok(e is not None and "nodir/t.json" in e.message and not os.path.exists("late.h5"),
       "a trace in a missing folder is refused before the run (no output written)")
    g.run(steps=3, out="exists.h5", progress=False, quiet=True, log="exists.log")
    e = raises(stardag.RunError, g.run, steps=3, out="other.h5", log="exists.log", progress=False, quiet=True)
    ok(e is not None and "overwrite=True" in e.message and "--overwrite" not in e.message,
       "messages name run()'s arguments, not stardag run's options (%s)" % (e and e.message.strip()))
    here = os.getcwd()
    os.mkdir("sub")
    with open("sub/rel.yaml", "w") as f:
        with open(KG) as k:
            f.write(k.read())
    os.chdir("sub")
    rel = stardag.load("rel.yaml", n=8)
    os.chdir(here)
    ok(rel.with_params(n=10).params["n"] == 10, "with_params after a chdir: the graph loaded by a relative path")
    env = dict(os.environ, STARDAG_LIB="/etc/hostname")
    p = subprocess.run([sys.executable, "-c", "import stardag\ntry:\n stardag.load('x')\nexcept stardag.StardagError as e:"
                        " print('StardagError', e)"], capture_output=True, text=True, env=env)
    ok("StardagError" in p.stdout and "/etc/hostname" in p.stdout, "STARDAG_LIB at a file that is no library: StardagError")


print("1..%d" % n)
sys.exit(1 if fails else 0)
