"""The architecture's arrows run one way: cli/app/service -> views/exports -> queries -> dataset ->
store -> schema/crs/io (the developers' guide). Checked on every import in the package, the lazy
ones inside functions included, so a convenience method cannot quietly close a circle again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "omgevingskaart"

#: (level, module prefixes); a module may import its own level and the levels below it.
LEVELS: list[tuple[int, tuple[str, ...]]] = [
    (0, ("errors", "_resources", "_files", "_lock", "_extras", "crs", "schema", "io", "live")),
    (1, ("store",)),
    (2, ("dataset", "catalogue", "layerinfo")),
    (3, ("report", "geocode", "omgevingsplan", "permit", "batch", "plantekst")),
    (4, ("viz", "export")),
    (5, ("app", "service", "cli", "demo", "__init__", "__main__")),
]


def level_of(module: str) -> int:
    """The level of ``omgevingskaart.<module>`` (dotted, without the package name)."""
    head = module.split(".")[0]
    for level, prefixes in LEVELS:
        if head in prefixes:
            return level
    raise AssertionError(f"omgevingskaart.{module} has no level in tests/test_architecture.py: add it")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "layers" in path.parts or "data" in path.relative_to(PACKAGE).parts[:1]:
            continue
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"] or ["__init__"]
        out.append((".".join(parts), path))
    return out


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """``(line, target)`` for every import of a package module, at any depth of the file."""
    is_package = path.name == "__init__.py"
    base = module.split(".") if is_package else module.split(".")[:-1]
    if module == "__init__":
        base = []
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*anchor, node.module] if node.module else anchor)
            elif node.module and node.module.startswith("omgevingskaart"):
                target = node.module.removeprefix("omgevingskaart").lstrip(".")
            else:
                continue
            names = [a.name for a in node.names]
            if not target:  # "from . import x" / "from omgevingskaart import x"
                found.extend((node.lineno, n) for n in names if n != "__version__")
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name.removeprefix("omgevingskaart").lstrip("."))
                         for a in node.names if a.name.startswith("omgevingskaart."))
    return found


def test_every_module_has_a_level() -> None:
    for module, _ in modules():
        level_of(module)


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_imports_never_run_back_up(module: str, path: Path) -> None:
    own = level_of(module)
    upward = []
    for line, target in imports_of(module, path):
        head = target.split(".")[0]
        if module == "__init__" or not head or head == "__version__":
            continue
        if level_of(target) > own:
            upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports omgevingskaart.{target}")
    assert not upward, "imports that run back up the architecture:\n" + "\n".join(upward)


def test_dataset_imports_no_query() -> None:
    """The Dataset holds the store, the catalogue and the metadata, and imports no query."""
    targets = {t.split(".")[0] for _, t in imports_of("dataset", PACKAGE / "dataset.py")}
    assert not targets & {"report", "geocode", "omgevingsplan", "permit", "batch"}, targets
