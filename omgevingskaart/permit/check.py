"""``check_build``: does a bijbehorend bouwwerk need an omgevingsvergunning?

The check answers per activity, in the Omgevingsloket's terms ("geen vergunning nodig",
"vergunningplicht", "meldingsplicht", "informatieplicht"), plus, when data it needs is missing,
**"hangt af van het omgevingsplan"** (plan rules unknown) or "hangt af van ontbrekende gegevens"
(oorspronkelijk hoofdgebouw, vloerhoogte, monumentstatus unknown).  A missing fact never counts
as passed: each condition has a state, ``voldaan``, ``niet voldaan``, ``onbekend`` or
``niet van toepassing``, and "geen vergunning nodig" needs every condition of a route checked
against known data.

1. **Technische bouwactiviteit** (Bbl).  Free for a bijbehorend bouwwerk on the ground and at most
   5 m high, in front and at the back alike (Bbl art. 2.27, tweede lid).  Otherwise: an aanbouw or
   uitbouw (touching the hoofdgebouw or an existing bijbehorend bouwwerk) is verbouw, for which the
   Wkb does not yet apply, so the permit of Bbl art. 2.25 is needed ("vergunningplicht"); a
   detached bijgebouw is new building in gevolgklasse 1: no permit (art. 2.27, eerste lid, onder a)
   but a bouwmelding ("meldingsplicht").
2. **Omgevingsplanactiviteit bouwen** (bruidsschat in the omgevingsplan).  Vergunningplicht
   (art. 22.26) unless one of two routes holds:

   a. art. 22.36 (omgevingsplan not applicable): on gebouwerf in the achtererfgebied; within the
      area formula (existing bijbehorende bouwwerken and later extensions of the hoofdgebouw
      included); within 4 m of the oorspronkelijk hoofdgebouw at most 5 m, at most 0.3 m above the
      floor of the second bouwlaag and not higher than the hoofdgebouw; farther out dakvoet at most
      3 m, daknok at most 3 m + 0.47 x its distance to the perceelsgrens (and 5 m), pitch at most
      55 degrees; not on or at a monument; not in a rijksbeschermd stads- of dorpsgezicht (on the
      Bor lineage the fully free regime does not apply there);
   b. art. 22.27 (omgevingsplan applies in full, its tijdelijk deel included,
      ECLI:NL:RBLIM:2025:4355): on the ground, in the achtererfgebied, at most 5 m, more than 1 m
      from openbaar toegankelijk gebied, verblijfsgebied only on the first bouwlaag, no dakterras,
      not at a monument, in a beschermd gezicht not facing openbaar toegankelijk gebied, **and**
      every plan rule for a bijbehorend bouwwerk known and met: the bestemming, inside the
      bouwvlak or outside where the plan allows bijgebouwen, their own area, goot- and bouwhoogte
      and distance behind the voorgevel, the maatvoering on the spot and the bebouwingspercentage.

   Both routes fail: vergunningplicht.  Neither passes but one is undecided: "hangt af van het
   omgevingsplan" when plan rules are missing, else "hangt af van ontbrekende gegevens".  When a
   permit may be needed, ``fits_plan`` says whether the proposal meets the plan rules (None when
   they are not all known).
3. **Monumentenactiviteit**, for a monument: vergunningplicht (Omgevingswet art. 5.1, eerste lid,
   onder b for a rijksmonument; the omgevingsplan or the provinciale omgevingsverordening for a
   gemeentelijk or provinciaal monument); "hangt af van ontbrekende gegevens" when the monument
   status is not known.

The verdict: vergunningplicht when any activity needs a permit; else a "hangt af" outcome when
any activity is undecided; else meldingsplicht, informatieplicht, and "geen vergunning nodig"
only when every activity is free.  :mod:`omgevingskaart.permit.explain` turns the result into
the sentence a resident reads first and what would make the proposal vergunningvrij.

Tolerance: lengths and heights compare with :data:`~omgevingskaart.permit.rules.TOL_M` (1e-6 m),
areas with :data:`~omgevingskaart.permit.rules.TOL_M2` (1e-6 m2); a value exactly on a limit passes,
except "meer dan 1 m" from openbaar toegankelijk gebied (exactly 1 m does not).

>>> import json
>>> from omgevingskaart.permit import check_build
>>> sc = json.load(open("tests/scenarios/01_aanbouw_achter_vrij.json"))
>>> check_build(sc).verdict
'geen vergunning nodig'
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

#: where a missing plan rule can be read
PLAN_WHERE = ("het omgevingsplan van de gemeente op het Omgevingsloket (omgevingswet.overheid.nl, "
              "'Regels op de kaart'); de bouwregels van de bestemming en de regels voor bijbehorende "
              "bouwwerken staan in het tijdelijk deel (het bestemmingsplan)")


@dataclass(frozen=True)
class Condition:
    """One legal condition, checked.  ``state`` is one of voldaan / niet voldaan / onbekend /
    niet van toepassing; ``passed`` is meaningful only when ``applicable`` and not ``unknown``."""

    id: str
    article: str
    description: str
    passed: bool
    applicable: bool = True
    value: float | str | None = None
    limit: float | str | None = None
    detail: str = ""
    unknown: bool = False
    """The data this condition needs is missing: it counts neither as passed nor as failed."""
    source: str = ""
    """For an unknown condition: "plan" (a plan rule is missing) or "gegevens" (another fact)."""
    missing: str = ""
    """For an unknown condition: what is missing, in Dutch."""
    plain: str = ""
    """For a failed condition: the reason in plain Dutch, for a resident."""

    @property
    def failed(self) -> bool:
        return self.applicable and not self.unknown and not self.passed

    @property
    def is_unknown(self) -> bool:
        return self.applicable and self.unknown

    @property
    def state(self) -> str:
        if not self.applicable:
            return R.NIET_VAN_TOEPASSING
        if self.unknown:
            return R.ONBEKEND
        return R.VOLDAAN if self.passed else R.NIET_VOLDAAN

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article": self.article,
            "description": self.description,
            "state": self.state,
            "applicable": self.applicable,
            "passed": self.passed and self.applicable and not self.unknown,
            "value": _round(self.value),
            "limit": _round(self.limit),
            "detail": self.detail,
            "missing": self.missing,
            "plain": self.plain,
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
        return _unique(c.id for c in self.conditions if c.failed)

    @property
    def unknown(self) -> list[str]:
        return _unique(c.id for c in self.conditions if c.is_unknown)

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "name": self.name,
            "outcome": self.outcome,
            "article": self.article,
            "reason": self.reason,
            "failing_conditions": self.failing,
            "unknown_conditions": self.unknown,
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True)
class CheckResult:
    verdict: str
    activities: tuple[Activity, ...]
    fits_plan: bool | None
    """Whether the proposal fits the omgevingsplan when a permit may be needed (None: free, or
    plan rules unknown)."""
    derived: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)
    summary: str = ""
    """The sentence a resident reads first: the verdict and the decisive reason in plain Dutch."""
    decisive: str | None = None
    """The id of the decisive (failing or unknown) condition, None when free."""
    advice: dict[str, Any] = field(default_factory=dict)
    """What would make it vergunningvrij here (largest height and area), see :mod:`.explain`."""
    plan: dict[str, Any] = field(default_factory=dict)
    """The plan checked against: id, name, version, and where to find its rules."""

    def activity(self, activity_id: str) -> Activity:
        for act in self.activities:
            if act.activity == activity_id:
                return act
        raise KeyError(activity_id)

    @property
    def failing_conditions(self) -> list[str]:
        return _unique(cid for act in self.activities for cid in act.failing)

    @property
    def unknown_conditions(self) -> list[str]:
        return _unique(cid for act in self.activities for cid in act.unknown)

    @property
    def missing(self) -> list[dict[str, str]]:
        """Every unknown condition: what is missing and where to find it."""
        out: list[dict[str, str]] = []
        seen: set[str] = set()
        for act in self.activities:
            for c in act.conditions:
                if c.is_unknown and c.id not in seen:
                    seen.add(c.id)
                    out.append({"condition": c.id, "what": c.missing or c.description,
                                "source": c.source, "where": _where(c.source, self.plan)})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "decisive_condition": self.decisive,
            "advice": self.advice,
            "fits_plan": self.fits_plan,
            "activities": [a.to_dict() for a in self.activities],
            "failing_conditions": self.failing_conditions,
            "unknown_conditions": self.unknown_conditions,
            "missing": self.missing,
            "plan": self.plan,
            "derived": self.derived,
            "notes": list(self.notes),
            "legal_basis": [R.BBL_VERSION, R.BRUIDSSCHAT_VERSION, R.OW_VERSION],
        }


def _where(source: str, plan: dict[str, Any]) -> str:
    if source == "plan":
        ident = plan.get("plan_id")
        return (f"Plan {ident}: " if ident else "") + PLAN_WHERE
    return "Vraag het na bij de gemeente of vul het zelf in (u kent uw huis)."


def _unique(ids: Any) -> list[str]:
    return list(dict.fromkeys(ids))


def _round(value: float | str | None) -> float | str | None:
    if isinstance(value, float):
        return round(value, 6)
    return value


def _geojson(geom: BaseGeometry | None) -> dict[str, Any] | None:
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


def _route_state(conds: list[Condition]) -> str:
    if any(c.failed for c in conds):
        return R.NIET_VOLDAAN
    if any(c.is_unknown for c in conds):
        return R.ONBEKEND
    return R.VOLDAAN


# --- the check ------------------------------------------------------------------------------------


def check_build(scenario: dict[str, Any] | Scenario) -> CheckResult:
    """Check whether a bijbehorend bouwwerk needs an omgevingsvergunning (see the module docstring).

    ``scenario`` is a scenario dict (the JSON format of :mod:`omgevingskaart.permit.scenario`) or a
    parsed :class:`~omgevingskaart.permit.scenario.Scenario`.  Raises
    :class:`~omgevingskaart.errors.ScenarioError` naming the field for inconsistent input.
    """
    from .explain import advice_for, summary_for

    sc = scenario if isinstance(scenario, Scenario) else parse_scenario(scenario)
    d = derive(sc)
    area = _area_facts(sc, d)

    technical = _technical(sc)
    plan_conditions = _plan_conditions(sc, d)
    planact, fits_plan = _omgevingsplan(sc, d, area, plan_conditions)
    activities = [technical, planact]
    if sc.monument is not None:
        activities.append(_monument_activity(sc))

    outcomes = {a.outcome for a in activities}
    verdict = next(
        (o for o in (R.VERGUNNINGPLICHT, R.HANGT_AF_PLAN, R.HANGT_AF_GEGEVENS, R.MELDINGSPLICHT,
                     R.INFORMATIEPLICHT) if o in outcomes),
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
        "near_zone_known": d.original_known,
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
    plan = {
        "plan_id": sc.plan.plan_id,
        "plan_naam": sc.plan.plan_naam,
        "plan_versie": sc.plan.plan_versie,
        "bestemming": sc.plan.bestemming,
        "where": PLAN_WHERE,
    }
    notes = d.notes
    if planact.outcome == R.GEEN_VERGUNNING and "22.27" in planact.article:
        notes = (*notes, "Via art. 22.27 getoetst aan de bestemming, het bouwvlak, de regels voor bijgebouwen, de "
                         "maatvoering en het bebouwingspercentage. Niet getoetst: dubbelbestemmingen, "
                         "gebiedsaanduidingen, algemene regels en het nieuwe deel van het omgevingsplan; kijk die na "
                         "op het Omgevingsloket.")
    result = CheckResult(
        verdict=verdict,
        activities=tuple(activities),
        fits_plan=fits_plan,
        derived=derived,
        notes=notes,
        plan=plan,
    )
    summary, decisive = summary_for(result)
    return CheckResult(
        verdict=verdict, activities=result.activities, fits_plan=fits_plan, derived=derived,
        notes=notes, plan=plan, summary=summary, decisive=decisive, advice=advice_for(sc, d, area, result),
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
            detail="Zo opgegeven: het ontwerp is een bouwwerk op maaiveld.",
        ),
        Condition(
            "bbl_hoogte_5m",
            R.ART_BBL_VRIJ,
            f"Het bouwwerk is niet hoger dan {_m(R.BBL_MAX_HOOGTE_M)}.",
            passed=_le(sc.proposal_height, R.BBL_MAX_HOOGTE_M),
            value=sc.proposal_height,
            limit=R.BBL_MAX_HOOGTE_M,
            plain=f"Uw bouwwerk is {_m(sc.proposal_height)} hoog; zonder vergunning of melding mag het "
                  f"hooguit {_m(R.BBL_MAX_HOOGTE_M)} zijn.",
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


# --- the omgevingsplan's rules for a bijbehorend bouwwerk (art. 22.27 and fits_plan) ----------------


def _plan_unknown(cid: str, article: str, description: str, missing: str, **kw: Any) -> Condition:
    return Condition(cid, article, description, passed=False, unknown=True, source="plan",
                     missing=missing, detail=f"Niet bekend: {missing}.", **kw)


def _plan_limit(cid: str, article: str, what: str, value: float, limit: float | str | None,
                missing: str, unit: str = "m") -> Condition:
    """A plan maximum: checked when a number, not applicable for "geen", unknown for None."""
    fmt = _m if unit == "m" else _m2
    if limit is None:
        return _plan_unknown(cid, article, f"{what} past binnen het omgevingsplan.", missing, value=value)
    if limit == R.GEEN_REGEL:
        return Condition(cid, article, f"{what} past binnen het omgevingsplan.", passed=True, applicable=False,
                         value=value, detail="Het omgevingsplan stelt hier geen grens.")
    assert isinstance(limit, float)
    ok = _le(value, limit, R.TOL_M if unit == "m" else R.TOL_M2)
    return Condition(
        cid, article, f"{what} is niet meer dan {fmt(limit)} (omgevingsplan).", passed=ok, value=value, limit=limit,
        plain="" if ok else f"{what} is {fmt(value)}; het omgevingsplan staat hier hooguit {fmt(limit)} toe.",
    )


def _plan_conditions(sc: Scenario, d: Derived) -> list[Condition]:
    plan = sc.plan
    bg = plan.bijgebouwen
    art, art_bg = R.ART_OMGEVINGSPLAN, R.ART_OMGEVINGSPLAN_BIJGEBOUWEN
    out: list[Condition] = []
    if plan.bestemming is None:
        out.append(_plan_unknown("plan_bestemming", art, "De bestemming staat een bijbehorend bouwwerk toe.",
                                 "de bestemming van het perceel"))
    else:
        group = R.bestemming_hoofdgroep(plan.bestemming)
        ok = group not in R.GEEN_BOUW_BESTEMMINGEN
        out.append(Condition(
            "plan_bestemming", art, "De bestemming staat bouwen van een bijbehorend bouwwerk toe.",
            passed=ok, value=plan.bestemming, detail=f"Bestemming {plan.bestemming!r} (hoofdgroep {group!r}).",
            plain="" if ok else f"De bestemming {plan.bestemming!r} staat hier geen bijbehorend bouwwerk toe.",
        ))

    # inside the bouwvlak, or outside it where the plan allows bijgebouwen
    desc = "Het bouwwerk ligt binnen het bouwvlak, of erbuiten waar het plan bijgebouwen toestaat."
    if plan.bouwvlak is None:
        outside = None
    elif plan.bouwvlak == R.GEEN_REGEL:
        outside = sc.proposal.area
    else:
        assert isinstance(plan.bouwvlak, BaseGeometry)
        outside = sc.proposal.difference(plan.bouwvlak).area
    if outside is not None and outside <= R.TOL_M2:
        out.append(Condition("plan_bouwvlak", art, desc, passed=True, value=0.0, limit=0.0,
                             detail="Het bouwwerk ligt binnen het bouwvlak."))
    elif bg.buiten_bouwvlak is True:
        out.append(Condition("plan_bouwvlak", art_bg, desc, passed=True, value=outside,
                             detail="Buiten het bouwvlak; het plan staat bijgebouwen daar toe."))
    elif bg.buiten_bouwvlak is False and outside is not None:
        out.append(Condition(
            "plan_bouwvlak", art_bg, desc, passed=False, value=round(outside, 6), limit=0.0,
            detail=f"{_m2(outside)} ligt buiten het bouwvlak; het plan staat daar geen bijgebouwen toe.",
            plain=f"{_m2(outside)} van uw bouwwerk ligt buiten het bouwvlak, en het omgevingsplan staat daar "
                  "geen bijgebouwen toe.",
        ))
    else:
        missing = ("het bouwvlak" if outside is None else
                   "of het omgevingsplan bijgebouwen buiten het bouwvlak toestaat")
        out.append(_plan_unknown("plan_bouwvlak", art_bg, desc, missing,
                                 value=None if outside is None else round(outside, 6)))

    annexes = sum(a.footprint.area for a in sc.annexes)
    out.append(_plan_limit("plan_bijgebouwen_oppervlakte", art_bg,
                           "De oppervlakte aan bijgebouwen (bestaand en nieuw)", annexes + sc.proposal.area,
                           bg.max_oppervlakte, "de maximale oppervlakte aan bijgebouwen", unit="m2"))
    out.append(_plan_limit("plan_bijgebouwen_goothoogte", art_bg, "De goothoogte van het bijgebouw",
                           sc.eaves_height, bg.max_goothoogte, "de maximale goothoogte van bijgebouwen"))
    out.append(_plan_limit("plan_bijgebouwen_bouwhoogte", art_bg, "De bouwhoogte van het bijgebouw",
                           sc.proposal_height, bg.max_bouwhoogte, "de maximale bouwhoogte van bijgebouwen"))
    front = next((f for f in d.frames if f.role == "voorkant"), None)
    behind = 0.0
    if front is not None:
        behind = float(front.depth(shapely.get_coordinates(sc.proposal.exterior)).min()) - front.facade_depth
    lim = bg.min_afstand_achter_voorgevel
    desc = "Het bijgebouw staat ver genoeg achter de voorgevel van het hoofdgebouw."
    if lim is None:
        out.append(_plan_unknown("plan_bijgebouwen_achter_voorgevel", art_bg, desc,
                                 "de afstand die bijgebouwen achter de voorgevel moeten blijven", value=behind))
    elif lim == R.GEEN_REGEL:
        out.append(Condition("plan_bijgebouwen_achter_voorgevel", art_bg, desc, passed=True, applicable=False,
                             value=behind, detail="Het omgevingsplan stelt hier geen afstand."))
    else:
        assert isinstance(lim, float)
        ok = behind + R.TOL_M >= lim
        out.append(Condition(
            "plan_bijgebouwen_achter_voorgevel", art_bg, f"Het bijgebouw staat minstens {_m(lim)} achter de voorgevel.",
            passed=ok, value=round(behind, 6), limit=lim,
            plain="" if ok else f"Uw bouwwerk staat {_m(behind)} achter de voorgevel; het omgevingsplan vraagt "
                                f"minstens {_m(lim)}.",
        ))
    out.append(_plan_limit("plan_bouwhoogte", art, "De bouwhoogte (maatvoering op de plek van het bouwwerk)",
                           sc.proposal_height, plan.max_bouwhoogte,
                           "of er een maximale bouwhoogte (maatvoering) op de plek van het bouwwerk geldt"))
    out.append(_plan_limit("plan_goothoogte", art, "De goothoogte (maatvoering op de plek van het bouwwerk)",
                           sc.eaves_height, plan.max_goothoogte,
                           "of er een maximale goothoogte (maatvoering) op de plek van het bouwwerk geldt"))
    built = shapely.union_all(
        [sc.main_footprint, sc.proposal, *(a.footprint for a in sc.annexes)]
    ).intersection(sc.parcel).area
    pct = 100.0 * built / sc.parcel.area
    pct_lim = plan.bebouwingspercentage
    desc = "Het bebouwingspercentage past binnen het omgevingsplan."
    if pct_lim is None:
        out.append(_plan_unknown("plan_bebouwingspercentage", art, desc, "het maximale bebouwingspercentage",
                                 value=round(pct, 6)))
    elif pct_lim == R.GEEN_REGEL:
        out.append(Condition("plan_bebouwingspercentage", art, desc, passed=True, applicable=False,
                             value=round(pct, 6), detail="Het omgevingsplan stelt hier geen bebouwingspercentage."))
    else:
        assert isinstance(pct_lim, float)
        ok = _le(pct, pct_lim, 1e-9)
        out.append(Condition(
            "plan_bebouwingspercentage", art, f"Het perceel is voor niet meer dan {pct_lim:g}% bebouwd.",
            passed=ok, value=round(pct, 6), limit=pct_lim,
            detail=f"Bebouwd {_m2(built)} van {_m2(sc.parcel.area)} (hoofdgebouw, bestaande en nieuwe bijbehorende bouwwerken).",
            plain="" if ok else f"Het perceel zou voor {pct:.1f}% bebouwd zijn; het omgevingsplan staat {pct_lim:g}% toe.",
        ))
    return out


# --- monuments and beschermd gezicht -------------------------------------------------------------------


def _monument_condition(sc: Scenario) -> Condition:
    desc = "Het bouwwerk komt niet op of bij een monument."
    if sc.monument == "onbekend":
        return Condition("geen_monument", R.ART_BS_MONUMENT, desc, passed=False, unknown=True, source="gegevens",
                         missing="of het perceel een (rijks-, provinciaal, gemeentelijk of voorbeschermd) monument is",
                         detail="Niet bekend: de monumentstatus (monumentenregister niet geladen).")
    return Condition("geen_monument", R.ART_BS_MONUMENT, desc, passed=sc.monument is None,
                     value=sc.monument or "geen monument",
                     plain="" if sc.monument is None else
                     f"Het perceel is een {sc.monument}: bij een monument geldt vergunningvrij bouwen niet.")


def _gezicht_22_36(sc: Scenario) -> Condition:
    desc = "Het perceel ligt niet in een rijksbeschermd stads- of dorpsgezicht (daar geldt deze vrijstelling niet)."
    if sc.protected_townscape is None:
        return Condition("beschermd_gezicht_22_36", R.ART_BS_GEZICHT, desc, passed=False, unknown=True,
                         source="gegevens", missing="of het perceel in een rijksbeschermd stads- of dorpsgezicht ligt",
                         detail="Niet bekend: beschermd gezicht (laag niet geladen).")
    return Condition("beschermd_gezicht_22_36", R.ART_BS_GEZICHT, desc, passed=not sc.protected_townscape,
                     plain="Het perceel ligt in een rijksbeschermd stads- of dorpsgezicht: daar geldt de volledig "
                           "vergunningvrije regeling niet." if sc.protected_townscape else "")


def _gezicht_22_27(sc: Scenario, d: Derived) -> Condition:
    desc = ("In een rijksbeschermd stads- of dorpsgezicht: het bouwwerk staat in het achtererfgebied en is niet "
            "naar openbaar toegankelijk gebied gekeerd (het hoofdgebouw staat ertussen).")
    if sc.protected_townscape is None:
        return Condition("beschermd_gezicht", R.ART_BS_GEZICHT, desc, passed=False, unknown=True, source="gegevens",
                         missing="of het perceel in een rijksbeschermd stads- of dorpsgezicht ligt")
    if not sc.protected_townscape:
        return Condition("beschermd_gezicht", R.ART_BS_GEZICHT, desc, passed=True, applicable=False,
                         detail="Niet in een rijksbeschermd stads- of dorpsgezicht.")
    hidden, why = _not_facing_public(sc, d)
    return Condition("beschermd_gezicht", R.ART_BS_GEZICHT, desc, passed=hidden, detail=why,
                     plain="" if hidden else "In dit beschermde gezicht is uw bouwwerk vanaf de straat te zien: "
                                             "het huis staat er niet helemaal tussen.")


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


# --- art. 22.36: the height and area rules ---------------------------------------------------------------


def _achtererf_condition(cid: str, article: str, sc: Scenario, d: Derived) -> Condition:
    outside = (sc.proposal.difference(d.achtererfgebied.buffer(R.TOL_M)).area
               if not d.achtererfgebied.is_empty else sc.proposal.area)
    ok = outside <= R.TOL_M2
    return Condition(
        cid, article,
        "Het bouwwerk staat helemaal in het achtererfgebied (achter de lijn 1 m achter de voorkant van het hoofdgebouw).",
        passed=ok, value=round(outside, 6), limit=0.0,
        detail=f"{_m2(outside)} van het bouwwerk ligt buiten het achtererfgebied.",
        plain="" if ok else "Uw bouwwerk staat (deels) in de voortuin of zijtuin (geel op de kaart). Zet het achter "
                            "de oranje lijn, in het groene gebied, of vraag een vergunning aan.",
    )


def _height_rules(sc: Scenario, d: Derived) -> list[Condition]:
    """The near (within 4 m) and far rules.  With the oorspronkelijk hoofdgebouw unknown, the part
    within 4 m of the current hoofdgebouw is only possibly near: a rule that fails there is unknown,
    unless the other zone's rules fail too (then it fails either way)."""
    near = not d.proposal_near.is_empty and d.proposal_near.area > R.TOL_M2
    far_certain = not d.proposal_far.is_empty and d.proposal_far.area > R.TOL_M2
    maybe = near and not d.original_known  # the near part may be far as well
    h = sc.proposal_height
    art = R.ART_BS_VRIJ

    near_checks: list[tuple[str, str, bool | None, float | None, float | None, str]] = []
    near_checks.append(("hoogte_nabij_5m", f"Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan {_m(R.NABIJ_MAX_HOOGTE_M)}.",
                        _le(h, R.NABIJ_MAX_HOOGTE_M), h, R.NABIJ_MAX_HOOGTE_M,
                        f"Dicht bij het huis (binnen 4 m) mag uw bouwwerk hooguit {_m(R.NABIJ_MAX_HOOGTE_M)} hoog zijn; het is {_m(h)}."))
    floor_desc = "Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan 0,3 m boven de vloer van de tweede bouwlaag."
    if sc.second_storey_floor is not None:
        lim = sc.second_storey_floor + R.NABIJ_BOVEN_TWEEDE_BOUWLAAG_M
        near_checks.append(("hoogte_nabij_tweede_bouwlaag", floor_desc, _le(h, lim), h, lim,
                            f"Dicht bij het huis mag uw bouwwerk hooguit 0,3 m boven de vloer van de verdieping "
                            f"komen ({_m(lim)}); het is {_m(h)}."))
    elif not sc.second_storey_known:
        near_checks.append(("hoogte_nabij_tweede_bouwlaag", floor_desc, None, h, None, ""))
    near_checks.append(("hoogte_nabij_hoofdgebouw", "Binnen 4 m van het oorspronkelijk hoofdgebouw niet hoger dan het hoofdgebouw.",
                        _le(h, sc.main_height), h, sc.main_height,
                        f"Uw bouwwerk ({_m(h)}) is hoger dan het huis ({_m(sc.main_height)})."))

    far_checks: list[tuple[str, str, bool | None, float | None, float | None, str, str]] = []
    far_checks.append(("dakvoet_verder_3m",
                       f"Verder dan 4 m van het oorspronkelijk hoofdgebouw: dakvoet (bij een plat dak de hoogte) niet hoger dan {_m(R.VERDER_MAX_DAKVOET_M)}.",
                       _le(sc.eaves_height, R.VERDER_MAX_DAKVOET_M), sc.eaves_height, R.VERDER_MAX_DAKVOET_M,
                       f"Verder dan 4 m van het huis mag de dakrand hooguit {_m(R.VERDER_MAX_DAKVOET_M)} hoog zijn; "
                       f"die van uw bouwwerk is {_m(sc.eaves_height)}.", ""))
    if d.ridge is not None:
        dist = d.ridge.distance(sc.parcel.exterior)
        nok_lim = min(R.VERDER_MAX_NOK_M, R.VERDER_NOK_BASIS_M + R.VERDER_NOK_FACTOR * dist)
        assumed = " (aangenomen: zadeldak met de nok over de lange as)" if d.ridge_assumed else ""
        far_checks.append(("daknok_verder",
                           "Verder dan 4 m van het oorspronkelijk hoofdgebouw: daknok niet hoger dan 3 m + 0,47 x de afstand "
                           "van de nok tot de perceelsgrens, en niet hoger dan 5 m.",
                           _le(h, nok_lim), h, nok_lim,
                           f"De nok van uw dak ({_m(h)}) is te hoog voor de afstand tot de perceelsgrens; hier mag {_m(nok_lim)}.",
                           f"Afstand nok tot perceelsgrens {_m(dist)}{assumed}."))
        pitch = d.roof_pitch_deg
        far_checks.append(("dakhelling_verder",
                           f"Verder dan 4 m van het oorspronkelijk hoofdgebouw: dakhelling niet meer dan {R.VERDER_MAX_DAKHELLING_GRADEN:g} graden.",
                           pitch is not None and pitch <= R.VERDER_MAX_DAKHELLING_GRADEN + 1e-9,
                           None if pitch is None else round(pitch, 3), R.VERDER_MAX_DAKHELLING_GRADEN,
                           "Het dak van uw bouwwerk is te steil (meer dan 55 graden).",
                           "" if sc.roof_pitch_deg is not None else "Dakhelling berekend voor een zadeldak over de korte overspanning."))

    near_fails = any(ok is False for _, _, ok, *_ in near_checks)
    far_fails = any(ok is False for _, _, ok, *_ in far_checks)
    out: list[Condition] = []
    for cid, desc, ok, value, limit, plain in near_checks:
        if not near:
            out.append(Condition(cid, art, desc, passed=True, applicable=False,
                                 detail="Geen deel van het bouwwerk ligt binnen 4 m van het hoofdgebouw."))
        elif ok is None:
            out.append(Condition(cid, art, desc, passed=False, unknown=True, source="gegevens", value=value,
                                 missing="de hoogte van de vloer van de tweede bouwlaag van het huis (of dat het huis één bouwlaag heeft)",
                                 detail="Niet bekend: de vloerhoogte van de tweede bouwlaag."))
        elif not ok and maybe and not far_fails:
            out.append(Condition(cid, art, desc, passed=False, unknown=True, source="gegevens", value=value, limit=limit,
                                 missing="het oorspronkelijke hoofdgebouw (of dit deel binnen 4 m ervan ligt)",
                                 detail="Te hoog als dit deel binnen 4 m van het oorspronkelijke hoofdgebouw ligt; dat is niet bekend."))
        else:
            out.append(Condition(cid, art, desc, passed=bool(ok), value=value, limit=limit, plain="" if ok else plain))
    for cid, desc, ok, value, limit, plain, detail in far_checks:
        applicable = far_certain or maybe
        if not applicable:
            out.append(Condition(cid, art, desc, passed=True, applicable=False,
                                 detail="Geen deel van het bouwwerk ligt verder dan 4 m van het hoofdgebouw."))
        elif not ok and not far_certain and not near_fails:
            out.append(Condition(cid, art, desc, passed=False, unknown=True, source="gegevens", value=value, limit=limit,
                                 missing="het oorspronkelijke hoofdgebouw (of dit deel verder dan 4 m ervan ligt)",
                                 detail="Te hoog als dit deel verder dan 4 m van het oorspronkelijke hoofdgebouw ligt; dat is niet bekend."))
        else:
            out.append(Condition(cid, art, desc, passed=bool(ok), value=value, limit=limit, detail=detail,
                                 plain="" if ok else plain))
    return out


