"""/v1/commerce/stores/{store_id}/orders/{order_id}/notes: staff notes on an order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.auth import CurrentIdentity
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.notes.schemas import NoteIn, NoteOut
from velox_commerce.notes.service import NoteService
from velox_commerce.openapi import problems

__all__ = ["OrderId", "router"]

router = APIRouter(
    prefix="/v1/commerce/stores/{store_id}/orders/{order_id}/notes", tags=["commerce: orders"]
)

OrderId = Annotated[str, Path(max_length=40, description="The order's id (`ord_...`).")]
NoteId = Annotated[str, Path(max_length=40, description="The note's id (`onote_...`).")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a note to an order",
    responses=problems(404, 422),
)
async def add_note(
    order_id: OrderId,
    data: NoteIn,
    store: StoreDep,
    session: SessionDep,
    identity: CurrentIdentity,
) -> NoteOut:
    """A staff note (``public``: the buyer sees it with the order); the caller is its author."""
    return await NoteService(session, store).add(order_id, data, identity.principal_id)


@router.get("", summary="List an order's notes", responses=problems(400, 404, 422))
async def list_notes(
    order_id: OrderId,
    store: StoreDep,
    session: SessionDep,
    public: Annotated[bool | None, Query(description="Only public or only staff notes.")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[NoteOut]:
    """The order's notes, newest first."""
    page = await NoteService(session, store).page(
        order_id, public=public, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.delete(
    "/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a note of an order",
    responses=problems(404, 422),
)
async def delete_note(
    order_id: OrderId, note_id: NoteId, store: StoreDep, session: SessionDep
) -> None:
    """The note is gone for staff and, if it was public, for the buyer."""
    await NoteService(session, store).delete(order_id, note_id)
