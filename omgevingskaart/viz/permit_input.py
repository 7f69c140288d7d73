"""What a resident types on the "Mag ik bouwen?" page, turned into a proposal, and the check in the URL.

* :func:`footprint_from_dimensions`: a bijgebouw typed as width, depth, distance behind the rear
  facade of the house and distance from the left side boundary (seen from the street) becomes
  a rectangle in RD, aligned with the street, so drawing with a mouse is not the only way.
* :func:`encode_check` / :func:`decode_check`: the address, footprint, heights and stated facts as
  query parameters (``adres``, ``vorm``, ``hoogte``, ``goot``, ``vloer``, ``oorspronkelijk``,
  ``gezicht``), so a link reopens the same drawing and outcome.  ``?adres=...`` alone opens the
  page at that address (the report page links "Mag ik hier bouwen?" that way).

Every bad value raises :class:`~omgevingskaart.viz.permit_view.DrawingError` with a Dutch sentence
that names the field.

>>> from shapely.geometry import box
>>> sc = {"parcel": {"type": "Polygon", "coordinates": [[[0, 0], [20, 0], [20, 40], [0, 40], [0, 0]]]},
...       "main_building": {"footprint": {"type": "Polygon", "coordinates": [[[4, 5], [16, 5], [16, 15], [4, 15], [4, 5]]]}},
...       "road_side": {"type": "LineString", "coordinates": [[0, 0], [20, 0]]}}
>>> footprint_from_dimensions(sc, width=3, depth=4, behind_rear=2, from_side=1).bounds
(1.0, 17.0, 4.0, 21.0)
>>> q = encode_check("Markt 12", box(0, 0, 3, 4), height=3.0)
>>> decode_check(q)["footprint"].area, decode_check(q)["height"]
(12.0, 3.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from shapely.geometry import LineString, Polygon, shape
from shapely.geometry.base import BaseGeometry

from .permit_view import DrawingError, parse_height

#: the largest plausible size of a bijgebouw side or distance (m)
MAX_DIMENSION_M = 200.0
#: the most corners a footprint in the URL may have
MAX_CORNERS = 200


def _dimension(value: Any, label: str, *, allow_zero: bool = False) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DrawingError(f"Vul de {label} in, in meters (bijvoorbeeld 3 of 2,75).")
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().lower().removesuffix("m").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise DrawingError(f"De {label} ‘{value}’ is geen getal. Vul meters in, bijvoorbeeld 3 of 2,75.") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise DrawingError(f"De {label} moet {'0 of meer' if allow_zero else 'groter dan 0'} m zijn.")
    if number > MAX_DIMENSION_M:
        raise DrawingError(f"De {label} van {number:g} m is niet aannemelijk (meer dan {MAX_DIMENSION_M:g} m).")
    return number


def _front(scenario: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin, inward normal (towards the house) and 'left' unit vector (seen from the street)."""
    road = shape(scenario["road_side"])
    house = shape(scenario["main_building"]["footprint"])
    lines = list(getattr(road, "geoms", [road]))
    # the voorkant: the road side nearest to the house
    line: LineString = min(lines, key=lambda g: g.distance(house))
    xy = np.asarray(line.coords)
    origin, chord = xy[0], xy[-1] - xy[0]
    direction = chord / float(np.hypot(*chord))
    normal = np.array([-direction[1], direction[0]])
    centre = np.asarray(house.centroid.coords[0])
    if float((centre - origin) @ normal) < 0:
        normal = -normal
    left = np.array([-normal[1], normal[0]])  # facing the house (along normal), left is +90 degrees
    return origin, normal, left


