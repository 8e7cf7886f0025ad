"""``python -m velox_devstack.fakestripe``: serve the loopback Stripe with uvicorn."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

import uvicorn

from velox_devstack.fakestripe.app import create_app


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fakestripe", description="A loopback Stripe.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument(
        "--webhook-url",
        dest="webhook_urls",
        action="append",
        help="an endpoint sent every event; repeat for several "
        "(default: FAKE_STRIPE_WEBHOOK_URL, comma-separated)",
    )
    parser.add_argument("--webhook-secret", default=os.environ.get("FAKE_STRIPE_WEBHOOK_SECRET"))
    args = parser.parse_args(argv)
    if args.webhook_urls is None:
        env = os.environ.get("FAKE_STRIPE_WEBHOOK_URL", "")
        args.webhook_urls = [url.strip() for url in env.split(",") if url.strip()]
    return args


def main() -> None:
    args = parse_args()
    app = create_app(
        api_key=os.environ.get("FAKE_STRIPE_API_KEY", "sk_test_velox"),
        webhook_urls=args.webhook_urls,
        webhook_secret=args.webhook_secret,
        base_url=f"http://{args.host}:{args.port}",
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
