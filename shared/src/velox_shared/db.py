"""Async SQLAlchemy helpers: engines bound to a service schema, sessions, model bases.

Example::

    engine = create_engine(settings.database_url, schema="commerce")
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import MetaData, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import DeclarativeBase

__all__ = [
    "NAMING_CONVENTION",
    "async_url",
    "create_engine",
    "make_base",
    "ping",
    "request_session",
    "schema_metadata",
    "session_factory",
    "session_scope",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def async_url(url: str | URL) -> URL:
    """Normalise any PostgreSQL URL to the asyncpg driver.

    Example::

        async_url("postgres://u@h/db")  # postgresql+asyncpg://u@h/db
    """
    parsed = make_url(str(url)) if isinstance(url, str) else url
    if parsed.drivername in {"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed


def create_engine(url: str | URL, *, schema: str | None, pool_size: int = 5) -> AsyncEngine:
    """An engine whose connections resolve unqualified names in ``schema`` first."""
    connect_args: dict[str, Any] = {"server_settings": {"application_name": schema or "velox"}}
    if schema:
        connect_args["server_settings"]["search_path"] = schema
    return _create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def session_scope(
    sessions: Callable[[], AsyncSession],
) -> Callable[[], AsyncIterator[AsyncSession]]:
    """A FastAPI dependency: one session per request, committed on success, rolled back on error.

    Example::

        get_session = session_scope(sessions)
        SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
    """

    async def dependency() -> AsyncIterator[AsyncSession]:
        async for session in request_session(sessions):
            yield session

    return dependency


async def request_session(sessions: Callable[[], AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One request's session: committed when the request succeeds, rolled back otherwise.

    Example (a dependency over sessions built in the lifespan)::

        async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
            async for session in request_session(context.runtime.sessions):
                yield session
    """
    async with sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def schema_metadata(schema: str) -> MetaData:
    """Metadata pinned to ``schema`` with the shared naming convention.

    Example::

        class Base(DeclarativeBase):
            metadata = schema_metadata("gateway")
    """
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def make_base(schema: str) -> type[DeclarativeBase]:
    """A declarative base whose metadata is pinned to ``schema``, so no model lands elsewhere."""

    class Base(DeclarativeBase):
        metadata = schema_metadata(schema)

    return Base


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers ``SELECT 1``."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
