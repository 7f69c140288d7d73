"""Over: data sources, licences, the demo notice, privacy and the coordinate transformation."""

from __future__ import annotations

import streamlit as st

from ..crs import transformation_info
from ..report import DEMO_NOTICE
from ..viz.assets import VERSIONS
from .common import get_dataset


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
    rows = ["| Laag | Bron | Licentie | Naamsvermelding |", "|---|---|---|---|"]
    for spec in ds.catalogue:
        rows.append(f"| {spec.title} | {spec.source} | {spec.licence} | {spec.attribution} |")
    st.markdown("\n".join(rows))

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
