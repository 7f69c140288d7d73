"""The embedded demo dataset: a synthetic Winterswijk centre shaped exactly like the real registers.

``omgevingskaart demo build`` (or :func:`build_demo`) writes ``data/demo/winterswijk-centrum.gpkg``
deterministically; see ``docs/demo-dataset.md`` for what is real (street names, the coordinate
frame, the register shapes) and what is invented (everything else).
"""

from .build import BRON_BAG, NOTICE, SEED, build_demo, build_layers

__all__ = ["BRON_BAG", "NOTICE", "SEED", "build_demo", "build_layers"]
