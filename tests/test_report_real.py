"""The report on the real samples: partial data (only BAG, only BGT, BRK + BGT, only a plan), the
omgevingsplan's nieuwe deel and bruidsschat (the Amersfoort STOP/TPOD package), validity dates."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from omgevingskaart import report_at
from omgevingskaart.cli import main
from omgevingskaart.cli.import_ import import_paths
from omgevingskaart.dataset import Dataset, open_dataset
from omgevingskaart.errors import OutsideDataError, QueryError

GOES_VG = "imro/NL.IMRO.0664.BPBS02-VG99_stationspleinzuidoost.gml"
GOES_ON = "imro/NL.IMRO.0664.BPBS03-ON99.gml"
#: the Amersfoort origin of the RD grid (the Onze Lieve Vrouwetoren), inside gemeente Amersfoort
AMERSFOORT = (155000.0, 463000.0)
#: a point in both Goes plans (the vastgesteld one and the ontwerp)
GOES_POINT = (50810.41, 391013.14)


@pytest.fixture(scope="module")
def datasets(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dataset]:
    tmp = tmp_path_factory.mktemp("real")
    parts = {
        "bag": [real_data / "bag" / "lv-small"],
        "bgt": [real_data / "bgt" / "otterlo.zip"],
        "brk": [real_data / "brk" / "kadastralekaart_perceel.gml"],
        "otterlo": [real_data / "bgt" / "otterlo.zip", real_data / "brk" / "kadastralekaart_perceel.gml"],
        "goes": [real_data / GOES_VG, real_data / GOES_ON],
        "tpod": [real_data / "tpod" / "1_Amersfoort.zip"],
        "tpod_bag": [real_data / "tpod" / "1_Amersfoort.zip", real_data / "bag" / "lv-small"],
    }
    out = {}
    for name, paths in parts.items():
        import_paths(paths, tmp / f"{name}.gpkg", replace=True)
        out[name] = open_dataset(tmp / f"{name}.gpkg")
    return out


def _inside(ds: Dataset, layer: str, row: int = 0) -> tuple[float, float]:
    p = ds[layer].geometry.iloc[row].representative_point()
    return float(p.x), float(p.y)


def test_only_bag_reports_the_pand_and_its_address(datasets: dict[str, Dataset]) -> None:
    ds = datasets["bag"]
    r = report_at(ds, point=_inside(ds, "pand"), crs="EPSG:28992")
    assert [(p.identificatie, p.bouwjaar, p.bron) for p in r.panden] == [("0221100000311191", 1992, "BAG")]
    assert [a.verblijfsobject_id for a in r.adressen] == ["0221010000330999"]
    assert r.perceel is None and r.woonplaats == "Doesburg" and r.gemeentecode == "0221"
    assert "BRK (percelen)" in r.ontbrekend and "bestemmingsplan (IMRO)" in r.ontbrekend
    assert r.lagen_hier == ["pand", "woonplaats"]
    # what is unknown is said, never reported as absent
    assert any("onbekend" in line for line in r.samenvatting.grenzen)
    assert any("monument is, is onbekend" in line for line in r.samenvatting.beschermd)


def test_brk_and_bgt_count_bgt_panden_with_their_bag_ids(datasets: dict[str, Dataset]) -> None:
    r = report_at(datasets["otterlo"], perceel="OTL02 B 2299")
    assert [(p.identificatie, p.bron, p.aandeel_op_perceel) for p in r.panden] == [
        ("0228100000009587", "BGT", 98.7), ("0228100000074392", "BGT", 100.0)]
    assert r.gemeentecode == "0228"  # Ede, from the BAG ids the BGT carries
    assert any("Panden uit de BGT" in line for line in r.samenvatting.let_op)
    assert "BAG (panden, adressen)" not in r.ontbrekend


def test_only_bgt_and_only_brk(datasets: dict[str, Dataset]) -> None:
    bgt = datasets["bgt"]
    r = report_at(bgt, point=_inside(bgt, "bgt_pand"), crs="EPSG:28992")
    assert r.perceel is None and len(r.panden) == 1 and r.panden[0].bron == "BGT"
    assert r.panden[0].identificatie == bgt["bgt_pand"]["identificatie_bag_pnd"].iloc[0]
    brk = datasets["brk"]
    r = report_at(brk, perceel="OTL02 B 2299")
    assert r.perceel.kadastrale_grootte == pytest.approx(222, abs=1)
    assert r.panden == [] and "BAG (panden, adressen)" in r.ontbrekend
    with pytest.raises(OutsideDataError, match="no loaded layer has anything there"):
        report_at(brk, point=(100000, 400000), crs="EPSG:28992")


def test_only_a_plan_ontwerp_apart_and_dated(datasets: dict[str, Dataset]) -> None:
    ds = datasets["goes"]
    r = report_at(ds, point=GOES_POINT, crs="EPSG:28992", geldig_op="2020-01-01")
    assert [(o.naam, o.artikelnummer, o.status) for o in r.enkelbestemmingen] == [("Verkeer", "8", "geldend")]
    assert [d.naam for d in r.dubbelbestemmingen] == ["Waarde - Archeologie - 2"]
    assert sorted({(o.plan_id, o.status) for o in r.ontwerpen}) == [("NL.IMRO.0664.BPBS03-ON99", "ontwerp")]
    assert [(g.artikel, g.deel, g.bron) for g in r.regels] == [("8", "tijdelijk deel", "IMRO"),
                                                                ("11", "tijdelijk deel", "IMRO")]
    assert r.regels[0].url == ("https://www.ruimtelijkeplannen.nl/documents/NL.IMRO.0664.BPBS02-VG99/"
                               "r_NL.IMRO.0664.BPBS02-VG99.html#dceff8b1-100c-41ff-8dde-68e4c431f3bf")
    assert any("Er ligt een ontwerp" in line for line in r.samenvatting.let_op)
    # before the plan's date (13 February 2014) it is not in force: listed apart
    before = report_at(ds, point=GOES_POINT, crs="EPSG:28992", geldig_op="2014-01-01")
    assert before.enkelbestemmingen == [] and {o.status for o in before.toekomstig} == {"nog niet geldend"}
    assert any("Nog niet geldend op 1-1-2014" in line for line in before.samenvatting.let_op)


def test_tpod_package_reports_inside_its_werkingsgebied(datasets: dict[str, Dataset]) -> None:
    ds = datasets["tpod"]
    r = report_at(ds, point=AMERSFOORT, crs="EPSG:28992", geldig_op="2024-01-01")
    assert len(r.regels) == 587 and len(r.activiteiten) == 91
    assert Counter(g.deel for g in r.regels) == {"tijdelijk deel (bruidsschat)": 584, "nieuwe deel": 3}
    assert {g.geldig_vanaf for g in r.regels} == {"2021-04-05"} and {g.status for g in r.regels} == {"geldend"}
    art = next(g for g in r.regels if g.artikel == "22.1" and g.lid == "1.")
    assert art.titel == "Voorrangsbepaling" and art.tekst.startswith("De regels in afdeling 22.2")
    assert art.document == "/akn/nl/act/gm0307/2021/omgevingsplanamersfoort"
    assert art.verwijzing == "gm0307_1__chp_22__subchp_22.1__art_22.1__para_1"
    act = next(a for a in r.activiteiten if a.identificatie == "nl.imow-gm0307.activiteit.AanvraagOpBouwwerkenNw")
    assert (act.kwalificatie, act.artikelen, act.deel) == ("AndersGeduid", ["22.35"], "tijdelijk deel (bruidsschat)")
    assert Counter(a.kwalificatie for a in r.activiteiten) == {"AndersGeduid": 91}
    # the ambtsgebied's boundary is not in the package: applies if the point lies in GM0307
    assert {a.werkingsgebied for a in r.activiteiten} == {"ambtsgebied GM0307 (amersfoort)"}
    assert {a.op_locatie for a in r.activiteiten} == {None}
    assert any("gelden als deze plek in die gemeente ligt" in line for line in r.samenvatting.let_op)
    # before its juridischWerkendVanaf date the rules are not in force
    early = report_at(ds, point=AMERSFOORT, crs="EPSG:28992", geldig_op="2021-01-01")
    assert {g.status for g in early.regels} == {"nog niet geldend"}
    assert any("Nog niet geldend op 1-1-2021: 587 regels" in line for line in early.samenvatting.let_op)


def test_tpod_rules_do_not_apply_in_another_gemeente(datasets: dict[str, Dataset]) -> None:
    """A Doesburg pand (BAG gemeentecode 0221) is not in ambtsgebied GM0307."""
    ds = datasets["tpod_bag"]
    r = report_at(ds, point=_inside(ds, "pand"), crs="EPSG:28992")
    assert r.gemeentecode == "0221" and r.regels == [] and r.activiteiten == []
    assert [p.identificatie for p in r.panden] == ["0221100000311191"]


def test_cli_report_geldig_op_json(datasets: dict[str, Dataset], capsys: pytest.CaptureFixture[str]) -> None:
    path = str(datasets["tpod"].path)
    assert main(["report", "--point", "155000", "463000", "--dataset", path, "--geldig-op", "2021-01-01",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["geldig_op"] == "2021-01-01" and len(out["activiteiten"]) == 91
    assert out["regels"][0]["status"] == "nog niet geldend"
    assert main(["report", "--point", "155000", "463000", "--dataset", path]) == 0
    text = capsys.readouterr().out
    assert text.index("Wat mag hier?") < text.index("Regels") < text.index("Details")
    assert "Artikel 22.27" in text
    with pytest.raises(QueryError, match="geldig_op must be a date"):
        report_at(datasets["tpod"], point=AMERSFOORT, crs="EPSG:28992", geldig_op="morgen")
