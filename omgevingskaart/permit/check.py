"""``check_build``: does a bijbehorend bouwwerk need an omgevingsvergunning?

The check answers per activity, in the Omgevingsloket's terms ("geen vergunning nodig",
"vergunningplicht", "meldingsplicht", "informatieplicht"):

1. **Technische bouwactiviteit** (Bbl).  Free under Bbl art. 2.29 for a bijbehorend bouwwerk on the
   ground and at most 5 m high, in front and at the back alike.  Otherwise: an aanbouw or uitbouw
   (touching the hoofdgebouw or an existing bijbehorend bouwwerk) is verbouw, for which the Wkb
   does not yet apply, so the permit of Bbl art. 2.27 is needed ("vergunningplicht"); a detached
   bijgebouw is new building in gevolgklasse 1 under the Wkb: no permit but a bouwmelding
   ("meldingsplicht", Bbl art. 2.17 ff.).
2. **Omgevingsplanactiviteit bouwen** (bruidsschat in the omgevingsplan).  Vergunningplicht
   (art. 22.26) unless:

   a. art. 22.36 (omgevingsplan not applicable): the bouwwerk lies on gebouwerf in the
      achtererfgebied; the bijbehorende bouwwerken in the bebouwingsgebied, existing ones and
      later extensions of the hoofdgebouw included, stay within the area formula; within 4 m of
      the oorspronkelijk hoofdgebouw it is at most 5 m high, at most 0.3 m above the floor of the
      hoofdgebouw's second storey and not higher than the hoofdgebouw; farther out the dakvoet is
      at most 3 m, and a schuin dak has its daknok at most 3 m + 0.47 x its distance to the
      perceelsgrens (and 5 m) with a pitch of at most 55 degrees; not on or at a monument; in a
      rijksbeschermd stads- of dorpsgezicht only where the bouwwerk does not face openbaar
      toegankelijk gebied; or
   b. art. 22.27 (omgevingsplan applies in full): a bijbehorend bouwwerk on the ground, at most 5 m
      high, that meets the omgevingsplan (same monument and gezicht limits).

   When a permit is needed, ``fits_plan`` says whether the proposal meets the plan values given
   (bestemming allows building, inside the bouwvlak, maximum bouw- and goothoogte,
   bebouwingspercentage): then the permit has to be granted on the plan's own terms.
3. **Monumentenactiviteit**, only for a monument: vergunningplicht (Omgevingswet art. 5.1, eerste
   lid, onder b for a rijksmonument; the omgevingsplan or the provinciale omgevingsverordening
   for a gemeentelijk or provinciaal monument).

The verdict is "geen vergunning nodig" only when every activity is free; otherwise the strictest
outcome (vergunningplicht > meldingsplicht > informatieplicht).

Tolerance: lengths and heights compare with :data:`~omgevingskaart.permit.rules.TOL_M` (1e-6 m),
areas with :data:`~omgevingskaart.permit.rules.TOL_M2` (1e-6 m2); a value exactly on a limit passes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from . import rules as R
from .geometry import Derived, derive
from .scenario import Scenario, parse_scenario

# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One legal condition, checked: ``passed`` is meaningful only when ``applicable``."""

    id: str
    article: str
    description: str
    passed: bool
    applicable: bool = True
    value: float | str | None = None
    limit: float | str | None = None
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.applicable and not self.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article": self.article,
            "description": self.description,
            "applicable": self.applicable,
            "passed": self.passed,
            "value": _round(self.value),
            "limit": _round(self.limit),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Activity:
    activity: str
    """Stable id: "technische_bouwactiviteit", "omgevingsplanactiviteit_bouwen", "monumentenactiviteit"."""
    name: str
    outcome: str
    article: str
    """The article the outcome rests on."""
    reason: str
    """Why, in Dutch, for a resident."""
    conditions: tuple[Condition, ...] = ()

    @property
    def failing(self) -> list[str]:
        return [c.id for c in self.conditions if c.failed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "name": self.name,
            "outcome": self.outcome,
            "article": self.article,
            "reason": self.reason,
            "failing_conditions": self.failing,
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True)
class CheckResult:
    verdict: str
    activities: tuple[Activity, ...]
    fits_plan: bool | None
    """Whether the proposal fits the omgevingsplan, when a permit for the omgevingsplanactiviteit is needed; else None."""
    derived: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def activity(self, activity_id: str) -> Activity:
        for act in self.activities:
            if act.activity == activity_id:
                return act
        raise KeyError(activity_id)

    @property
    def failing_conditions(self) -> list[str]:
        return [cid for act in self.activities for cid in act.failing]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "fits_plan": self.fits_plan,
            "activities": [a.to_dict() for a in self.activities],
            "failing_conditions": self.failing_conditions,
            "derived": self.derived,
            "notes": list(self.notes),
            "legal_basis": [R.BBL_VERSION, R.BRUIDSSCHAT_VERSION, R.OW_VERSION],
        }


