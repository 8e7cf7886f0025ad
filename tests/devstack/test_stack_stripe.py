"""``make run``'s Stripe wiring: the loopback Stripe signs webhooks to billing and to
commerce through the gateway, and both services get the same Stripe settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from velox_devstack.cli import Stack, process_specs, stripe_env
from velox_devstack.fakestripe.__main__ import parse_args

HOST, BASE = "127.0.0.1", 18000


@pytest.fixture(autouse=True)
def _local_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VELOX_HOME", str(tmp_path))
    for name in ("STRIPE_API_KEY", "FAKE_STRIPE_WEBHOOK_SECRET", "FAKE_STRIPE_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_loopback_stripe_sends_webhooks_to_billing_and_commerce() -> None:
    env, spec = stripe_env(HOST, BASE)
    assert spec is not None
    args = parse_args(spec.argv[spec.argv.index("--host") :])
    assert args.webhook_urls == [
        f"http://{HOST}:{BASE}/v1/billing/webhooks/stripe",
        f"http://{HOST}:{BASE}/v1/commerce/payments/stripe/webhook",
    ]
    assert args.webhook_secret == env["STRIPE_WEBHOOK_SECRET"]
    assert env["STRIPE_API_BASE"] == f"http://{HOST}:{args.port}"


def test_commerce_gets_the_stripe_settings_billing_gets() -> None:
    stack = Stack("postgresql://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/0")
    specs = {spec.name: spec for spec in process_specs(stack, HOST, BASE)}
    settings, _ = stripe_env(HOST, BASE)
    for name in ("STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET"):
        assert specs["commerce"].env[name] == specs["billing"].env[name] == settings[name]
    assert "STRIPE_API_KEY" not in specs["analytics"].env
