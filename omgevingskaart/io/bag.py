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
import pyogrio
import shapely

from ..errors import CRSError, DataFileError, UnsupportedFormatError
from ..schema import RD_NEW, conform, empty_frame
from . import _xml

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
    """Yield an open binary stream on the member's bytes (for the prolog scan)."""
    if not m.zip_chain:
        with Path(m.gdal_path).open("rb") as fh:
            yield fh
        return
    try:
        with zipfile.ZipFile(m.file) as zf, zf.open(m.zip_chain[0]) as fh:
            if len(m.zip_chain) == 1:
                yield fh
                return
            with zipfile.ZipFile(fh) as z2, z2.open(m.zip_chain[1]) as fh2:
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


# --- reading -------------------------------------------------------------------------------------


def _read_member(m: _Member) -> pd.DataFrame:
    layer, _ = _TYPES[m.code]
    cols = _COMMON + _FIELDS[m.code]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            df = pyogrio.read_dataframe(m.gdal_path, columns=cols, use_arrow=True)
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError / OSError
        raise DataFileError(m.name, f"GDAL (LVBAG) cannot read it: {exc}", element=layer) from exc
    has_geom = isinstance(df, gpd.GeoDataFrame) and "geometry" in df.columns and len(df) > 0
    if has_geom and df.crs is None and df.geometry.notna().any():
        raise CRSError(f"{m.name}: {layer} geometry without a CRS; expected EPSG:28992")
    return df


def _strip_id(s: pd.Series) -> pd.Series:
    """``NL.IMBAG.Pand.0221100000312938`` -> ``0221100000312938`` (also for list cells)."""
    s = s.astype("string")
    return s.str.rsplit(".", n=1).str[-1]


def _join_list(values: pd.Series, strip: bool) -> pd.Series:
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        items = list(v) if isinstance(v, list | tuple | np.ndarray) else [v]
        if strip:
            items = [str(x).rsplit(".", 1)[-1] for x in items]
        return ";".join(str(x) for x in items) if items else None

    return pd.Series([one(v) for v in values], index=values.index, dtype="string")


def _iso(s: pd.Series) -> pd.Series:
    out = pd.to_datetime(s, errors="coerce").dt.strftime("%Y-%m-%d")
    return out.astype("string")


def _select(df: pd.DataFrame, history: bool) -> pd.DataFrame:
    """The current voorkomen per identificatie (or all voorkomens with ``history``)."""
    if history or df.empty:
        return df
    active = df[df["tijdstipInactief"].isna()]
    current = (active["eindGeldigheid"].isna() & active["eindRegistratie"].isna()).astype(int)
    order = active.assign(_cur=current.to_numpy()).sort_values(
        ["identificatie", "_cur", "voorkomenIdentificatie"], kind="stable"
    )
    return order.drop_duplicates("identificatie", keep="last").drop(columns="_cur")


def _base(df: pd.DataFrame, history: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"identificatie": _strip_id(df["identificatie"]).to_numpy(),
                           "status": df["status"].to_numpy(), "bron": "BAG"}
    if history:
        out["voorkomen"] = df["voorkomenIdentificatie"].astype("Int64").to_numpy()
        out["begin_geldigheid"] = _iso(df["beginGeldigheid"]).to_numpy()
        out["eind_geldigheid"] = _iso(df["eindGeldigheid"]).to_numpy()
    return out


def _frame(cols: dict[str, Any], geometry: Any, kind: str, what: str, history: bool
           ) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(cols, geometry=geometry, crs=RD_NEW)
    return conform(gdf, kind, what=what, keep_extra=True)