def _area_condition(sc: Scenario, d: Derived, area: dict[str, float]) -> Condition:
    ok = _le(area["total"], area["max"], R.TOL_M2)
    desc = "De bijbehorende bouwwerken in het bebouwingsgebied (bestaand en nieuw samen) blijven binnen de maximale oppervlakte."
    detail = (f"Bebouwingsgebied {_m2(area['bebouwingsgebied'])}, toegestaan {_m2(area['max'])}; "
              f"al bebouwd {_m2(area['existing'])}, nieuw {_m2(sc.proposal.area)}.")
    if ok and not d.original_known:
        # later extensions of the hoofdgebouw (unknown) add their full area to what is built but at most
        # half of it to the limit: a pass without them is not a pass.
        return Condition("oppervlakte", R.ART_BS_VRIJ, desc, passed=False, unknown=True, source="gegevens",
                         value=area["total"], limit=area["max"],
                         missing="het oorspronkelijke hoofdgebouw (latere uitbreidingen van het huis tellen mee)",
                         detail=detail + " Latere uitbreidingen van het huis zijn niet bekend en zouden meetellen.")
    return Condition(
        "oppervlakte", R.ART_BS_VRIJ, desc, passed=ok, value=area["total"], limit=area["max"], detail=detail,
        plain="" if ok else f"Uw bouwwerk is te groot: samen met wat er al staat wordt het {_m2(area['total'])}; "
                            f"hier mag {_m2(area['max'])}. Maak het kleiner, of vraag een vergunning aan.",
    )


