"""Each component owns one schema through its own role, with its own Alembic history."""

from __future__ import annotations

import asyncpg
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from velox_devstack.components import COMPONENTS
from velox_devstack.database import plain_dsn

from tests.conftest import DbInfo

NAMES = [c.name for c in COMPONENTS]


def head_of(name: str) -> str:
    component = next(c for c in COMPONENTS if c.name == name)
    head = ScriptDirectory.from_config(Config(str(component.alembic_ini))).get_current_head()
    assert head is not None
    return head


@pytest.mark.parametrize("name", NAMES)
async def test_component_schema_is_at_head_with_its_version_table_inside(
    database: DbInfo, name: str
) -> None:
    schema = database.component(name).schema
    conn = await asyncpg.connect(plain_dsn(database.url_for(name)))
    try:
        version = await conn.fetchval(f'SELECT version_num FROM "{schema}".alembic_version')
        owner = await conn.fetchval(
            "SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'outbox'",
            schema,
        )
        public_version = await conn.fetchval("SELECT to_regclass('public.alembic_version')")
    finally:
        await conn.close()
    assert version == head_of(name)
    assert owner == database.component(name).role(database.role_prefix)
    assert public_version is None


async def test_a_role_cannot_read_another_components_tables(database: DbInfo) -> None:
    conn = await asyncpg.connect(plain_dsn(database.url_for("commerce")))
    try:
        assert await conn.fetchval("SELECT count(*) FROM commerce.outbox") >= 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetchval("SELECT count(*) FROM billing.outbox")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE billing.sneaky (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE SCHEMA sneaky")
    finally:
        await conn.close()


async def test_a_service_role_resolves_names_in_its_own_schema(database: DbInfo) -> None:
    conn = await asyncpg.connect(plain_dsn(database.url_for("vin-intel")))
    try:
        assert await conn.fetchval("SHOW search_path") == "vin_intel"
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
    finally:
        await conn.close()
