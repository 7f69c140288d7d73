"""Omgevingsplan STOP/TPOD + IMOW loader on the real Amersfoort package and a GIO fixture."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import shapely

import omgevingskaart.io as okio
from omgevingskaart.errors import (
    CRSError,
    DataFileError,
    HostileXMLError,
    UnsupportedFormatError,
)
from omgevingskaart.io import tpod

AMBTSGEBIED = "nl.imow-gm0307.ambtsgebied.amersfoort"


@pytest.fixture(scope="module")
def amersfoort(real_data: Path) -> Path:
    return real_data / "tpod" / "1_Amersfoort.zip"


@pytest.fixture(scope="module")
def layers(amersfoort: Path) -> dict:
    return tpod.read(amersfoort)


def test_exact_counts(layers: dict) -> None:
    assert {k: len(v) for k, v in layers.items()} == {
        "regeltekst": 587, "activiteit": 609, "gebiedsaanwijzing": 0, "omgevingsnorm": 0,
        "locatie": 1}
    rt = layers["regeltekst"]
    assert rt["artikel"].notna().all()  # every regeltekst linked to its STOP article
    assert rt["lid"].notna().sum() == 468 and rt["lid"].isna().sum() == 119
    assert rt["artikel"].nunique() == 301  # of the 303 Artikel elements in the STOP text
    assert (rt["type_regel"] == "RegelVoorIedereen").all()
    assert layers["activiteit"]["identificatie"].nunique() == 91


def test_regeltekst_values(layers: dict) -> None:
    rt = layers["regeltekst"].set_index("identificatie")
    r = rt.loc["nl.imow-gm0307.regeltekst.2021000001"]
    assert r["wid"] == "gm0307_1__chp_1__art_1.1__para_1"
    assert (r["artikel"], r["lid"], r["artikel_titel"]) == ("1.1", "1.", "Begripsbepalingen")
    assert r["tekst"].startswith("Begripsbepalingen die, op de dag van de inwerkingtreding")
    assert r["regeling_id"] == "/akn/nl/act/gm0307/2021/omgevingsplanamersfoort"
    assert r["locatie_id"] == AMBTSGEBIED
    assert r.geometry is None  # the ambtsgebied geometry is not in the package
    assert rt["tekst"].str.len().max() <= tpod.MAX_TEXT + 2


def test_activiteit_regelkwalificatie(layers: dict) -> None:
    act = layers["activiteit"]
    row = act[act["identificatie"] == "nl.imow-gm0307.activiteit.AcculaderInWerkingHebbenNw"].iloc[0]
    assert row["naam"] == "Acculader in werking hebben"
    assert row["groep"] == "MilieubelastendeActiviteit"
    assert row["activiteitregelkwalificatie"] == "AndersGeduid"
    assert row["regeltekst_id"].startswith("nl.imow-gm0307.regeltekst.")
    assert act["activiteitregelkwalificatie"].value_counts().to_dict() == {"AndersGeduid": 609}


def test_ambtsgebied_option(amersfoort: Path) -> None:
    boundary = shapely.box(150000, 460000, 160000, 470000)
    got = tpod.read(amersfoort, ambtsgebied=boundary)
    assert got["locatie"].geometry.iloc[0].equals(boundary)
    assert got["regeltekst"].geometry.notna().all()


def test_detection(amersfoort: Path) -> None:
    assert okio.detect(amersfoort) is tpod


# --- a small package with a GIO, in the real GIO / IMOW structure ----------------------------

_OW_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<ow-dc:owBestand xmlns:ow-dc="http://www.geostandaarden.nl/imow/bestanden/deelbestand" '
    'xmlns:sl="http://www.geostandaarden.nl/bestanden-ow/standlevering-generiek" '
    'xmlns:ga="http://www.geostandaarden.nl/imow/gebiedsaanwijzing" '
    'xmlns:l="http://www.geostandaarden.nl/imow/locatie" '
    'xmlns:r="http://www.geostandaarden.nl/imow/regels" '
    'xmlns:rol="http://www.geostandaarden.nl/imow/regelsoplocatie" '
    'xmlns:geo="https://standaarden.overheid.nl/stop/imop/geo/" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"><sl:standBestand>'
)
_OW = _OW_HEAD + """
<sl:stand><ow-dc:owObject><r:Regeltekst wId="gm0294_1__art_1">
  <r:identificatie>nl.imow-gm0294.regeltekst.1</r:identificatie></r:Regeltekst></ow-dc:owObject></sl:stand>
