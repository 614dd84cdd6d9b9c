"""A run's output file (docs/output-format.md) as NumPy arrays, read with h5py."""

import os
from collections.abc import Mapping

from .errors import StardagError


def _h5py():
    try:
        import h5py
    except ImportError:
        raise StardagError("reading run outputs needs h5py (Debian: apt-get install python3-h5py)") from None
    return h5py


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    if hasattr(v, "tobytes") and getattr(v, "dtype", None) is not None and v.dtype.kind == "S":
        return v.tobytes().rstrip(b"\0").decode("utf-8", errors="replace")
    return v


class Scalars(Mapping):
    """The scalar series of a run: ``scalars["energy"]`` is a NumPy array with one value per
    row; ``scalars.step`` and ``scalars.time`` give each row's step and time. Iterates over the
    scalar names in declaration order. A scalar not computed at a row's step is NaN there."""

    def __init__(self, step, time, columns):
        self.step, self.time, self._columns = step, time, columns

    def __getitem__(self, name):
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError("no scalar %r in this run (scalars: %s)" % (name, ", ".join(self._columns) or "none")) from None

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)

    def __repr__(self):
        return "<stardag.Scalars %d rows: %s>" % (len(self.step), ", ".join(self._columns))


class Profile:
    """One profile of a run (output.profiles, docs/output-format.md "Profiles"): ``positions``
    (the cell centres along ``axis``), one row per profiled step in ``step``, ``time``,
    ``values`` ([rows][cells]), ``peak``, ``peak_fit``, ``max``, and ``falloff``: percentage ->
    positions (NaN where the level is not reached); ``field``, ``axis``, ``component``,
    ``units_length`` ("" when the grid has none)."""

    def __init__(self, g):
        a = g.attrs
        self.field, self.axis = _text(a["field"]), _text(a["axis"])
        self.axis_label = _text(a["axis_label"]) if "axis_label" in a else self.axis
        self.component = int(a["component"])
        self.units_length = _text(a["units_length"]) if "units_length" in a else ""
        self.positions, self.step, self.time = g["positions"][:], g["step"][:], g["time"][:]
        self.values, self.peak, self.peak_fit, self.max = g["values"][:], g["peak"][:], g["peak_fit"][:], g["max"][:]
        pct = [float(p) for p in a["falloff_percent"]] if "falloff_percent" in a else []
        self.falloff = {p: g["falloff_%s" % _pct_name(p)][:] for p in pct}

    def __repr__(self):
        return "<stardag.Profile of %s along %s, %d rows>" % (self.field, self.axis, len(self.step))


def _pct_name(p):
    """The dataset suffix C's %g gives a percentage (80 -> "80", 12.5 -> "12.5")."""
    return "%g" % p


