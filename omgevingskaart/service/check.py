"""The permit check at an address, perceel or point, for the HTTP service.

The scenario comes from :func:`omgevingskaart.permit.scenario_for` (see its module for how the
dataset's perceel, panden, roads, plan values and monuments become a scenario); this module adds
what the service answers with: the result plus the scenario that was checked and where, so a
client can adjust the scenario and send it back as a full scenario.
"""

from __future__ import annotations

from typing import Any

from ..dataset import Dataset
from ..permit import check_build
from ..permit.from_dataset import CHECK_LAYERS, scenario_for
from ..report import ParcelReport

__all__ = ["CHECK_LAYERS", "check_at"]


def check_at(ds: Dataset, rep: ParcelReport, proposal: dict[str, Any], *,
             main_pand_id: str | None = None, **facts: Any) -> dict[str, Any]:
    """Run the check; the result dict plus the scenario that was checked and where.  ``facts`` are
    what the caller states and the registers cannot know (``original``, ``second_storey_floor``,
    ``protected_townscape``), passed to :func:`~omgevingskaart.permit.scenario_for`."""
    scenario = scenario_for(ds, rep, proposal, main_pand_id=main_pand_id, **facts)
    result = check_build(scenario).to_dict()
    result["input"] = {
        "type": rep.query.get("type"),
        "query": rep.query,
        "perceel": rep.perceel.kadastrale_aanduiding if rep.perceel else None,
        "scenario": scenario,
    }
    return result
