"""llvmlite in a PyInstaller bundle: shipped compressed, unpacked into the user's cache once.

numba compiles through llvmlite's LLVM library, 171 MB on disk, which would take
the one-folder bundle from 177 MB to 354 MB (the limit is 250 MB). xz shrinks it
to 40 MB (packaging/optiviz.spec does that at build time), and the first kernel
a user compiles unpacks it (about 2.4 s, on the kernels' worker thread or in the
compiling child) to ``~/.cache/optiviz/llvmlite/<digest>/libllvmlite.so``, where
every later run finds it. llvmlite then loads that copy instead of the one it
would look for inside the bundle.

Only for frozen apps; a pip install has llvmlite's library where llvmlite expects it.
"""

from __future__ import annotations

import ctypes
import hashlib
import lzma
import os
import sys
import tempfile
from pathlib import Path

PACKED = "libllvmlite.so.xz"      # beside where llvmlite's library would be


def prepare() -> None:
    """In a bundle that packs llvmlite's library, unpack it (once) and point llvmlite at it."""
    if not getattr(sys, "frozen", False):
        return
    import llvmlite.binding.ffi as ffi   # only defines the loader; the library loads lazily

    packed = Path(ffi.__file__).resolve().parent / PACKED
    if not packed.is_file() or ffi.lib._lib_handle is not None:
        return
    library = _unpack(packed)
    handle = ctypes.CDLL(str(library))
    handle.LLVMPY_GetVersionInfo()           # llvmlite's own check that this is its library
    ffi.lib._lib_handle = handle


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
            with os.fdopen(fd, "wb") as out, lzma.open(packed) as src:
                while chunk := src.read(1 << 22):
                    out.write(chunk)
            os.replace(tmp, target)
            return target
        except OSError:
            Path(tmp).unlink(missing_ok=True)
    raise OSError("no folder to unpack llvmlite's library into")
