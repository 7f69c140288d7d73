"""Hostile and malformed inputs for the readers, generated small on disk.

Used by ``tests/test_io_hostile.py`` (regression tests), ``tests/test_io_fuzz.py`` (mutations)
and ``benchmarks/bench_hostile.py`` (the campaign's table: outcome and peak RSS per input).

The decompression bombs are real zips: a member's deflate stream is one compressed block of
1 MiB repeated (each ends with a full flush, so every repetition compresses to the same bytes),
written with a hand-made zip header; 3 GiB of spaces take ~3 MB on disk and a fraction of a
second to write. Everything is built from the real samples in ``../shared/data/real``.
"""

from __future__ import annotations

import json
import os
import random
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
MiB = 1 << 20
GiB = 1 << 30

BAG_DIR = REAL / "bag" / "lv-small"
PND = BAG_DIR / "0221PND15092020-000001.xml"
PERCEEL = REAL / "brk" / "kadastralekaart_perceel.gml"
BGT_ZIP = REAL / "bgt" / "otterlo.zip"
IMRO = REAL / "imro" / "NL.IMRO.0664.BPBS03-ON99.gml"
TPOD_ZIP = REAL / "tpod" / "1_Amersfoort.zip"
CITYJSON_SEQ = REAL / "3dbag" / "small.city.jsonl"
CITYJSON = REAL / "cityjson" / "delft.city.json"


# --- zips with repeated-block members -----------------------------------------------------------


@dataclass
class Member:
    """A zip member: ``prefix`` + ``block`` x ``repeat`` + ``suffix``, deflated."""

    name: str
    prefix: bytes
    block: bytes = b""
    repeat: int = 0
    suffix: bytes = b""


def _deflate(m: Member) -> tuple[list[bytes], int, int]:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    head = co.compress(m.prefix) + co.flush(zlib.Z_FULL_FLUSH)
    chunks = [head]
    crc = zlib.crc32(m.prefix)
    if m.repeat:
        blk = co.compress(m.block) + co.flush(zlib.Z_FULL_FLUSH)
        for _ in range(m.repeat):
            crc = zlib.crc32(m.block, crc)
        chunks += [blk] * m.repeat
    chunks.append(co.compress(m.suffix) + co.flush())
    crc = zlib.crc32(m.suffix, crc)
    size = len(m.prefix) + len(m.block) * m.repeat + len(m.suffix)
    if size >= 0xFFFFFFFF:
        raise ValueError("members of 4 GiB and more need zip64; not written here")
    return chunks, crc, size


def write_zip(path: Path, members: Iterable[Member]) -> Path:
    """A zip of deflated members (each below 4 GiB decompressed) written in streaming fashion."""
    central = []
    with path.open("wb") as fh:
        for m in members:
            chunks, crc, size = _deflate(m)
            csize = sum(len(c) for c in chunks)
            name = m.name.encode()
            offset = fh.tell()
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, csize,
                                 size, len(name), 0) + name)
            for c in chunks:
                fh.write(c)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                       crc, csize, size, len(name), 0, 0, 0, 0, 0, offset) + name)
        start = fh.tell()
        for c in central:
            fh.write(c)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                             fh.tell() - start, start, 0))
    return path


def real_members(zip_path: Path, keep: Callable[[str], bool] = lambda n: True) -> list[Member]:
    with zipfile.ZipFile(zip_path) as zf:
        return [Member(n, zf.read(n)) for n in zf.namelist() if keep(n)]


# --- the hostile inputs -------------------------------------------------------------------------


def _split_after_root(data: bytes) -> tuple[bytes, bytes]:
    """``data`` cut just after the root element's start tag (skipping the XML declaration)."""
    i = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    j = data.index(b">", data.index(b"<", i)) + 1
    return data[:j], data[j:]


def _split_before_end(data: bytes) -> tuple[bytes, bytes]:
    i = data.rstrip().rindex(b"</")
    return data[:i], data[i:]


