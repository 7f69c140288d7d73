"""Address and kadastrale-aanduiding lookup inside a dataset (no network), forgiving how it is typed.

Accepted address forms (case, spacing and commas are free)::

    Markt 12, Winterswijk        markt 12 winterswijk     Markt 12A        Markt 12 A
    Markt12a                     Markt 12-1               Markt 12 bis     Kerkstr. 5
    7101BH 12                    7101 bh 12A              7101 bh, 12-2    Markt 12, 7101 BH
    Markt                        (a street alone: all its addresses, as candidates)

A kadastrale aanduiding is ``<gemeentecode or name> <sectie> <perceelnummer>`` with any spacing and
case: ``WWK00 K 1234``, ``wwk00k1234``, ``Winterswijk K 1234``.

The BAG holds letter (huisletter, one letter) and toevoeging (huisnummertoevoeging, up to four
characters) apart; "12A" may be either, so both are tried. An address that matches more than one
verblijfsobject raises :class:`~omgevingskaart.errors.AmbiguousAddressError` listing them.

A misspelt street ("Mrkt 12") is never silently replaced by another: :meth:`Geocoder.resolve` says
it is not found (naming the closest streets), and :meth:`Geocoder.suggest` ranks the addresses the
user probably meant, for an autocomplete list or a "bedoelde u ...?" question.

Everything is read through the dataset's store: the geocoder (:func:`geocoder_for`) holds only the
vocabulary of street names, woonplaatsen, postcodes and kadastrale secties, and fetches addresses
and percelen by exact ``where`` queries, so it works on a national PostGIS, GeoParquet or large
GeoPackage dataset without reading a whole layer (docs/storage.md).
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from .errors import AddressNotFoundError, AmbiguousAddressError, QueryError
from .store.base import union_bounds

if TYPE_CHECKING:
    from .dataset import Dataset

ADDRESS_LAYERS = ("verblijfsobject", "ligplaats", "standplaats")
#: the address fields of every address layer
ADDRESS_COLUMNS = ("openbare_ruimte", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode", "woonplaats")
#: how far (m) around the asked panden :func:`addresses_by_pand` looks for the point of a
#: verblijfsobject that lies in several panden
MULTI_PAND_MARGIN_M = 50.0

_POSTCODE_ANY = re.compile(r"(?<![0-9a-z])(\d{4})\s?([a-z]{2})(?![a-z])")
_AANDUIDING_RE = re.compile(
    r"^\s*(?:(?P<code>[a-z]{3}\d{2})[\s-]*|(?P<name>[a-z][a-z' .-]*?)[\s-]+)"
    r"(?P<sectie>[a-z]{1,2})[\s-]*(?P<nr>\d{1,5})\s*$",
    re.I,
)
#: common abbreviations in typed street names, expanded before comparing
_ABBREVIATIONS = {"burg": "burgemeester", "v": "van", "st": "sint", "pr": "prins", "kon": "koning",
                  "dr": "dokter", "mr": "meester", "str": "straat"}
#: the most candidates a street alone or a postcode alone lists
MAX_CANDIDATES = 200


def normalise(text: str) -> str:
    """Lower case, accents stripped, whitespace folded; for comparing names.

    >>> normalise("  Café   Markt ")
    'cafe markt'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("’", "'").split())


def name_key(text: str) -> str:
    """A street or place name reduced for comparison: no case, accents, spaces, dots, hyphens or
    apostrophes, "ij" as "y", common abbreviations written out.

    >>> name_key("Burg. Bosmastraat") == name_key("burgemeester bosma straat")
    True
    >>> name_key("Winterswyk") == name_key("Winterswijk")
    True
    >>> name_key("Kerkstr.")
    'kerkstraat'
    """
    words = re.split(r"[\s.\-'/]+", normalise(text))
    out = []
    for w in words:
        if not w:
            continue
        w = _ABBREVIATIONS.get(w, w)
        if w.endswith("str") and len(w) > 5:
            w += "aat"
        out.append(w)
    return "".join(out).replace("ij", "y")


def display_address(rec: dict[str, Any]) -> str:
    """``Markt 12A-1, 7101BH Winterswijk`` from an address record."""
    nr = f"{rec.get('huisnummer') or ''}{rec.get('huisletter') or ''}"
    if rec.get("huisnummertoevoeging"):
        nr += f"-{rec['huisnummertoevoeging']}"
    line = f"{rec.get('openbare_ruimte') or '?'} {nr}".strip()
    tail = " ".join(x for x in (rec.get("postcode"), rec.get("woonplaats")) if x)
    return f"{line}, {tail}" if tail else line


