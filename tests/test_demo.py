"""The embedded demo dataset: counts, ids, coherence (partitions, fronts, bouwvlakken), determinism.

Property tests read the committed ``data/demo/winterswijk-centrum.gpkg``; one session fixture
builds the dataset twice into a temporary folder to prove the build is deterministic and that the
committed file is what the generator writes, also in a process whose numpy may not use the CPU's
vector instructions and whose OpenBLAS uses its plainest kernels (the file must not depend on them).
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from omgevingskaart.dataset import Dataset, open_dataset
from omgevingskaart.schema import SCHEMAS, conform, kind_of, unit_of

BGT_GROUND = ("bgt_wegdeel", "bgt_waterdeel", "bgt_begroeidterreindeel", "bgt_onbegroeidterreindeel")
TOL_AREA = 1e-3  # m2


@pytest.fixture(scope="module")
def ds(demo_path: Path) -> Dataset:
    return open_dataset(demo_path)


@pytest.fixture(scope="session")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from omgevingskaart.demo import build_demo

    root = tmp_path_factory.mktemp("demo")
    return build_demo(root / "a.gpkg"), build_demo(root / "b.gpkg")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extent(ds: Dataset) -> shapely.Geometry:
    return ds["bestemmingsplangebied"].geometry.iloc[0]


def _assert_partition(geoms: np.ndarray, whole: shapely.Geometry) -> None:
    """``geoms`` cover ``whole`` (area within 1e-6 relative) and overlap by less than 1e-3 m2."""
    union = shapely.union_all(geoms)
    assert abs(union.area - whole.area) <= 1e-6 * whole.area
    assert shapely.difference(whole, union).area <= 1e-6 * whole.area
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    overlap = shapely.area(shapely.intersection(geoms[a[keep]], geoms[b[keep]])).sum()
    assert overlap < TOL_AREA, f"pairwise overlaps total {overlap} m2"


def _best_overlap(small: gpd.GeoDataFrame, big: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each row of ``small``: the row of ``big`` it overlaps most, and the area fraction."""
    sg, bg = small.geometry.to_numpy(), big.geometry.to_numpy()
    si, bi = shapely.STRtree(bg).query(sg, predicate="intersects")
    ov = shapely.area(shapely.intersection(sg[si], bg[bi]))
    df = pd.DataFrame({"s": si, "b": bi, "frac": ov / shapely.area(sg[si])})
    df = df.sort_values(["s", "frac"]).drop_duplicates("s", keep="last").set_index("s")
    return df.reindex(range(len(small)))


# --- counts, ids, schemas -------------------------------------------------------------------------


def test_counts(ds: Dataset) -> None:
    assert len(ds["perceel"]) >= 1000
    assert len(ds["pand"]) >= 2000
    assert len(ds["verblijfsobject"]) > len(ds["pand"]) / 2
    for name in ("openbare_ruimte", "woonplaats", "enkelbestemming", "dubbelbestemming", "bouwvlak",
                 "maatvoering", "functieaanduiding", "bouwaanduiding", "monument", *BGT_GROUND):
        assert len(ds[name]) > 0, name


def test_extent_around_the_markt(ds: Dataset) -> None:
    xmin, ymin, xmax, ymax = _extent(ds).bounds
    assert xmax - xmin == pytest.approx(1200.0) and ymax - ymin == pytest.approx(1000.0)
    assert (xmin + xmax) / 2 == pytest.approx(246580.0) and (ymin + ymax) / 2 == pytest.approx(443380.0)


def test_ids_are_bag_shaped(ds: Dataset) -> None:
    pand, vbo, orr = ds["pand"], ds["verblijfsobject"], ds["openbare_ruimte"]
    assert pand.identificatie.str.fullmatch(r"029410\d{10}").all()
    assert vbo.identificatie.str.fullmatch(r"029401\d{10}").all()
    assert vbo.nummeraanduiding_identificatie.str.fullmatch(r"029420\d{10}").all()
    assert orr.identificatie.str.fullmatch(r"029430\d{10}").all()
    for frame in (pand, vbo, orr, ds["perceel"]):
        assert frame.identificatie.is_unique
    assert vbo.nummeraanduiding_identificatie.is_unique
    assert vbo.pand_identificatie.isin(pand.identificatie).all()
    assert vbo.postcode.str.fullmatch(r"710[123][A-Z]{2}").all()
    assert ds["perceel"].identificatie.str.fullmatch(r"\d{14}").all()
    bgt = pd.concat([ds[n] for n in BGT_GROUND])
    assert bgt.identificatie.str.fullmatch(r"G0294\.[0-9a-f]{32}").all()
    assert bgt.identificatie.is_unique


