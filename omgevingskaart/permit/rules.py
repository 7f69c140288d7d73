"""The legal thresholds and citations of the permit check, in one place.

Every number the check compares against lives here, next to the article it comes from, so a change
in the law is a change in this file only.

Sources and version dates (see ``docs/permit-check.md`` for what was verified how):

* **Bbl** — Besluit bouwwerken leefomgeving, BWBR0041297, version in force from 1 January 2024.
  Art. 2.25 and 2.26 (aanwijzing vergunningplichtige gevallen bouwactiviteit, the verbod of
  Omgevingswet art. 5.1, tweede lid), art. 2.27 (the exceptions: first lid onder a a bouwwerk in
  gevolgklasse 1, art. 2.17; second lid a list of bouwwerken, among them, per secondary sources, a
  bijbehorend bouwwerk on the ground and at most 5 m high, at the front and at the back alike; the
  earlier citation "art. 2.27 = vergunningplicht, art. 2.29 eerste lid = vrijstelling" followed the
  pre-Wkb numbering and was corrected against the text in force from 1-1-2024), bijlage I
  (begrippen achtererfgebied, bebouwingsgebied, bijbehorend bouwwerk, gebouwerf, hoofdgebouw,
  oorspronkelijk hoofdgebouw, openbaar toegankelijk gebied).  Wkb: a new building in gevolgklasse 1
  needs a bouwmelding instead of a permit for the technical building activity (Bbl art. 2.17 ff.);
  the Wkb does not (yet) apply to verbouw of an existing building.
* **Bruidsschat** — the rules the Invoeringsbesluit Omgevingswet (Stb. 2020, 400) put in every
  omgevingsplan on 1 January 2024 (tijdelijk deel): art. 22.26 (vergunningplicht
  omgevingsplanactiviteit bouwen), art. 22.27, aanhef en onder a (uitzonderingen, omgevingsplan
  onverminderd van toepassing: a bijbehorend bouwwerk of uitbreiding daarvan, op de grond staand, niet hoger dan
  5 m, that meets the omgevingsplan), art. 22.36 (uitzonderingen, omgevingsplan niet van
  toepassing: a bijbehorend bouwwerk in het achtererfgebied within the area formula and height
  limits below; not on or at a monument; limited in a rijksbeschermd stads- of dorpsgezicht).
* **Omgevingswet** art. 5.1, eerste lid, onder b (rijksmonumentenactiviteit: vergunningplicht).

History: the Bor (2010) used 2.5 m and 0.25 m; the 2014 revision introduced the 4 m zone, the 0.3 m
rule and the line-based achtererfgebied that the bruidsschat carried over.  Pre-2014 numbers are
not used here.
"""

from __future__ import annotations

from typing import Final

#: Consistent floating tolerance for lengths and heights, in metres (areas: TOL_M squared-ish;
#: containment tests buffer by this amount).  A value exactly on a limit passes.
TOL_M: Final = 1e-6
#: Tolerance for area comparisons, in m2.
TOL_M2: Final = 1e-6

BBL_VERSION: Final = "Bbl (BWBR0041297), versie geldend vanaf 1-1-2024"
BRUIDSSCHAT_VERSION: Final = "Bruidsschat omgevingsplan (Invoeringsbesluit Omgevingswet, Stb. 2020, 400), geldend vanaf 1-1-2024"
OW_VERSION: Final = "Omgevingswet (BWBR0037885), versie geldend vanaf 1-1-2024"

# --- articles (the "article" field of each condition) ------------------------------------------

