"""Atomic file writes: a unique temporary file in the target folder, then ``os.replace``.

A reader (another process, the browser, a second app worker) sees the old file or the new one,
never half of one; an interrupted write leaves no stray temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: bytes | str, *, mode: int | None = None,
                 fsync: bool = False) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically; parent folders are made.

    ``mode`` sets the file's permissions before it appears (e.g. ``0o600`` for secrets, ``0o644``
    for files a web server serves); ``fsync`` flushes it to disk first.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(d / "a" / "b.txt", "hallo").read_text()
    'hallo'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
