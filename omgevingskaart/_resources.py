"""Files that ship inside the package: the layer catalogue and the embedded demo dataset.

In the repository they live at the top level (``layers/*.toml``, ``data/demo/*.gpkg``), where the
developers' guide and the demo generator put them; the package reaches them through the symlinks
``omgevingskaart/layers`` and ``omgevingskaart/data``. Building a wheel follows those symlinks and
copies the files into the package (``[tool.setuptools.package-data]`` in ``pyproject.toml``), so a
plain ``pip install omgevingskaart`` finds them through :mod:`importlib.resources` as well.

>>> package_path("layers", "pand.toml").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(*parts: str) -> Path:
    """The file-system path of a file shipped in the ``omgevingskaart`` package.

    Raises :class:`RuntimeError` when the package is not installed as plain files (for instance
    imported from a zip archive): GDAL opens the demo dataset by path, which such an install cannot
    give.
    """
    root = files(__package__ or "omgevingskaart")
    if not isinstance(root, Path):
        raise RuntimeError(
            f"omgevingskaart is installed as {root!r}, not as files on disk; install it with pip "
            "(a wheel or a checkout) to use the layer catalogue and the demo dataset"
        )
    return root.joinpath(*parts)