def test_perceel_aanduiding(ds: Dataset) -> None:
    p = ds["perceel"]
    expected = p.kadastrale_gemeente_code + " " + p.sectie + " " + p.perceelnummer.astype(str)
    assert (p.kadastrale_aanduiding == expected).all()
    assert not p.duplicated(["sectie", "perceelnummer"]).any()
    assert (p.kadastrale_grootte == np.rint(p.area)).all()


def test_heights_are_3dbag_like(ds: Dataset) -> None:
    p = ds["pand"].dropna(subset=["b3_h_dak_70p"])
    assert len(p) > 0.98 * len(ds["pand"])
    assert p.b3_h_maaiveld.between(35.0, 37.0).all()
    assert (p.b3_h_dak_min <= p.b3_h_dak_50p).all()
    assert (p.b3_h_dak_50p <= p.b3_h_dak_70p).all()
    assert (p.b3_h_dak_70p <= p.b3_h_dak_max).all()
    assert (p.b3_h_dak_min > p.b3_h_maaiveld).all()
    assert set(p.b3_dak_type) <= {"slanted", "horizontal", "multiple horizontal"}
    assert set(ds["pand"].status) <= {"Pand in gebruik", "Bouw gestart", "Verbouwing pand"}


def test_schemas_conform(ds: Dataset) -> None:
    for name in ds.layers:
        frame = ds[name]
        again = conform(frame, name)
        schema = SCHEMAS[kind_of(name)]
        assert list(again.columns) == schema.column_names, name
        for col, dtype in schema.columns.items():
            assert str(frame[col].dtype) == str(again[col].dtype) == dtype, (name, col)


def test_bron_says_synthetic(ds: Dataset) -> None:
    assert ds.is_synthetic
    assert "synthetisch" in ds.meta["bron"].lower() or "synthetische" in ds.meta["bron"].lower()
    assert ds.meta["gemeentecode"] == "0294"
    for name in ds.layers:
        bron = ds[name]["bron"]
        assert bron.notna().all() and bron.str.startswith("demo (synthetisch)").all(), name


# --- coherence ------------------------------------------------------------------------------------


def test_every_pand_stands_on_one_perceel(ds: Dataset) -> None:
    best = _best_overlap(ds["pand"], ds["perceel"])
    assert best.frac.notna().all()
    assert (best.frac >= 0.999).all(), best[best.frac < 0.999]


def test_percelen_partition_the_extent(ds: Dataset) -> None:
    _assert_partition(ds["perceel"].geometry.to_numpy(), _extent(ds))


def test_enkelbestemmingen_partition_the_plan_area(ds: Dataset) -> None:
    _assert_partition(ds["enkelbestemming"].geometry.to_numpy(), _extent(ds))
    names = set(ds["enkelbestemming"].naam)
    assert {"Centrum", "Wonen", "Gemengd - 1", "Verkeer - Verblijfsgebied", "Groen",
            "Maatschappelijk"} <= names


def test_bgt_ground_and_panden_partition_the_extent(ds: Dataset) -> None:
    geoms = np.concatenate([ds[n].geometry.to_numpy() for n in (*BGT_GROUND, "pand")])
    _assert_partition(geoms, _extent(ds))


