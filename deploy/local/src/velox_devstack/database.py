"""Provisioning (one schema and one role per component) and migrations, run as the admin.

Each component gets a login role (``velox_<schema>`` by default) that owns its schema and
nothing else; migrations run with ``SET ROLE`` to it, so the tables are its own. Another
component's role has no ``USAGE`` on the schema, so it cannot read a single row there.

The extensions a component declares (``Component.extensions``) are installed here, as the
admin, in ``public``: a component's role has no CREATE on the database, which creating even
a trusted extension such as pg_trgm needs; its migrations' ``CREATE EXTENSION IF NOT
EXISTS`` then finds it installed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL, make_url

from velox_devstack.components import COMPONENTS, Component

_log = logging.getLogger("velox.devstack")

__all__ = ["component_url", "drop_roles", "migrate_all", "plain_dsn", "provision"]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"unsafe SQL identifier {name!r}")
    return f'"{name}"'


def plain_dsn(url: str | URL) -> str:
    """A libpq-style DSN (no SQLAlchemy driver suffix) for asyncpg."""
    parsed = make_url(str(url)) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def role_password(component: Component) -> str | None:
    """``VELOX_ROLE_PASSWORD_<SCHEMA>`` if set (production); local trust auth needs none."""
    return os.environ.get(f"VELOX_ROLE_PASSWORD_{component.schema.upper()}")


def component_url(admin_url: str, component: Component, role_prefix: str) -> str:
    """The URL a component connects with: the admin URL with the component's own role."""
    url = make_url(admin_url).set(
        username=component.role(role_prefix), password=role_password(component)
    )
    return url.render_as_string(hide_password=False)


async def _provision_one(conn: asyncpg.Connection, component: Component, prefix: str) -> None:
    role, schema = component.role(prefix), component.schema
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    if not exists:
        await conn.execute(
            f"CREATE ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
        )
    password = role_password(component)
    if password:
        await conn.execute(f"ALTER ROLE {_ident(role)} PASSWORD {_literal(password)}")
    is_super = await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not is_super:
        await conn.execute(f"GRANT {_ident(role)} TO current_user")
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)} AUTHORIZATION {_ident(role)}")
    await conn.execute(f"REVOKE ALL ON SCHEMA {_ident(schema)} FROM PUBLIC")
    for extension in component.extensions:
        # Trusted extensions need CREATE on the database, which component roles lack: the
        # admin installs them once per database in public, where the role may use them.
        # A server without the extension (the embedded one ships no contrib) is left to
        # the component's fallback.
        available = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = $1)", extension
        )
        if not available:
            _log.warning("extension %s is not available on this server", extension)
            continue
        await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {_ident(extension)} SCHEMA public")
        await conn.execute(f"GRANT USAGE ON SCHEMA public TO {_ident(role)}")
    database = await conn.fetchval("SELECT current_database()")
    await conn.execute(
        f"ALTER ROLE {_ident(role)} IN DATABASE {_ident(database)} "
        f"SET search_path = {_ident(schema)}"
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def provision(
    admin_url: str, prefix: str, components: tuple[Component, ...] = COMPONENTS
) -> None:
    """Create (idempotently) each component's role and schema."""
    conn = await asyncpg.connect(plain_dsn(admin_url))
    try:
        # One provisioner at a time: replicas starting together must not race on CREATE ROLE.
        await conn.execute("SELECT pg_advisory_lock(74231)")
        try:
            for component in components:
                await _provision_one(conn, component, prefix)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(74231)")
    finally:
        await conn.close()


def migrate_all(
    admin_url: str, prefix: str, components: tuple[Component, ...] = COMPONENTS
) -> None:
    """Provision, then bring every component's schema to its Alembic head."""
    asyncio.run(provision(admin_url, prefix, components))
    for component in components:
        config = Config(str(component.alembic_ini))
        config.attributes["url"] = admin_url
        config.attributes["role"] = component.role(prefix)
        command.upgrade(config, "head")


async def drop_roles(
    admin_url: str, prefix: str, components: tuple[Component, ...] = COMPONENTS
) -> None:
    """Drop the components' roles (the schemas must be gone, e.g. with their database)."""
    conn = await asyncpg.connect(plain_dsn(admin_url))
    try:
        for component in components:
            await conn.execute(f"DROP ROLE IF EXISTS {_ident(component.role(prefix))}")
    finally:
        await conn.close()
