"""Pydantic models of the service's responses: they document the API (OpenAPI at ``/docs``).

Endpoints return plain JSON built by the library; these models describe it (the tests check the
live responses against the OpenAPI document with schemathesis). The report's entries reuse the
library's dataclasses, so the document follows :mod:`omgevingskaart.report`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..omgevingsplan import TpodActiviteit, TpodGebiedsaanwijzing, TpodNorm
from ..report import (
    Adres,
    BeschermdGezicht,
    Maatvoering,
    Monument,
    Pand,
    Plan,
    PlanObject,
    Regel,
    Samenvatting,
)


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable error code, e.g. 'outside_data', 'ambiguous_address'")
    message: str = Field(description="what went wrong, for people")
    field: str | None = Field(None, description="the parameter or scenario field at fault")
    candidates: list[str] | None = Field(None, description="matching addresses (code 'ambiguous_address')")
    details: list[dict[str, Any]] | None = Field(None, description="every validation problem")


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]
    dataset: str
    layers: int
    synthetic: bool


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LayerInfo(BaseModel):
    id: str = Field(description="catalogue id; path segment of /v1/layers/{id}")
    title: str
    description: str
    kind: str = Field(description="schema kind (omgevingskaart.schema)")
    audience: Literal["public", "ketenpartner"]
    restricted: bool = Field(description="true: items need an API key that opens this layer")
    source: str
    licence: str
    attribution: str
    count: int = Field(description="number of features")
    bbox: list[float] | None = Field(description="extent in CRS84: minlon, minlat, maxlon, maxlat")
    links: list[Link]


class LayerList(BaseModel):
    layers: list[LayerInfo]
    links: list[Link]


class Feature(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["Feature"]
    id: str | int
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["FeatureCollection"]
    features: list[Feature]
    numberMatched: int
    numberReturned: int
    timeStamp: str
    links: list[Link]


class PerceelOut(BaseModel):
    identificatie: str | None
    kadastrale_aanduiding: str | None
    kadastrale_gemeente_code: str | None
    kadastrale_gemeente: str | None
    sectie: str | None
    perceelnummer: int | None
    kadastrale_grootte: float | None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON in RD New metres (geometry=true)")


class Locatie(BaseModel):
    x: float
    y: float
    crs: str


class LocatieWgs84(BaseModel):
    lon: float
    lat: float


class ReportResponse(BaseModel):
    """The parcel report (omgevingskaart.report.ParcelReport.to_dict) plus the point in WGS84."""

    query: dict[str, Any]
    x: float
    y: float
    perceel: PerceelOut | None
    panden: list[Pand]
    adressen: list[Adres]
    plannen: list[Plan]
    enkelbestemmingen: list[PlanObject]
    dubbelbestemmingen: list[PlanObject]
    bouwvlakken: list[PlanObject]
    bouwvlak_op_locatie: bool
    maatvoeringen: list[Maatvoering]
    functieaanduidingen: list[PlanObject]
    bouwaanduidingen: list[PlanObject]
    gebiedsaanduidingen: list[PlanObject]
    monumenten: list[Monument]
    bron: str | None
    notice: str | None
    geldig_op: str = Field(description="the date the answer is for (YYYY-MM-DD)")
    samenvatting: Samenvatting | None = Field(description="the answer in plain Dutch: gebruik (what may be done), beschermd, grenzen (limits), let_op")
    regels: list[Regel] = Field(description="every rule that applies here: deel (tijdelijk deel / bruidsschat / nieuwe deel), text where the data holds it, link")
    activiteiten: list[TpodActiviteit] = Field(description="omgevingsplan (STOP/TPOD) activiteiten with their kwalificatie")
    omgevingsnormen: list[TpodNorm]
    gebiedsaanwijzingen: list[TpodGebiedsaanwijzing]
    beschermde_gezichten: list[BeschermdGezicht]
    toekomstig: list[PlanObject] = Field(description="plan objects of plans dated after geldig_op")
    ontwerpen: list[PlanObject] = Field(description="plan objects of ontwerp and voorontwerp plans (not in force)")
    woonplaats: str | None
    gemeentecode: str | None
    lagen_hier: list[str] = Field(description="the dataset layers holding something at this location")
    ontbrekend: list[str] = Field(description="registers this dataset lacks: that part of the answer is unknown")
    locatie: Locatie
    locatie_wgs84: LocatieWgs84
    beperkt: list[str] = Field(description="report sections withheld: their layer needs an API key")


class CheckActivity(BaseModel):
    model_config = ConfigDict(extra="allow")
    activity: str
    name: str
    outcome: str
    article: str
    reason: str


class CheckResponse(BaseModel):
    """The permit check result (omgevingskaart.permit.CheckResult.to_dict)."""

    model_config = ConfigDict(extra="allow")
    verdict: str = Field(description="vergunningplicht, meldingsplicht, informatieplicht, geen vergunning nodig, "
                                     "hangt af van het omgevingsplan or hangt af van ontbrekende gegevens")
    summary: str = Field(description="the verdict and its decisive (failing or unknown) reason in plain Dutch")
    decisive_condition: str | None = Field(description="id of the decisive condition; null when free")
    advice: dict[str, Any] = Field(description="what would make it vergunningvrij here: largest height and area")
    fits_plan: bool | None
    activities: list[CheckActivity]
    failing_conditions: list[str]
    unknown_conditions: list[str] = Field(description="conditions whose data is missing (never counted as passed)")
    missing: list[dict[str, str]] = Field(description="what is missing and where to find it")
    plan: dict[str, Any] = Field(description="the plan checked against: plan_id, plan_naam, plan_versie")
    derived: dict[str, Any]
    notes: list[str]
    legal_basis: list[str]
    input: dict[str, Any] = Field(description="what was checked: the scenario, or the address/perceel and the scenario built for it")


class AddressCheck(BaseModel):
    """A proposal at an address, a perceel or a point; the rest of the scenario comes from the dataset."""

    model_config = ConfigDict(extra="forbid")
    address: str | None = Field(None, description="e.g. 'Markt 12, Winterswijk' or '7101AK 12'")
    perceel: str | None = Field(None, description="kadastrale aanduiding, e.g. 'WWK00 L 3839'")
    x: float | None = None
    y: float | None = None
    crs: str | None = Field(None, description="CRS of x, y (required with them)")
    proposal: dict[str, Any] = Field(description="the scenario's proposal block (RD metres): footprint, height, ...")
    main_pand_id: str | None = Field(None, description="BAG id of the hoofdgebouw when the perceel holds several panden")
    original: bool | None = Field(None, description="true: the hoofdgebouw is the oorspronkelijk hoofdgebouw (the BAG "
                                                    "cannot tell; without it the rules depending on it are 'onbekend')")
    second_storey_floor: float | Literal["geen"] | None = Field(
        None, description="top of the floor of the second bouwlaag in m above ground; 'geen': one bouwlaag")
    protected_townscape: bool | None = Field(None, description="the perceel lies in a rijksbeschermd stads- of "
                                                               "dorpsgezicht (used when the dataset has no such layer)")


class Candidate(BaseModel):
    """One address or kadastraal perceel that a search text may mean."""

    model_config = ConfigDict(extra="allow")
    weergave: str = Field(description="the text to show and to search with, e.g. 'Markt 12, 7101AK Winterswijk'")
    soort: Literal["adres", "perceel"]
    x: float = Field(description="RD New x (m) of the address point or a point inside the perceel")
    y: float = Field(description="RD New y (m)")
    lon: float
    lat: float
    rapport: str = Field(description="URL of /v1/report for this candidate")


class CandidateList(BaseModel):
    query: str
    candidates: list[Candidate] = Field(description="best first; empty when nothing fits")
