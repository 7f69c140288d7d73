"""``omgevingskaart import PATH... --into DATASET``: build or extend a dataset from register files.

``DATASET`` is a GeoPackage file (``x.gpkg``), a PostGIS database (``postgresql://user@host/db``,
optionally ``?schema=NAME``) or a GeoParquet folder (``x.parquet``): see
:mod:`omgevingskaart.store`.

Each PATH is read with :func:`omgevingskaart.read` (format detected: BAG extract, bag-light, 3D BAG /
CityJSON, BGT, BRK, IMRO, STOP/TPOD). Layers of the same name are merged across the inputs and the
dataset already at ``--into``: an object (``identificatie``) that a later input delivers replaces
every row of that object from earlier inputs, so re-importing a newer extract updates the objects
in it and keeps the rest. Layers this import does not touch stay as they were. ``--replace`` starts
from an empty dataset instead.

Into an existing dataset only the layers this import brings are written, merged with the rows
already there by the store's ``upsert_many`` (stored rows whose ``identificatie`` the import delivers
again are dropped, the new rows come after the rest; the old layer is never read whole):

* GeoPackage: the stored rows stream in batches into a temporary GeoPackage, which moves in with
  one SQLite transaction (the rest of the file is not rewritten);
* PostGIS: one database transaction deletes the delivered objects (by the ``identificatie`` index)
  and appends the new rows with ``COPY``; the stored rows never leave the database;
* GeoParquet: a new folder per imported layer, holding the untouched parts hard-linked, the parts
  with delivered objects rewritten row group by row group without them, and the new rows as new
  Hilbert-sorted parts; the manifest switch commits, the old folders are removed after it.

A new dataset (or ``--replace``) is written whole by :func:`omgevingskaart.dataset.write_dataset`.
A failed or interrupted import (a broken input, a full disk,
Ctrl-C) leaves the previous dataset as it was; a full disk is reported as such ("schijf vol / no
space left on device"), exit code 2. Reading the old dataset, merging and writing a GeoPackage or
GeoParquet dataset happen under the dataset's write lock (:mod:`omgevingskaart._lock`): a second
import into the same dataset waits for the first (up to ``$OMGEVINGSKAART_LOCK_TIMEOUT`` seconds,
default 600) and then adds its layers to the first one's result, so concurrent imports lose
nothing. Temporary files of an import that was killed (``kill -9``) are removed by the next write.

The result opens like the embedded demo (``omgevingskaart report --dataset``, the app, the service)
and its metadata says what it is: ``titel``, ``bron`` (the imported files and their formats),
``synthetisch = nee`` and ``geimporteerd`` (UTC timestamp).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from tqdm import tqdm

from ..errors import (
    DataFileError,
    NothingToReadError,
    OmgevingskaartError,
    SkippedInputWarning,
)

DEFAULT_TITLE = "Geïmporteerde registers"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="build or extend a dataset (GeoPackage) from register and plan files",
        description=(
            "Read register and plan files (BAG extract, bag-light, 3D BAG / CityJSON, BGT, BRK, "
            "IMRO, STOP/TPOD; the format is detected) and write their layers into a dataset that "
            "the report, the app and the service open like the demo. Existing layers are kept; "
            "objects delivered again replace their earlier version. The write is atomic. "
            "Example: omgevingskaart import bgt.zip kadastralekaart_perceel.gml --into "
            "winterswijk.gpkg --title 'Winterswijk centrum'; into PostGIS: --into "
            "postgresql://kaart@localhost/omgevingskaart"
        ),
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="register or plan files, folders or zips")
    p.add_argument("--into", required=True, metavar="DATASET",
                   help="the dataset to create or extend: x.gpkg, postgresql://user@host/db or x.parquet")
    p.add_argument("--title", help="the dataset's title (metadata 'titel')")
    p.add_argument("--replace", action="store_true",
                   help="start from an empty dataset instead of extending the existing one")
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="how long to wait for another import into the same dataset to finish "
                        "(default $OMGEVINGSKAART_LOCK_TIMEOUT or 600; 0: fail at once)")
    p.add_argument("--gemeentegrens", type=Path, metavar="FILE",
                   help="the gemeente boundary (polygon file with a CRS, e.g. PDOK Bestuurlijke "
                        "Gebieden 'gemeentegebied') for the ambtsgebied of the STOP/TPOD packages "
                        "imported with it: rules for the whole gemeente then apply exactly there")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    p.set_defaults(func=run)


def read_inputs(
    paths: Sequence[Path], *, progress: bool = False, skipped: list[str] | None = None,
    ambtsgebied: Mapping[str, Any] | None = None,
) -> list[tuple[Path, str, dict[str, gpd.GeoDataFrame]]]:
    """``(path, format, layers)`` for each input, in order; errors name the file.

    Inputs (or parts of inputs, such as the kadastralegrens file of a Kadastrale Kaart download)
    that hold nothing omgevingskaart reads are skipped: one message per skipped file, with the
    reason, goes to ``skipped`` (or is issued as a :class:`SkippedInputWarning`). ``ambtsgebied``:
    gemeente boundaries for the Ambtsgebied of STOP/TPOD packages (``--gemeentegrens``).
    """
    from ..io import detect, tpod

    notes: list[str] = []

    def skip(message: str) -> None:
        notes.append(message)
        if skipped is None:
            warnings.warn(message, SkippedInputWarning, stacklevel=3)
        else:
            skipped.append(message)

    out = []
    bar = tqdm(paths, desc="inlezen", unit=" bestand", file=sys.stderr, disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.name)
        module = detect(path)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", SkippedInputWarning)
                layers = (module.read(path, ambtsgebied=ambtsgebied)
                          if ambtsgebied is not None and module is tpod else module.read(path))
        except NothingToReadError as exc:
            skip(str(exc))
            continue
        except OmgevingskaartError:
            raise
        except Exception as exc:  # a loader failing on unexpected content: still name the file
            raise DataFileError(path, f"cannot read as {getattr(module, 'FORMAT', '?')}: "
                                      f"{type(exc).__name__}: {exc}") from exc
        for w in caught:
            if issubclass(w.category, SkippedInputWarning):
                skip(str(w.message))
            else:  # pass other warnings (repaired geometries, ...) on as they were
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        out.append((path, str(getattr(module, "FORMAT", module.__name__)), layers))
    bar.close()
    if paths and not out:
        raise OmgevingskaartError("nothing to import: every input was skipped: "
                                  + "; ".join(notes))
    return out


def merge_layers(
    sources: Sequence[Mapping[str, gpd.GeoDataFrame]],
) -> dict[str, gpd.GeoDataFrame]:
    """Merge layer dicts in order: same-named layers are concatenated and an ``identificatie``
    delivered by a later source replaces all rows with that identificatie from earlier sources
    (rows of one source are kept as they are: a tidy maatvoering has several rows per object).
    """
    merged: dict[str, gpd.GeoDataFrame] = {}
    for layers in sources:
        for name, frame in layers.items():
            if name not in merged:
                merged[name] = frame.copy()
                continue
            old = merged[name]
            if "identificatie" in frame.columns and "identificatie" in old.columns:
                new_ids = set(frame["identificatie"].dropna().astype(str))
                keep = ~old["identificatie"].astype("string").isin(new_ids).fillna(False)
                old = old[keep.to_numpy(dtype=bool)]
            if frame.crs is not None and old.crs is not None and frame.crs != old.crs:
                frame = frame.to_crs(old.crs)
            merged[name] = gpd.GeoDataFrame(
                pd.concat([old, frame], ignore_index=True), geometry=old.geometry.name,
                crs=old.crs if old.crs is not None else frame.crs,
            )
    return merged


@contextlib.contextmanager
def _locked(target: Path, wait: float | None) -> Iterator[None]:
    """The dataset's write lock for a whole import (read, merge, write), with the temporary files
    of killed writers removed and write failures (a full disk) as typed errors naming the file."""
    from .._files import output_errors
    from .._lock import dataset_lock
    from ..dataset import remove_orphans

    with dataset_lock(target, timeout=wait) as since, output_errors(target):
        remove_orphans(target, older_than=since)
        yield


def import_paths(
    paths: Sequence[Path | str],
    into: Path | str,
    *,
    title: str | None = None,
    replace: bool = False,
    progress: bool = False,
    skipped: list[str] | None = None,
    wait: float | None = None,
    gemeentegrens: Path | str | None = None,
) -> dict[str, int]:
    """Import ``paths`` into the dataset ``into``; returns the feature count per imported layer.

    Files that hold nothing omgevingskaart reads are skipped (a message each in ``skipped``, or a
    :class:`~omgevingskaart.errors.SkippedInputWarning`); when every input is skipped nothing is
    written and :class:`~omgevingskaart.errors.DataFileError` says so. ``wait``: seconds to wait for
    the dataset's write lock (None: ``$OMGEVINGSKAART_LOCK_TIMEOUT`` or 600), then
    :class:`~omgevingskaart.errors.DatasetLockedError`. ``gemeentegrens``: a polygon file with the
    gemeente boundary (:mod:`omgevingskaart.io.gemeentegrens`) stored on the Ambtsgebied of the
    STOP/TPOD inputs, so rules for the whole gemeente apply exactly inside it.
    """
    from ..dataset import Dataset, write_dataset
    from ..store import is_postgres_uri

    target: Path | str = str(into) if is_postgres_uri(str(into)) else Path(into)
    grens = None
    if gemeentegrens is not None:
        from ..io.gemeentegrens import read_gemeentegrens

        grens = read_gemeentegrens(gemeentegrens)
    inputs = read_inputs([Path(p) for p in paths], progress=progress, skipped=skipped, ambtsgebied=grens)
    if grens is not None and not any("locatie" in layers for _, _, layers in inputs):
        raise OmgevingskaartError("--gemeentegrens gives the boundary of a STOP/TPOD package's "
                                  "ambtsgebied, but no input is such a package: import it together "
                                  "with the package")
    new_layers = merge_layers([layers for _, _, layers in inputs])
    # read the old dataset, merge and write under the dataset's lock: a concurrent import waits
    # instead of starting from the same old file and dropping this one's layers (PostGIS: one
    # database transaction per write)
    guard = (contextlib.nullcontext() if isinstance(target, str)
             else _locked(target, wait))
    with guard:
        old = None
        if not replace and (isinstance(target, str) or target.exists()):
            old = Dataset(target)
        old_meta = old.meta if old is not None else {}
        bron_new = "; ".join(f"{path.name} ({fmt})" for path, fmt, _ in inputs)
        bron_old = old_meta.get("bron", "") if old_meta.get("synthetisch", "nee") == "nee" else ""
        meta = {
            **old_meta,
            "titel": title or old_meta.get("titel") or DEFAULT_TITLE,
            "bron": f"{bron_old}; {bron_new}" if bron_old else bron_new,
            "synthetisch": "nee",
            "geimporteerd": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        if progress:
            print(f"schrijven naar {target} ...", file=sys.stderr)
        upsert = getattr(old.store, "upsert_many", None) if old is not None else None
        if upsert is not None:  # stream the old rows, write only the imported layers
            return dict(sorted(upsert(new_layers, meta).items()))
        existing = {name: old.layer(name) for name in old.layers if name in new_layers} if old else {}
        merged = merge_layers([existing, new_layers])
        write_dataset(merged, target, meta=meta, extend=not replace)
    return {name: len(frame) for name, frame in sorted(merged.items())}


def run(args: argparse.Namespace) -> int:
    progress = not args.quiet and sys.stderr.isatty()
    if args.wait is not None and args.wait < 0:
        raise OmgevingskaartError("--wait must be 0 or more seconds")
    skipped: list[str] = []
    counts = import_paths(args.paths, args.into, title=args.title, replace=args.replace,
                          progress=progress, skipped=skipped, wait=args.wait,
                          gemeentegrens=args.gemeentegrens)
    for message in skipped:
        print(f"overgeslagen: {message}", file=sys.stderr)
    if not args.quiet:
        for name, n in counts.items():
            print(f"{name}: {n}")
        from ..store.postgis import split_uri

        shown = split_uri(args.into)[2] if args.into.startswith(("postgresql:", "postgres:")) else args.into
        print(f"-> {shown}")
    return 0
