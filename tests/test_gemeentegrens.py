"""``import --gemeentegrens``: the gemeente boundary for the Ambtsgebied of the real Amersfoort
STOP/TPOD package, so its rules for the whole gemeente are certain inside it and absent outside.

The package references its ambtsgebied (``GM0307``) but holds no geometry. The boundary file is
written by the test in the shape PDOK Bestuurlijke Gebieden delivers (``gemeentegebied``:
``identificatie`` ``GM0307``, ``naam``; here in WGS84 to exercise the conversion): a square of
2 km around the origin of the RD grid, the Onze Lieve Vrouwetoren in Amersfoort (RD 155000,
463000), so it lies inside the real gemeente; it is not the real boundary.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from omgevingskaart.cli import main
from omgevingskaart.cli.import_ import import_paths
from omgevingskaart.crs import rd_to_wgs84
from omgevingskaart.dataset import open_dataset
from omgevingskaart.errors import CRSError, DataFileError, OmgevingskaartError, OutsideDataError
from omgevingskaart.io.gemeentegrens import read_gemeentegrens
from omgevingskaart.report import report

TOWER = (155000.0, 463000.0)
SQUARE = shapely.box(TOWER[0] - 1000, TOWER[1] - 1000, TOWER[0] + 1000, TOWER[1] + 1000)
#: 1.5 km east of the square, inside the real gemeente but outside the test's boundary
OUTSIDE = (157500.0, 463000.0)


def _wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(rd_to_wgs84(xy[:, 0], xy[:, 1])))


def _write(path: Path, geoms: list[shapely.Geometry], crs: str | None, **columns: list[object]) -> Path:
    gpd.GeoDataFrame(columns, geometry=geoms, crs=crs).to_file(path)
    return path


@pytest.fixture(scope="module")
def amersfoort(real_data: Path) -> Path:
    path = real_data / "tpod" / "1_Amersfoort.zip"
    if not path.exists():
        pytest.skip("the Amersfoort STOP/TPOD sample is not in ../shared/data/real/tpod")
    return path


@pytest.fixture(scope="module")
def grens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("grens")
    return _write(tmp / "gemeentegebied.geojson", [_wgs84(SQUARE)], "EPSG:4326",
                  identificatie=["GM0307"], naam=["Amersfoort"])


def test_read_converts_to_rd_and_keys_by_gemeentecode(grens: Path) -> None:
    got = read_gemeentegrens(grens)
    assert list(got) == ["0307"]
    # RDNAPTRANS2018 there and back: the square's corners within a millimetre
    assert shapely.hausdorff_distance(got["0307"], SQUARE) < 0.001


def test_town_wide_rules_are_certain_inside_and_absent_outside(amersfoort: Path, grens: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "amersfoort.gpkg"
    counts = import_paths([amersfoort], out, replace=True, gemeentegrens=grens)
    assert counts["regeltekst"] == 587 and counts["activiteit"] == 609
    ds = open_dataset(out)
    loc = ds.layer("locatie")
    amb = loc[loc["type"] == "Ambtsgebied"]
    assert list(amb["identificatie"]) == ["nl.imow-gm0307.ambtsgebied.amersfoort"]
    assert shapely.hausdorff_distance(amb.geometry.iloc[0], SQUARE) < 0.001

    r = report(ds, point=TOWER, crs="EPSG:28992", geldig_op="2024-01-01")
    assert len(r.regels) == 587 and len(r.activiteiten) == 91
    assert Counter(g.deel for g in r.regels) == {"tijdelijk deel (bruidsschat)": 584, "nieuwe deel": 3}
    # confirmed: no "applies if this place lies in gemeente 0307" any more
    assert {a.op_locatie for a in r.activiteiten} == {True}
    assert not any("gelden als deze plek in die gemeente ligt" in line for line in r.samenvatting.let_op)
    with pytest.raises(OutsideDataError):
        report(ds, point=OUTSIDE, crs="EPSG:28992", geldig_op="2024-01-01")


def test_a_second_import_with_the_boundary_replaces_the_unconfirmed_rows(amersfoort: Path, grens: Path,
                                                                         tmp_path: Path) -> None:
    out = tmp_path / "later.gpkg"
    import_paths([amersfoort], out, replace=True)
    before = report(open_dataset(out), point=TOWER, crs="EPSG:28992", geldig_op="2024-01-01")
    assert {a.op_locatie for a in before.activiteiten} == {None}
    import_paths([amersfoort], out, gemeentegrens=grens)  # extends: objects delivered again replace
    after = report(open_dataset(out), point=TOWER, crs="EPSG:28992", geldig_op="2024-01-01")
    assert len(after.regels) == 587 and len(after.activiteiten) == 91
    assert {a.op_locatie for a in after.activiteiten} == {True}


def test_cli_import_with_gemeentegrens(amersfoort: Path, grens: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.gpkg"
    assert main(["import", str(amersfoort), "--into", str(out), "--gemeentegrens", str(grens)]) == 0
    assert "regeltekst: 587" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_bad_boundary_files_give_clear_errors(amersfoort: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # no CRS: a shapefile without .prj
    no_crs = _write(tmp_path / "geen_crs.shp", [SQUARE], None, code=["0307"])
    with pytest.raises(CRSError, match="no CRS"):
        read_gemeentegrens(no_crs)
    # a wrong CRS: RD coordinates labelled as WGS84 land far outside the Netherlands (or nowhere)
    wrong = _write(tmp_path / "fout_crs.geojson", [SQUARE], "EPSG:4326", code=["0307"])
    with pytest.raises(OmgevingskaartError, match=r"fout_crs\.geojson"):
        read_gemeentegrens(wrong)
    # not a polygon
    line = _write(tmp_path / "lijn.gpkg", [shapely.LineString(SQUARE.exterior.coords)], "EPSG:28992", code=["0307"])
    with pytest.raises(DataFileError, match="expected a Polygon or MultiPolygon, got LineString"):
        read_gemeentegrens(line)
    # an invalid polygon (a bow tie)
    bow = _write(tmp_path / "strik.gpkg", [shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])],
                 "EPSG:28992", code=["0307"])
    with pytest.raises(DataFileError, match="invalid polygon"):
        read_gemeentegrens(bow)
    # two features and no gemeentecode column
    two = _write(tmp_path / "twee.gpkg", [SQUARE, SQUARE.buffer(10)], "EPSG:28992", naam=["a", "b"])
    with pytest.raises(DataFileError, match="no gemeentecode column"):
        read_gemeentegrens(two)
    with pytest.raises(DataFileError, match="no such file"):
        read_gemeentegrens(tmp_path / "bestaat_niet.gpkg")
    # another gemeente's boundary: the package's ambtsgebied is GM0307
    other = _write(tmp_path / "winterswijk.gpkg", [SQUARE], "EPSG:28992", code=["0294"])
    with pytest.raises(DataFileError, match=r"no boundary for ambtsgebied nl\.imow-gm0307"):
        import_paths([amersfoort], tmp_path / "x.gpkg", replace=True, gemeentegrens=other)
    assert not (tmp_path / "x.gpkg").exists()
    # the CLI: exit 2 and a message naming the file
    assert main(["import", str(amersfoort), "--into", str(tmp_path / "y.gpkg"),
                 "--gemeentegrens", str(no_crs)]) == 2
    assert "geen_crs.shp" in capsys.readouterr().err


def test_gemeentegrens_needs_a_tpod_input(real_data: Path, grens: Path, tmp_path: Path) -> None:
    brk = real_data / "brk" / "kadastralekaart_perceel.gml"
    if not brk.exists():
        pytest.skip("the BRK sample is not in ../shared/data/real/brk")
    with pytest.raises(OmgevingskaartError, match="no input is such a package"):
        import_paths([brk], tmp_path / "z.gpkg", replace=True, gemeentegrens=grens)
