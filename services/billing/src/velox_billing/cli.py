"""``velox billing ...``: billing's operator commands (run through the ``velox`` console).

``velox billing sync-plans`` makes Stripe's products, prices, features and meters match
the plan catalogue (see ``catalog/sync.py``); it prints what it created or changed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import stripe

from velox_billing.catalog.sync import sync_plans
from velox_billing.config import Settings
from velox_billing.stripe_api import make_client

__all__ = ["main"]


async def _sync(settings: Settings) -> dict[str, Any]:
    connection = make_client(settings)
    if connection is None:
        raise SystemExit("velox billing: STRIPE_API_KEY is not set")
    try:
        report = await sync_plans(connection.client, settings.catalog())
    finally:
        await connection.aclose()
    return {
        "changed": report.changed,
        "created": report.created,
        "updated": report.updated,
        "archived": report.archived,
        "unchanged": report.unchanged,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="velox billing", description="Billing operations.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync-plans", help="create or update Stripe products, prices, features")
    return parser


def main(argv: list[str] | None = None) -> int:
    _parser().parse_args(argv)
    try:
        result = asyncio.run(_sync(Settings()))
    except stripe.StripeError as exc:
        print(json.dumps({"error": "stripe", "detail": str(exc)}), file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0
