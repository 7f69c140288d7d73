"""The HTTP service for chain partners: ``omgevingskaart serve`` (FastAPI + uvicorn).

See :mod:`omgevingskaart.service.app` for the endpoints and docs/service.md for operation.
FastAPI and uvicorn are the optional extra ``omgevingskaart[service]``.

Importing this package does not import FastAPI: :mod:`omgevingskaart.service.auth` (the key file,
used by ``omgevingskaart apikey``) is standard library only and works in the core install.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app_from_env", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