# --- the omgevingsplanactiviteit ---------------------------------------------------------------------------


def _omgevingsplan(
    sc: Scenario, d: Derived, area: dict[str, float], plan_conditions: list[Condition],
) -> tuple[Activity, bool | None]:
    name = "Omgevingsplanactiviteit bouwen (omgevingsplan)"
    group = R.bestemming_hoofdgroep(sc.plan.bestemming) if sc.plan.bestemming else None
    if group is None:
        erf = Condition("erf", R.ART_BBL_BEGRIPPEN,
                        "Het bouwwerk staat op gebouwerf (het omgevingsplan verbiedt de inrichting als erf niet).",
                        passed=False, unknown=True, source="plan", missing="de bestemming van het perceel",
                        detail="Niet bekend: de bestemming; zonder bestemming is niet vast te stellen dat de grond erf is.")
    else:
        erf_ok = group not in R.GEEN_ERF_BESTEMMINGEN
        erf = Condition("erf", R.ART_BBL_BEGRIPPEN,
                        "Het bouwwerk staat op gebouwerf (het omgevingsplan verbiedt de inrichting als erf niet).",
                        passed=erf_ok, value=sc.plan.bestemming,
                        plain="" if erf_ok else f"Op deze grond (bestemming {sc.plan.bestemming}) mag geen erf zijn: "
                                                "hier kunt u niet vergunningvrij bouwen.")
    monument = _monument_condition(sc)
    route_a = [
        erf,
        _achtererf_condition("achtererfgebied", R.ART_BS_VRIJ, sc, d),
        _area_condition(sc, d, area),
        *_height_rules(sc, d),
        monument,
        _gezicht_22_36(sc),
    ]
    h = sc.proposal_height
    dist = min(float(shapely.distance(sc.proposal, line)) for line in sc.road_sides)
    far_enough = dist > R.BS_22_27_MIN_AFSTAND_OPENBAAR_M + R.TOL_M
    a27 = R.ART_BS_PLAN_VAN_TOEPASSING
    route_b = [
        Condition("plan_22_27_op_de_grond", a27, "Bijbehorend bouwwerk, op de grond staand.", passed=True,
                  detail="Zo opgegeven: het ontwerp is een bouwwerk op maaiveld."),
        _achtererf_condition("plan_22_27_achtererfgebied", a27, sc, d),
        Condition("plan_22_27_hoogte_5m", a27, f"Niet hoger dan {_m(R.BS_22_27_MAX_HOOGTE_M)}.",
                  passed=_le(h, R.BS_22_27_MAX_HOOGTE_M), value=h, limit=R.BS_22_27_MAX_HOOGTE_M,
                  plain=f"Uw bouwwerk is {_m(h)} hoog; ook volgens het omgevingsplan mag het zonder vergunning "
                        f"hooguit {_m(R.BS_22_27_MAX_HOOGTE_M)} zijn."),
        Condition("plan_22_27_afstand_openbaar", a27,
                  f"Op meer dan {_m(R.BS_22_27_MIN_AFSTAND_OPENBAAR_M)} van openbaar toegankelijk gebied.",
                  passed=far_enough, value=round(dist, 6), limit=R.BS_22_27_MIN_AFSTAND_OPENBAAR_M,
                  plain="" if far_enough else f"Uw bouwwerk staat {_m(dist)} van de weg of het openbare gebied; "
                                              "dat moet meer dan 1 m zijn."),
        Condition("plan_22_27_verblijfsgebied", a27,
                  "Bij meer dan één bouwlaag: verblijfsgebied alleen op de eerste bouwlaag.",
                  passed=not sc.verblijfsgebied_boven, value="ja" if sc.verblijfsgebied_boven else "nee",
                  detail="Zo opgegeven bij het ontwerp.",
                  plain="Uw bouwwerk heeft een verblijfsruimte boven de begane grond; dat mag niet zonder vergunning."
                  if sc.verblijfsgebied_boven else ""),
        Condition("plan_22_27_geen_dakterras", a27, "Geen dakterras, balkon of andere buitenruimte boven de grond.",
                  passed=not sc.dakterras, value="ja" if sc.dakterras else "nee", detail="Zo opgegeven bij het ontwerp.",
                  plain="Uw bouwwerk heeft een dakterras of balkon; dat mag niet zonder vergunning." if sc.dakterras else ""),
        monument,
        _gezicht_22_27(sc, d),
        *plan_conditions,
    ]
    fits_state = _route_state(plan_conditions)
    fits: bool | None = {R.VOLDAAN: True, R.NIET_VOLDAAN: False}.get(fits_state)
    all_conds = tuple({c.id: c for c in (*route_a, *route_b)}.values())
    state_a, state_b = _route_state(route_a), _route_state(route_b)

    if state_a == R.VOLDAAN:
        return Activity(
            "omgevingsplanactiviteit_bouwen", name, R.GEEN_VERGUNNING, R.ART_BS_VRIJ,
            "Het bijbehorend bouwwerk voldoet aan alle eisen voor vergunningvrij bouwen in het achtererfgebied; "
            "de regels van het omgevingsplan gelden hiervoor niet.",
            tuple(route_a),
        ), None
    if state_b == R.VOLDAAN:
        return Activity(
            "omgevingsplanactiviteit_bouwen", name, R.GEEN_VERGUNNING, R.ART_BS_PLAN_VAN_TOEPASSING,
            "Het bouwwerk is niet vergunningvrij via de algemene regels voor het achtererfgebied, maar het voldoet "
            "aan alle voorwaarden van art. 22.27 en aan elke bekende regel van het omgevingsplan: geen vergunning nodig.",
            all_conds,
        ), None
    if state_a == R.NIET_VOLDAAN and state_b == R.NIET_VOLDAAN:
        fit_text = {
            True: "Het bouwwerk past in het omgevingsplan: de vergunning moet dan in beginsel worden verleend.",
            False: "Het bouwwerk past niet in het omgevingsplan: een vergunning kan alleen met afwijken van het plan "
                   "(buitenplanse omgevingsplanactiviteit).",
            None: "Of het bouwwerk in het omgevingsplan past, is niet te zeggen: niet alle regels van het plan zijn bekend.",
        }[fits]
        return Activity(
            "omgevingsplanactiviteit_bouwen", name, R.VERGUNNINGPLICHT, R.ART_BS_VERGUNNINGPLICHT,
            "Niet vergunningvrij: het bouwwerk voldoet niet aan art. 22.36 en niet aan art. 22.27. " + fit_text,
            all_conds,
        ), fits
    # "hangt af van het omgevingsplan" when the 22.36 route fails and plan rules decide the 22.27 route,
    # or when a plan fact (the bestemming) leaves the 22.36 route open; otherwise other facts decide
    undecided = [c for c in (route_b if state_a == R.NIET_VOLDAAN else route_a) if c.is_unknown]
    plan_missing = any(c.source == "plan" for c in undecided)
    outcome = R.HANGT_AF_PLAN if plan_missing else R.HANGT_AF_GEGEVENS
    missing = "; ".join(_unique(c.missing for c in undecided))
    return Activity(
        "omgevingsplanactiviteit_bouwen", name, outcome,
        f"{R.ART_BS_VERGUNNINGPLICHT}; uitzonderingen art. 22.27 en 22.36",
        f"Niet vast te stellen: er ontbreekt {missing}. Zonder die gegevens is niet te zeggen of een vergunning nodig is.",
        all_conds,
    ), fits


