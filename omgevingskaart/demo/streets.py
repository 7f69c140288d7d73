"""The demo's street network: an irregular lattice of streets around the Markt, cut into blocks.

Grid lines are street centre lines. Their nodes are jittered with the seeded generator (plus a slow
bend), so blocks are irregular convex quadrilaterals of roughly 80-125 m. Each street has its own
width (8-14 m, wider main roads); a block is its lattice cell shrunk by the half widths of the four
streets around it. The space between blocks is cut into one *segment* polygon per street stretch
between two crossings and one *node* polygon per crossing, so blocks, segments and nodes tile the
plane exactly (they share vertices), and are then clipped to the extent.

Node positions and street widths are rounded to the millimetre as they are drawn (see
:mod:`.geom` for why the rest of the arithmetic gives the same bits on every CPU).

Street names are real names of Winterswijk's centre; the layout is synthetic (see
``docs/demo-dataset.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .geom import Ring, box_planes, clip_all, inward_normal, line_intersection, mm, uniform

#: the Markt, RD New (about, after the domain primer).
MARKT = np.array([246580.0, 443380.0])
#: demo extent: about 1.2 x 1.0 km around the Markt.
EXTENT = (MARKT[0] - 600.0, MARKT[1] - 500.0, MARKT[0] + 600.0, MARKT[1] + 500.0)

#: north-south running street names (west to east), real names of Winterswijk's centre.
NS_NAMES = [
    "Kottenseweg", "Laan van Hilbelink", "Burgemeester Bosmastraat", "Roelvinkstraat",
    "Wilhelminastraat", "Jonenstraat", "Kerkstraat", "Torenstraat", "Wierengastraat",
    "Gasthuisstraat", "Nieuwstraat", "Willinkstraat", "Stationsstraat", "Noteboomstraat",
    "Goudvinkenstraat", "Ratumsestraat", "Molenstraat", "Dingstraat", "Spoorstraat",
    "Wooldseweg", "Vredenseweg", "Kortestraat",
]
#: east-west running street names (south to north).
EW_NAMES = [
    "Wooldstraat", "Groenloseweg", "Misterstraat", "Misterweg", "Zonnebrink", "Lappenbrink",
    "Weurden", "Meddosestraat", "Jacob Damsingel", "Tuinstraat", "Stationsplein", "Wheme",
    "Vredensestraat",
]


@dataclass
class Network:
    """The lattice: nodes, street widths, blocks and the street pieces between them."""

    nodes: np.ndarray  # (nx+1, ny+1, 2) street crossings
    half_v: np.ndarray  # half widths of the north-south lines (nx+1)
    half_h: np.ndarray  # half widths of the east-west lines (ny+1)
    markt_cell: tuple[int, int]
    blocks: dict[tuple[int, int], Ring] = field(default_factory=dict)  # unclipped, CCW SW,SE,NE,NW
    #: (orientation "h"/"v", line index, stretch index) -> clipped polygon ring
    segments: dict[tuple[str, int, int], Ring] = field(default_factory=dict)
    #: (i, j) -> clipped crossing polygon ring
    crossings: dict[tuple[int, int], Ring] = field(default_factory=dict)
    #: (orientation, line, stretch) -> street name
    names: dict[tuple[str, int, int], str] = field(default_factory=dict)
    main_lines: set[tuple[str, int]] = field(default_factory=set)

    @property
    def shape(self) -> tuple[int, int]:
        return self.nodes.shape[0] - 1, self.nodes.shape[1] - 1

    def block_edge(self, cell: tuple[int, int], side: int) -> tuple[str, int, int]:
        """The street stretch (orientation, line, stretch) along ``side`` (0 S, 1 E, 2 N, 3 W)."""
        i, j = cell
        return {0: ("h", j, i), 1: ("v", i + 1, j), 2: ("h", j + 1, i), 3: ("v", i, j)}[side]

    def centre_line(self, key: tuple[str, int, int]) -> np.ndarray:
        """The centre line of a street stretch as two points (west->east or south->north)."""
        o, line, k = key
        if o == "h":
            return np.array([self.nodes[k, line], self.nodes[k + 1, line]])
        return np.array([self.nodes[line, k], self.nodes[line, k + 1]])


def _line_positions(rng: np.random.Generator, centre: float, half_markt: float,
                    lo: float, hi: float) -> np.ndarray:
    pos = [centre - half_markt, centre + half_markt]
    while pos[-1] < hi + 45.0:
        pos.append(pos[-1] + uniform(rng, 80.0, 125.0))
    while pos[0] > lo - 45.0:
        pos.insert(0, pos[0] - uniform(rng, 80.0, 125.0))
    return np.asarray(pos)


def build_network(rng: np.random.Generator) -> Network:
    """The street lattice around the Markt, clipped to :data:`EXTENT`."""
    xmin, ymin, xmax, ymax = EXTENT
    xs = _line_positions(rng, MARKT[0], 55.0, xmin, xmax)
    ys = _line_positions(rng, MARKT[1], 45.0, ymin, ymax)
    nx, ny = len(xs) - 1, len(ys) - 1
    phase = [uniform(rng, 0.0, 2 * math.pi) for _ in range(2)]
    jitter = np.clip(rng.normal(0.0, 5.0, (nx + 1, ny + 1, 2)), -11.0, 11.0).tolist()
    # a slow bend plus jitter, rounded to the millimetre right away (math.sin's last bit may
    # differ between C libraries; it cannot move a value across half a millimetre in practice)
    nodes = np.array([[[mm(float(x) + 9.0 * math.sin(float(y) / 260.0 + phase[0]) + jitter[i][j][0]),
                        mm(float(y) + 7.0 * math.sin(float(x) / 310.0 + phase[1]) + jitter[i][j][1])]
                       for j, y in enumerate(ys)] for i, x in enumerate(xs)])
    mi = int(np.searchsorted(xs, MARKT[0])) - 1
    mj = int(np.searchsorted(ys, MARKT[1])) - 1
    # the Markt square keeps its place: its four corners barely move
    for di in (0, 1):
        for dj in (0, 1):
            dx, dy = rng.normal(0.0, 1.5, 2).tolist()
            nodes[mi + di, mj + dj] = [mm(xs[mi + di] + dx), mm(ys[mj + dj] + dy)]
    half_v = np.array([mm(uniform(rng, 4.0, 5.5)) for _ in range(nx + 1)])
    half_h = np.array([mm(uniform(rng, 4.0, 5.5)) for _ in range(ny + 1)])
    main_lines: set[tuple[str, int]] = set()
    for o, idx, arr in (("v", mi - 2, half_v), ("v", mi + 3, half_v), ("h", mj - 2, half_h),
                        ("h", mj + 3, half_h)):
        if 0 < idx < len(arr) - 1:
            arr[idx] = mm(uniform(rng, 6.0, 7.0))
            main_lines.add((o, idx))
    net = Network(nodes, half_v, half_h, (mi, mj), main_lines=main_lines)
    _cut(net)
    _name(net)
    return net


def _cell_block(net: Network, i: int, j: int) -> Ring:
    q = np.array([net.nodes[i, j], net.nodes[i + 1, j], net.nodes[i + 1, j + 1], net.nodes[i, j + 1]])
    half = np.array([net.half_h[j], net.half_v[i + 1], net.half_h[j + 1], net.half_v[i]])
    lines = []
    for k in range(4):
        u, n = inward_normal(q[k], q[(k + 1) % 4])
        lines.append((q[k] + n * half[k], u))
    corners = [line_intersection(*lines[k - 1], *lines[k]) for k in range(4)]
    return np.asarray(corners)


def _cut(net: Network) -> None:
    nx, ny = net.shape
    planes = box_planes(*EXTENT)
    for i in range(nx):
        for j in range(ny):
            net.blocks[(i, j)] = _cell_block(net, i, j)
    b = net.blocks
    for j in range(1, ny):
        for i in range(nx):
            ring = np.array([b[(i, j - 1)][3], b[(i, j - 1)][2], b[(i, j)][1], b[(i, j)][0]])
            ring = clip_all(ring, planes)
            if len(ring):
                net.segments[("h", j, i)] = ring
    for i in range(1, nx):
        for j in range(ny):
            ring = np.array([b[(i - 1, j)][1], b[(i, j)][0], b[(i, j)][3], b[(i - 1, j)][2]])
            ring = clip_all(ring, planes)
            if len(ring):
                net.segments[("v", i, j)] = ring
    for i in range(1, nx):
        for j in range(1, ny):
            ring = np.array([b[(i - 1, j - 1)][2], b[(i, j - 1)][3], b[(i, j)][0], b[(i - 1, j)][1]])
            ring = clip_all(ring, planes)
            if len(ring):
                net.crossings[(i, j)] = ring


def _name(net: Network) -> None:
    """Give every stretch a street name; long lines change name half-way; the Markt's own ring."""
    mi, mj = net.markt_cell
    by_line: dict[tuple[str, int], list[int]] = {}
    for o, line, k in sorted(net.segments):
        by_line.setdefault((o, line), []).append(k)
    for o, pool, centre in (("v", NS_NAMES, mi), ("h", EW_NAMES, mj)):
        lines = sorted(line for oo, line in by_line if oo == o)
        if len(lines) > len(pool):
            raise ValueError(f"too few street names for {len(lines)} {o}-lines")
        spare = len(pool) - len(lines)
        # lines near the Markt keep one name; outer long lines change name half-way
        split = set(sorted(lines, key=lambda ln: (-abs(ln - centre), ln))[:spare])
        names = iter(pool)
        for line in lines:
            ks = by_line[(o, line)]
            first = next(names)
            second = next(names) if line in split else first
            half = ks[len(ks) // 2]
            for k in ks:
                net.names[(o, line, k)] = first if k < half else second
    for key in (("h", mj, mi), ("h", mj + 1, mi), ("v", mi, mj), ("v", mi + 1, mj)):
        net.names[key] = "Markt"
