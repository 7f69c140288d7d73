"""API keys for chain partners (ketenpartners): generated once, stored only as a salted scrypt hash.

A key looks like ``<key_id>.<secret>``: the key id (``waterschap-rijn-ijssel``) names the record in
the keys file, the secret is 32 random bytes (``secrets.token_urlsafe``). The keys file holds, per
key id, the scrypt hash of the secret, its salt and the restricted layers the key opens::

    # keys.toml (or the same structure as keys.json)
    [keys.waterschap]
    salt = "9c1f..."                 # hex, 16 random bytes
    hash = "4be0..."                 # hex, scrypt(secret, salt, n=2**14, r=8, p=1, dklen=32)
    tag = "1f0c2a9b"                 # hex, first 4 bytes of HMAC-SHA256(salt, secret): a cheap pre-check
    layers = ["omgevingsnorm"]       # catalogue ids of ketenpartner layers, or ["*"] for all
    created = "2026-05-01T10:00:00Z"

The service reads the file named by ``--keys-file`` or by the environment variable
``OMGEVINGSKAART_API_KEYS`` (a path; or the JSON text itself when it starts with ``{``, for
container set-ups that pass secrets through the environment). Keys are created with
``omgevingskaart apikey add NAME --layers a,b --keys-file F``, which prints the key once.

Verification compares digests with :func:`hmac.compare_digest` (constant time). scrypt costs about
50 ms and 16 MB, so only a key that can be right gets that far (a flood of junk keys must not
starve legitimate callers):

* a key that is not ``<known key id>.<secret of 16-256 url-safe characters>`` is refused without
  hashing (key ids are names, not secrets: a 403 message names them too);
* the record's ``tag`` (4 bytes of an HMAC of the secret; 32 of the secret's 256 bits, which does
  not help guessing it) refuses a wrong secret for a known id with one HMAC; records written before
  tags existed skip this step (``omgevingskaart apikey list`` marks them; re-issue them with
  ``apikey add NAME --replace``);
* at most :data:`SCRYPT_SLOTS` scrypt checks run at once, on their own threads (about 64 MB),
  however many requests arrive;
* a key that failed or verified once is remembered in memory under its SHA-256 digest (bounded
  maps; the plaintext key is never kept), so repeating it costs a dictionary lookup;
* the service refuses callers that keep sending invalid keys: :class:`AuthFailureLimiter`, 429
  with ``Retry-After`` (see :mod:`omgevingskaart.service.limits`).

Reference: BIO (Baseline Informatiebeveiliging Overheid) 9.4.3 (password management: stored
hashed) and OWASP Password Storage Cheat Sheet (scrypt with N=2^14, r=8, p=1 as minimum).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .._files import write_atomic
from ..errors import AccessDeniedError, OmgevingskaartError

ENV_VAR = "OMGEVINGSKAART_API_KEYS"
HEADER = "X-API-Key"
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2**14, 8, 1, 32
_KEY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LAYER_ID = re.compile(r"^(\*|[a-z][a-z0-9_]*)$")
_CACHE_SIZE = 256
_FAILED_CACHE_SIZE = 4096
#: scrypt checks that may run at once (16 MB each): bounds the memory a burst of checks can take
SCRYPT_SLOTS = 4
_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
TAG_BYTES = 4


class KeysFileError(OmgevingskaartError):
    """The keys file is missing, unreadable or malformed (names the file and the key id)."""


class ApiKeyRequiredError(AccessDeniedError):
    """No API key, or a key that is not valid (``invalid_key``: one was sent): HTTP 401."""

    status_code = 401
    code = "api_key_required"

    def __init__(self, message: str, *, invalid_key: bool = False):
        self.invalid_key = invalid_key
        super().__init__(message)


class ApiKeyForbiddenError(AccessDeniedError):
    """A valid key that does not open the layer asked for: HTTP 403."""

    status_code = 403
    code = "forbidden"


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    salt: bytes
    digest: bytes
    layers: frozenset[str]
    tag: bytes | None = None

    def allows(self, layer_id: str) -> bool:
        return "*" in self.layers or layer_id in self.layers


def hash_secret(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                          p=SCRYPT_P, dklen=DKLEN, maxmem=64 * 1024 * 1024)


def secret_tag(secret: str, salt: bytes, size: int = TAG_BYTES) -> bytes:
    """The cheap pre-check of a secret: the first ``size`` bytes of HMAC-SHA256(salt, secret)."""
    return hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).digest()[:size]


def new_key(key_id: str, layers: Iterable[str]) -> tuple[str, dict[str, Any]]:
    """A fresh key ``<key_id>.<secret>`` and the record to store for it (hash and salt only)."""
    _check_key_id(key_id, "<new key>")
    layer_list = sorted({str(x).strip() for x in layers if str(x).strip()})
    if not layer_list:
        raise KeysFileError("give at least one layer id (or '*' for every restricted layer)")
    for layer in layer_list:
        if not _LAYER_ID.match(layer):
            raise KeysFileError(f"not a layer id: {layer!r}")
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    record = {
        "salt": salt.hex(),
        "hash": hash_secret(secret, salt).hex(),
        "tag": secret_tag(secret, salt).hex(),
        "layers": layer_list,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return f"{key_id}.{secret}", record


def _check_key_id(key_id: str, where: str) -> None:
    if not _KEY_ID.match(key_id):
        raise KeysFileError(
            f"{where}: key id {key_id!r} must be 1-64 of a-z, 0-9, '-', '_' (starting with a letter or digit)"
        )


def read_keys_file(path: str | Path) -> dict[str, dict[str, Any]]:
    """The raw ``keys`` table of a TOML or JSON keys file (``{}`` for an empty file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeysFileError(f"{path}: keys file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeysFileError(f"{path}: cannot read: {exc}") from exc
    return _parse_text(text, str(path), json_format=path.suffix.lower() == ".json")


def _parse_text(text: str, where: str, *, json_format: bool) -> dict[str, dict[str, Any]]:
    if not text.strip():
        return {}
    try:
        data = json.loads(text) if json_format else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KeysFileError(f"{where}: not valid {'JSON' if json_format else 'TOML'}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys", {}), dict):
        raise KeysFileError(f"{where}: expected a table 'keys' mapping key ids to records")
    return dict(data.get("keys", {}))


def _record(key_id: str, raw: Any, where: str) -> KeyRecord:
    _check_key_id(key_id, where)
    if not isinstance(raw, dict):
        raise KeysFileError(f"{where} [keys.{key_id}]: expected a table")
    try:
        salt = bytes.fromhex(str(raw["salt"]))
        digest = bytes.fromhex(str(raw["hash"]))
    except KeyError as exc:
        raise KeysFileError(f"{where} [keys.{key_id}]: missing {exc.args[0]!r}") from None
    except ValueError:
        raise KeysFileError(f"{where} [keys.{key_id}]: salt and hash must be hex") from None
    if len(salt) < 16 or len(digest) != DKLEN:
        raise KeysFileError(f"{where} [keys.{key_id}]: salt must be >= 16 bytes and hash {DKLEN} bytes")
    tag = None
    if raw.get("tag") is not None:
        try:
            tag = bytes.fromhex(str(raw["tag"]))
        except ValueError:
            raise KeysFileError(f"{where} [keys.{key_id}]: tag must be hex") from None
        if not 4 <= len(tag) <= 32:
            raise KeysFileError(f"{where} [keys.{key_id}]: tag must be 4-32 bytes")
    layers = raw.get("layers", [])
    if not isinstance(layers, list) or not all(isinstance(x, str) and _LAYER_ID.match(x) for x in layers):
        raise KeysFileError(f"{where} [keys.{key_id}]: 'layers' must be a list of layer ids or '*'")
    return KeyRecord(key_id, salt, digest, frozenset(layers), tag)


def write_keys_file(path: str | Path, keys: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write the keys table atomically (mode 0600), as JSON for ``*.json`` else as TOML."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        text = json.dumps({"keys": keys}, indent=2, sort_keys=True) + "\n"
    else:
        lines = ["# omgevingskaart API keys: only salted scrypt hashes, never the keys themselves.", ""]
        for key_id in sorted(keys):
            _check_key_id(key_id, str(path))
            lines.append(f"[keys.{key_id}]")
            for name, value in keys[key_id].items():
                lines.append(f"{name} = {json.dumps(value, ensure_ascii=True)}")
            lines.append("")
        text = "\n".join(lines)
    return write_atomic(path, text, mode=0o600)


class KeyStore:
    """The API keys the service accepts; ``authorise(key, layer_id)`` enforces the access rule."""

    def __init__(self, records: Iterable[KeyRecord] = ()):
        self._records = {r.key_id: r for r in records}
        self._verified: OrderedDict[bytes, str] = OrderedDict()
        self._failed: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()
        self._scrypt_pool: ThreadPoolExecutor | None = None
        #: how many keys were checked with scrypt (for tests and the benchmark)
        self.scrypt_calls = 0

    @classmethod
    def from_file(cls, path: str | Path) -> KeyStore:
        raw = read_keys_file(path)
        return cls(_record(k, v, str(path)) for k, v in raw.items())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KeyStore:
        """From ``OMGEVINGSKAART_API_KEYS`` (a path, or inline JSON); empty when unset."""
        value = (environ if environ is not None else os.environ).get(ENV_VAR, "").strip()
        if not value:
            return cls()
        if value.startswith("{"):
            raw = _parse_text(value, f"${ENV_VAR}", json_format=True)
            return cls(_record(k, v, f"${ENV_VAR}") for k, v in raw.items())
        return cls.from_file(value)

    def __len__(self) -> int:
        return len(self._records)

    def _scrypt(self, secret: str, salt: bytes) -> bytes:
        """scrypt on a pool of :data:`SCRYPT_SLOTS` threads: few run at once, and their 16 MB
        buffers come from few malloc arenas (on the request threads each thread's arena kept
        its own 16 MB: about 1 GB after a flood)."""
        with self._lock:
            if self._scrypt_pool is None:
                self._scrypt_pool = ThreadPoolExecutor(SCRYPT_SLOTS, thread_name_prefix="scrypt")
            pool = self._scrypt_pool
        return pool.submit(hash_secret, secret, salt).result()

    @property
    def untagged(self) -> list[str]:
        """Key ids whose records predate the cheap pre-check (``tag``): re-issue them."""
        return sorted(k for k, r in self._records.items() if r.tag is None)

    def identify(self, key: str | None) -> KeyRecord | None:
        """The record of a valid key; None for no key or an invalid one.

        Only a key with a known id and a secret that passes the record's tag costs a scrypt hash;
        every other invalid key costs a SHA-256 and a lookup.
        """
        if not key or len(key) > 400:
            return None
        fast = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            key_id = self._verified.get(fast)
            if key_id is not None:
                self._verified.move_to_end(fast)
                return self._records.get(key_id)
            if fast in self._failed:
                self._failed.move_to_end(fast)
                return None
        key_id, sep, secret = key.partition(".")
        record = self._records.get(key_id) if sep else None
        ok = record is not None and _SECRET.match(secret) is not None
        if ok and record is not None and record.tag is not None:
            ok = hmac.compare_digest(secret_tag(secret, record.salt, len(record.tag)), record.tag)
        if ok and record is not None:
            with self._lock:
                self.scrypt_calls += 1
            ok = hmac.compare_digest(self._scrypt(secret, record.salt), record.digest)
        with self._lock:
            if not ok or record is None:
                self._failed[fast] = None
                while len(self._failed) > _FAILED_CACHE_SIZE:
                    self._failed.popitem(last=False)
                return None
            self._verified[fast] = record.key_id
            while len(self._verified) > _CACHE_SIZE:
                self._verified.popitem(last=False)
        return record

    def authorise(self, key: str | None, layer_id: str) -> KeyRecord:
        """The key's record when it opens ``layer_id``; else 401 (no/invalid key) or 403."""
        record = self.identify(key)
        if record is None:
            what = "no API key given" if not key else "the API key is not valid"
            raise ApiKeyRequiredError(
                f"layer {layer_id!r} is for ketenpartners: {what}; send a valid key in the {HEADER} header",
                invalid_key=bool(key),
            )
        if not record.allows(layer_id):
            raise ApiKeyForbiddenError(f"the API key {record.key_id!r} does not give access to layer {layer_id!r}")
        return record