ART_BBL_BEGRIPPEN: Final = f"Bbl bijlage I (begrippen achtererfgebied, bebouwingsgebied, gebouwerf); {BBL_VERSION}"
#: the technical building activity is vergunningplichtig for the cases Bbl art. 2.25 and 2.26 name
#: (the verbod of Omgevingswet art. 5.1, tweede lid); art. 2.27 lists the exceptions.
ART_BBL_VERGUNNINGPLICHT: Final = (
    f"Bbl art. 2.25 (aanwijzing vergunningplichtige gevallen bouwactiviteit), verbod van Omgevingswet art. 5.1, "
    f"tweede lid; {BBL_VERSION}"
)
#: the exception for a bijbehorend bouwwerk on the ground of at most 5 m.  Verified: art. 2.27 holds
#: the exceptions to the vergunningplicht of art. 2.25 and 2.26 (first lid: gevolgklasse 1 and
#: partial renovation; second lid: a list of bouwwerken, letters a to i read: none of them is the
#: bijbehorend bouwwerk).  Unverified: the letter after i that names it, and what art. 2.29 now
#: says; no stored copy of the text in force has them (searches listed in docs/permit-check.md).
ART_BBL_VRIJ: Final = (
    f"Bbl art. 2.27, tweede lid (uitzondering op de vergunningplicht van art. 2.25 en 2.26: bijbehorend "
    f"bouwwerk op de grond, niet hoger dan 5 m; onderdeel niet geverifieerd); {BBL_VERSION}"
)
ART_BBL_MELDING: Final = (
    f"Bbl art. 2.27, eerste lid, onder a (bouwwerk in gevolgklasse 1, art. 2.17: geen vergunning, wel "
    f"bouwmelding en gereedmelding onder de Wet kwaliteitsborging); {BBL_VERSION}"
)
ART_BS_VERGUNNINGPLICHT: Final = f"Bruidsschat art. 22.26 (vergunningplicht omgevingsplanactiviteit bouwen); {BRUIDSSCHAT_VERSION}"
#: art. 22.27, aanhef en onder a: "Het verbod, bedoeld in artikel 22.26, geldt niet voor de activiteiten,
#: bedoeld in dat artikel, als die betrekking hebben op een van de volgende bouwwerken: a. een bijbehorend
#: bouwwerk ..." (as published in the omgevingsplannen of Epe and Ommen; see docs/permit-check.md, "Sources").
ART_BS_PLAN_VAN_TOEPASSING: Final = (
    f"Bruidsschat art. 22.27, aanhef en onder a (bijbehorend bouwwerk; omgevingsplan onverminderd van "
    f"toepassing, ook het tijdelijk deel: "
    f"vzr. Rb. Limburg 1 mei 2025, ECLI:NL:RBLIM:2025:4355; voorheen Bor bijlage II art. 3, onderdeel 1); {BRUIDSSCHAT_VERSION}"
)
ART_BS_VRIJ: Final = (
    f"Bruidsschat art. 22.36, eerste lid, onder a (bijbehorend bouwwerk in achtererfgebied; omgevingsplan niet "
    f"van toepassing; voorheen Bor bijlage II art. 2, onderdeel 3; lid en onderdeel niet geverifieerd); "
    f"{BRUIDSSCHAT_VERSION}"
)
ART_BS_MONUMENT: Final = (
    f"Bruidsschat, beperking bij monumenten (voorheen Bor bijlage II art. 4a, eerste lid: niet op, aan of bij een "
    f"monument; artikelnummer in de bruidsschat niet offline geverifieerd); {BRUIDSSCHAT_VERSION}"
)
ART_BS_GEZICHT: Final = (
    f"Bruidsschat, beperking in een rijksbeschermd stads- of dorpsgezicht (voorheen Bor bijlage II art. 4a, derde "
    f"en vierde lid: art. 2 niet van toepassing; art. 3 alleen in achtererfgebied, niet gekeerd naar openbaar "
    f"toegankelijk gebied; artikelnummer in de bruidsschat niet offline geverifieerd); {BRUIDSSCHAT_VERSION}"
)
ART_OW_MONUMENT: Final = f"Omgevingswet art. 5.1, eerste lid, onder b (rijksmonumentenactiviteit); {OW_VERSION}"
ART_OP_MONUMENT_GEMEENTELIJK: Final = "Omgevingsplan (gemeentelijk monument: omgevingsplanactiviteit, voorheen erfgoedverordening)"
ART_OP_MONUMENT_PROVINCIAAL: Final = "Omgevingsverordening van de provincie (provinciaal monument)"
ART_OMGEVINGSPLAN: Final = "Omgevingsplan, tijdelijk deel (voormalig bestemmingsplan): bouwregels van de bestemming"
ART_OMGEVINGSPLAN_BIJGEBOUWEN: Final = (
    "Omgevingsplan, tijdelijk deel (voormalig bestemmingsplan): regels voor bijbehorende bouwwerken / bijgebouwen"
)

# --- Bbl art. 2.27: technical building activity ------------------------------------------------

#: a bijbehorend bouwwerk is technically permit-free up to this height (Bbl art. 2.27, tweede lid).
BBL_MAX_HOOGTE_M: Final = 5.0

# --- Bruidsschat art. 22.27 ----------------------------------------------------------------------

#: a bijbehorend bouwwerk that meets the omgevingsplan is free of the omgevingsplanactiviteit
#: permit up to this height (art. 22.27).
BS_22_27_MAX_HOOGTE_M: Final = 5.0

# --- Bruidsschat art. 22.36, eerste lid, onder a -------------------------------------------------

