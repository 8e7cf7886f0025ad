"""A loopback Stripe for tests and ``make run``: Stripe's paths, object shapes (API version
2026-10-28) and webhook signatures for what Velox billing calls, in memory.

Covered: customers, products (caller-chosen ids), prices (lookup keys, transfer, tiers,
metered), entitlement features and product features, active entitlements, billing meters
and meter events (idempotent by identifier), Checkout Sessions, Customer Portal sessions,
subscriptions (items, plan changes, cancel at period end, cancel now), invoices and
previews, PaymentIntents (Stripe's test payment methods decide: authorized, declined or 3D
Secure; manual or automatic capture, partial capture, cancel), charges, refunds, events,
webhook endpoints, ``Idempotency-Key`` replay, Stripe's error bodies and list pagination.
Fake-only control endpoints under ``/_fake`` play the customer and the bank: complete a
checkout, fail or pay an invoice, end a period, answer 3D Secure, resend an event.

Run it: ``python -m velox_devstack.fakestripe --port 12111 --webhook-url URL
[--webhook-url URL2 ...] --webhook-secret whsec_...``; build it in a test with
:func:`create_app`.
"""

from velox_devstack.fakestripe.app import create_app

__all__ = ["create_app"]
