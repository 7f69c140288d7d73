""""Mag ik bouwen?" — the permit check for a bijbehorend bouwwerk (aanbouw, uitbouw, bijgebouw).

* :func:`check_build` takes a scenario dict (JSON in RD metres, see
  :mod:`omgevingskaart.permit.scenario`) and returns a :class:`CheckResult` with the outcome per
  activity, every condition checked with its article, the verdict, ``fits_plan`` and the derived
  geometries (achtererfgebied, bebouwingsgebied, the 1 m line).
* :func:`scenario_from_parcel` builds such a scenario dict from dataset-like inputs (perceel,
  panden, public road geometries, plan values, the proposal).
* :func:`load_scenario` reads a scenario JSON file.

The legal basis and version dates are in :mod:`omgevingskaart.permit.rules`.
"""

from __future__ import annotations

from .check import Activity, CheckResult, Condition, check_build
from .from_dataset import check_build_at, scenario_for
from .from_parcel import scenario_from_parcel
from .scenario import Scenario, load_scenario, parse_scenario

__all__ = [
    "Activity",
    "CheckResult",
    "Condition",
    "Scenario",
    "check_build",
    "check_build_at",
    "load_scenario",
    "parse_scenario",
    "scenario_for",
    "scenario_from_parcel",
]
