"""The parcel report and the library's errors as Dutch text for the app (Markdown).

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> md = report_markdown(ds.report("Markt 12, Winterswijk"))   # "### Perceel WWK00 ..."
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    from ..report import ParcelReport

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|"})


def md(text: object) -> str:
    """``text`` with Markdown's special characters escaped."""
    return str(text).translate(_MD_SPECIAL)


def _num(value: float | None, unit: str = "", decimals: int = 0) -> str:
    if value is None:
        return "onbekend"
    s = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return f"{s} {unit}".strip()


def report_markdown(r: ParcelReport) -> str:
    """The report in Dutch: perceel, adressen, panden, bestemming (with artikel), bouwvlak,
    maatvoering, aanduidingen, monumenten and the plan with its status."""
    out: list[str] = []
    p = r.perceel
    if p is not None:
        out.append(f"### Perceel {md(p.kadastrale_aanduiding or p.identificatie or '')}")
        out.append(f"Grootte: {_num(p.kadastrale_grootte, 'm²')}")
    else:
        out.append("### Geen perceel")
        out.append("Op deze plek ligt geen kadastraal perceel in de gegevens.")

    out.append("#### Adressen")
    if r.adressen:
        for a in r.adressen:
            extra = ", ".join(x for x in (a.gebruiksdoel, f"{a.oppervlakte} m²" if a.oppervlakte else None) if x)
            out.append(f"- {md(a.weergave)}" + (f" ({md(extra)})" if extra else ""))
    else:
        out.append("Geen adressen op dit perceel.")

    if r.panden:
        out.append("#### Panden")
        for b in r.panden:
            h = f", hoogte {_num(b.hoogte_m, 'm', 1)}" if b.hoogte_m is not None else ""
            out.append(f"- Pand {md(b.identificatie)}: bouwjaar {md(b.bouwjaar or 'onbekend')}{h}")

    out.append("#### Bestemming")
    if r.enkelbestemmingen:
        for o in r.enkelbestemmingen:
            where = "hier" if o.op_locatie else f"{_num(o.aandeel_perceel, '%')} van het perceel"
            art = f", artikel {md(o.artikelnummer)}" if o.artikelnummer else ""
            out.append(f"- **{md(o.naam or o.hoofdgroep or 'onbekend')}** ({where}{art})")
    else:
        out.append("Geen bestemming gevonden (buiten de plannen in deze gegevens).")
    for title, objs in (("Dubbelbestemmingen", r.dubbelbestemmingen),
                        ("Functieaanduidingen", r.functieaanduidingen),
                        ("Bouwaanduidingen", r.bouwaanduidingen),
                        ("Gebiedsaanduidingen", r.gebiedsaanduidingen)):
        if objs:
            out.append(f"#### {title}")
            for o in objs:
                where = "hier" if o.op_locatie else f"{_num(o.aandeel_perceel, '%')} van het perceel"
                art = f", artikel {md(o.artikelnummer)}" if o.artikelnummer else ""
                out.append(f"- {md(o.naam or 'onbekend')} ({where}{art})")

    out.append("#### Bouwvlak")
    if r.bouwvlak_op_locatie:
        out.append("Ja, deze plek ligt in een bouwvlak.")
    elif r.bouwvlakken:
        out.append("Een deel van het perceel ligt in een bouwvlak, deze plek niet.")
    else:
        out.append("Geen bouwvlak op dit perceel.")

    maat = [m for m in r.maatvoeringen if m.op_locatie] or r.maatvoeringen
    if maat:
        out.append("#### Maatvoering")
        for m in maat:
            value = m.waarde_tekst or (_num(m.waarde, decimals=1) if m.waarde is not None else "?")
            unit = f" {m.eenheid}" if m.eenheid and m.eenheid not in str(value) else ""
            where = "" if m.op_locatie else " (op een deel van het perceel)"
            out.append(f"- {md((m.waarde_type or 'maat').capitalize())}: {md(value)}{md(unit)}{where}")

    out.append("#### Monumenten")
    if r.monumenten:
        for mon in r.monumenten:
            out.append(f"- {md(mon.naam or 'monument')}: {md(mon.monumenttype or '')}, "
                       f"{md(mon.status or '')} (nr. {md(mon.identificatie or '?')})")
    else:
        out.append("Geen monument op dit perceel.")

    if r.plannen:
        out.append("#### Plan")
        for plan in r.plannen:
            status = ", ".join(x for x in (plan.planstatus, plan.datum) if x)
            out.append(f"- {md(plan.naam or plan.plan_id)} ({md(plan.plan_id)})"
                       + (f": {md(status)}" if status else ""))
    out.append(f"\nLocatie: RD {_num(r.x, decimals=1)}, {_num(r.y, decimals=1)}")
    return "\n".join(out)


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
