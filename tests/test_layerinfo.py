"""Per-layer provenance for chain partners: dates with their origin, licence links, file names,
catalogue links validated."""

from __future__ import annotations

from pathlib import Path

import pytest

import omgevingskaart
import omgevingskaart.cli as cli
from omgevingskaart.catalogue import load_layer_file
from omgevingskaart.errors import CatalogueError
from omgevingskaart.layerinfo import api_items_path, download_name, layer_date, licence_url

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ds():
    return omgevingskaart.open_dataset()


def test_every_demo_layer_has_a_date_with_its_origin(ds) -> None:
    for spec in ds.catalogue:
        found = layer_date(ds, spec)
        assert found is not None, spec.id
        assert found.origin in {"gegevens", "bestand"}
    # the plan's own date column wins over the file's date
    assert layer_date(ds, ds.catalogue["bestemmingsplangebied"]).date == max(
        ds["bestemmingsplangebied"]["datum"].dropna())
    assert layer_date(ds, ds.catalogue["pand"]).uitleg == "2026-01-01 (opgeslagen in dit gegevensbestand)"


def test_download_names_carry_the_data_date(ds) -> None:
    assert download_name(ds, ds.catalogue["pand"], "gpkg") == "omgevingskaart-pand-2026-01-01.gpkg"
    assert download_name(ds, ds.catalogue["bgt_wegdeel"], ".geojson").startswith(
        "omgevingskaart-bgt_wegdeel-2024-")
    assert api_items_path(ds.catalogue["pand"]) == "/v1/layers/pand/items"


def test_licences_and_sources_link(ds) -> None:
    assert licence_url("CC0 1.0").startswith("https://creativecommons.org/publicdomain/zero/1.0/")
    assert licence_url("Vertrouwelijk tot publicatie") == ""
    assert licence_url("Eigen", "https://example.org/l") == "https://example.org/l"
    for spec in ds.catalogue:
        assert spec.source_url.startswith("https://"), spec.id


@pytest.mark.parametrize(("line", "key"), [('source_url = "ftp://x"', "source_url"),
                                            ('date = "5 december"', "date")])
def test_catalogue_rejects_bad_links_and_dates(tmp_path: Path, line: str, key: str) -> None:
    text = (ROOT / "layers" / "pand.toml").read_text(encoding="utf-8")
    text = "\n".join(x for x in text.splitlines() if not x.startswith(key)) + "\n"
    text = text.replace('audience = "public"', f'audience = "public"\n{line}')
    f = tmp_path / "pand.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=key):
        load_layer_file(f)


def test_real_import_dates_the_layer(real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real BRK sample imported: its perceel layer is dated (file date, not 'unknown')."""
    out = tmp_path / "brk.gpkg"
    monkeypatch.setattr(cli, "COMMANDS", ["import_"])
    assert cli.main(["import", str(real_data / "brk" / "kadastralekaart_perceel.gml"), "--into", str(out)]) == 0
    real = omgevingskaart.open_dataset(out)
    spec = real.catalogue["perceel"]
    found = layer_date(real, spec)
    assert found is not None and found.origin in {"bestand", "import"}
    assert download_name(real, spec, "gpkg") == f"omgevingskaart-perceel-{found.date}.gpkg"
