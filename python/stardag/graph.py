"""Loading a graph file (with parameter overrides) and running it."""

import ctypes
import operator
import os
import re
import sys
import threading

from . import _lib
from .errors import CheckFailed, GraphError, RunError, RunInterrupted, StardagError
from .progress import Progress, ProgressBar

_ERRLEN = 4096
_running = threading.Lock()  # StarPU is one per process: one run at a time


def _override(name, value):
    """One ``name=expr`` override (the CLI's --set): a number, or an expression as a string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError("param %s: expected a number or an expression string, got %r" % (name, value))
    text = repr(value) if isinstance(value, float) else str(value)
    return ("%s=%s" % (name, text)).encode()


def _load(path, text, overrides):
    lib = _lib.lib()
    sets = [_override(k, v) for k, v in overrides.items()]
    arr = (ctypes.c_char_p * max(1, len(sets)))(*sets)
    err = ctypes.create_string_buffer(_ERRLEN)
    if text is None:
        ptr = lib.sd_graph_load_ex(os.fsencode(path), arr, len(sets), err, _ERRLEN)
    else:
        ptr = lib.sd_graph_parse_ex(os.fsencode(path), text, arr, len(sets), err, _ERRLEN)
    if not ptr:
        raise GraphError(err.value.decode(errors="replace"))
    return ptr


def load(path, **params):
    """Load and validate a graph file, overriding params by keyword (``stardag run --set``)::

        g = stardag.load("graphs/lattice/kg-packet.yaml", n=32, dx="0.5")

    A value is a number or an expression string over the other params. Raises
    :class:`GraphError` with the loader's ``file:line:col: ...`` message when the file is
    missing or malformed, or an override names an unknown param or does not evaluate."""
    g = Graph(_load(path, None, params), dict(params))
    g._abspath = os.path.abspath(path)  # with_params after a chdir: the file and what it names beside it
    return g


def _count(name, value, lo):
    """An integer option (steps, ncpu, ...) >= lo, as stardag run takes it: 2.7 or "3" is refused,
    not cut."""
    try:
        v = operator.index(value)
    except TypeError:
        raise ValueError("%s: expected an integer >= %d, got %r" % (name, lo, value)) from None
    if v < lo:
        raise ValueError("%s: expected an integer >= %d, got %r" % (name, lo, value))
    return v


_OPTION = re.compile(r"--(overwrite|out|log|trajectory|trace|tiles|steps|sched|ncpu|ncuda|max-inflight|fuse|arch)\b( (?=\S))?")


def _python_words(message):
    """The run's messages name stardag run's options; from Python, run()'s arguments: --overwrite
    is overwrite=True, --tiles 2x5 is tiles=2x5, --log is log=."""
    def word(m):
        name = m.group(1).replace("-", "_")
        return "overwrite=True" + (m.group(2) or "") if name == "overwrite" else name + "="
    return _OPTION.sub(word, message)


def _tiles(tiles, domain="grid"):
    if tiles is None:
        return (0, 0, 0)
    if isinstance(tiles, str):
        parts = tiles.lower().split("x")
    elif isinstance(tiles, int):
        parts = [tiles]
    else:
        parts = list(tiles)
    try:
        t = [int(p) if isinstance(p, str) else operator.index(p) for p in parts]
    except (TypeError, ValueError):
        t = []
    if not 1 <= len(t) <= 3 or min(t) <= 0:
        raise ValueError("tiles: expected N, 'XxYxZ' or a tuple of 1 to 3 positive ints, got %r" % (tiles,))
    if domain != "grid" and len(t) > 1:  # as stardag run --tiles: a shape is for grids
        raise ValueError("tiles: a %s domain takes a number of parts (tiles=N), not a shape, got %r" % (domain, tiles))
    return tuple(t + [1] * (3 - len(t)))  # as --tiles: absent axes 1 (a particle graph reads N blocks)


class Graph:
    """A loaded, validated graph (use :func:`load`). Read-only; :meth:`with_params` gives a new
    graph with other parameter values, :meth:`run` runs it.

    Attributes: ``name``, ``path``, ``domain`` ("grid" or "particles"), ``shape`` (cells along
    x, y, z, or (N, 1, 1) particles), ``params`` (dict, evaluated), ``fields`` and ``scalars``
    (declared names), ``steps`` and ``dt`` (run section), ``output_file`` (None when none)."""

    def __init__(self, ptr, overrides):
        self._ptr = ptr
        self._overrides = overrides
        lib = _lib.lib()
        self._lib = lib  # kept for __del__ at interpreter exit
        self.name = lib.sd_graph_name(ptr).decode()
        self.path = os.fsdecode(lib.sd_graph_path(ptr))
        shape = _lib.c_int64_3()
        self.domain = lib.sd_graph_domain(ptr, ctypes.byref(shape)).decode()
        self.shape = tuple(shape)
        params = {}
        for i in range(lib.sd_graph_nparams(ptr)):
            v = ctypes.c_double()
            name = lib.sd_graph_param(ptr, i, ctypes.byref(v)).decode()
            params[name] = v.value
        self.params = params
        self.fields = [lib.sd_graph_field(ptr, i).decode() for i in range(lib.sd_graph_nfields(ptr))]
        self._scalars = []  # every scalar, graph order (sd_progress.latest's indices)
        hidden = ctypes.c_int()
        for i in range(lib.sd_graph_nscalars(ptr)):
            name = lib.sd_graph_scalar(ptr, i, ctypes.byref(hidden)).decode()
            self._scalars.append((name, bool(hidden.value)))
        self.scalars = [n for n, h in self._scalars if not h]
        self.steps = lib.sd_graph_steps(ptr)
        self.dt = lib.sd_graph_dt(ptr)
        self.output_file = os.fsdecode(lib.sd_graph_output_file(ptr)) or None

    def __del__(self):
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            self._lib.sd_graph_free(ptr)

    def __repr__(self):
        return "<stardag.Graph %s: %s %s, %d steps, params %s>" % (
            self.name, self.domain, "x".join(map(str, self.shape)), self.steps,
            ", ".join("%s=%g" % kv for kv in self.params.items()))

    def with_params(self, **params):
        """A new graph from the same text with these params overridden too (the ones given to
        :func:`load` are kept unless given again)."""
        merged = dict(self._overrides)
        merged.update(params)
        path = getattr(self, "_abspath", self.path)
        g = Graph(_load(path, self._lib.sd_graph_text(self._ptr), merged), merged)
        g._abspath = path
        return g

    def run(self, steps=None, out=None, tiles=None, sched=None, ncpu=None, ncuda=None, arch="any",
            max_inflight=None, trace=None, log=None, trajectory=None, overwrite=False, progress=True, quiet=False,
            tuning=True, fuse=None):
        """Run the graph to completion and return its :class:`~stardag.Run`.

        steps: instead of the graph's run.steps. out: the output file instead of the graph's
        output.file ("" writes none). tiles: tile shape ``(x, y, z)`` or ``"XxYxZ"`` in cells, or
        the number of blocks of a particle graph. sched, ncpu, ncuda, arch ("any", "cpu",
        "cuda"), max_inflight, trace (a Chrome/Perfetto JSON file): as ``stardag run``'s options
        (docs/user-guide.md). log: the run's log file instead of the one beside the output ("":
        none). trajectory: a particle graph's trajectory file instead of output.trajectory's ("":
        none). overwrite: replace existing output, trajectory, log and trace files (otherwise an
        existing output or trace file is refused with FileExistsError, and any other with RunError,
        before anything runs). progress: True draws a bar on
        sys.stderr, a callable is called with a :class:`~stardag.progress.Progress` after each
        step (return True from it, or raise, to stop the run), False/None shows nothing.
        quiet: no summary printed at the end. tuning: False keeps automatic parts the runtime's own
        choice even when ``stardag tune`` stored one for this graph and machine (docs/tuning.md).
        fuse: a grid advances each tile up to this many steps per task (``--fuse``, run.fuse:
        temporal blocking, docs/lattice.md); the results are the same bits.

        Raises :class:`CheckFailed` (status 3) when a check fails, :class:`RunError` for other
        failures, :class:`RunInterrupted` (a KeyboardInterrupt) on Ctrl-C: the run finishes the
        tasks in flight and writes what was complete; ``e.run`` holds it. A second Ctrl-C kills
        the process, as with ``stardag run``."""
        lib = self._lib
        if arch not in _lib.ARCH:
            raise ValueError("arch: expected one of %s, got %r" % (", ".join(_lib.ARCH), arch))
        path = self.output_file if out is None else os.fspath(out)
        for f in (path, None if trace is None else os.fspath(trace)):
            if f and os.path.exists(f) and not overwrite:
                raise FileExistsError("%s exists: pass overwrite=True, remove it, or choose another file" % f)
        o = _lib.RunOpts()
        lib.sd_run_opts_init(ctypes.byref(o))
        if steps is not None:
            o.steps = _count("steps", steps, 1)
        if sched:
            o.sched = sched.encode()
        if ncpu is not None:
            o.ncpu = _count("ncpu", ncpu, 0)
        if ncuda is not None:
            o.ncuda = _count("ncuda", ncuda, 0)
        o.tile = _lib.c_int64_3(*_tiles(tiles, self.domain))
        if out is not None:
            o.out = os.fsencode(path)
        if trace is not None:
            o.trace = os.fsencode(trace)
        if log is not None:
            o.log = os.fsencode(log)
        if trajectory is not None:
            o.trajectory = os.fsencode(trajectory)
        if max_inflight is not None:
            o.max_inflight = _count("max_inflight", max_inflight, 1)
        if fuse is not None:
            o.fuse = _count("fuse", fuse, 1)
            if o.fuse > 64:
                raise ValueError("fuse: expected an integer from 1 to 64, got %r" % (fuse,))
        o.arch = _lib.ARCH[arch]
        o.quiet = 1 if quiet else 0
        o.no_tuning = 0 if tuning else 1
        o.overwrite = 1 if overwrite else 0  # the C side's own refusal covers the log and trajectory too
        o.cmdline = ("python: %s" % " ".join(sys.argv)).encode(errors="replace")
        errors = ctypes.create_string_buffer(_ERRLEN)
        o.errors, o.errors_len = ctypes.cast(errors, ctypes.POINTER(ctypes.c_char)), _ERRLEN

        show = ProgressBar() if progress is True else progress or None
        raised = []
        names = [n for n, _ in self._scalars]
        visible = [i for i, (_, h) in enumerate(self._scalars) if not h]

        def on_progress(p, user):
            try:
                c = p.contents
                scal = {names[i]: c.latest[i] for i in visible}
                return 1 if show(Progress(c.step, c.steps, c.elapsed, bool(c.final), scal)) is True else 0
            except BaseException as e:  # an exception cannot cross the C frames: stop, re-raise after
                raised.append(e)
                return 1

        keep = _lib.PROGRESS_FN(on_progress) if show else None  # alive until sd_run returns
        if keep:
            o.progress = keep
        sys.stdout.flush()  # what Python printed before comes before the run's own lines
        sys.stderr.flush()
        before = _identity(path)  # a failed run leaves (or, with overwrite, puts back) the old file
        if not _running.acquire(blocking=False):
            raise StardagError("another run is in progress in this process (StarPU runs one at a time)")
        try:
            status = lib.sd_run(self._ptr, ctypes.byref(o))
        finally:
            _running.release()
        _flush_c_stdio()
        from .run import Run
        wrote = bool(path) and os.path.exists(path) and _identity(path) != before
        run = Run(os.path.abspath(path), status=status) if wrote else None  # valid after a chdir
        if raised:
            raise raised[0]
        message = _python_words(errors.value.decode(errors="replace"))
        if status == 0:
            run = run if run is not None else Run(None, status=0)
            run.warnings = [line for line in message.splitlines() if line.strip()]
            return run
        if status == 3:
            raise CheckFailed(status, message, run)
        if status == 130:
            raise RunInterrupted(message, run)
        raise RunError(status, message, run)


def _identity(path):
    """What tells one file from its replacement: device, inode, size, modification time."""
    try:
        st = os.stat(path) if path else None
    except OSError:
        return None
    return st and (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _flush_c_stdio():
    """The run's summary goes through C's stdout buffer: flush it so it comes before what Python
    prints next."""
    sys.stdout.flush()
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass
