"""``omgevingskaart check SCENARIO.json [--json] [--html OUT] [--pdf OUT]``: "Mag ik bouwen?".

Exit codes: 0 when the check ran (whatever the verdict), 2 for a bad scenario (the message names the
field).  Plain output is Dutch, for a resident: first the verdict with its decisive reason, then
what would make it vergunningvrij, then every condition with its state and article.  ``--json``
prints the full result; ``--html`` / ``--pdf`` write a receipt (address, drawing, every condition
with its article, the plan's id and version, the data's dates, the product version), atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._files import write_atomic
from ..permit import CheckResult, check_build, load_scenario
from ..permit import rules as R
from ..permit.explain import missing_by_where

_MARK = {R.VOLDAAN: "voldaan", R.NIET_VOLDAAN: "NIET voldaan", R.ONBEKEND: "ONBEKEND",
         R.NIET_VAN_TOEPASSING: "n.v.t."}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="mag ik bouwen? toets een bijbehorend bouwwerk (aanbouw, uitbouw, bijgebouw)",
        description=(
            "Toetst of voor een bijbehorend bouwwerk een omgevingsvergunning nodig is "
            "(Bbl art. 2.25 en 2.27, bruidsschat art. 22.26, 22.27 en 22.36, monumenten). SCENARIO is een "
            "JSON-bestand in RD-meters (EPSG:28992); zie docs/permit-check.md."
        ),
    )
    parser.add_argument("scenario", help="scenario-bestand (JSON)")
    parser.add_argument("--json", action="store_true", help="volledig resultaat als JSON")
    parser.add_argument("--html", metavar="UIT.html", help="schrijf een afdrukbaar bewijs (HTML met tekening)")
    parser.add_argument("--pdf", metavar="UIT.pdf", help="schrijf het bewijs als PDF (vraagt fpdf2, de app-extra)")
    parser.add_argument("--adres", help="het adres dat op het bewijs staat")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    result = check_build(scenario)
    if args.html or args.pdf:
        from ..export.permit_receipt import receipt_html, receipt_pdf, scenario_sources

        kw = {"address": args.adres, "data_sources": scenario_sources(args.scenario)}
        if args.pdf:
            write_atomic(args.pdf, receipt_pdf(result, scenario, **kw), mode=0o644)
        if args.html:
            write_atomic(args.html, receipt_html(result, scenario, **kw), mode=0o644)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_plain(result))
    return 0


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def format_plain(result: CheckResult) -> str:
    """The result as readable Dutch text: verdict and reason, what would pass, the checklist."""
    d = result.derived
    lines = [f"Uitkomst: {result.verdict.upper()}", result.summary, ""]
    if result.verdict != R.GEEN_VERGUNNING and result.advice.get("text"):
        lines.append("Zo kan het zonder vergunning (algemene regels, art. 22.36):")
        lines += [f"  - {t}" for t in result.advice["text"]]
        lines.append("")
    if result.verdict in (R.HANGT_AF_PLAN, R.HANGT_AF_GEGEVENS) and result.missing:
        lines.append("Wat ontbreekt, en waar u het vindt:")
        for where, whats in missing_by_where(result.missing).items():
            lines += [f"  - {w}" for w in whats]
            lines.append(f"    Waar: {where}")
        lines.append("")
    lines.append("Alle eisen:")
    for act in result.activities:
        lines.append(f"{act.name}: {act.outcome}")
        lines.append(f"  {act.reason}")
        lines.append(f"  Grondslag: {act.article}")
        for cond in act.conditions:
            extra = ""
            if cond.value is not None and cond.limit is not None:
                extra = f" (waarde {_num(cond.value)}, grens {_num(cond.limit)})"
            lines.append(f"  - [{_MARK[cond.state]}] {cond.description}{extra}")
            if cond.detail and cond.state in (R.NIET_VOLDAAN, R.ONBEKEND):
                lines.append(f"      {cond.detail}")
        lines.append("")
    if result.fits_plan is not None:
        lines.append("Past in het omgevingsplan: " + ("ja" if result.fits_plan else "nee"))
    plan = result.plan
    if plan.get("plan_id"):
        lines.append(f"Omgevingsplan (tijdelijk deel): {plan['plan_id']} {plan.get('plan_versie') or ''}".rstrip())
    lines.append(
        f"Achtererfgebied {_num(d['achtererfgebied_m2'])} m², bebouwingsgebied {_num(d['bebouwingsgebied_m2'])} m², "
        f"maximaal {_num(d['max_area_m2'])} m² aan bijbehorende bouwwerken, waarvan al {_num(d['existing_area_m2'])} m² bebouwd."
    )
    for note in result.notes:
        lines.append(f"Let op: {note}")
    lines.append(
        "Deze toets is een hulpmiddel en geen besluit; de gemeente en het Omgevingsloket zijn leidend."
    )
    return "\n".join(lines) + "\n"
