"""``omgevingskaart serve``: the HTTP service for chain partners (FastAPI under uvicorn).

The options are passed to the app (also to each of ``--workers`` processes) through the
environment variables :func:`omgevingskaart.service.app.app_from_env` reads. The configuration is
checked before the server starts: a missing dataset, catalogue or keys file exits with code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import OmgevingskaartError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="start de HTTP-dienst voor ketenpartners (OpenAPI op /docs)",
        description=(
            "Start de HTTP-dienst (FastAPI + uvicorn): /v1/report, /v1/check, /v1/layers en "
            "/v1/layers/{id}/items (GeoJSON). Lagen voor ketenpartners vragen een API-sleutel "
            "(X-API-Key); maak er een met 'omgevingskaart apikey add'. Zie docs/service.md."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="adres om op te luisteren (standaard 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="poort (standaard 8000)")
    parser.add_argument("--dataset", help="dataset (GeoPackage, postgresql://... of x.parquet); standaard $OMGEVINGSKAART_DATASET of de demo")
    parser.add_argument("--catalogue", help="map met laag-catalogus (*.toml); standaard layers/")
    parser.add_argument("--keys-file", help="API-sleutels (TOML/JSON, alleen hashes); standaard $OMGEVINGSKAART_API_KEYS")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="URL",
                        help="toegestane CORS-origin (herhaalbaar); standaard geen")
    parser.add_argument("--max-body-bytes", type=int, default=None,
                        help="maximale grootte van een request-body (standaard 1000000)")
    parser.add_argument("--workers", type=int, default=1, help="aantal worker-processen (standaard 1)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--no-access-log", action="store_true", help="geen regel per request loggen")
    parser.set_defaults(func=run)


def _configure(args: argparse.Namespace) -> None:
    """Check the configuration and hand it to the app factory through the environment."""
    from ..catalogue import load_catalogue
    from ..dataset import open_dataset
    from ..service.auth import ENV_VAR, KeyStore

    ds = open_dataset(args.dataset)
    os.environ["OMGEVINGSKAART_DATASET"] = ds.uri
    if args.catalogue:
        load_catalogue(args.catalogue)
        os.environ["OMGEVINGSKAART_CATALOGUE"] = str(os.path.abspath(args.catalogue))
    if args.keys_file:
        store = KeyStore.from_file(args.keys_file)
        os.environ[ENV_VAR] = str(os.path.abspath(args.keys_file))
    else:
        store = KeyStore.from_env()
    if store.untagged:
        print(f"omgevingskaart serve: let op: sleutel(s) {', '.join(store.untagged)} zijn van het oude soort "
              "(zonder snelle controle); vervang ze met 'omgevingskaart apikey add NAAM --layers ... --replace' "
              "(zie 'omgevingskaart apikey --help')", file=sys.stderr)
    if args.cors_origin:
        os.environ["OMGEVINGSKAART_CORS_ORIGINS"] = ",".join(args.cors_origin)
    if args.max_body_bytes is not None:
        if args.max_body_bytes < 1:
            raise OmgevingskaartError("--max-body-bytes must be positive")
        os.environ["OMGEVINGSKAART_MAX_BODY_BYTES"] = str(args.max_body_bytes)
    if args.workers < 1:
        raise OmgevingskaartError("--workers must be at least 1")
    if not 0 < args.port < 65536:
        raise OmgevingskaartError(f"--port must be 1-65535, got {args.port}")


def run(args: argparse.Namespace) -> int:
    from .._extras import require

    require("fastapi", "service")
    uvicorn = require("uvicorn", "service")
    _configure(args)
    uvicorn.run(
        "omgevingskaart.service.app:app_from_env", factory=True, host=args.host, port=args.port,
        workers=args.workers, log_level=args.log_level, access_log=not args.no_access_log,
        server_header=False, proxy_headers=False,
    )
    return 0
