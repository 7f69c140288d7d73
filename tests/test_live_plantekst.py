"""The bestemmingsplan's regels text in the report, online: the report of the real Goes plan
(imported from its IMRO GML, which holds only text *references*) gets each rule's text from a
Ruimtelijke Plannen API server on 127.0.0.1 (:class:`live_servers.RuimtelijkePlannenServer`).

The texts the server answers are test content in the API's shape (``_links.teksten`` on a
bestemmingsvlak, ``titel`` and XHTML ``inhoud``): the real plan's regels text is not among the
samples. What is checked is the client and the matching by article, the key, the cache and the
errors; offline the rules keep their links only.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_servers import RuimtelijkePlannenServer

from omgevingskaart.cli.import_ import import_paths
from omgevingskaart.dataset import open_dataset
from omgevingskaart.live.ruimtelijkeplannen import API_KEY_ENV, RuimtelijkePlannenClient
from omgevingskaart.plantekst import add_plan_texts, add_plan_texts_online
from omgevingskaart.report import report

VG = "NL.IMRO.0664.BPBS02-VG99"
VG_FILE = "NL.IMRO.0664.BPBS02-VG99_stationspleinzuidoost.gml"
#: a point in the Goes plan: enkelbestemming Verkeer (artikel 8), Waarde - Archeologie - 2 (11)
GOES_POINT = (50810.41, 391013.14)
TEKSTEN = {VG: {
    "8": {"titel": "Artikel 8 Verkeer", "inhoud": (
        "<h3>8.1 Bestemmingsomschrijving</h3><p>De voor &#39;Verkeer&#39; aangewezen gronden zijn "
        "bestemd voor:</p><ul><li>a. wegen en straten;</li><li>b. voet- en fietspaden.</li></ul>")},
    "11": {"titel": "Artikel 11 Waarde - Archeologie - 2", "inhoud": (
        "<p>De voor &#39;Waarde - Archeologie - 2&#39; aangewezen gronden zijn mede bestemd voor "
        "de bescherming van archeologische waarden.</p>")},
}}


@pytest.fixture(scope="module")
def gml(real_data: Path) -> Path:
    """The real plan, copied first: GDAL writes a .gfs file beside a GML it opens."""
    d = Path(tempfile.mkdtemp(prefix="ok-plantekst-"))
    shutil.copyfile(real_data / "imro" / VG_FILE, d / VG_FILE)
    return d / VG_FILE


@pytest.fixture(scope="module")
def goes(gml: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("goes") / "goes.gpkg"
    import_paths([gml], out, replace=True)
    return out


@pytest.fixture()
def server(gml: Path) -> Iterator[RuimtelijkePlannenServer]:
    with RuimtelijkePlannenServer({VG: gml}, with_gml={VG}, teksten=TEKSTEN) as srv:
        yield srv


def _report(goes: Path):
    return report(open_dataset(goes), point=GOES_POINT, crs="EPSG:28992", geldig_op="2020-01-01")


def test_offline_the_rules_keep_their_links_only(goes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    r = _report(goes)
    assert [(g.artikel, g.tekst) for g in r.regels] == [("8", None), ("11", None)]
    assert all(g.url and g.url.startswith("https://www.ruimtelijkeplannen.nl/documents/") for g in r.regels)
    assert add_plan_texts_online(r) is None and [g.tekst for g in r.regels] == [None, None]


def test_each_rule_gets_its_article_text_once(goes: Path, server: RuimtelijkePlannenServer,
                                              tmp_path: Path) -> None:
    r = _report(goes)
    with RuimtelijkePlannenClient(base_url=server.url, key=server.KEY, cache=tmp_path, retries=0,
                                  progress=False) as client:
        assert add_plan_texts(r, client) == 2
    verkeer, archeologie = r.regels
    assert verkeer.tekst == ("8.1 Bestemmingsomschrijving\nDe voor 'Verkeer' aangewezen gronden zijn "
                             "bestemd voor:\na. wegen en straten;\nb. voet- en fietspaden.")
    assert archeologie.tekst.startswith("De voor 'Waarde - Archeologie - 2' aangewezen gronden")
    assert verkeer.url.startswith("https://www.ruimtelijkeplannen.nl/documents/")  # the link stays
    sent = [(m, p.split("?")[0]) for m, p, _, _ in server.requests]
    assert sent[0] == ("POST", f"/v4/plannen/{VG}/bestemmingsvlakken/_zoek")
    assert sorted(p for m, p in sent if m == "GET") == [
        f"/v4/plannen/{VG}/teksten/{VG}.artikel.11", f"/v4/plannen/{VG}/teksten/{VG}.artikel.8"]
    assert all(h.get("x-api-key") == server.KEY for _, _, h, _ in server.requests)
    # a second report of the same place comes from the disk cache: no new request
    n = len(server.requests)
    again = _report(goes)
    with RuimtelijkePlannenClient(base_url=server.url, key=server.KEY, cache=tmp_path, retries=0,
                                  progress=False) as client:
        assert add_plan_texts(again, client) == 2
    assert len(server.requests) == n and again.regels[0].tekst == verkeer.tekst


def test_online_with_a_key_and_a_dutch_note_when_it_fails(goes: Path, server: RuimtelijkePlannenServer,
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_KEY_ENV, server.KEY)
    r = _report(goes)
    assert add_plan_texts_online(r, base_url=server.url, cache=str(tmp_path)) is None
    assert all(g.tekst for g in r.regels)
    monkeypatch.setenv(API_KEY_ENV, "a-wrong-key")
    r = _report(goes)
    note = add_plan_texts_online(r, base_url=server.url, cache=False)
    assert note and "kon niet worden opgehaald" in note and "links" in note
    assert [g.tekst for g in r.regels] == [None, None]
