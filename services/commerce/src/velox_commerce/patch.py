"""A base for PATCH bodies: what is left out is kept, ``null`` clears only what may be empty."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, model_validator

from velox_commerce.stores.schemas import refuse_nulls

__all__ = ["Patch"]


class Patch(BaseModel):
    """A partial update. Fields are optional so that they can be left out; those named in
    ``required`` hold a value in the resource and refuse an explicit ``null`` (the rule of
    :func:`~velox_commerce.stores.schemas.refuse_nulls`)."""

    model_config = ConfigDict(extra="forbid")

    required: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        refuse_nulls(self, frozenset(type(self).model_fields) - self.required)
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent, with their new values."""
        return self.model_dump(exclude_unset=True)
