"""The bestemmingsplan's own regels text in the report, fetched online (Ruimtelijke Plannen API v4).

An IMRO plan object carries only a *reference* to its article (``verwijzingNaarTekst``:
``r_<planid>.html#anchor``); the text itself is not in the GML. Offline (the demo, an imported
dataset) the report therefore shows each IMRO rule with its heading and a **link** to the article on
ruimtelijkeplannen.nl, never a text it does not have. With a Ruimtelijke Plannen API key
(``RUIMTELIJKEPLANNEN_API_KEY``) :func:`add_plan_texts` fills in the text: for each plan of the
report's IMRO rules it asks the API for the bestemmingsvlakken at the report's point and follows
their ``_links.teksten`` (:meth:`RuimtelijkePlannenClient.regelteksten`), then gives each rule the
text of the same article. Answers are kept in the HTTP disk cache, so a place is fetched once.

The API's shapes used here (``_links.teksten`` on a planobject, ``titel`` and XHTML ``inhoud`` of
``GET /plannen/{planId}/teksten/{id}``) come from public clients of the API, not from the
provider's OpenAPI document, which could not be read where this was written: check once against
the live API with a key. The tests run it against a server on 127.0.0.1 that answers in those
shapes.

>>> imro_plan_id("r_NL.IMRO.0664.BPBS02-VG99.html#dceff8b1")
'NL.IMRO.0664.BPBS02-VG99'
>>> imro_plan_id("https://www.ruimtelijkeplannen.nl/?planidn=NL.IMRO.0294.BP1-VG01")
'NL.IMRO.0294.BP1-VG01'
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import shapely

from .errors import OmgevingskaartError

if TYPE_CHECKING:
    from .live.ruimtelijkeplannen import PlanTekst, RuimtelijkePlannenClient
    from .report import ParcelReport, Regel

_PLAN_ID = re.compile(r"NL\.IMRO\.[^/#?&\s]+")
#: half the side of the square searched around the report's point, in metres
SEARCH_HALF_SIDE_M = 0.5


def imro_plan_id(text: str | None) -> str | None:
    """The IMRO plan identificatie in a text reference or URL, or None."""
    m = _PLAN_ID.search(text or "")
    return m.group(0).removesuffix(".html") if m else None


def _article(value: Any) -> str | None:
    m = re.match(r"\s*(?:artikel\s+)?(\d+[a-z]?(?:\.\d+)*)", str(value or ""), re.IGNORECASE)
    return m.group(1).lower() if m else None


def add_plan_texts(report: ParcelReport, client: RuimtelijkePlannenClient) -> int:
    """Fill ``tekst`` of the report's IMRO rules that have none with their article's text from the
    API; returns how many rules got a text. A rule whose article the API does not give keeps its
    link only. Errors of the API (:class:`~omgevingskaart.errors.RemoteSourceError`) pass on."""
    todo: dict[str, list[Regel]] = {}
    for rule in report.regels:
        if rule.bron == "IMRO" and not rule.tekst:
            plan_id = imro_plan_id(rule.verwijzing) or imro_plan_id(rule.url)
            if plan_id:
                todo.setdefault(plan_id, []).append(rule)
    if not todo:
        return 0
    h = SEARCH_HALF_SIDE_M
    area = shapely.geometry.mapping(shapely.box(report.x - h, report.y - h, report.x + h, report.y + h))
    filled = 0
    for plan_id, rules in todo.items():
        texts = client.regelteksten(plan_id, area)
        by_article: dict[str, PlanTekst] = {}
        for t in texts:
            key = _article(t.artikel) or _article(t.titel)
            if key and t.tekst:
                by_article.setdefault(key, t)
        for rule in rules:
            found = by_article.get(_article(rule.artikel) or "")
            if found is not None:
                rule.tekst = found.tekst
                filled += 1
    return filled


def add_plan_texts_online(report: ParcelReport, *, base_url: str | None = None,
                          cache: bool | str = True) -> str | None:
    """:func:`add_plan_texts` when an API key is set (``RUIMTELIJKEPLANNEN_API_KEY``), with the disk
    cache. Returns a Dutch note for the page when the texts could not be fetched, else None; without
    a key nothing is fetched (the rules keep their links). ``base_url``: another API root."""
    from .live.ruimtelijkeplannen import API_KEY_ENV, RuimtelijkePlannenClient

    if not os.environ.get(API_KEY_ENV, "").strip():
        return None
    if not any(r.bron == "IMRO" and not r.tekst for r in report.regels):
        return None
    try:
        with RuimtelijkePlannenClient(base_url=base_url, cache=cache, progress=False, retries=1) as client:
            add_plan_texts(report, client)
    except OmgevingskaartError as exc:
        del exc  # the page says it in Dutch; the links to the rules still work
        return ("De tekst van de planregels kon niet worden opgehaald bij de Ruimtelijke Plannen API; "
                "de links naar de regels werken wel.")
    return None