def test_house_fronts_face_a_street(ds: Dataset) -> None:
    pand, vbo = ds["pand"], ds["verblijfsobject"]
    lines = dict(zip(ds["openbare_ruimte"].naam, ds["openbare_ruimte"].geometry, strict=True))
    assert set(vbo.openbare_ruimte) <= set(lines)
    first = vbo.drop_duplicates("pand_identificatie")
    geoms = dict(zip(pand.identificatie, pand.geometry, strict=True))
    dist = np.array([shapely.distance(geoms[p], lines[s])
                     for p, s in zip(first.pand_identificatie, first.openbare_ruimte, strict=True)])
    # houses stand at most a setback plus half a street from the centre line; a school's gym hall
    # and the church in the middle of the Markt stand farther back
    assert dist.max() <= 45.0
    assert (dist <= 16.0).mean() >= 0.99
    # and the lot they stand on touches the public road
    addressed = pand[pand.identificatie.isin(first.pand_identificatie)].reset_index(drop=True)
    best = _best_overlap(addressed, ds["perceel"])
    lots = ds["perceel"].geometry.to_numpy()[best.b.to_numpy(dtype=int)]
    road = shapely.union_all(ds["bgt_wegdeel"].geometry.to_numpy())
    assert (shapely.distance(lots, road) < 1e-6).all()


def test_bouwvlakken_cover_the_built_fronts(ds: Dataset) -> None:
    pand, vbo = ds["pand"], ds["verblijfsobject"]
    hoofd = pand[pand.identificatie.isin(vbo.pand_identificatie)]
    union = shapely.union_all(ds["bouwvlak"].geometry.to_numpy())
    frac = shapely.area(shapely.intersection(hoofd.geometry.to_numpy(), union)) / hoofd.area.to_numpy()
    assert (frac >= 0.99).all()


def test_maatvoering_is_tidy(ds: Dataset) -> None:
    mv = ds["maatvoering"]
    assert not mv.duplicated(["identificatie", "waarde_type"]).any()
    assert (mv.eenheid == mv.waarde_type.map(unit_of)).all()
    assert (mv.waarde_tekst.astype(float) == mv.waarde).all()
    types = set(mv.waarde_type)
    assert {"maximum goothoogte (m)", "maximum bouwhoogte (m)",
            "maximum bebouwingspercentage (%)"} <= types
    # every bouwvlak carries a maximum goothoogte and bouwhoogte (maatvoering on the same vlak)
    bh = mv[mv.waarde_type == "maximum bouwhoogte (m)"]
    assert len(bh) == len(ds["bouwvlak"])
    goot = mv[mv.waarde_type == "maximum goothoogte (m)"].set_index("identificatie").waarde
    assert (goot.loc[bh.identificatie].to_numpy() < bh.waarde.to_numpy()).all()


def test_a_few_buildings_exceed_their_maximum_bouwhoogte(ds: Dataset) -> None:
    pand, vbo, mv = ds["pand"], ds["verblijfsobject"], ds["maatvoering"]
    hoofd = pand[pand.identificatie.isin(vbo.pand_identificatie)].reset_index(drop=True)
    bh = mv[mv.waarde_type == "maximum bouwhoogte (m)"].reset_index(drop=True)
    best = _best_overlap(hoofd, bh)
    height = (hoofd.b3_h_dak_max - hoofd.b3_h_maaiveld).to_numpy()
    allowed = bh.waarde.to_numpy()[best.b.to_numpy(dtype=int)]
    exceed = np.nan_to_num(height, nan=0.0) > allowed
    assert 5 <= exceed.sum() <= 20
    assert (np.nan_to_num(height, nan=0.0) <= allowed).mean() > 0.99


def test_dubbelbestemming_covers_the_old_core(ds: Dataset) -> None:
    db = ds["dubbelbestemming"]
    assert (db.naam == "Waarde - Archeologie 1").all() and (db.hoofdgroep == "waarde").all()
    assert db.geometry.iloc[0].contains(shapely.Point(246580.0, 443380.0))
    assert ds["enkelbestemming"].tekst_ref.str.startswith("r_NL.IMRO.0294.").all()


def test_monuments_link_to_panden(ds: Dataset) -> None:
    mon, pand = ds["monument"], ds["pand"]
    assert mon.pand_identificatie.isin(pand.identificatie).all()
    geoms = dict(zip(pand.identificatie, pand.geometry, strict=True))
    for pid, g in zip(mon.pand_identificatie, mon.geometry, strict=True):
        assert g.equals(geoms[pid])
    types = mon.monumenttype.value_counts()
    assert types["rijksmonument"] >= 10 and types["gemeentelijk monument"] >= 15
    assert mon.adres.notna().all()


