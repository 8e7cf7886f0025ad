"""The route policy table: per service path and method, the feature and quota it needs.

Rules live in JSON (``policy.json`` beside this module, or ``GATEWAY_ROUTE_POLICY_FILE``).
Paths use ``{name}`` for one segment and a trailing ``/**`` for any depth; the first
matching rule wins. A route without a rule needs only the caller's scope. With
``"service_units": true`` the gateway charges ``units`` up front, tells the service the
caller's remaining quota (``Velox-Quota-Remaining``) and charges what the service reports
in ``Velox-Usage-Units`` instead.

Example rule::

    {"method": "POST", "path": "/v1/vin/decode", "feature": "vin.decode",
     "quota": "vin.decodes", "units": 1}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field


class Rule(BaseModel):
    method: str = Field(pattern=r"^(\*|GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$")
    path: str = Field(pattern=r"^/v1/")
    feature: str | None = None
    quota: str | None = None
    units: int = Field(1, ge=1)
    # The service counts the units (a batch of VINs, a file) and reports them back.
    service_units: bool = False


class PolicyFile(BaseModel):
    rules: list[Rule]


@dataclass(frozen=True)
class Requirement:
    feature: str | None
    quota: str | None
    units: int
    service_units: bool = False


def _compile(path: str) -> re.Pattern[str]:
    deep = path.endswith("/**")
    base = path[:-3] if deep else path
    parts = ["[^/]+" if re.fullmatch(r"\{[^/]+\}", p) else re.escape(p) for p in base.split("/")]
    pattern = "/".join(parts) + ("(/.*)?" if deep else "")
    return re.compile(f"^{pattern}/?$")


class RoutePolicy:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = [(rule, _compile(rule.path)) for rule in rules]

    @classmethod
    def load(cls, file: str | None = None) -> RoutePolicy:
        if file:
            raw = Path(file).read_text()
        else:
            raw = resources.files(__package__).joinpath("policy.json").read_text()
        return cls(PolicyFile.model_validate(json.loads(raw)).rules)

    def match(self, method: str, path: str) -> Requirement | None:
        for rule, pattern in self.rules:
            if rule.method in ("*", method) and pattern.match(path):
                return Requirement(rule.feature, rule.quota, rule.units, rule.service_units)
        return None
