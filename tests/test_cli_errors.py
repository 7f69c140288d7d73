"""The top-level CLI handler: expected errors are one clear line and exit 2, internal errors a
short message with a request to report them and exit 1; never a traceback unless
``OMGEVINGSKAART_DEBUG=1``."""

from __future__ import annotations

import argparse
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import omgevingskaart.cli as cli
from omgevingskaart.cli import _os_message
from omgevingskaart.cli import apikey as apikey_cmd

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "omgevingskaart", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env)


def test_an_output_path_that_cannot_be_written_is_exit_2(real_data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map\n")
    r = _cli("import", str(real_data / "brk" / "kadastralekaart_perceel.gml"), "--into",
             str(blocker / "ds.gpkg"), "-q")
    assert r.returncode == 2, r.stderr
    assert "een-bestand" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1


def test_bad_coordinates_are_exit_2(demo_path: Path) -> None:
    r = _cli("report", "--point", "nan", "443400", "--crs", "EPSG:28992")
    assert r.returncode == 2 and "finite" in r.stderr and "Traceback" not in r.stderr


def _run_with(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> int:
    """``omgevingskaart apikey list`` whose command raises ``exc`` (the handler, not the command, is tested)."""
    def boom(args: argparse.Namespace) -> int:
        raise exc

    monkeypatch.setattr(apikey_cmd, "run", boom)  # register() binds the module's run when the parser is built
    return cli.main(["apikey", "list"])


def test_internal_errors_are_exit_1_with_a_short_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMGEVINGSKAART_DEBUG", raising=False)
    assert _run_with(monkeypatch, ZeroDivisionError("division by zero")) == 1
    err = capsys.readouterr().err
    assert "interne fout / internal error: ZeroDivisionError: division by zero" in err
    assert "OMGEVINGSKAART_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("OMGEVINGSKAART_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        _run_with(monkeypatch, ZeroDivisionError("division by zero"))


def test_interrupt_and_os_errors_are_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMGEVINGSKAART_DEBUG", raising=False)
    assert _run_with(monkeypatch, KeyboardInterrupt()) == 2
    assert "afgebroken / interrupted" in capsys.readouterr().err
    assert _run_with(monkeypatch, PermissionError(errno.EACCES, "Permission denied", "/data/ds.gpkg")) == 2
    assert capsys.readouterr().err.strip() == "omgevingskaart apikey: /data/ds.gpkg: geen toegang / permission denied"


def test_os_messages() -> None:
    assert _os_message(OSError(errno.ENOSPC, "No space left on device", "out.gpkg")) == (
        "out.gpkg: schijf vol / no space left on device")
    assert _os_message(OSError(errno.EROFS, "Read-only file system")).startswith(
        "alleen-lezen bestandssysteem / read-only file system")
