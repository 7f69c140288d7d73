"""The Ruimtelijke Plannen API v4 client against HTTP servers on 127.0.0.1 with the real IMRO samples.

No open implementation of the provider's API exists, so :class:`RuimtelijkePlannenServer` answers in
the documented shapes (see ``omgevingskaart/live/ruimtelijkeplannen.py``); its content is the three
real IMRO GMLs read with GDAL. These tests check the client: key and CRS headers, paging, which
plans count, the GML download (and that the key never goes to the GML's host), the plan-object
fallback, the cache and the errors.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyogrio
import pytest
import shapely
from live_servers import RuimtelijkePlannenServer

import omgevingskaart.cli as cli
from omgevingskaart import report_at
from omgevingskaart.dataset import open_dataset
from omgevingskaart.errors import RemoteSourceError
from omgevingskaart.io import imro
from omgevingskaart.live.ruimtelijkeplannen import RuimtelijkePlannenClient

VG = "NL.IMRO.0664.BPBS02-VG99"  # vastgesteld, Goes
ON = "NL.IMRO.0664.BPBS03-ON99"  # ontwerp, overlaps VG
DURP = "NL.IMRO.0999.BP2012000001-0005"  # Durperveld: served through the plan-object endpoints
GOES = (50800.0, 390700.0, 51600.0, 391050.0)
DURPERVELD = (222600.0, 433200.0, 223000.0, 433600.0)


@functools.cache
def files(real: Path) -> dict[str, Path]:
    """The three real IMRO plans, copied to a temporary folder first: GDAL's GML driver writes a
    .gfs schema file beside every GML it opens, and ../shared must stay as it was laid."""
    d = Path(tempfile.mkdtemp(prefix="ok-imro-"))
    names = {VG: "NL.IMRO.0664.BPBS02-VG99_stationspleinzuidoost.gml",
             ON: "NL.IMRO.0664.BPBS03-ON99.gml",
             DURP: "NL.IMRO.0999.BP2012000001-0005.gml"}
    for name in names.values():
        shutil.copyfile(real / "imro" / name, d / name)
    return {plan: d / name for plan, name in names.items()}


def extra_plans(gml_url: str, real: Path) -> list[dict]:
    """An expired plan and a structuurvisie over Goes: neither may be downloaded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        area = pyogrio.read_dataframe(files(real)[VG], layer="Bestemmingsplangebied").geometry[0]
    geo = shapely.geometry.mapping(area)
    return [
        {"id": "NL.IMRO.0664.BPOUD-VG01", "naam": "Oud plan", "type": "bestemmingsplan",
         "planstatusInfo": {"planstatus": "vastgesteld", "datum": "1999-05-01"},
         "eindeRechtsgeldigheid": "01-01-2024", "geometrie": geo,
         "verwijzingNaarGml": f"{gml_url}/documents/NL.IMRO.0664.BPOUD-VG01.gml"},
        {"id": "NL.IMRO.0664.SV01-VG01", "naam": "Structuurvisie", "type": "structuurvisie",
         "planstatusInfo": {"planstatus": "vastgesteld", "datum": "2012-01-01"},
         "geometrie": geo, "verwijzingNaarGml": f"{gml_url}/documents/NL.IMRO.0664.SV01.gml"},
    ]


@pytest.fixture()
def server(real_data: Path) -> Iterator[RuimtelijkePlannenServer]:
    srv = RuimtelijkePlannenServer(files(real_data), with_gml={VG, ON})
    srv.plans.extend(extra_plans(srv.gml_url, real_data))
    with srv:
        yield srv


def client(server: RuimtelijkePlannenServer, **kw) -> RuimtelijkePlannenClient:
    return RuimtelijkePlannenClient(base_url=server.url, key=server.KEY, progress=False,
                                    **{"cache": False, "retries": 0, **kw})


def expected(path: Path, bbox: tuple[float, ...]) -> dict:
    box = shapely.box(*bbox)
    return {k: v[v.intersects(box)] for k, v in imro.read(path).items()}


def test_vastgesteld_plan_read_from_its_gml_and_clipped_to_the_bbox(
        server: RuimtelijkePlannenServer, real_data: Path) -> None:
    with client(server) as rp:
        layers = rp.fetch_bbox(GOES)
    want = expected(files(real_data)[VG], GOES)
    assert set(layers) == {k for k, v in want.items() if len(v)}
    for name, frame in layers.items():
        assert sorted(frame["identificatie"]) == sorted(want[name]["identificatie"]), name
        assert set(frame["plan_id"]) == {VG}
    # of the plan's 11 enkelbestemmingen and 25 bouwvlakken, 10 and 20 intersect the bbox
    assert len(layers["enkelbestemming"]) == 10 and len(layers["bouwvlak"]) == 20
    plan = layers["bestemmingsplangebied"].iloc[0]
    assert (plan["planstatus"], plan["naam"]) == ("vastgesteld", "Stationsomgeving Zuid-Oost")
    bouwhoogte = layers["maatvoering"].query("waarde_type == 'maximum bouwhoogte (m)'")
    assert len(bouwhoogte) > 0 and bouwhoogte["waarde"].notna().all()
    # only the vastgesteld plan's GML was fetched: not the ontwerp, the expired plan, the visie
    assert [p for _, p, _ in server.gml_requests] == [f"/documents/{VG}.gml"]
    # the key went to the API, never to the GML's host
    assert all("x-api-key" not in {k.lower() for k in h} for _, _, h in server.gml_requests)
    searches = [r for r in server.requests if r[1].startswith("/v4/plannen/_zoek")]
    assert len(searches) == 2  # 4 plans intersect, 2 per page: the client followed _links.next
    # rules in force asked for; this server answers every plan anyway (as a server that ignores
    # the filter would), so the client's own checks above had to leave out the rest
    assert parse_qs(urlsplit(searches[0][1]).query)["regelStatus"] == ["geldend"]
    method, _, headers, body = searches[0]
    assert method == "POST" and headers["x-api-key"] == server.KEY
    assert headers["Content-Crs"] == "epsg:28992" and headers["Accept-Crs"] == "epsg:28992"
    assert shapely.geometry.shape(body["_geo"]["intersects"]).equals(shapely.box(*GOES))


