"""The layer catalogue: every shipped file is valid, and broken files name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from omgevingskaart.catalogue import CATALOGUE_DIR, load_catalogue, load_layer_file
from omgevingskaart.errors import CatalogueError
from omgevingskaart.schema import SCHEMAS, kind_of

GOOD = '''
id = "pand"
title = "Panden"
kind = "pand"
source = "BAG"
audience = "public"
attribution = "Kadaster"
licence = "CC0 1.0"

[style]
fill = "#d9b38c"
line = "#8c6a4a"

[popup]
fields = ["identificatie"]
'''


def test_shipped_catalogue_is_valid_and_complete() -> None:
    cat = load_catalogue()
    files = sorted(CATALOGUE_DIR.glob("*.toml"))
    assert len(cat) == len(files) >= 16
    for spec in cat:
        assert kind_of(spec.kind) in SCHEMAS
        assert spec.audience in ("public", "ketenpartner")
        assert spec.title and spec.licence and spec.attribution
    # every layer kind the report and app rely on has an entry
    for layer in ("pand", "perceel", "verblijfsobject", "enkelbestemming", "dubbelbestemming",
                  "bouwvlak", "maatvoering", "functieaanduiding", "monument", "bgt_wegdeel"):
        assert layer in cat


def test_bestemming_colours_follow_imro_convention() -> None:
    style = load_catalogue()["enkelbestemming"].style
    assert style.field == "hoofdgroep"
    assert style.colour_for("wonen") == "#ffff00"
    assert style.colour_for("Centrum") == "#ffc8be"
    assert style.colour_for("verkeer") == "#cdcdcd"
    assert style.colour_for("groen") == "#28c846"
    assert style.colour_for("iets anders") == style.default_category


def _write(tmp_path: Path, text: str, name: str = "x.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('kind = "pand"', 'kind = "kasteel"'), "kind"),
        (('audience = "public"', 'audience = "iedereen"'), "audience"),
        (('fill = "#d9b38c"', 'fill = "beige"'), "style.fill"),
        (('fill = "#d9b38c"', "fill = 12"), "style.fill"),
        (('fields = ["identificatie"]', 'fields = ["eigenaar"]'), "popup.fields"),
        (('title = "Panden"', 'titel = "Panden"'), "titel"),
        (('id = "pand"', 'id = "Pand Laag"'), "id"),
        (('[style]', '[style]\nopacity = 3'), "style.opacity"),
        (('[style]', '[style]\nkleur = "#000000"'), "style.kleur"),
    ],
)
def test_broken_file_names_file_and_key(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    p = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(CatalogueError) as err:
        load_layer_file(p)
    assert err.value.key == key
    assert str(p) in str(err.value) and key in str(err.value)


def test_missing_required_key(tmp_path: Path) -> None:
    p = _write(tmp_path, GOOD.replace('licence = "CC0 1.0"\n', ""))
    with pytest.raises(CatalogueError, match=r"\[licence\].*required key missing"):
        load_layer_file(p)


def test_not_toml(tmp_path: Path) -> None:
    p = _write(tmp_path, "id = \n[[[")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_layer_file(p)


def test_duplicate_ids(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "a.toml")
    _write(tmp_path, GOOD, "b.toml")
    with pytest.raises(CatalogueError, match=r"b\.toml \[id\].*also used by a\.toml"):
        load_catalogue(tmp_path)


def test_adding_a_layer_is_adding_a_file(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "pand.toml")
    _write(tmp_path, GOOD.replace('id = "pand"', 'id = "pand_3d"').replace(
        'audience = "public"', 'audience = "ketenpartner"'), "pand_3d.toml")
    cat = load_catalogue(tmp_path)
    assert cat.ids == ["pand", "pand_3d"]
    assert [s.id for s in cat.for_audience({"public"})] == ["pand"]