def _addresses(num: pd.DataFrame | None, opr: pd.DataFrame | None, wpl: pd.DataFrame | None
               ) -> pd.DataFrame:
    """Nummeraanduiding id -> huisnummer, huisletter, toevoeging, postcode, street, woonplaats."""
    cols = ["huisnummer", "huisletter", "huisnummertoevoeging", "postcode", "openbare_ruimte",
            "woonplaats"]
    if num is None or num.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], dtype="string"))
    n = pd.DataFrame({
        "id": _strip_id(num["identificatie"]).to_numpy(),
        "huisnummer": num["huisnummer"].to_numpy(),
        "huisletter": num["huisletter"].astype("string").to_numpy(),
        "huisnummertoevoeging": num["huisnummerToevoeging"].astype("string").to_numpy(),
        "postcode": num["postcode"].astype("string").to_numpy(),
        "opr": _strip_id(num["openbareruimteRef"]).to_numpy(),
        "wpl": _strip_id(num["woonplaatsRef"]).to_numpy(),
    }).set_index("id")
    wpl_names = pd.Series(dtype="string")
    if wpl is not None and not wpl.empty:
        wpl_names = pd.Series(wpl["naam"].astype("string").to_numpy(),
                              index=_strip_id(wpl["identificatie"]).to_numpy())
    if opr is not None and not opr.empty:
        o = pd.DataFrame({"naam": opr["naam"].astype("string").to_numpy(),
                          "wpl": _strip_id(opr["woonplaatsRef"]).to_numpy()},
                         index=_strip_id(opr["identificatie"]).to_numpy())
        n["openbare_ruimte"] = o["naam"].reindex(n["opr"]).to_numpy()
        n["wpl"] = n["wpl"].fillna(pd.Series(o["wpl"].reindex(n["opr"]).to_numpy(),
                                             index=n.index))
    else:
        n["openbare_ruimte"] = pd.NA
    n["woonplaats"] = wpl_names.reindex(n["wpl"]).to_numpy() if len(n) else pd.NA
    return n[cols]


def _woonplaats_names(wpl: pd.DataFrame | None) -> pd.Series:
    if wpl is None or wpl.empty:
        return pd.Series(dtype="string")
    return pd.Series(wpl["naam"].astype("string").to_numpy(),
                     index=_strip_id(wpl["identificatie"]).to_numpy())


def _with_address(df: pd.DataFrame, addr: pd.DataFrame, cols: dict[str, Any]) -> None:
    hoofd = _strip_id(df["hoofdadresNummeraanduidingRef"])
    a = addr.reindex(hoofd.to_numpy())
    cols["nummeraanduiding_identificatie"] = hoofd.to_numpy()
    for c in addr.columns:
        cols[c] = a[c].to_numpy()
    cols["nevenadressen"] = _join_list(df["nevenadresNummeraanduidingRef"], strip=True).to_numpy()


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
    raw: dict[str, pd.DataFrame] = {}
    for code in _TYPES:
        parts = [_read_member(m) for m in members if m.code == code]
        if parts:
            raw[code] = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    current = {c: _select(df, history=False) for c, df in raw.items()}
    selected = {c: (df if history else current[c]) for c, df in raw.items()}
    addr = _addresses(current.get("NUM"), current.get("OPR"), current.get("WPL"))
    wnames = _woonplaats_names(current.get("WPL"))
    out: dict[str, gpd.GeoDataFrame] = {}
    for code, df in selected.items():
        layer, kind = _TYPES[code]
        if kind is None:
            continue
        what = f"{path} ({layer})"
        if df.empty:
            out[kind] = empty_frame(kind)
            continue
        df = df.reset_index(drop=True)
        cols = _base(df, history)
        geom = df.geometry.to_numpy() if "geometry" in df.columns else None
        if code == "PND":
            cols["bouwjaar"] = df["oorspronkelijkBouwjaar"].astype("Int64").to_numpy()
        elif code == "VBO":
            _with_address(df, addr, cols)
            cols["pand_identificatie"] = _join_list(df["pandRef"], strip=True).to_numpy()
            cols["gebruiksdoel"] = _join_list(df["gebruiksdoel"], strip=False).to_numpy()
            cols["oppervlakte"] = df["oppervlakte"].astype("Int64").to_numpy()
            geom = _point(geom)
        elif code in ("LIG", "STA"):
            _with_address(df, addr, cols)
        elif code == "OPR":
            cols["naam"] = df["naam"].to_numpy()
            cols["type"] = df["type"].to_numpy()
            cols["woonplaats_identificatie"] = _strip_id(df["woonplaatsRef"]).to_numpy()
            cols["woonplaats"] = wnames.reindex(cols["woonplaats_identificatie"]).to_numpy()
            geom = np.full(len(df), None, dtype=object)
        elif code == "WPL":
            cols["naam"] = df["naam"].to_numpy()
        out[kind] = _frame(cols, geom, kind, what, history)
    return out
