"""Search that forgives: spellings of real addresses and kadastrale aanduidingen, suggestions,
autocomplete; on the demo and on the real BAG (Doesburg) and BRK (Otterlo) samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_spellings import COUNT, address_records, share_found, spellings

import omgevingskaart
import omgevingskaart.cli as cli
from omgevingskaart.errors import AddressNotFoundError, AmbiguousAddressError, QueryError
from omgevingskaart.geocode import geocoder_for, name_key, parse_aanduiding, parse_address
from omgevingskaart.report import report


@pytest.fixture(scope="module")
def ds():
    return omgevingskaart.open_dataset()


@pytest.mark.parametrize("text", [
    "Markt 12, Winterswijk", "markt 12 winterswijk", "MARKT 12", "  markt   12  ", "Markt12",
    "Markt 12, 7101AK Winterswijk", "markt 12 7101 ak", "7101AK 12", "7101 ak 12", "7101ak, 12",
    "Markt 12, Winterswyk", "Markt, 12, Winterswijk", "12 Markt",
])
def test_one_address_many_spellings(ds, text: str) -> None:
    rec, _ = geocoder_for(ds).resolve(text)
    assert rec["weergave"] == "Markt 12, 7101AK Winterswijk"


def test_letter_and_toevoeging_glued_or_apart(ds) -> None:
    g = geocoder_for(ds)
    assert g.resolve("Markt 2-1")[0]["weergave"] == "Markt 2-1, 7101AK Winterswijk"
    assert g.resolve("markt 2 1 winterswijk")[0]["weergave"] == "Markt 2-1, 7101AK Winterswijk"
    assert g.resolve("Markt 2/1")[0]["weergave"] == "Markt 2-1, 7101AK Winterswijk"
    assert g.resolve("lappenbrink 80 a")[0]["weergave"] == "Lappenbrink 80A, 7101AJ Winterswijk"
    assert g.resolve("Lappenbrink80a Winterswijk")[0]["weergave"] == "Lappenbrink 80A, 7101AJ Winterswijk"


def test_a_street_alone_lists_its_addresses(ds) -> None:
    with pytest.raises(AmbiguousAddressError) as err:
        geocoder_for(ds).resolve("Markt")
    cands = err.value.candidates
    assert cands[0] == "Markt 1, 7101AK Winterswijk"
    assert len(cands) == len([r for r in address_records(ds) if r["openbare_ruimte"] == "Markt"])
    with pytest.raises(AmbiguousAddressError):
        geocoder_for(ds).resolve("markt winterswijk")


def test_a_typo_is_not_silently_replaced_but_suggested(ds) -> None:
    with pytest.raises(AddressNotFoundError, match="did you mean Markt"):
        geocoder_for(ds).resolve("Mrkt 12")
    assert geocoder_for(ds).suggest("Mrkt 12")[0]["weergave"] == "Markt 12, 7101AK Winterswijk"
    assert geocoder_for(ds).suggest("Wooldstrat 2")[0]["weergave"].startswith("Wooldstraat 2,")


def test_unknown_place_or_number_is_not_found(ds) -> None:
    with pytest.raises(AddressNotFoundError, match="not found"):
        geocoder_for(ds).resolve("Markt 12, Amsterdam")
    with pytest.raises(AddressNotFoundError, match="huisnummers 1-30"):
        geocoder_for(ds).resolve("Markt 999")
    with pytest.raises(QueryError, match="empty"):
        geocoder_for(ds).resolve("  ")
    assert geocoder_for(ds).suggest("") == []
    assert geocoder_for(ds).suggest("qqqqqq 1") == []


def test_autocomplete_while_typing(ds) -> None:
    g = geocoder_for(ds)
    assert [c["weergave"] for c in g.suggest("markt 1", limit=3)] == [
        "Markt 1, 7101AK Winterswijk", "Markt 10, 7101AK Winterswijk", "Markt 10-1, 7101AK Winterswijk"]
    assert all(c["weergave"].startswith("Kerkstraat") for c in g.suggest("Kerkstr", limit=5))
    assert all(c["postcode"].startswith("7101B") for c in g.suggest("7101 b", limit=5))
    first = g.suggest("Markt 12")[0]
    assert first["soort"] == "adres" and first["x"] > 200000 and first["y"] > 400000


@pytest.mark.parametrize("text", ["WWK00 K 2997", "wwk00k2997", "WWK00K 2997", "wwk00 k2997",
                                  "Winterswijk K 2997", "winterswijk k2997", "WWK00-K-2997"])
def test_kadastrale_aanduiding_any_spacing(ds, text: str) -> None:
    assert parse_aanduiding(text)[1:] == ("K", 2997)
    assert report(ds, text).perceel.kadastrale_aanduiding == "WWK00 K 2997"
    assert geocoder_for(ds).suggest(text)[0]["weergave"] == "WWK00 K 2997"


def test_perceel_autocomplete(ds) -> None:
    cands = geocoder_for(ds).suggest("wwk00 k 29", limit=5)
    assert cands and all(c["soort"] == "perceel" and c["weergave"].startswith("WWK00 K 29")
                         for c in cands)
    assert geocoder_for(ds).suggest("Markt")[0]["soort"] == "adres"  # a word is a street, not a gemeente


def test_parse_and_keys() -> None:
    assert parse_address("Markt 12 A Winterswijk").tail == ("a", "winterswijk")
    assert parse_address("7101bh12").postcode == "7101BH"
    assert name_key("Laan v. Hilbelink") == name_key("Laan van Hilbelink")
    assert parse_aanduiding("Markt 12") is None


def test_200_spellings_of_demo_addresses_find_the_right_one(ds) -> None:
    pairs = spellings(address_records(ds))
    assert len(pairs) == COUNT
    share, misses = share_found(geocoder_for(ds), pairs)
    assert share >= 0.95, misses[:10]


def test_real_bag_addresses_forgiving(real_data: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Doesburg BAG extract imported as a dataset: its addresses in sloppy spellings."""
    out = tmp_path / "bag.gpkg"
    monkeypatch.setattr(cli, "COMMANDS", ["import_"])
    assert cli.main(["import", str(real_data / "bag" / "lv-small"), "--into", str(out)]) == 0
    ds = omgevingskaart.open_dataset(out)
    g = geocoder_for(ds)
    records = address_records(ds)
    assert records, "the real BAG sample has addresses"
    pairs = spellings(records, count=len(records))
    share, misses = share_found(g, pairs)
    assert share == 1.0, misses
    rec = records[0]
    typed = f"{rec['openbare_ruimte'].lower()} {rec['huisnummer']} {(rec['woonplaats'] or '').upper()}"
    assert g.resolve(typed)[0]["identificatie"] == rec["identificatie"]


def test_real_brk_aanduiding_forgiving(real_data: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "brk.gpkg"
    monkeypatch.setattr(cli, "COMMANDS", ["import_"])
    assert cli.main(["import", str(real_data / "brk" / "kadastralekaart_perceel.gml"),
                     "--into", str(out)]) == 0
    ds = omgevingskaart.open_dataset(out)
    aand = sorted(ds["perceel"]["kadastrale_aanduiding"])[0]
    squashed = aand.replace(" ", "").lower()
    assert report(ds, squashed).perceel.kadastrale_aanduiding == aand
    assert geocoder_for(ds).suggest(squashed)[0]["weergave"] == aand


def test_search_examples_exist_in_the_data(ds) -> None:
    """The search box's placeholder examples are taken from the data and each one is found."""
    from omgevingskaart.app.common import search_examples

    text = search_examples(ds)
    assert text.startswith("bijv. ") and "7101 BH 12" not in text and "WWK00 K 1234" not in text
    street, rest = text.removeprefix("bijv. ").split(", ", 1)
    postcode, perceel = rest.split(" of ")
    assert report(ds, street).query["gevonden"] == report(ds, postcode).query["gevonden"]
    assert report(ds, perceel).perceel.kadastrale_aanduiding == perceel
