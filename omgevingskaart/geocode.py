"""Address and kadastrale-aanduiding lookup inside a dataset (no network).

Accepted address forms (case and spacing are free)::

    Markt 12, Winterswijk        Markt 12A        Markt 12 A        Markt 12-1       Markt 12 bis
    7101BH 12                    7101 BH 12A      7101 bh, 12-2

A kadastrale aanduiding is ``<gemeentecode or name> <sectie> <perceelnummer>``, e.g. ``WWK00 K 1234``
or ``Winterswijk K 1234``.

The BAG holds letter (huisletter, one letter) and toevoeging (huisnummertoevoeging, up to four
characters) apart; "12A" may be either, so both are tried. An address that matches more than one
verblijfsobject raises :class:`~omgevingskaart.errors.AmbiguousAddressError` listing them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .errors import AddressNotFoundError, AmbiguousAddressError, QueryError

if TYPE_CHECKING:
    from .dataset import Dataset

ADDRESS_LAYERS = ("verblijfsobject", "ligplaats", "standplaats")

_POSTCODE_RE = re.compile(
    r"^\s*(?P<pc>\d{4}\s*[a-z]{2})\s*,?\s*(?P<nr>\d{1,5})\s*(?P<rest>.*?)\s*$", re.I
)
_STREET_RE = re.compile(
    r"^\s*(?P<street>.*?[^\d\s,].*?)\s+(?P<nr>\d{1,5})\s*(?P<rest>[^,]*?)\s*"
    r"(?:,\s*(?:(?P<pc>\d{4}\s*[a-z]{2})\s*)?(?P<place>[^,]*?))?\s*$",
    re.I,
)
_AANDUIDING_RE = re.compile(
    r"^\s*(?P<gem>[a-z]{3}\d{2}|[a-z][a-z' .-]*?)[\s-]+(?P<sectie>[a-z]{1,2})[\s-]+(?P<nr>\d{1,5})\s*$",
    re.I,
)


def normalise(text: str) -> str:
    """Lower case, accents stripped, whitespace folded; for comparing names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("’", "'").split())


def display_address(rec: dict[str, Any]) -> str:
    """``Markt 12A-1, 7101BH Winterswijk`` from an address record."""
    nr = f"{rec.get('huisnummer') or ''}{rec.get('huisletter') or ''}"
    if rec.get("huisnummertoevoeging"):
        nr += f"-{rec['huisnummertoevoeging']}"
    line = f"{rec.get('openbare_ruimte') or '?'} {nr}".strip()
    tail = " ".join(x for x in (rec.get("postcode"), rec.get("woonplaats")) if x)
    return f"{line}, {tail}" if tail else line


def parse_aanduiding(text: str) -> tuple[str, str, int] | None:
    """``("WWK00", "K", 1234)`` for a kadastrale aanduiding, else None.

    >>> parse_aanduiding("WWK00 K 1234")
    ('WWK00', 'K', 1234)
    >>> parse_aanduiding("Markt 12") is None
    True
    """
    m = _AANDUIDING_RE.match(text)
    if not m:
        return None
    gem = m.group("gem").strip()
    gem = gem.upper() if re.fullmatch(r"[a-z]{3}\d{2}", gem, re.I) else gem
    return gem, m.group("sectie").upper(), int(m.group("nr"))


def _split_rest(rest: str) -> list[tuple[str | None, str | None]]:
    """Possible (huisletter, toevoeging) readings of what follows the huisnummer."""
    rest = rest.strip().strip("-/ ").strip()
    if not rest:
        return [(None, None)]
    m = re.fullmatch(r"([a-z])(?:\s*[-/ ]\s*([0-9a-z]{1,4}))?", rest, re.I)
    options: list[tuple[str | None, str | None]] = []
    if m:
        options.append((m.group(1).upper(), m.group(2).upper() if m.group(2) else None))
    m2 = re.fullmatch(r"[-/ ]?\s*([0-9a-z]{1,4})", rest, re.I)
    if m2:
        options.append((None, m2.group(1).upper()))
    if not options:
        raise QueryError(f"cannot read {rest!r} as a huisletter or toevoeging")
    return options


def addresses_by_pand(dataset: Dataset) -> dict[str, list[str]]:
    """BAG pand id -> the sorted display addresses of the verblijfsobjecten in it (cached per
    dataset). A verblijfsobject in several panden (``pand_identificatie`` "a;b") counts for each."""
    cache: dict[str, list[str]] | None = dataset.__dict__.get("_addresses_by_pand")
    if cache is not None:
        return cache
    out: dict[str, list[str]] = {}
    if "verblijfsobject" in dataset:
        for rec in dataset.index("verblijfsobject").records:
            for pid in (rec.get("pand_identificatie") or "").split(";"):
                if pid.strip():
                    out.setdefault(pid.strip(), []).append(display_address(rec))
    for v in out.values():
        v.sort()
    dataset.__dict__["_addresses_by_pand"] = out
    return out


