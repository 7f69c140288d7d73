"""Servers that tests and benchmarks start on 127.0.0.1: a free port, waiting until a server
answers, and stopping it. One copy for the app, service and pygeoapi fixtures and the benchmarks."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(log: Path | str | None) -> str:
    if log is None:
        return ""
    try:
        return Path(log).read_text(errors="replace")[-2000:]
    except OSError:
        return ""


def wait_until_up(proc: subprocess.Popen, url: str, *, name: str, log: Path | str | None = None,
                  timeout: float = 90.0, ok: Callable[[int], bool] = lambda status: status == 200,
                  interval: float = 0.2) -> None:
    """Poll ``url`` until it answers ``ok``; raise with the log's tail if ``proc`` exits or the
    time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if ok(r.status):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start in {timeout:.0f} s:\n{_tail(log)}")
        time.sleep(interval)


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Terminate ``proc``, and kill it when it does not stop in ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
