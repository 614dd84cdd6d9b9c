"""The exceptions of the stardag package."""

import re


class StardagError(Exception):
    """Base of every stardag error (the library cannot be found, a bad argument, ...)."""


class GraphError(StardagError):
    """A graph file could not be loaded: the loader's message, ``file:line:col: what is wrong
    (expected ...)``, as ``stardag check`` prints it. ``path``, ``line`` and ``col`` are taken from
    it (``line`` and ``col`` are None when the message names no position, e.g. a missing file)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        m = re.match(r"(.+?):(\d+):(\d+): ", message)
        if m:
            self.path, self.line, self.col = m.group(1), int(m.group(2)), int(m.group(3))
        else:
            self.path, self.line, self.col = message.split(": ", 1)[0], None, None


class RunError(StardagError):
    """A run ended with a non-zero exit status (``stardag run``'s: 1 runtime error, 2 a graph or an
    option the run refused, 3 a failed check). ``status`` is that status, ``message`` the error
    lines the run printed, and ``run`` the :class:`~stardag.Run` of what it wrote (None when it
    wrote no output file)."""

    def __init__(self, status, message, run=None):
        super().__init__("run failed with status %d: %s" % (status, message.strip() or "(no message)"))
        self.status = status
        self.message = message
        self.run = run


class CheckFailed(RunError):
    """A check of the graph failed (status 3): the run stopped submitting, finished the tasks in
    flight and wrote what was complete; ``run`` holds it."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a progress callback) stopped the run (status 130). It is a KeyboardInterrupt, so
    a script stops as users expect; the run finished the tasks in flight and wrote what was
    complete, in ``run``."""

    def __init__(self, message, run=None):
        super().__init__(message.strip())
        self.status = 130
        self.message = message
        self.run = run