#: the line of the achtererfgebied lies this far behind the voorkant of the hoofdgebouw (Bbl bijlage I).
VOORKANT_AFSTAND_M: Final = 1.0
#: the zone around the oorspronkelijk hoofdgebouw with the higher height limit.
NABIJ_ZONE_M: Final = 4.0
#: within the zone: at most 5 m high ...
NABIJ_MAX_HOOGTE_M: Final = 5.0
#: ... and at most 0.3 m above the top of the floor separating the tweede bouwlaag of the hoofdgebouw
#: ("bovenkant van de scheidingsconstructie met de tweede bouwlaag") ...
NABIJ_BOVEN_TWEEDE_BOUWLAAG_M: Final = 0.3
#: ... and never higher than the hoofdgebouw itself.
#: outside the zone: the dakvoet (eaves; the roof edge for a flat roof) at most 3 m.
VERDER_MAX_DAKVOET_M: Final = 3.0
#: outside the zone, a schuin dak: the daknok at most 3 m + 0.47 x the distance of the daknok to the
#: perceelsgrens (a 25 degree envelope), and the roof pitch at most 55 degrees.  The 5 m general
#: cap is applied as well (it can only lower the limit).
VERDER_NOK_BASIS_M: Final = 3.0
VERDER_NOK_FACTOR: Final = 0.47
VERDER_MAX_NOK_M: Final = 5.0
VERDER_MAX_DAKHELLING_GRADEN: Final = 55.0
#: the area formula's cap
MAX_OPPERVLAKTE_M2: Final = 150.0

#: bestemmingshoofdgroepen (IMRO) whose land is not gebouwerf (the plan forbids its use as erf),
#: so neither art. 22.36 nor building under the plan is possible there.
GEEN_ERF_BESTEMMINGEN: Final = frozenset({"groen", "verkeer", "water", "natuur", "bos"})
#: bestemmingshoofdgroepen where the plan does not allow a gebouw (bijbehorend bouwwerk) to be built.
GEEN_BOUW_BESTEMMINGEN: Final = GEEN_ERF_BESTEMMINGEN | {"tuin"}

# --- outcomes (the Omgevingsloket's terms) --------------------------------------------------------

GEEN_VERGUNNING: Final = "geen vergunning nodig"
VERGUNNINGPLICHT: Final = "vergunningplicht"
MELDINGSPLICHT: Final = "meldingsplicht"
INFORMATIEPLICHT: Final = "informatieplicht"
#: the fourth outcome: the exceptions cannot be decided because plan rules they need are unknown.
HANGT_AF_PLAN: Final = "hangt af van het omgevingsplan"
#: the same for other missing facts (oorspronkelijk hoofdgebouw, vloerhoogte, monumentstatus).
HANGT_AF_GEGEVENS: Final = "hangt af van ontbrekende gegevens"
OUTCOMES: Final = (GEEN_VERGUNNING, VERGUNNINGPLICHT, MELDINGSPLICHT, INFORMATIEPLICHT, HANGT_AF_PLAN,
                   HANGT_AF_GEGEVENS)

# --- condition states --------------------------------------------------------------------------------

VOLDAAN: Final = "voldaan"
NIET_VOLDAAN: Final = "niet voldaan"
#: a condition whose data is missing: never counts as passed (nor as failed).
ONBEKEND: Final = "onbekend"
NIET_VAN_TOEPASSING: Final = "niet van toepassing"

# --- Bruidsschat art. 22.27: the further conditions of its predecessor (Bor bijlage II art. 3,
# onderdeel 1) ------------------------------------------------------------------------------------------

#: more than this distance from openbaar toegankelijk gebied ("op een afstand van meer dan 1 m").
BS_22_27_MIN_AFSTAND_OPENBAAR_M: Final = 1.0

#: the marker for "the plan sets no such rule here" in a scenario (null means: not known).
GEEN_REGEL: Final = "geen"


def max_oppervlakte_m2(bebouwingsgebied_m2: float) -> float:
    """Maximum total area of bijbehorende bouwwerken in the bebouwingsgebied (art. 22.36 lid 1 a).

    B <= 100 m2: 50 % of B; 100 < B <= 300: 50 m2 + 20 % of (B - 100); B > 300: 90 m2 + 10 % of
    (B - 300), at most 150 m2 in total.

    >>> max_oppervlakte_m2(100), max_oppervlakte_m2(300), max_oppervlakte_m2(1000)
    (50.0, 90.0, 150.0)
    """
    b = max(0.0, float(bebouwingsgebied_m2))
    if b <= 100.0:
        return 0.5 * b
    if b <= 300.0:
        return 50.0 + 0.2 * (b - 100.0)
    return min(MAX_OPPERVLAKTE_M2, 90.0 + 0.1 * (b - 300.0))


def bestemming_hoofdgroep(bestemming: str) -> str:
    """The IMRO hoofdgroep of a bestemming name: ``"Wonen - 2"`` -> ``"wonen"``."""
    name = bestemming.strip().lower()
    for sep in (" - ", "-", " "):
        name = name.split(sep)[0]
    return name.strip()
