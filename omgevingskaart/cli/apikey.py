"""``omgevingskaart apikey add|list|remove``: API keys for ketenpartners, stored only as hashes.

``add NAME --layers a,b`` generates a random key, prints it ONCE on stdout and stores only its
salted scrypt hash with the layers it opens (see :mod:`omgevingskaart.service.auth`). The keys file
is ``--keys-file`` or ``$OMGEVINGSKAART_API_KEYS``; ``*.json`` files are written as JSON, others
as TOML, atomically and with mode 0600.

Keys made before the pre-check existed store no ``tag`` (the cheap pre-check that lets the service refuse a
wrong key without a scrypt hash). They keep working; ``list`` marks them and ``add NAME --replace``
issues a new key with a tag (hand it to the partner, the old key stops working).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import OmgevingskaartError
from ..service.auth import ENV_VAR, new_key, read_keys_file, write_keys_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "apikey", help="API-sleutels voor ketenpartners beheren (alleen hashes worden bewaard)",
        description=(
            "Maak, toon of verwijder API-sleutels voor de HTTP-dienst. Zie docs/service.md. "
            "Sleutels van voor de snelle controle ('tag') blijven werken maar kosten de dienst bij "
            "elke foute poging een scrypt-berekening: 'list' markeert ze met 'oud'; vervang ze met "
            "'add NAAM --layers ... --replace' en geef de partner de nieuwe sleutel."
        ),
    )
    parser.add_argument("--keys-file", help=f"sleutelbestand (TOML of JSON); standaard ${ENV_VAR}")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="nieuwe sleutel: wordt één keer getoond")
    add.add_argument("name", help="sleutel-id, bijv. waterschap-rijn-ijssel")
    add.add_argument("--layers", required=True, help="laag-ids, komma-gescheiden, of '*' voor alle beperkte lagen")
    add.add_argument("--replace", action="store_true", help="een bestaande sleutel met deze naam vervangen")
    sub.add_parser("list", help="sleutel-ids en hun lagen (nooit de sleutels)")
    rm = sub.add_parser("remove", help="sleutel intrekken")
    rm.add_argument("name")
    parser.set_defaults(func=run)


def _path(args: argparse.Namespace) -> Path:
    value = args.keys_file or os.environ.get(ENV_VAR, "")
    if not value or value.lstrip().startswith("{"):
        raise OmgevingskaartError(f"give --keys-file (or set ${ENV_VAR} to a file path)")
    return Path(value)


def run(args: argparse.Namespace) -> int:
    path = _path(args)
    keys = read_keys_file(path) if path.exists() else {}
    if args.action == "add":
        if args.name in keys and not args.replace:
            raise OmgevingskaartError(f"{path}: key {args.name!r} exists (use --replace to issue a new one)")
        key, record = new_key(args.name, args.layers.split(","))
        keys[args.name] = record
        write_keys_file(path, keys)
        print(key)
        print(f"Sleutel {args.name!r} opgeslagen in {path} (alleen de hash). Bewaar de sleutel hierboven: "
              "hij wordt niet nog eens getoond.", file=sys.stderr)
    elif args.action == "list":
        for name in sorted(keys):
            rec = keys[name]
            old = "" if rec.get("tag") else "\toud: vervang met 'apikey add NAAM --replace' (geen snelle controle)"
            print(f"{name}\t{','.join(rec.get('layers', []))}\t{rec.get('created', '')}{old}")
    else:
        if args.name not in keys:
            raise OmgevingskaartError(f"{path}: no key {args.name!r}")
        del keys[args.name]
        write_keys_file(path, keys)
        print(f"Sleutel {args.name!r} ingetrokken.", file=sys.stderr)
    return 0