def parse_aanduiding(text: str) -> tuple[str, str, int] | None:
    """``("WWK00", "K", 1234)`` for a kadastrale aanduiding (any spacing and case), else None.

    >>> parse_aanduiding("WWK00 K 1234")
    ('WWK00', 'K', 1234)
    >>> parse_aanduiding("wwk00k1234")
    ('WWK00', 'K', 1234)
    >>> parse_aanduiding("Winterswijk k1234")
    ('Winterswijk', 'K', 1234)
    >>> parse_aanduiding("Markt 12") is None
    True
    """
    m = _AANDUIDING_RE.match(text)
    if not m:
        return None
    gem = m.group("code").upper() if m.group("code") else m.group("name").strip()
    return gem, m.group("sectie").upper(), int(m.group("nr"))


def _split_rest(rest: str) -> list[tuple[str | None, str | None]]:
    """Possible (huisletter, toevoeging) readings of what follows the huisnummer."""
    rest = rest.strip().strip("-/ ").strip()
    if not rest:
        return [(None, None)]
    m = re.fullmatch(r"([a-z])(?:\s*[-/ ]?\s*([0-9a-z]{1,4}))?", rest, re.I)
    options: list[tuple[str | None, str | None]] = []
    if m and not (m.group(2) and m.group(2).isalpha() and len(m.group(2)) > 1 and
                  not re.search(r"[-/ ]", rest)):
        options.append((m.group(1).upper(), m.group(2).upper() if m.group(2) else None))
    m2 = re.fullmatch(r"[-/ ]?\s*([0-9a-z]{1,4})", rest, re.I)
    if m2:
        options.append((None, m2.group(1).upper()))
    if not options:
        raise QueryError(f"cannot read {rest!r} as a huisletter or toevoeging")
    return options


def addresses_by_pand(dataset: Dataset, pand_ids: Iterable[str]) -> dict[str, list[str]]:
    """BAG pand id -> the sorted display addresses of the verblijfsobjecten in it, for the given
    panden only (a query to the store, nothing cached). A verblijfsobject in several panden
    (``pand_identificatie`` "a;b") counts for each: it is found by its id list, or by its point,
    which the BAG places inside one of its panden (the window of the asked panden, widened by
    :data:`MULTI_PAND_MARGIN_M` for a point in a neighbouring pand).

    >>> from omgevingskaart import open_dataset
    >>> addresses_by_pand(open_dataset(), ["0294100000140575"])
    {'0294100000140575': ['Lappenbrink 80, 7101AJ Winterswijk', 'Lappenbrink 80A, 7101AJ Winterswijk']}
    """
    wanted = {str(p).strip() for p in pand_ids if p is not None and str(p).strip()}
    store = dataset.store
    if not wanted or "verblijfsobject" not in store.layers():
        return {}
    cols = ["identificatie", "pand_identificatie", *ADDRESS_COLUMNS]
    recs, _ = store.rows("verblijfsobject", where={"pand_identificatie": sorted(wanted)}, columns=cols)
    if "pand" in store.layers():
        _, shapes = store.rows("pand", where={"identificatie": sorted(wanted)}, columns=["identificatie"])
        shapes = shapes[~shapely.is_missing(shapes)]
        b = shapely.bounds(shapes[~shapely.is_empty(shapes)])
        if len(b):
            m = MULTI_PAND_MARGIN_M
            boxes = shapely.box(b[:, 0] - m, b[:, 1] - m, b[:, 2] + m, b[:, 3] + m)
            # a few panden: their boxes; many: the box around them all (a wider window only
            # finds more verblijfsobjecten, each kept only when its own pand list names one asked)
            window = shapely.union_all(boxes) if len(boxes) <= 32 else shapely.box(
                *shapely.total_bounds(boxes))
            near, _ = store.rows("verblijfsobject", geometry=window, columns=cols)
            recs += [r for r in near if ";" in (r.get("pand_identificatie") or "")]
    out: dict[str, list[str]] = {}
    seen: set[tuple[Any, str]] = set()
    for rec in recs:
        for pid in (rec.get("pand_identificatie") or "").split(";"):
            pid = pid.strip()
            if pid in wanted and (rec.get("identificatie"), pid) not in seen:
                seen.add((rec.get("identificatie"), pid))
                out.setdefault(pid, []).append(display_address(rec))
    return {pid: sorted(v) for pid, v in sorted(out.items())}


