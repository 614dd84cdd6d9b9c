"""Comparing two runs' outputs, as ``stardag compare`` does (the same C code)."""

import ctypes
import os

from . import _lib
from .errors import StardagError

_REPORTLEN = 1 << 20


class Comparison:
    """The outcome of :func:`compare`. True when the outputs agree. ``report`` is the text
    ``stardag compare --quiet`` prints (a line per dataset that differs, then the verdict);
    ``differing`` lists those datasets (``/fields/E/00000050``, ``/scalars/energy``)."""

    def __init__(self, a, b, agree, report):
        self.a, self.b, self.agree, self.report = a, b, agree, report
        self.differing = [ln.split()[0] for ln in report.splitlines() if ln.startswith("  ") and ln.strip()]

    def __bool__(self):
        return self.agree

    def __repr__(self):
        return "<stardag.Comparison %s>" % (self.report.strip().splitlines() or ["?"])[-1]

    def __str__(self):
        return self.report


def _path(x):
    p = getattr(x, "path", x)
    if p is None:
        raise StardagError("cannot compare a run that wrote no output file")
    return os.fspath(p)


def compare(a, b, rtol=0.0, atol=0.0, any_file=False):
    """Compare two run outputs (:class:`~stardag.Run` objects or paths): every field step and
    scalar series, bitwise by default (-0 and +0 differ; NaN matches only NaN); with rtol/atol an
    element passes when ``|a-b| <= atol + rtol*max(|a|,|b|)``. any_file: every dataset of two
    HDF5 files of any layout (H5MD trajectories). Returns a :class:`Comparison`; raises
    StardagError for bad input (a missing file, not a stardag output)."""
    if rtol < 0 or atol < 0:
        raise ValueError("rtol and atol must be >= 0")
    pa, pb = _path(a), _path(b)
    lib = _lib.lib()
    report = ctypes.create_string_buffer(_REPORTLEN)
    err = ctypes.create_string_buffer(4096)
    status = lib.sd_compare_outputs(os.fsencode(pa), os.fsencode(pb), float(rtol), float(atol), 1 if any_file else 0,
                                    report, _REPORTLEN, err, len(err))
    if status not in (0, 3):
        raise StardagError(err.value.decode(errors="replace"))
    return Comparison(pa, pb, status == 0, report.value.decode(errors="replace"))