def _round(value: float | str | None) -> float | str | None:
    if isinstance(value, float):
        return round(value, 6)
    return value


def _geojson(geom: BaseGeometry) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    out: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-4)))
    return out


def _m(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " m"


def _m2(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " m²"


def _le(value: float, limit: float, tol: float = R.TOL_M) -> bool:
    return value <= limit + tol


# --- the check ------------------------------------------------------------------------------------


def check_build(scenario: dict[str, Any] | Scenario) -> CheckResult:
    """Check whether a bijbehorend bouwwerk needs an omgevingsvergunning (see the module docstring).

    ``scenario`` is a scenario dict (the JSON format of :mod:`omgevingskaart.permit.scenario`) or a
    parsed :class:`~omgevingskaart.permit.scenario.Scenario`.  Raises
    :class:`~omgevingskaart.errors.ScenarioError` naming the field for inconsistent input.
    """
    sc = scenario if isinstance(scenario, Scenario) else parse_scenario(scenario)
    d = derive(sc)
    area = _area_facts(sc, d)

    technical = _technical(sc)
    plan_conditions = _plan_conditions(sc)
    fits = all(not c.failed for c in plan_conditions)
    planact, fits_plan = _omgevingsplan(sc, d, area, plan_conditions, fits)
    activities = [technical, planact]
    if sc.monument is not None:
        activities.append(_monument_activity(sc))

    outcomes = {a.outcome for a in activities}
    verdict = next(
        (o for o in (R.VERGUNNINGPLICHT, R.MELDINGSPLICHT, R.INFORMATIEPLICHT) if o in outcomes),
        R.GEEN_VERGUNNING,
    )
    derived = {
        "achtererfgebied": _geojson(d.achtererfgebied),
        "voorerfgebied": _geojson(d.voorerfgebied),
        "bebouwingsgebied": _geojson(d.bebouwingsgebied),
        "one_metre_line": _geojson(d.one_metre_line),
        "road_sides": [
            {"role": f.role, "line": _geojson(f.line), "facade_depth_m": round(f.facade_depth, 6)}
            for f in d.frames
        ],
        "near_zone": _geojson(d.near_zone),
        "ridge": _geojson(d.ridge) if d.ridge is not None else None,
        "achtererfgebied_m2": round(d.achtererfgebied.area, 6),
        "bebouwingsgebied_m2": round(area["bebouwingsgebied"], 6),
        "max_area_m2": round(area["max"], 6),
        "existing_area_m2": round(area["existing"], 6),
        "proposal_area_m2": round(sc.proposal.area, 6),
        "total_area_m2": round(area["total"], 6),
        "remaining_area_m2": round(max(0.0, area["max"] - area["existing"]), 6),
        "proposal_near_m2": round(d.proposal_near.area, 6),
        "proposal_far_m2": round(d.proposal_far.area, 6),
    }
    return CheckResult(
        verdict=verdict,
        activities=tuple(activities),
        fits_plan=fits_plan,
        derived=derived,
        notes=d.notes,
    )


def _area_facts(sc: Scenario, d: Derived) -> dict[str, float]:
    bg = d.bebouwingsgebied
    existing = d.extension.area
    if sc.annexes:
        footprints = np.array([a.footprint for a in sc.annexes], dtype=object)
        existing += float(shapely.area(shapely.intersection(footprints, bg)).sum()) if not bg.is_empty else 0.0
    b = bg.area
    return {
        "bebouwingsgebied": b,
        "max": R.max_oppervlakte_m2(b),
        "existing": existing,
        "total": existing + sc.proposal.area,
    }


def _attached(sc: Scenario) -> bool:
    near = sc.main_footprint.distance(sc.proposal) <= R.TOL_M * 10
    return near or any(a.footprint.distance(sc.proposal) <= R.TOL_M * 10 for a in sc.annexes)


def _technical(sc: Scenario) -> Activity:
    conds = (
        Condition(
            "bbl_op_de_grond",
            R.ART_BBL_VRIJ,
            "Het bijbehorend bouwwerk staat op de grond.",
            passed=True,
            detail="Aangenomen: de scenario-indeling beschrijft een bouwwerk op maaiveld.",
        ),
        Condition(
            "bbl_hoogte_5m",
            R.ART_BBL_VRIJ,
            f"Het bouwwerk is niet hoger dan {_m(R.BBL_MAX_HOOGTE_M)}.",
            passed=_le(sc.proposal_height, R.BBL_MAX_HOOGTE_M),
            value=sc.proposal_height,
            limit=R.BBL_MAX_HOOGTE_M,
        ),
    )
    name = "Technische bouwactiviteit (bouwen, Bbl)"
    if all(not c.failed for c in conds):
        return Activity(
            "technische_bouwactiviteit", name, R.GEEN_VERGUNNING, R.ART_BBL_VRIJ,
            "Een bijbehorend bouwwerk op de grond van niet meer dan 5 m hoog is technisch vergunningvrij. "
            "Het moet wel voldoen aan de bouwtechnische regels van het Bbl.",
            conds,
        )
    if _attached(sc):
        return Activity(
            "technische_bouwactiviteit", name, R.VERGUNNINGPLICHT, R.ART_BBL_VERGUNNINGPLICHT,
            "Het bouwwerk is hoger dan 5 m en vergroot een bestaand gebouw (verbouw). Daarvoor is een "
            "omgevingsvergunning voor de technische bouwactiviteit nodig; de Wet kwaliteitsborging geldt nog niet voor verbouw.",
            conds,
        )
    return Activity(
        "technische_bouwactiviteit", name, R.MELDINGSPLICHT, R.ART_BBL_MELDING,
        "Het vrijstaande bouwwerk is hoger dan 5 m: nieuwbouw in gevolgklasse 1 (Wet kwaliteitsborging). "
        "Er is geen vergunning voor de technische bouwactiviteit nodig, wel een bouwmelding vooraf en een gereedmelding.",
        conds,
    )


def _plan_conditions(sc: Scenario) -> list[Condition]:
    plan = sc.plan
    out: list[Condition] = []
    if plan.bestemming is None:
        out.append(Condition(
            "plan_bestemming", R.ART_OMGEVINGSPLAN, "De bestemming staat bouwen toe.", passed=True,
            applicable=False, detail="Geen bestemming opgegeven.",
        ))
    else:
        group = R.bestemming_hoofdgroep(plan.bestemming)
        out.append(Condition(
            "plan_bestemming", R.ART_OMGEVINGSPLAN, "De bestemming staat bouwen van een bijbehorend bouwwerk toe.",
            passed=group not in R.GEEN_BOUW_BESTEMMINGEN, value=plan.bestemming,
            detail=f"Bestemming {plan.bestemming!r} (hoofdgroep {group!r}).",
        ))
    if plan.bouwvlak is not None:
        outside = sc.proposal.difference(plan.bouwvlak).area
        out.append(Condition(
            "plan_bouwvlak", R.ART_OMGEVINGSPLAN, "Het bouwwerk ligt binnen het bouwvlak.",
            passed=outside <= R.TOL_M2, value=round(outside, 6), limit=0.0,
            detail=f"{_m2(outside)} ligt buiten het bouwvlak.",
        ))
    else:
        out.append(Condition("plan_bouwvlak", R.ART_OMGEVINGSPLAN, "Het bouwwerk ligt binnen het bouwvlak.",
                             passed=True, applicable=False, detail="Geen bouwvlak opgegeven (geen beperking)."))
    if plan.max_bouwhoogte is not None:
        out.append(Condition(
            "plan_bouwhoogte", R.ART_OMGEVINGSPLAN,
            f"De bouwhoogte is niet meer dan de maximale bouwhoogte van {_m(plan.max_bouwhoogte)}.",
            passed=_le(sc.proposal_height, plan.max_bouwhoogte), value=sc.proposal_height, limit=plan.max_bouwhoogte,
        ))
    else:
        out.append(Condition("plan_bouwhoogte", R.ART_OMGEVINGSPLAN, "De bouwhoogte past binnen het plan.",
                             passed=True, applicable=False, detail="Geen maximale bouwhoogte opgegeven."))
    if plan.max_goothoogte is not None:
        out.append(Condition(
            "plan_goothoogte", R.ART_OMGEVINGSPLAN,
            f"De goothoogte is niet meer dan de maximale goothoogte van {_m(plan.max_goothoogte)}.",
            passed=_le(sc.eaves_height, plan.max_goothoogte), value=sc.eaves_height, limit=plan.max_goothoogte,
        ))
    else:
        out.append(Condition("plan_goothoogte", R.ART_OMGEVINGSPLAN, "De goothoogte past binnen het plan.",
                             passed=True, applicable=False, detail="Geen maximale goothoogte opgegeven."))
    if plan.bebouwingspercentage is not None:
        built = shapely.union_all(
            [sc.main_footprint, sc.proposal, *(a.footprint for a in sc.annexes)]
        ).intersection(sc.parcel).area
        pct = 100.0 * built / sc.parcel.area
        out.append(Condition(
            "plan_bebouwingspercentage", R.ART_OMGEVINGSPLAN,
            f"Het perceel is voor niet meer dan {plan.bebouwingspercentage:g}% bebouwd.",
            passed=_le(pct, plan.bebouwingspercentage, 1e-9), value=round(pct, 6), limit=plan.bebouwingspercentage,
            detail=f"Bebouwd {_m2(built)} van {_m2(sc.parcel.area)} (hoofdgebouw, bestaande en nieuwe bijbehorende bouwwerken).",
        ))
    else:
        out.append(Condition("plan_bebouwingspercentage", R.ART_OMGEVINGSPLAN, "Het bebouwingspercentage past binnen het plan.",
                             passed=True, applicable=False, detail="Geen bebouwingspercentage opgegeven."))
    return out


def _exclusions(sc: Scenario, d: Derived) -> list[Condition]:
    conds = [Condition(
        "geen_monument", R.ART_BS_MONUMENT,
        "Het bouwwerk komt niet op of bij een monument.",
        passed=sc.monument is None, value=sc.monument or "geen monument",
    )]
    if sc.protected_townscape:
        hidden, why = _not_facing_public(sc, d)
        conds.append(Condition(
            "beschermd_gezicht", R.ART_BS_GEZICHT,
            "In een rijksbeschermd stads- of dorpsgezicht: het bouwwerk staat in het achtererfgebied en is niet "
            "naar openbaar toegankelijk gebied gekeerd (het hoofdgebouw staat ertussen).",
            passed=hidden, detail=why,
        ))
    else:
        conds.append(Condition(
            "beschermd_gezicht", R.ART_BS_GEZICHT, "Het perceel ligt in een rijksbeschermd stads- of dorpsgezicht.",
            passed=True, applicable=False, detail="Niet in een rijksbeschermd stads- of dorpsgezicht.",
        ))
    return conds


def _sweep(poly: Polygon, vector: np.ndarray) -> BaseGeometry:
    """The region swept by ``poly`` moved along ``vector`` (Minkowski sum with a segment)."""
    xy = shapely.get_coordinates(poly.exterior)
    a, b = xy[:-1], xy[1:]
    quads = np.stack([a, b, b + vector, a + vector, a], axis=1)
    parts = shapely.polygons(quads)
    parts = parts[shapely.area(parts) > 0]
    moved = shapely.affinity.translate(poly, *vector)
    return shapely.union_all([poly, moved, *parts])


def _not_facing_public(sc: Scenario, d: Derived) -> tuple[bool, str]:
    minx, miny, maxx, maxy = sc.parcel.bounds
    extent = 4.0 * float(np.hypot(maxx - minx, maxy - miny)) + 100.0
    for frame in d.frames:
        shadow = _sweep(sc.main_footprint, frame.normal * extent).buffer(R.TOL_M)
        if not shadow.covers(sc.proposal):
            visible = sc.proposal.difference(shadow).area
            return False, (
                f"Vanaf de weg aan de {frame.role} is {_m2(visible)} van het bouwwerk niet afgeschermd door het hoofdgebouw."
            )
    return True, "Het hoofdgebouw staat tussen het bouwwerk en elk aangrenzend openbaar toegankelijk gebied."


def _omgevingsplan(
    sc: Scenario, d: Derived, area: dict[str, float], plan_conditions: list[Condition], fits: bool,
) -> tuple[Activity, bool | None]:
    name = "Omgevingsplanactiviteit bouwen (omgevingsplan)"
    group = R.bestemming_hoofdgroep(sc.plan.bestemming) if sc.plan.bestemming else None
    erf_ok = group not in R.GEEN_ERF_BESTEMMINGEN
    outside = sc.proposal.difference(d.achtererfgebied.buffer(R.TOL_M)).area if not d.achtererfgebied.is_empty else sc.proposal.area
    conds: list[Condition] = [
        Condition(
            "erf", R.ART_BBL_BEGRIPPEN,
            "Het bouwwerk staat op gebouwerf (het omgevingsplan verbiedt de inrichting als erf niet).",
            passed=erf_ok, applicable=group is not None, value=sc.plan.bestemming,
            detail="" if group is not None else "Geen bestemming opgegeven; aangenomen dat de grond erf is.",
        ),
        Condition(
            "achtererfgebied", R.ART_BS_VRIJ,
            "Het bouwwerk staat helemaal in het achtererfgebied (achter de lijn 1 m achter de voorkant van het hoofdgebouw).",
            passed=outside <= R.TOL_M2, value=round(outside, 6), limit=0.0,
            detail=f"{_m2(outside)} van het bouwwerk ligt buiten het achtererfgebied.",
        ),
        Condition(
            "oppervlakte", R.ART_BS_VRIJ,
            "De bijbehorende bouwwerken in het bebouwingsgebied (bestaand en nieuw samen) blijven binnen de maximale oppervlakte.",
            passed=_le(area["total"], area["max"], R.TOL_M2), value=area["total"], limit=area["max"],
            detail=(
                f"Bebouwingsgebied {_m2(area['bebouwingsgebied'])}, toegestaan {_m2(area['max'])}; "
                f"al bebouwd {_m2(area['existing'])}, nieuw {_m2(sc.proposal.area)}."
            ),
        ),
    ]
    near = not d.proposal_near.is_empty and d.proposal_near.area > R.TOL_M2
    far = not d.proposal_far.is_empty and d.proposal_far.area > R.TOL_M2
    h = sc.proposal_height
    conds.append(Condition(
        "hoogte_nabij_5m", R.ART_BS_VRIJ,
        f"Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan {_m(R.NABIJ_MAX_HOOGTE_M)}.",
        passed=_le(h, R.NABIJ_MAX_HOOGTE_M), applicable=near, value=h, limit=R.NABIJ_MAX_HOOGTE_M,
    ))
    if sc.second_storey_floor is not None:
        lim = sc.second_storey_floor + R.NABIJ_BOVEN_TWEEDE_BOUWLAAG_M
        conds.append(Condition(
            "hoogte_nabij_tweede_bouwlaag", R.ART_BS_VRIJ,
            "Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan 0,3 m boven de vloer van de tweede bouwlaag.",
            passed=_le(h, lim), applicable=near, value=h, limit=lim,
        ))
    else:
        conds.append(Condition(
            "hoogte_nabij_tweede_bouwlaag", R.ART_BS_VRIJ,
            "Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan 0,3 m boven de vloer van de tweede bouwlaag.",
            passed=True, applicable=False, detail="Het hoofdgebouw heeft geen tweede bouwlaag opgegeven.",
        ))
    conds.append(Condition(
        "hoogte_nabij_hoofdgebouw", R.ART_BS_VRIJ,
        "Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan het hoofdgebouw.",
        passed=_le(h, sc.main_height), applicable=near, value=h, limit=sc.main_height,
    ))
    conds.append(Condition(
        "dakvoet_verder_3m", R.ART_BS_VRIJ,
        f"Verder dan 4 m van het oorspronkelijk hoofdgebouw: dakvoet (bij een plat dak de hoogte) niet hoger dan {_m(R.VERDER_MAX_DAKVOET_M)}.",
        passed=_le(sc.eaves_height, R.VERDER_MAX_DAKVOET_M), applicable=far, value=sc.eaves_height,
        limit=R.VERDER_MAX_DAKVOET_M,
    ))
    sloped = d.ridge is not None
    if sloped:
        assert d.ridge is not None
        dist = d.ridge.distance(sc.parcel.exterior)
        nok_lim = min(R.VERDER_MAX_NOK_M, R.VERDER_NOK_BASIS_M + R.VERDER_NOK_FACTOR * dist)
        assumed = " (aangenomen: zadeldak met de nok over de lange as)" if d.ridge_assumed else ""
        conds.append(Condition(
            "daknok_verder", R.ART_BS_VRIJ,
            "Verder dan 4 m van het oorspronkelijk hoofdgebouw: daknok niet hoger dan 3 m + 0,47 x de afstand "
            "van de nok tot de perceelsgrens, en niet hoger dan 5 m.",
            passed=_le(h, nok_lim), applicable=far, value=h, limit=nok_lim,
            detail=f"Afstand nok tot perceelsgrens {_m(dist)}{assumed}.",
        ))
        pitch = d.roof_pitch_deg
        conds.append(Condition(
            "dakhelling_verder", R.ART_BS_VRIJ,
            f"Verder dan 4 m van het oorspronkelijk hoofdgebouw: dakhelling niet meer dan {R.VERDER_MAX_DAKHELLING_GRADEN:g} graden.",
            passed=pitch is not None and pitch <= R.VERDER_MAX_DAKHELLING_GRADEN + 1e-9, applicable=far,
            value=None if pitch is None else round(pitch, 3), limit=R.VERDER_MAX_DAKHELLING_GRADEN,
            detail="" if sc.roof_pitch_deg is not None else "Dakhelling berekend voor een zadeldak over de korte overspanning.",
        ))
    exclusions = _exclusions(sc, d)
    conds.extend(exclusions)

    if all(not c.failed for c in conds):
        return Activity(
            "omgevingsplanactiviteit_bouwen", name, R.GEEN_VERGUNNING, R.ART_BS_VRIJ,
            "Het bijbehorend bouwwerk voldoet aan alle eisen voor vergunningvrij bouwen in het achtererfgebied; "
            "de regels van het omgevingsplan gelden hiervoor niet.",
            tuple(conds),
        ), None

    # art. 22.27: the omgevingsplan applies in full
    c2227 = [
        Condition(
            "plan_22_27_hoogte_5m", R.ART_BS_PLAN_VAN_TOEPASSING,
            f"Bijbehorend bouwwerk op de grond, niet hoger dan {_m(R.BS_22_27_MAX_HOOGTE_M)}.",
            passed=_le(h, R.BS_22_27_MAX_HOOGTE_M), value=h, limit=R.BS_22_27_MAX_HOOGTE_M,
        ),
        Condition(
            "plan_22_27_past_in_plan", R.ART_BS_PLAN_VAN_TOEPASSING,
            "Het bouwwerk voldoet aan de regels van het omgevingsplan.",
            passed=fits and sc.plan.bestemming is not None,
            detail="" if sc.plan.bestemming is not None else "Zonder bestemming is niet vast te stellen dat het bouwwerk in het plan past.",
        ),
    ]
    if all(not c.failed for c in c2227) and all(not c.failed for c in exclusions):
        return Activity(
            "omgevingsplanactiviteit_bouwen", name, R.GEEN_VERGUNNING, R.ART_BS_PLAN_VAN_TOEPASSING,
            "Het bouwwerk is niet vergunningvrij in het achtererfgebied, maar het is een bijbehorend bouwwerk van "
            "niet meer dan 5 m dat aan de regels van het omgevingsplan voldoet: geen vergunning nodig.",
            (*conds, *c2227, *plan_conditions),
        ), None
    failed = [c.description for c in conds if c.failed]
    fit_text = (
        "Het bouwwerk past in het omgevingsplan: de vergunning moet dan in beginsel worden verleend."
        if fits else
        "Het bouwwerk past niet in het omgevingsplan: een vergunning kan alleen met afwijken van het plan (buitenplanse omgevingsplanactiviteit)."
    )
    return Activity(
        "omgevingsplanactiviteit_bouwen", name, R.VERGUNNINGPLICHT, R.ART_BS_VERGUNNINGPLICHT,
        "Niet vergunningvrij: " + " ".join(failed) + " " + fit_text,
        (*conds, *c2227, *plan_conditions),
    ), fits


def _monument_activity(sc: Scenario) -> Activity:
    kind = sc.monument or "monument"
    if kind == "gemeentelijk monument":
        article = R.ART_OP_MONUMENT_GEMEENTELIJK
    elif kind == "provinciaal monument":
        article = R.ART_OP_MONUMENT_PROVINCIAAL
    else:
        article = R.ART_OW_MONUMENT
    cond = Condition(
        "monument", article, "Het bouwen gebeurt op of bij een monument.", passed=False, value=kind,
        detail="Bouwen op of bij een monument kan het monument wijzigen; daarvoor is een vergunning nodig.",
    )
    return Activity(
        "monumentenactiviteit", f"Monumentenactiviteit ({kind})", R.VERGUNNINGPLICHT, article,
        f"Het perceel is een {kind}: voor bouwen op of bij het monument is een omgevingsvergunning nodig.",
        (cond,),
    )

