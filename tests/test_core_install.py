"""The core installs and runs alone: the wheel, in a fresh virtualenv, without the app/service extras.

The test builds the wheel from this checkout (offline: setuptools from the test environment, no
build isolation), installs it into a new virtualenv with ``--no-deps --no-index``, and gives that
virtualenv the core dependencies only: a ``.pth`` file points at a folder of symlinks to exactly the
distributions that ``[project] dependencies`` need (resolved through their metadata), so streamlit,
folium, pydeck, fastapi and uvicorn are *not* importable there. It then runs ``report``,
``inspect``, ``import``, ``check`` and ``export-3d --format glb`` with the installed script and
opens the demo through ``open_dataset()`` from the installed package data, and checks that the
commands needing an extra say which one, with exit code 2 and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRAS_ONLY = ("streamlit", "folium", "streamlit_folium", "pydeck", "fastapi", "uvicorn",
               "swagger_ui_bundle", "duckdb")

pytestmark = pytest.mark.slow


def core_distributions() -> list[metadata.Distribution]:
    """The installed distributions that the core (``[project] dependencies``) needs, recursively."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    found: dict[str, metadata.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in found:
            continue
        found[name] = dist = metadata.distribution(req.name)
        todo.extend(Requirement(r) for r in dist.requires or [])
    return list(found.values())


def link_core_site(target: Path) -> None:
    """Symlink into ``target`` every top-level entry (package, module, ``.libs``, ``.dist-info``) of
    the core distributions, from wherever they are installed."""
    target.mkdir()
    for dist in core_distributions():
        base = Path(str(dist.locate_file("")))
        tops = {Path(str(f)).parts[0] for f in dist.files or []}
        for top in sorted(tops - {".."}):
            if top.endswith(".pth") or not (base / top).exists() or (target / top).exists():
                continue
            (target / top).symlink_to(base / top)


@dataclass(frozen=True)
class CoreEnv:
    """The fresh virtualenv: its python, its scripts folder, its site-packages, a work folder."""

    python: Path
    bin: Path
    purelib: Path
    tmp: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def core_env(tmp_path_factory: pytest.TempPathFactory) -> CoreEnv:
    tmp = tmp_path_factory.mktemp("core-install")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "PIP_", "OMGEVINGSKAART_", "VIRTUAL_ENV"))}
    env.update(PIP_CONFIG_FILE=os.devnull, HOME=str(tmp), XDG_CACHE_HOME=str(tmp / "cache"),
               XDG_DATA_HOME=str(tmp / "share"), XDG_CONFIG_HOME=str(tmp / "config"))
    # 1. the wheel, built from a copy of the sources (the checkout stays untouched)
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "layers", "data", "omgevingskaart"):
        _copy(ROOT / name, src / name)
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "--isolated", "wheel", "--quiet", "--no-deps",
                    "--no-index", "--no-build-isolation", "--wheel-dir", str(wheels), str(src)],
                   check=True, env=env, cwd=tmp)
    (wheel,) = wheels.glob("omgevingskaart-*.whl")
    # 2. a fresh virtualenv with the wheel and the core dependencies only
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--isolated", "--python", str(python), "install",
                    "--quiet", "--no-deps", "--no-index", str(wheel)], check=True, env=env,
                   cwd=tmp)
    link_core_site(tmp / "core-site")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, env=env).stdout.strip()
    Path(purelib, "core-dependencies.pth").write_text(f"{tmp / 'core-site'}\n", encoding="utf-8")
    return CoreEnv(python=python, bin=venv / "bin", purelib=Path(purelib), tmp=tmp, env=env)


def _copy(source: Path, dest: Path) -> None:
    """Copy a file or folder, keeping symlinks as symlinks and leaving caches out."""
    import shutil

    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, dest, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        shutil.copy2(source, dest, follow_symlinks=False)


