"""Progress of a run: what a progress callback receives, and the text progress bar."""

import math
import sys
import time
from collections import namedtuple

Progress = namedtuple("Progress", "step steps elapsed final scalars")
Progress.__doc__ = """Where a run stands, passed to a progress callback after each submitted step.

step: steps submitted so far (the tasks of up to about ``max_inflight`` of them may still run);
steps: the run's steps; elapsed: seconds of the step loop; final: True on the last call, when
every task has finished; scalars: the latest value of each scalar computed so far (dict)."""


class ProgressBar:
    """A one-line bar on a stream (default sys.stderr), redrawn at most 10 times a second:
    ``[#######.............]  120/300 steps  215.3 steps/s  ETA 0.8 s  energy=0.3176``.
    On a stream that is neither a terminal nor a Jupyter kernel's (a log file, a pipe) only the
    final line is written."""

    def __init__(self, stream=None, width=30, max_scalars=2):
        self.stream = stream if stream is not None else sys.stderr
        self.width, self.max_scalars = width, max_scalars
        self._last = 0.0
        self._len = 0  # of the line drawn last: a shorter one is padded to cover it
        isatty = getattr(self.stream, "isatty", None)
        self.live = bool(isatty and isatty()) or "ipykernel" in sys.modules

    def __call__(self, p):
        now = time.monotonic()
        if not p.final and (not self.live or now - self._last < 0.1):
            return
        self._last = now
        frac = p.step / p.steps if p.steps > 0 else 1.0
        fill = int(round(self.width * frac))
        rate = p.step / p.elapsed if p.elapsed > 0 else 0.0
        line = "[%s%s] %*d/%d steps" % ("#" * fill, "." * (self.width - fill), len(str(p.steps)), p.step, p.steps)
        if rate > 0:
            line += "  %.1f steps/s" % rate
            if not p.final:
                line += "  ETA %.1f s" % ((p.steps - p.step) / rate)
        shown = [(k, v) for k, v in p.scalars.items() if not math.isnan(v)][: self.max_scalars]
        line += "".join("  %s=%.6g" % kv for kv in shown)
        pad = " " * max(0, self._len - len(line))
        self._len = 0 if p.final else len(line)
        self.stream.write("\r" + line + pad + ("\n" if p.final else ""))
        self.stream.flush()
