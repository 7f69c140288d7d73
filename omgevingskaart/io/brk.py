"""BRK Kadastrale Kaart v5 GML reader: percelen with their kadastrale aanduiding and size.

What is read
------------
A Kadastrale Kaart v5 GML file (namespace
``http://www.kadaster.nl/schemas/brkkadastralekaart/v5/...``, as PDOK's download service
delivers it) or a zip of such files: every ``oz:Perceel`` becomes a row of layer ``perceel``:

* geometry: ``begrenzingPerceel`` (the parcel polygon), *not* ``plaatscoordinaten`` (the label
  point, which is the first geometry and what GDAL's GML driver picks by default);
* ``identificatie`` (the 14-digit KadastraalObject id), ``kadastrale_gemeente_code`` (the AKR code
  such as ``OTL02``, the code of the aanduiding), ``kadastrale_gemeente`` (the name, ``Otterlo``),
  ``sectie``, ``perceelnummer``, ``kadastrale_aanduiding`` (``"OTL02 B 2298"``, the form the
  Kadaster and the Omgevingsloket print), ``kadastrale_grootte`` (m2);
* extra columns: ``kadastrale_gemeente_nummer`` (the numeric kadastrale gemeente code, ``761``),
  ``soort_grootte`` (``Vastgesteld`` / ``Voorlopig``), ``begin_geldigheid``.

Other Kadastrale Kaart files (KadastraleGrens, Pand, OpenbareRuimteLabel, Kwaliteit) are recognised
but not read: they raise :class:`UnsupportedFormatError` saying so (in a zip they are skipped).
No personal data exists in the Kadastrale Kaart and none is read.

Why a hand-written parser
-------------------------
GDAL's GML driver exposes only the first geometry of a Perceel (the label point) unless it gets a
schema: a ``.gfs`` next to the data (fails in read-only folders, races between processes) or the
``GFS_TEMPLATE`` open option with a ``GeomPropertyDefn`` for ``begrenzingPerceel``. With such a
template GDAL reads the same polygons (identical coordinates) and attributes as this reader. This
reader is faster than both: ``benchmarks/bench_loaders_a.py`` (CPU time, best of 30, interleaved)
on the 11-perceel sample: 3.2-3.4 ms against GDAL's 5.2 ms for only the label points (1.6x) and
3.9 ms with the GFS template (1.14x). At this size the time is fixed cost: the lxml parse ~1.4 ms,
the frame ~1.8 ms (built straight from the columns by ``schema.conform_columns``, with the schema
checks GDAL does not do). It also checks the CRS per perceel and names the perceel in errors. It
streams with ``lxml.etree.iterparse`` (entity resolution off, DTDs refused in the prolog first) and
frees each Perceel after use, so memory stays flat on a national file; the polygons are built in
one ``shapely.from_ragged_array`` call (:class:`._gml.GeometryBatch`).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
from lxml import etree

from ..errors import (
    CRSError,
    DataFileError,
    GeometryError,
    NothingToReadError,
    SkippedInputWarning,
    UnsupportedFormatError,
)
from ..schema import conform_columns
from . import _coords, _frames, _gml, _xml, limits

FORMAT = "BRK Kadastrale Kaart v5 GML"

_NS_PREFIX = b"http://www.kadaster.nl/schemas/brkkadastralekaart/v5/"
_NS_OLD = re.compile(rb"http://www\.kadaster\.nl/schemas/(?:brk)?kadastralekaart/(v\d)")
GML = "http://www.opengis.net/gml/3.2"
_G = "{" + GML + "}"
_RD_NAMES = ("urn:ogc:def:crs:EPSG::28992", "EPSG:28992", "http://www.opengis.net/def/crs/EPSG/0/28992",
             "urn:ogc:def:crs:EPSG:28992")


def sniff(path: Path, head: bytes) -> bool:
    """A Kadastrale Kaart v5 GML file, or a zip or folder (the PDOK download) holding one."""
    if path.is_dir():
        for f in sorted(path.glob("*.gml")):
            with f.open("rb") as fh:
                if _NS_PREFIX in fh.read(8192):
                    return True
        return False
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                for n in zf.namelist():
                    if n.lower().endswith(".gml"):
                        with zf.open(n) as fh:
                            if _NS_PREFIX in fh.read(8192):
                                return True
        except (zipfile.BadZipFile, OSError, EOFError):
            return False
        return False
    return _NS_PREFIX in head and b"DKK" in head


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Any, name: str) -> Any:
    for c in el:
        if isinstance(c.tag, str) and _local(c.tag) == name:
            return c
    return None


def _path_text(el: Any, *names: str) -> str | None:
    for n in names:
        el = _child(el, n)
        if el is None:
            return None
    text = el.text
    return text.strip() if text else None


_POLYGONAL = ("Polygon", "Surface", "MultiSurface")


def _parcels(fh: _xml.BinaryReader, name: str, batch: _gml.GeometryBatch) -> Iterator[dict[str, Any]]:
    """The attributes of each Perceel; its polygon goes to ``batch`` (one row per Perceel)."""
    reader = _gml.GMLReader(name, default_rd=True)
    default_srs: str | None = None
    try:
        for el in _xml.iterparse(fh, name, ("{*}Perceel", f"{_G}Envelope")):
            if _local(el.tag) == "Envelope":
                default_srs = el.get("srsName") or default_srs
                continue
            ident = _path_text(el, "identificatie")
            what = f"{name} (Perceel {ident or el.get(f'{_G}id') or '?'})"
            ta = _child(_child(el, "kadastraleAanduiding") if _child(el, "kadastraleAanduiding")
                        is not None else el, "TypeKadastraleAanduiding")
            if ta is None:
                raise DataFileError(name, "Perceel without kadastraleAanduiding",
                                    element=f"Perceel {ident}")
            grens = _child(el, "begrenzingPerceel")
            if grens is None:
                raise GeometryError(f"{what}: no begrenzingPerceel (the parcel polygon)")
            geom = next((c for c in grens if isinstance(c.tag, str)), None)
            if geom is None:
                raise GeometryError(f"{what}: begrenzingPerceel is empty")
            if _local(geom.tag) not in _POLYGONAL:
                raise GeometryError(f"{what}: begrenzingPerceel holds a gml:{_local(geom.tag)}; "
                                    "expected a polygon")
            srs = geom.get("srsName") or default_srs
            if srs is None:
                raise CRSError(f"{what}: the polygon has no srsName; expected EPSG:28992")
            if srs not in _RD_NAMES:
                raise CRSError(f"{what}: CRS {srs!r} is not EPSG:28992 (RD New)")
            batch.add(reader, geom, feature=f"Perceel {ident or el.get(f'{_G}id') or '?'}")
            akr = _path_text(ta, "aKRKadastraleGemeenteCode", "AKRKadastraleGemeenteCode", "waarde")
            sectie = _path_text(ta, "sectie")
            nummer = _path_text(ta, "perceelnummer")
            yield {
                "identificatie": ident,
                "kadastrale_gemeente_code": akr,
                "kadastrale_gemeente": _path_text(ta, "kadastraleGemeente", "KadastraleGemeente",
                                                  "waarde"),
                "sectie": sectie,
                "perceelnummer": nummer,
                "kadastrale_aanduiding": " ".join(x for x in (akr, sectie, nummer) if x),
                "kadastrale_grootte": _path_text(el, "kadastraleGrootte", "TypeOppervlak",
                                                 "waarde"),
                "kadastrale_gemeente_nummer": _path_text(
                    ta, "kadastraleGemeente", "KadastraleGemeente", "code"),
                "soort_grootte": _path_text(el, "kadastraleGrootte", "TypeOppervlak",
                                            "soortGrootte", "SoortGrootte", "waarde"),
                "bron": "BRK",
                "begin_geldigheid": (_path_text(el, "historie", "beginGeldigheid") or "")[:10]
                or None,
            }
    except DataFileError as exc:
        cause = exc.__cause__
        if isinstance(cause, etree.XMLSyntaxError):
            raise DataFileError(name, f"broken XML: {cause}") from cause
        raise


def _check_head(head: bytes, name: str) -> None:
    if _NS_PREFIX not in head:
        m = _NS_OLD.search(head)
        if m:
            raise UnsupportedFormatError(
                name, f"Kadastrale Kaart {m.group(1).decode()} is not supported (this reader "
                "reads v5: http://www.kadaster.nl/schemas/brkkadastralekaart/v5/)")
        raise UnsupportedFormatError(name, "not a Kadastrale Kaart v5 GML file")


_IMGEO = re.compile(rb"http://www\.geostandaarden\.nl/imgeo/2\.[01]")


def _read_stream(fh: _xml.BinaryReader, name: str, batch: _gml.GeometryBatch, *, required: bool
                 ) -> list[dict[str, Any]] | None:
    """The percelen of one file; None for a file of a download without percelen, which is
    skipped with a :class:`SkippedInputWarning` saying why (or, alone, ``required``, refused with
    :class:`NothingToReadError`)."""
    head = _xml.read_checked_head(fh, name, size=16384)
    if not required and _NS_PREFIX not in head:  # a member that is not a v5 file: skip
        why = ("IMGeo CityGML (BGT objects): give this file on its own to read it as BGT"
               if _IMGEO.search(head) else "not a Kadastrale Kaart v5 file")
        warnings.warn(f"{name}: {why}", SkippedInputWarning, stacklevel=3)
        return None
    _check_head(head, name)
    if b"Perceel" not in head and b"perceelMember" not in head:
        found = re.search(rb"<\w+:(KadastraleGrens|Pand|OpenbareRuimteLabel|Kwaliteit)\b", head)
        kind = found.group(1).decode() if found else "other objects"
        why = (f"a Kadastrale Kaart file without Perceel ({kind}); only percelen are read "
               "(kadastralekaart_perceel.gml)")
        if required:
            raise NothingToReadError(name, why)
        warnings.warn(f"{name}: {why}", SkippedInputWarning, stacklevel=3)
        return None
    return list(_parcels(_xml.Prepend(head, fh), name, batch))


def read(path: Path, **options: Any) -> dict[str, gpd.GeoDataFrame]:
    """Read a Kadastrale Kaart v5 GML file (or a zip of them) into ``{"perceel": GeoDataFrame}``."""
    if options:
        raise TypeError(f"unknown option(s) for the BRK reader: {', '.join(options)}")
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    rows: list[dict[str, Any]] = []
    batch = _gml.GeometryBatch()
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise DataFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if not magic:
        raise DataFileError(path, "the file is empty")
    found: list[bool] = []
    if magic.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".gml")]
                for n in names:
                    with limits.open_member(zf, n, path, label=n) as fh:
                        got = _read_stream(fh, f"{path}!{n}", batch, required=False)
                    found.append(got is not None)
                    rows += got or []
        except (zipfile.BadZipFile, EOFError) as exc:
            raise DataFileError(path, f"not a readable zip archive: {exc}") from exc
    else:
        with path.open("rb") as fh:
            rows = _read_stream(fh, str(path), batch, required=True) or []
        found.append(True)
    if not any(found):
        raise NothingToReadError(path, "no Kadastrale Kaart perceel file in it (only percelen "
                                 "are read)")
    return _frame(path, rows, batch)


def _frame(path: Path, rows: list[dict[str, Any]], batch: _gml.GeometryBatch
           ) -> dict[str, gpd.GeoDataFrame]:
    if not rows:
        return {"perceel": _frames.empty("perceel")}
    columns = {k: [r[k] for r in rows] for k in rows[0]}
    geoms = batch.build()
    _coords.check_rd(geoms, path, columns["identificatie"], layer="Perceel")
    return {"perceel": conform_columns(columns, geoms, "perceel",
                                       what=f"{path} (Perceel)", keep_extra=True)}


def _read_folder(path: Path) -> dict[str, gpd.GeoDataFrame]:
    """The unpacked PDOK download: every ``*.gml`` in ``path``; files without percelen are
    skipped with a :class:`SkippedInputWarning` each."""
    rows: list[dict[str, Any]] = []
    batch = _gml.GeometryBatch()
    found = False
    for f in sorted(path.glob("*.gml")):
        with f.open("rb") as fh:
            got = _read_stream(fh, str(f), batch, required=False)
        found = found or got is not None
        rows += got or []
    if not found:
        raise NothingToReadError(path, "no Kadastrale Kaart perceel file in this folder")
    return _frame(path, rows, batch)
