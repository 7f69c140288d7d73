"""A real PostgreSQL + PostGIS server on 127.0.0.1 for tests and benchmarks (no mock).

``postgres_server()`` runs ``initdb`` into a fresh temporary folder, starts ``pg_ctl`` on a free
port (as the ``postgres`` system user when running as root: PostgreSQL refuses to run as root),
creates the database ``omgevingskaart`` with the PostGIS extension and yields its URI; on exit the
server is stopped and the folder removed. ``scripts/ensure-test-deps.sh`` installs the Debian
packages (postgresql, postgis); ``missing_reason()`` says why the tests skip when they are absent.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from processes import free_port


def bindir() -> Path | None:
    """The newest PostgreSQL server's bin folder that has a PostGIS extension beside it."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name),
                            reverse=True):
        version = Path(candidate).parent.name
        if (Path(candidate) / "initdb").exists() and glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
            return Path(candidate)
    return None


def missing_reason() -> str | None:
    if bindir() is None:
        return ("PostgreSQL with PostGIS not installed (scripts/ensure-test-deps.sh installs "
                "postgresql and postgis as root)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg not installed (pip install 'omgevingskaart[postgis]')"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as the postgres user"
    return None


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres_server(keep: Path | None = None, *, shared_buffers: str = "32MB") -> Iterator[str]:
    """Start a throw-away PostgreSQL + PostGIS; yield ``postgresql://ok@127.0.0.1:PORT/omgevingskaart``.

    ``keep``: a folder for the server's data that is kept after the server stops and reused by the
    next call (the benchmarks' ``--data-dir``: built datasets survive between runs).
    ``shared_buffers``: the server's page cache (small for the tests' small schemas)."""
    import psycopg

    bins = bindir()
    assert bins is not None, missing_reason()
    root = Path(tempfile.mkdtemp(prefix="omgevingskaart-pg-")) if keep is None else keep.resolve()
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "server.log"
    reuse = keep is not None and (data / "PG_VERSION").exists()
    port = free_port()
    run = lambda *cmd: subprocess.run(_as_server_user([str(c) for c in cmd]), check=True,  # noqa: E731
                                      capture_output=True, text=True)
    started = False
    try:
        if not reuse:
            run(bins / "initdb", "-D", data, "-U", "ok", "--auth=trust", "-E", "UTF8", "--no-locale")
        opts = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c shared_buffers={shared_buffers}")
        run(bins / "pg_ctl", "-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start")
        started = True
        uri = f"postgresql://ok@127.0.0.1:{port}/omgevingskaart"
        if not reuse:
            admin = f"postgresql://ok@127.0.0.1:{port}/postgres"
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute("CREATE DATABASE omgevingskaart")
            with psycopg.connect(uri, autocommit=True) as con:
                con.execute("CREATE EXTENSION postgis")
        yield uri
    except subprocess.CalledProcessError as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{tail}") from exc
    finally:
        if started:
            subprocess.run(_as_server_user([str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                           capture_output=True, check=False)
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def start_for_benchmark(backends: list[str], keep: Path | None = None) -> tuple[Any, str]:
    """For the benchmarks: when ``"postgis"`` is among ``backends``, start a server (kept in
    ``keep``; 512 MB of shared buffers) and return ``(its context manager, its URI)``; when it cannot run here, print why,
    drop ``"postgis"`` from ``backends`` and return ``(None, "")``. The caller exits the context."""
    if "postgis" not in backends:
        return None, ""
    reason = missing_reason()
    if reason:
        print(f"postgis: skipped ({reason})")
        backends.remove("postgis")
        return None, ""
    # a service database's page cache (PostgreSQL suggests about a quarter of RAM): with the
    # tests' 32 MB the report's pages of the larger datasets did not stay cached between the
    # benchmark's steps (bench_scale.py at 300 copies: p50 1.52-2.07 ms against 1.24-1.48 at
    # 1-100; with 512 MB 1.35 against 1.24-1.30)
    server = postgres_server(keep, shared_buffers="512MB")
    return server, server.__enter__()
