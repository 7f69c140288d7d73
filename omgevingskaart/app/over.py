"""Over: sources and licences (with links), the demo notice, privacy, contact, the
toegankelijkheidsverklaring and the coordinate transformation."""

from __future__ import annotations

import os

import streamlit as st

from ..crs import transformation_info
from ..layerinfo import layer_date, licence_url
from ..report import DEMO_NOTICE
from ..viz.assets import VERSIONS
from .common import get_dataset, md_link

#: the axe-core version the browser tests run (static/vendor/axe-core)
AXE_VERSION = "4.14.1"


def page() -> None:
    ds = get_dataset()
    meta = ds.meta
    st.title("Over deze kaart")
    st.markdown(
        "Omgevingskaart zet de Omgevingswet voor de gemeente Winterswijk op de kaart: wat er op "
        "een perceel geldt volgens het omgevingsplan (het tijdelijk deel: de bestemmingsplannen), "
        "met de gebouwen, adressen en percelen uit de landelijke registraties. De informatie is "
        "bedoeld als hulp; aan deze kaart kunnen geen rechten worden ontleend. Voor een aanvraag "
        "of melding gaat u naar het Omgevingsloket."
    )
    st.header("Gegevens")
    if ds.is_synthetic:
        st.warning(DEMO_NOTICE)
    st.markdown(
        f"**Dataset:** {meta.get('titel', ds.path.name)}  \n"
        f"**Bron:** {meta.get('bron', 'niet vastgelegd in de dataset')}  \n"
        f"**Bestand:** `{ds.path.name}`"
    )
    rows = ["| Laag | Bron | Licentie | Naamsvermelding | Datum |", "|---|---|---|---|---|"]
    for spec in ds.catalogue:
        found = layer_date(ds, spec)
        rows.append(f"| [{spec.title}](lagen#laag-{spec.id}) | "
                    f"{md_link(spec.source, spec.source_url)} | "
                    f"{md_link(spec.licence, licence_url(spec.licence, spec.licence_url))} | "
                    f"{spec.attribution} | {found.date if found else 'onbekend'} |")
    st.markdown("\n".join(rows))
    st.caption("Meer per laag (objecten, herkomst van de datum, API, downloads) op de pagina Lagen.")

    st.header("Privacy")
    st.markdown(
        "- **Geen eigenaren.** De kaart toont kadastrale percelen zonder eigenaren of andere "
        "persoonsgegevens uit de BRK (AVG).\n"
        "- **Geen verzoeken aan derden.** Uw browser praat alleen met deze server: de kaartsoftware "
        f"(Leaflet {VERSIONS['leaflet']}, deck.gl) en alle andere onderdelen worden door deze server "
        "zelf geleverd. Er worden geen cookies van derden, geen analytics en geen lettertypen van "
        "elders geladen.\n"
        "- **Achtergrondkaart alleen als u daarvoor kiest.** Zet u de achtergrondkaart aan, dan "
        "haalt uw browser kaarttegels op bij PDOK (2D) of CARTO (3D); die partijen zien dan uw "
        "IP-adres.\n"
        "- **Zoekopdrachten** worden alleen op deze server verwerkt en niet bewaard."
    )

    st.header("Contact")
    contact = os.environ.get("OMGEVINGSKAART_CONTACT") or meta.get("contact")
    st.markdown(
        ("- **Over deze kaart en de gegevens erin:** " + contact + "\n" if contact else
         "- **Over deze kaart:** de beheerder van deze installatie heeft geen contactadres "
         "ingesteld (instelling `OMGEVINGSKAART_CONTACT`).\n")
        + "- **Over regels, vergunningen en uw perceel:** Gemeente Winterswijk, "
        "[www.winterswijk.nl](https://www.winterswijk.nl), telefoon 14 0543.\n"
        "- **Een aanvraag of melding:** het [Omgevingsloket](https://omgevingswet.overheid.nl).\n"
        "- **Een fout in een registratie** (adres, gebouw, perceel): meld het bij de bronhouder "
        "via [Kadaster: terugmelden](https://www.kadaster.nl/terugmelden)."
    )

    st.header("Toegankelijkheid", anchor="toegankelijkheidsverklaring")
    st.markdown(
        "**Toegankelijkheidsverklaring.** Deze kaart streeft naar WCAG 2.1 niveau AA. Wat we "
        "hebben gedaan en wat nog niet goed is:\n\n"
        "**Gecontroleerd** (automatisch, bij elke wijziging van de software):\n"
        f"- alle vijf pagina's (Kaart, Mag ik bouwen?, 3D binnenstad, Lagen, Over), op een "
        f"computerscherm (1500 × 1000) en een telefoon (390 × 844), met axe-core {AXE_VERSION}: "
        "geen ernstige of kritieke overtredingen, ook niet in het kader van de kaart;\n"
        "- de taal van de pagina is Nederlands (`lang=\"nl\"`), elke pagina heeft een eigen titel;\n"
        "- het zoekveld werkt met het toetsenbord (pijltjes, Enter, Escape) en zegt "
        "schermlezers welke suggesties er zijn;\n"
        "- op een telefoon staat het antwoord boven de kaart en houdt de kaart het scrollen niet "
        "vast (tik eerst op de kaart om hem te verschuiven; op een computer zoomt het scrollwiel "
        "pas na een klik op de kaart).\n\n"
        "**Bekende beperkingen:**\n"
        "- de kaart zelf (Leaflet) en het 3D-beeld zijn visueel. Alles wat de kaart op een plek "
        "toont, staat ook als tekst in het perceelrapport: zoek op adres of kadastrale aanduiding; "
        "de overschrijdingen van het 3D-beeld staan in een tabel;\n"
        "- een automatische controle vindt niet alles; een handmatige keuring door een "
        "deskundige (en met schermlezers) is nog niet gedaan;\n"
        "- de volgorde van kopjes op de pagina Kaart slaat een niveau over (een kleine "
        "overtreding volgens axe-core).\n\n"
        "Loopt u ergens tegenaan? Meld het via het contact hierboven."
    )

    st.header("Coördinaten")
    info = transformation_info()
    st.markdown(
        "De gegevens zijn opgeslagen in Rijksdriehoekscoördinaten (RD New, EPSG:28992). Voor de "
        "kaart worden ze omgerekend naar WGS84 met "
        + ("**RDNAPTRANS™2018** (nauwkeurigheid ongeveer 1 mm)."
           if not info.get("fallback") else
           "de standaardtransformatie van PROJ (nauwkeurigheid ongeveer 1 m), omdat het "
           "correctierooster van RDNAPTRANS™2018 niet beschikbaar is.")
    )
    with st.expander("Technische details van de transformatie"):
        st.json({k: v for k, v in info.items() if k != "pipelines"}, expanded=False)
