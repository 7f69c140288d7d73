"""A :class:`pydeck.Deck` whose JSON has no indentation: the one pydeck subclass of the 3D views.

pydeck indents its JSON by 2 spaces, which for flat coordinate arrays is a third to a half of the
bytes Streamlit sends (``st.pydeck_chart`` calls ``to_json()``). This module imports pydeck (the
``app`` extra); the scene builders in :mod:`.town3d` and :mod:`.deck3d` import it only when they
build a deck, so the core (glTF and HTML export) works without pydeck.
"""

from __future__ import annotations

import json

import pydeck as pdk


class CompactDeck(pdk.Deck):
    """A pydeck Deck serialised without indentation."""

    def to_json(self) -> str:
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"),
                          ensure_ascii=False)