class Geocoder:
    """Looks addresses up in a dataset's address layers (built once per dataset)."""

    def __init__(self, dataset: Dataset):
        self.records: list[dict[str, Any]] = []
        self.points: list[Any] = []
        for layer in ADDRESS_LAYERS:
            if layer not in dataset:
                continue
            idx = dataset.index(layer)
            for rec, geom in zip(idx.records, idx.geometries, strict=True):
                if rec.get("huisnummer") is None:
                    continue
                self.records.append({**rec, "_layer": layer})
                self.points.append(geom)
        self._by_street: dict[tuple[str, int], list[int]] = defaultdict(list)
        self._by_postcode: dict[tuple[str, int], list[int]] = defaultdict(list)
        self._streets: dict[str, str] = {}
        for i, rec in enumerate(self.records):
            street = normalise(rec.get("openbare_ruimte") or "")
            nr = int(rec["huisnummer"])
            self._by_street[(street, nr)].append(i)
            self._streets.setdefault(street, rec.get("openbare_ruimte") or "")
            if rec.get("postcode"):
                self._by_postcode[(rec["postcode"].replace(" ", "").upper(), nr)].append(i)

    def search(self, query: str) -> list[dict[str, Any]]:
        """The matching address records (each with ``weergave`` and ``index``); may be empty."""
        return [self._out(i) for i in self._match(query)]

    def resolve(self, query: str) -> tuple[dict[str, Any], Any]:
        """Exactly one address: ``(record, point)``; raises when none or several match."""
        hits = self._match(query)
        if not hits:
            raise AddressNotFoundError(self._explain_missing(query))
        if len(hits) > 1:
            raise AmbiguousAddressError(query, [display_address(self.records[i]) for i in hits])
        i = hits[0]
        return self._out(i), self.points[i]

    def _out(self, i: int) -> dict[str, Any]:
        rec = dict(self.records[i])
        rec["weergave"] = display_address(rec)
        rec["index"] = i
        return rec

    def _match(self, query: str) -> list[int]:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("empty address: give e.g. 'Markt 12, Winterswijk' or '7101BH 12'")
        m = _POSTCODE_RE.match(query)
        place = None
        if m:
            key = (re.sub(r"\s", "", m.group("pc")).upper(), int(m.group("nr")))
            candidates = self._by_postcode.get(key, [])
            rest = m.group("rest")
            rest_m = re.fullmatch(r"(.*?)(?:,\s*(.*))?", rest)
            rest = rest_m.group(1) if rest_m else rest
            place = rest_m.group(2) if rest_m else None
        else:
            m = _STREET_RE.match(query)
            if not m:
                raise QueryError(
                    f"cannot read {query!r} as an address: give a street and huisnummer "
                    "('Markt 12, Winterswijk') or a postcode and huisnummer ('7101BH 12')"
                )
            key = (normalise(m.group("street")), int(m.group("nr")))
            candidates = self._by_street.get(key, [])
            rest = m.group("rest")
            place = m.group("place")
            if m.group("pc"):
                pc = re.sub(r"\s", "", m.group("pc")).upper()
                candidates = [i for i in candidates if (self.records[i].get("postcode") or "") == pc]
        if place:
            wanted = normalise(place)
            candidates = [i for i in candidates if normalise(self.records[i].get("woonplaats") or "") == wanted]
        options = _split_rest(rest)
        if options == [(None, None)]:
            exact = [i for i in candidates if not self.records[i].get("huisletter")
                     and not self.records[i].get("huisnummertoevoeging")]
            # "Markt 12" means the plain number when it exists; else every letter/toevoeging.
            return exact if len(exact) == 1 else sorted(candidates, key=self._sort_key)
        hits = []
        for letter, toev in options:
            for i in candidates:
                rec = self.records[i]
                if (rec.get("huisletter") or None) == letter and \
                        ((rec.get("huisnummertoevoeging") or "").upper() or None) == toev:
                    hits.append(i)
        return sorted(set(hits), key=self._sort_key)

    def _sort_key(self, i: int) -> tuple[str, str, int]:
        r = self.records[i]
        return (r.get("huisletter") or "", r.get("huisnummertoevoeging") or "", i)

    def _explain_missing(self, query: str) -> str:
        m = _STREET_RE.match(query)
        if m and not _POSTCODE_RE.match(query):
            street = normalise(m.group("street"))
            if street not in self._streets:
                close = difflib.get_close_matches(street, list(self._streets), n=3, cutoff=0.75)
                hint = f"; did you mean {', '.join(self._streets[c] for c in close)}?" if close else ""
                return f"address {query!r} not found: no street {m.group('street')!r} in this dataset{hint}"
            numbers = sorted({n for (s, n) in self._by_street if s == street})
            return (f"address {query!r} not found: {self._streets[street]} has huisnummers "
                    f"{numbers[0]}-{numbers[-1]} here, but not this one")
        return f"address {query!r} not found in this dataset"
