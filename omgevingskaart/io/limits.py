"""Resource limits for every reader: what a hostile or broken file may cost at most.

A 3 MB zip can hold 3 GiB of spaces; a 2 MB one 2 GiB of ``<x/>`` elements; a 30 KB GML
circle with a radius of 1e11 m asks for 7 million chords (800 MB). Each reader checks the
limits below while it reads (never after the damage is done) and raises
:class:`~omgevingskaart.errors.ResourceLimitError` naming the file, the member or feature and the
limit that was hit.

The defaults are far above what the real registers need (the largest compression ratio among the
real samples is 62, for an IMOW Regeltekst file; the largest single feature a few thousand
nodes) and keep the peak memory of every hostile archive of the campaign
(``benchmarks/bench_hostile.py``) under 500 MB. Each can be raised with an
environment variable (``OMGEVINGSKAART_MAX_RATIO=500``) or, in code, for a block::

    from omgevingskaart.io import limits
    with limits.override(max_nodes=5_000_000):
        layers = omgevingskaart.read("huge-plan.zip")

>>> current().max_ratio
100.0
>>> with override(max_ratio=5):
...     current().max_ratio
5.0
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO, Any

from ..errors import DataFileError, OmgevingskaartError, ResourceLimitError

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class Limits:
    """The limits; environment variable ``OMGEVINGSKAART_<FIELD NAME IN CAPITALS>`` overrides each."""

    #: decompressed bytes of one zip member.
    max_member_bytes: int = 8 * GiB
    #: decompressed / compressed size of a zip member, checked once it has given ``ratio_floor``
    #: bytes (real register files: at most 62).
    max_ratio: float = 100.0
    ratio_floor: int = 16 * MiB
    #: bytes of an XML or JSON document that is parsed whole (STOP/IMOW/GIO files, CityJSON).
    max_document_bytes: int = 128 * MiB
    #: XML nodes (elements and text) held at once: one streamed feature, or a whole document.
    #: Each costs about 250 bytes, so 1,000,000 is ~250 MB.
    max_nodes: int = 1_000_000
    #: chords of one linearised arc or circle.
    max_arc_segments: int = 100_000
    #: vertices of one GML feature's geometry, arcs linearised.
    max_vertices: int = 5_000_000


_override: Limits | None = None


def _from_env() -> Limits:
    base = Limits()
    changes: dict[str, Any] = {}
    for f in fields(Limits):
        raw = os.environ.get(f"OMGEVINGSKAART_{f.name.upper()}")
        if raw is None or not raw.strip():
            continue
        kind = float if f.type in ("float", float) else int
        try:
            value = kind(raw.replace("_", ""))
        except ValueError as exc:
            raise OmgevingskaartError(
                f"OMGEVINGSKAART_{f.name.upper()}={raw!r} is not a number") from exc
        if not value > 0:
            raise OmgevingskaartError(f"OMGEVINGSKAART_{f.name.upper()}={raw!r} must be > 0")
        changes[f.name] = value
    return replace(base, **changes) if changes else base


def current() -> Limits:
    """The limits in force: an :func:`override` block, else the environment, else the defaults."""
    return _override if _override is not None else _from_env()


@contextlib.contextmanager
def override(**changes: Any) -> Iterator[Limits]:
    """Use other limits inside a ``with`` block (e.g. ``override(max_nodes=5_000_000)``)."""
    global _override
    saved = _override
    base = current()
    _override = replace(base, **{k: type(getattr(base, k))(v) for k, v in changes.items()})
    try:
        yield _override
    finally:
        _override = saved


class BoundedReader:
    """A read-only binary stream over a zip member that stops a decompression bomb while it
    streams: :class:`ResourceLimitError` once the member gives more than ``max_member_bytes``, or
    more than ``ratio_floor`` bytes at a ratio above ``max_ratio``."""

    def __init__(self, raw: IO[bytes], path: str | Path | None, member: str,
                 compressed: int, limits: Limits | None = None):
        self._raw = raw
        self.path = path
        self.member = member
        self.compressed = max(int(compressed), 1)
        self.limits = limits or current()
        self.count = 0

    def _check(self) -> None:
        lim = self.limits
        if self.count > lim.max_member_bytes:
            raise ResourceLimitError(
                self.path, f"the zip member decompresses to more than {lim.max_member_bytes:,} "
                "bytes", limit="max_member_bytes", element=self.member)
        if self.count > lim.ratio_floor and self.count > lim.max_ratio * self.compressed:
            raise ResourceLimitError(
                self.path, f"the zip member decompresses at a ratio above {lim.max_ratio:g} "
                f"({self.compressed:,} compressed bytes gave {self.count:,} and more: a "
                "decompression bomb?)", limit="max_ratio", element=self.member)

    def read(self, size: int = -1) -> bytes:
        try:
            if size is None or size < 0:
                parts = []
                while block := self._raw.read(MiB):
                    self.count += len(block)
                    self._check()
                    parts.append(block)
                return b"".join(parts)
            data = self._raw.read(size)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise DataFileError(self.path, f"zip member is corrupt or truncated: {exc}",
                                element=self.member) from exc
        except Exception as exc:  # zlib.error and friends
            if type(exc).__module__ in ("zlib", "bz2", "lzma", "_lzma", "_bz2"):
                raise DataFileError(self.path, f"zip member is corrupt or truncated: {exc}",
                                    element=self.member) from exc
            raise
        self.count += len(data)
        self._check()
        return data

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> BoundedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_member(zf: zipfile.ZipFile, name: str | zipfile.ZipInfo, path: str | Path | None,
                *, label: str | None = None) -> BoundedReader:
    """Open zip member ``name`` as a :class:`BoundedReader`; errors name ``path`` and ``label``
    (default: the member name)."""
    info = name if isinstance(name, zipfile.ZipInfo) else zf.getinfo(name)
    try:
        raw = zf.open(info)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise DataFileError(path, f"zip member cannot be opened: {exc}",
                            element=label or info.filename) from exc
    return BoundedReader(raw, path, label or info.filename, info.compress_size)


def read_file_bounded(fh: IO[bytes], path: str | Path | None, *, member: str | None = None,
                      limit: int | None = None) -> bytes:
    """All bytes of ``fh``, at most ``limit`` (default ``max_document_bytes``) of them."""
    lim = limit or current().max_document_bytes
    parts: list[bytes] = []
    total = 0
    while block := fh.read(MiB):
        total += len(block)
        if total > lim:
            raise ResourceLimitError(path, f"the document is larger than {lim:,} bytes and is "
                                     "read whole", limit="max_document_bytes", element=member)
        parts.append(block)
    return b"".join(parts)
