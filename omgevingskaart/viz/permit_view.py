"""The permit check ("Mag ik bouwen?") for the app: drawn footprints, Dutch text, map layers.

* :func:`drawing_to_rd`: a polygon drawn with Leaflet.draw (GeoJSON, WGS84 lon/lat) as a shapely
  Polygon in RD New metres (RDNAPTRANS2018 via :mod:`omgevingskaart.crs`), with a Dutch
  :class:`DrawingError` for anything that is not one usable polygon;
* :func:`site_derived`: the achtererfgebied, voorerfgebied, 1 m line, road sides and 4 m zone of a
  perceel before anything is drawn (these do not depend on the proposal);
* :func:`result_markdown`: a :class:`~omgevingskaart.permit.CheckResult` in plain Dutch, every
  condition with its article;
* :func:`scenario_error_dutch`: a :class:`~omgevingskaart.errors.ScenarioError` as a Dutch sentence
  naming the field;
* :func:`site_layers` / :func:`derived_layers`: folium feature groups for the perceel, its panden,
  the derived geometries and the proposal coloured by the verdict.

>>> import omgevingskaart
>>> from shapely.geometry import box
>>> ds = omgevingskaart.open_dataset()
>>> shed = {"footprint": box(246173, 442961.5, 246175.5, 442966.5), "height": 3.0}
>>> result_markdown(omgevingskaart.check_build_at(ds, "Misterstraat 20", shed)).splitlines()[0]  # BAG cannot tell
'### Uitkomst: Hangt af van ontbrekende gegevens'
>>> res = omgevingskaart.check_build_at(ds, "Misterstraat 20", shed, original=True, protected_townscape=False)
>>> result_markdown(res).splitlines()[0]
'### Uitkomst: Geen vergunning nodig'
>>> drawing_to_rd(None)
Traceback (most recent call last):
...
omgevingskaart.viz.permit_view.DrawingError: Er is nog niets getekend. Teken de aanbouw of het bijgebouw op de kaart met de knop voor een rechthoek of een veelhoek (links op de kaart).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from ..crs import rd_to_wgs84, wgs84_to_rd
from ..errors import ScenarioError
from ..permit import rules as R
from ..permit.explain import missing_by_where
from .report_view import md

if TYPE_CHECKING:
    import folium

    from ..dataset import Dataset
    from ..permit import CheckResult

#: verdict -> (colour on the map, Streamlit message kind: success / warning / error)
VERDICT_STYLE: dict[str, tuple[str, str]] = {
    R.GEEN_VERGUNNING: ("#2e7d32", "success"),
    R.MELDINGSPLICHT: ("#ef6c00", "warning"),
    R.INFORMATIEPLICHT: ("#ef6c00", "warning"),
    R.VERGUNNINGPLICHT: ("#c62828", "error"),
    R.HANGT_AF_PLAN: ("#6d4c41", "warning"),
    R.HANGT_AF_GEGEVENS: ("#6d4c41", "warning"),
}
#: the proposal before it is checked
UNCHECKED_COLOUR = "#1565c0"

#: what a resident calls the fields a ScenarioError can name
FIELD_NAMES: dict[str, str] = {
    "proposal.footprint": "de getekende plattegrond",
    "proposal.height": "de hoogte",
    "proposal.eaves_height": "de goothoogte (dakvoet)",
    "proposal.roof_pitch_deg": "de dakhelling",
    "proposal.ridge": "de daknok",
    "main_building.second_storey_floor": "de vloer van de tweede bouwlaag",
    "main_building.height": "de hoogte van het hoofdgebouw",
    "main_building.footprint": "het hoofdgebouw",
    "main_pand_id": "het hoofdgebouw",
    "panden": "de panden op het perceel",
    "roads": "de openbare weg langs het perceel",
    "road_side": "de voorkant langs de openbare weg",
    "perceel": "het perceel",
    "parcel": "het perceel",
    "address": "het adres",
    "existing_annexes": "de bestaande bijgebouwen",
    "plan": "de regels van het omgevingsplan",
}

DISCLAIMER = (
    "Deze toets is een hulpmiddel en **geen besluit**. De gemeente en het "
    "[Omgevingsloket](https://omgevingswet.overheid.nl/) zijn leidend: doe daar de vergunningcheck "
    "voordat u gaat bouwen."
)


class DrawingError(ValueError):
    """The drawing cannot be checked; ``str(exc)`` is a Dutch sentence for the resident."""


# --- drawn geometry -------------------------------------------------------------------------------


def _geometry_of(drawing: Mapping[str, Any]) -> Mapping[str, Any]:
    if drawing.get("type") == "Feature":
        geom = drawing.get("geometry")
        if not isinstance(geom, Mapping):
            raise DrawingError("De tekening heeft geen vorm. Teken de aanbouw opnieuw.")
        return geom
    return drawing


def drawing_to_rd(drawing: Mapping[str, Any] | None) -> Polygon:
    """A drawn GeoJSON Polygon (Feature or geometry; lon/lat WGS84 as Leaflet.draw gives it) in RD.

    Raises :class:`DrawingError` (Dutch) when there is no drawing, when it is not a polygon or
    rectangle, or when it is invalid (crosses itself) or has no area.
    """
    if not drawing:
        raise DrawingError("Er is nog niets getekend. Teken de aanbouw of het bijgebouw op de kaart "
                           "met de knop voor een rechthoek of een veelhoek (links op de kaart).")
    geom = _geometry_of(drawing)
    kind = geom.get("type")
    if kind != "Polygon":
        raise DrawingError("Teken de plattegrond als rechthoek of veelhoek; een lijn, punt of cirkel "
                           "kan niet worden getoetst.")
    try:
        rings = [np.asarray(ring, dtype=float)[:, :2] for ring in geom["coordinates"]]
    except (KeyError, TypeError, ValueError, IndexError):
        raise DrawingError("De tekening kon niet worden gelezen. Teken de aanbouw opnieuw.") from None
    if not rings or len(rings[0]) < 4 or not all(np.isfinite(r).all() for r in rings):
        raise DrawingError("De tekening kon niet worden gelezen. Teken de aanbouw opnieuw.")
    rd_rings = []
    for ring in rings:
        x, y = wgs84_to_rd(ring[:, 0], ring[:, 1])
        rd_rings.append(np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)]))
    poly = Polygon(rd_rings[0], rd_rings[1:])
    if not poly.is_empty and poly.length > 0 and not poly.is_valid and poly.buffer(0).area > 0.01:
        raise DrawingError("De getekende vorm snijdt zichzelf. Teken de veelhoek opnieuw, met de "
                           "hoeken op volgorde rond.")
    if poly.is_empty or poly.area <= 0.01:
        raise DrawingError("De getekende vorm heeft (vrijwel) geen oppervlakte. Teken de aanbouw opnieuw.")
    return poly


def pick_drawing(all_drawings: Sequence[Mapping[str, Any]] | None,
                 last_active: Mapping[str, Any] | None = None) -> tuple[Mapping[str, Any] | None, int]:
    """The drawing to check and how many there are: the most recent polygon on the map.

    ``all_drawings`` is what is on the map now (deleted shapes are gone from it); the last one is
    the most recently drawn. ``last_active`` is only used when the map reports no list.
    """
    items = [d for d in (all_drawings or []) if isinstance(d, Mapping)]
    if items:
        return items[-1], len(items)
    if all_drawings is None and last_active:
        return last_active, 1
    return None, 0


def rd_geojson_to_wgs84(geom: Mapping[str, Any] | BaseGeometry | None, decimals: int = 8) -> dict[str, Any] | None:
    """An RD GeoJSON geometry (or shapely geometry) as GeoJSON in WGS84 lon/lat, for Leaflet."""
    if geom is None:
        return None
    g = geom if isinstance(geom, BaseGeometry) else shape(geom)
    if g.is_empty:
        return None

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = rd_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])

    out = shapely.transform(g, convert)
    return dict(mapping(shapely.set_precision(out, 10 ** -decimals)))


# --- the perceel before anything is drawn -----------------------------------------------------------


def site_derived(ds: Dataset, address: str) -> dict[str, Any]:
    """The derived geometry of the perceel at ``address`` before anything is drawn.

    The achtererfgebied, voorerfgebied, bebouwingsgebied, the 1 m line, the road sides, the 4 m
    zone and the area numbers depend on the perceel, the hoofdgebouw and the road only, not on the
    proposal. The check needs a proposal, so this runs it with a 10 cm square on free ground of the
    perceel and returns only those proposal-independent parts of ``derived`` (plus
    ``"scenario"``: the scenario, for the perceel outline, the panden and the road side).
    Raises :class:`~omgevingskaart.errors.ScenarioError` / address errors like ``check_build``.
    """
    from ..permit import check_build, scenario_for
    from ..report import report_at

    report = report_at(ds, address)
    if report.perceel is None or report.perceel.geometry is None:
        raise ScenarioError("perceel", f"no kadastraal perceel at {address!r}")
    parcel = report.perceel.geometry
    start = parcel.representative_point().buffer(0.05, quad_segs=1)
    scenario = scenario_for(ds, address, {"footprint": start, "height": 1.0})
    free = shape(scenario["parcel"])
    free = free.difference(shape(scenario["main_building"]["footprint"]))
    for annex in scenario.get("existing_annexes") or []:
        free = free.difference(shape(annex["footprint"]))
    inner = free.buffer(-0.1)
    spot = (inner if not inner.is_empty else free).representative_point()
    scenario["proposal"] = {"footprint": mapping(spot.buffer(0.05, cap_style="square")), "height": 1.0}
    derived = check_build(scenario).derived
    keep = ("achtererfgebied", "voorerfgebied", "bebouwingsgebied", "one_metre_line", "road_sides",
            "near_zone", "achtererfgebied_m2", "bebouwingsgebied_m2", "max_area_m2",
            "existing_area_m2", "remaining_area_m2")
    out = {k: derived.get(k) for k in keep}
    out["scenario"] = scenario
    return out


# --- Dutch text ------------------------------------------------------------------------------------


def _nl(value: float, decimals: int = 2) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


def _unit(condition_id: str) -> str:
    if condition_id in ("oppervlakte", "achtererfgebied", "plan_22_27_achtererfgebied", "plan_bouwvlak",
                        "plan_bijgebouwen_oppervlakte"):
        return "m²"
    if condition_id.startswith("dakhelling"):
        return "°"
    if condition_id.endswith("bebouwingspercentage"):
        return "%"
    return "m"


def _value(value: Any, unit: str) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("ja" if value else "nee")
    if isinstance(value, int | float):
        return f"{_nl(float(value))} {unit}"
    return md(value)


def condition_line(cond: Mapping[str, Any]) -> str:
    """One condition as a Markdown list item: mark (voldaan / niet voldaan / onbekend / niet van
    toepassing), description, value vs limit, what is missing, article."""
    state = cond.get("state") or (
        R.NIET_VAN_TOEPASSING if not cond.get("applicable", True) else R.VOLDAAN if cond.get("passed") else R.NIET_VOLDAAN)
    mark = {R.NIET_VAN_TOEPASSING: "➖ [niet van toepassing]", R.VOLDAAN: "✅ [voldaan]",
            R.ONBEKEND: "❓ [onbekend]"}.get(state, "❌ [niet voldaan]")
    text = f"- {mark} {md(cond.get('description', ''))}"
    unit = _unit(str(cond.get("id", "")))
    value, limit = cond.get("value"), cond.get("limit")
    if value is not None and limit is not None:
        text += f" — waarde {_value(value, unit)}, grens {_value(limit, unit)}"
    elif value is not None:
        text += f" — waarde {_value(value, unit)}"
    detail = cond.get("detail")
    if detail and cond.get("applicable", True):
        text += f"  \n  {md(detail)}"
    if state == R.ONBEKEND and cond.get("missing"):
        text += f"  \n  Ontbreekt: {md(cond['missing'])}"
    article = str(cond.get("article", "")).split("; ")[0]  # the version dates are listed once, below
    text += f"  \n  *{md(article)}*"
    return text


def verdict_label(verdict: str) -> str:
    """The verdict as a headline for a resident."""
    return {
        R.GEEN_VERGUNNING: "Geen vergunning nodig",
        R.VERGUNNINGPLICHT: "Vergunning nodig (vergunningplicht)",
        R.MELDINGSPLICHT: "Melding nodig (meldingsplicht)",
        R.INFORMATIEPLICHT: "Informatie geven (informatieplicht)",
        R.HANGT_AF_PLAN: "Hangt af van het omgevingsplan",
        R.HANGT_AF_GEGEVENS: "Hangt af van ontbrekende gegevens",
    }.get(verdict, verdict.capitalize())


def advice_markdown(result: Mapping[str, Any]) -> str:
    """The summary sentence, then what would make it vergunningvrij here (the advice), then the
    missing data with where to find it: what a resident reads before the checklist."""
    out = []
    if result.get("summary"):
        out.append(f"**{md(result['summary'])}**")
    advice = result.get("advice") or {}
    if result.get("verdict") != R.GEEN_VERGUNNING and advice.get("text"):
        out.append("#### Zo kan het zonder vergunning (algemene regels, art. 22.36)")
        out.extend(f"- {md(t)}" for t in advice["text"])
    missing = result.get("missing") or []
    if missing and result.get("verdict") in (R.HANGT_AF_PLAN, R.HANGT_AF_GEGEVENS):
        out.append("#### Wat ontbreekt, en waar u het vindt")
        for where, whats in missing_by_where(missing).items():
            out.extend(f"- {md(w)}" for w in whats)
            out.append(f"*Waar: {md(where)}*")
    return "\n\n".join(out)


def area_markdown(derived: Mapping[str, Any]) -> str:
    """The area numbers of the bebouwingsgebied rule (bruidsschat art. 22.36) as a list."""
    def m2(key: str) -> str:
        v = derived.get(key)
        return "onbekend" if v is None else f"{_nl(float(v), 1)} m²"

    lines = [
        "#### Oppervlakte (bruidsschat art. 22.36, eerste lid, onder a)",
        f"- Achtererfgebied: {m2('achtererfgebied_m2')}",
        f"- Bebouwingsgebied: {m2('bebouwingsgebied_m2')}",
        f"- Maximaal aan bijbehorende bouwwerken in het bebouwingsgebied: {m2('max_area_m2')}",
        f"- Al bebouwd (bestaande bijgebouwen en uitbreidingen van het hoofdgebouw): {m2('existing_area_m2')}",
        f"- Nog beschikbaar zonder vergunning: {m2('remaining_area_m2')}",
    ]
    if derived.get("proposal_area_m2") is not None:
        lines.append(f"- Uw ontwerp: {m2('proposal_area_m2')} "
                     f"(binnen 4 m van het hoofdgebouw {m2('proposal_near_m2')}, "
                     f"verder weg {m2('proposal_far_m2')})")
    return "\n".join(lines)


def result_markdown(result: CheckResult | Mapping[str, Any], *, is_synthetic: bool = False,
                    headline: bool = True) -> str:
    """The check result in plain Dutch (Markdown): verdict, per activity the outcome with its
    article and reason, every condition ([voldaan] / [niet voldaan] / [niet van toepassing]) with
    value, limit and article, ``fits_plan`` when a permit is needed, the area numbers, notes, the
    demo notice (``is_synthetic``) and the disclaimer. ``headline=False`` leaves out the
    "Uitkomst" heading (the app shows it in a coloured box)."""
    d: Mapping[str, Any] = result if isinstance(result, Mapping) else result.to_dict()
    out = [f"### Uitkomst: {verdict_label(str(d['verdict']))}"] if headline else []
    first = advice_markdown(d)
    if first:
        out.append(first)
    out.append("#### Alle eisen")
    if d["verdict"] == R.GEEN_VERGUNNING:
        out.append("Voor dit ontwerp is volgens deze toets geen omgevingsvergunning en geen melding nodig. "
                   "U moet zich wel aan de regels van het Bbl houden (bijvoorbeeld brandveiligheid).")
    for act in d["activities"]:
        out.append(f"#### {md(act['name'])}: {md(act['outcome'])}")
        out.append(md(act.get("reason", "")))
        out.append(f"Grondslag: *{md(act.get('article', ''))}*")
        conds = act.get("conditions") or []
        if conds:
            out.append("\n".join(condition_line(c) for c in conds))
    fits = d.get("fits_plan")
    if fits is None and d["verdict"] != R.GEEN_VERGUNNING:
        out.append("#### Past het in het omgevingsplan?")
        out.append("Niet te zeggen: niet alle regels van het omgevingsplan die hiervoor nodig zijn, zijn bekend.")
    if fits is not None:
        out.append("#### Past het in het omgevingsplan?")
        if fits:
            out.append("Ja. Uw ontwerp voldoet aan de regels van het omgevingsplan die hier bekend zijn "
                       "(bestemming, bouwvlak, maximale hoogtes, bebouwingspercentage). De gemeente moet "
                       "de vergunning voor de omgevingsplanactiviteit dan in principe verlenen.")
        else:
            out.append("Nee. Uw ontwerp voldoet niet aan het omgevingsplan. U heeft dan een vergunning "
                       "nodig voor een **buitenplanse** omgevingsplanactiviteit; de gemeente mag die "
                       "weigeren. Overleg vooraf met de gemeente.")
    derived = d.get("derived") or {}
    out.append(area_markdown(derived))
    notes = d.get("notes") or []
    if notes:
        out.append("#### Let op")
        out.extend(f"- {md(n)}" for n in notes)
    if is_synthetic:
        from ..report import DEMO_NOTICE

        out.append(f"*{md(DEMO_NOTICE)}*")
    basis = d.get("legal_basis") or []
    if basis:
        out.append("Wetgeving: " + "; ".join(md(b) for b in basis) + ".")
    out.append(DISCLAIMER)
    return "\n\n".join(out)


_MESSAGES: tuple[tuple[str, str], ...] = (
    ("must lie on the parcel", "ligt (deels) buiten het perceel. Teken de aanbouw binnen de "
                               "perceelgrens (de zwarte lijn)"),
    ("lies outside the perceel", "ligt buiten het perceel. Teken de aanbouw binnen de perceelgrens "
                                 "(de zwarte lijn)"),
    ("overlaps the hoofdgebouw", "overlapt het hoofdgebouw. Teken alleen het nieuwe deel, tegen de "
                                 "gevel aan"),
    ("overlaps an existing", "overlapt een bestaand bijgebouw. Teken alleen het nieuwe deel"),
    ("overlaps existing", "overlapt een bestaand bijgebouw. Teken alleen het nieuwe deel"),
    ("cannot be above the height", "mag niet hoger zijn dan de hoogte (het hoogste punt)"),
    ("at or above", "moet lager liggen dan de hoogte van het hoofdgebouw"),
    ("must not be negative", "mag niet negatief zijn"),
    ("must be greater than 0", "moet groter zijn dan 0"),
    ("expected a number", "moet een getal zijn"),
    ("finite number", "moet een getal zijn"),
    ("invalid geometry", "is geen geldige vorm (snijdt zichzelf)"),
    ("no area", "heeft geen oppervlakte"),
    ("no pand", "zijn niet bekend: er staat geen pand met een bekende hoogte (3D BAG) op dit perceel"),
    ("no panden", "zijn niet bekend in deze gegevens"),
    ("no public road", "is niet gevonden: er ligt geen openbare weg binnen 30 m van het perceel, dus "
                       "het achtererfgebied kan niet worden bepaald"),
    ("no kadastraal perceel", "is niet gevonden in de gegevens"),
    ("no perceel", "is niet gevonden in de gegevens"),
    ("road side", "kon niet worden bepaald"),
)


def scenario_error_dutch(exc: ScenarioError) -> str:
    """A Dutch sentence for a ScenarioError, naming the field in a resident's words."""
    field = getattr(exc, "field", "") or ""
    name = FIELD_NAMES.get(field)
    if name is None:
        base = field.split("[")[0].split(".")[0]
        name = FIELD_NAMES.get(base, f"het gegeven ‘{field}’")
    text = str(exc)
    for needle, dutch in _MESSAGES:
        if needle in text:
            return f"{name[0].upper()}{name[1:]} {dutch}."
    return f"{name[0].upper()}{name[1:]} klopt niet, daardoor kan de toets niet worden uitgevoerd. ({md(text)})"