@dataclass(frozen=True)
class ParsedAddress:
    """What a typed address says: any part may be missing.

    ``street`` is the text as typed (normalised), ``rest`` what followed the huisnummer (huisletter,
    toevoeging) and ``tail`` the words after that (a woonplaats, or part of the toevoeging)."""

    street: str | None
    huisnummer: int | None
    rest: str
    tail: tuple[str, ...]
    postcode: str | None


def parse_address(query: str) -> ParsedAddress:
    """Split free text into street, huisnummer, letter/toevoeging, woonplaats words and postcode.

    >>> parse_address("markt 12 a winterswijk")
    ParsedAddress(street='markt', huisnummer=12, rest='', tail=('a', 'winterswijk'), postcode=None)
    >>> parse_address("7101 bh, 12-2").postcode
    '7101BH'
    >>> parse_address("Markt12A").rest
    'a'
    """
    text = normalise(query).replace(",", " ").replace(";", " ")
    postcode = None
    m = _POSTCODE_ANY.search(text)
    if m:
        postcode = (m.group(1) + m.group(2)).upper()
        text = text[:m.start()] + " " + text[m.end():]
    text = re.sub(r"(?<=[a-z.]{3})(?=\d)", " ", text)  # "markt12a" -> "markt 12a"
    tokens = text.split()
    at = next((i for i, t in enumerate(tokens) if t[0].isdigit()), None)
    if at is None:
        return ParsedAddress(" ".join(tokens) or None, None, "", (), postcode)
    nr_m = re.match(r"(\d{1,5})(.*)", tokens[at])
    assert nr_m is not None
    street_tokens = tokens[:at]
    tail = tokens[at + 1:]
    if not street_tokens and tail and postcode is None and not tail[0][0].isdigit() and \
            len(" ".join(tail)) > 4:
        street_tokens, tail = tail, []  # "12 Markt": the number first
    return ParsedAddress(" ".join(street_tokens) or None, int(nr_m.group(1)), nr_m.group(2),
                         tuple(tail), postcode)


def geocoder_for(dataset: Dataset) -> Geocoder:
    """The dataset's :class:`Geocoder`, built once and kept in the store's locked cache (it holds
    only the search vocabulary, never the addresses).

    >>> from omgevingskaart import open_dataset
    >>> g = geocoder_for(open_dataset())
    >>> g.resolve("7101AK 12")[0]["weergave"]
    'Markt 12, 7101AK Winterswijk'
    """
    return dataset.store.cache.get(("geocode", "geocoder"), lambda: Geocoder(dataset))


def _norm_postcode(value: Any) -> str:
    return str(value or "").replace(" ", "").upper()


@dataclass(eq=False)
class _Address:
    """One address row as the store gave it, with its point and its place in the search order
    (street, huisnummer, huisletter, toevoeging, then layer and row order)."""

    rec: dict[str, Any]
    point: Any
    key: tuple[str, int, str, str, int, int]

    @property
    def nr(self) -> int:
        return int(self.rec["huisnummer"])


