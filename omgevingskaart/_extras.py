"""Optional extras, imported only where needed: the core works without them.

``omgevingskaart[app]`` brings streamlit, folium and pydeck; ``omgevingskaart[service]`` FastAPI and
uvicorn. Code that needs one imports it through :func:`require`, which turns a missing module into a
:class:`~omgevingskaart.errors.MissingExtraError` naming the extra to install (the CLI prints it and
exits with code 2).

>>> require("json", "app").__name__
'json'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingExtraError


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, part of the optional extra ``extra``, or raise MissingExtraError."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise MissingExtraError(exc.name or module, extra) from None
