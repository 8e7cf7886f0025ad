"""Which tier a family gets from the account's subscriptions (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from velox_billing.db.models import Subscription
from velox_billing.entitlements.service import Effective, effective_plans

from tests.conftest import shipped_catalog

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GRACE = timedelta(days=7)


def sub(
    status: str,
    *,
    family: str = "vin",
    tier: str = "pro",
    id_: str = "sub_1",
    past_due_since: datetime | None = None,
    created: datetime = NOW - timedelta(days=30),
) -> Subscription:
    return Subscription(
        id=id_,
        account_id="acc_1",
        family=family,
        tier=tier,
        status=status,
        past_due_since=past_due_since,
        created_at=created,
    )


def plans(*subs: Subscription) -> dict[str, Effective]:
    return effective_plans(shipped_catalog(), list(subs), now=NOW, grace=GRACE)


def test_active_and_trialing_grant_their_tier() -> None:
    assert plans(sub("active")) == {"vin": Effective("pro", "active", "sub_1")}
    assert plans(sub("trialing")) == {"vin": Effective("pro", "trialing", "sub_1")}


def test_past_due_keeps_the_tier_during_grace_then_not() -> None:
    recent = sub("past_due", past_due_since=NOW - timedelta(days=6, hours=23))
    assert plans(recent) == {"vin": Effective("pro", "grace", "sub_1")}
    expired = sub("past_due", past_due_since=NOW - timedelta(days=7))
    assert plans(expired) == {}


def test_ended_subscriptions_grant_nothing() -> None:
    for status in ("canceled", "unpaid", "incomplete", "incomplete_expired", "paused"):
        assert plans(sub(status)) == {}, status


def test_the_newest_subscription_of_a_family_decides() -> None:
    old = sub("active", tier="pro", id_="sub_old", created=NOW - timedelta(days=60))
    new = sub("active", tier="enterprise", id_="sub_new", created=NOW - timedelta(days=1))
    assert plans(old, new)["vin"] == Effective("enterprise", "active", "sub_new")


def test_families_are_independent_and_unknown_tiers_ignored() -> None:
    result = plans(
        sub("active", family="vin", tier="pro", id_="sub_v"),
        sub("trialing", family="commerce", tier="starter", id_="sub_c"),
        sub("active", family="vin", tier="platinum", id_="sub_x", created=NOW),
        sub("active", family="boats", tier="pro", id_="sub_b"),
    )
    assert result == {
        "vin": Effective("pro", "active", "sub_v"),
        "commerce": Effective("starter", "trialing", "sub_c"),
    }