def footprint_from_dimensions(scenario: Mapping[str, Any], *, width: Any, depth: Any, behind_rear: Any,
                              from_side: Any) -> Polygon:
    """A rectangle ``width`` (along the street) x ``depth`` (away from the street), ``behind_rear``
    m behind the rear facade of the hoofdgebouw and ``from_side`` m from the left side boundary of
    the perceel, seen from the street (RD metres)."""
    w = _dimension(width, "breedte")
    d = _dimension(depth, "diepte")
    behind = _dimension(behind_rear, "afstand tot de achtergevel", allow_zero=True)
    side = _dimension(from_side, "afstand tot de linker perceelsgrens", allow_zero=True)
    origin, normal, left = _front(scenario)
    house = np.asarray(shape(scenario["main_building"]["footprint"]).exterior.coords)
    parcel = np.asarray(shape(scenario["parcel"]).exterior.coords)
    rear = float(((house - origin) @ normal).max())
    left_edge = float(((parcel - origin) @ left).max())
    a0, a1 = left_edge - side - w, left_edge - side  # along 'left'
    n0, n1 = rear + behind, rear + behind + d
    corners = [origin + left * a + normal * n for a, n in ((a0, n0), (a1, n0), (a1, n1), (a0, n1))]
    return Polygon([tuple(map(float, c)) for c in corners])


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def encode_check(address: str, footprint: BaseGeometry | None, *, height: float | None = None,
                 eaves: float | None = None, floor: float | str | None = None,
                 original: bool | None = None, protected: bool | None = None) -> dict[str, str]:
    """The check as query parameters (strings); footprint corners in RD, 1 cm."""
    q: dict[str, str] = {"adres": address}
    if footprint is not None and footprint.geom_type == "Polygon":
        coords = list(footprint.exterior.coords)[:-1]
        q["vorm"] = ";".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)
    for key, value in (("hoogte", height), ("goot", eaves)):
        if value is not None:
            q[key] = _fmt(value)
    if floor is not None:
        q["vloer"] = floor if isinstance(floor, str) else _fmt(floor)
    for key, flag in (("oorspronkelijk", original), ("gezicht", protected)):
        if flag is not None:
            q[key] = "ja" if flag else "nee"
    return q


def _flag(value: Any, label: str) -> bool | None:
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    if text in ("ja", "1", "true"):
        return True
    if text in ("nee", "0", "false"):
        return False
    raise DrawingError(f"‘{value}’ bij {label} in de link is geen ja of nee.")


def decode_check(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters back into ``address``, ``footprint`` (RD Polygon or None), ``height``,
    ``eaves``, ``floor`` (number, "geen" or None), ``original`` and ``protected``."""
    def get(key: str) -> str | None:
        value = params.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return None if value is None else str(value)

    out: dict[str, Any] = {"address": (get("adres") or "").strip() or None, "footprint": None}
    vorm = get("vorm")
    if vorm:
        pts = []
        for pair in vorm.split(";")[:MAX_CORNERS + 1]:
            try:
                x, y = (float(v) for v in pair.split(","))
            except ValueError:
                raise DrawingError("De vorm in de link is beschadigd (verwacht: x,y;x,y;... in meters).") from None
            if not (math.isfinite(x) and math.isfinite(y)):
                raise DrawingError("De vorm in de link bevat een ongeldig getal.")
            pts.append((x, y))
        if len(pts) < 3 or len(pts) > MAX_CORNERS:
            raise DrawingError(f"De vorm in de link heeft {len(pts)} hoeken; dat moeten er 3 tot {MAX_CORNERS} zijn.")
        poly = Polygon(pts)
        if not poly.is_valid or poly.area <= 0:
            raise DrawingError("De vorm in de link is geen geldige plattegrond (de randen kruisen elkaar).")
        out["footprint"] = poly
    out["height"] = parse_height(get("hoogte"), "hoogte", required=False)
    out["eaves"] = parse_height(get("goot"), "goothoogte", required=False)
    vloer = get("vloer")
    out["floor"] = "geen" if vloer == "geen" else parse_height(vloer, "vloer van de tweede bouwlaag", required=False)
    out["original"] = _flag(get("oorspronkelijk"), "oorspronkelijk")
    out["protected"] = _flag(get("gezicht"), "beschermd gezicht")
    return out