def run(core: CoreEnv, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """``omgevingskaart ARGS`` with the fresh virtualenv's script."""
    proc = subprocess.run([str(core.bin / "omgevingskaart"), *args], capture_output=True,
                          text=True, env=core.env, cwd=core.tmp, timeout=600)
    if ok:
        assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def python(core: CoreEnv, code: str) -> subprocess.CompletedProcess[str]:
    """``python -c CODE`` in the fresh virtualenv."""
    return subprocess.run([str(core.python), "-c", code], capture_output=True, text=True,
                          env=core.env, cwd=core.tmp, timeout=300)


def test_the_extras_are_not_importable(core_env: CoreEnv) -> None:
    for module in EXTRAS_ONLY:
        proc = python(core_env, f"import {module}")
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, module
    proc = python(core_env, "import omgevingskaart, geopandas, pyproj; print(omgevingskaart.__file__)")
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(core_env.purelib)


#: the modules that may need an extra: the app, the service (but its key file), the 2D map builders
NEEDS_AN_EXTRA = ("omgevingskaart.app", "omgevingskaart.service.", "omgevingskaart.viz.assets",
                  "omgevingskaart.viz.map2d", "omgevingskaart.viz.permit_view",
                  "omgevingskaart.viz.compact_deck")


def test_every_core_module_imports_without_the_extras(core_env: CoreEnv) -> None:
    proc = python(core_env, (
        "import importlib, json, pkgutil, omgevingskaart\n"
        "failed = {}\n"
        "for m in pkgutil.walk_packages(omgevingskaart.__path__, 'omgevingskaart.',\n"
        "                               onerror=lambda name: None):\n"
        "    if m.name.endswith('__main__'):\n"
        "        continue\n"
        "    try:\n"
        "        importlib.import_module(m.name)\n"
        "    except ModuleNotFoundError as exc:\n"
        "        failed[m.name] = exc.name\n"
        "print(json.dumps(failed))\n"))
    assert proc.returncode == 0, proc.stderr
    failed = json.loads(proc.stdout)
    assert "omgevingskaart.service.app" in failed  # the check itself works
    core_failures = {name: missing for name, missing in failed.items()
                     if not name.startswith(NEEDS_AN_EXTRA)}
    assert core_failures == {}
    assert "omgevingskaart.service.auth" not in failed


def test_open_dataset_reads_the_demo_shipped_in_the_wheel(core_env: CoreEnv) -> None:
    proc = python(core_env, (
        "import omgevingskaart\n"
        "ds = omgevingskaart.open_dataset()\n"
        "print(ds.path)\n"
        "print(len(ds['pand']), sorted(s.id for s in omgevingskaart.load_catalogue()))\n"))
    assert proc.returncode == 0, proc.stderr
    path, counts = proc.stdout.splitlines()
    assert Path(path).is_relative_to(core_env.purelib)
    assert Path(path).name == "winterswijk-centrum.gpkg" and not Path(path).is_symlink()
    n_pand = int(counts.split()[0])
    from omgevingskaart import open_dataset

    assert n_pand == len(open_dataset()["pand"])
    assert "'pand'" in counts and "'perceel'" in counts


def test_report_on_the_demo(core_env: CoreEnv) -> None:
    proc = run(core_env, "report", "--point", "246580", "443380", "--crs", "EPSG:28992", "--json")
    report = json.loads(proc.stdout)
    assert report["perceel"]


def test_inspect_and_import_a_real_sample(core_env: CoreEnv, real_data: Path) -> None:
    brk = real_data / "brk" / "kadastralekaart_perceel.gml"
    out = json.loads(run(core_env, "inspect", str(brk), "--json").stdout)
    assert out["format"] == "BRK Kadastrale Kaart v5 GML"
    assert out["layers"]["perceel"]["count"] == 11
    target = core_env.tmp / "import.gpkg"
    proc = run(core_env, "import", str(brk), "--into", str(target), "--title", "Proef")
    assert "perceel: 11" in proc.stdout
    proc = python(core_env, (
        f"import omgevingskaart; ds = omgevingskaart.open_dataset({str(target)!r}); "
        "print(len(ds['perceel']), ds.meta['titel'])"))
    assert proc.stdout.split() == ["11", "Proef"], proc.stderr


def test_check_a_scenario(core_env: CoreEnv) -> None:
    scenario = ROOT / "tests" / "scenarios" / "01_aanbouw_achter_vrij.json"
    expected = json.loads(scenario.read_text(encoding="utf-8"))["expected"]
    result = json.loads(run(core_env, "check", str(scenario), "--json").stdout)
    assert result["verdict"] == expected["verdict"]


@pytest.mark.parametrize("fmt", ["glb", "html"])
def test_export_3d(core_env: CoreEnv, fmt: str) -> None:
    target = core_env.tmp / f"centrum.{fmt}"
    run(core_env, "export-3d", "--bbox", "246400", "443200", "246700", "443500", "--format",
        fmt, "-o", str(target))
    data = target.read_bytes()
    if fmt == "glb":
        assert data[:4] == b"glTF" and len(data) > 1000
    else:  # deck.gl (~1 MB) inlined from the package's static folder
        assert data.lower().startswith(b"<!doctype html>") and len(data) > 500_000


def test_apikey_works_without_the_service_extra(core_env: CoreEnv) -> None:
    keys = core_env.tmp / "keys.toml"
    proc = run(core_env, "apikey", "--keys-file", str(keys), "add", "waterschap", "--layers", "*")
    assert proc.stdout.startswith("waterschap.")
    assert run(core_env, "apikey", "--keys-file", str(keys), "list").stdout.startswith("waterschap\t")


def test_serve_names_the_service_extra(core_env: CoreEnv) -> None:
    proc = run(core_env, "serve", ok=False)
    assert proc.returncode == 2
    assert "pip install 'omgevingskaart[service]'" in proc.stderr


def test_deck_builders_name_the_app_extra(core_env: CoreEnv) -> None:
    proc = python(core_env, (
        "from omgevingskaart.errors import MissingExtraError\n"
        "from omgevingskaart.viz.town3d import View\n"
        "try:\n"
        "    View(6.7, 51.97).view_state()\n"
        "except MissingExtraError as exc:\n"
        "    print(exc)\n"))
    assert proc.returncode == 0, proc.stderr
    assert "pip install 'omgevingskaart[app]'" in proc.stdout