class Run:
    """The output file of a run, returned by :meth:`Graph.run`; ``Run("out.h5")`` opens any
    earlier run's file. Everything is read from the file when asked for (so a Run of a file still
    being written sees what is committed, with ``HDF5_USE_FILE_LOCKING=FALSE``).

    Fields come in the file's order, C order with x varying fastest: ``[nz][ny][nx]`` in 3-D,
    ``[ny][nx]`` in 2-D, ``[nx]`` in 1-D, with a leading ``[ncomp]`` axis for fields of several
    components, so ``E[k, j, i]`` is the value at x index i, y index j, z index k (``E.T`` is the
    x-first view ``[nx][ny][nz]``, no copy)."""

    def __init__(self, path, status=None):
        self.path = None if path is None else os.fspath(path)
        self.exit_status = status  # sd_run's status when this process ran it; None when opened
        self.warnings = []  # the lines a run of this process printed as warnings (Graph.run)
        if self.path is not None and not os.path.exists(self.path):
            raise FileNotFoundError("%s: no such run output" % self.path)

    def _open(self):
        if self.path is None:
            raise StardagError("this run wrote no output file (the graph has no output.file, or out=\"\")")
        h5py = _h5py()
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            raise StardagError("%s: cannot open: %s" % (self.path, e)) from None
        if "stardag_format" not in f.attrs:
            f.close()
            raise StardagError("%s: not a stardag output (no stardag_format attribute)" % self.path)
        return f

    def _attr(self, name):
        with self._open() as f:
            return _text(f.attrs[name])

    @property
    def status(self):
        """The file's status: "completed", "check failed", "interrupted", "failed", or "running"
        for a run that is still going or was killed."""
        return self._attr("status")

    @property
    def steps(self):
        """Steps the run completed (-1 while it runs)."""
        return int(self._attr("steps_done"))

    @property
    def wall_s(self):
        """Seconds of the step loop."""
        return float(self._attr("wall_s"))

    @property
    def meta(self):
        """The run's metadata (/meta): graph_path, graph_text, versions, sched, host, start_time,
        cmdline, ncpu, ncuda."""
        with self._open() as f:
            m = {k: _text(v) for k, v in f["meta"].attrs.items()}
            if "graph_text" in f["meta"]:
                m["graph_text"] = _text(f["meta/graph_text"][()])
        return {k: (int(v) if hasattr(v, "dtype") and v.dtype.kind == "i" else v) for k, v in m.items()}

    @property
    def grid(self):
        """The grid: dict with ndim, shape (x first) and spacing (x first)."""
        with self._open() as f:
            a = f["grid"].attrs
            ndim = int(a["ndim"])
            return {"ndim": ndim, "shape": tuple(int(x) for x in a["shape"][:ndim]),
                    "spacing": tuple(float(x) for x in a["spacing"][:ndim])}

    @property
    def scalars(self):
        """The scalar series (:class:`Scalars`): name -> NumPy array, with ``.step``, ``.time``."""
        with self._open() as f:
            if "scalars" not in f:
                return Scalars(_empty("i8"), _empty("f8"), {})
            g = f["scalars"]
            names = [n for n in _text(g.attrs.get("names", "")).split(",") if n]
            return Scalars(g["step"][:], g["time"][:], {n: g[n][:] for n in names})

    @property
    def profiles(self):
        """The profiles (output.profiles): name -> :class:`Profile`, in the graph's order."""
        with self._open() as f:
            if "profiles" not in f:
                return {}
            g = f["profiles"]
            names = sorted(g, key=lambda n: int(g[n].attrs["order"]))
            return {n: Profile(g[n]) for n in names}

    @property
    def fields(self):
        """Names of the fields written."""
        with self._open() as f:
            return sorted(f["fields"]) if "fields" in f else []

    def field_steps(self, name):
        """The steps at which field `name` was written (NumPy int64 array, ascending)."""
        np = _numpy()
        with self._open() as f:
            g = self._field_group(f, name)
            return np.array(sorted(int(s) for s in g), dtype=np.int64)

    def field(self, name, step=None):
        """Field `name` at `step` (default: the last step written) as a NumPy array in the file's
        order and dtype (see the class)."""
        with self._open() as f:
            g = self._field_group(f, name)
            steps = sorted(int(s) for s in g)
            if not steps:
                raise StardagError("%s: field %s has no output step" % (self.path, name))
            s = steps[-1] if step is None else int(step)
            key = "%08d" % s
            if key not in g:
                raise KeyError("%s: field %s was not written at step %d (steps: %s)" % (
                    self.path, name, s, ", ".join(map(str, steps))))
            return g[key][()]

    def _field_group(self, f, name):
        if "fields" not in f or name not in f["fields"]:
            have = sorted(f["fields"]) if "fields" in f else []
            raise KeyError("%s: no field %r written (fields: %s)" % (self.path, name, ", ".join(have) or "none"))
        return f["fields"][name]

    def __repr__(self):
        if self.path is None:
            return "<stardag.Run without output, status %s>" % self.exit_status
        try:
            return "<stardag.Run %s: %s, %d steps>" % (self.path, self.status, self.steps)
        except StardagError:
            return "<stardag.Run %s>" % self.path


def _numpy():
    import numpy
    return numpy


def _empty(dtype):
    return _numpy().zeros(0, dtype=dtype)
