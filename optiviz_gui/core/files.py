"""Writing files so that a crash, a cancel or a full disk never leaves half a file.

Everything is written to a temporary file next to the destination and renamed
over it only when complete (``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import ConfigError


@contextmanager
def atomic_path(dest: str | os.PathLike, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success it becomes ``dest``.

    On any exception (including KeyboardInterrupt and a cancelled export) the
    temporary file is removed and ``dest`` is left as it was. OSErrors become
    one-sentence ConfigErrors naming the file.
    """
    dest = Path(dest)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent or ".")
        os.close(fd)
    except OSError as e:
        raise ConfigError(describe_os_error(e, dest)) from None
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ConfigError(describe_os_error(e, dest)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(dest: str | os.PathLike, text: str) -> None:
    with atomic_path(dest) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def describe_os_error(e: OSError, path: str | os.PathLike) -> str:
    """'Cannot write /x/out.gif: no space left on device.' — one sentence for a person."""
    reason = (e.strerror or str(e)).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    return f"Cannot write {os.fspath(path)}: {reason}."