class Geocoder:
    """Looks addresses up in a dataset's address layers, through the dataset's store.

    The geocoder holds only a compact **vocabulary**, read once with
    :meth:`~omgevingskaart.store.base.Store.distinct`: the distinct street names, woonplaatsen
    and postcodes of the address layers and the kadastrale gemeenten and secties of the percelen
    (for the Netherlands some 250,000 street names, 2,500 woonplaatsen, 460,000 postcodes: tens of
    MB, not the 10 million addresses). Typos, abbreviations and autocomplete prefixes are matched
    against that vocabulary; every address itself is fetched by an exact ``where`` query
    (street name + huisnummer, postcode + huisnummer, kadastrale gemeente + sectie +
    perceelnummer), which a PostGIS or large GeoPackage store answers from its attribute
    indexes and a small GeoPackage from memory. So the answers are the same on every backend.

    >>> from omgevingskaart import open_dataset
    >>> g = geocoder_for(open_dataset())
    >>> g.resolve("markt 12 winterswijk")[0]["weergave"]
    'Markt 12, 7101AK Winterswijk'
    >>> g.suggest("Mrkt 12", limit=1)[0]["weergave"]
    'Markt 12, 7101AK Winterswijk'
    >>> [c["weergave"] for c in g.suggest("markt 1", limit=3)]
    ['Markt 1, 7101AK Winterswijk', 'Markt 10, 7101AK Winterswijk', 'Markt 10-1, 7101AK Winterswijk']
    """

    def __init__(self, dataset: Dataset):
        self.store = dataset.store
        present = set(self.store.layers())
        #: the address layers of the dataset, in search order
        self.layers = [layer for layer in ADDRESS_LAYERS if layer in present]
        names: dict[str, set[str]] = {}
        places: dict[str, set[str]] = {}
        postcodes: dict[str, set[str]] = {}
        for layer in self.layers:
            for (name,) in self.store.distinct(layer, ["openbare_ruimte"]):
                names.setdefault(name_key(str(name)), set()).add(str(name))
            for (place,) in self.store.distinct(layer, ["woonplaats"]):
                places.setdefault(name_key(str(place)), set()).add(str(place))
            for (pc,) in self.store.distinct(layer, ["postcode"]):
                postcodes.setdefault(_norm_postcode(pc), set()).add(str(pc))
        #: street key (:func:`name_key`) -> the names as stored, sorted (the first one is shown)
        self._street_names = {k: tuple(sorted(v)) for k, v in names.items()}
        #: woonplaats key -> the names as stored
        self._places = {k: tuple(sorted(v)) for k, v in places.items()}
        self._street_keys = sorted(self._street_names)
        self._keys_by_len: dict[int, list[str]] = {}
        for k in self._street_keys:
            self._keys_by_len.setdefault(len(k), []).append(k)
        #: normalised postcodes, sorted (a numpy array: compact for the whole country)
        self._postcodes = np.array(sorted(postcodes), dtype="U6") if postcodes else np.empty(0, "U6")
        #: the stored spellings of a postcode where they differ from the normalised one
        self._postcode_odd = {pc: sorted(v - {pc}) for pc, v in postcodes.items() if v - {pc}}
        self._gemeenten: dict[str, str] = {}
        self._secties: dict[str, list[tuple[str, str]]] = {}  # code (lower) -> [(code, sectie)]
        if "perceel" in present:
            for name, code in self.store.distinct("perceel", ["kadastrale_gemeente", "kadastrale_gemeente_code"]):
                self._gemeenten.setdefault(name_key(str(name)), str(code))
            for code, sectie in self.store.distinct("perceel", ["kadastrale_gemeente_code", "sectie"]):
                self._secties.setdefault(str(code).lower(), []).append((str(code), str(sectie)))

    # -- public --------------------------------------------------------------------------------
    def search(self, query: str) -> list[dict[str, Any]]:
        """The matching address records (each with ``weergave``); may be empty."""
        return [self._out(a) for a in self._match(query)]

    def resolve(self, query: str) -> tuple[dict[str, Any], Any]:
        """Exactly one address: ``(record, point)``; raises when none or several match."""
        hits = self._match(query)
        if not hits:
            raise AddressNotFoundError(self._explain_missing(query))
        if len(hits) > 1:
            raise AmbiguousAddressError(query, [display_address(a.rec) for a in hits])
        return self._out(hits[0]), hits[0].point

    def lookup(self, query: str, limit: int = MAX_CANDIDATES) -> list[dict[str, Any]]:
        """What ``query`` names exactly (forgiving case, spacing, commas and postcode form, no
        typos): the kadastraal perceel it spells, or the matching addresses, as candidates like
        :meth:`suggest` gives. Raises :class:`QueryError` for an empty or unreadable query.

        >>> from omgevingskaart import open_dataset
        >>> [c["weergave"] for c in geocoder_for(open_dataset()).lookup("wwk00k2997")]
        ['WWK00 K 2997']
        """
        if isinstance(query, str) and (aand := parse_aanduiding(query)) is not None:
            gem, sectie, nr = aand
            code = gem if re.fullmatch(r"[A-Z]{3}\d{2}", gem) else self._gemeenten.get(name_key(gem))
            if code:
                exact = f"{code}{sectie}{nr}".lower()
                hits = [c for c in self._perceel_candidates(f"{code} {sectie} {nr}", limit=50)
                        if c["weergave"].replace(" ", "").lower() == exact]
                if hits:
                    return hits
        return [self._candidate(a) for a in self._match(query)[:limit]]

    def suggest(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Up to ``limit`` candidates for what ``query`` probably means, best first, for an
        autocomplete list: the exact matches, else addresses on similar streets (typos), streets
        and numbers that start with what was typed, postcodes, and kadastrale aanduidingen.

        Each candidate has ``weergave`` (the text to show and to search with), ``soort``
        (``"adres"`` or ``"perceel"``) and ``x``/``y`` (RD); an address also has its BAG fields.
        Never raises on odd text: an empty or unreadable query has no candidates.
        """
        if not isinstance(query, str) or not query.strip() or limit <= 0:
            return []
        out: list[dict[str, Any]] = []
        seen: set[str] = set()

        def add(items: list[dict[str, Any]]) -> None:
            for it in items:
                if it["weergave"] not in seen and len(out) < limit:
                    seen.add(it["weergave"])
                    out.append(it)

        add(self._perceel_candidates(query, limit))
        with contextlib.suppress(QueryError):
            add([self._candidate(a) for a in self._match(query)[:limit]])
        if len(out) < limit:
            add([self._candidate(a) for a in self._fuzzy(query, limit)])
        return out

    def nearest(self, x: float, y: float, *, plain: bool = True) -> tuple[dict[str, Any], Any] | None:
        """The address nearest the RD point ``(x, y)`` as ``(record, point)`` (with
        ``plain``: the nearest without huisletter or toevoeging, when there is one), found by
        widening window queries; None when the dataset has no addresses.

        >>> from omgevingskaart import open_dataset
        >>> geocoder_for(open_dataset()).nearest(246611, 443321)[0]["weergave"]
        'Markt 12, 7101AK Winterswijk'
        """
        extent = union_bounds(self.store.bounds(layer) for layer in self.layers)
        if extent is None:
            return None
        centre = shapely.Point(x, y)
        span = max(extent[2] - extent[0], extent[3] - extent[1], abs(x - extent[0]), abs(y - extent[1]),
                   abs(x - extent[2]), abs(y - extent[3]))
        radius = 100.0
        while True:
            rows: list[_Address] = []
            for pos, layer in enumerate(self.layers):
                recs, geoms = self.store.rows(layer, bbox=(x - radius, y - radius, x + radius, y + radius))
                rows += [_Address({**r, "_layer": layer}, g, ("", 0, "", "", pos, seq))
                         for seq, (r, g) in enumerate(zip(recs, geoms, strict=True)) if r.get("huisnummer") is not None]
            dist = shapely.distance(centre, np.array([a.point for a in rows], dtype=object)) if rows else np.empty(0)
            final = radius >= span  # the window holds the whole dataset
            # the window holds every address within ``radius``: the nearest of those is the
            # nearest of all
            order = [rows[int(j)] for j in np.argsort(dist, kind="stable") if final or dist[int(j)] <= radius]
            pick = next((a for a in order if not plain or not (a.rec.get("huisletter") or
                                                                a.rec.get("huisnummertoevoeging"))), None)
            if pick is not None or final:
                pick = pick or next(iter(order), None)
                return None if pick is None else (self._out(pick), pick.point)
            radius *= 4

    # -- fetching ------------------------------------------------------------------------------
    def _fetch(self, where: dict[str, Any]) -> list[_Address]:
        """The addresses (with a huisnummer) matching ``where`` in every address layer, sorted."""
        out: list[_Address] = []
        for pos, layer in enumerate(self.layers):
            recs, geoms = self.store.rows(layer, where=where)
            for seq, (rec, geom) in enumerate(zip(recs, geoms, strict=True)):
                if rec.get("huisnummer") is None:
                    continue
                key = (str(rec.get("openbare_ruimte") or ""), int(rec["huisnummer"]),
                       str(rec.get("huisletter") or ""), str(rec.get("huisnummertoevoeging") or ""), pos, seq)
                out.append(_Address({**rec, "_layer": layer}, geom, key))
        out.sort(key=lambda a: a.key)
        return out

    def _pc_variants(self, postcodes: Iterable[str]) -> list[str]:
        return [v for pc in postcodes for v in (pc, *self._postcode_odd.get(pc, ()))]

    def _first(self, where: dict[str, Any], need: int, prefix: str = "") -> list[_Address]:
        """The addresses matching ``where`` whose huisnummer starts with ``prefix``, in search
        order: at least the first ``need`` of them (all when fewer). Only those are fetched: the
        distinct (street, huisnummer) pairs come first, then the addresses of the first ``need``
        pairs (each pair holds at least one address, and no other address sorts before them)."""
        pairs: set[tuple[Any, ...]] = set()
        for layer in self.layers:
            pairs.update(self.store.distinct(layer, ["openbare_ruimte", "huisnummer"], where=where))
        chosen = [(str(n), int(h)) for n, h in sorted(pairs) if str(int(h)).startswith(prefix)][:need]
        out: list[_Address] = []
        if "openbare_ruimte" not in where:  # addresses without a street sort first
            out += [a for a in self._fetch({**where, "openbare_ruimte": [None]}) if str(a.nr).startswith(prefix)]
        if chosen:
            out += self._fetch({**where, "openbare_ruimte": sorted({n for n, _ in chosen}),
                                "huisnummer": sorted({h for _, h in chosen})})
        return sorted(out, key=lambda a: a.key)

    def _pool(self, where: dict[str, Any], nr: int | None, need: int) -> list[_Address]:
        """The addresses matching ``where`` whose huisnummer starts with ``nr``'s digits, in
        search order: all of huisnummer ``nr`` itself, then at least the first ``need``."""
        same = [] if nr is None else self._fetch({**where, "huisnummer": nr})
        rest = self._first(where, need, "" if nr is None else str(nr))
        return sorted([*same, *(a for a in rest if a.nr != nr)], key=lambda a: a.key)

    # -- matching ------------------------------------------------------------------------------
    def _out(self, a: _Address) -> dict[str, Any]:
        rec = dict(a.rec)
        rec["weergave"] = display_address(rec)
        return rec

    def _candidate(self, a: _Address) -> dict[str, Any]:
        rec = self._out(a)
        rec["laag"] = rec.pop("_layer", None)
        rec["soort"] = "adres"
        rec["x"], rec["y"] = round(float(a.point.x), 3), round(float(a.point.y), 3)
        return rec

    def _place_ok(self, words: tuple[str, ...]) -> bool | None:
        """True when ``words`` name a woonplaats in the data (a one-letter typo allowed), False
        when they name something else, None when there are no words."""
        if not words:
            return None
        if any(ch.isdigit() for w in words for ch in w) or len(words[0]) == 1:
            return False  # "12 1 Winterswijk", "12 a Winterswijk": a toevoeging or letter first
        key = name_key(" ".join(words))
        if key in self._places:
            return True
        return bool(difflib.get_close_matches(key, list(self._places), n=1, cutoff=0.85))

    def _close_places(self, words: tuple[str, ...]) -> set[str]:
        """The woonplaats keys ``words`` may mean (itself and up to 3 close ones)."""
        key = name_key(" ".join(words))
        return set(difflib.get_close_matches(key, list(self._places), n=3, cutoff=0.85)) | {key}

    def _place_rows(self, rows: list[_Address], words: tuple[str, ...]) -> list[_Address]:
        close = self._close_places(words)
        return [a for a in rows if name_key(a.rec.get("woonplaats") or "") in close]

    def _match(self, query: str) -> list[_Address]:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("empty address: give e.g. 'Markt 12, Winterswijk' or '7101AK 12'")
        p = parse_address(query)
        if p.street is None and p.postcode is None:
            raise QueryError(
                f"cannot read {query!r} as an address: give a street and huisnummer "
                "('Markt 12, Winterswijk') or a postcode and huisnummer ('7101AK 12')"
            )
        rows = self._candidate_rows(p, p.huisnummer)
        if rows is None:
            return []
        if p.huisnummer is None:
            # a street or postcode alone: every address in it (a woonplaats may follow the street)
            return rows[:MAX_CANDIDATES]
        # the words after the number: huisletter/toevoeging first, then a woonplaats
        for k in range(len(p.tail) + 1):
            letter_words, place_words = p.tail[:k], p.tail[k:]
            place = self._place_ok(place_words)
            if place is False:
                continue
            try:
                options = _split_rest(" ".join((p.rest, *letter_words)))
            except QueryError:
                continue
            picked = self._place_rows(rows, place_words) if place else rows
            hits = self._with_letters(picked, options)
            if hits:
                return hits
        return []

    def _candidate_where(self, p: ParsedAddress) -> dict[str, Any] | None:
        """The ``where`` for the typed street and/or postcode (a woonplaats typed after the
        street included); None when the street is not known."""
        where: dict[str, Any] = {}
        if p.street is not None:
            names = self._street_names.get(name_key(p.street))
            if names is None:
                # "Markt Winterswijk": the last words may be the woonplaats
                words = p.street.split()
                for cut in range(len(words) - 1, 0, -1):
                    head = name_key(" ".join(words[:cut]))
                    if self._place_ok(tuple(words[cut:])) and head in self._street_names:
                        names = self._street_names[head]
                        where["woonplaats"] = sorted(n for k in self._close_places(tuple(words[cut:]))
                                                     for n in self._places.get(k, ()))
                        break
                if names is None:
                    return None
            where["openbare_ruimte"] = list(names)
        if p.postcode is not None:
            where["postcode"] = self._pc_variants([p.postcode])
        return where

    def _candidate_rows(self, p: ParsedAddress, nr: int | None) -> list[_Address] | None:
        """The addresses on the typed street and/or in the typed postcode: those with
        huisnummer ``nr``, or without ``nr`` the first :data:`MAX_CANDIDATES` (None: the street
        is not known)."""
        where = self._candidate_where(p)
        if where is None:
            return None
        if nr is None:
            return self._first(where, MAX_CANDIDATES)
        return self._fetch({**where, "huisnummer": nr})

    def _with_letters(self, rows: list[_Address], options: list[tuple[str | None, str | None]]) -> list[_Address]:
        if options == [(None, None)]:
            plain = [a for a in rows if not a.rec.get("huisletter") and not a.rec.get("huisnummertoevoeging")]
            # "Markt 12" means the plain number when it exists; else every letter/toevoeging.
            return plain if len(plain) == 1 else rows
        hits = []
        for letter, toev in options:
            for a in rows:
                if (a.rec.get("huisletter") or None) == letter and \
                        ((a.rec.get("huisnummertoevoeging") or "").upper() or None) == toev:
                    hits.append(a)
        return sorted(set(hits), key=lambda a: a.key)

    # -- suggestions ---------------------------------------------------------------------------
    def _close_streets(self, street: str, n: int = 5) -> list[str]:
        """Street keys like ``street``: typed as a prefix first, then by similarity."""
        key = name_key(street)
        if not key:
            return []
        prefix: list[str] = []
        i = bisect.bisect_left(self._street_keys, key)
        while i < len(self._street_keys) and self._street_keys[i].startswith(key) and len(prefix) < n:
            prefix.append(self._street_keys[i])
            i += 1
        close = difflib.get_close_matches(key, self._similar_length(key, 0.7), n=n, cutoff=0.7)
        return list(dict.fromkeys([*prefix, *close]))[:n]

    def _similar_length(self, key: str, cutoff: float) -> list[str]:
        """The street keys long enough and short enough to reach ``cutoff`` in
        :func:`difflib.get_close_matches` (its ratio is at most 2*min/(len a + len b)): the
        same matches as over every key, for a fraction of the work on a national vocabulary."""
        lo = math.floor(len(key) * cutoff / (2 - cutoff))
        hi = math.ceil(len(key) * (2 - cutoff) / cutoff)
        return [k for n in range(lo, hi + 1) for k in self._keys_by_len.get(n, ())]

    def _fuzzy(self, query: str, limit: int) -> list[_Address]:
        p = parse_address(query)
        typed_pc = re.fullmatch(r"(\d{4})\s?([a-z]{0,2})", normalise(query))
        if typed_pc:  # a postcode being typed: "7101", "7101 b"
            return self._postcodes_from((typed_pc.group(1) + typed_pc.group(2)).upper(), limit)
        streets = self._close_streets(p.street, n=limit) if p.street else []
        extra = {"postcode": self._pc_variants([p.postcode])} if p.postcode else {}
        pools = [self._pool({"openbare_ruimte": list(self._street_names[s]), **extra}, p.huisnummer, limit)
                 for s in streets]
        if p.postcode and not any(pools):
            pools = [self._pool({"postcode": self._pc_variants([p.postcode])}, p.huisnummer, limit)]
        out: list[_Address] = []
        for pool in pools:
            if p.huisnummer is None:
                out.extend(pool[:limit])
                continue
            typed = str(p.huisnummer)
            same = [a for a in pool if a.nr == p.huisnummer]
            if same:
                out.extend(self._best_reading(same, p))
            out.extend(a for a in pool if str(a.nr).startswith(typed))
        return list(dict.fromkeys(out))[:limit]

    def _postcodes_from(self, start: str, limit: int) -> list[_Address]:
        """The first ``limit`` addresses in the postcodes starting with ``start``, by postcode."""
        i = int(np.searchsorted(self._postcodes, start))
        out: list[_Address] = []
        while len(out) < limit and i < len(self._postcodes) and str(self._postcodes[i]).startswith(start):
            chunk = [str(pc) for pc in self._postcodes[i:i + 8] if str(pc).startswith(start)]
            rows = self._fetch({"postcode": self._pc_variants(chunk)})
            for pc in chunk:
                out.extend(a for a in rows if _norm_postcode(a.rec.get("postcode")) == pc)
            i += len(chunk)
        return out[:limit]

    def _best_reading(self, rows: list[_Address], p: ParsedAddress) -> list[_Address]:
        """The addresses among ``rows`` (one huisnummer) that fit the letter/toevoeging typed,
        first; the others after them."""
        for k in range(len(p.tail) + 1):
            try:
                options = _split_rest(" ".join((p.rest, *p.tail[:k])))
            except QueryError:
                continue
            hits = self._with_letters(rows, options)
            if hits:
                return hits + [a for a in rows if a not in hits]
        return rows

    def _perceel_candidates(self, query: str, limit: int) -> list[dict[str, Any]]:
        """Kadastrale aanduidingen that start like ``query`` (``wwk00 k 12`` -> WWK00 K 12, 120..)."""
        if not self._secties:
            return []
        text = normalise(query)
        m = re.fullmatch(r"(?:([a-z]{3}\d{2})|([a-z][a-z' .-]*?))[\s-]*([a-z]{1,2})?[\s-]*(\d{0,5})", text)
        if not m:
            return []
        code = m.group(1)
        if code is None:
            code = self._gemeenten.get(name_key(m.group(2) or ""))
            if code is None or not (m.group(3) and m.group(4)):
                return []  # a bare word is a street, not a gemeente
        typed_sectie, digits = (m.group(3) or "").lower(), m.group(4) or ""
        prefix = (code + typed_sectie + digits).lower()
        pairs = [(c, s) for c, s in self._secties.get(code.lower(), [])
                 if (s.lower() == typed_sectie if digits else s.lower().startswith(typed_sectie))]
        if not pairs:
            return []
        where: dict[str, Any] = {"kadastrale_gemeente_code": sorted({c for c, _ in pairs}),
                                 "sectie": sorted({s for _, s in pairs})}
        if len(digits) >= 2:  # the perceelnummers starting so (at most 1,111)
            where["perceelnummer"] = [int(digits) * 10**k + j for k in range(6 - len(digits))
                                      for j in range(10**k)]
        found = [str(a) for (a,) in self.store.distinct("perceel", ["kadastrale_aanduiding"], where=where)
                 if re.sub(r"[\s-]", "", str(a)).lower().startswith(prefix)]
        # the exact one first, then by length (WWK00 K 12 before WWK00 K 120)
        picked = sorted(found, key=lambda a: (len(a), a))[:limit]
        if not picked:
            return []
        recs, geoms = self.store.rows("perceel", where={"kadastrale_aanduiding": picked},
                                      columns=["kadastrale_aanduiding"])
        out: list[dict[str, Any]] = []
        for rec, geom in zip(recs, geoms, strict=True):
            aand = rec["kadastrale_aanduiding"]
            pt = geom.representative_point()
            out.append({"weergave": aand, "soort": "perceel", "laag": "perceel", "kadastrale_aanduiding": aand,
                        "x": round(float(pt.x), 3), "y": round(float(pt.y), 3)})
        out.sort(key=lambda c: (len(c["weergave"]), c["weergave"]))
        return out[:limit]

    def _explain_missing(self, query: str) -> str:
        p = parse_address(query)
        where = self._candidate_where(p)
        if p.street is not None and where is None:
            close = [self._street_names[k][0] for k in self._close_streets(p.street, n=3)
                     if k != name_key(p.street)]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            return f"address {query!r} not found: no street {p.street!r} in this dataset{hint}"
        if p.street is not None and where is not None and p.huisnummer is not None:
            pairs: set[tuple[Any, ...]] = set()
            for layer in self.layers:
                pairs.update(self.store.distinct(layer, ["openbare_ruimte", "huisnummer"], where=where))
            if pairs:
                numbers = sorted({int(h) for _, h in pairs})
                name = min(pairs)[0]
                return (f"address {query!r} not found: {name} has huisnummers "
                        f"{numbers[0]}-{numbers[-1]} here, but not this one")
        return f"address {query!r} not found in this dataset"
