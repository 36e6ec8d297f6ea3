"""llvmlite in a PyInstaller bundle: shipped compressed, unpacked into the user's cache once.

numba compiles through llvmlite's LLVM library, 179 MB on disk, which would take
the one-folder bundle from 186 MB to 371 MB (the limit is 250 MB). xz shrinks it
to 40 MB (packaging/optiviz.spec does that at build time: the bundle is 232 MB),
and the first kernel a user compiles unpacks it (2.4 s, on the kernels' worker
thread or in the compiling child) to ``~/.cache/optiviz/llvmlite/<digest>/
libllvmlite.so``, where every later run finds it. llvmlite then loads that copy instead of the one it
would look for inside the bundle.

Only for frozen apps; a pip install has llvmlite's library where llvmlite expects it.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.abc
import lzma
import os
import sys
import tempfile
from pathlib import Path

PACKED = "libllvmlite.so.xz"      # beside where llvmlite's library would be


def prepare() -> None:
    """In a bundle that packs llvmlite's library, unpack it (once) and point llvmlite at it.

    Call before llvmlite (numba) is imported: importing ``llvmlite.binding`` loads the
    library at once, so an import hook hands the unpacked copy to its ``ffi`` module
    right after that module runs and before anything asks it for a function.
    """
    if not getattr(sys, "frozen", False) or "llvmlite.binding" in sys.modules:
        return
    packed = Path(sys._MEIPASS, "llvmlite", "binding", PACKED)
    if not packed.is_file():
        return
    handle = ctypes.CDLL(str(_unpack(packed)))
    handle.LLVMPY_GetVersionInfo()            # llvmlite's own check that this is its library
    sys.meta_path.insert(0, _HandOver(handle))


class _HandOver(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs ``llvmlite.binding.ffi`` as usual, then gives its loader the library's handle."""

    NAME = "llvmlite.binding.ffi"

    def __init__(self, handle) -> None:
        self.handle = handle
        self.inner = None

    def find_spec(self, name, path, target=None):
        if name != self.NAME or self.inner is not None:
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = getattr(finder, "find_spec", lambda *a: None)(name, path, target)
            if spec is not None:
                self.inner, spec.loader = spec.loader, self
                return spec
        return None

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)
        module.lib._lib_handle = self.handle    # what its loader would set after finding the file


def _decompress_into(out, packed: Path) -> None:
    """Few, large steps: each releases the GIL for a while. lzma.open's reader takes 8 kB at a
    time, and a thread that gives the GIL back that often waits up to 5 ms to get it again
    whenever the GUI thread is busy: 46 of 171 MB unpacked in 10 s, measured."""
    data = packed.read_bytes()
    unpack = lzma.LZMADecompressor()
    while not unpack.eof:
        out.write(unpack.decompress(data, max_length=1 << 25))
        data = b""


def _unpack(packed: Path) -> Path:
    digest = hashlib.sha256(packed.read_bytes()).hexdigest()[:16]
    from .service import cache_folder

    for base in (cache_folder().parent / "llvmlite", Path(tempfile.gettempdir()) / "optiviz-llvmlite"):
        target = base / digest / "libllvmlite.so"
        if target.is_file():
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        except OSError:
            continue
        try:
            with os.fdopen(fd, "wb") as out:
                _decompress_into(out, packed)
            os.replace(tmp, target)
            return target
        except OSError:
            Path(tmp).unlink(missing_ok=True)
    raise OSError("no folder to unpack llvmlite's library into")
