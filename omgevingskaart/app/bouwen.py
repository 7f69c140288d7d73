"""Mag ik bouwen?: pick an address, draw the aanbouw or bijgebouw, give its heights, see the verdict.

The map shows the perceel, its panden, the achtererfgebied, voorerfgebied, the 4 m zone, the 1 m
line and the road side (computed before anything is drawn, see
:func:`~omgevingskaart.viz.permit_view.site_derived`). Leaflet.draw (vendored, served by the app)
draws a rectangle or polygon; streamlit-folium returns it (``all_drawings``), it is converted to RD
(:func:`~omgevingskaart.viz.permit_view.drawing_to_rd`) and checked with
:func:`~omgevingskaart.permit.from_dataset.check_build_at`. The static map (frame,
Draw control) is sent once per address; the layers follow as ``feature_group_to_add``, so a drawing
stays on the map across reruns.

Drawing is not the only way: "Of typ de maten" turns width, depth and position into a footprint
(:func:`~omgevingskaart.viz.permit_input.footprint_from_dimensions`).  The facts the registers cannot
know (oorspronkelijk hoofdgebouw, one bouwlaag, beschermd gezicht) are asked; left as "weet ik niet"
they stay unknown and the verdict says what it depends on.  Each check is written to the URL
(:func:`~omgevingskaart.viz.permit_input.encode_check`), so the link reopens the same drawing and
outcome; ``?adres=...`` alone opens the page at that address.  "Alles weg" on the map removes the
design and its verdict.  The receipt (HTML, PDF) is offered for download.
"""

from __future__ import annotations

import hashlib
from typing import Any

import folium
import folium.plugins
import streamlit as st
from branca.element import MacroElement, Template
from shapely import wkb
from shapely.geometry.base import BaseGeometry
from streamlit_folium import st_folium

from ..errors import AmbiguousAddressError, OmgevingskaartError, ScenarioError
from ..export.permit_receipt import dataset_sources, receipt_html, receipt_pdf
from ..permit import check_build, scenario_for
from ..viz.assets import use_local_assets
from ..viz.map2d import PDOK_BRT_ATTRIBUTION, PDOK_BRT_URL
from ..viz.permit_input import decode_check, encode_check, footprint_from_dimensions
from ..viz.permit_view import (
    VERDICT_STYLE,
    DrawingError,
    area_markdown,
    bounds_latlon,
    derived_layers,
    drawing_to_rd,
    parse_height,
    pick_drawing,
    result_markdown,
    scenario_error_dutch,
    site_derived,
    site_layers,
    verdict_label,
)
from ..viz.report_view import dutch_error
from .common import candidates_for, demo_banner, get_dataset, pdok_basemap_toggle, search_form

MAP_HEIGHT = 600
MAX_ZOOM = 22
RETURNED = ["last_active_drawing", "all_drawings"]
ORIGINAL_CHOICES = {"Weet ik niet": None, "Ja, nooit uitgebreid": True, "Nee, het is later uitgebreid": None}
GEZICHT_CHOICES = {"Weet ik niet": None, "Nee": False, "Ja": True}

INTRO = (
    "Wilt u een aanbouw, uitbouw of bijgebouw (schuur, tuinhuis, overkapping) bouwen? Zoek uw adres, "
    "teken het bouwwerk op de kaart, vul de hoogtes in en druk op **Toets**. U ziet dan of u een "
    "omgevingsvergunning nodig heeft, en aan welke regels uw ontwerp wel of niet voldoet, met de "
    "artikelen uit het Besluit bouwwerken leefomgeving (Bbl) en de bruidsschat van het omgevingsplan."
)