def parse_height(text: str | float | None, label: str, *, required: bool = True,
                 maximum: float = 60.0) -> float | None:
    """A height typed by a resident ("3", "2,75", "2.75 m") in metres; DrawingError in Dutch."""
    if text is None or (isinstance(text, str) and not text.strip()):
        if required:
            raise DrawingError(f"Vul de {label} in, in meters (bijvoorbeeld 3 of 2,75).")
        return None
    if isinstance(text, int | float):
        value = float(text)
    else:
        s = text.strip().lower().removesuffix("m").strip().replace(",", ".")
        try:
            value = float(s)
        except ValueError:
            raise DrawingError(f"De {label} ‘{text}’ is geen getal. Vul meters in, bijvoorbeeld 3 of 2,75.") from None
    if not math.isfinite(value) or value <= 0:
        raise DrawingError(f"De {label} moet groter zijn dan 0 m.")
    if value > maximum:
        raise DrawingError(f"De {label} van {_nl(value)} m is niet aannemelijk voor een aanbouw "
                           f"(meer dan {maximum:g} m). Vul de hoogte in meters in.")
    return value


# --- map layers ------------------------------------------------------------------------------------


def _geojson_layer(geom: Mapping[str, Any] | BaseGeometry | None, name: str, style: dict[str, Any],
                   tooltip: str | None = None) -> folium.GeoJson | None:
    import folium  # the app extra: imported where a map is drawn

    gj = rd_geojson_to_wgs84(geom)
    if gj is None:
        return None
    return folium.GeoJson(
        {"type": "Feature", "geometry": gj, "properties": {}},
        name=name, style_function=lambda _f, s=style: s,
        tooltip=folium.Tooltip(tooltip) if tooltip else None,
    )


