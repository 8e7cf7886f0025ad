"""/v1/commerce/webhooks: partner subscriptions, their delivery log, redelivery and tests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import AccountDep, ContextDep, SessionDep
from velox_commerce.openapi import problems
from velox_commerce.webhooks.schemas import (
    DeliveryDetail,
    DeliveryOut,
    DeliveryStatus,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from velox_commerce.webhooks.service import WebhookService

router = APIRouter(prefix="/v1/commerce/webhooks", tags=["commerce: webhooks"])


async def _service(session: SessionDep, account: AccountDep, context: ContextDep) -> WebhookService:
    return WebhookService(session, account, context.settings.environment)


ServiceDep = Annotated[WebhookService, Depends(_service)]


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe an endpoint to events",
    responses=problems(422),
)
async def create_subscription(
    data: SubscriptionCreate, service: ServiceDep
) -> SubscriptionWithSecret:
    """Events of the chosen types (of one store, or of all the account's stores) are POSTed
    to ``url``, signed per Standard Webhooks with the ``secret`` returned here only."""
    return await service.create(data)


@router.get("/subscriptions", summary="List webhook subscriptions")
async def list_subscriptions(
    service: ServiceDep, limit: LimitParam = 50, cursor: CursorParam = None
) -> Page[SubscriptionOut]:
    """The account's subscriptions, newest first (without their secrets)."""
    page = await service.page(limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get(
    "/subscriptions/{subscription_id}",
    summary="Get a webhook subscription",
    responses=problems(404),
)
async def get_subscription(subscription_id: str, service: ServiceDep) -> SubscriptionOut:
    """One subscription (its secret is never shown again)."""
    return await service.get(subscription_id)


@router.patch(
    "/subscriptions/{subscription_id}",
    summary="Update a webhook subscription",
    responses=problems(404, 422),
)
async def update_subscription(
    subscription_id: str, data: SubscriptionUpdate, service: ServiceDep
) -> SubscriptionOut:
    """Change the URL, event types, store or description; ``active: false`` pauses
    sending (deliveries wait until it is active again)."""
    return await service.update(subscription_id, data)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook subscription",
    responses=problems(404),
)
async def delete_subscription(subscription_id: str, service: ServiceDep) -> Response:
    """The subscription and its delivery log; nothing more is sent to it."""
    await service.delete(subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/subscriptions/{subscription_id}/rotate-secret",
    summary="Rotate a subscription's signing secret",
    responses=problems(404),
)
async def rotate_secret(subscription_id: str, service: ServiceDep) -> SubscriptionWithSecret:
    """A new secret, shown once; every attempt from now on is signed with it."""
    return await service.rotate_secret(subscription_id)


@router.post(
    "/subscriptions/{subscription_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a test event",
    responses=problems(404, 409),
)
async def send_test(subscription_id: str, service: ServiceDep) -> DeliveryOut:
    """Queues a signed ``webhook.test`` event to the endpoint; follow it in the log."""
    return await service.send_test(subscription_id)


@router.get("/deliveries", summary="List webhook deliveries")
async def list_deliveries(
    service: ServiceDep,
    subscription_id: Annotated[str | None, Query(max_length=40)] = None,
    status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[DeliveryOut]:
    """The delivery log, newest first: one entry per event and subscription, with its
    attempts, last answer and next retry."""
    page = await service.delivery_log(
        subscription_id=subscription_id, status=status_filter, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get(
    "/deliveries/{delivery_id}",
    summary="Get a webhook delivery",
    responses=problems(404),
)
async def get_delivery(delivery_id: str, service: ServiceDep) -> DeliveryDetail:
    """One delivery with the JSON body it sends."""
    return await service.delivery(delivery_id)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a delivery again",
    responses=problems(404, 409),
)
async def redeliver(delivery_id: str, service: ServiceDep) -> DeliveryOut:
    """Sends the same event again now (same ``webhook-id``, so receivers that deduplicate
    ignore it if they already have it), with a fresh schedule of retries."""
    return await service.redeliver(delivery_id)