def _monument_activity(sc: Scenario) -> Activity:
    kind = sc.monument or "monument"
    if kind == "onbekend":
        cond = Condition("monument", R.ART_OW_MONUMENT, "Het bouwen gebeurt op of bij een monument.", passed=False,
                         unknown=True, source="gegevens",
                         missing="of het perceel een (rijks-, provinciaal, gemeentelijk of voorbeschermd) monument is")
        return Activity(
            "monumentenactiviteit", "Monumentenactiviteit", R.HANGT_AF_GEGEVENS, R.ART_OW_MONUMENT,
            "Niet bekend of het perceel een monument is (het monumentenregister is niet geladen). Bij een monument "
            "is voor bouwen een omgevingsvergunning nodig.",
            (cond,),
        )
    if kind == "gemeentelijk monument":
        article = R.ART_OP_MONUMENT_GEMEENTELIJK
    elif kind == "provinciaal monument":
        article = R.ART_OP_MONUMENT_PROVINCIAAL
    else:
        article = R.ART_OW_MONUMENT
    cond = Condition(
        "monument", article, "Het bouwen gebeurt op of bij een monument.", passed=False, value=kind,
        detail="Bouwen op of bij een monument kan het monument wijzigen; daarvoor is een vergunning nodig.",
        plain=f"Het perceel is een {kind}: voor bouwen op of bij het monument is een omgevingsvergunning nodig.",
    )
    return Activity(
        "monumentenactiviteit", f"Monumentenactiviteit ({kind})", R.VERGUNNINGPLICHT, article,
        f"Het perceel is een {kind}: voor bouwen op of bij het monument is een omgevingsvergunning nodig.",
        (cond,),
    )
