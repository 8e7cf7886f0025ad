"""``velox``: the operator console (``uv run velox --help`` from a checkout).

It talks to the gateway's database and Redis directly. Settings come from the
environment; without ``DATABASE_URL`` it reads ``.velox/gateway.env``, which ``make run``
writes, so it works against the local stack as is.

Example::

    uv run velox accounts create --email ops@example.com --plan vin:pro --plan trading:free
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.plans import Catalog, load_catalog
from velox_shared.db import create_engine, session_factory
from velox_shared.errors import VeloxError
from velox_shared.ids import new_id
from velox_shared.passwords import hash_password

from velox_gateway.accounts.plans import plans_cache_key
from velox_gateway.accounts.repository import Accounts, Plans, Users
from velox_gateway.accounts.service import create_account, set_plans, set_status
from velox_gateway.apikeys.service import KeySecrets, create_key, revoke_key
from velox_gateway.catalog import read_cached
from velox_gateway.config import Settings
from velox_gateway.db.models import ApiKey, User

Command = Callable[[argparse.Namespace, AsyncSession, Settings], Awaitable[dict[str, Any]]]


def _load_local_env() -> None:
    if os.environ.get("DATABASE_URL"):
        return
    home = Path(os.environ.get("VELOX_HOME", ".velox"))
    env_file = home / "gateway.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key and key not in os.environ:
                os.environ[key] = json.loads(value)


async def _catalog(settings: Settings) -> Catalog:
    """The catalogue the gateways enforce: the pinned file, else billing's last publication."""
    if settings.plans_file:
        return load_catalog(settings.plans_file)
    redis = Redis.from_url(settings.redis_url)
    try:
        published = await read_cached(redis)
    finally:
        await redis.aclose()
    if published is None:
        raise SystemExit("velox: no plan catalogue yet; start billing (make run) and retry")
    return published.catalog


async def _create(
    args: argparse.Namespace, session: AsyncSession, settings: Settings
) -> dict[str, Any]:
    owner_id = None
    if args.email:
        if await Users(session).by_email(args.email):
            raise SystemExit(f"velox: {args.email} is already registered")
        user = User(
            id=new_id("usr"),
            email=args.email.lower(),
            password_hash=await hash_password(secrets.token_urlsafe(32)),
            created_at=datetime.now(UTC),
        )
        await Users(session).add(user)
        owner_id = user.id
    account = await create_account(
        session, name=args.name or args.email or "account", owner_user_id=owner_id
    )
    plans = await set_plans(
        session, await _catalog(settings), account.id, args.plan, source="operator"
    )
    key_secrets = KeySecrets(settings.api_key_pepper.get_secret_value(), settings.key_environment)
    row, key = await create_key(
        session,
        key_secrets,
        account_id=account.id,
        name="operator",
        scopes=["*"],
        expires_at=None,
        created_by=None,
    )
    return {
        "account_id": account.id,
        "api_key": key,
        "api_key_id": row.id,
        "plans": plans,
        "owner_user_id": owner_id,
    }


async def _list(
    args: argparse.Namespace, session: AsyncSession, settings: Settings
) -> dict[str, Any]:
    accounts = await Accounts(session).list_all(args.limit)
    return {
        "accounts": [
            {
                "id": a.id,
                "name": a.name,
                "status": a.status,
                "created_at": a.created_at.isoformat(),
                "plans": await Plans(session).of(a.id),
            }
            for a in accounts
        ]
    }


async def _status(
    args: argparse.Namespace, session: AsyncSession, settings: Settings
) -> dict[str, Any]:
    status = "suspended" if args.command == "suspend" else "active"
    account = await set_status(session, args.account_id, status)
    return {"account_id": account.id, "status": account.status}


async def _set_plan(
    args: argparse.Namespace, session: AsyncSession, settings: Settings
) -> dict[str, Any]:
    plans = await set_plans(
        session, await _catalog(settings), args.account_id, args.plan, source="operator"
    )
    return {"account_id": args.account_id, "plans": plans}


async def _revoke(
    args: argparse.Namespace, session: AsyncSession, settings: Settings
) -> dict[str, Any]:
    key = await session.scalar(select(ApiKey).where(ApiKey.id == args.key_id))
    if key is None:
        raise SystemExit(f"velox: no key {args.key_id}")
    await revoke_key(session, key.account_id, key.id)
    return {"api_key_id": key.id, "revoked": True}


async def _forget_caches(redis: Redis, session: AsyncSession, account_id: str | None) -> None:
    if not account_id:
        return
    hashes = (
        await session.scalars(select(ApiKey.key_hash).where(ApiKey.account_id == account_id))
    ).all()
    await redis.delete(plans_cache_key(account_id), *[f"velox:gw:apikey:{h}" for h in hashes])


async def _run(command: Command, args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings()
    engine = create_engine(settings.database_url, schema="gateway")
    redis = Redis.from_url(settings.redis_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            result = await command(args, session, settings)
            account_id = result.get("account_id")
            if not account_id and getattr(args, "key_id", None):
                account_id = await session.scalar(
                    select(ApiKey.account_id).where(ApiKey.id == args.key_id)
                )
        await _forget_caches(redis, session, account_id)
        return result
    finally:
        await redis.aclose()
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="velox", description="Velox operator console.")
    groups = parser.add_subparsers(dest="group", required=True)
    accounts = groups.add_parser("accounts", help="tenants").add_subparsers(
        dest="command", required=True
    )
    create = accounts.add_parser("create", help="create an account with plans and an API key")
    create.add_argument("--email", help="owner email (a user is created; they reset the password)")
    create.add_argument("--name", help="account name (default: the email)")
    create.add_argument("--plan", action="append", default=[], metavar="FAMILY:TIER")
    create.set_defaults(run=_create)
    listing = accounts.add_parser("list", help="newest accounts")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(run=_list)
    for name in ("suspend", "resume"):
        sub = accounts.add_parser(name, help=f"{name} an account")
        sub.add_argument("account_id")
        sub.set_defaults(run=_status)
    plan = accounts.add_parser("set-plan", help="set tiers directly (bypassing Stripe)")
    plan.add_argument("account_id")
    plan.add_argument("--plan", action="append", required=True, metavar="FAMILY:TIER")
    plan.set_defaults(run=_set_plan)
    keys = groups.add_parser("keys", help="API keys").add_subparsers(dest="command", required=True)
    revoke = keys.add_parser("revoke", help="revoke an API key by id")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=_revoke)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _load_local_env()
    try:
        result = asyncio.run(_run(args.run, args))
    except VeloxError as exc:
        print(json.dumps({"error": exc.problem, "detail": exc.detail}), file=sys.stderr)
        return 2
    print(json.dumps(result, default=str))
    return 0


__all__ = ["main"]


if __name__ == "__main__":
    raise SystemExit(main())
