"""The base of PATCH bodies: what is left out is kept, ``null`` clears only what may be empty."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Patch"]


class Patch(BaseModel):
    """A partial update. Fields are optional so that they can be left out; those named in
    ``required`` hold a value in the resource and refuse an explicit ``null``."""

    model_config = ConfigDict(extra="forbid")

    required: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        nulls = sorted(
            name for name in self.model_fields_set & self.required if getattr(self, name) is None
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null (leave it out to keep it)")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent, with their new values."""
        return self.model_dump(exclude_unset=True)
