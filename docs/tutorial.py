#!/usr/bin/env python3
"""A short tour of the stardag Python package (docs/python.md). It runs as a test
(tests/t_python.sh); run it yourself from a built checkout with

    PYTHONPATH=python python3 docs/tutorial.py

(the package finds the library in _build/.libs, or set STARDAG_LIB). Everything it writes goes
into a temporary directory."""

import os
import tempfile

import numpy as np

import stardag

here = os.path.dirname(os.path.abspath(__file__))
os.chdir(tempfile.mkdtemp(prefix="stardag-tutorial-"))

# 1. Load a graph: the Klein-Gordon wave packet of the README, made small. Keyword arguments
#    override the graph's params (like `stardag run --set n=24`); the loader validates everything
#    and raises stardag.GraphError with file:line:col when something is wrong.
g = stardag.load(os.path.join(here, "..", "graphs", "lattice", "kg-packet.yaml"), n=24)
print(g)                                  # name, domain, shape, steps, params
assert g.shape == (24, 24, 24) and g.params["n"] == 24
assert g.params["dt"] == 0.5 * g.params["dx"] / g.params["c"]   # params are evaluated expressions

# 2. Run it: a progress bar on stderr, the summary on stdout, the output in packet.h5. A failed
#    check would raise stardag.CheckFailed; Ctrl-C stops cleanly (stardag.RunInterrupted).
r = g.run(steps=200, out="packet.h5")
assert r.status == "completed" and r.steps == 200

# 3. Scalars are NumPy arrays, one value per output row (every 10 steps in this graph).
energy, steps = r.scalars["energy"], r.scalars.step
assert steps[0] == 10 and steps[-1] == 200
drift = np.abs(energy - energy[0]).max() / abs(energy[0])
print("energy %.10g, relative drift over %d steps: %.2e" % (energy[0], steps[-1], drift))
assert drift < 1e-12                      # the leapfrog scheme conserves this energy exactly

# 4. Fields: r.field(name, step) is the array in the file's order, [z][y][x] (x fastest).
print("E written at steps", list(r.field_steps("E")))
E = r.field("E", step=200)
assert E.shape == (24, 24, 24) and E.dtype == np.float64
k, j, i = np.unravel_index(np.abs(E).argmax(), E.shape)
print("max |E| = %.6f at x=%d y=%d z=%d" % (abs(E[k, j, i]), i, j, k))
assert np.isclose(np.abs(E).max(), r.scalars["max_E"][-1], rtol=0, atol=0)   # the run's own max

# 5. Results do not depend on the tiling: run again with 8 tiles and compare, bitwise.
r8 = g.run(steps=200, out="tiles8.h5", tiles=(12, 12, 12), progress=False, quiet=True)
same = stardag.compare(r, r8)
print(same.report.strip())
assert same, same.report

# 6. Parameter studies: with_params gives a new graph; a different mass term changes the energy.
heavy = g.with_params(chi0=0.4).run(steps=200, out="heavy.h5", progress=False, quiet=True)
assert heavy.scalars["energy"][0] > energy[0]
diff = stardag.compare(r, heavy)
assert not diff and "/scalars/energy" in diff.differing
print("chi0=0.4 differs from chi0=0.2 in", len(diff.differing), "datasets")
