"""The HTTP service for chain partners: ``omgevingskaart serve`` (FastAPI + uvicorn).

See :mod:`omgevingskaart.service.app` for the endpoints and docs/service.md for operation.
FastAPI and uvicorn are the optional extra ``omgevingskaart[service]``.
"""

from __future__ import annotations

from .app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
