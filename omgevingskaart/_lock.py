"""An exclusive lock per dataset file, so that concurrent writers never lose each other's data.

Writing a dataset is a read-modify-write: read the layers and metadata that stay, add the new ones,
write a new file, move it into place. Two writers doing that at once would each start from the
same old file and the second ``os.replace`` would drop the first one's layers. Every writer
therefore holds :func:`dataset_lock` from reading the old dataset until its new file is in place.

The lock is ``fcntl.flock`` on a lock file beside the dataset (``.NAME.lock``, kept afterwards:
deleting it would let two writers lock two different files). flock works across processes on one
machine and is released by the kernel when the holder dies (also on ``kill -9``); it is not
reliable on NFS, so a dataset written by several machines must not live on an NFS share. A second
writer waits up to ``timeout`` seconds (default ``OMGEVINGSKAART_LOCK_TIMEOUT``, else 600) and then
fails with :class:`~omgevingskaart.errors.DatasetLockedError`. The lock is re-entrant within one
thread (``import`` holds it around its own read and the write).

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "ds.gpkg"
>>> with dataset_lock(target):
...     with dataset_lock(target):      # re-entrant in the same thread
...         pass
>>> (target.parent / ".ds.gpkg.lock").exists()
True
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DatasetLockedError

ENV_TIMEOUT = "OMGEVINGSKAART_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 600.0
_POLL = 0.05

_held: dict[tuple[str, int], int] = {}
_held_lock = threading.Lock()


def lock_path(path: str | Path) -> Path:
    """The lock file of the dataset ``path``: ``.NAME.lock`` in the same folder."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


def _default_timeout() -> float:
    value = os.environ.get(ENV_TIMEOUT, "")
    try:
        return float(value) if value.strip() else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""


@contextmanager
def dataset_lock(path: str | Path, *, timeout: float | None = None) -> Iterator[float]:
    """Hold the exclusive write lock of the dataset ``path``; yields the time it was acquired.

    Waits up to ``timeout`` seconds for another writer (None: ``$OMGEVINGSKAART_LOCK_TIMEOUT`` or
    600; 0: do not wait), then raises :class:`DatasetLockedError` naming the file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = lock_path(path)
    key = (str(lock.resolve()), threading.get_ident())
    with _held_lock:
        depth = _held.get(key, 0)
        if depth:
            _held[key] = depth + 1
    if depth:
        try:
            yield time.time()
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    wait = _default_timeout() if timeout is None else max(0.0, float(timeout))
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatasetLockedError(path, f"cannot create the lock file {lock.name}: {exc}") from exc
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatasetLockedError(
                        path, f"another process is writing this dataset{_holder(fd)}; waited "
                              f"{wait:.0f} s (set {ENV_TIMEOUT} to wait longer); the dataset is unchanged",
                    ) from None
                time.sleep(_POLL)
            except OSError as exc:  # ENOLCK and friends: a file system without flock (NFS)
                raise DatasetLockedError(
                    path, f"cannot lock the dataset ({exc}); a dataset must be on a local file "
                          "system (NFS is not supported)",
                ) from exc
        acquired = time.time()
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        with _held_lock:
            _held[key] = 1
        try:
            yield acquired
        finally:
            with _held_lock:
                _held.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
