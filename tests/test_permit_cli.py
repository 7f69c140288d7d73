"""``omgevingskaart check``: exit 0 with parseable --json on a valid scenario, exit 2 naming the field otherwise."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from omgevingskaart import cli
from omgevingskaart.errors import ScenarioError
from omgevingskaart.permit import check_build

SCENARIO = Path(__file__).parent / "scenarios" / "01_aanbouw_achter_vrij.json"


@pytest.fixture(autouse=True)
def only_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the real ``main`` with just this subcommand registered (others are tested elsewhere)."""
    monkeypatch.setattr(cli, "COMMANDS", ["check"])


def _base() -> dict[str, Any]:
    return json.loads(SCENARIO.read_text(encoding="utf-8"))


def _run(tmp_path: Path, data: Any, *extra: str) -> tuple[int, str]:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return cli.main(["check", str(path), *extra]), ""


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run(tmp_path, _base(), "--json")
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "geen vergunning nodig"
    assert {a["activity"] for a in out["activities"]} == {"technische_bouwactiviteit", "omgevingsplanactiviteit_bouwen"}
    assert all({"activity", "outcome", "conditions"} <= set(a) for a in out["activities"])
    assert out["derived"]["achtererfgebied"]["type"] == "Polygon"
    assert out["derived"]["bebouwingsgebied_m2"] == pytest.approx(572.0)
    assert out["derived"]["max_area_m2"] == pytest.approx(117.2)


def test_plain_output_is_dutch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _base()
    data["proposal"]["height"] = 5.5
    code, _ = _run(tmp_path, data)
    assert code == 0
    out = capsys.readouterr().out
    assert "Uitkomst: VERGUNNINGPLICHT" in out
    assert "NIET voldaan" in out and "Grondslag" in out
    # the first thing a resident reads: the verdict and the failing reason, then what would pass
    lines = out.splitlines()
    assert lines[1].startswith("Vergunning nodig. ") and "5,50 m" in lines[1]
    assert "Zo kan het zonder vergunning" in out


def test_receipt_html_and_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = Path(__file__).parent / "scenarios" / "45_22_27_buiten_bouwvlak_toegestaan.json"
    html, pdf = tmp_path / "bewijs" / "check.html", tmp_path / "check.pdf"
    code = cli.main(["check", str(src), "--html", str(html), "--pdf", str(pdf), "--adres", "Teststraat 1"])
    assert code == 0
    page = html.read_text(encoding="utf-8")
    assert "Teststraat 1" in page and "<svg" in page and "NL.IMRO.0294.VOORBEELD-VG01" in page
    assert "vastgesteld 2013-05-28" in page and "omgevingskaart 0." in page
    assert "Bruidsschat art. 22.27" in page and "Bbl art. 2.27, tweede lid" in page
    assert "45_22_27_buiten_bouwvlak_toegestaan.json (gewijzigd " in page  # the data's date
    assert page.count("<tr>") == 1 + sum(len(a.conditions) for a in check_build(
        json.loads(src.read_text(encoding="utf-8"))).activities)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 3000
    assert not list(tmp_path.glob("**/*.tmp*"))  # written atomically: no temporary files left


def _mutations() -> list[tuple[str, Any]]:
    """(field named in the error, mutation) for each inconsistency kind."""
    def outside(d: dict[str, Any]) -> None:
        ring = d["proposal"]["footprint"]["coordinates"][0]
        for pt in ring:
            pt[1] += 30.0  # past the back of the 40 m deep parcel

    def overlap(d: dict[str, Any]) -> None:
        ring = d["proposal"]["footprint"]["coordinates"][0]
        for pt in ring:
            pt[1] -= 2.0  # 2 m into the hoofdgebouw

    def bowtie(d: dict[str, Any]) -> None:
        ring = d["proposal"]["footprint"]["coordinates"][0]
        ring[1], ring[2] = ring[2], ring[1]

    def negative(d: dict[str, Any]) -> None:
        d["proposal"]["height"] = -1.0

    def missing(d: dict[str, Any]) -> None:
        del d["main_building"]["height"]

    def crs(d: dict[str, Any]) -> None:
        d["crs"] = "EPSG:4326"

    def no_crs(d: dict[str, Any]) -> None:
        del d["crs"]

    def road(d: dict[str, Any]) -> None:
        for pt in d["road_side"]["coordinates"]:
            pt[1] += 20.0  # through the middle of the parcel

    def plan_pct(d: dict[str, Any]) -> None:
        d["plan"]["bebouwingspercentage"] = 120

    def annex(d: dict[str, Any]) -> None:
        d["existing_annexes"] = [{"footprint": d["main_building"]["footprint"], "height": 3}]

    def eaves(d: dict[str, Any]) -> None:
        d["proposal"]["eaves_height"] = 4.0

    def huge(d: dict[str, Any]) -> None:
        d["proposal"]["height"] = 1e308

    def text_height(d: dict[str, Any]) -> None:
        d["proposal"]["height"] = "drie meter"

    def text_footprint(d: dict[str, Any]) -> None:
        d["proposal"]["footprint"] = "een schuur"

    def line_footprint(d: dict[str, Any]) -> None:
        d["proposal"]["footprint"] = {"type": "LineString", "coordinates": [[246504, 443416], [246508, 443418]]}

    def storey_word(d: dict[str, Any]) -> None:
        d["main_building"]["second_storey_floor"] = "hoog"

    def bijgebouwen_key(d: dict[str, Any]) -> None:
        d["plan"]["bijgebouwen"] = {"max_opp": 20}

    return [
        ("proposal.footprint", outside),
        ("proposal.footprint", overlap),
        ("proposal.footprint", bowtie),
        ("proposal.height", negative),
        ("main_building.height", missing),
        ("crs", crs),
        ("crs", no_crs),
        ("road_side", road),
        ("plan.bebouwingspercentage", plan_pct),
        ("existing_annexes[0].footprint", annex),
        ("proposal.eaves_height", eaves),
        ("proposal.height", huge),
        ("proposal.height", text_height),
        ("proposal.footprint", text_footprint),
        ("proposal.footprint", line_footprint),
        ("main_building.second_storey_floor", storey_word),
        ("plan.bijgebouwen.max_opp", bijgebouwen_key),
    ]


@pytest.mark.parametrize(("field", "mutate"), _mutations(), ids=[f"{f}-{m.__name__}" for f, m in _mutations()])
def test_inconsistent_scenario_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, mutate: Any
) -> None:
    data = copy.deepcopy(_base())
    mutate(data)
    code, _ = _run(tmp_path, data, "--json")
    assert code == 2
    err = capsys.readouterr().err
    assert f"{field}:" in err
    with pytest.raises(ScenarioError) as info:
        check_build(data)
    assert info.value.field == field


def test_not_json_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run(tmp_path, "{not json")
    assert code == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(tmp_path / "nope.json")]) == 2
    assert "nope.json" in capsys.readouterr().err
