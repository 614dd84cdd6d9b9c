#!/usr/bin/env python3
"""check_h5md.py - conformance check of an H5MD 1.1 trajectory (as written by io/h5md.c) with
independent readers: h5py (structure, attributes, shapes, hard links, values) and, when installed,
MDAnalysis's H5MDReader (frames, box, positions, velocities, observables).

    python3 bench/md/check_h5md.py FILE.h5 [--particles trajectory]

Debian: apt-get install python3-h5py python3-mdanalysis (run with Debian's /usr/bin/python3; the
script re-executes itself with it when the current python3 lacks h5py). Prints what it read and a
line per check; exit status 1 if a check failed. Not part of `make check`.
"""
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("check_h5md.py: needs h5py and numpy (Debian: apt-get install python3-h5py)")

failures = 0


def check(cond, what):
    global failures
    print("%s: %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        failures += 1
    return cond


def s(v):
    """attribute value as text (fixed-length strings come back as bytes)"""
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [s(x) for x in v]
    return v


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    path = args[0]
    group = "trajectory"
    if "--particles" in sys.argv:
        group = sys.argv[sys.argv.index("--particles") + 1]
    np.set_printoptions(precision=17, linewidth=120)

    print("== h5py %s (HDF5 %s): %s" % (h5py.__version__, h5py.version.hdf5_version, path))
    with h5py.File(path, "r") as f:
        h = f["h5md"]
        print("h5md version %s; author %s; creator %s %s" % (
            list(h.attrs["version"]), s(h["author"].attrs["name"]), s(h["creator"].attrs["name"]),
            s(h["creator"].attrs["version"])))
        check(list(h.attrs["version"]) == [1, 1], "h5md/version == [1, 1]")
        check("name" in h["author"].attrs and "name" in h["creator"].attrs and "version" in h["creator"].attrs,
              "h5md/author name, h5md/creator name and version present")
        if "modules" in h:
            for m in h["modules"]:
                print("module %s: %s" % (m, {k: s(v) for k, v in h["modules"][m].attrs.items()}))
        if "parameters" in f:
            print("parameters: %s" % {k: s(v) for k, v in f["parameters"].attrs.items()})

        p = f["particles"][group]
        box = p["box"]
        print("box: dimension %s, boundary %s" % (box.attrs["dimension"], s(box.attrs["boundary"])))
        check(int(box.attrs["dimension"]) == 3 and len(box.attrs["boundary"]) == 3, "box: dimension 3, boundary[3]")
        pos = p["position"]
        val = pos["value"]
        nf, n, d = val.shape
        print("position/value: shape %s, dtype %s, chunks %s, compression %s (opts %s), shuffle %s, maxshape %s" % (
            val.shape, val.dtype, val.chunks, val.compression, val.compression_opts, val.shuffle, val.maxshape))
        print("position units: value %s, time %s" % (val.attrs.get("unit", "(none)"), pos["time"].attrs.get("unit", "(none)")))
        check(d == 3 and val.maxshape[0] is None, "position/value is [frames][N][3], extensible in frames")
        step = pos["step"][:]
        time = pos["time"][:]
        print("frames %d, particles %d; step %s; time %s" % (nf, n, step.tolist(), time.tolist()))
        check(len(step) == nf and len(time) == nf, "position step/time have one row per frame")
        check(bool(np.all(np.diff(step) > 0)) and bool(np.all(np.diff(time) >= 0)), "step and time increase")
        edges = box["edges"]
        ev = None
        if isinstance(edges, h5py.Group):
            ev = edges["value"][:]
            print("box/edges (time-dependent): shape %s, first %s, last %s" % (ev.shape, ev[0].tolist(), ev[-1].tolist()))
            check(edges["step"] == pos["step"] and edges["time"] == pos["time"],
                  "box/edges step and time are hard links to position's")
            check(ev.shape in ((nf, 3), (nf, 3, 3)), "box/edges/value has one vector or 3x3 matrix per frame")
        else:
            print("box/edges (fixed): %s" % edges[...].tolist())
        if "velocity" in p:
            vel = p["velocity"]
            print("velocity/value: shape %s, unit %s" % (vel["value"].shape, vel["value"].attrs.get("unit", "(none)")))
            check(vel["value"].shape == val.shape, "velocity/value has the shape of position/value")
            check(vel["step"] == pos["step"], "velocity/step is a hard link to position/step")
        if "species" in p:
            sp = p["species"][:]
            print("species: %s, %d particles, values %s" % (sp.dtype, len(sp), sorted(set(sp.tolist()))[:10]))
        print("frame 0, particles 0..2 position:\n%s" % val[0, :3])
        print("frame %d, particles 0..2 position:\n%s" % (nf - 1, val[nf - 1, :3]))
        if "velocity" in p:
            print("frame 0, particles 0..2 velocity:\n%s" % p["velocity/value"][0, :3])
        first = val[0, :3].copy()
        if "observables" in f:
            for k in f["observables"]:
                o = f["observables"][k]
                print("observable %s: %d rows, steps %s, values %s" % (k, len(o["value"]), o["step"][:].tolist(),
                                                                       o["value"][:].tolist()))

    try:
        import MDAnalysis as mda
        from MDAnalysis.coordinates.H5MD import H5MDReader
    except ImportError:
        print("== MDAnalysis: not installed (Debian: apt-get install python3-mdanalysis)")
        return
    print("== MDAnalysis %s H5MDReader" % mda.__version__)
    try:
        r = H5MDReader(path, convert_units=False)
    except Exception as e:  # report, do not hide
        check(False, "H5MDReader(convert_units=False) opens the file: %s: %s" % (type(e).__name__, e))
        return
    print("n_atoms %d, n_frames %d, units %s" % (r.n_atoms, r.n_frames, r.units))
    check(r.n_atoms == n and r.n_frames == nf, "MDAnalysis sees %d atoms and %d frames" % (n, nf))
    for ts in r:
        print("frame %d: step %s, time %r, dimensions %s, data %s" % (
            ts.frame, ts.data.get("step"), ts.time, ts.dimensions.tolist() if ts.dimensions is not None else None,
            {k: float(v) for k, v in ts.data.items() if k != "step"}))
    r[0]
    print("MDAnalysis frame 0, atoms 0..2 positions (file units):\n%s" % r.ts.positions[:3])
    if ev is not None:  # edges/value: [frames][3] (cuboid vector) or [frames][3][3] (edge vectors as rows)
        lengths = ev[0] if ev.ndim == 2 else np.linalg.norm(ev[0], axis=1)
        ver = tuple(int(x) for x in mda.__version__.split(".")[:2])
        if ev.ndim == 2 and r.ts.dimensions is None and ver < (2, 5):
            print("note: MDAnalysis < 2.5 reads box/edges only as a 3x3 (triclinic) matrix; a cuboid edges "
                  "vector (H5MD's form for a cuboid box) gives dimensions None: MDAnalysis issue #4075, "
                  "fixed in 2.5.0")
        else:
            check(r.ts.dimensions is not None and np.allclose(r.ts.dimensions[:3], lengths, rtol=1e-6),
                  "MDAnalysis box dimensions equal box/edges")
    # MDAnalysis stores positions as float32: compare with the file's f64 rounded to f32
    check(bool(np.array_equal(r.ts.positions[:3], first.astype(np.float32))),
          "MDAnalysis frame-0 positions equal the file's (as float32)")
    r.close()
    if "unit" in h5py.File(path, "r")["particles"][group]["position/value"].attrs:
        r = H5MDReader(path, convert_units=True)
        print("convert_units=True: units %s; frame 0 atom 0 position %s (MDAnalysis units: Angstrom)" % (
            r.units, r.ts.positions[0]))
        r.close()
        u = mda.Universe(path)
        check(len(u.trajectory) == nf and len(u.atoms) == n, "mda.Universe(file) reads %d frames of %d atoms" % (nf, n))
    else:
        print("no unit attributes (reduced LJ units): MDAnalysis needs convert_units=False")
    u = mda.Universe.empty(n, trajectory=False)
    u.load_new(path, format="H5MD", convert_units=False)
    print("Universe.empty(%d).load_new(file, format='H5MD'): %d frames, first position %s" % (
        n, len(u.trajectory), u.atoms.positions[0]))
    check(len(u.trajectory) == nf, "Universe loads all frames")


if __name__ == "__main__":
    main()
    print("%d check(s) failed" % failures if failures else "all checks passed")
    sys.exit(1 if failures else 0)