def site_layers(site: Mapping[str, Any]) -> list[folium.FeatureGroup]:
    """The perceel outline and the panden on it (from :func:`site_derived`'s scenario)."""
    import folium  # the app extra: imported where a map is drawn

    sc = site["scenario"]
    group = folium.FeatureGroup(name="Perceel en panden", show=True)
    layer = _geojson_layer(sc["parcel"], "Perceel",
                           {"color": "#111111", "weight": 3, "fill": False, "className": "ok-perceel"},
                           "Perceel (kadastrale grens)")
    if layer is not None:
        layer.add_to(group)
    main = _geojson_layer(sc["main_building"]["footprint"], "Hoofdgebouw",
                          {"color": "#555555", "weight": 1, "fillColor": "#9e9e9e", "fillOpacity": 0.7,
                           "className": "ok-hoofdgebouw"},
                          f"Hoofdgebouw, hoogte {_nl(float(sc['main_building']['height']), 1)} m")
    if main is not None:
        main.add_to(group)
    for annex in sc.get("existing_annexes") or []:
        lay = _geojson_layer(annex["footprint"], "Bijgebouw",
                             {"color": "#555555", "weight": 1, "fillColor": "#bdbdbd", "fillOpacity": 0.7,
                              "className": "ok-bijgebouw"},
                             f"Bestaand bijgebouw, hoogte {_nl(float(annex['height']), 1)} m")
        if lay is not None:
            lay.add_to(group)
    return [group]