<sl:stand><ow-dc:owObject><r:RegelVoorIedereen>
  <r:identificatie>nl.imow-gm0294.juridischeregel.1</r:identificatie>
  <r:artikelOfLid><r:RegeltekstRef xlink:href="nl.imow-gm0294.regeltekst.1"/></r:artikelOfLid>
  <r:locatieaanduiding><l:LocatieRef xlink:href="nl.imow-gm0294.gebied.1"/></r:locatieaanduiding>
  <r:gebiedsaanwijzing><ga:GebiedsaanwijzingRef xlink:href="nl.imow-gm0294.gebiedsaanwijzing.1"/></r:gebiedsaanwijzing>
  <r:omgevingsnormaanduiding><rol:OmgevingsnormRef xlink:href="nl.imow-gm0294.omgevingsnorm.1"/></r:omgevingsnormaanduiding>
  <r:activiteitaanduiding>
    <rol:ActiviteitRef xlink:href="nl.imow-gm0294.activiteit.bouwen"/>
    <r:ActiviteitLocatieaanduiding>
      <r:identificatie>nl.imow-gm0294.activiteitlocatieaanduiding.1</r:identificatie>
      <r:activiteitregelkwalificatie>http://standaarden.omgevingswet.overheid.nl/activiteitregelkwalificatie/id/concept/Vergunningplicht</r:activiteitregelkwalificatie>
      <r:locatieaanduiding><l:LocatieRef xlink:href="nl.imow-gm0294.gebied.1"/></r:locatieaanduiding>
    </r:ActiviteitLocatieaanduiding>
  </r:activiteitaanduiding>
</r:RegelVoorIedereen></ow-dc:owObject></sl:stand>
<sl:stand><ow-dc:owObject><rol:Activiteit>
  <rol:identificatie>nl.imow-gm0294.activiteit.bouwen</rol:identificatie>
  <rol:naam>Bouwen in het centrum</rol:naam>
  <rol:groep>http://standaarden.omgevingswet.overheid.nl/activiteit/id/concept/BouwactiviteitRuimtelijk</rol:groep>
</rol:Activiteit></ow-dc:owObject></sl:stand>
<sl:stand><ow-dc:owObject><l:Gebied>
  <l:identificatie>nl.imow-gm0294.gebied.1</l:identificatie><l:noemer>Markt</l:noemer>
  <l:geometrie><geo:GeometrieRef xlink:href="7f0c1d2e-0000-4000-8000-000000000001"/></l:geometrie>
</l:Gebied></ow-dc:owObject></sl:stand>
<sl:stand><ow-dc:owObject><ga:Gebiedsaanwijzing>
  <ga:identificatie>nl.imow-gm0294.gebiedsaanwijzing.1</ga:identificatie>
  <ga:type>http://standaarden.omgevingswet.overheid.nl/typegebiedsaanwijzing/id/concept/Erfgoed</ga:type>
  <ga:naam>Beschermd dorpsgezicht</ga:naam>
  <ga:groep>http://standaarden.omgevingswet.overheid.nl/erfgoed/id/concept/BeschermdDorpsgezicht</ga:groep>
  <ga:locatieaanduiding><l:LocatieRef xlink:href="nl.imow-gm0294.gebied.1"/></ga:locatieaanduiding>
</ga:Gebiedsaanwijzing></ow-dc:owObject></sl:stand>
<sl:stand><ow-dc:owObject><rol:Omgevingsnorm>
  <rol:identificatie>nl.imow-gm0294.omgevingsnorm.1</rol:identificatie>
  <rol:naam>maximum bouwhoogte</rol:naam>
  <rol:type>http://standaarden.omgevingswet.overheid.nl/typenorm/id/concept/Maximum</rol:type>
  <rol:normwaarde><rol:Normwaarde>
    <rol:kwantitatieveWaarde>9.5</rol:kwantitatieveWaarde>
    <rol:locatieaanduiding><l:LocatieRef xlink:href="nl.imow-gm0294.gebied.1"/></rol:locatieaanduiding>
  </rol:Normwaarde></rol:normwaarde>
  <rol:eenheid>http://standaarden.omgevingswet.overheid.nl/eenheid/id/concept/Meter</rol:eenheid>
</rol:Omgevingsnorm></ow-dc:owObject></sl:stand>
</sl:standBestand></ow-dc:owBestand>
"""
_STOP = """<?xml version="1.0" encoding="utf-8"?>
<AanleveringBesluit xmlns="https://standaarden.overheid.nl/lvbb/stop/aanlevering/">
 <BesluitVersie><RegelingCompact xmlns="https://standaarden.overheid.nl/stop/imop/tekst/">
  <Lichaam><Artikel eId="art_1" wId="gm0294_1__art_1">
   <Kop><Label>Artikel</Label><Nummer>1</Nummer><Opschrift>Bouwhoogte Markt</Opschrift></Kop>
   <Inhoud><Al>De bouwhoogte bedraagt   ten hoogste 9,5 m.</Al></Inhoud>
  </Artikel></Lichaam></RegelingCompact></BesluitVersie></AanleveringBesluit>