def test_addresses_unique_and_markt_exists(ds: Dataset) -> None:
    vbo = ds["verblijfsobject"]
    key = ["openbare_ruimte", "huisnummer", "huisletter", "huisnummertoevoeging"]
    assert not vbo[key].astype(str).duplicated().any()
    markt = set(vbo.loc[vbo.openbare_ruimte == "Markt", "huisnummer"])
    assert set(range(1, 21)) <= markt
    gebruik = set(vbo.gebruiksdoel)
    assert {"woonfunctie", "winkelfunctie", "kantoorfunctie", "bijeenkomstfunctie"} <= gebruik
    # each verblijfsobject lies in its pand
    pand = ds["pand"].set_index("identificatie").geometry
    inside = shapely.contains(pand.loc[vbo.pand_identificatie].to_numpy(), vbo.geometry.to_numpy())
    assert inside.all()


# --- determinism ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_build_is_deterministic(two_builds: tuple[Path, Path]) -> None:
    a, b = two_builds
    assert _sha(a) == _sha(b)


@pytest.mark.slow
def test_committed_file_equals_a_fresh_build(two_builds: tuple[Path, Path], demo_path: Path) -> None:
    assert _sha(two_builds[0]) == _sha(demo_path), (
        "data/demo/winterswijk-centrum.gpkg is stale: run `omgevingskaart demo build`")


#: OpenBLAS's plainest kernels per machine (its ``OPENBLAS_CORETYPE`` names).
_PLAIN_OPENBLAS = {"x86_64": "Prescott", "AMD64": "Prescott", "aarch64": "ARMV8", "arm64": "ARMV8"}

_CHILD = """
import sys
from numpy._core import _multiarray_umath as m
off = [f for f in sys.argv[2].split() if f]
assert not any(m.__cpu_features__.get(f) for f in off), "numpy still uses " + repr(off)
from omgevingskaart.demo import build_demo
build_demo(sys.argv[1])
"""


@pytest.mark.slow
def test_build_without_vector_instructions_equals_the_committed_file(
        tmp_path: Path, demo_path: Path) -> None:
    """Every SIMD extension numpy would dispatch to on this CPU switched off
    (``NPY_DISABLE_CPU_FEATURES``), OpenBLAS on its plainest kernels: the same bytes."""
    from numpy._core import _multiarray_umath as m

    found = [f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f)]
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(found), "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    coretype = _PLAIN_OPENBLAS.get(platform.machine())
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = tmp_path / "plain.gpkg"
    subprocess.run([sys.executable, "-c", _CHILD, str(out), " ".join(found)], env=env, check=True,
                   timeout=600)
    assert _sha(out) == _sha(demo_path), (
        f"a build without {found} (OpenBLAS {coretype}) differs from the committed file")


class _SinOneUlpOff:
    """``math`` with a ``sin`` one unit in the last place off (another C library's ``sin``)."""

    def __getattr__(self, name: str):
        import math

        return getattr(math, name)

    @staticmethod
    def sin(x: float) -> float:
        import math

        return float(np.nextafter(math.sin(x), np.inf))


@pytest.mark.slow
def test_last_bit_differences_do_not_reach_the_file(tmp_path: Path, demo_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """What another CPU or C library could change: every ``sin`` and every GEOS centroid and
    interior point the generator uses one unit in the last place off. The file stays the same."""
    from omgevingskaart.demo import bag, build, plan, special, streets

    for module in (streets, special, plan, bag):
        monkeypatch.setattr(module, "math", _SinOneUlpOff())
    centroid, on_surface = shapely.centroid, shapely.point_on_surface
    monkeypatch.setattr(shapely, "centroid", lambda g: shapely.transform(
        centroid(g), lambda xy: np.nextafter(xy, np.inf)))
    monkeypatch.setattr(shapely, "point_on_surface", lambda g: shapely.transform(
        on_surface(g), lambda xy: np.nextafter(xy, -np.inf)))
    assert _sha(build.build_demo(tmp_path / "ulp.gpkg")) == _sha(demo_path)