def test_drafts_on_request_add_the_ontwerp_plan(server: RuimtelijkePlannenServer,
                                                real_data: Path) -> None:
    with client(server) as rp:
        layers = rp.fetch_bbox(GOES, drafts=True)
    vg, on = expected(files(real_data)[VG], GOES), expected(files(real_data)[ON], GOES)
    assert len(layers["enkelbestemming"]) == len(vg["enkelbestemming"]) + len(
        on["enkelbestemming"])
    assert set(layers["bestemmingsplangebied"]["planstatus"]) == {"vastgesteld", "ontwerp"}
    first = next(r for r in server.requests if r[1].startswith("/v4/plannen/_zoek"))
    assert parse_qs(urlsplit(first[1]).query)["regelStatus"] == ["geldend,in ontwikkeling"]


def test_plan_without_gml_falls_back_to_the_planobject_endpoints(
        server: RuimtelijkePlannenServer, real_data: Path) -> None:
    with client(server) as rp:
        layers = rp.fetch_bbox(DURPERVELD)
    box = shapely.box(*DURPERVELD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdal = {n: pyogrio.read_dataframe(files(real_data)[DURP], layer=n)
                for n in ("Enkelbestemming", "Bouwvlak", "Maatvoering")}
    hit = {n: f[f.intersects(box)] for n, f in gdal.items()}
    assert len(layers["enkelbestemming"]) == len(hit["Enkelbestemming"]) > 0
    assert len(layers["bouwvlak"]) == len(hit["Bouwvlak"]) > 0
    # a maatvoering with two omvang entries gives two tidy rows
    assert len(layers["maatvoering"]) == sum(len(t) for t in hit["Maatvoering"]["waardeType"])
    row = layers["maatvoering"].query("identificatie == 'NL.IMRO.363' and "
                                      "waarde_type == 'maximum bouwhoogte (m)'")
    assert row["waarde"].tolist() == [12.0]
    assert layers["bestemmingsplangebied"]["plan_id"].tolist() == [DURP]
    assert not server.gml_requests
    assert any(p.startswith(f"/v4/plannen/{DURP}/maatvoeringen/_zoek")
               for _, p, _, _ in server.requests)


def test_downloads_and_searches_are_cached(server: RuimtelijkePlannenServer,
                                           tmp_path: Path) -> None:
    with client(server, cache=tmp_path / "cache") as rp:
        first = rp.fetch_bbox(GOES)
    seen_api, seen_gml = len(server.requests), len(server.gml_requests)
    with client(server, cache=tmp_path / "cache") as rp:
        again = rp.fetch_bbox(GOES)
    assert (len(server.requests), len(server.gml_requests)) == (seen_api, seen_gml)
    assert {k: len(v) for k, v in again.items()} == {k: len(v) for k, v in first.items()}


def test_a_wrong_key_is_a_clear_error(server: RuimtelijkePlannenServer) -> None:
    rp = RuimtelijkePlannenClient(base_url=server.url, key="wrong", cache=False, retries=0,
                                  progress=False)
    with rp, pytest.raises(RemoteSourceError, match="HTTP 401"):
        rp.fetch_bbox(GOES)


def test_a_truncated_gml_names_the_plan(real_data: Path) -> None:
    srv = RuimtelijkePlannenServer(files(real_data), with_gml={VG, ON}, broken_gml={VG})
    with srv, client(srv) as rp, pytest.raises(
            RemoteSourceError, match=f"GML of plan {VG} is not readable IMRO"):
        rp.fetch_bbox(GOES)


def test_fetch_cli_writes_the_plan_layers_into_a_dataset(
        server: RuimtelijkePlannenServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RUIMTELIJKEPLANNEN_API_KEY", server.KEY)
    monkeypatch.setattr(cli, "COMMANDS", ["fetch"])
    out = tmp_path / "plannen.gpkg"
    code = cli.main(["fetch", "--bbox", *map(str, GOES), "--into", str(out), "--sources",
                     "plannen", "--base-url-plannen", server.url, "--no-cache", "-q"])
    assert code == 0, capsys.readouterr().err
    ds = open_dataset(out)
    assert len(ds["enkelbestemming"]) == 10
    report = report_at(ds, point=(51200.0, 390900.0), crs="EPSG:28992")
    assert report.to_dict()
