"""Finding and loading libstardag, and its C API as ctypes declarations (stardag/stardag.h).

The library is looked for, in order: the file (or directory) in the environment variable
``STARDAG_LIB``; the libdir recorded when the package was installed (``_paths.py``, written by
``make install``); the build tree around a source checkout (``.libs/`` of an in-tree build, or of
``_build/``, where ``scripts/setup.sh`` builds); then the system's library search path.
"""

import ctypes
import ctypes.util
import os

from .errors import StardagError

_NAMES = ("libstardag.so.0", "libstardag.so")
_lib = None
_path = None


def _candidates():
    env = os.environ.get("STARDAG_LIB")
    if env:
        # An explicit choice: nothing else is tried, so a wrong setting is reported, not bypassed.
        return [os.path.join(env, n) for n in _NAMES] if os.path.isdir(env) else [env]
    dirs = []
    try:
        from . import _paths
        dirs.append(_paths.LIBDIR)
    except ImportError:
        pass
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dirs += [os.path.join(top, ".libs"), os.path.join(top, "_build", ".libs")]
    return [os.path.join(d, n) for d in dirs for n in _NAMES]


def _open(path):
    """ctypes.CDLL(path), a failure as StardagError naming the file."""
    try:
        return ctypes.CDLL(path)
    except OSError as e:
        raise StardagError("%s: cannot load it as libstardag: %s" % (path, e)) from None


def _load():
    tried = []
    for c in _candidates():
        if os.path.exists(c):
            return _open(c), c
        tried.append(c)
    if not os.environ.get("STARDAG_LIB"):
        found = ctypes.util.find_library("stardag")
        if found:
            return _open(found), found
        tried.append("the system's library path")
    raise StardagError("cannot find libstardag (tried: %s); set STARDAG_LIB to the library file" % ", ".join(tried))


c_int64_3 = ctypes.c_int64 * 3


class Progress(ctypes.Structure):
    """sd_progress"""
    _fields_ = [("step", ctypes.c_int64), ("steps", ctypes.c_int64), ("elapsed", ctypes.c_double),
                ("final", ctypes.c_int), ("nscalars", ctypes.c_int), ("latest", ctypes.POINTER(ctypes.c_double))]


PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Progress), ctypes.c_void_p)

ARCH = {"any": 0, "cpu": 1, "cuda": 2}


class RunOpts(ctypes.Structure):
    """sd_run_opts, field for field (the library's size is checked when it is loaded)."""
    _fields_ = [("steps", ctypes.c_int64), ("sched", ctypes.c_char_p), ("ncpu", ctypes.c_int),
                ("tile", c_int64_3), ("out", ctypes.c_char_p), ("quiet", ctypes.c_int),
                ("max_inflight", ctypes.c_int), ("cmdline", ctypes.c_char_p), ("arch", ctypes.c_int),
                ("ncuda", ctypes.c_int), ("trace", ctypes.c_char_p), ("calibrate", ctypes.c_int),
                ("progress", PROGRESS_FN), ("progress_user", ctypes.c_void_p),
                ("errors", ctypes.POINTER(ctypes.c_char)), ("errors_len", ctypes.c_size_t),
                ("log", ctypes.c_char_p), ("trajectory", ctypes.c_char_p), ("overwrite", ctypes.c_int),
                ("checkpoint", ctypes.c_char_p), ("checkpoint_every", ctypes.c_int64), ("restart", ctypes.c_char_p),
                ("force", ctypes.c_int), ("walltime", ctypes.c_double),
                ("result", ctypes.c_void_p), ("no_tuning", ctypes.c_int),
                ("distribution", ctypes.c_char_p), ("fuse", ctypes.c_int),
                ("warmup", ctypes.c_int64)]


def _declare(lib):
    if not hasattr(lib, "sd_run_opts_size"):  # every libstardag has it: another library altogether
        raise StardagError("%s is not a libstardag (it has no sd_run_opts_size); point STARDAG_LIB at libstardag.so"
                           % _path)
    P, I, D, S, Z = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_char_p, ctypes.c_size_t
    sigs = {
        "sd_register_builtin_codelets": (None, []),
        "sd_version": (S, []),
        "sd_pack_load": (I, [S, S, S, Z]),
        "sd_pack_load_env": (I, [S, Z]),
        "sd_graph_load_ex": (P, [S, ctypes.POINTER(S), I, S, Z]),
        "sd_graph_parse_ex": (P, [S, S, ctypes.POINTER(S), I, S, Z]),
        "sd_graph_free": (None, [P]),
        "sd_graph_name": (S, [P]),
        "sd_graph_path": (S, [P]),
        "sd_graph_text": (S, [P]),
        "sd_graph_domain": (S, [P, ctypes.POINTER(c_int64_3)]),
        "sd_graph_nparams": (I, [P]),
        "sd_graph_param": (S, [P, I, ctypes.POINTER(D)]),
        "sd_graph_nfields": (I, [P]),
        "sd_graph_field": (S, [P, I]),
        "sd_graph_nscalars": (I, [P]),
        "sd_graph_scalar": (S, [P, I, ctypes.POINTER(I)]),
        "sd_graph_steps": (ctypes.c_int64, [P]),
        "sd_graph_dt": (D, [P]),
        "sd_graph_output_file": (S, [P]),
        "sd_run_opts_init": (None, [ctypes.POINTER(RunOpts)]),
        "sd_run_opts_size": (Z, []),
        "sd_run": (I, [P, ctypes.POINTER(RunOpts)]),
        "sd_compare_outputs": (I, [S, S, D, D, I, S, Z, S, Z]),
    }
    for name, (res, args) in sigs.items():
        try:
            f = getattr(lib, name)
        except AttributeError:
            raise StardagError("%s has no %s: it is older than this package (%s); rebuild or point STARDAG_LIB at "
                               "a matching libstardag" % (_path, name, __package__)) from None
        f.restype, f.argtypes = res, args


def lib():
    """The loaded libstardag (loaded, checked and its codelets registered on first use)."""
    global _lib, _path
    if _lib is None:
        handle, _path = _load()
        _declare(handle)
        size = handle.sd_run_opts_size()
        if size != ctypes.sizeof(RunOpts):
            raise StardagError("%s has an sd_run_opts of %d bytes, this package expects %d: the package and the "
                               "library come from different builds" % (_path, size, ctypes.sizeof(RunOpts)))
        handle.sd_register_builtin_codelets()
        err = ctypes.create_string_buffer(2048)  # STARDAG_PLUGIN_PATH's packs, as every stardag command loads them
        if handle.sd_pack_load_env(err, len(err)):
            raise StardagError(err.value.decode(errors="replace"))
        _lib = handle
    return _lib


def library_path():
    """The path of the libstardag this package uses."""
    lib()
    return _path
