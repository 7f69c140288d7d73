"""Benchmark: a legitimate ketenpartner's throughput while 32 clients flood the service with junk keys.

The real server (``omgevingskaart serve``, uvicorn, 1 worker) runs on the synthetic Teststraat
dataset of the tests with its restricted layer ``omgevingsnorm`` and a keys file. A load generator
in a second process runs one legitimate client (4 connections from 127.0.0.1, a valid key,
``GET /v1/layers/omgevingsnorm/items``) for ``--requests`` requests, alone (the baseline, measured
in the same run) and then with 32 junk clients beside it (in a third process; each from its own loopback address
127.0.0.2-33, every request with a fresh random key for the known key id: the worst case). The
junk clients stop when the legitimate client is done, or after ``--max-seconds``.

Configurations:

* ``no-keys``: the same 32 clients send no key at all (401 without any key check): what a flood of
  that many requests costs on this machine whatever it carries, the floor for the others;
* ``now``: the shipped service (tag pre-check, failure cache, 429 after 10 failed keys per client);
* ``no-limit``: the same without the rate limit (the tag pre-check alone);
* ``old-keys``: keys without the tag and no rate limit: every junk key costs a scrypt hash, as
  before issue 13 (the keys file is rewritten without tags); the scrypt thread pool still bounds
  memory. Measured before that pool existed: ratio 0.06 and a peak RSS of 1,030 MB.

Printed per configuration: the legitimate client's req/s alone and under the flood, the ratio,
the server's peak RSS, and the junk clients' status counts. Loopback only.

Run: ``.venv/bin/python benchmarks/bench_keyflood.py [--requests 2000] [--junk-clients 32]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from processes import free_port, stop, wait_until_up  # noqa: E402  (shared with the tests)

URL = "/v1/layers/omgevingsnorm/items?limit=10"


async def _legit(base: str, key: str, n: int, connections: int) -> dict:
    import httpx

    statuses: Counter = Counter()
    left = n
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60,
                                 headers={"X-API-Key": key}) as client:
        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                try:
                    r = await client.get(URL)
                    statuses[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - t0
    return {"rps": n / wall, "wall_s": wall, "statuses": dict(statuses)}


async def _junk(base: str, key_id: str | None, address: str, stop_at: float, stop_file: Path,
                statuses: Counter) -> None:
    import httpx

    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base, timeout=60, transport=transport) as client:
        while not stop_file.exists() and time.monotonic() < stop_at:
            headers = {"X-API-Key": f"{key_id}.{secrets.token_urlsafe(32)}"} if key_id else {}
            try:
                r = await client.get(URL, headers=headers)
                statuses[str(r.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1


def junk_main(argv: list[str]) -> int:
    """The flood, in its own process: ``--junk BASE KEY_ID|- CLIENTS MAX_SECONDS STOP_FILE``."""
    base, key_id, clients, max_seconds, stop_file = argv[1], argv[2], int(argv[3]), float(argv[4]), Path(argv[5])
    statuses: Counter = Counter()
    stop_at = time.monotonic() + max_seconds

    async def flood() -> None:
        await asyncio.gather(*(_junk(base, None if key_id == "-" else key_id, f"127.0.0.{2 + i}", stop_at,
                                     stop_file, statuses) for i in range(clients)))

    asyncio.run(flood())
    print(json.dumps(dict(statuses)))
    return 0


def drive_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drive", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--requests", type=int, required=True)
    ap.add_argument("--junk-clients", type=int, required=True)
    ap.add_argument("--junk-keys", choices=["random", "none"], default="random")
    ap.add_argument("--max-seconds", type=float, required=True)
    a = ap.parse_args(argv)
    junk: subprocess.Popen[str] | None = None
    stop_file = Path(tempfile.mkdtemp(prefix="bench_keyflood.")) / "stop"
    if a.junk_clients:
        key_id = a.key.split(".", 1)[0] if a.junk_keys == "random" else "-"
        junk = subprocess.Popen([sys.executable, __file__, "--junk", a.drive, key_id, str(a.junk_clients),
                                 str(a.max_seconds), str(stop_file)], stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # let the flood start first
    legit = asyncio.run(_legit(a.drive, a.key, a.requests, 4))
    stop_file.touch()
    junk_statuses = json.loads(junk.communicate(timeout=a.max_seconds + 60)[0]) if junk else {}
    print(json.dumps({**legit, "junk": junk_statuses}))
    return 0


def _rss_kb(pid: int) -> int:
    """Peak resident memory (VmHWM) of the server process, in kB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def run_config(name: str, tmp: Path, dataset: Path, catalogue: Path, keys_file: Path, key: str,
               a: argparse.Namespace, env_extra: dict[str, str], junk_keys: str) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp / f"server-{name}.log"
    env = {**os.environ, **env_extra}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "omgevingskaart", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--dataset", str(dataset), "--catalogue", str(catalogue),
             "--keys-file", str(keys_file), "--no-access-log", "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        )
    try:
        wait_until_up(proc, base + "/v1/health", name="server", log=log_path, timeout=120)
        results = {}
        for label, junk in (("alone", 0), ("flood", a.junk_clients)):
            out = subprocess.run(
                [sys.executable, __file__, "--drive", base, "--key", key, "--requests", str(a.requests),
                 "--junk-clients", str(junk), "--junk-keys", junk_keys, "--max-seconds", str(a.max_seconds)],
                capture_output=True, text=True, check=True, cwd=ROOT)
            results[label] = json.loads(out.stdout)
        results["rss_kb"] = _rss_kb(proc.pid)
    finally:
        stop(proc, 20)
    return results


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000, help="legitimate requests per measurement")
    ap.add_argument("--junk-clients", type=int, default=32)
    ap.add_argument("--max-seconds", type=float, default=60.0, help="cap on one measurement")
    ap.add_argument("--configs", nargs="+", default=["no-keys", "now", "no-limit", "old-keys"])
    a = ap.parse_args()

    from service_data import write_catalogue, write_keys, write_street_dataset

    from omgevingskaart.service.auth import read_keys_file, write_keys_file

    tmp = Path(tempfile.mkdtemp(prefix="bench_keyflood."))
    dataset = write_street_dataset(tmp / "teststraat.gpkg")
    catalogue = write_catalogue(tmp / "catalogue")
    keys_file = tmp / "keys.toml"
    key = write_keys(keys_file)["omgevingsdienst"]
    legacy_file = tmp / "keys-legacy.toml"
    write_keys_file(legacy_file, {k: {f: v for f, v in r.items() if f != "tag"}
                                  for k, r in read_keys_file(keys_file).items()})
    no_limit = {"OMGEVINGSKAART_AUTH_FAILURES": "100000000"}
    configs = {
        "no-keys": (keys_file, no_limit, "none"),
        "now": (keys_file, {}, "random"),
        "no-limit": (keys_file, no_limit, "random"),
        "old-keys": (legacy_file, no_limit, "random"),
    }
    print(f"legitimate client: {a.requests} x GET {URL} with a valid key, 4 connections; "
          f"flood: {a.junk_clients} clients with random keys; {os.cpu_count()} CPUs shared by all\n")
    header = f"{'config':<9} {'alone req/s':>11} {'flood req/s':>11} {'ratio':>6} {'peak RSS MB':>11}  junk statuses"
    print(header)
    print("-" * len(header))
    bad = False
    for name in a.configs:
        kf, env, junk_keys = configs[name]
        r = run_config(name, tmp, dataset, catalogue, kf, key, a, env, junk_keys)
        alone, flood = r["alone"], r["flood"]
        ratio = flood["rps"] / alone["rps"]
        print(f"{name:<9} {alone['rps']:>11.0f} {flood['rps']:>11.0f} {ratio:>6.2f} {r['rss_kb'] / 1024:>11.0f}  "
              f"{flood['junk']}")
        for label in ("alone", "flood"):
            if set(r[label]["statuses"]) != {"200"}:
                bad = True
                print(f"          legitimate client {label}: {r[label]['statuses']}")
    return 1 if bad else 0


if __name__ == "__main__":
    if "--junk" in sys.argv:
        sys.exit(junk_main(sys.argv[1:]))
    if "--drive" in sys.argv:
        sys.exit(drive_main(sys.argv[1:]))
    sys.exit(main())
