"""Webhook rules: endpoints partners may use, secrets shown once, a delivery log per
account, redelivery and test events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.db.aftersales import WebhookDelivery, WebhookSubscription
from velox_commerce.errors import ResourceNotFound, StateConflict
from velox_commerce.stores.service import Stores
from velox_commerce.webhooks.catalogue import TEST_EVENT, webhook_body
from velox_commerce.webhooks.repository import Deliveries, Subscriptions
from velox_commerce.webhooks.schemas import (
    DeliveryDetail,
    DeliveryOut,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from velox_commerce.webhooks.signing import generate_secret
from velox_commerce.webhooks.urls import check_url

__all__ = ["WebhookService", "render_delivery"]


OutT = TypeVar("OutT", bound=DeliveryOut)


def _render(model: type[OutT], row: WebhookDelivery) -> OutT:
    out = model.model_validate(row)
    if out.status in ("succeeded", "dead"):
        out.next_attempt_at = None
    return out


def render_delivery(row: WebhookDelivery) -> DeliveryOut:
    """A delivery as the API shows it (no next attempt once it succeeded or died)."""
    return _render(DeliveryOut, row)


def _with_secret(subscription: WebhookSubscription) -> SubscriptionWithSecret:
    return SubscriptionWithSecret.model_validate(subscription)


class WebhookService:
    def __init__(self, session: AsyncSession, account_id: str, environment: str) -> None:
        self.session = session
        self.account_id = account_id
        self.environment = environment
        self.subscriptions = Subscriptions(session)
        self.deliveries = Deliveries(session)

    async def _check_store(self, store_id: str | None) -> None:
        if store_id is None:
            return
        if await Stores(self.session).get(store_id, account_id=self.account_id) is None:
            raise UnprocessableContent(
                f"No store {store_id!r} in this account.", extensions={"field": "store_id"}
            )

    async def _subscription(self, subscription_id: str) -> WebhookSubscription:
        found = await self.subscriptions.get(subscription_id, account_id=self.account_id)
        if found is None:
            raise ResourceNotFound.of("webhook subscription", subscription_id)
        return found

    async def create(self, data: SubscriptionCreate) -> SubscriptionWithSecret:
        check_url(data.url, self.environment)
        await self._check_store(data.store_id)
        subscription = WebhookSubscription(
            id=new_id("whk"),
            account_id=self.account_id,
            secret=generate_secret(),
            **data.model_dump(),
        )
        await self.subscriptions.add(subscription)
        await self.session.refresh(subscription)
        return _with_secret(subscription)

    async def get(self, subscription_id: str) -> SubscriptionOut:
        return SubscriptionOut.model_validate(await self._subscription(subscription_id))

    async def page(self, *, limit: int, cursor: str | None) -> PageResult[SubscriptionOut]:
        query = self.subscriptions.query(account_id=self.account_id)
        page = await self.subscriptions.page(query, limit=limit, cursor=cursor)
        items = [SubscriptionOut.model_validate(s) for s in page.items]
        return PageResult(items=items, next_cursor=page.next_cursor)

    async def update(self, subscription_id: str, data: SubscriptionUpdate) -> SubscriptionOut:
        subscription = await self._subscription(subscription_id)
        changes = data.model_dump(exclude_unset=True)
        if "url" in changes:
            check_url(changes["url"], self.environment)
        if "store_id" in changes:
            await self._check_store(changes["store_id"])
        for name, value in changes.items():
            setattr(subscription, name, value)
        await self.session.flush()
        return SubscriptionOut.model_validate(subscription)

    async def delete(self, subscription_id: str) -> None:
        """The subscription and its delivery log go (pending deliveries are not sent)."""
        await self.session.delete(await self._subscription(subscription_id))
        await self.session.flush()

    async def rotate_secret(self, subscription_id: str) -> SubscriptionWithSecret:
        subscription = await self._subscription(subscription_id)
        subscription.secret = generate_secret()
        await self.session.flush()
        return _with_secret(subscription)

    async def send_test(self, subscription_id: str) -> DeliveryOut:
        """Queue a ``webhook.test`` event for the subscription (sent within seconds)."""
        subscription = await self._subscription(subscription_id)
        if not subscription.active:
            raise StateConflict(f"Webhook subscription {subscription_id} is paused.")
        delivery = WebhookDelivery(
            id=new_id("whd"),
            account_id=self.account_id,
            subscription_id=subscription.id,
            event_id="evt_" + uuid.uuid4().hex,
            event_type=TEST_EVENT,
            payload=webhook_body(
                TEST_EVENT,
                datetime.now(UTC),
                {"subscription_id": subscription.id, "message": "A test event from Velox."},
            ),
        )
        await self.deliveries.add(delivery)
        await self.session.refresh(delivery)
        return render_delivery(delivery)

    async def delivery_log(
        self,
        *,
        subscription_id: str | None,
        status: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[DeliveryOut]:
        query = self.deliveries.log(self.account_id, subscription_id, status)
        page = await self.deliveries.page(query, limit=limit, cursor=cursor)
        return PageResult(
            items=[render_delivery(d) for d in page.items], next_cursor=page.next_cursor
        )

    async def _delivery(self, delivery_id: str) -> WebhookDelivery:
        found = await self.deliveries.get(delivery_id, account_id=self.account_id)
        if found is None:
            raise ResourceNotFound.of("webhook delivery", delivery_id)
        return found

    async def delivery(self, delivery_id: str) -> DeliveryDetail:
        return _render(DeliveryDetail, await self._delivery(delivery_id))

    async def redeliver(self, delivery_id: str) -> DeliveryOut:
        """Send again now, with the same ``webhook-id`` and a fresh retry schedule."""
        delivery = await self._delivery(delivery_id)
        subscription = await self._subscription(delivery.subscription_id)
        if not subscription.active:
            raise StateConflict(f"Webhook subscription {subscription.id} is paused.")
        await self.deliveries.redeliver(delivery)
        return render_delivery(delivery)
