"""Write the issue-11 scenarios (42-66); each carries its hand-worked expectation."""
import copy
import json
from pathlib import Path

D = Path("tests/scenarios")
BASE = json.loads((D / "01_aanbouw_achter_vrij.json").read_text())
for k in ("id", "article", "description", "expected"):
    BASE.pop(k)


def box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


FAR = box(246506.0, 443430.0, 246512.0, 443434.0)          # 24 m2, > 4 m behind the house
NEAR = box(246504.0, 443415.0, 246510.0, 443419.0)         # against the rear facade
FRONT = box(246501.0, 443401.5, 246504.0, 443403.5)        # in the voortuin (6 m2)
HOUSE_VLAK = box(246504.0, 443405.0, 246516.0, 443415.0)
FULL_BG = {"buiten_bouwvlak": True, "max_oppervlakte": 60, "max_goothoogte": 4.0, "max_bouwhoogte": 5.0,
           "min_afstand_achter_voorgevel": 3.0}
PLAN_FULL = {"bestemming": "Wonen", "bouwvlak": HOUSE_VLAK, "max_bouwhoogte": "geen", "max_goothoogte": "geen",
             "bebouwingspercentage": "geen", "bijgebouwen": FULL_BG, "plan_id": "NL.IMRO.0294.VOORBEELD-VG01",
             "plan_naam": "Voorbeeldplan (scenario)", "plan_versie": "vastgesteld 2013-05-28"}
PLAN_ONLY_BESTEMMING = {"bestemming": "Wonen", "max_bouwhoogte": None, "max_goothoogte": None,
                        "bebouwingspercentage": None, "bouwvlak": None}
PLAN_UNKNOWN_IDS = ["plan_bebouwingspercentage", "plan_bijgebouwen_achter_voorgevel", "plan_bijgebouwen_bouwhoogte",
                    "plan_bijgebouwen_goothoogte", "plan_bijgebouwen_oppervlakte", "plan_bouwhoogte", "plan_bouwvlak",
                    "plan_goothoogte"]
GEEN, PLICHT, MELD = "geen vergunning nodig", "vergunningplicht", "meldingsplicht"
HA_PLAN, HA_GEG = "hangt af van het omgevingsplan", "hangt af van ontbrekende gegevens"


