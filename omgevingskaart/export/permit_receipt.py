"""A receipt of a permit check a resident can keep and a gemeente can trust: HTML (with SVG) and PDF.

The receipt holds the address, the drawing (perceel, hoofdgebouw, voorerfgebied in yellow,
achtererfgebied in green, the 4 m zone, the line 1 m behind the voorkant, the proposal in the
verdict's colour), the verdict with its decisive reason, what would pass, every condition with
its state and article (lid and letter), what is missing, the plan's identifier and version, the
sources and dates of the data used, the date of the check and the product version.

* :func:`receipt_svg`: the drawing as a standalone SVG (no external resources).
* :func:`receipt_html`: a printable HTML page (inline SVG and CSS, no requests to any host).
* :func:`receipt_pdf`: the same as a PDF (fpdf2, pure Python, part of the ``app`` extra; imported
  lazily so the core works without it).

>>> import json
>>> from omgevingskaart.permit import check_build
>>> sc = json.load(open("tests/scenarios/02_voor_de_1m_lijn.json"))
>>> html = receipt_html(check_build(sc), sc, address="Voorbeeldstraat 1")
>>> "<svg" in html and "Bruidsschat art. 22.36, eerste lid, onder a" in html
True
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import io
from collections.abc import Mapping, Sequence
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .. import __version__
from ..errors import OmgevingskaartError
from ..permit import rules as R
from ..permit.check import CheckResult
from ..permit.explain import missing_by_where

#: verdict -> colour of the proposal in the drawing
VERDICT_COLOUR = {
    R.GEEN_VERGUNNING: "#2e7d32", R.VERGUNNINGPLICHT: "#c62828", R.MELDINGSPLICHT: "#ef6c00",
    R.INFORMATIEPLICHT: "#ef6c00", R.HANGT_AF_PLAN: "#6d4c41", R.HANGT_AF_GEGEVENS: "#6d4c41",
}
DISCLAIMER = ("Deze toets is een hulpmiddel en geen besluit. De gemeente en het Omgevingsloket "
              "(omgevingswet.overheid.nl) hebben het laatste woord.")


def _geom(value: Any) -> BaseGeometry | None:
    if value is None:
        return None
    if isinstance(value, BaseGeometry):
        return value
    try:
        return shape(value)
    except Exception:  # a malformed geometry is left out of the drawing, never fatal
        return None


def _path(geom: BaseGeometry, tx: Any) -> str:
    parts: list[str] = []
    for g in getattr(geom, "geoms", [geom]):
        if g.geom_type == "Polygon":
            rings = [g.exterior, *g.interiors]
            for ring in rings:
                pts = [tx(x, y) for x, y in ring.coords]
                parts.append("M" + " L".join(f"{x:.2f},{y:.2f}" for x, y in pts) + " Z")
        elif g.geom_type in ("LineString", "LinearRing"):
            pts = [tx(x, y) for x, y in g.coords]
            parts.append("M" + " L".join(f"{x:.2f},{y:.2f}" for x, y in pts))
        elif hasattr(g, "geoms"):
            parts.append(_path(g, tx))
    return " ".join(parts)


def receipt_svg(result: CheckResult | Mapping[str, Any], scenario: Mapping[str, Any], *, width: int = 560) -> str:
    """The drawing of the check as SVG, north up, with a 5 m scale bar and a legend."""
    d = result if isinstance(result, Mapping) else result.to_dict()
    derived = d.get("derived") or {}
    parcel = _geom(scenario.get("parcel"))
    if parcel is None:
        return ""
    minx, miny, maxx, maxy = parcel.buffer(2.0).bounds
    scale = (width - 20) / max(maxx - minx, maxy - miny, 1.0)
    height = int((maxy - miny) * scale) + 60

    def tx(x: float, y: float) -> tuple[float, float]:
        return 10 + (x - minx) * scale, 10 + (maxy - y) * scale

    layers: list[tuple[Any, str]] = [
        (derived.get("voorerfgebied"), 'fill="#fff176" fill-opacity="0.6" stroke="#f9a825"'),
        (derived.get("achtererfgebied"), 'fill="#43a047" fill-opacity="0.35" stroke="#2e7d32"'),
        (derived.get("near_zone"), 'fill="none" stroke="#6a1b9a" stroke-dasharray="6 4" stroke-width="1.5"'),
        (scenario.get("parcel"), 'fill="none" stroke="#111" stroke-width="2"'),
        ((scenario.get("main_building") or {}).get("footprint"), 'fill="#9e9e9e" stroke="#555"'),
    ]
    layers += [(a.get("footprint"), 'fill="#bdbdbd" stroke="#555"') for a in scenario.get("existing_annexes") or []]
    layers += [(derived.get("one_metre_line"), 'fill="none" stroke="#d84315" stroke-width="3" stroke-dasharray="2 6"')]
    layers += [(rs.get("line"), 'fill="none" stroke="#263238" stroke-width="6" stroke-opacity="0.6"')
               for rs in derived.get("road_sides") or []]
    colour = VERDICT_COLOUR.get(str(d.get("verdict")), "#1565c0")
    layers.append(((scenario.get("proposal") or {}).get("footprint"),
                   f'fill="{colour}" fill-opacity="0.6" stroke="{colour}" stroke-width="2"'))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="Tekening van het perceel en het bouwwerk">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    for value, style in layers:
        geom = _geom(value)
        if geom is not None and not geom.is_empty:
            out.append(f'<path d="{_path(geom, tx)}" {style}/>')
    bar = 5.0 * scale
    y0 = height - 40
    out.append(f'<path d="M10,{y0} L{10 + bar:.1f},{y0}" stroke="#111" stroke-width="3"/>')
    out.append(f'<text x="10" y="{y0 + 16}" font-size="12" font-family="sans-serif">5 m</text>')
    legend = [("#fff176", "voorerfgebied"), ("#43a047", "achtererfgebied"), ("#d84315", "lijn 1 m achter voorkant"),
              ("#6a1b9a", "zone 4 m"), (colour, "uw bouwwerk")]
    x = 70.0
    for fill, label in legend:
        out.append(f'<rect x="{x:.0f}" y="{y0 - 8}" width="12" height="12" fill="{fill}" stroke="#555"/>')
        out.append(f'<text x="{x + 16:.0f}" y="{y0 + 3}" font-size="11" font-family="sans-serif">{label}</text>')
        x += 16 + 6.2 * len(label) + 12
    out.append("</svg>")
    return "\n".join(out)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return "" if value is None else str(value)


def receipt_facts(result: CheckResult | Mapping[str, Any], *, address: str | None = None,
                  data_sources: Sequence[tuple[str, str]] = (), checked_at: _dt.datetime | None = None,
                  ) -> dict[str, Any]:
    """The receipt's content as plain data (shared by the HTML and PDF forms)."""
    d = result if isinstance(result, Mapping) else result.to_dict()
    plan = d.get("plan") or {}
    when = checked_at or _dt.datetime.now(_dt.UTC)
    conditions = []
    for act in d.get("activities") or []:
        for c in act.get("conditions") or []:
            value = "" if c.get("value") is None else _fmt(c.get("value"))
            limit = "" if c.get("limit") is None else _fmt(c.get("limit"))
            conditions.append({"activity": act.get("name", ""), "state": c.get("state", ""),
                               "description": c.get("description", ""), "value": value, "limit": limit,
                               "missing": c.get("missing", ""), "article": str(c.get("article", "")).split("; ")[0]})
    return {
        "title": "Mag ik bouwen? Uitkomst van de vergunningcheck",
        "address": address or "(geen adres: scenario)",
        "verdict": d.get("verdict", ""),
        "summary": d.get("summary", ""),
        "advice": list((d.get("advice") or {}).get("text") or []),
        "activities": [(a.get("name", ""), a.get("outcome", ""), a.get("article", "")) for a in d.get("activities") or []],
        "conditions": conditions,
        "missing": [f"{', '.join(whats)} - waar: {where}" for where, whats in missing_by_where(d.get("missing") or []).items()],
        "plan": [("Plan", plan.get("plan_id") or "niet bekend"), ("Naam", plan.get("plan_naam") or "niet bekend"),
                 ("Versie / status", plan.get("plan_versie") or "niet bekend"),
                 ("Bestemming", plan.get("bestemming") or "niet bekend")],
        "sources": list(data_sources),
        "legal_basis": list(d.get("legal_basis") or []),
        "notes": list(d.get("notes") or []),
        "checked_at": when.strftime("%Y-%m-%d %H:%M UTC"),
        "product": f"omgevingskaart {__version__}",
        "disclaimer": DISCLAIMER,
    }