@dataclass
class Case:
    """One hostile input: ``build(tmp) -> path``; ``expect`` the typed error class name(s)."""

    name: str
    reader: str  # module of omgevingskaart.io, or "read" for detection
    build: Callable[[Path], Path]
    expect: tuple[str, ...]
    note: str = ""


def bag_padded(tmp: Path, where: str = "inside", size: int = 3 * GiB) -> Path:
    """The real BAG pand file in a zip, padded with ``size`` bytes of spaces (issue 13.1)."""
    data = PND.read_bytes()
    pre, post = _split_after_root(data) if where == "inside" else (data, b"")
    return write_zip(tmp / f"bag-pad-{where}.zip", [
        Member(f"lvbag/{PND.name}", pre, b" " * MiB, size // MiB, post)])


def tpod_flood(tmp: Path, unit: bytes = b"<x/>", size: int = 2 * GiB) -> Path:
    """The real Amersfoort package plus an OW file of ``size`` bytes of ``<x/>`` (issue 13.1)."""
    members = real_members(TPOD_ZIP)
    ow = next(m for m in members if b"owBestand" in m.prefix[:4096])
    pre, post = _split_after_root(ow.prefix)
    members.append(Member("gm0307Flood.xml", pre, unit * (MiB // len(unit)), size // MiB, post))
    return write_zip(tmp / "tpod-flood.zip", members)


def tpod_text(tmp: Path, size: int = 200 * MiB) -> Path:
    """An OW file of text nodes just under libxml2's 10 MB, compressible at a ratio of ~60
    (under the ratio limit): only the size limit of a document parsed whole stops it."""
    rnd = random.Random(13)
    noise = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(24_000)).encode()
    block = b"<t>" + noise + b"a" * (MiB - len(noise) - 7) + b"</t>"
    members = real_members(TPOD_ZIP)
    ow = next(m for m in members if b"owBestand" in m.prefix[:4096])
    pre, post = _split_after_root(ow.prefix)
    members.append(Member("gm0307Tekst.xml", pre, block, size // MiB, post))
    return write_zip(tmp / "tpod-text.zip", members)


def tpod_mixed(tmp: Path) -> Path:
    """An OW file of 100 MiB of text followed by a flood of ``<x/>``: each under its own limit
    for a while, together more memory than either; the memory estimate stops it."""
    rnd = random.Random(13)
    noise = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(24_000)).encode()
    text = (b"<t>" + noise + b"a" * (MiB - len(noise) - 7) + b"</t>") * 100
    members = real_members(TPOD_ZIP)
    ow = next(m for m in members if b"owBestand" in m.prefix[:4096])
    pre, post = _split_after_root(ow.prefix)
    members.append(Member("gm0307Mix.xml", pre + text, b"<x/>" * (MiB // 4), 400, post))
    return write_zip(tmp / "tpod-mixed.zip", members)


def bgt_flood(tmp: Path, inside_feature: bool = False, size: int = 2 * GiB) -> Path:
    """The BGT sample's bgt_pand.gml with ``size`` bytes of ``<x/>`` between (or inside) the
    features (issue 13.1)."""
    with zipfile.ZipFile(BGT_ZIP) as zf:
        data = zf.read("bgt_pand.gml")
    if inside_feature:
        i = data.index(b"<cityObjectMember>") + len(b"<cityObjectMember>")
    else:
        i = data.index(b"</cityObjectMember>") + len(b"</cityObjectMember>")
    return write_zip(tmp / f"bgt-flood{'-in' if inside_feature else ''}.zip", [
        Member("bgt_pand.gml", data[:i], b"<x/>" * (MiB // 4), size // MiB, data[i:])])


def brk_flood(tmp: Path, size: int = 2 * GiB) -> Path:
    """The perceel file in a zip with ``size`` bytes of ``<x/>`` in a wrapper after the first
    perceel (issue 13.1: BRK grew to 6.7 GB)."""
    data = PERCEEL.read_bytes()
    i = data.index(b"</kk:perceelMember>") + len(b"</kk:perceelMember>")
    return write_zip(tmp / "brk-flood.zip", [
        Member(PERCEEL.name, data[:i] + b"<y>", b"<x/>" * (MiB // 4), size // MiB,
               b"</y>" + data[i:])])


def _imro_with(tmp: Path, name: str, geometry: str) -> Path:
    """A minimal IMRO2012 plan whose Bouwvlak has ``geometry`` (GML 3.2) as its geometrie."""
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<imro:FeatureCollectionIMRO '
        'xmlns:imro="http://www.geonovum.nl/imro/2012/1.1" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<imro:featureMember><imro:Bouwvlak gml:id="NL.IMRO.bv1">'
        "<imro:identificatie><imro:NEN3610ID><imro:namespace>NL.IMRO</imro:namespace>"
        "<imro:lokaalID>bv1</imro:lokaalID></imro:NEN3610ID></imro:identificatie>"
        f"<imro:geometrie>{geometry}</imro:geometrie></imro:Bouwvlak></imro:featureMember>"
        "</imro:FeatureCollectionIMRO>")
    path = tmp / f"{name}.gml"
    path.write_text(doc)
    return path


def circle(tmp: Path, radius: float) -> Path:
    """A GML Circle (as a polygon ring) of ``radius`` metres centred in Winterswijk."""
    cx, cy = 245000.0, 443000.0
    pts = f"{cx + radius} {cy} {cx} {cy + radius} {cx - radius} {cy}"
    ring = ('<gml:Polygon gml:id="g1" srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior>'
            '<gml:Ring><gml:curveMember><gml:Curve gml:id="c1"><gml:segments><gml:Circle>'
            f'<gml:posList srsDimension="2">{pts}</gml:posList></gml:Circle></gml:segments>'
            "</gml:Curve></gml:curveMember></gml:Ring></gml:exterior></gml:Polygon>")
    return _imro_with(tmp, f"circle-{radius:g}", ring)


def imro_square(tmp: Path, name: str, coords: str) -> Path:
    ring = ('<gml:Polygon gml:id="g1" srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior>'
            f"<gml:LinearRing><gml:posList>{coords}</gml:posList></gml:LinearRing></gml:exterior>"
            "</gml:Polygon>")
    return _imro_with(tmp, name, ring)


XXE = b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xxe_bypass(source: Path, tmp: Path, name: str | None = None) -> Path:
    """``source`` with a comment and a PI holding ``<a`` before an external-entity DOCTYPE, and
    the entity used in the first text (issue 13.3: passed the former prolog scan)."""
    data = source.read_bytes()
    i = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    j = data.index(b">", data.index(b"<", i)) + 1
    out = data[:i] + b"\n<!-- <a -->\n<?pi <a ?>\n" + XXE + b"\n" + data[i:j] + b"&xxe;" + data[j:]
    path = tmp / (name or source.name)
    path.write_bytes(out)
    return path


def bag_xxe(tmp: Path) -> Path:
    d = tmp / "bag-xxe"
    d.mkdir(exist_ok=True)
    xxe_bypass(PND, d)
    return d


def bag_truncated(tmp: Path) -> Path:
    """Half of the real BAG pand file (issue 13.6: imported 1 of 2 panden with exit 0)."""
    d = tmp / "bag-half"
    d.mkdir(exist_ok=True)
    data = PND.read_bytes()
    (d / PND.name).write_bytes(data[: len(data) // 2])
    return d


def perceel_coords(tmp: Path, value: str, name: str) -> Path:
    """The perceel file with the first x coordinate of the first polygon replaced by ``value``."""
    data = PERCEEL.read_text()
    i = data.index("<gml:posList")
    j = data.index(">", i) + 1
    first = data[j:].split(maxsplit=1)[0]
    out = data[:j] + value + data[j + len(first):]
    # keep the ring closed: the last x of that posList is the same number
    k = data.index("</gml:posList>", j)
    ring = data[j:k]
    last = ring.rsplit(" ", 2)[-2]
    if last == first:
        body = value + ring[len(first):ring.rindex(last)] + value + ring[ring.rindex(last) + len(last):]
        out = data[:j] + body + data[k:]
    path = tmp / f"perceel-{name}.gml"
    path.write_text(out)
    return path


def perceel_degrees(tmp: Path) -> Path:
    """Every RD coordinate of the perceel file replaced by a longitude/latitude pair."""
    data = PERCEEL.read_text()

    def deg(m: re.Match[str]) -> str:
        vals = m.group(2).split()
        pairs = [f"{5.0 + float(vals[i]) / 1e6:.6f} {52.0 + float(vals[i + 1]) / 1e7:.6f}"
                 for i in range(0, len(vals) - 1, 2)]
        return m.group(1) + " ".join(pairs) + "</gml:posList>"

    path = tmp / "perceel-degrees.gml"
    path.write_text(re.sub(r"(<gml:posList[^>]*>)([^<]*)</gml:posList>", deg, data))
    return path


# --- CityJSON: 21+ malformed documents ---------------------------------------------------------


def _seq_lines() -> tuple[dict, dict, list[str]]:
    lines = CITYJSON_SEQ.read_text().splitlines()
    return json.loads(lines[0]), json.loads(lines[1]), lines


def cityjson_cases(tmp: Path) -> list[tuple[str, Path]]:
    """Malformed CityJSON(Seq) inputs (issue 13.7), each a file in ``tmp``."""
    header, feat, lines = _seq_lines()
    oid = next(k for k, v in feat["CityObjects"].items() if v["type"] == "Building")
    part = next((k for k, v in feat["CityObjects"].items() if v["type"] != "Building"), oid)
    out: list[tuple[str, Path]] = []

    def seq(name: str, h: object = None, f: object = None, raw: bytes | None = None) -> None:
        path = tmp / f"{name}.city.jsonl"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(json.dumps(header if h is None else h) + "\n"
                            + json.dumps(feat if f is None else f) + "\n")
        out.append((name, path))

    def edit_feat(fn: Callable[[dict], None]) -> dict:
        f = json.loads(json.dumps(feat))
        fn(f)
        return f

    def edit_header(fn: Callable[[dict], None]) -> dict:
        h = json.loads(json.dumps(header))
        fn(h)
        return h

    def geom(f: dict) -> dict:
        obj = f["CityObjects"][part]
        return obj["geometry"][0]

    seq("no-scale", h=edit_header(lambda h: h["transform"].pop("scale")))
    seq("scale-text", h=edit_header(lambda h: h["transform"].__setitem__("scale", "x")))
    seq("transform-list", h=edit_header(lambda h: h.__setitem__("transform", [1, 2])))
    seq("scale-nan", raw=(json.dumps(edit_header(
        lambda h: h["transform"].__setitem__("scale", [float("nan"), 1, 1]))) + "\n"
        + lines[1] + "\n").encode())
    seq("metadata-list", h=edit_header(lambda h: h.__setitem__("metadata", [1])))
    seq("negative-index", f=edit_feat(lambda f: geom(f)["boundaries"][0][0].__setitem__(
        0, [-1, *geom(f)["boundaries"][0][0][0][1:]])))
    seq("index-too-big", f=edit_feat(lambda f: geom(f)["boundaries"][0][0][0].__setitem__(
        0, 10**9)))
    seq("index-float", f=edit_feat(lambda f: geom(f)["boundaries"][0][0][0].__setitem__(0, 1.5)))
    seq("index-text", f=edit_feat(lambda f: geom(f)["boundaries"][0][0][0].__setitem__(0, "1")))
    seq("boundaries-flat", f=edit_feat(lambda f: geom(f).__setitem__("boundaries", [1, 2, 3])))
    seq("boundaries-deep", f=edit_feat(lambda f: geom(f).__setitem__(
        "boundaries", [[[[[[0, 1, 2]]]]]])))
    seq("geometry-dict", f=edit_feat(lambda f: f["CityObjects"][part].__setitem__(
        "geometry", {"type": "Solid"})))
    seq("cityobjects-list", f=edit_feat(lambda f: f.__setitem__("CityObjects", [1, 2])))
    seq("object-text", f=edit_feat(lambda f: f["CityObjects"].__setitem__(oid, "x")))
    seq("children-dict", f=edit_feat(lambda f: f["CityObjects"][oid].__setitem__(
        "children", {"a": 1})))
    seq("children-unhashable", f=edit_feat(lambda f: f["CityObjects"][oid].__setitem__(
        "children", [[1]])))
    seq("vertices-ragged", f=edit_feat(lambda f: f["vertices"].__setitem__(0, [1, 2])))
    seq("vertices-text", f=edit_feat(lambda f: f["vertices"].__setitem__(0, ["a", "b", "c"])))
    seq("vertices-huge-int", f=edit_feat(lambda f: f["vertices"].__setitem__(0, [10**400, 0, 0])))
    seq("semantics-bad", f=edit_feat(lambda f: geom(f).__setitem__(
        "semantics", {"surfaces": [1, "x"], "values": [[[5, "a"]]]})))
    seq("semantics-list", f=edit_feat(lambda f: geom(f).__setitem__("semantics", [1])))
    seq("attribute-dict", f=edit_feat(lambda f: f["CityObjects"][oid].__setitem__(
        "attributes", {"b3_h_maaiveld": {"a": 1}, "oorspronkelijkbouwjaar": [1]})))
    seq("feature-list", raw=(lines[0] + "\n[1, 2, 3]\n").encode())
    seq("nested-deep", raw=(lines[0] + "\n" + "[" * 100000 + "\n").encode())
    seq("bad-utf8", raw=(lines[0] + "\n").encode() + b'{"type": "CityJSONFeature\xff\xfe"}\n')
    seq("header-nested", raw=("[" * 100000).encode())
    seq("vertices-degrees", f=edit_feat(lambda f: f.__setitem__(
        "vertices", [[1, 1, 1]] * len(f["vertices"]))), h=edit_header(
        lambda h: h["transform"].update(scale=[0.000001, 0.000001, 0.001],
                                        translate=[5.0, 52.0, 0.0])))
    return out


# --- mutations (fuzzing and the campaign) -------------------------------------------------------

INSERTS = (b"<x/>", b"<!-- <a -->", b"&xxe;", b"]]>", b"<", b"\x00", b"\xff\xfe",
           b"NaN", b"1e308", b"-inf", b" 0 ", b'{"a": [', b"]", b"-1", b"\"",
           b'<gml:Circle><gml:posList>0 0 1e15 0 0 1e15</gml:posList></gml:Circle>')


#: values put in place of a number (structure-aware: the document stays well-formed)
VALUES = (b"NaN", b"-1", b"1e308", b"-1e308", b"0", b"1e999", b"inf", b"99999999999999999999",
          b'"x"', b"null", b"[]", b"{}", b"1.5", b"5.1 52.0")
#: well-formed XML put after a tag
ELEMENTS = (b"<x/>", b"<x>1</x>", b"<!-- <a -->", b"<?pi <a ?>", b"<x><x><x/></x></x>")

_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")

#: one edit: (operation 0-6, relative position 0..1, snippet index, length, bit)
Op = tuple[int, float, int, int, int]


def apply_ops(data: bytes, ops: Iterable[Op]) -> bytes:
    """``data`` with the edits ``ops``: 0 bit flip, 1 truncation, 2 inserted snippet
    (:data:`INSERTS`), 3 deleted range, 4 duplicated range, 5 the next number replaced by one of
    :data:`VALUES`, 6 one of :data:`ELEMENTS` inserted after the next ``>``."""
    buf = bytearray(data)
    for op, rel, snippet, length, bit in ops:
        pos = min(int(rel * len(buf)), len(buf))
        if op == 5:
            m = _NUMBER.search(buf, pos)
            if m:
                buf[m.start():m.end()] = VALUES[snippet % len(VALUES)]
        elif op == 6:
            i = buf.find(b">", pos)
            if i >= 0:
                buf[i + 1:i + 1] = ELEMENTS[snippet % len(ELEMENTS)]
        elif op == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << (bit % 8)
        elif op == 1:
            del buf[max(pos, 1):]
        elif op == 2:
            buf[pos:pos] = INSERTS[snippet % len(INSERTS)]
        elif op == 3:
            del buf[pos:pos + length]
        else:
            buf[pos:pos] = buf[pos:pos + length]
    return bytes(buf)


def random_ops(rnd: random.Random, n: int = 3) -> list[Op]:
    return [(rnd.randrange(7), rnd.random(), rnd.randrange(len(INSERTS)),
             rnd.randrange(1, 200), rnd.randrange(8)) for _ in range(n)]


def mutate(data: bytes, rnd: random.Random, n: int = 3) -> bytes:
    """``data`` with ``n`` random edits (deterministic for a seeded ``rnd``)."""
    return apply_ops(data, random_ops(rnd, n))


@dataclass
class Seed:
    """A real sample (or a small part of one) to mutate, and how to write it for its reader."""

    reader: str
    suffix: str
    data: bytes
    zip_name: str | None = None  # wrap the mutated bytes as this member of a zip
    extra: tuple[Member, ...] = ()  # other (unmutated) members of that zip
    folder_name: str | None = None  # put the mutated bytes in a folder under this name


def seeds() -> list[Seed]:
    """One small real input per reader."""
    out = [Seed("bag", "", PND.read_bytes(), folder_name=PND.name),
           Seed("brk", ".gml", PERCEEL.read_bytes()),
           Seed("imro", ".gml", IMRO.read_bytes()),
           Seed("cityjson", ".city.jsonl", CITYJSON_SEQ.read_bytes())]
    with zipfile.ZipFile(BGT_ZIP) as zf:
        out.append(Seed("bgt", ".zip", zf.read("bgt_kast.gml"), zip_name="bgt_kast.gml"))
    small = real_members(TPOD_ZIP, lambda n: "akn_nl_bill" not in n and "Regeltekst" not in n)
    ow = next(m for m in small if b"gm0307Activiteiten" in m.name.encode())
    out.append(Seed("tpod", ".zip", ow.prefix, zip_name=ow.name,
                    extra=tuple(m for m in small if m.name != ow.name)))
    return out


def write_seed(seed: Seed, data: bytes, tmp: Path, tag: str) -> Path:
    """Write the (mutated) ``data`` of ``seed`` as its reader expects it; returns the path."""
    if seed.folder_name:
        d = tmp / f"{seed.reader}-{tag}"
        d.mkdir(parents=True, exist_ok=True)
        (d / seed.folder_name).write_bytes(data)
        return d
    if seed.zip_name:
        return write_zip(tmp / f"{seed.reader}-{tag}.zip",
                         [*seed.extra, Member(seed.zip_name, data)])
    path = tmp / f"{seed.reader}-{tag}{seed.suffix}"
    path.write_bytes(data)
    return path


# --- running a read in a child process with bounded memory -------------------------------------

CHILD = """
import json, resource, sys, time
limit = int(sys.argv[3]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import importlib
from omgevingskaart.errors import OmgevingskaartError
t = time.process_time()
out = {}
try:
    mod = importlib.import_module("omgevingskaart.io." + sys.argv[1]) if sys.argv[1] != "read" \\
        else importlib.import_module("omgevingskaart.io")
    layers = mod.read(sys.argv[2])
    out["outcome"] = "ok"
    out["layers"] = {k: len(v) for k, v in layers.items()}
except OmgevingskaartError as exc:
    out["outcome"] = type(exc).__name__
    out["message"] = str(exc)[:300]
except BaseException as exc:
    out["outcome"] = "UNTYPED " + type(exc).__name__
    out["message"] = str(exc)[:300]
out["cpu_s"] = time.process_time() - t
# VmHWM: this process's own peak RSS (ru_maxrss would include the parent's RSS at the fork)
with open("/proc/self/status") as fh:
    hwm = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
out["maxrss_mb"] = hwm / 1024
print(json.dumps(out))
"""


def run_isolated(reader: str, path: Path, *, as_limit_mb: int = 1536,
                 env: dict[str, str] | None = None, timeout: float = 300) -> dict:
    """Read ``path`` with ``omgevingskaart.io.<reader>.read`` in a child process whose address
    space is limited to ``as_limit_mb``; returns outcome, message, cpu_s and maxrss_mb (the
    child's peak RSS, ``VmHWM``)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-c", CHILD, reader, str(path), str(as_limit_mb)],
                          capture_output=True, text=True, timeout=timeout, env=full_env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"outcome": f"CRASH rc={proc.returncode}", "message": proc.stderr[-500:],
                "cpu_s": float("nan"), "maxrss_mb": float("nan")}
    return json.loads(lines[-1])


def cases() -> list[Case]:
    """The hostile archives and files of the campaign (issue 13)."""
    return [
        Case("BAG zip, 3 GiB of spaces inside the root", "bag", bag_padded,
             ("DataFileError", "ResourceLimitError")),
        Case("BAG zip, 3 GiB of spaces after the root", "bag",
             lambda t: bag_padded(t, "after"), ("ResourceLimitError",)),
        Case("TPOD zip, OW file of 2 GiB <x/>", "tpod", tpod_flood, ("ResourceLimitError",)),
        Case("TPOD zip, OW file of 2 GiB spaces", "tpod", lambda t: tpod_flood(t, b" "),
             ("DataFileError", "ResourceLimitError")),
        Case("TPOD zip, 200 MiB of text at ratio ~60", "tpod", tpod_text,
             ("ResourceLimitError",)),
        Case("TPOD zip, 100 MiB of text then <x/>", "tpod", tpod_mixed,
             ("ResourceLimitError",)),
        Case("BGT zip, 2 GiB <x/> between features", "bgt", bgt_flood, ("ResourceLimitError",)),
        Case("BGT zip, 2 GiB <x/> inside a feature", "bgt", lambda t: bgt_flood(t, True),
             ("ResourceLimitError",)),
        Case("BRK zip, 2 GiB <x/> between the percelen", "brk", brk_flood,
             ("ResourceLimitError",)),
        Case("GML Circle radius 1e11", "imro", lambda t: circle(t, 1e11),
             ("ResourceLimitError",)),
        Case("GML Circle radius 1e15", "imro", lambda t: circle(t, 1e15),
             ("ResourceLimitError",)),
        Case("BRK: DOCTYPE behind a comment with <a", "brk", lambda t: xxe_bypass(PERCEEL, t),
             ("HostileXMLError",)),
        Case("BAG: DOCTYPE behind a comment with <a", "bag", bag_xxe, ("HostileXMLError",)),
        Case("IMRO: DOCTYPE behind a comment with <a", "imro", lambda t: xxe_bypass(IMRO, t),
             ("HostileXMLError",)),
        Case("BAG: half of the pand file", "bag", bag_truncated, ("DataFileError",)),
        Case("BRK: coordinate 1e308", "brk", lambda t: perceel_coords(t, "1e308", "1e308"),
             ("CoordinateError",)),
        Case("BRK: coordinate NaN", "brk", lambda t: perceel_coords(t, "NaN", "nan"),
             ("CoordinateError", "GeometryError")),
        Case("BRK: coordinate inf", "brk", lambda t: perceel_coords(t, "INF", "inf"),
             ("CoordinateError", "GeometryError")),
        Case("BRK: degrees labelled as RD", "brk", perceel_degrees, ("CoordinateError",)),
        Case("IMRO: NaN coordinates", "imro",
             lambda t: imro_square(t, "nan", "NaN NaN 1 0 1 1 0 1 NaN NaN"),
             ("CoordinateError", "GeometryError")),
    ]
