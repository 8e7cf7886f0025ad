"""Bulk job test helpers: sessions on the vin_intel schema, tenants, VINs, a fake decoder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from velox_shared.db import session_factory
from velox_vin_intel.db.jobs import Job
from velox_vin_intel.decoding.rules import check_digit
from velox_vin_intel.decoding.schemas import CheckDigit, Issue, VinDecode
from velox_vin_intel.jobs.files import ParsedVins, parse_upload
from velox_vin_intel.jobs.service import create_job

Sessions = async_sessionmaker[AsyncSession]


def make_vin(n: int, *, valid: bool = True) -> str:
    """A distinct well-formed VIN; ``valid=False`` gives it a wrong check digit."""
    draft = f"5FNYF5H50HB{n:06d}"
    digit = check_digit(draft)
    if not valid:
        digit = "0" if digit != "0" else "1"
    return draft[:8] + digit + draft[9:]


def fake_decode_one(vin: str) -> VinDecode:
    """A stand-in for the real decoder: valid iff the check digit holds; even serials enriched."""
    expected = check_digit(vin)
    ok = vin[8] == expected
    issues = [] if ok else [Issue(code="check_digit", detail="wrong check digit", position=9)]
    return VinDecode(
        vin=vin,
        valid=ok,
        issues=issues,
        check_digit=CheckDigit(valid=ok, expected=expected, actual=vin[8]),
        wmi=vin[:3],
        vds=vin[3:9],
        vis=vin[9:],
        make="Honda",
        model=f"Pilot {vin[-4:]}",
        model_year=2017,
        plant_code=vin[10],
        serial=vin[11:],
        attributes={"fuel_type": "Gasoline", "drive_type": "AWD"},
        enrichment="vpic" if int(vin[-1]) % 2 == 0 else "offline",
    )


@dataclass
class FakeDecoder:
    """Records every call; can fail or hang on a given call (1-based) to play a crash."""

    fail_on_call: int | None = None
    hang_on_call: int | None = None
    calls: list[list[str]] = field(default_factory=list)
    entered_hang: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, vins: Sequence[str]) -> list[VinDecode]:
        self.calls.append(list(vins))
        if len(self.calls) == self.fail_on_call:
            raise RuntimeError("decoder crashed")
        if len(self.calls) == self.hang_on_call:
            self.entered_hang.set()
            await asyncio.Event().wait()  # until the worker is killed
        await asyncio.sleep(0)
        return [fake_decode_one(v) for v in vins]

    def decoded(self) -> list[str]:
        return [vin for call in self.calls for vin in call]


@pytest.fixture
def sessions(vin_db: AsyncEngine) -> Sessions:
    return session_factory(vin_db)


@pytest.fixture
async def tenants(vin_db: AsyncEngine, unique: str) -> AsyncIterator[Callable[[str], str]]:
    """Account ids for this test (``tenants("a")``); their jobs are deleted afterwards."""
    made: list[str] = []

    def tenant(name: str) -> str:
        made.append(f"acc_{unique}_{name}")
        return made[-1]

    yield tenant
    async with vin_db.begin() as conn:
        # job_rows, job_batches and job_results go with their job (ON DELETE CASCADE).
        await conn.execute(
            text("DELETE FROM vin_intel.jobs WHERE account_id = ANY(:a)"), {"a": made}
        )


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def new_job(
    sessions: Sessions,
    account: str,
    data: bytes,
    *,
    batch_size: int = 1000,
    key: str | None = None,
) -> Job:
    """Parse ``data`` and store its job in a committed transaction."""
    parsed: ParsedVins = parse_upload(data, "fleet.csv")
    async with sessions() as session, session.begin():
        return await create_job(session, account, parsed, "fleet.csv", key, batch_size=batch_size)


async def load_job(sessions: Sessions, job_id: str) -> Job:
    async with sessions() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def wait_for_status(sessions: Sessions, job_id: str, *statuses: str) -> Job:
    for _ in range(400):
        job = await load_job(sessions, job_id)
        if job.status in statuses:
            return job
        await asyncio.sleep(0.025)
    raise AssertionError(f"job {job_id} stayed {job.status}")