def scen(sid, article, description, *, proposal=FAR, height=3.5, eaves=None, plan=PLAN_FULL, main=None,
         extra=None, prop_extra=None, expected):
    d = copy.deepcopy(BASE)
    d["proposal"] = {"footprint": proposal, "height": height, "eaves_height": height if eaves is None else eaves,
                     **(prop_extra or {})}
    d["plan"] = copy.deepcopy(plan)
    if main:
        d["main_building"].update(main)
    d.update(extra or {})
    d["id"], d["article"], d["description"] = sid, article, description
    exp = {"verdict": expected[0], "activities": expected[1], "failing_conditions": sorted(expected[2]),
           "unknown_conditions": sorted(expected[3]), "fits_plan": expected[4]}
    if len(expected) > 5:
        exp["decisive_condition"] = expected[5]
    d["expected"] = exp
    (D / f"{sid}.json").write_text(json.dumps(d, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def acts(tech, plan, mon=None):
    out = {"technische_bouwactiviteit": tech, "omgevingsplanactiviteit_bouwen": plan}
    if mon:
        out["monumentenactiviteit"] = mon
    return out


A27 = "Bruidsschat art. 22.27"
A36 = "Bruidsschat art. 22.36, eerste lid, onder a"
scen("42_schuur_te_hoog_plan_onbekend", f"{A27}; {A36}",
     "Issue 11: alleen de bestemming is bekend. De schuur (3,5 m, verder dan 4 m) haalt 22.36 niet; 22.27 is niet te beslissen zonder planregels: hangt af van het omgevingsplan, nooit 'geen vergunning'.",
     plan=PLAN_ONLY_BESTEMMING,
     expected=(HA_PLAN, acts(GEEN, HA_PLAN), ["dakvoet_verder_3m"], PLAN_UNKNOWN_IDS, None, "plan_bouwvlak"))
scen("43_bedrijf_plan_onbekend", f"{A27}; {A36}",
     "Bestemming Bedrijf, maatvoering onbekend, schuur 3,5 m: niet vrij via 22.36, 22.27 onbeslist: hangt af van het omgevingsplan.",
     plan={**PLAN_ONLY_BESTEMMING, "bestemming": "Bedrijf"},
     expected=(HA_PLAN, acts(GEEN, HA_PLAN), ["dakvoet_verder_3m"], PLAN_UNKNOWN_IDS, None))
scen("44_voortuin_schuur_plan_onbekend", f"{A27} (achtererfgebied); {A36}",
     "Schuur in de voortuin: 22.36 en 22.27 vragen allebei het achtererfgebied, dus vergunningplicht; de reden die de bewoner eerst leest is de voortuin, niet een voldane eis.",
     proposal=FRONT, height=2.5, plan=PLAN_ONLY_BESTEMMING,
     expected=(PLICHT, acts(GEEN, PLICHT), ["achtererfgebied", "plan_22_27_achtererfgebied"], PLAN_UNKNOWN_IDS, None,
               "achtererfgebied"))
scen("45_22_27_buiten_bouwvlak_toegestaan", A27,
     "Alle planregels voor bijgebouwen bekend; buiten het bouwvlak toegestaan, 24 m2 <= 60, goot 3,5 <= 4, hoogte 3,5 <= 5, 15 m achter de voorgevel: geen vergunning via 22.27.",
     expected=(GEEN, acts(GEEN, GEEN), ["dakvoet_verder_3m"], [], None))
scen("46_22_27_buiten_bouwvlak_verboden", A27,
     "Het plan staat geen bijgebouwen buiten het bouwvlak toe: 22.27 faalt, vergunningplicht, past niet in het plan.",
     plan={**PLAN_FULL, "bijgebouwen": {**FULL_BG, "buiten_bouwvlak": False}},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_bouwvlak"], [], False))
scen("47_22_27_bijgebouwen_oppervlakte_over", A27,
     "Bijgebouwen hooguit 20 m2 volgens het plan, de schuur is 24 m2: vergunningplicht.",
     plan={**PLAN_FULL, "bijgebouwen": {**FULL_BG, "max_oppervlakte": 20}},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_bijgebouwen_oppervlakte"], [], False))
scen("48_22_27_bijgebouwen_oppervlakte_precies", A27,
     "Bijgebouwen hooguit 24 m2, de schuur is precies 24 m2: een waarde op de grens voldoet, geen vergunning via 22.27.",
     plan={**PLAN_FULL, "bijgebouwen": {**FULL_BG, "max_oppervlakte": 24}},
     expected=(GEEN, acts(GEEN, GEEN), ["dakvoet_verder_3m"], [], None))
scen("49_22_27_bijgebouwen_goothoogte_over", A27,
     "Bijgebouwen: goothoogte hooguit 3 m; dakvoet 3,5 m: vergunningplicht (de maatvoering van het hoofdgebouw geldt niet, die van bijgebouwen wel).",
     plan={**PLAN_FULL, "bijgebouwen": {**FULL_BG, "max_goothoogte": 3.0}},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_bijgebouwen_goothoogte"], [], False))
scen("50_22_27_achter_voorgevel_te_dicht", A27,
     "Bijgebouw naast het huis, 2 m achter de voorgevel (wel in het achtererfgebied); het plan vraagt 3 m. 3,5 m hoog binnen 4 m: boven 0,3 m over de verdiepingsvloer (22.36 faalt): vergunningplicht.",
     proposal=box(246516.0, 443407.0, 246519.0, 443411.0),
     expected=(PLICHT, acts(GEEN, PLICHT), ["hoogte_nabij_tweede_bouwlaag", "plan_bijgebouwen_achter_voorgevel"], [], False))
REAR = {"type": "MultiLineString", "coordinates": [[[246500.0, 443400.0], [246520.0, 443400.0]],
                                                   [[246500.0, 443440.0], [246520.0, 443440.0]]]}
scen("51_22_27_te_dicht_bij_openbaar", f"{A27} (meer dan 1 m van openbaar toegankelijk gebied)",
     "Weg ook achter het perceel; de schuur staat 0,5 m van die weg: 22.27 faalt op de afstand tot openbaar toegankelijk gebied.",
     proposal=box(246506.0, 443435.5, 246512.0, 443439.5), extra={"road_side": REAR},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_22_27_afstand_openbaar"], [], True))
scen("52_22_27_precies_1m_van_openbaar", f"{A27} (meer dan 1 m)",
     "Precies 1,00 m van de weg achter het perceel: 'meer dan 1 m' is niet gehaald.",
     proposal=box(246506.0, 443435.0, 246512.0, 443439.0), extra={"road_side": REAR},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_22_27_afstand_openbaar"], [], True))
scen("53_22_27_dakterras", f"{A27} (geen dakterras)",
     "Schuur met dakterras: niet vergunningvrij via 22.27, ook al past hij in het plan.",
     prop_extra={"dakterras": True},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_22_27_geen_dakterras"], [], True))
scen("54_22_27_verblijfsgebied_boven", f"{A27} (verblijfsgebied alleen op de eerste bouwlaag)",
     "Tuinhuis met een slaapzolder (verblijfsgebied op de tweede bouwlaag): niet vergunningvrij via 22.27.",
     prop_extra={"verblijfsgebied_boven_eerste_bouwlaag": True},
     expected=(PLICHT, acts(GEEN, PLICHT), ["dakvoet_verder_3m", "plan_22_27_verblijfsgebied"], [], True))
VERBODEN = {**PLAN_FULL, "bijgebouwen": {**FULL_BG, "buiten_bouwvlak": False}}
scen("55_origineel_onbekend_oppervlakte", f"{A36} (bebouwingsgebied; Bbl bijlage I oorspronkelijk hoofdgebouw)",
     "Oorspronkelijk hoofdgebouw onbekend (BAG weet het niet): de oppervlakte-eis is 'onbekend', niet voldaan. 22.27 faalt (buiten bouwvlak verboden): hangt af van ontbrekende gegevens.",
     height=3.0, plan=VERBODEN, main={"original": None},
     expected=(HA_GEG, acts(GEEN, HA_GEG), ["plan_bouwvlak"], ["oppervlakte"], False, "oppervlakte"))
scen("56_origineel_onbekend_plan_onbekend", f"{A36}; {A27}",
     "Oorspronkelijk hoofdgebouw onbekend, kleine schuur ver van het huis; 22.36 onbeslist door het oorspronkelijke hoofdgebouw: hangt af van ontbrekende gegevens (niet van het plan, want 22.36 zou het plan opzij zetten).",
     height=3.0, plan=PLAN_ONLY_BESTEMMING, main={"original": None},
     expected=(HA_GEG, acts(GEEN, HA_GEG), [], ["oppervlakte", *PLAN_UNKNOWN_IDS], None, "oppervlakte"))
BIG = box(246501.0, 443418.0, 246519.0, 443439.0)  # 378 m2: over the limit even without extensions
scen("57_origineel_onbekend_te_groot", f"{A36} (oppervlakte)",
     "Oorspronkelijk hoofdgebouw onbekend maar de schuur is al zonder uitbreidingen te groot (378 m2): dat faalt hoe dan ook; met verboden bouwen buiten het bouwvlak: vergunningplicht.",
     proposal=BIG, height=3.0, plan=VERBODEN, main={"original": None},
     expected=(PLICHT, acts(GEEN, PLICHT), ["oppervlakte", "plan_bijgebouwen_oppervlakte", "plan_bouwvlak"], [], False))
scen("58_tweede_bouwlaag_onbekend", f"{A36} (0,3 m boven de tweede bouwlaag)",
     "Aanbouw 3,5 m tegen het huis, vloerhoogte van de verdieping onbekend: de 0,3 m-eis is 'onbekend' (niet 'niet van toepassing'); 22.27 faalt (buiten bouwvlak verboden): hangt af van ontbrekende gegevens.",
     proposal=NEAR, plan=VERBODEN, main={"second_storey_floor": None},
     expected=(HA_GEG, acts(GEEN, HA_GEG), ["plan_bouwvlak"], ["hoogte_nabij_tweede_bouwlaag"], False,
               "hoogte_nabij_tweede_bouwlaag"))
scen("59_een_bouwlaag_opgegeven", f"{A36} (binnen 4 m)",
     "Het huis heeft één bouwlaag (opgegeven als \"geen\"), 5 m hoog; aanbouw 4,0 m: niet hoger dan het huis en 5 m, geen verdieping om aan te meten: geen vergunning.",
     proposal=NEAR, height=4.0, plan=VERBODEN, main={"second_storey_floor": "geen", "height": 5.0},
     expected=(GEEN, acts(GEEN, GEEN), [], [], None))
scen("60_monument_onbekend", f"{A36}; Omgevingswet art. 5.1, eerste lid, onder b",
     "Monumentstatus onbekend (register niet geladen): nooit 'geen vergunning'; hangt af van ontbrekende gegevens, ook voor de monumentenactiviteit.",
     height=3.0, extra={"monument": None},
     expected=(HA_GEG, acts(GEEN, HA_GEG, HA_GEG), [], ["geen_monument", "monument"], True, "geen_monument"))
scen("61_beschermd_gezicht_onbekend", f"{A36} (rijksbeschermd gezicht)",
     "Niet bekend of het perceel in een rijksbeschermd gezicht ligt: hangt af van ontbrekende gegevens.",
     height=3.0, extra={"protected_townscape": None},
     expected=(HA_GEG, acts(GEEN, HA_GEG), [], ["beschermd_gezicht", "beschermd_gezicht_22_36"], True))
scen("62_beschermd_gezicht_22_27_achter_huis", f"{A27}; Bor bijlage II art. 4a (beschermd gezicht)",
     "Rijksbeschermd gezicht, schuur achter het huis (niet naar de weg gekeerd), past in het plan: de volledig vrije route (22.36) geldt niet, 22.27 wel: geen vergunning.",
     height=3.0, extra={"protected_townscape": True},
     expected=(GEEN, acts(GEEN, GEEN), ["beschermd_gezicht_22_36"], [], None))
scen("63_bouwvlak_geen_bijgebouwen_toegestaan", A27,
     "Het plan heeft geen bouwvlak op dit perceel maar staat bijgebouwen buiten het bouwvlak toe: 22.27 geeft geen vergunning nodig.",
     plan={**PLAN_FULL, "bouwvlak": "geen"},
     expected=(GEEN, acts(GEEN, GEEN), ["dakvoet_verder_3m"], [], None))
scen("64_bestemming_onbekend", f"{A36} (erf: het plan verbiedt de inrichting als erf niet)",
     "Kleine schuur die verder alles haalt, maar de bestemming is onbekend: of de grond erf is, hangt af van het omgevingsplan.",
     height=3.0, plan={**PLAN_ONLY_BESTEMMING, "bestemming": None},
     expected=(HA_PLAN, acts(GEEN, HA_PLAN), [], ["erf", "plan_bestemming", *PLAN_UNKNOWN_IDS], None, "erf"))
scen("65_bebouwingspercentage_onbekend", A27,
     "Alle bijgebouwenregels bekend behalve het bebouwingspercentage: 22.27 blijft onbeslist: hangt af van het omgevingsplan.",
     plan={**PLAN_FULL, "bebouwingspercentage": None},
     expected=(HA_PLAN, acts(GEEN, HA_PLAN), ["dakvoet_verder_3m"], ["plan_bebouwingspercentage"], None,
               "plan_bebouwingspercentage"))
scen("66_maatvoering_op_plek_onbekend", A27,
     "Niet bekend of er een maatvoering op de plek van de schuur ligt (maatvoeringslaag niet geladen): hangt af van het omgevingsplan.",
     plan={**PLAN_FULL, "max_bouwhoogte": None},
     expected=(HA_PLAN, acts(GEEN, HA_PLAN), ["dakvoet_verder_3m"], ["plan_bouwhoogte"], None))
