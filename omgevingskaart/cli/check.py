"""``omgevingskaart check SCENARIO.json [--json]``: "Mag ik bouwen?" for a bijbehorend bouwwerk.

Exit codes: 0 when the check ran (whatever the verdict), 2 for a bad scenario (the message names the
field).  Plain output is Dutch, for a resident; ``--json`` prints the full result.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..permit import CheckResult, check_build, load_scenario

_MARK = {True: "voldaan", False: "NIET voldaan"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="mag ik bouwen? toets een bijbehorend bouwwerk (aanbouw, uitbouw, bijgebouw)",
        description=(
            "Toetst of voor een bijbehorend bouwwerk een omgevingsvergunning nodig is "
            "(Bbl art. 2.29, bruidsschat art. 22.27 en 22.36, monumenten). SCENARIO is een JSON-bestand "
            "in RD-meters (EPSG:28992); zie docs/permit-check.md."
        ),
    )
    parser.add_argument("scenario", help="scenario-bestand (JSON)")
    parser.add_argument("--json", action="store_true", help="volledig resultaat als JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = check_build(load_scenario(args.scenario))
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
    """The result as readable Dutch text."""
    d = result.derived
    lines = [f"Uitkomst: {result.verdict.upper()}", ""]
    for act in result.activities:
        lines.append(f"{act.name}: {act.outcome}")
        lines.append(f"  {act.reason}")
        lines.append(f"  Grondslag: {act.article}")
        for cond in act.conditions:
            if not cond.applicable:
                continue
            extra = ""
            if cond.value is not None and cond.limit is not None:
                extra = f" (waarde {_num(cond.value)}, grens {_num(cond.limit)})"
            lines.append(f"  - [{_MARK[cond.passed]}] {cond.description}{extra}")
            if cond.detail and not cond.passed:
                lines.append(f"      {cond.detail}")
        lines.append("")
    if result.fits_plan is not None:
        lines.append(
            "Past in het omgevingsplan: " + ("ja" if result.fits_plan else "nee")
        )
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
