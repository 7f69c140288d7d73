"""Structured JSON errors for the HTTP service; never a stack trace in a response.

Every error response has the shape ``{"error": {"code": ..., "message": ..., "field"?: ...,
"candidates"?: [...], "details"?: [...]}}``. The mapping from library errors to HTTP status:

=========================================  ======  ===========================
error                                      status  code
=========================================  ======  ===========================
request parameter / body validation        400     ``invalid_parameter``
:class:`CoordinateRangeError`              400     ``invalid_coordinates`` (+ ``field``)
:class:`CRSError`                          400     ``invalid_crs``
:class:`QueryError` (other)                400     ``invalid_query``
no / invalid API key                       401     ``api_key_required``
key without the layer                      403     ``forbidden``
:class:`AddressNotFoundError`              404     ``address_not_found``
:class:`OutsideDataError`                  404     ``outside_data``
unknown layer, perceel, path               404     ``not_found`` / ``perceel_not_found``
:class:`AmbiguousAddressError`             409     ``ambiguous_address`` (+ ``candidates``)
body larger than the limit                 413     ``payload_too_large``
invalid keys sent too often (per client)   429     ``too_many_requests`` (+ ``Retry-After``)
:class:`ScenarioError`                     422     ``invalid_scenario`` (+ ``field``)
anything else                              500     ``internal_error`` (logged, not shown)
=========================================  ======  ===========================
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import (
    AccessDeniedError,
    AddressNotFoundError,
    AmbiguousAddressError,
    CoordinateRangeError,
    CRSError,
    OmgevingskaartError,
    OutsideDataError,
    QueryError,
    ScenarioError,
)
from .limits import client_of

log = logging.getLogger("omgevingskaart.service")

_STATUS_CODES = {400: "bad_request", 401: "api_key_required", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
                 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_scenario",
                 429: "too_many_requests", 500: "internal_error"}


class ServiceError(OmgevingskaartError):
    """An error raised by the service itself with its HTTP status, code and optional field."""

    def __init__(self, status_code: int, code: str, message: str, *, field: str | None = None):
        self.status_code = status_code
        self.code = code
        self.field = field
        super().__init__(message)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    err.update({k: v for k, v in extra.items() if v is not None})
    return {"error": err}


def error_response(status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "header")]
    return ".".join(parts) if parts else "body"


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    details = [{"field": _loc(e.get("loc", ())), "message": str(e.get("msg", "")),
                "type": _plain(e.get("type"))} for e in errors]
    first = details[0] if details else {"field": "body", "message": "invalid request"}
    if errors and errors[0].get("type") == "json_invalid":
        return error_response(400, "invalid_json", f"the request body is not valid JSON: {first['message']}",
                              field="body")
    return error_response(400, "invalid_parameter", f"{first['field']}: {first['message']}",
                          field=first["field"], details=details)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    if status == 404 and exc.detail == "Not Found":
        message = f"no such resource: {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(status, _STATUS_CODES.get(status, "error"), message,
                          headers=getattr(exc, "headers", None))


async def _library(request: Request, exc: OmgevingskaartError) -> JSONResponse:
    if isinstance(exc, ServiceError):
        return error_response(exc.status_code, exc.code, str(exc), field=exc.field)
    if isinstance(exc, AccessDeniedError):
        status = getattr(exc, "status_code", 403)
        limiter = getattr(request.app.state, "auth_limiter", None)
        if getattr(exc, "invalid_key", False) and limiter is not None:
            limiter.record_failure(client_of(request.scope))
        headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if status == 401 else None
        return error_response(status, getattr(exc, "code", "forbidden"), str(exc), headers=headers)
    if isinstance(exc, AmbiguousAddressError):
        return error_response(409, "ambiguous_address", str(exc), field="address",
                              candidates=list(exc.candidates))
    if isinstance(exc, AddressNotFoundError):
        return error_response(404, "address_not_found", str(exc), field="address")
    if isinstance(exc, OutsideDataError):
        return error_response(404, "outside_data", str(exc))
    if isinstance(exc, ScenarioError):
        return error_response(422, "invalid_scenario", str(exc), field=exc.field)
    if isinstance(exc, CoordinateRangeError):
        return error_response(400, "invalid_coordinates", str(exc), field=exc.field)
    if isinstance(exc, CRSError):
        return error_response(400, "invalid_crs", str(exc), field="crs")
    if isinstance(exc, QueryError):
        return error_response(400, "invalid_query", str(exc))
    # DatasetError, CatalogueError, ...: a problem on the server side; the message may name server
    # paths, so it goes to the log only.
    log.error("server-side data error on %s %s: %s", request.method, request.url.path, exc)
    return error_response(500, "internal_error", "the server could not read its data; the incident is logged")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal server error; the incident is logged")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(OmgevingskaartError, _library)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