class DutchDrawText(MacroElement):
    """Leaflet.draw's buttons and hints in Dutch (``L.drawLocal``); add it before the Draw control."""

    _template = Template("""
{% macro script(this, kwargs) %}
if (window.L && L.drawLocal) {
  var d = L.drawLocal.draw, e = L.drawLocal.edit;
  d.toolbar.buttons.polygon = 'Teken een veelhoek (de plattegrond van uw bouwwerk)';
  d.toolbar.buttons.rectangle = 'Teken een rechthoek (de plattegrond van uw bouwwerk)';
  d.toolbar.actions = {title: 'Stoppen met tekenen', text: 'Stoppen'};
  d.toolbar.finish = {title: 'Tekenen afronden', text: 'Klaar'};
  d.toolbar.undo = {title: 'Laatste punt weghalen', text: 'Laatste punt weg'};
  d.handlers.polygon.tooltip = {start: 'Klik om de eerste hoek te zetten.',
    cont: 'Klik om de volgende hoek te zetten.', end: 'Klik op de eerste hoek om af te sluiten.'};
  d.handlers.polygon.error = '<strong>Fout:</strong> de randen mogen elkaar niet kruisen.';
  d.handlers.rectangle.tooltip = {start: 'Klik en sleep om een rechthoek te tekenen.'};
  d.handlers.simpleshape.tooltip = {end: 'Laat de muis los om af te ronden.'};
  e.toolbar.buttons = {edit: 'Tekening aanpassen', editDisabled: 'Er is niets om aan te passen',
    remove: 'Tekening verwijderen', removeDisabled: 'Er is niets om te verwijderen'};
  e.toolbar.actions = {save: {title: 'Wijzigingen bewaren', text: 'Bewaren'},
    cancel: {title: 'Wijzigingen annuleren', text: 'Annuleren'},
    clearAll: {title: 'Alles verwijderen', text: 'Alles weg'}};
  e.handlers.edit.tooltip = {text: 'Sleep de hoeken om de vorm aan te passen.',
    subtext: 'Klik op Annuleren om het ongedaan te maken.'};
  e.handlers.remove.tooltip = {text: 'Klik op een tekening om die te verwijderen.'};
}
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "DutchDrawText"


def _state() -> Any:
    return st.session_state


def base_map(site: dict[str, Any], *, basemap: bool) -> folium.Map:
    """The static map for one perceel: frame, optional PDOK basemap, Dutch Leaflet.draw."""
    m = folium.Map(location=[52.0, 6.7], zoom_start=19, tiles=None, max_zoom=MAX_ZOOM,
                   control_scale=True)
    if basemap:
        folium.TileLayer(
            tiles=PDOK_BRT_URL.format(layer="standaard", z="{z}", x="{x}", y="{y}"),
            attr=PDOK_BRT_ATTRIBUTION, name="Achtergrondkaart (PDOK)", max_zoom=MAX_ZOOM,
            max_native_zoom=19, overlay=False, control=False,
        ).add_to(m)
    m.fit_bounds(bounds_latlon(site["scenario"]["parcel"], margin_m=3.0))
    DutchDrawText().add_to(m)
    folium.plugins.Draw(
        export=False, position="topleft", show_geometry_on_click=False,
        draw_options={"polyline": False, "circle": False, "marker": False, "circlemarker": False,
                      "polygon": {"allowIntersection": False, "showArea": False,
                                  "shapeOptions": {"color": "#1565c0", "weight": 3}},
                      "rectangle": {"showArea": False,
                                    "shapeOptions": {"color": "#1565c0", "weight": 3}}},
        edit_options={"edit": True, "remove": True},
    ).add_to(m)
    return use_local_assets(m)


# --- address -------------------------------------------------------------------------------------


def _fail(message: str) -> None:
    """Show ``message`` and clear the previous address, its perceel and its verdict: a failed search
    never leaves the last place's answer on screen under the new question."""
    ss = _state()
    ss.mb_error = message
    ss.mb_address = None
    ss.mb_site = None
    ss.mb_result = None
    ss.mb_check_error = None


def _choose(ds: Any, text: str) -> None:
    ss = _state()
    ss.mb_candidates = []
    ss.mb_error = None
    text = (text or "").strip()
    if not text:
        _fail("Vul een adres of een kadastrale aanduiding in.")
        return
    try:
        site = site_derived(ds, text)
    except ScenarioError as exc:
        _fail(f"Voor ‘{text}’ kan de toets niet worden gedaan: " + scenario_error_dutch(exc))
        return
    except OmgevingskaartError as exc:
        # the same suggestions as the Kaart page: the candidates of an ambiguous address, else the
        # geocoder's near matches ("Mrkt 20" -> "Markt 20, ...")
        ss.mb_candidates = candidates_for(ds, text, exc)
        if isinstance(exc, AmbiguousAddressError):
            _fail(dutch_error(exc))
            return
        message = f"‘{text}’ is niet gevonden. {dutch_error(exc)}"
        if ss.mb_candidates:
            message += " Bedoelt u een van de adressen hieronder?"
        _fail(message)
        return
    ss.mb_address = text
    ss.mb_site = site
    ss.mb_result = None
    ss.mb_check_error = None
    ss.mb_seen_drawing = False


def _on_search() -> None:
    _choose(get_dataset(), _state().get("mb_query", ""))


def _on_candidate() -> None:
    choice = _state().get("mb_candidate")
    if choice:
        _choose(get_dataset(), choice)


# --- the check -----------------------------------------------------------------------------------


def _map_key(address: str, basemap: bool) -> str:
    return "mb_map_" + hashlib.sha1(f"{address}|{basemap}".encode()).hexdigest()[:10]


def _current_drawing(key: str) -> tuple[dict[str, Any] | None, int]:
    value = _state().get(key) or {}
    if not isinstance(value, dict):
        return None, 0
    drawing, n = pick_drawing(value.get("all_drawings"), value.get("last_active_drawing"))
    return (dict(drawing) if drawing else None), n


def _proposal_footprint(site: dict[str, Any], drawing: dict[str, Any] | None,
                        footprint: BaseGeometry | None) -> tuple[BaseGeometry, str]:
    """The footprint to check and where it came from: typed sizes, the link, or the drawing."""
    ss = _state()
    if ss.get("mb_use_maten"):
        return footprint_from_dimensions(
            site["scenario"], width=ss.get("mb_breedte"), depth=ss.get("mb_diepte"),
            behind_rear=ss.get("mb_achter"), from_side=ss.get("mb_zij")), "maten"
    if footprint is not None and drawing is None:
        return footprint, "link"
    return drawing_to_rd(drawing), "tekening"


def _run_check(ds: Any, address: str, drawing: dict[str, Any] | None,
               footprint: BaseGeometry | None = None) -> None:
    ss = _state()
    ss.mb_check_error = None
    try:
        shape_rd, source = _proposal_footprint(ss.mb_site, drawing, footprint)
        height = parse_height(ss.get("mb_height"), "hoogte") or 0.0
        eaves = parse_height(ss.get("mb_eaves"), "goothoogte (dakvoet)", required=False)
        floor: float | str | None = parse_height(ss.get("mb_floor"), "vloer van de tweede bouwlaag", required=False)
        if ss.get("mb_one_storey"):
            floor = "geen"
        if eaves is not None and eaves > height + 1e-9:
            raise DrawingError("De goothoogte (dakvoet) kan niet hoger zijn dan de hoogte (het hoogste "
                               "punt). Laat de goothoogte leeg bij een plat dak.")
        proposal: dict[str, Any] = {"footprint": shape_rd, "height": height}
        if eaves is not None:
            proposal["eaves_height"] = eaves
        original = ORIGINAL_CHOICES.get(ss.get("mb_original") or "")
        protected = GEZICHT_CHOICES.get(ss.get("mb_gezicht") or "")
        scenario = scenario_for(ds, address, proposal, second_storey_floor=floor, original=original,
                                protected_townscape=protected)
        result = check_build(scenario)
    except DrawingError as exc:
        ss.mb_check_error = str(exc)
        return
    except ScenarioError as exc:
        ss.mb_check_error = scenario_error_dutch(exc)
        return
    except OmgevingskaartError as exc:
        ss.mb_check_error = dutch_error(exc)
        return
    out = result.to_dict()
    kw = {"address": address, "data_sources": dataset_sources(ds)}
    try:
        pdf: bytes | None = receipt_pdf(out, scenario, **kw)
    except OmgevingskaartError:
        pdf = None
    ss.mb_result = {"address": address, "proposal": shape_rd.wkb, "result": out, "source": source,
                    "receipt_html": receipt_html(out, scenario, **kw), "receipt_pdf": pdf}
    query = encode_check(address, shape_rd, height=height, eaves=eaves, floor=floor, original=original,
                         protected=protected)
    st.query_params.from_dict(query)
    ss.mb_url_sig = _url_signature(query)


def _url_signature(params: Any) -> str:
    return repr(sorted((str(k), str(v)) for k, v in dict(params).items()))


def _restore_from_url(ds: Any) -> None:
    """Open the page as the link says: the address, and when the link holds a check, that check."""
    ss = _state()
    params = {k: st.query_params.get(k) for k in st.query_params}
    sig = _url_signature(params)
    if not params.get("adres") or ss.get("mb_url_sig") == sig:
        return
    ss.mb_url_sig = sig
    try:
        q = decode_check(params)
    except DrawingError as exc:
        _fail(f"De link kan niet worden geopend: {exc}")
        return
    _choose(ds, q["address"])
    if ss.get("mb_site") is None or q["footprint"] is None:
        return
    ss.mb_height = "" if q["height"] is None else f"{q['height']:g}".replace(".", ",")
    ss.mb_eaves = "" if q["eaves"] is None else f"{q['eaves']:g}".replace(".", ",")
    ss.mb_one_storey = q["floor"] == "geen"
    ss.mb_floor = "" if q["floor"] in (None, "geen") else f"{q['floor']:g}".replace(".", ",")
    ss.mb_original = "Ja, nooit uitgebreid" if q["original"] else "Weet ik niet"
    ss.mb_gezicht = {None: "Weet ik niet", False: "Nee", True: "Ja"}[q["protected"]]
    ss.mb_use_maten = False
    _run_check(ds, ss.mb_address, None, footprint=q["footprint"])


def _checked_proposal() -> BaseGeometry | None:
    res = _state().get("mb_result")
    return wkb.loads(res["proposal"]) if res else None


# --- the page ------------------------------------------------------------------------------------


def page() -> None:
    ds = get_dataset()
    ss = _state()
    for k, v in (("mb_address", None), ("mb_site", None), ("mb_result", None), ("mb_error", None),
                 ("mb_check_error", None), ("mb_candidates", [])):
        if k not in ss:
            ss[k] = v
    _restore_from_url(ds)

    st.title("Mag ik bouwen?")
    st.markdown(INTRO)
    demo_banner(ds)
    basemap = pdok_basemap_toggle("mb_basemap")
    search_form("mb", "Adres of kadastrale aanduiding",
                "bijv. Misterstraat 20, 7101 AK 12 of WWK00 L 3839", on_search=_on_search,
                on_candidate=_on_candidate, candidates=ss.mb_candidates)
    if ss.mb_error:
        st.warning(ss.mb_error)
    site = ss.mb_site
    address = ss.mb_address
    if site is None or address is None:
        st.markdown("Zoek eerst uw adres. Daarna verschijnt uw perceel op de kaart, met het "
                    "**achtererfgebied** (groen): daar mag u onder voorwaarden zonder vergunning bouwen.")
        return

    key = _map_key(address, basemap)
    drawing, n_drawings = _current_drawing(key)
    res = ss.mb_result if ss.mb_result and ss.mb_result.get("address") == address else None
    if drawing is not None:
        ss.mb_seen_drawing = True
    elif ss.get("mb_seen_drawing"):
        # "Alles weg" (or the bin) removed the design: its verdict goes with it
        ss.mb_seen_drawing = False
        if res is not None and res.get("source") == "tekening":
            ss.mb_result = res = None
            st.query_params.from_dict({"adres": address})
            ss.mb_url_sig = _url_signature({"adres": address})

    col_map, col_side = st.columns([3, 2], gap="medium")
    with col_side:
        st.subheader(f"Uw bouwplan op {address}")
        main = site["scenario"]["main_building"]
        est = main.get("second_storey_floor")
        with st.form("mb_toets", border=True):
            st.text_input("Hoogte (m): het hoogste punt van het bouwwerk", key="mb_height",
                          placeholder="bijv. 3 of 2,75")
            st.text_input("Goothoogte of dakvoet (m): leeg laten bij een plat dak", key="mb_eaves",
                          placeholder="bijv. 2,5")
            with st.expander("Of typ de maten in (in plaats van tekenen)", expanded=bool(ss.get("mb_use_maten"))):
                st.checkbox("Gebruik deze maten", key="mb_use_maten")
                c1, c2 = st.columns(2)
                c1.text_input("Breedte (m), langs de straat", key="mb_breedte", placeholder="bijv. 3")
                c2.text_input("Diepte (m), van de straat af", key="mb_diepte", placeholder="bijv. 4")
                c1.text_input("Afstand achter de achtergevel (m)", key="mb_achter", placeholder="0 = ertegenaan")
                c2.text_input("Afstand tot de linker perceelsgrens (m), gezien vanaf de straat", key="mb_zij",
                              placeholder="bijv. 1")
            st.markdown("**Over uw huis** (dit staat niet in de registers)")
            st.radio("Is uw huis nog zoals het oorspronkelijk gebouwd is?", list(ORIGINAL_CHOICES),
                     key="mb_original", horizontal=True,
                     help="Latere uitbreidingen van het huis tellen mee bij de oppervlakte die u zonder "
                          "vergunning mag bijbouwen, en de zone van 4 m ligt rond het oorspronkelijke huis.")
            st.checkbox("Mijn huis heeft maar één bouwlaag (geen verdieping)", key="mb_one_storey")
            st.text_input(
                "Vloer tweede bouwlaag van het hoofdgebouw (m), als u die weet", key="mb_floor",
                placeholder=("geschat: " + f"{est:.2f}".replace(".", ",") + " m") if est else "onbekend",
                help="De bovenkant van de vloer tussen de begane grond en de eerste verdieping van uw "
                     "huis. Binnen 4 m van het huis mag een aanbouw niet hoger zijn dan 0,3 m boven "
                     "deze vloer. Leeg laten: dan gebruiken we de schatting uit de 3D BAG, of blijft hij onbekend.",
            )
            if "beschermd_gezicht" not in ds:
                st.radio("Ligt uw huis in een rijksbeschermd stads- of dorpsgezicht?", list(GEZICHT_CHOICES),
                         key="mb_gezicht", horizontal=True)
            submitted = st.form_submit_button("Toets", type="primary", use_container_width=True)
        if submitted:
            _run_check(ds, address, drawing)
            res = ss.mb_result if ss.mb_result and ss.mb_result.get("address") == address else None
        if drawing is not None:
            try:
                drawn = drawing_to_rd(drawing)
            except DrawingError as exc:
                st.caption(f"Uw tekening: {exc}")
            else:
                st.caption("Uw tekening: " + f"{drawn.area:.1f}".replace(".", ",") + " m² "
                           "(na aanpassen opnieuw op Toets drukken).")
        if n_drawings > 1:
            st.info(f"Er staan {n_drawings} tekeningen op de kaart; de laatst getekende wordt getoetst. "
                    "Verwijder de andere met het prullenbakje op de kaart.")
        if ss.mb_check_error:
            st.error(ss.mb_check_error)

    with col_map:
        proposal = _checked_proposal() if res else None
        verdict = res["result"]["verdict"] if res else None
        derived = dict(site)
        if res:
            derived.update(res["result"]["derived"])
        groups = site_layers(site) + derived_layers(derived, proposal=proposal, verdict=verdict)
        st_folium(
            base_map(site, basemap=basemap), key=key, height=MAP_HEIGHT, use_container_width=True,
            returned_objects=RETURNED, feature_group_to_add=groups,
            layer_control=folium.LayerControl(collapsed=True),
        )
        st.caption(
            "Teken uw bouwwerk met de knoppen links op de kaart: ▭ rechthoek of ⬠ veelhoek "
            "(klik de hoeken aan, sluit af op de eerste hoek). Aanpassen of verwijderen kan met de "
            "knoppen daaronder. **Groen**: het achtererfgebied, waar u onder voorwaarden zonder "
            "vergunning mag bouwen. **Geel**: het voorerfgebied. **Paarse stippellijn**: 4 m rond het "
            "hoofdgebouw. **Oranje stippellijn**: 1 m achter de voorgevel. **Dikke grijze lijn**: de "
            "kant van de openbare weg. Na de toets kleurt uw ontwerp groen (geen vergunning), oranje "
            "(melding), bruin (hangt af van het omgevingsplan of van ontbrekende gegevens) of rood "
            "(vergunning nodig)."
        )

    with col_side:
        if res:
            kind = VERDICT_STYLE.get(verdict or "", ("", "warning"))[1]
            headline = f"**Uitkomst: {verdict_label(verdict or '')}**"
            getattr(st, kind)(headline)
            if drawing is not None and res.get("source") == "tekening":
                try:
                    now = drawing_to_rd(drawing)
                except DrawingError:
                    now = None
                if now is None or proposal is None or now.symmetric_difference(proposal).area > 0.01:
                    st.caption("Let op: de tekening is veranderd na de toets. Druk opnieuw op Toets.")
            slug = "".join(ch if ch.isalnum() else "-" for ch in address.lower()).strip("-")
            c1, c2 = st.columns(2)
            c1.download_button("Bewijs (HTML, om te printen)", res["receipt_html"], file_name=f"bouwcheck-{slug}.html",
                               mime="text/html", key="mb_dl_html", use_container_width=True)
            if res.get("receipt_pdf"):
                c2.download_button("Bewijs (PDF)", res["receipt_pdf"], file_name=f"bouwcheck-{slug}.pdf",
                                   mime="application/pdf", key="mb_dl_pdf", use_container_width=True)
            st.caption("De link in de adresbalk bewaart deze toets: deel of bewaar hem om hem terug te zien.")
            with st.container(height=MAP_HEIGHT - 40, border=False, key="mb_uitslag"):
                st.markdown(result_markdown(res["result"], is_synthetic=ds.is_synthetic, headline=False))
        else:
            st.markdown(area_markdown(site))
            st.caption("Deze toets is een hulpmiddel en geen besluit. De gemeente en het Omgevingsloket "
                       "zijn leidend.")
