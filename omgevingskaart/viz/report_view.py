"""The parcel report and the library's errors as Dutch text for the app (Markdown).

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> rep = omgevingskaart.report_at(ds, "Markt 12, Winterswijk")
>>> report_markdown(rep).splitlines()[0]
'### Markt 12, 7101AK Winterswijk'
>>> bouwen_link(rep)
'bouwen?adres=Markt+12%2C+7101AK+Winterswijk'

"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from ..errors import (
    AddressNotFoundError,
    AmbiguousAddressError,
    CRSError,
    DatasetError,
    OmgevingskaartError,
    OutsideDataError,
    QueryError,
)

if TYPE_CHECKING:
    from ..report import ParcelReport, Regel

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|"})


def md(text: object) -> str:
    """``text`` with Markdown's special characters escaped."""
    return str(text).translate(_MD_SPECIAL)


def _num(value: float | None, unit: str = "", decimals: int = 0) -> str:
    if value is None:
        return "onbekend"
    s = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return f"{s} {unit}".strip()


def report_title(r: ParcelReport) -> str:
    """What the report is about: the address found, else the perceel, else the point."""
    if r.query.get("gevonden"):
        return str(r.query["gevonden"])
    if r.adressen and r.perceel is None:
        return r.adressen[0].weergave
    if r.perceel is not None:
        return f"Perceel {r.perceel.kadastrale_aanduiding or r.perceel.identificatie or ''}"
    return f"Plek RD {_num(r.x, decimals=0)}, {_num(r.y, decimals=0)}"


def bouwen_address(r: ParcelReport) -> str | None:
    """The address (or kadastrale aanduiding) to carry over to the Bouwen page."""
    if r.query.get("gevonden"):
        return str(r.query["gevonden"])
    if r.adressen:
        return r.adressen[0].weergave
    if r.perceel is not None and r.perceel.kadastrale_aanduiding:
        return r.perceel.kadastrale_aanduiding
    return None


def bouwen_link(r: ParcelReport) -> str | None:
    """The relative URL of the Bouwen page for this location (``bouwen?adres=...``)."""
    address = bouwen_address(r)
    return f"bouwen?{urlencode({'adres': address})}" if address else None


def report_markdown(r: ParcelReport) -> str:
    """The answer in Dutch: title, the plain summary (wat mag hier, wat is beschermd, waar liggen
    de grenzen, let op) and the "Mag ik hier bouwen?" link. Rules: :func:`rules_markdown`;
    codes and coordinates: :func:`details_markdown`."""
    from ..report import SUMMARY_SECTIONS, summarise

    out = [f"### {md(report_title(r))}"]
    if r.perceel is not None and r.query.get("gevonden"):
        out.append(f"Perceel {md(r.perceel.kadastrale_aanduiding or '')}, "
                   f"{_num(r.perceel.kadastrale_grootte, 'm²')}")
    out.append(f"Geldig op {md(_date(r.geldig_op))}")
    sv = r.samenvatting or summarise(r)
    for key, heading in SUMMARY_SECTIONS:
        items = getattr(sv, key)
        if items:
            out.append(f"#### {heading}")
            out.extend(f"- {md(item)}" for item in items)
    link = bouwen_link(r)
    if link:
        out.append(f"\n**[Mag ik hier bouwen?]({link})** Toets een bijgebouw op dit perceel.")
    return "\n".join(out)


def rule_groups(r: ParcelReport) -> list[tuple[str, list[Regel]]]:
    """The rules by part of the omgevingsplan and standing, in reading order."""
    groups: dict[str, list[Regel]] = {}
    for rule in r.regels:
        title = f"Regels, {rule.deel}"
        if rule.status != "geldend":
            title += f" ({rule.status})"
        groups.setdefault(title, []).append(rule)
    return list(groups.items())


def rules_markdown(rules: list[Regel], *, limit: int | None = None) -> str:
    """Each rule with its heading, its text where the data holds it, and a link to it."""
    from ..report import rule_heading

    out = []
    shown = rules if limit is None else rules[:limit]
    for rule in shown:
        head = md(rule_heading(rule))
        out.append(f"- [{head}]({rule.url})" if rule.url else f"- {head}")
        if rule.tekst:
            out.append(f"  > {md(rule.tekst)}")
        if rule.aanleiding and rule.bron == "IMRO":
            out.append(f"  Hier door: {md(', '.join(rule.aanleiding))}")
    if limit is not None and len(rules) > limit:
        out.append(f"\n… en nog {len(rules) - limit} regels (alle regels: omgevingskaart report --json "
                   "of /v1/report).")
    return "\n".join(out)


