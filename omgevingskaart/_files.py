"""Atomic file writes: a unique temporary file in the target folder, then ``os.replace``.

A reader (another process, the browser, a second app worker) sees the old file or the new one,
never half of one; an interrupted write leaves no stray temporary file. A process killed outright
(``kill -9``, power loss) cannot clean up after itself, so temporary names carry the writer's
process id (``.NAME.<pid>.<random><suffix>``) and :func:`remove_orphan_temp_files` removes those
of writers that are no longer running.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: errno values that mean "the disk (or the user's quota, or the file size limit) is full".
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def temp_prefix(path: str | Path) -> str:
    """The name prefix of this process's temporary files for ``path``: ``.NAME.<pid>.``."""
    return f".{Path(path).name}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a live process of another user
        return True
    return True


def remove_orphan_temp_files(path: str | Path, suffix: str, *, older_than: float | None = None) -> list[Path]:
    """Remove temporary files of ``path`` (``.NAME.*<suffix>`` and SQLite's ``-journal``/``-wal``/
    ``-shm`` beside them) left by writers that no longer run; returns what was removed.

    A name with a process id is an orphan when that process is gone. A name without one (written
    before names carried the pid) is an orphan when its modification time is before
    ``older_than`` (a ``time.time()`` value; None keeps them).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".x.gpkg.999999999.ab12.tmp.gpkg").write_bytes(b"")
    >>> [p.name for p in remove_orphan_temp_files(d / "x.gpkg", ".tmp.gpkg")]
    ['.x.gpkg.999999999.ab12.tmp.gpkg']
    """
    path = Path(path)
    pattern = re.compile(
        rf"^\.{re.escape(path.name)}\.(?:(\d+)\.)?[^/]*?{re.escape(suffix)}(?:-journal|-wal|-shm)?$"
    )
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None:
            continue
        if m.group(1) is not None:
            orphan = int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1)))
        else:
            try:
                orphan = older_than is not None and entry.stat().st_mtime < older_than
            except OSError:
                orphan = False
        if orphan:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def write_atomic(path: str | Path, data: bytes | str, *, mode: int | None = None,
                 fsync: bool = False) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically; parent folders are made.

    ``mode`` sets the file's permissions before it appears (e.g. ``0o600`` for secrets, ``0o644``
    for files a web server serves); ``fsync`` flushes it to disk first. Temporary files that
    killed writers left for ``path`` are removed first.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(d / "a" / "b.txt", "hallo").read_text()
    'hallo'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_temp_files(path, ".tmp", older_than=time.time() - 3600)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
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


def disk_nearly_full(folder: str | Path, *, margin: int = 1 << 20) -> bool:
    """Whether less than ``margin`` bytes (1 MiB) are free for this user in ``folder``'s file
    system: what a write that failed with a library's own error (GDAL: "Failed to commit
    transaction") looks like when the real cause was a full disk."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def _disk_full_text(text: str) -> bool:
    low = text.lower()
    return any(s in low for s in ("no space left", "disk full", "database or disk is full",
                                  "disk quota exceeded", "file too large"))


@contextlib.contextmanager
def output_errors(path: str | Path) -> Iterator[None]:
    """Turn failures to write ``path`` into typed errors naming it: a full disk (``ENOSPC``,
    ``EDQUOT``, ``EFBIG``, or GDAL/SQLite saying so) becomes :class:`DiskFullError`, any other
    ``OSError`` (``EACCES``, a read-only file system) :class:`OutputWriteError`.

    >>> with output_errors("/x/ds.gpkg"):
    ...     raise OSError(28, "No space left on device")
    Traceback (most recent call last):
    ...
    omgevingskaart.errors.DiskFullError: /x/ds.gpkg: schijf vol / no space left on device while writing; the previous file is unchanged ([Errno 28] No space left on device)
    """
    from .errors import DiskFullError, OmgevingskaartError, OutputWriteError

    try:
        yield
    except OmgevingskaartError:
        raise
    except OSError as exc:
        if exc.errno in DISK_FULL_ERRNOS or _disk_full_text(str(exc)):
            raise DiskFullError(path, "schijf vol / no space left on device while writing; "
                                      f"the previous file is unchanged ({exc})") from exc
        raise OutputWriteError(path, f"cannot write: {exc}; the previous file is unchanged") from exc
    except Exception as exc:  # GDAL (pyogrio) and sqlite3 report a full disk in their own types
        if _disk_full_text(str(exc)) or getattr(exc, "disk_full", False):
            raise DiskFullError(path, "schijf vol / no space left on device while writing; "
                                      f"the previous file is unchanged ({type(exc).__name__}: {exc})") from exc
        raise
