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
"""

from __future__ import annotations

import contextlib
import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import AddressNotFoundError, AmbiguousAddressError, QueryError

if TYPE_CHECKING:
    from .dataset import Dataset

ADDRESS_LAYERS = ("verblijfsobject", "ligplaats", "standplaats")

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
    """The dataset's :class:`Geocoder`, built once and kept in the store's locked cache.

    >>> from omgevingskaart import open_dataset
    >>> g = geocoder_for(open_dataset())
    >>> g.resolve("7101AK 12")[0]["weergave"]
    'Markt 12, 7101AK Winterswijk'
    """
    return dataset.store.cache.get(("geocode", "geocoder"), lambda: Geocoder(dataset))


class Geocoder:
    """Looks addresses up in a dataset's address layers (built once per dataset).

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
        self._by_street: dict[str, list[int]] = {}
        self._by_postcode: dict[str, list[int]] = {}
        self._streets: dict[str, str] = {}
        self._places: dict[str, str] = {}
        for i, rec in enumerate(self.records):
            name = rec.get("openbare_ruimte") or ""
            key = name_key(name)
            self._by_street.setdefault(key, []).append(i)
            self._streets.setdefault(key, name)
            if rec.get("woonplaats"):
                self._places.setdefault(name_key(rec["woonplaats"]), rec["woonplaats"])
            if rec.get("postcode"):
                self._by_postcode.setdefault(rec["postcode"].replace(" ", "").upper(), []).append(i)
        for rows in (*self._by_street.values(), *self._by_postcode.values()):
            rows.sort(key=self._sort_key)
        self._percelen: list[tuple[str, str, Any]] = []  # (compact aanduiding, aanduiding, geometry)
        self._gemeenten: dict[str, str] = {}
        if "perceel" in dataset:
            pidx = dataset.index("perceel")
            for rec, geom in zip(pidx.records, pidx.geometries, strict=True):
                aand = rec.get("kadastrale_aanduiding")
                if aand:
                    self._percelen.append((re.sub(r"[\s-]", "", aand).lower(), aand, geom))
                if rec.get("kadastrale_gemeente") and rec.get("kadastrale_gemeente_code"):
                    self._gemeenten.setdefault(name_key(rec["kadastrale_gemeente"]),
                                               rec["kadastrale_gemeente_code"])
            self._percelen.sort()

    # -- public --------------------------------------------------------------------------------
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
        return [self._candidate(i) for i in self._match(query)[:limit]]

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
            add([self._candidate(i) for i in self._match(query)[:limit]])
        if len(out) < limit:
            add([self._candidate(i) for i in self._fuzzy(query, limit)])
        return out

    # -- matching ------------------------------------------------------------------------------
    def _out(self, i: int) -> dict[str, Any]:
        rec = dict(self.records[i])
        rec["weergave"] = display_address(rec)
        rec["index"] = i
        return rec

    def _candidate(self, i: int) -> dict[str, Any]:
        rec = self._out(i)
        rec["laag"] = rec.pop("_layer", None)
        rec.pop("index", None)
        rec["soort"] = "adres"
        rec["x"], rec["y"] = round(float(self.points[i].x), 3), round(float(self.points[i].y), 3)
        return rec

    def _street_rows(self, street: str) -> list[int] | None:
        return self._by_street.get(name_key(street))

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

    def _place_rows(self, rows: list[int], words: tuple[str, ...]) -> list[int]:
        key = name_key(" ".join(words))
        close = set(difflib.get_close_matches(key, list(self._places), n=3, cutoff=0.85)) | {key}
        return [i for i in rows if name_key(self.records[i].get("woonplaats") or "") in close]

    def _match(self, query: str) -> list[int]:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("empty address: give e.g. 'Markt 12, Winterswijk' or '7101AK 12'")
        p = parse_address(query)
        if p.street is None and p.postcode is None:
            raise QueryError(
                f"cannot read {query!r} as an address: give a street and huisnummer "
                "('Markt 12, Winterswijk') or a postcode and huisnummer ('7101AK 12')"
            )
        rows = self._candidate_rows(p)
        if rows is None:
            return []
        if p.huisnummer is None:
            # a street or postcode alone: every address in it (a woonplaats may follow the street)
            return rows[:MAX_CANDIDATES]
        rows = [i for i in rows if int(self.records[i]["huisnummer"]) == p.huisnummer]
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

    def _candidate_rows(self, p: ParsedAddress) -> list[int] | None:
        """The addresses on the typed street and/or in the typed postcode (None: neither known)."""
        rows: list[int] | None = None
        if p.street is not None:
            rows = self._street_rows(p.street)
            if rows is None:
                # "Markt Winterswijk": the last words may be the woonplaats
                words = p.street.split()
                for cut in range(len(words) - 1, 0, -1):
                    if self._place_ok(tuple(words[cut:])) and self._street_rows(" ".join(words[:cut])):
                        rows = self._place_rows(self._street_rows(" ".join(words[:cut])) or [],
                                                tuple(words[cut:]))
                        break
                if rows is None:
                    return None
        if p.postcode is not None:
            in_pc = self._by_postcode.get(p.postcode, [])
            rows = in_pc if rows is None else [i for i in rows if i in set(in_pc)]
        return rows

    def _with_letters(self, rows: list[int], options: list[tuple[str | None, str | None]]) -> list[int]:
        if options == [(None, None)]:
            plain = [i for i in rows if not self.records[i].get("huisletter")
                     and not self.records[i].get("huisnummertoevoeging")]
            # "Markt 12" means the plain number when it exists; else every letter/toevoeging.
            return plain if len(plain) == 1 else rows
        hits = []
        for letter, toev in options:
            for i in rows:
                rec = self.records[i]
                if (rec.get("huisletter") or None) == letter and \
                        ((rec.get("huisnummertoevoeging") or "").upper() or None) == toev:
                    hits.append(i)
        return sorted(set(hits), key=self._sort_key)

    def _sort_key(self, i: int) -> tuple[str, int, str, str, int]:
        r = self.records[i]
        return (str(r.get("openbare_ruimte") or ""), int(r.get("huisnummer") or 0),
                str(r.get("huisletter") or ""), str(r.get("huisnummertoevoeging") or ""), i)

    # -- suggestions ---------------------------------------------------------------------------
    def _close_streets(self, street: str, n: int = 5) -> list[str]:
        """Street keys like ``street``: typed as a prefix first, then by similarity."""
        key = name_key(street)
        if not key:
            return []
        prefix = sorted(k for k in self._streets if k.startswith(key))
        close = difflib.get_close_matches(key, list(self._streets), n=n, cutoff=0.7)
        return list(dict.fromkeys([*prefix[:n], *close]))[:n]

    def _fuzzy(self, query: str, limit: int) -> list[int]:
        p = parse_address(query)
        typed_pc = re.fullmatch(r"(\d{4})\s?([a-z]{0,2})", normalise(query))
        if typed_pc:  # a postcode being typed: "7101", "7101 b"
            start = (typed_pc.group(1) + typed_pc.group(2)).upper()
            return [i for pc in sorted(self._by_postcode) if pc.startswith(start)
                    for i in self._by_postcode[pc]][:limit]
        streets = self._close_streets(p.street, n=limit) if p.street else []
        pools = [self._by_street[s] for s in streets]
        if p.postcode:
            pc_rows = self._by_postcode.get(p.postcode) or []
            pools = [[i for i in pool if i in set(pc_rows)] for pool in pools] if pools else [pc_rows]
            if not any(pools):
                pools = [pc_rows]
        out: list[int] = []
        for pool in pools:
            if p.huisnummer is None:
                out.extend(pool[:limit])
                continue
            typed = str(p.huisnummer)
            same = [i for i in pool if int(self.records[i]["huisnummer"]) == p.huisnummer]
            if same:
                out.extend(self._best_reading(same, p))
            out.extend(i for i in pool if str(self.records[i]["huisnummer"]).startswith(typed))
        return list(dict.fromkeys(out))[:limit]

    def _best_reading(self, rows: list[int], p: ParsedAddress) -> list[int]:
        """The addresses among ``rows`` (one huisnummer) that fit the letter/toevoeging typed,
        first; the others after them."""
        for k in range(len(p.tail) + 1):
            try:
                options = _split_rest(" ".join((p.rest, *p.tail[:k])))
            except QueryError:
                continue
            hits = self._with_letters(rows, options)
            if hits:
                return hits + [i for i in rows if i not in hits]
        return rows

    def _perceel_candidates(self, query: str, limit: int) -> list[dict[str, Any]]:
        """Kadastrale aanduidingen that start like ``query`` (``wwk00 k 12`` -> WWK00 K 12, 120..)."""
        if not self._percelen:
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
        prefix = (code + (m.group(3) or "") + (m.group(4) or "")).lower()
        out: list[dict[str, Any]] = []
        for compact, aand, geom in self._percelen:
            if compact.startswith(prefix):
                pt = geom.representative_point()
                out.append({"weergave": aand, "soort": "perceel", "laag": "perceel", "kadastrale_aanduiding": aand,
                            "x": round(float(pt.x), 3), "y": round(float(pt.y), 3)})
        # the exact one first, then by length (WWK00 K 12 before WWK00 K 120)
        out.sort(key=lambda c: (len(c["weergave"]), c["weergave"]))
        return out[:limit]

    def _explain_missing(self, query: str) -> str:
        p = parse_address(query)
        if p.street is not None and self._candidate_rows(p) is None:
            close = [self._streets[k] for k in self._close_streets(p.street, n=3)
                     if k != name_key(p.street)]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            return f"address {query!r} not found: no street {p.street!r} in this dataset{hint}"
        rows = self._candidate_rows(p)
        if p.street is not None and rows and p.huisnummer is not None:
            numbers = sorted({int(self.records[i]["huisnummer"]) for i in rows})
            name = self.records[rows[0]].get("openbare_ruimte")
            return (f"address {query!r} not found: {name} has huisnummers "
                    f"{numbers[0]}-{numbers[-1]} here, but not this one")
        return f"address {query!r} not found in this dataset"
