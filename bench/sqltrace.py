"""Which SQL statements an app served in this process runs, request by request.

A SQLAlchemy ``before_cursor_execute`` listener on the sync ``Engine`` class (it sees
async engines too) and an ASGI wrapper that opens a :class:`Trace` per HTTP request in
a context variable (SQLAlchemy's greenlets run in the caller's context, so a statement
lands in the trace of the request that ran it). Statements run outside any request (the
outbox relay, the reservation sweeper) are counted apart, per :class:`Phase`.

Example::

    tracer = Tracer()
    tracer.install()
    app = tracer.wrap(create_app())
    with tracer.phase("completion") as phase:
        ...  # requests
    print(len(phase.traces), phase.statements() / len(phase.traces))
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Phase", "Statement", "Trace", "Tracer", "current_trace", "label"]

_NAMES = re.compile(r"\b(FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_][\w.]*)(\()?")
_NOT_TABLES = frozenset({"OF", "SET", "SKIP", "NOWAIT", "LATERAL"})
_STARTED = "bench_sqltrace_started"
_STATEMENT = "bench_sqltrace_statement"


def label(sql: str) -> str:
    """A short name for a statement: verb, the tables it reads or writes, row locks.

    ``SELECT ... FROM commerce.carts WHERE ... FOR UPDATE`` is ``SELECT carts FOR UPDATE``.
    """
    flat = " ".join(sql.split())
    verb = flat.split(" ", 1)[0].upper()
    tables: list[str] = []
    for _, name, call in _NAMES.findall(flat):
        if call or name.upper() in _NOT_TABLES:
            continue
        table = name.rsplit(".", 1)[-1]
        if table not in tables:
            tables.append(table)
    text = f"{verb} {'+'.join(tables)}" if tables else flat[:60]
    if "FOR UPDATE" in flat:
        text += " FOR UPDATE" + (" SKIP LOCKED" if "SKIP LOCKED" in flat else "")
    if " ON CONFLICT " in flat:
        text += " ON CONFLICT"
    return text


@dataclass(slots=True)
class Statement:
    label: str
    sql: str
    executemany: bool
    # From the call to the driver until it returned: includes waiting for row locks.
    seconds: float = 0.0


@dataclass
class Trace:
    """One HTTP request: its statements, transactions and time in external services."""

    method: str
    path: str
    status: int = 0
    seconds: float = 0.0
    statements: list[Statement] = field(default_factory=list)
    commits: int = 0
    rollbacks: int = 0
    checkouts: int = 0
    external_calls: int = 0
    external_seconds: float = 0.0

    @property
    def sql_seconds(self) -> float:
        return sum(s.seconds for s in self.statements)


@dataclass
class Phase:
    """The traces of requests that ended while it was open, and what ran outside them."""

    name: str
    traces: list[Trace] = field(default_factory=list)
    background: Counter[str] = field(default_factory=Counter)

    def statements(self) -> int:
        return sum(len(t.statements) for t in self.traces)


_CURRENT: ContextVar[Trace | None] = ContextVar("bench_sqltrace", default=None)


def current_trace() -> Trace | None:
    """The trace of the request being handled, if any."""
    return _CURRENT.get()


class Tracer:
    def __init__(self) -> None:
        self._phase: Phase | None = None
        self._installed = False

    def install(self) -> None:
        """Listen on every engine of the process (and every pool)."""
        if self._installed:
            return
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)
        event.listen(Engine, "commit", self._commit)
        event.listen(Engine, "rollback", self._rollback)
        event.listen(Pool, "checkout", self._checkout)
        self._installed = True

    def remove(self) -> None:
        if not self._installed:
            return
        event.remove(Engine, "before_cursor_execute", self._before)
        event.remove(Engine, "after_cursor_execute", self._after)
        event.remove(Engine, "commit", self._commit)
        event.remove(Engine, "rollback", self._rollback)
        event.remove(Pool, "checkout", self._checkout)
        self._installed = False

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        """Collect the requests that end, and the background statements run, meanwhile."""
        phase = Phase(name)
        self._phase = phase
        try:
            yield phase
        finally:
            self._phase = None

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """``app`` with a trace opened for each of its HTTP requests."""

        async def traced(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            trace = Trace(method=scope["method"], path=scope["path"])

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    trace.status = int(message["status"])
                await send(message)

            token = _CURRENT.set(trace)
            started = time.perf_counter()
            try:
                await app(scope, receive, sending)
            finally:
                trace.seconds = time.perf_counter() - started
                _CURRENT.reset(token)
                if self._phase is not None:
                    self._phase.traces.append(trace)

        return traced

    # -- listeners ---------------------------------------------------------------------

    def _before(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        trace = _CURRENT.get()
        if trace is None:
            if self._phase is not None:
                self._phase.background[label(statement)] += 1
            conn.info.pop(_STATEMENT, None)
            return
        record = Statement(label(statement), statement, executemany)
        trace.statements.append(record)
        conn.info[_STATEMENT] = record
        conn.info[_STARTED] = time.perf_counter()

    def _after(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        record = conn.info.pop(_STATEMENT, None)
        started = conn.info.pop(_STARTED, None)
        if isinstance(record, Statement) and started is not None:
            record.seconds = time.perf_counter() - started

    @staticmethod
    def _commit(conn: Any) -> None:
        trace = _CURRENT.get()
        if trace is not None:
            trace.commits += 1

    @staticmethod
    def _rollback(conn: Any) -> None:
        trace = _CURRENT.get()
        if trace is not None:
            trace.rollbacks += 1

    @staticmethod
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        trace = _CURRENT.get()
        if trace is not None:
            trace.checkouts += 1
