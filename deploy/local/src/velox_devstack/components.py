"""The processes that make up Velox and where their code and migrations live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COMPONENTS", "Component", "project_root"]


def project_root() -> Path:
    """The repository root (the folder holding ``gateway/`` and ``services/``)."""
    env = os.environ.get("VELOX_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "gateway").is_dir() and (parent / "services").is_dir():
            return parent
    return Path.cwd()


@dataclass(frozen=True)
class Component:
    name: str
    offset: int
    # PostgreSQL extensions its migrations use: installed in ``public`` by provisioning,
    # as the admin (a component's role may not create extensions).
    extensions: tuple[str, ...] = ()

    @property
    def schema(self) -> str:
        return self.name.replace("-", "_")

    @property
    def package(self) -> str:
        return "velox_" + self.schema

    @property
    def folder(self) -> Path:
        root = project_root()
        return root / "gateway" if self.name == "gateway" else root / "services" / self.name

    @property
    def alembic_ini(self) -> Path:
        return self.folder / "alembic.ini"

    def port(self, base: int) -> int:
        return base + self.offset

    def role(self, prefix: str) -> str:
        return prefix + self.schema


COMPONENTS: tuple[Component, ...] = (
    Component("gateway", 0),
    Component("billing", 1),
    Component("commerce", 2, extensions=("pg_trgm",)),
    Component("analytics", 3),
    Component("automation", 4),
    Component("price-intel", 5),
    Component("vin-intel", 6),
    Component("trading", 7),
)