def activities_markdown(r: ParcelReport) -> str:
    """The omgevingsplan's activiteiten here: name, kwalificatie, articles, part and standing."""
    out = []
    for a in sorted(r.activiteiten, key=lambda a: (a.kwalificatie or "", a.naam or "")):
        arts = ", ".join(a.artikelen) or "?"
        where = "" if a.op_locatie else f"; geldt als deze plek in het {a.werkingsgebied} ligt"
        state = "" if a.status == "geldend" else f"; {a.status}"
        out.append(f"- **{md(a.kwalificatie or 'onbekend')}**: {md(a.naam or a.identificatie or '?')} "
                   f"(artikel {md(arts)}, {md(a.deel)}{md(state)}{md(where)})")
    return "\n".join(out)


def apart_markdown(r: ParcelReport) -> str:
    """Plans not in force on the report's date: later plans and ontwerpen, each with its link."""
    out = []
    for o in r.toekomstig + r.ontwerpen:
        what = o.naam or o.laag
        maat = getattr(o, "waarde_type", None)
        if maat:
            what = f"{maat}: {getattr(o, 'waarde_tekst', None) or getattr(o, 'waarde', None)}"
        since = f", vanaf {_date(o.geldig_vanaf)}" if o.status == "nog niet geldend" and o.geldig_vanaf else ""
        text = f"{md(o.status.capitalize())}: {md(what)} ({md(o.plan_naam or o.plan_id or '')}{md(since)})"
        out.append(f"- [{text}]({o.url})" if o.url else f"- {text}")
    return "\n".join(out)


def details_markdown(r: ParcelReport) -> str:
    """Codes and coordinates: perceel, BAG ids, plan ids, activiteiten, RD coordinates."""
    return "\n".join(f"- {md(line)}" for line in r.details())


def _date(iso: str | None) -> str:
    if not iso:
        return "vandaag"
    y, m, d = iso[:10].split("-")
    return f"{int(d)}-{int(m)}-{y}"


def dutch_error(exc: BaseException) -> str:
    """A clear Dutch sentence for an error the app can run into (never a traceback)."""
    if isinstance(exc, AmbiguousAddressError):
        return (f"Er zijn {len(exc.candidates)} adressen die passen bij ‘{exc.query}’. "
                "Kies hieronder het juiste adres.")
    if isinstance(exc, AddressNotFoundError):
        return ("Dit adres of deze kadastrale aanduiding staat niet in de gegevens. Controleer de "
                "spelling, of zoek op straat en huisnummer (bijv. ‘Markt 12’) of op postcode en "
                "huisnummer (bijv. ‘7101 BH 12’).")
    if isinstance(exc, OutsideDataError):
        return ("Op deze plek zijn geen gegevens: de kaart bevat alleen het gebied van deze "
                "dataset. Klik binnen het gekleurde gebied.")
    if isinstance(exc, CRSError):
        return "De plek kon niet worden omgerekend naar Rijksdriehoekscoördinaten."
    if isinstance(exc, DatasetError):
        return ("De dataset kon niet worden geopend. Controleer het pad (optie --dataset of "
                "OMGEVINGSKAART_DATASET) en of het een GeoPackage van omgevingskaart is.")
    if isinstance(exc, QueryError):
        text = str(exc)
        if "kadastra" in text or "perceel" in text:
            return ("Dit kadastrale perceel staat niet in de gegevens. Schrijf de aanduiding als "
                    "‘WWK00 K 1234’ (gemeente, sectie, nummer).")
        if "empty" in text:
            return "Vul een adres of een kadastrale aanduiding in."
        return "Deze zoekvraag kan niet worden beantwoord. Probeer een adres of een kadastrale aanduiding."
    if isinstance(exc, OmgevingskaartError):
        return "Er ging iets mis bij het lezen van de gegevens voor deze plek."
    return "Er ging onverwacht iets mis. Probeer het opnieuw of kies een andere plek."