def derived_layers(derived: Mapping[str, Any], *, proposal: BaseGeometry | None = None,
                   verdict: str | None = None) -> list[folium.FeatureGroup]:
    """Feature groups for the derived geometry: achtererfgebied (green), voorerfgebied, the 4 m
    zone, the 1 m line, the road sides and, when given, the proposal coloured by the verdict."""
    import folium  # the app extra: imported where a map is drawn

    groups: list[folium.FeatureGroup] = []
    area = derived.get("achtererfgebied_m2")
    maxa = derived.get("max_area_m2")
    info = "Achtererfgebied: hier mag u onder voorwaarden zonder vergunning bouwen"
    if area is not None and maxa is not None:
        info += (f" ({_nl(float(area), 1)} m²; maximaal {_nl(float(maxa), 1)} m² aan bijbehorende "
                 f"bouwwerken, nog {_nl(float(derived.get('remaining_area_m2') or 0.0), 1)} m² over)")
    specs: list[tuple[str, str, dict[str, Any], str]] = [
        ("voorerfgebied", "Voorerfgebied",
         {"color": "#f9a825", "weight": 1, "fillColor": "#fff176", "fillOpacity": 0.35,
          "className": "ok-voorerfgebied"},
         "Voorerfgebied: hier is bouwen zonder vergunning beperkt (alleen volgens het omgevingsplan)"),
        ("achtererfgebied", "Achtererfgebied",
         {"color": "#2e7d32", "weight": 2, "fillColor": "#43a047", "fillOpacity": 0.35,
          "className": "ok-achtererfgebied"}, info),
        ("near_zone", "Zone van 4 m rond het hoofdgebouw",
         {"color": "#6a1b9a", "weight": 2, "dashArray": "6 4", "fill": False, "className": "ok-zone4m"},
         "Binnen 4 m van het oorspronkelijke hoofdgebouw: tot 5 m hoog (en niet hoger dan 0,3 m "
         "boven de vloer van de tweede bouwlaag); verder weg: dakvoet tot 3 m"),
        ("one_metre_line", "Lijn 1 m achter de voorkant",
         {"color": "#d84315", "weight": 3, "dashArray": "2 6", "className": "ok-lijn1m"},
         "De lijn 1 m achter de voorgevel: daarachter begint het achtererfgebied"),
    ]
    for key, name, style, tip in specs:
        layer = _geojson_layer(derived.get(key), name, style, tip)
        if layer is None:
            continue
        group = folium.FeatureGroup(name=name, show=True)
        layer.add_to(group)
        groups.append(group)
    roads = derived.get("road_sides") or []
    if roads:
        group = folium.FeatureGroup(name="Kant van de openbare weg", show=True)
        roles = {"voorkant": "voorkant", "zijkant": "zijkant (hoekperceel)", "achterkant": "achterkant"}
        for rs in roads:
            lay = _geojson_layer(rs.get("line"), "Weg", {"color": "#263238", "weight": 6, "opacity": 0.6,
                                                         "className": "ok-wegkant"},
                                 f"Perceelgrens langs de openbare weg: {roles.get(rs.get('role'), rs.get('role'))}")
            if lay is not None:
                lay.add_to(group)
        groups.append(group)
    if proposal is not None and not proposal.is_empty:
        colour = VERDICT_STYLE.get(verdict or "", (UNCHECKED_COLOUR, ""))[0]
        tip = f"Uw ontwerp: {verdict_label(verdict)}" if verdict else "Uw ontwerp (nog niet getoetst)"
        layer = _geojson_layer(proposal, "Uw ontwerp",
                               {"color": colour, "weight": 3, "fillColor": colour, "fillOpacity": 0.55,
                                "className": "ok-ontwerp"}, tip)
        if layer is not None:
            group = folium.FeatureGroup(name="Uw ontwerp", show=True)
            layer.add_to(group)
            groups.append(group)
    return groups


def bounds_latlon(geom: Mapping[str, Any] | BaseGeometry, margin_m: float = 4.0) -> list[list[float]]:
    """[[south, west], [north, east]] of an RD geometry plus a margin, for ``fit_bounds``."""
    g = geom if isinstance(geom, BaseGeometry) else shape(geom)
    minx, miny, maxx, maxy = g.buffer(margin_m).bounds
    lon, lat = rd_to_wgs84(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]))
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
