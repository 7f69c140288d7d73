"""Binary glTF 2.0 (``.glb``) of building meshes, for VR headsets, Blender, Unity, Unreal.

Why the container is written here and not with pygltflib / trimesh: the GLB format is small and
fully specified (Khronos glTF 2.0, section "GLB File Format Specification": a 12-byte header, a
JSON chunk padded with spaces and a BIN chunk padded with zeros, each 4-byte aligned), the writer
is ~100 lines of numpy and ``struct``, and a dependency would add nothing but install weight.
:func:`read_glb` parses the container back (used by the tests and ``omgevingskaart`` users who
want to check a file).

Frame and axes
--------------
Coordinates are RD New + NAP (EPSG:7415), in metres. glTF has no CRS; VR engines want small
numbers (float32) and a y-up, right-handed frame. So positions are written in a *local metric
frame*: ``origin`` = the centre of the exported bounding box in RD, rounded to whole metres, and
for z the lowest vertex (NAP) rounded down to a whole metre, and the axes map as

    glTF x = RD x - origin_x        (east)
    glTF y = NAP z - origin_z       (up)
    glTF z = -(RD y - origin_y)     (north is -z, glTF's "forward")

a proper rotation (determinant +1), so triangle winding (counter-clockwise seen from outside) is
kept. The origin, the CRS (``EPSG:7415``) and this mapping are recorded in ``asset.extras`` and in
the scene's ``extras`` (key ``omgevingskaart``), so the file can be placed back in RD exactly:
``RD x = x + origin_x``, ``RD y = origin_y - z``, ``NAP = y + origin_z``.

Structure: one node and one mesh per building, in input order; the node's ``name`` is the BAG
pand id and its ``extras`` hold the building's attributes (identificatie, bouwjaar, hoogte, ...).
The scene lists the building nodes directly (no extra root node). All positions share one
bufferView (float32 xyz), all indices another (uint32); every POSITION accessor carries its
``min`` / ``max`` as the spec requires. No normals are written: glTF clients must then compute
flat normals, which is what blocks and planar roof faces need.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..viz.mesh import MeshSet

GLB_MAGIC = 0x46546C67  # b"glTF"
CHUNK_JSON = 0x4E4F534A  # b"JSON"
CHUNK_BIN = 0x004E4942  # b"BIN\0"
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT = 5126
UNSIGNED_INT = 5125
CRS = "EPSG:7415"
AXES = {"x": "RD x - origin_x (oost)", "y": "NAP - origin_z (omhoog)",
        "z": "-(RD y - origin_y) (noord = -z)"}


def local_origin(mesh: MeshSet) -> tuple[float, float, float]:
    """The frame origin: bbox centre in RD rounded to 1 m, lowest NAP z rounded down to 1 m."""
    lo, hi = mesh.bounds
    return (float(round((lo[0] + hi[0]) / 2)), float(round((lo[1] + hi[1]) / 2)),
            float(math.floor(lo[2])))


def to_local(vertices: np.ndarray, origin: tuple[float, float, float]) -> np.ndarray:
    """RD/NAP (n, 3) -> glTF local frame (n, 3) float64 (see the module docstring)."""
    out = np.empty_like(vertices, dtype=np.float64)
    out[:, 0] = vertices[:, 0] - origin[0]
    out[:, 1] = vertices[:, 2] - origin[2]
    out[:, 2] = -(vertices[:, 1] - origin[1])
    return out


def to_rd(local: np.ndarray, origin: tuple[float, float, float]) -> np.ndarray:
    """glTF local frame (n, 3) -> RD x, RD y, NAP z."""
    out = np.empty_like(local, dtype=np.float64)
    out[:, 0] = local[:, 0] + origin[0]
    out[:, 1] = origin[1] - local[:, 2]
    out[:, 2] = local[:, 1] + origin[2]
    return out


def _json_safe(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return round(f, 3) if math.isfinite(f) else None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, str)):
        return value
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _pad(data: bytes, fill: bytes) -> bytes:
    return data + fill * ((4 - len(data) % 4) % 4)


def write_glb(mesh: MeshSet, path: str | Path | None = None, *,
              attributes: Mapping[str, Mapping[str, Any]] | None = None,
              origin: tuple[float, float, float] | None = None,
              title: str = "omgevingskaart 3D",
              colour: tuple[float, float, float, float] = (0.85, 0.78, 0.66, 1.0)) -> bytes:
    """The GLB bytes of ``mesh`` (written to ``path`` too when given).

    ``attributes`` maps a building id to the extras of its node (values made JSON-safe: NaN and
    NA become null). ``origin`` overrides :func:`local_origin`.
    """
    if not len(mesh):
        raise ValueError("no buildings to export")
    origin = origin or local_origin(mesh)
    local = to_local(mesh.vertices, origin).astype(np.float32)
    tris = mesh.triangles.astype(np.int64)
    pos_bytes = local.tobytes()
    frame = {"crs": CRS, "origin_rd_nap": list(origin), "units": "m", "axes": AXES,
             "lod": mesh.lod, "buildings": len(mesh)}
    accessors: list[dict[str, Any]] = []
    meshes: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    index_chunks: list[bytes] = []
    index_offset = 0
    attributes = attributes or {}
    for i, bid in enumerate(mesh.ids):
        v0, v1 = int(mesh.vertex_offsets[i]), int(mesh.vertex_offsets[i + 1])
        t0, t1 = int(mesh.triangle_offsets[i]), int(mesh.triangle_offsets[i + 1])
        block = local[v0:v1]
        idx = (tris[t0:t1] - v0).astype(np.uint32).ravel()
        pa = len(accessors)
        accessors.append({
            "bufferView": 0, "byteOffset": v0 * 12, "componentType": FLOAT, "count": v1 - v0,
            "type": "VEC3",
            "min": [float(x) for x in block.min(axis=0)], "max": [float(x) for x in block.max(axis=0)],
        })
        accessors.append({
            "bufferView": 1, "byteOffset": index_offset, "componentType": UNSIGNED_INT,
            "count": int(idx.size), "type": "SCALAR",
        })
        index_chunks.append(idx.tobytes())
        index_offset += idx.nbytes
        meshes.append({"name": bid, "primitives": [{"attributes": {"POSITION": pa},
                                                    "indices": pa + 1, "material": 0}]})
        extras = {k: _json_safe(v) for k, v in (attributes.get(bid) or {}).items()}
        extras.setdefault("identificatie", bid)
        nodes.append({"name": bid, "mesh": i, "extras": extras})
    idx_bytes = b"".join(index_chunks)
    pos_len = len(pos_bytes)
    binary = _pad(pos_bytes, b"\0") + idx_bytes
    gltf = {
        "asset": {"version": "2.0", "generator": "omgevingskaart export-3d",
                  "copyright": "Kadaster (BAG), 3DGI (3D BAG), CC BY 4.0",
                  "extras": {"title": title, "omgevingskaart": frame}},
        "scene": 0,
        "scenes": [{"name": title, "nodes": list(range(len(nodes))),
                    "extras": {"omgevingskaart": frame}}],
        "nodes": nodes,
        "meshes": meshes,
        "materials": [{"name": "pand", "pbrMetallicRoughness": {
            "baseColorFactor": list(colour), "metallicFactor": 0.0, "roughnessFactor": 0.9}}],
        "accessors": accessors,
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": pos_len, "byteStride": 12,
             "target": ARRAY_BUFFER},
            {"buffer": 0, "byteOffset": len(_pad(pos_bytes, b"\0")), "byteLength": len(idx_bytes),
             "target": ELEMENT_ARRAY_BUFFER},
        ],
        "buffers": [{"byteLength": len(binary)}],
    }
    json_chunk = _pad(json.dumps(gltf, separators=(",", ":"), ensure_ascii=False).encode(), b" ")
    bin_chunk = _pad(binary, b"\0")
    total = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    out = b"".join([
        struct.pack("<III", GLB_MAGIC, 2, total),
        struct.pack("<II", len(json_chunk), CHUNK_JSON), json_chunk,
        struct.pack("<II", len(bin_chunk), CHUNK_BIN), bin_chunk,
    ])
    if path is not None:
        Path(path).write_bytes(out)
    return out


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """Parse a GLB container: ``(gltf JSON, BIN chunk)``; raises ValueError on a malformed file."""
    if len(data) < 20:
        raise ValueError("too short for a GLB file")
    magic, version, length = struct.unpack_from("<III", data, 0)
    if magic != GLB_MAGIC or version != 2 or length != len(data):
        raise ValueError(f"bad GLB header (magic {magic:#x}, version {version}, length {length})")
    offset = 12
    chunks: list[tuple[int, bytes]] = []
    while offset < length:
        clen, ctype = struct.unpack_from("<II", data, offset)
        if clen % 4:
            raise ValueError("chunk length not 4-byte aligned")
        chunks.append((ctype, data[offset + 8: offset + 8 + clen]))
        offset += 8 + clen
    if offset != length or not chunks or chunks[0][0] != CHUNK_JSON:
        raise ValueError("the first chunk must be JSON and the chunks must fill the file")
    gltf = json.loads(chunks[0][1].decode("utf-8"))
    binary = chunks[1][1] if len(chunks) > 1 and chunks[1][0] == CHUNK_BIN else b""
    return gltf, binary


def accessor_array(gltf: dict[str, Any], binary: bytes, index: int) -> np.ndarray:
    """The values of accessor ``index`` (float32 VEC3 or uint32 SCALAR) as a numpy array."""
    acc = gltf["accessors"][index]
    view = gltf["bufferViews"][acc["bufferView"]]
    dtype = {FLOAT: np.float32, UNSIGNED_INT: np.uint32}[acc["componentType"]]
    width = {"VEC3": 3, "SCALAR": 1}[acc["type"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    arr = np.frombuffer(binary, dtype=dtype, count=acc["count"] * width, offset=start)
    return arr.reshape(-1, width) if width > 1 else arr
