"""The answer a resident reads first: the verdict with its decisive reason, and what would pass.

* :func:`summary_for`: one sentence (or two) with the verdict and the decisive condition in plain
  Dutch, e.g. "Vergunning nodig. Uw bouwwerk staat (deels) in de voortuin of zijtuin (geel op de
  kaart). Zet het achter de oranje lijn, ...".  The decisive condition is always a failing one
  (for vergunningplicht) or an unknown one (for "hangt af ..."), never a passed one.
* :func:`advice_for`: what would make the proposal vergunningvrij here under art. 22.36: the
  largest height (flat roof) and the largest area, computed from the same rules and data.

>>> import json
>>> from omgevingskaart.permit import check_build
>>> r = check_build(json.load(open("tests/scenarios/02_voor_de_1m_lijn.json")))
>>> r.decisive
'achtererfgebied'
>>> r.summary.startswith("Vergunning nodig. Uw bouwwerk staat (deels) in de voortuin")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import rules as R

if TYPE_CHECKING:
    from .check import Activity, CheckResult, Condition
    from .geometry import Derived
    from .scenario import Scenario

#: the first words of the summary, per verdict
LEAD = {
    R.GEEN_VERGUNNING: "Geen vergunning nodig.",
    R.VERGUNNINGPLICHT: "Vergunning nodig.",
    R.MELDINGSPLICHT: "Geen vergunning nodig, wel een bouwmelding.",
    R.INFORMATIEPLICHT: "Geen vergunning nodig, wel informatie aan de gemeente.",
    R.HANGT_AF_PLAN: "Dit hangt af van het omgevingsplan.",
    R.HANGT_AF_GEGEVENS: "Dit hangt af van gegevens die ontbreken.",
}
#: conditions that decide most often and say the most, looked at first
PRIORITY = ("achtererfgebied", "erf", "geen_monument", "monument", "beschermd_gezicht", "oppervlakte",
            "hoogte_nabij_5m", "bbl_hoogte_5m")
#: the ids of the 22.36 route (the rest of the omgevingsplan activity is the 22.27 route)
ROUTE_22_36 = frozenset({"erf", "achtererfgebied", "oppervlakte", "hoogte_nabij_5m", "hoogte_nabij_tweede_bouwlaag",
                         "hoogte_nabij_hoofdgebouw", "dakvoet_verder_3m", "daknok_verder", "dakhelling_verder",
                         "geen_monument", "beschermd_gezicht_22_36"})


def _ordered(conds: tuple[Condition, ...]) -> list[Condition]:
    rank = {cid: i for i, cid in enumerate(PRIORITY)}
    return sorted(conds, key=lambda c: rank.get(c.id, len(PRIORITY)))


def _plain(c: Condition) -> str:
    if c.plain:
        return c.plain
    value = "" if c.value is None or c.limit is None else f" ({c.value} tegen grens {c.limit})"
    return f"Niet voldaan: {c.description[0].lower()}{c.description[1:]}{value}"


def _decisive_failing(act: Activity) -> Condition | None:
    failing = [c for c in _ordered(act.conditions) if c.failed]
    return failing[0] if failing else None


def summary_for(result: CheckResult) -> tuple[str, str | None]:
    """The sentence a resident reads first and the id of the decisive condition (None when free)."""
    verdict = result.verdict
    lead = LEAD.get(verdict, verdict)
    acts = {a.activity: a for a in result.activities}
    plan_act = acts.get("omgevingsplanactiviteit_bouwen")
    if verdict == R.GEEN_VERGUNNING:
        route = ("art. 22.27: het past in alle bekende regels van het omgevingsplan"
                 if plan_act is not None and "22.27" in plan_act.article else
                 "de algemene regels voor het achtererfgebied (art. 22.36)")
        return f"{lead} Uw bouwwerk voldoet aan {route}.", None
    if verdict == R.VERGUNNINGPLICHT:
        for aid in ("omgevingsplanactiviteit_bouwen", "monumentenactiviteit", "technische_bouwactiviteit"):
            act = acts.get(aid)
            if act is not None and act.outcome == R.VERGUNNINGPLICHT:
                cond = _decisive_failing(act)
                if cond is None:
                    continue
                text = f"{lead} {_plain(cond)}"
                if aid == "omgevingsplanactiviteit_bouwen" and cond.id in ROUTE_22_36:
                    other = [c for c in _ordered(act.conditions) if c.failed and c.id not in ROUTE_22_36]
                    if other and other[0].plain and other[0].plain != cond.plain:
                        text += f" Ook via het omgevingsplan (art. 22.27) kan het niet: {other[0].plain}"
                return text, cond.id
        return lead, None
    if verdict in (R.HANGT_AF_PLAN, R.HANGT_AF_GEGEVENS):
        for act in (plan_act, acts.get("monumentenactiviteit")):
            if act is None or act.outcome not in (R.HANGT_AF_PLAN, R.HANGT_AF_GEGEVENS):
                continue
            failed_a = [c for c in _ordered(act.conditions) if c.failed and c.id in ROUTE_22_36]
            unknown = [c for c in _ordered(act.conditions) if c.is_unknown
                       and (act.activity != "omgevingsplanactiviteit_bouwen" or (c.id in ROUTE_22_36) != bool(failed_a))]
            missing = "; ".join(dict.fromkeys(c.missing for c in unknown if c.missing))
            parts = [lead]
            if failed_a:
                parts.append(f"Via de algemene regels kan het niet: {_plain(failed_a[0])}")
                parts.append(f"Of het via het omgevingsplan (art. 22.27) zonder vergunning kan, hangt af van: {missing}.")
            else:
                parts.append(f"Niet bekend is: {missing}.")
            if any(c.source == "plan" for c in unknown):
                ident = result.plan.get("plan_id")
                parts.append("Kijk in het omgevingsplan" + (f" ({ident})" if ident else "")
                             + " op het Omgevingsloket, bij 'Regels op de kaart'.")
            return " ".join(parts), unknown[0].id if unknown else None
    if verdict == R.MELDINGSPLICHT:
        return (f"{lead} Uw vrijstaande bouwwerk is hoger dan {R.BBL_MAX_HOOGTE_M:g} m: "
                "meld het vooraf bij de gemeente (Wet kwaliteitsborging)."), "bbl_hoogte_5m"
    return lead, None


def missing_by_where(missing: list[dict[str, str]]) -> dict[str, list[str]]:
    """The missing facts of a result grouped by where to find them (one line per place)."""
    out: dict[str, list[str]] = {}
    for m in missing:
        out.setdefault(m["where"], []).append(m["what"])
    return out


def _nl(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def advice_for(sc: Scenario, d: Derived, area: dict[str, float], result: CheckResult) -> dict[str, Any]:
    """What would pass here under art. 22.36: the largest height (flat roof) near and far from the
    hoofdgebouw, the largest area still free, and whether the proposal must move into the
    achtererfgebied.  A value that depends on a missing fact is None, with the reason in ``text``."""
    text: list[str] = []
    floor_limit: float | None
    if sc.second_storey_floor is not None:
        floor_limit = sc.second_storey_floor + R.NABIJ_BOVEN_TWEEDE_BOUWLAAG_M
    elif sc.second_storey_known:
        floor_limit = float("inf")  # one bouwlaag: the 0.3 m rule has nothing to measure from
    else:
        floor_limit = None
    near_max = None if floor_limit is None else min(R.NABIJ_MAX_HOOGTE_M, floor_limit, sc.main_height)
    far_max = R.VERDER_MAX_DAKVOET_M
    near = not d.proposal_near.is_empty and d.proposal_near.area > R.TOL_M2
    far = not d.proposal_far.is_empty and d.proposal_far.area > R.TOL_M2
    if near and not d.original_known:
        here: float | None = far_max  # the part may lie beyond 4 m of the original: the stricter limit
    elif near and far:
        here = None if near_max is None else min(near_max, far_max)
    elif near:
        here = near_max
    else:
        here = far_max
    remaining: float | None = max(0.0, area["max"] - area["existing"]) if d.original_known else None
    in_achtererf = not any(c.id == "achtererfgebied" and c.failed for a in result.activities for c in a.conditions)
    blocked = sc.monument is not None or sc.protected_townscape is not False
    group = R.bestemming_hoofdgroep(sc.plan.bestemming) if sc.plan.bestemming else None
    if group in R.GEEN_ERF_BESTEMMINGEN:
        blocked = True
    if blocked:
        text.append("Vergunningvrij bouwen via de algemene regels voor het achtererfgebied (art. 22.36) kan hier "
                    "niet of is niet vast te stellen (monument, beschermd gezicht, bestemming of ontbrekende gegevens).")
    else:
        if not in_achtererf:
            text.append("Zet het bouwwerk helemaal in het groene gebied op de kaart (het achtererfgebied, achter de "
                        "oranje lijn).")
        if not in_achtererf:
            if near_max is not None:
                text.append(f"Daar mag het binnen 4 m van het oorspronkelijke huis tot {_nl(near_max)} m hoog zijn; "
                            f"verder weg is de dakrand hooguit {_nl(far_max)} m.")
        elif here is not None:
            text.append(f"Op deze plek mag het met een plat dak hooguit {_nl(here)} m hoog zijn.")
        else:
            text.append("Hoe hoog het dicht bij het huis mag, hangt af van de vloerhoogte van de verdieping "
                        f"(hooguit 0,3 m daarboven, en nooit hoger dan {_nl(min(R.NABIJ_MAX_HOOGTE_M, sc.main_height))} m).")
        if in_achtererf and near_max is not None and near_max > far_max:
            text.append(f"Binnen 4 m van het oorspronkelijke huis mag tot {_nl(near_max)} m, verder weg is de "
                        f"dakrand hooguit {_nl(far_max)} m.")
        if remaining is not None:
            text.append(f"Samen met wat er al staat mag hier nog {_nl(remaining)} m² worden bijgebouwd "
                        f"(van {_nl(area['max'])} m² in totaal).")
        else:
            text.append("Hoeveel m² er nog mag, hangt af van het oorspronkelijke huis: latere uitbreidingen tellen mee. "
                        f"Zonder uitbreidingen zou het hooguit {_nl(max(0.0, area['max'] - area['existing']))} m² zijn.")
    return {
        "route": "22.36",
        "possible": not blocked,
        "max_height_here_m": None if blocked or here is None else round(here, 2),
        "max_height_near_m": None if near_max is None else round(near_max, 2),
        "max_height_far_m": far_max,
        "max_area_m2": None if blocked or remaining is None else round(remaining, 2),
        "must_move_to_achtererfgebied": not in_achtererf,
        "text": text,
    }
