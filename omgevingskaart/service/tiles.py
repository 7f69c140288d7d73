"""Vector tiles of a layer: ``GET /v1/tiles/{layer}/{z}/{x}/{y}.mvt`` (Mapbox Vector Tile 2.1).

Rendered per request, nothing precomputed and nothing written to disk whatever the size of the
dataset: by the database with ``ST_AsMVT`` / ``ST_AsMVTGeom`` when the dataset is in PostGIS
(:meth:`omgevingskaart.store.postgis.PostGISStore.tile`), by DuckDB spatial's ``ST_AsMVT`` over
the parts that meet the tile when it is a GeoParquet folder
(:meth:`omgevingskaart.store.geoparquet.GeoParquetStore.tile`, the ``duckdb`` extra). Tiles use
the Web Mercator tile grid (``z/x/y`` as OSM/XYZ); each carries one tile layer named after the
dataset layer, with the ``identificatie`` of each feature and the catalogue's popup fields. Both
reproject RD New to Web Mercator with PROJ's EPSG:28992 definition (its datum shift is within
about a metre, below a tile's pixel size up to zoom 17).

GeoPackage datasets answer 404 with ``no_tiles``: their maps use the GeoJSON of ``/items``."""

from __future__ import annotations

from ..dataset import Dataset
from ..errors import MissingExtraError, QueryError
from .errors import ServiceError

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


def tile_bytes(dataset: Dataset, layer: str, z: int, x: int, y: int, columns: list[str]) -> bytes:
    """The tile ``z/x/y`` of ``layer`` (empty bytes when nothing falls in it)."""
    tile = getattr(dataset.store, "tile", None)
    if tile is None:
        raise ServiceError(404, "no_tiles", "vector tiles are served for PostGIS and GeoParquet datasets only; "
                           "use /v1/layers/{id}/items", field="layer")
    try:
        data: bytes = tile(layer, z, x, y, columns=["identificatie", *columns])
        return data
    except QueryError as exc:
        raise ServiceError(400, "invalid_parameter", str(exc), field="z") from None
    except MissingExtraError as exc:  # a GeoParquet dataset on a server without DuckDB spatial
        raise ServiceError(404, "no_tiles", f"{exc}; until then use /v1/layers/{{id}}/items",
                           field="layer") from None
