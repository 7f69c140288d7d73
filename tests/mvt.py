"""A small Mapbox Vector Tile 2.1 decoder for the tests (the protobuf wire format by hand:
layers, features, their tags and geometry commands), so tiles from PostGIS and DuckDB can be
compared feature by feature without another dependency."""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from typing import Any

LON, LAT = 6.7195685, 51.97190784  # Winterswijk centre (RD 246550, 443450)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The web-mercator tile (x, y) at zoom ``z`` that holds ``lon, lat``."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, Any]]:
    """(field number, value) of a message: ints for varints, bytes for the other wire types."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i:i + size], i + size
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, value


def _packed(buf: bytes) -> list[int]:
    out, i = [], 0
    while i < len(buf):
        v, i = _varint(buf, i)
        out.append(v)
    return out


def _value(buf: bytes) -> Any:
    for number, v in _fields(buf):
        if number == 1:
            return v.decode()
        if number == 2:
            return struct.unpack("<f", v)[0]
        if number == 3:
            return struct.unpack("<d", v)[0]
        if number in (4, 5):
            return v if number == 5 or v < 2**63 else v - 2**64
        if number == 6:
            return (v >> 1) ^ -(v & 1)
        if number == 7:
            return bool(v)
    return None


def decode(tile: bytes) -> dict[str, dict[str, Any]]:
    """``{layer name: {"extent": int, "features": [{"type", "properties", "geometry"}]}}``
    (``geometry`` is the raw command integers)."""
    layers: dict[str, dict[str, Any]] = {}
    for number, layer in _fields(tile):
        if number != 3:
            continue
        name, extent, keys, values, raw = "", 4096, [], [], []
        for n, v in _fields(layer):
            if n == 1:
                name = v.decode()
            elif n == 2:
                raw.append(v)
            elif n == 3:
                keys.append(v.decode())
            elif n == 4:
                values.append(_value(v))
            elif n == 5:
                extent = v
        features = []
        for f in raw:
            tags, gtype, geometry = [], 0, []
            for n, v in _fields(f):
                if n == 2:
                    tags = _packed(v)
                elif n == 3:
                    gtype = v
                elif n == 4:
                    geometry = _packed(v)
            props = {keys[tags[k]]: values[tags[k + 1]] for k in range(0, len(tags), 2)}
            features.append({"type": gtype, "properties": props, "geometry": geometry})
        layers[name] = {"extent": extent, "features": features}
    return layers


def _commands(geometry: list[int]) -> Iterator[tuple[int, tuple[int, int] | None]]:
    """(command, vertex) per vertex of a feature's geometry commands, in tile units (MoveTo 1,
    LineTo 2), and (7, None) per ClosePath."""
    x, y, i = 0, 0, 0
    while i < len(geometry):
        command, count = geometry[i] & 7, geometry[i] >> 3
        i += 1
        if command == 7:
            yield 7, None
            continue
        for _ in range(count):
            dx, dy = geometry[i], geometry[i + 1]
            i += 2
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            yield command, (x, y)


def vertices(geometry: list[int]) -> list[tuple[int, int]]:
    """The vertices of a feature's geometry commands, in tile units."""
    return [v for _c, v in _commands(geometry) if v is not None]


def area(geometry: list[int]) -> float:
    """The area (in tile units squared) of a polygon feature's geometry commands: the sum of its
    rings' signed areas (exterior rings and holes wind opposite ways)."""
    total = 0.0
    ring: list[tuple[int, int]] = []
    for command, vertex in _commands(geometry):
        if vertex is None:
            total += sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)) / 2
            ring = []
            continue
        if command == 1:
            ring = []
        ring.append(vertex)
    return abs(total)