_CSS = """body{font-family:sans-serif;max-width:900px;margin:1em auto;color:#111}
h1{font-size:1.4em}.verdict{font-size:1.2em;font-weight:bold;padding:.5em;border:2px solid #555}
table{border-collapse:collapse;width:100%;font-size:.85em}td,th{border:1px solid #999;padding:3px;vertical-align:top}
th{background:#eee;text-align:left}.s-voldaan{color:#2e7d32}.s-niet-voldaan{color:#c62828;font-weight:bold}
.s-onbekend{color:#6d4c41;font-weight:bold}small{color:#555}@media print{a{color:#111}}"""


def receipt_html(result: CheckResult | Mapping[str, Any], scenario: Mapping[str, Any], **kw: Any) -> str:
    """The receipt as a standalone, printable HTML page (see :func:`receipt_facts` for ``kw``)."""
    f = receipt_facts(result, **kw)
    e = _html.escape
    rows = "\n".join(
        f'<tr><td class="s-{e(c["state"]).replace(" ", "-")}">{e(c["state"])}</td><td>{e(c["description"])}'
        + (f'<br><small>ontbreekt: {e(c["missing"])}</small>' if c["missing"] and c["state"] == R.ONBEKEND else "")
        + f'</td><td>{e(c["value"])}</td><td>{e(c["limit"])}</td><td>{e(c["article"])}</td></tr>'
        for c in f["conditions"])
    parts = [
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">',
        f"<title>{e(f['title'])} - {e(f['address'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(f['title'])}</h1><p><b>Adres:</b> {e(f['address'])}<br><b>Datum van de check:</b> "
        f"{e(f['checked_at'])}<br><b>Product:</b> {e(f['product'])}</p>",
        f'<p class="verdict">{e(f["verdict"])}</p><p>{e(f["summary"])}</p>',
        receipt_svg(result, scenario),
    ]
    if f["advice"]:
        parts.append("<h2>Zo kan het zonder vergunning</h2><ul>" + "".join(f"<li>{e(t)}</li>" for t in f["advice"]) + "</ul>")
    if f["missing"]:
        parts.append("<h2>Wat ontbreekt</h2><ul>" + "".join(f"<li>{e(t)}</li>" for t in f["missing"]) + "</ul>")
    parts.append("<h2>Per activiteit</h2><ul>" + "".join(
        f"<li><b>{e(n)}</b>: {e(o)} <small>({e(a)})</small></li>" for n, o, a in f["activities"]) + "</ul>")
    parts.append("<h2>Alle eisen</h2><table><tr><th>Status</th><th>Eis</th><th>Waarde</th><th>Grens</th>"
                 f"<th>Artikel</th></tr>{rows}</table>")
    parts.append("<h2>Omgevingsplan</h2><ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in f["plan"]) + "</ul>")
    parts.append("<h2>Gebruikte gegevens</h2><ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in f["sources"])
                 + "".join(f"<li>{e(b)}</li>" for b in f["legal_basis"]) + "</ul>")
    if f["notes"]:
        parts.append("<h2>Let op</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in f["notes"]) + "</ul>")
    parts.append(f"<p><small>{e(f['disclaimer'])}</small></p></body></html>")
    return "\n".join(parts)


_LATIN1 = str.maketrans({"≤": "<=", "≥": ">=", "–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"',
                         "…": "...", "\u202f": " ", "→": "->"})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def receipt_pdf(result: CheckResult | Mapping[str, Any], scenario: Mapping[str, Any], **kw: Any) -> bytes:
    """The receipt as PDF bytes (needs fpdf2: ``pip install 'omgevingskaart[app]'``)."""
    try:
        from fpdf import FPDF
    except ImportError:  # the core library works without the app extra
        raise OmgevingskaartError("a PDF receipt needs fpdf2: pip install 'omgevingskaart[app]' (or fpdf2); "
                                  "the HTML receipt (--html) needs nothing extra") from None
    f = receipt_facts(result, **kw)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    w = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = 10, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(w, size * 0.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    para(f["title"], 15, "B")
    para(f"Adres: {f['address']}    Datum van de check: {f['checked_at']}    {f['product']}", 9)
    pdf.ln(2)
    para(f"Uitkomst: {f['verdict']}", 13, "B")
    para(f["summary"], 10)
    svg = receipt_svg(result, scenario, width=480)
    if svg:
        pdf.image(io.BytesIO(svg.encode("utf-8")), w=min(w, 120))
    for title, items in (("Zo kan het zonder vergunning", f["advice"]), ("Wat ontbreekt", f["missing"])):
        if items:
            para(title, 11, "B")
            for item in items:
                para(f"- {item}", 9)
    para("Per activiteit", 11, "B")
    for name, outcome, article in f["activities"]:
        para(f"- {name}: {outcome} ({article.split('; ')[0]})", 9)
    para("Alle eisen", 11, "B")
    for c in f["conditions"]:
        vl = f" (waarde {c['value']}, grens {c['limit']})" if c["value"] and c["limit"] else ""
        miss = f" Ontbreekt: {c['missing']}." if c["missing"] and c["state"] == R.ONBEKEND else ""
        para(f"[{c['state']}] {c['description']}{vl}{miss} - {c['article']}", 8)
    para("Omgevingsplan", 11, "B")
    para("; ".join(f"{k}: {v}" for k, v in f["plan"]), 9)
    para("Gebruikte gegevens", 11, "B")
    for k, v in f["sources"]:
        para(f"- {k}: {v}", 9)
    for b in f["legal_basis"]:
        para(f"- {b}", 8)
    for n in f["notes"]:
        para(f"Let op: {n}", 8)
    para(f["disclaimer"], 8, "I")
    return bytes(pdf.output())


def scenario_sources(path: str | None = None) -> list[tuple[str, str]]:
    """The data sources of a scenario file: its name and modification date."""
    if path is None:
        return []
    import os

    mtime = _dt.datetime.fromtimestamp(os.path.getmtime(path), _dt.UTC).strftime("%Y-%m-%d")
    return [("Scenario-bestand", f"{os.path.basename(path)} (gewijzigd {mtime})")]


def dataset_sources(dataset: Any) -> list[tuple[str, str]]:
    """The data sources of a dataset: its title, source notice, metadata dates and file date."""
    import os

    meta = dict(getattr(dataset, "meta", {}) or {})
    out = [("Gegevensset", str(meta.get("titel", "")))]
    if meta.get("bron"):
        out.append(("Bron", str(meta["bron"])))
    for key, value in sorted(meta.items()):
        if "datum" in key or "date" in key:
            out.append((key, str(value)))
    path = getattr(dataset, "path", None)
    if path is not None and os.path.exists(path):
        mtime = _dt.datetime.fromtimestamp(os.path.getmtime(path), _dt.UTC).strftime("%Y-%m-%d")
        out.append(("Bestand", f"{os.path.basename(path)} (gemaakt {mtime})"))
    return out


__all__ = ["dataset_sources", "receipt_facts", "receipt_html", "receipt_pdf", "receipt_svg", "scenario_sources"]
