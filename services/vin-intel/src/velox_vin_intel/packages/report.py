"""The result of package identification, shaped as an API response."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from velox_vin_intel.packages.schema import EntryKind, EvidenceKind

__all__ = ["EvidenceMatch", "PackageMatch", "PackageReport"]


class EvidenceMatch(BaseModel):
    """One piece of evidence that matched, with the weight it carried."""

    model_config = ConfigDict(frozen=True)

    kind: EvidenceKind
    value: str = Field(description="What matched: the code, the text seen, the engine, ...")
    weight: float


class PackageMatch(BaseModel):
    """A trim, package or option identified, with its confidence and why."""

    model_config = ConfigDict(frozen=True)

    code: str | None = Field(description="The OEM option code, when the catalogue knows one.")
    name: str
    kind: EntryKind
    confidence: float = Field(ge=0, le=1, description="1 - prod(1 - weight) over the evidence.")
    explanation: str
    years: tuple[int, int] = Field(description="Model years the catalogue lists it for.")
    evidence: list[EvidenceMatch]


class PackageReport(BaseModel):
    """Trim and packages identified for one VIN, with the catalogue version used."""

    vin: str
    oem: str | None = None
    make: str | None = None
    model: str | None = Field(None, description="The catalogue's model name.")
    model_year: int | None = None
    trim: PackageMatch | None = None
    packages: list[PackageMatch] = Field(default_factory=list)
    threshold: float
    catalog_version: str | None = Field(None, description="Version of the OEM file used.")
    unmatched_codes: list[str] = Field(
        default_factory=list, description="Option codes given or seen that no entry claims."
    )
    notes: list[str] = Field(default_factory=list)
