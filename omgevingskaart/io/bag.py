"""BAG 2.0 extract ("LV" XML) reader: panden, verblijfsobjecten, ligplaatsen, standplaatsen,
openbare ruimten and woonplaatsen, with their addresses joined.

What is read
------------
An extract as Kadaster delivers it: a zip (``lvbag-extract-*.zip``, possibly with one zip per
object type inside, as the national extract has), a folder, or one ``*.xml`` deelbestand
(``0221PND15092020-000001.xml`` and so on; the ``Leveringsdocument-BAG-Extract.xml`` is recognised
and skipped). Object types read: PND, VBO, NUM, OPR, WPL, LIG, STA.

Parsing is GDAL's LVBAG driver (through pyogrio, Arrow transport). Its documentation
(https://gdal.org/drivers/vector/lvbag.html) says: one OGR layer per file, EPSG:28992, only
Standaard Levering (not mutation files); it returns *every voorkomen* as its own feature, with
``voorkomenIdentificatie``, ``beginGeldigheid``, ``eindGeldigheid``, ``tijdstipInactief`` columns,
and it already drops the (always 0.0) third coordinate of BAG's ``srsDimension="3"`` geometries
(checked: ``has_z`` is False for every layer of the real sample), so no forcing to 2D is needed.
Identifiers come as ``NL.IMBAG.Pand.0221100000312938``; we keep the 16 (woonplaats: 4) digits.
After GDAL everything stays in Arrow (``pyogrio.read_arrow``, pyarrow.compute kernels, one
GeoDataFrame and one ``conform`` per layer). Measured (``benchmarks/bench_loaders_a.py``, CPU
time, same run) on the Doesburg sample: 64 ms for the whole extract, addresses joined, against
GDAL's 92 ms for reading the raw voorkomens alone (1.3x GDAL's features/s; through pandas it was
0.42x).

Voorkomens
----------
By default each object's *current* voorkomen: voorkomens with ``tijdstipInactief`` set (withdrawn
by a correction) are dropped; of the rest the one without ``eindGeldigheid`` and without
``eindRegistratie`` is current, ties and objects without such a voorkomen take the highest
``voorkomenIdentificatie``. All statuses are kept (``status`` column: "Pand gesloopt" too).
``history=True`` returns every voorkomen, with ``voorkomen``, ``begin_geldigheid`` and
``eind_geldigheid`` columns (ISO dates; empty for the open end).

Addresses
---------
verblijfsobject / ligplaats / standplaats -> hoofdadres nummeraanduiding (huisnummer, huisletter,
huisnummertoevoeging, postcode) -> openbare ruimte (street name) -> woonplaats (name). The
nummeraanduiding's own ``woonplaatsRef`` wins over the openbare ruimte's (BAG: it is only set when
the address lies in another woonplaats). The current voorkomen of every referenced object is used,
also for history rows. Nevenadressen are listed (ids, ';'-separated) in ``nevenadressen``.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely

from ..errors import CRSError, DataFileError, GeometryError, UnsupportedFormatError
from ..schema import RD_NEW, conform
from . import _coords, _frames, _xml, limits

FORMAT = "BAG 2.0 extract"

#: the BAG 2.0 extract namespace version this reader knows (Kadaster, since 2020-06-01).
NAMESPACE_VERSION = "v20200601"
_NS_DEELBESTAND = b"http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/"
_NS_LEVERING = b"http://www.kadaster.nl/schemas/lvbag/extract-levering/"

_FILE_RE = re.compile(r"(?:^|/)(\d{4})(PND|VBO|NUM|OPR|WPL|LIG|STA)(\d{8})-(\d{6})\.xml$", re.I)
_INNER_ZIP_RE = re.compile(r"(?:^|/)\d{4}(PND|VBO|NUM|OPR|WPL|LIG|STA)\d{8}\.zip$", re.I)
_LEVERING_RE = re.compile(r"(?:^|/)Leveringsdocument-BAG-Extract\.xml$", re.I)

#: object type code -> (GDAL layer name, output layer name or None for nummeraanduiding)
_TYPES = {
    "PND": ("Pand", "pand"),
    "VBO": ("Verblijfsobject", "verblijfsobject"),
    "NUM": ("Nummeraanduiding", None),
    "OPR": ("Openbareruimte", "openbare_ruimte"),
    "WPL": ("Woonplaats", "woonplaats"),
    "LIG": ("Ligplaats", "ligplaats"),
    "STA": ("Standplaats", "standplaats"),
}

_COMMON = ["identificatie", "status", "voorkomenIdentificatie", "beginGeldigheid",
           "eindGeldigheid", "eindRegistratie", "tijdstipInactief"]
_FIELDS = {
    "PND": ["oorspronkelijkBouwjaar"],
    "VBO": ["gebruiksdoel", "oppervlakte", "hoofdadresNummeraanduidingRef",
            "nevenadresNummeraanduidingRef", "pandRef"],
    "NUM": ["huisnummer", "huisletter", "huisnummerToevoeging", "postcode", "openbareruimteRef",
            "woonplaatsRef"],
    "OPR": ["naam", "type", "woonplaatsRef"],
    "WPL": ["naam"],
    "LIG": ["hoofdadresNummeraanduidingRef", "nevenadresNummeraanduidingRef"],
    "STA": ["hoofdadresNummeraanduidingRef", "nevenadresNummeraanduidingRef"],
}


@dataclass(frozen=True)
class _Member:
    """One deelbestand: its object type, GDAL path, display name and how to open its bytes."""

    code: str
    gdal_path: str
    name: str
    zip_chain: tuple[str, ...]  # () for a plain file; member names through nested zips otherwise
    file: Path


# --- detection -----------------------------------------------------------------------------------


def _zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataFileError(path, f"not a readable zip archive: {exc}") from exc


def sniff(path: Path, head: bytes) -> bool:
    """A BAG 2.0 extract: an LV deelbestand, a Leveringsdocument, or a folder/zip holding them."""
    if path.is_dir():
        return any(_FILE_RE.search(p.name) for p in path.iterdir())
    if head.startswith(b"PK"):
        try:
            names = _zip_names(path)
        except DataFileError:
            return False
        return any(_FILE_RE.search(n) or _INNER_ZIP_RE.search(n) for n in names)
    return _NS_DEELBESTAND in head or (_NS_LEVERING in head and b"BAG-Extract-Levering" in head)


# --- members -------------------------------------------------------------------------------------


def _members(path: Path) -> list[_Member]:
    out: list[_Member] = []
    if path.is_dir():
        for p in sorted(path.iterdir()):
            m = _FILE_RE.search(p.name)
            if m:
                out.append(_Member(m.group(2).upper(), str(p), str(p), (), path))
        return out
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        names = _zip_names(path)
        for n in sorted(names):
            m = _FILE_RE.search(n)
            if m:
                out.append(_Member(m.group(2).upper(), f"/vsizip/{{{path.resolve()}}}/{n}",
                                   f"{path}!{n}", (n,), path))
            elif _INNER_ZIP_RE.search(n):
                for inner in sorted(_inner_names(path, n)):
                    mi = _FILE_RE.search(inner)
                    if mi:
                        gp = f"/vsizip/{{/vsizip/{{{path.resolve()}}}/{n}}}/{inner}"
                        out.append(_Member(mi.group(2).upper(), gp, f"{path}!{n}!{inner}",
                                           (n, inner), path))
        return out
    m = _FILE_RE.search(path.name)
    if m:
        return [_Member(m.group(2).upper(), str(path), str(path), (), path)]
    with path.open("rb") as fh:
        head = _xml.read_checked_head(fh, path)
    if _NS_LEVERING in head:
        return []
    # a deelbestand under another name: find the object type from its content
    for code, (layer, _) in _TYPES.items():
        if f"<sl:objectType>{code}</sl:objectType>".encode() in head or (
            f"Objecten:{layer}>".encode() in head
        ):
            return [_Member(code, str(path), str(path), (), path)]
    raise UnsupportedFormatError(path, "a BAG extract file without a recognisable object type")


def _inner_names(path: Path, inner: str) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf, zf.open(inner) as fh:
            data = io.BytesIO(fh.read()) if not fh.seekable() else fh
            with zipfile.ZipFile(data) as z2:
                return z2.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataFileError(path, f"nested zip is not readable: {exc}", element=inner) from exc


def _open_member(m: _Member) -> Iterator[Any]:
    """Yield an open binary stream on the member's bytes, bounded against decompression bombs
    (:mod:`.limits`)."""
    if not m.zip_chain:
        with Path(m.gdal_path).open("rb") as fh:
            yield fh
        return
    try:
        with zipfile.ZipFile(m.file) as zf:
            if len(m.zip_chain) == 1:
                with limits.open_member(zf, m.zip_chain[0], m.file, label=m.name) as fh:
                    yield fh
                return
            with zf.open(m.zip_chain[0]) as outer, zipfile.ZipFile(outer) as z2, \
                    limits.open_member(z2, m.zip_chain[1], m.file, label=m.name) as fh2:
                yield fh2
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataFileError(m.file, f"zip member is not readable: {exc}", element=m.name) from exc


def _check_member(m: _Member) -> None:
    """Prolog scan (DTD/ENTITY refusal) and namespace/version check, before GDAL opens it."""
    for fh in _open_member(m):
        head = _xml.read_checked_head(fh, m.name, size=16384)
        if _NS_DEELBESTAND not in head:
            raise UnsupportedFormatError(
                m.name, "not a BAG 2.0 extract deelbestand (namespace "
                f"{_NS_DEELBESTAND.decode()}{NAMESPACE_VERSION} not found)",
            )
        if (_NS_DEELBESTAND + NAMESPACE_VERSION.encode()) not in head:
            found = re.search(rb"extract-deelbestand-lvc/(v\d+)", head)
            raise UnsupportedFormatError(
                m.name,
                f"BAG extract namespace version {found.group(1).decode() if found else '?'} is "
                f"not supported (this reader knows {NAMESPACE_VERSION})",
            )
        if b"EPSG::28992" not in head and b"<gml:" in head:
            srs = re.search(rb'srsName="([^"]*)"', head)
            raise CRSError(
                f"{m.name}: BAG geometry in CRS "
                f"{srs.group(1).decode() if srs else '(none given)'}; expected EPSG:28992"
            )
        # the whole file must be well-formed XML before GDAL reads it: a truncated file would
        # otherwise import partially, and a member padded with gigabytes of blanks would make
        # GDAL abort (bad_alloc) instead of raising
        _xml.check_stream(_xml.Prepend(head, fh), m.name)


# --- reading -------------------------------------------------------------------------------------
#
# Everything after GDAL stays in Arrow (pyogrio.read_arrow): selecting the current voorkomen,
# stripping identifiers, joining lists and looking up addresses are pyarrow.compute kernels over
# whole columns, and each layer becomes one GeoDataFrame, conformed once. Going through
# read_dataframe and pandas instead cost 0.24 s CPU for the 207-object Doesburg sample against
# GDAL's own 0.11 s (0.42x), almost all of it pandas overhead per column and per layer.


def _read_member(m: _Member) -> pa.Table:
    layer, _ = _TYPES[m.code]
    cols = _COMMON + _FIELDS[m.code]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, table = pyogrio.read_arrow(m.gdal_path, columns=cols)
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError / OSError
        raise DataFileError(m.name, f"GDAL (LVBAG) cannot read it: {exc}", element=layer) from exc
    gname = meta.get("geometry_name") or "wkb_geometry"
    if gname in table.column_names:
        geom = table[gname]
        table = table.drop_columns([gname]).append_column("geometry", geom)
        if meta.get("crs") is None and table.num_rows and geom.null_count < len(geom):
            raise CRSError(f"{m.name}: {layer} geometry without a CRS; expected EPSG:28992")
    return table


def _strip_id(a: Any) -> pa.Array:
    """``NL.IMBAG.Pand.0221100000312938`` -> ``0221100000312938`` (whole column at once)."""
    return pc.replace_substring_regex(_combined(a).cast(pa.string()), r"^.*\.", "")


def _combined(a: Any) -> pa.Array:
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _join_list(values: Any, strip: bool) -> pa.Array:
    """A list column as one ';'-separated string per row (None for a null or empty list)."""
    a = _combined(values)
    if not pa.types.is_list(a.type) and not pa.types.is_large_list(a.type):
        a = _strip_id(a) if strip else a.cast(pa.string())
        return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    flat = a.flatten().cast(pa.string())
    if strip:
        flat = pc.replace_substring_regex(flat, r"^.*\.", "")
    rebuilt = pa.ListArray.from_arrays(a.offsets, flat, mask=a.is_null())
    joined = pc.binary_join(rebuilt, ";")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)


def _np(a: Any) -> np.ndarray:
    """An Arrow column as a numpy array (object with None for strings)."""
    return np.asarray(_combined(a).to_numpy(zero_copy_only=False))


def _na_strings(a: Any) -> np.ndarray:
    """Strings with pd.NA for nulls, as extra (unconformed) columns always had."""
    return np.asarray(pd.array(_np(a), dtype="string").to_numpy())


def _int(a: Any) -> pd.arrays.IntegerArray:
    a = _combined(a).cast(pa.int64())
    return pd.arrays.IntegerArray(pc.fill_null(a, 0).to_numpy(),
                                  a.is_null().to_numpy(zero_copy_only=False))


def _select(t: pa.Table, history: bool) -> pa.Table:
    """The current voorkomen per identificatie (or all voorkomens with ``history``)."""
    if history or t.num_rows == 0:
        return t
    t = t.filter(pc.is_null(t["tijdstipInactief"]))
    if t.num_rows == 0:
        return t
    cur = pc.and_(pc.is_null(t["eindGeldigheid"]), pc.is_null(t["eindRegistratie"]))
    keyed = t.select(["identificatie", "voorkomenIdentificatie"]).append_column(
        "_cur", cur.cast(pa.int8()))
    order = pc.sort_indices(keyed, sort_keys=[("identificatie", "ascending"),
                                              ("_cur", "ascending"),
                                              ("voorkomenIdentificatie", "ascending")])
    ids = _np(t["identificatie"].take(order))
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[:-1] != ids[1:]
    return t.take(order.to_numpy()[last])


def _lookup(keys: pa.Array, ids: pa.Array, values: Any) -> pa.Array:
    """``values`` at the row whose ``ids`` equals each key (null where there is none)."""
    return _combined(values).take(pc.index_in(keys, value_set=ids))


def _base(t: pa.Table, history: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"identificatie": _np(_strip_id(t["identificatie"])),
                           "status": _np(t["status"]), "bron": "BAG"}
    if history:
        out["voorkomen"] = _int(t["voorkomenIdentificatie"]).to_numpy()
        out["begin_geldigheid"] = _na_strings(_combined(t["beginGeldigheid"]).cast(pa.string()))
        out["eind_geldigheid"] = _na_strings(_combined(t["eindGeldigheid"]).cast(pa.string()))
    return out


def _frame(cols: dict[str, Any], geometry: Any, kind: str, what: str) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(cols, geometry=gpd.array.from_shapely(geometry, crs=RD_NEW),
                           crs=RD_NEW)
    return conform(gdf, kind, what=what, keep_extra=True)


_ADDRESS_COLS = ("huisnummer", "huisletter", "huisnummertoevoeging", "postcode",
                 "openbare_ruimte", "woonplaats")


def _addresses(num: pa.Table | None, opr: pa.Table | None, wpl: pa.Table | None
               ) -> tuple[pa.Array, dict[str, pa.Array]]:
    """Nummeraanduiding ids and their huisnummer, huisletter, toevoeging, postcode, street and
    woonplaats columns (Arrow, aligned with the ids)."""
    if num is None or num.num_rows == 0:
        empty = pa.array([], pa.string())
        return empty, {c: empty if c != "huisnummer" else pa.array([], pa.int64())
                       for c in _ADDRESS_COLS}
    ids = _strip_id(num["identificatie"])
    out = {"huisnummer": _combined(num["huisnummer"]).cast(pa.int64()),
           "huisletter": _combined(num["huisletter"]).cast(pa.string()),
           "huisnummertoevoeging": _combined(num["huisnummerToevoeging"]).cast(pa.string()),
           "postcode": _combined(num["postcode"]).cast(pa.string())}
    opr_ref = _strip_id(num["openbareruimteRef"])
    wpl_ref = _strip_id(num["woonplaatsRef"])
    if opr is not None and opr.num_rows:
        opr_ids = _strip_id(opr["identificatie"])
        out["openbare_ruimte"] = _lookup(opr_ref, opr_ids, opr["naam"]).cast(pa.string())
        wpl_ref = pc.coalesce(wpl_ref, _lookup(opr_ref, opr_ids, _strip_id(opr["woonplaatsRef"])))
    else:
        out["openbare_ruimte"] = pa.nulls(len(ids), pa.string())
    out["woonplaats"] = _woonplaats_names(wpl_ref, wpl)
    return ids, out


def _woonplaats_names(refs: pa.Array, wpl: pa.Table | None) -> pa.Array:
    if wpl is None or wpl.num_rows == 0:
        return pa.nulls(len(refs), pa.string())
    return _lookup(refs, _strip_id(wpl["identificatie"]), wpl["naam"]).cast(pa.string())


def _with_address(t: pa.Table, addr: tuple[pa.Array, dict[str, pa.Array]],
                  cols: dict[str, Any]) -> None:
    ids, values = addr
    hoofd = _strip_id(t["hoofdadresNummeraanduidingRef"])
    at = pc.index_in(hoofd, value_set=ids)
    cols["nummeraanduiding_identificatie"] = _np(hoofd)
    for c, v in values.items():
        cols[c] = _int(v.take(at)) if c == "huisnummer" else _np(v.take(at))
    neven = _join_list(t["nevenadresNummeraanduidingRef"], strip=True)
    cols["nevenadressen"] = _na_strings(neven)


def _from_wkb(wkb: np.ndarray, path: Path, layer: str, ids: np.ndarray) -> np.ndarray:
    """Shapely geometries from GDAL's WKB; a geometry GEOS refuses (a ring that is not closed)
    raises :class:`GeometryError` naming the file and the object."""
    try:
        geoms: np.ndarray = shapely.from_wkb(wkb)
        return geoms
    except shapely.errors.GEOSException:
        parsed = shapely.from_wkb(wkb, on_invalid="ignore")
        bad = np.flatnonzero(shapely.is_missing(parsed) & (wkb != None))  # noqa: E711
        which = f"{layer} {ids[bad[0]]}" if len(bad) else layer
        raise GeometryError(f"{path} ({which}): broken geometry: GEOS cannot build it (a ring "
                            "that is not closed, too few points)") from None


def _point(geoms: Any) -> np.ndarray:
    """Verblijfsobject geometry is a punt or (rarely) a vlak: polygons become a point inside."""
    arr = np.asarray(geoms, dtype=object)
    poly = np.isin(shapely.get_type_id(arr), [3, 6])
    if poly.any():
        arr = arr.copy()
        arr[poly] = shapely.point_on_surface(arr[poly])
    return arr


def read(path: Path, *, history: bool = False, **options: Any) -> dict[str, gpd.GeoDataFrame]:
    """Read a BAG 2.0 extract (zip, folder or one deelbestand) into its layers.

    Returns ``{"pand", "verblijfsobject", "ligplaats", "standplaats", "openbare_ruimte",
    "woonplaats"}`` (only the object types present). ``history=True`` keeps every voorkomen.
    """
    if options:
        raise TypeError(f"unknown option(s) for the BAG reader: {', '.join(options)}")
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "no such file or folder")
    members = _members(path)
    if not members:
        raise DataFileError(path, "no BAG extract deelbestanden (PND/VBO/NUM/OPR/WPL/LIG/STA xml)")
    for m in members:
        _check_member(m)
    raw: dict[str, pa.Table] = {}
    for code in _TYPES:
        parts = [_read_member(m) for m in members if m.code == code]
        if parts:
            raw[code] = parts[0] if len(parts) == 1 else pa.concat_tables(
                parts, promote_options="default")
    current = {c: _select(t, history=False) for c, t in raw.items()}
    selected = raw if history else current
    addr = _addresses(current.get("NUM"), current.get("OPR"), current.get("WPL"))
    out: dict[str, gpd.GeoDataFrame] = {}
    for code, t in selected.items():
        layer, kind = _TYPES[code]
        if kind is None:
            continue
        what = f"{path} ({layer})"
        if t.num_rows == 0:
            out[kind] = _frames.empty(kind)
            continue
        cols = _base(t, history)
        geom = (_from_wkb(_np(t["geometry"]), path, layer, cols["identificatie"])
                if "geometry" in t.column_names else np.full(t.num_rows, None, dtype=object))
        if code == "PND":
            cols["bouwjaar"] = _int(t["oorspronkelijkBouwjaar"])
        elif code == "VBO":
            _with_address(t, addr, cols)
            cols["pand_identificatie"] = _np(_join_list(t["pandRef"], strip=True))
            cols["gebruiksdoel"] = _np(_join_list(t["gebruiksdoel"], strip=False))
            cols["oppervlakte"] = _int(t["oppervlakte"])
            geom = _point(geom)
        elif code in ("LIG", "STA"):
            _with_address(t, addr, cols)
        elif code == "OPR":
            cols["naam"] = _np(t["naam"])
            cols["type"] = _np(t["type"])
            wref = _strip_id(t["woonplaatsRef"])
            cols["woonplaats_identificatie"] = _np(wref)
            cols["woonplaats"] = _np(_woonplaats_names(wref, current.get("WPL")))
            geom = np.full(t.num_rows, None, dtype=object)
        elif code == "WPL":
            cols["naam"] = _np(t["naam"])
        _coords.check_rd(geom, path, cols["identificatie"], layer=layer)
        out[kind] = _frame(cols, geom, kind, what)
    return out
