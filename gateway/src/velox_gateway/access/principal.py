"""Who is calling the gateway, once authenticated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MANAGER_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True)
class Principal:
    account_id: str
    principal_id: str  # usr_... for users, key_... for API keys
    kind: Literal["user", "api_key"]
    scopes: tuple[str, ...]
    role: str | None = None  # users only

    @property
    def is_manager(self) -> bool:
        return self.kind == "user" and self.role in MANAGER_ROLES

    def has_scope(self, scope: str) -> bool:
        family = scope.split(":", 1)[0]
        return any(s in (scope, "*", f"{family}:*") for s in self.scopes)