"""


def _gio(srs: str = "urn:ogc:def:crs:EPSG::28992") -> str:
    """A GIO in the structure of Geonovum's published examples (GeoInformatieObjectVaststelling)."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<geo:GeoInformatieObjectVaststelling xmlns:basisgeo="http://www.geostandaarden.nl/basisgeometrie/1.0"
  xmlns:geo="https://standaarden.overheid.nl/stop/imop/geo/"
  xmlns:gio="https://standaarden.overheid.nl/stop/imop/gio/"
  xmlns:gml="http://www.opengis.net/gml/3.2" schemaversie="1.0.4">
 <geo:context><gio:GeografischeContext><gio:achtergrondVerwijzing>top10nl</gio:achtergrondVerwijzing>
  <gio:achtergrondActualiteit>2024-01-01</gio:achtergrondActualiteit></gio:GeografischeContext></geo:context>
 <geo:vastgesteldeVersie><geo:GeoInformatieObjectVersie>
  <geo:FRBRWork>/join/id/regdata/gm0294/2024/markt</geo:FRBRWork>
  <geo:FRBRExpression>/join/id/regdata/gm0294/2024/markt/nld@2024-01-01</geo:FRBRExpression>
  <geo:locaties><geo:Locatie><geo:naam>Markt</geo:naam><geo:geometrie>
   <basisgeo:Geometrie gml:id="id-7f0c1d2e-0000-4000-8000-000000000001-xx">
    <basisgeo:id>7f0c1d2e-0000-4000-8000-000000000001</basisgeo:id>
    <basisgeo:geometrie>
     <gml:MultiSurface gml:id="id-7f0c-0" srsName="{srs}"><gml:surfaceMember><gml:Polygon>
      <gml:exterior><gml:LinearRing><gml:posList>246550 443350 246610 443350 246610 443410
       246550 443410 246550 443350</gml:posList></gml:LinearRing></gml:exterior>
     </gml:Polygon></gml:surfaceMember></gml:MultiSurface>
    </basisgeo:geometrie></basisgeo:Geometrie>
  </geo:geometrie></geo:Locatie></geo:locaties>
 </geo:GeoInformatieObjectVersie></geo:vastgesteldeVersie>
</geo:GeoInformatieObjectVaststelling>
"""


def _package(tmp_path: Path, *, ow: str = _OW, gio: str | None = None) -> Path:
    d = tmp_path / "pakket"
    d.mkdir(exist_ok=True)
    (d / "ow_regels.xml").write_text(ow, encoding="utf-8")
    (d / "akn_nl_bill_gm0294_1.xml").write_text(_STOP, encoding="utf-8")
    if gio is not None:
        (d / "markt.gml").write_text(gio, encoding="utf-8")
    return d


def test_gio_fixture_package(tmp_path: Path) -> None:
    got = okio.read(_package(tmp_path, gio=_gio()))
    square = shapely.box(246550, 443350, 246610, 443410)
    loc = got["locatie"].iloc[0]
    assert (loc["identificatie"], loc["naam"], loc["type"]) == ("nl.imow-gm0294.gebied.1", "Markt",
                                                                "Gebied")
    assert loc.geometry.equals(square)
    rt = got["regeltekst"].iloc[0]
    assert (rt["artikel"], rt["artikel_titel"]) == ("1", "Bouwhoogte Markt")
    assert rt["tekst"] == "De bouwhoogte bedraagt ten hoogste 9,5 m."
    assert rt.geometry.equals(square)
    act = got["activiteit"].iloc[0]
    assert (act["activiteitregelkwalificatie"], act["groep"], act["artikel"]) == (
        "Vergunningplicht", "BouwactiviteitRuimtelijk", "1")
    assert act.geometry.equals(square)
    ga = got["gebiedsaanwijzing"].iloc[0]
    assert (ga["type"], ga["groep"], ga["regeltekst_id"]) == (
        "Erfgoed", "BeschermdDorpsgezicht", "nl.imow-gm0294.regeltekst.1")
    norm = got["omgevingsnorm"].iloc[0]
    assert (norm["waarde"], norm["waarde_tekst"], norm["eenheid"], norm["type"]) == (
        9.5, "9.5", "Meter", "Maximum")
    assert norm.geometry.equals(square)


def test_without_gio_rules_still_load(tmp_path: Path) -> None:
    got = tpod.read(_package(tmp_path))
    assert len(got["regeltekst"]) == 1 and got["regeltekst"].geometry.isna().all()


def test_gio_wrong_crs(tmp_path: Path) -> None:
    with pytest.raises(CRSError, match="4326"):
        tpod.read(_package(tmp_path, gio=_gio("urn:ogc:def:crs:EPSG::4326")))


def test_hostile_xml(tmp_path: Path) -> None:
    bomb = _OW.replace("<ow-dc:owBestand",
                       '<!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                       "<ow-dc:owBestand", 1)
    with pytest.raises(HostileXMLError, match=r"ow_regels\.xml"):
        tpod.read(_package(tmp_path, ow=bomb))


def test_truncated_zip_empty_and_other_format(amersfoort: Path, real_data: Path,
                                              tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(amersfoort.read_bytes()[:50_000])
    with pytest.raises(DataFileError, match=r"cut\.zip"):
        tpod.read(cut)
    empty = tmp_path / "leeg.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("ow.xml", "")
    with pytest.raises(DataFileError, match="empty"):
        tpod.read(empty)
    with pytest.raises(UnsupportedFormatError, match="no IMOW"):
        tpod.read(real_data / "imro" / "NL.IMRO.0664.BPBS03-ON99.gml")
