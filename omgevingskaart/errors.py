"""Typed errors of omgevingskaart.

Every error a user can cause (a bad file, a bad address, a point outside the data) is an
:class:`OmgevingskaartError`, so callers can catch one type; the subclasses say what went wrong
and carry the thing that was wrong (file, element, feature, input) in their message.

The command-line interface turns each of them into a clear message and exit code 2.
"""

from __future__ import annotations

from pathlib import Path


class OmgevingskaartError(Exception):
    """Base class of every error the library raises on bad input."""


class MissingExtraError(OmgevingskaartError):
    """A feature needs an optional extra that is not installed; the message says what to install.

    >>> str(MissingExtraError("pydeck", "app"))
    "this needs pydeck, part of the optional extra 'app': pip install 'omgevingskaart[app]'"
    """

    def __init__(self, module: str, extra: str):
        self.module = module
        self.extra = extra
        super().__init__(f"this needs {module}, part of the optional extra {extra!r}: "
                         f"pip install 'omgevingskaart[{extra}]'")


# --- files and formats -------------------------------------------------------------------------


class DataFileError(OmgevingskaartError):
    """A data file is missing, unreadable, truncated, of another format or otherwise broken.

    ``path`` names the file; ``element`` (optional) the XML element, layer or feature inside it.
    """

    def __init__(self, path: str | Path | None, message: str, *, element: str | None = None):
        self.path = None if path is None else Path(path)
        self.element = element
        where = f"{self.path}" if self.path is not None else "<input>"
        if element:
            where += f" ({element})"
        super().__init__(f"{where}: {message}")


class UnsupportedFormatError(DataFileError):
    """The file is not of a format omgevingskaart reads (or not of the version it reads)."""


class HostileXMLError(DataFileError):
    """The XML declares a DTD or entities (XXE, entity expansion); such input is refused."""


# --- hostile, broken and impossible input (readers) -------------------------------------------


class ResourceLimitError(DataFileError):
    """Reading the file would exceed a resource limit: the decompressed size or compression ratio
    of a zip member, the XML nodes of one feature or document, the chords of an arc, the vertices
    of a geometry. ``limit`` names the setting (:mod:`omgevingskaart.io.limits`, which says how
    to raise it)."""

    def __init__(self, path: str | Path | None, message: str, *, limit: str,
                 element: str | None = None):
        self.limit = limit
        super().__init__(path, f"{message} [limit {limit}: OMGEVINGSKAART_{limit.upper()}]",
                         element=element)


class CoordinateError(DataFileError):
    """Coordinates that cannot be right: NaN or infinite, or outside the area of the CRS they
    are labelled with (RD New values outside the Netherlands, degrees labelled as RD)."""


class NothingToReadError(UnsupportedFormatError):
    """A recognised file that holds nothing omgevingskaart reads (a Kadastrale Kaart
    kadastralegrens or pand file): ``import`` skips it with this message."""


class SkippedInputWarning(UserWarning):
    """Part of an input (a zip member, a file of a download) was skipped; the message says why."""


class CRSError(OmgevingskaartError):
    """A coordinate reference system is missing, unknown, or not the one that is needed."""


class GeometryError(OmgevingskaartError):
    """A geometry is invalid, empty or of the wrong type and cannot be repaired."""


class SchemaError(OmgevingskaartError):
    """A layer does not fit its normalised schema (a missing column, a value of the wrong type)."""


class CatalogueError(OmgevingskaartError):
    """A layer catalogue file (``layers/*.toml``) is broken: it names the file and the key."""

    def __init__(self, path: str | Path, message: str, *, key: str | None = None):
        self.path = Path(path)
        self.key = key
        where = f"{self.path}" + (f" [{key}]" if key else "")
        super().__init__(f"{where}: {message}")


class DatasetError(DataFileError):
    """A dataset (GeoPackage) is missing, corrupt or lacks a layer that was asked for."""


# --- queries -------------------------------------------------------------------------------------


class QueryError(OmgevingskaartError):
    """A query cannot be answered from the input given (bad coordinates, bad aanduiding)."""


class AddressNotFoundError(QueryError):
    """No address in the dataset matches the input."""


class AmbiguousAddressError(QueryError):
    """More than one address matches; ``candidates`` lists them (as display strings)."""

    def __init__(self, query: str, candidates: list[str]):
        self.query = query
        self.candidates = candidates
        shown = "; ".join(candidates[:10]) + (" ..." if len(candidates) > 10 else "")
        super().__init__(
            f"address {query!r} is ambiguous: {len(candidates)} candidates: {shown}"
        )


class OutsideDataError(QueryError):
    """The point lies outside the area the dataset covers."""


class ScenarioError(OmgevingskaartError):
    """A permit-check scenario is inconsistent; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class AccessDeniedError(OmgevingskaartError):
    """A restricted layer (audience ``ketenpartner``) was asked for without the right key."""


# --- live sources --------------------------------------------------------------------------------


class RemoteSourceError(OmgevingskaartError):
    """A web API could not be reached or answered with an error; ``url`` names the request.

    Raised for a host that cannot be resolved or reached (offline), for HTTP errors that remain
    after the retries, for answers that are not the JSON the API documents, and for a missing API
    key (the message then names the environment variable to set).
    """

    def __init__(self, url: str | None, message: str):
        self.url = url
        super().__init__(f"{url}: {message}" if url else message)


# --- writing datasets and other output; impossible coordinates (issue 13) -------------------------


class DatasetLockedError(DatasetError):
    """Another process holds the dataset's write lock and did not release it in time."""


class OutputWriteError(DataFileError):
    """An output file (a dataset, an export) cannot be written; the previous file is unchanged."""


class DiskFullError(OutputWriteError):
    """No space left on the device (or the quota or file size limit is reached) while writing."""


class CoordinateRangeError(QueryError):
    """A coordinate is not finite or lies outside what its CRS allows (RD outside the Netherlands,
    degrees outside -180..180 / -90..90); ``field`` names the input (``x``, ``y``, ``point``)."""

    def __init__(self, message: str, *, field: str = "point"):
        self.field = field
        super().__init__(message)
