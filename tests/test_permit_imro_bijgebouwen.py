"""What the real IMRO samples say about bijgebouwen: the plan model reads it where present.

The permit check takes the plan's rules for bijbehorende bouwwerken from IMRO objects that name
them (a bouwaanduiding / functieaanduiding "bijgebouwen", a maatvoering for bijgebouwen). The real
samples in ../shared/data/real/imro hold none: their maatvoering is for the hoofdgebouw (bouw- and
goothoogte, bebouwingspercentage, bouwlagen, wooneenheden), so the check must leave the bijgebouw
rules "onbekend" and say "hangt af van het omgevingsplan" where only art. 22.27 could help.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from omgevingskaart.io import imro
from omgevingskaart.permit.from_dataset import mentions_bijgebouw

FILES = {
    "NL.IMRO.0999.BP2012000001-0005.gml": {"maximum bouwhoogte (m)": 26, "maximum goothoogte (m)": 26,
                                           "maximum bebouwingspercentage (%)": 1,
                                           "maximum aantal wooneenheden": 1},
    "NL.IMRO.0664.BPBS03-ON99.gml": {"maximum aantal bouwlagen": 11, "maximum bebouwingspercentage (%)": 3},
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_real_plans_hold_no_bijgebouw_rules(real_data: Path, name: str) -> None:
    layers = imro.read(real_data / "imro" / name)
    types = Counter(layers["maatvoering"]["waarde_type"].dropna())
    assert dict(types) == FILES[name]
    for layer in ("bouwaanduiding", "functieaanduiding", "maatvoering"):
        rows = layers[layer].drop(columns="geometry").to_dict("records")
        assert not [r for r in rows if mentions_bijgebouw(r)], layer


def test_the_bijgebouw_reader_recognises_the_svbp_names() -> None:
    assert mentions_bijgebouw({"naam": "specifieke bouwaanduiding - bijgebouwen"})
    assert mentions_bijgebouw({"naam": "maximum oppervlakte bijgebouwen", "waarde_type": "maximum oppervlakte (m2)"})
    assert not mentions_bijgebouw({"naam": "specifieke bouwaanduiding - twee-aaneen / vrijstaand"})
