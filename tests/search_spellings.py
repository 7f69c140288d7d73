"""200 ways people type the demo's real addresses, built deterministically (no randomness at run time
beyond a fixed seed), for the search test and ``benchmarks/bench_search.py``.

Each spelling comes with the address it means (``display_address`` of the BAG record). The forms:
case, spacing, postcode with/without space and in any case, a missing or present comma and
woonplaats, huisletter/toevoeging written apart or glued on, "ij" as "y", and one-letter typos in
the street or the woonplaats (a typo never lands on another real street name).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from omgevingskaart.geocode import display_address, normalise

SEED = 14
COUNT = 200


def _suffix(rec: dict[str, Any], sep: str = "", toev_sep: str = "-") -> str:
    out = f"{rec['huisnummer']}"
    if rec.get("huisletter"):
        out += sep + rec["huisletter"]
    if rec.get("huisnummertoevoeging"):
        out += toev_sep + rec["huisnummertoevoeging"]
    return out


def _pc(rec: dict[str, Any], space: bool = True) -> str:
    pc = rec["postcode"]
    return f"{pc[:4]} {pc[4:]}" if space else pc


def _typo(word: str, rng: random.Random, kind: int, taken: set[str]) -> str:
    """One typo (drop, swap or replace a letter, not the first) that is no other real name."""
    letters = "abcdefghijklmnoprstuvwz"
    for _ in range(50):
        i = rng.randrange(1, len(word) - 1)
        if kind == 0:
            out = word[:i] + word[i + 1:]
        elif kind == 1:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        else:
            out = word[:i] + rng.choice(letters) + word[i + 1:]
        if out != word and normalise(out) not in taken:
            return out
    return word


def _forms(streets: set[str]) -> list[Callable[[dict[str, Any], random.Random], str]]:
    s = "openbare_ruimte"
    w = "woonplaats"
    return [
        lambda r, g: f"{r[s]} {_suffix(r)}, {r[w]}".lower(),
        lambda r, g: f"{r[s]} {_suffix(r)}, {r[w]}".upper(),
        lambda r, g: f"{r[s]} {_suffix(r)} {r[w]}",
        lambda r, g: f"{r[s].lower()} {_suffix(r)} {r[w].lower()}",
        lambda r, g: f"{_pc(r)} {_suffix(r)}",
        lambda r, g: f"{_pc(r, False).lower()} {_suffix(r)}",
        lambda r, g: f"{_pc(r, False)}, {_suffix(r)}",
        lambda r, g: f"{r[s]} {_suffix(r)}, {_pc(r)} {r[w]}",
        lambda r, g: f"{r[s]} {_suffix(r)} {_pc(r, False).lower()}",
        lambda r, g: f"  {r[s]}   {_suffix(r, ' ', ' ')}  ",
        lambda r, g: f"{r[s]}{_suffix(r)}",
        lambda r, g: f"{r[s]} {_suffix(r, ' ', ' ')}, {r[w]}",
        lambda r, g: f"{r[s]} {_suffix(r)}, {r[w].replace('ij', 'y')}",
        lambda r, g: f"{_typo(r[s], g, 0, streets)} {_suffix(r)}",
        lambda r, g: f"{_typo(r[s], g, 1, streets)} {_suffix(r)}, {r[w]}",
        lambda r, g: f"{_typo(r[s], g, 2, streets).lower()} {_suffix(r)}",
        lambda r, g: f"{r[s]} {_suffix(r)} {_typo(r[w], g, 2, set())}",
        lambda r, g: f"{r[s].replace('straat', 'str.')} {_suffix(r)}",
        lambda r, g: f"{r[s]} {_suffix(r, '', '/')}",
        lambda r, g: f"{r[s]}, {_suffix(r)}, {r[w]}",
    ]


def address_records(ds: Any) -> list[dict[str, Any]]:
    """Every address record of the dataset ``ds`` (the address layers in order, the rows with a
    huisnummer): the addresses the spellings are drawn from. Reads the layers whole (the demo and
    the small real samples); the geocoder itself never does."""
    from omgevingskaart.geocode import ADDRESS_LAYERS

    out: list[dict[str, Any]] = []
    for layer in ADDRESS_LAYERS:
        if layer in ds:
            recs, _ = ds.store.rows(layer)
            out += [r for r in recs if r.get("huisnummer") is not None]
    return out


def spellings(records: list[dict[str, Any]], count: int = COUNT,
              seed: int = SEED) -> list[tuple[str, str]]:
    """``count`` pairs ``(what a person types, the address meant)`` from ``records``."""
    rng = random.Random(seed)
    usable = [r for r in records if r.get("openbare_ruimte") and r.get("postcode")
              and r.get("woonplaats") and r.get("huisnummer") is not None]
    usable.sort(key=display_address)
    picked = rng.sample(usable, min(count, len(usable)))
    forms = _forms({normalise(r["openbare_ruimte"]) for r in usable})
    return [(forms[i % len(forms)](rec, rng), display_address(rec)) for i, rec in enumerate(picked)]


def found(geocoder: Any, query: str) -> str | None:
    """The address a user gets with one action: the one the search resolves to, else the first
    suggestion (when the geocoder has suggestions), else None."""
    try:
        rec, _ = geocoder.resolve(query)
        return rec["weergave"]
    except Exception:  # not found, ambiguous, unreadable: try the suggestions
        pass
    suggest = getattr(geocoder, "suggest", None)
    if suggest is None:
        return None
    try:
        first = suggest(query, limit=1)
    except Exception:
        return None
    return first[0]["weergave"] if first else None


def share_found(geocoder: Any, pairs: list[tuple[str, str]]) -> tuple[float, list[tuple[str, str, str | None]]]:
    """The share of ``pairs`` whose meant address is found, and the misses (query, meant, got)."""
    misses = []
    for query, meant in pairs:
        got = found(geocoder, query)
        if got != meant:
            misses.append((query, meant, got))
    return 1 - len(misses) / len(pairs), misses
