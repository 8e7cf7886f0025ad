"""/v1/commerce/stores/{store_id}/emails: the delivery log of transactional emails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.emails.schemas import EmailOut, EmailStatus
from velox_commerce.emails.service import EmailService
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}/emails", tags=["commerce: emails"])


@router.get("", summary="List emails sent to buyers", responses=problems(400, 404, 422))
async def list_emails(
    store: StoreDep,
    session: SessionDep,
    order_id: Annotated[str | None, Query(max_length=40)] = None,
    status_filter: Annotated[EmailStatus | None, Query(alias="status")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[EmailOut]:
    """The store's transactional emails, newest first, with their delivery state;
    ``order_id`` gives one order's."""
    page = await EmailService(session, store).page(
        order_id=order_id, status=status_filter, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)
