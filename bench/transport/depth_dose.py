#!/usr/bin/python3
"""depth_dose.py - the depth-dose curve of a stardag transport run and its Bragg peak, R90, R80.

    depth_dose.py FILE.h5 [--field dose] [--step N|last] [--curve]

Reads /grid (shape, spacing) and /fields/<field>/<step> (a 2-D cell field, [nz][nx]) with h5dump
(hdf5-tools; no h5py needed), sums it over x: D(z_j) at the cell centres z_j = (j + 1/2) dz, and
prints one line
    RESULT depth_dose file=... step=N peak_mm=... peak_dose=... r90_mm=... r80_mm=... total=...
R90/R80: the depth beyond the peak where D falls to 90/80 % of its maximum, linearly interpolated
between the two cell centres that bracket that level (the distal falloff); the peak is the centre of
the cell of largest D. --curve also prints "z_mm D" per cell. Exit 1 if the curve never falls to 80 %
beyond its peak (the beam did not stop inside the grid), 2 on bad input.
"""
import re
import subprocess
import sys

import numpy as np


def h5dump(args):
    r = subprocess.run(["h5dump"] + args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("depth_dose.py: h5dump %s failed: %s" % (" ".join(args), r.stderr.strip() or r.stdout.strip()))
    return r.stdout


def values(text):
    """The numbers of the DATA block of an h5dump listing (index prefixes "(i,j):" dropped)."""
    m = re.search(r"DATA \{(.*)\}", text, re.S)
    if not m:
        sys.exit("depth_dose.py: no DATA block in h5dump's output")
    body = re.sub(r"\(\s*\d+(\s*,\s*\d+)*\s*\):", " ", m.group(1)).replace("}", " ")
    return np.array([float(v) for v in re.split(r"[,\s]+", body) if v])


def falloff(z, D, level, peak):
    """Depth beyond index peak where D first drops below level (linear between centres), or None."""
    for j in range(peak, len(D) - 1):
        if D[j] >= level > D[j + 1]:
            return z[j] + (D[j] - level) / (D[j] - D[j + 1]) * (z[j + 1] - z[j])
    return None


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    path, name, step, curve = args[0], "dose", "last", False
    i = 1
    while i < len(args):
        if args[i] == "--field" and i + 1 < len(args):
            name = args[i + 1]; i += 2
        elif args[i] == "--step" and i + 1 < len(args):
            step = args[i + 1]; i += 2
        elif args[i] == "--curve":
            curve = True; i += 1
        else:
            print(__doc__, file=sys.stderr)
            return 2
    shape = values(h5dump(["-a", "/grid/shape", path])).astype(int)
    spacing = values(h5dump(["-a", "/grid/spacing", path]))
    nx, nz, dz = shape[0], shape[1], spacing[1]
    steps = sorted(int(s) for s in re.findall(r"dataset\s+/fields/%s/(\d+)" % re.escape(name), h5dump(["-n", path])))
    if not steps:
        print("depth_dose.py: %s has no field %s" % (path, name), file=sys.stderr)
        return 2
    n = steps[-1] if step == "last" else int(step)
    if n not in steps:
        print("depth_dose.py: %s: field %s has no step %d (steps: %s)" % (path, name, n, steps), file=sys.stderr)
        return 2
    dose = values(h5dump(["-A", "0", "-y", "-m", "%.17g", "-d", "/fields/%s/%08d" % (name, n), path]))
    if dose.size != nx * nz:
        print("depth_dose.py: /fields/%s/%08d has %d values, expected %d x %d" % (name, n, dose.size, nz, nx), file=sys.stderr)
        return 2
    D = dose.reshape(nz, nx).sum(axis=1)
    z = (np.arange(nz) + 0.5) * dz
    peak = int(np.argmax(D))
    r90, r80 = falloff(z, D, 0.9 * D[peak], peak), falloff(z, D, 0.8 * D[peak], peak)
    if curve:
        for zj, d in zip(z, D):
            print("%.6g %.17g" % (zj, d))
    fmt = lambda v: "nan" if v is None else "%.4f" % v
    print("RESULT depth_dose file=%s step=%d peak_mm=%.4f peak_dose=%.6g r90_mm=%s r80_mm=%s total=%.10g"
          % (path, n, z[peak], D[peak], fmt(r90), fmt(r80), D.sum()))
    return 0 if r80 is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
