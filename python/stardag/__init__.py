"""stardag from Python: load a graph file, override its params, run it with a progress bar, read
scalars and fields as NumPy arrays, and compare runs. The codelets stay in C/CUDA (libstardag,
through ctypes); Python drives. See docs/python.md and docs/tutorial.py.

    import stardag
    g = stardag.load("graphs/lattice/kg-packet.yaml", n=32)
    r = g.run(steps=100, out="packet.h5")
    energy = r.scalars["energy"]          # NumPy array, one value per row (r.scalars.step)
    E = r.field("E", step=100)            # [nz][ny][nx], x fastest
    assert stardag.compare(r, g.run(steps=100, out="other.h5", tiles=(32, 16, 8)))
"""

from ._lib import library_path
from .compare import Comparison, compare
from .errors import CheckFailed, GraphError, RunError, RunInterrupted, StardagError
from .graph import Graph, load
from .progress import Progress, ProgressBar
from .run import Run, Scalars

__all__ = ["load", "load_pack", "Graph", "Run", "Scalars", "compare", "Comparison", "Progress", "ProgressBar", "version",
           "library_path", "StardagError", "GraphError", "RunError", "CheckFailed", "RunInterrupted"]


def version():
    """The version of the libstardag in use."""
    from ._lib import lib
    return lib().sd_version().decode()


def load_pack(path):
    """Load a codelet pack (a .so built against stardag/pack.h), as ``stardag run --load PATH``:
    its codelets become usable by graphs loaded afterwards. A bare name that is not a file here is
    looked up in STARDAG_PLUGIN_PATH (whose packs are loaded at first use anyway). Loading a pack
    twice does nothing; a missing file, a non-pack, another pack ABI or a name clash raises
    StardagError with the reason."""
    import ctypes
    import os
    from ._lib import lib
    err = ctypes.create_string_buffer(2048)
    if lib().sd_pack_load(os.fsencode(path), None, err, len(err)):
        raise StardagError(err.value.decode(errors="replace"))
