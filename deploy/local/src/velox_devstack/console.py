"""The ``velox`` operator console: ``velox billing ...`` goes to billing, the rest to the
gateway (accounts, keys). It lives here because only the dev stack may import both."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["billing"]:
        from velox_billing.cli import main as billing_main

        _load_stripe_env("billing")
        return billing_main(args[1:])
    from velox_gateway.cli import main as gateway_main

    return gateway_main(args)


def _load_stripe_env(component: str) -> None:
    """Without Stripe settings of its own, use those ``make run`` wrote for ``component``
    (the local stack's loopback Stripe)."""
    import json
    import os
    from pathlib import Path

    env_file = Path(os.environ.get("VELOX_HOME", ".velox")) / f"{component}.env"
    if os.environ.get("STRIPE_API_KEY") or not env_file.exists():
        return
    for line in env_file.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key and key not in os.environ:
            os.environ[key] = json.loads(value)


if __name__ == "__main__":
    raise SystemExit(main())
