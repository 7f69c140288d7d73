"""The permit check against the scenario files in tests/scenarios/ (each cites its article).

Every file holds a scenario and an ``expected`` block worked out by hand from the article text:
the verdict, the outcome per activity, the failing condition ids and ``fits_plan``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omgevingskaart.permit import check_build
from omgevingskaart.permit.rules import OUTCOMES

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))


def _id(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    return f"{path.stem} [{data.get('article', '?')}]"


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 60


@pytest.mark.parametrize("path", SCENARIOS, ids=[_id(p) for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    expected = data["expected"]
    result = check_build(data)
    assert result.verdict in OUTCOMES
    assert result.verdict == expected["verdict"], result.to_dict()["activities"]
    outcomes = {a.activity: a.outcome for a in result.activities}
    assert outcomes == expected["activities"]
    assert sorted(result.failing_conditions) == expected["failing_conditions"]
    assert result.fits_plan == expected.get("fits_plan")
    if "unknown_conditions" in expected:
        assert sorted(result.unknown_conditions) == expected["unknown_conditions"]
    if "decisive_condition" in expected:
        assert result.decisive == expected["decisive_condition"], result.summary
    # the reason a resident reads first is the decisive condition, never a passed one
    if result.decisive is not None:
        states = {c.id: c.state for a in result.activities for c in a.conditions}
        assert states[result.decisive] in ("niet voldaan", "onbekend")
    # unknown never counts as passed: a free activity has no unknown condition on its route
    for act in result.activities:
        if act.outcome == "geen vergunning nodig" and "22.36" in act.article:
            assert not act.unknown, act.unknown
    # a value over its limit is never "niet van toepassing"
    for act in result.activities:
        for c in act.conditions:
            if not c.applicable and isinstance(c.value, float) and isinstance(c.limit, float):
                assert c.value <= c.limit + 1e-6, c
    # every condition names its article; the verdict is free only when every activity is
    for act in result.activities:
        assert act.article
        assert all(c.article for c in act.conditions)
    assert (result.verdict == "geen vergunning nodig") == all(
        a.outcome == "geen vergunning nodig" for a in result.activities
    )


@pytest.mark.parametrize("path", SCENARIOS[:3], ids=[p.stem for p in SCENARIOS[:3]])
def test_result_is_json_serialisable(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = json.loads(json.dumps(check_build(data).to_dict()))
    assert out["derived"]["achtererfgebied"]["type"] in ("Polygon", "MultiPolygon")
    assert {"verdict", "activities", "fits_plan", "derived"} <= set(out)
    assert {"bebouwingsgebied_m2", "max_area_m2"} <= set(out["derived"])
