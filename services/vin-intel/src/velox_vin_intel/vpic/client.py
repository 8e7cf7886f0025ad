"""NHTSA vPIC over httpx: bounded in time, retried with backoff, limited per host.

Every call has a deadline over all its attempts (``deadline`` seconds), each attempt its
own ``timeout``; connect errors, timeouts, 429 and 5xx are retried after an exponential
backoff with jitter (or vPIC's ``Retry-After`` when it is short enough to wait), any other
4xx is not. Whatever fails ends in :class:`VpicUnavailable`, so the caller answers from
the offline decode instead. Example::

    vpic = VpicClient(http)
    record = await vpic.decode_extended("5FNYF5H59HB011946")
    record.attributes["model"]        # 'Pilot'
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlsplit

import httpx

from velox_vin_intel.vpic.errors import VpicUnavailable
from velox_vin_intel.vpic.normalize import VpicRecord

__all__ = ["BATCH_SIZE", "DEFAULT_BASE_URL", "VpicClient"]

DEFAULT_BASE_URL: Final = "https://vpic.nhtsa.dot.gov/api"
BATCH_SIZE: Final = 50  # vPIC's documented limit for DecodeVINValuesBatch
_RETRYABLE_STATUS: Final = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class _Call:
    """One vPIC request as the retry loop repeats it."""

    what: str
    method: str
    url: str
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None


class _Retry(Exception):
    """An attempt failed in a way worth trying again after ``wait`` seconds."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class VpicClient:
    """Calls vPIC's flat decode endpoints; one per process, over the shared httpx client."""

    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        max_concurrency: int = 8,
        deadline: float = 5.0,
        max_retry_after: float = 2.0,
    ) -> None:
        self._owns_http = http is None
        self.http = http if http is not None else httpx.AsyncClient()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_concurrency = max_concurrency
        self.deadline = deadline
        self.max_retry_after = max_retry_after
        self._slots: dict[str, asyncio.Semaphore] = {}

    async def aclose(self) -> None:
        """Close the httpx client if this object made it (a caller's client stays open)."""
        if self._owns_http:
            await self.http.aclose()

    async def decode_extended(self, vin: str, model_year: int | None = None) -> VpicRecord:
        """vPIC's DecodeVinValuesExtended for one VIN; raises :class:`VpicUnavailable`."""
        params = {"format": "json"}
        if model_year is not None:
            params["modelyear"] = str(model_year)
        url = f"{self.base_url}/vehicles/DecodeVinValuesExtended/{quote(vin, safe='*')}"
        rows = await self._rows(_Call(f"DecodeVinValuesExtended for {vin}", "GET", url, params))
        if not rows:
            raise VpicUnavailable(f"vPIC returned no result row for {vin}")
        return VpicRecord.from_row(rows[0], vin)

    async def decode_batch(self, items: Sequence[tuple[str, int | None]]) -> dict[str, VpicRecord]:
        """DecodeVINValuesBatch in calls of 50 run side by side, keyed by upper-case VIN.

        VINs whose call failed are missing from the answer (the caller treats them as
        unavailable); :class:`VpicUnavailable` only when no call succeeded.
        """
        chunks = [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
        if not chunks:
            return {}
        answers = await asyncio.gather(
            *(self._batch_call(chunk) for chunk in chunks), return_exceptions=True
        )
        records: dict[str, VpicRecord] = {}
        failures: list[VpicUnavailable] = []
        for answer in answers:
            if isinstance(answer, VpicUnavailable):
                failures.append(answer)
            elif isinstance(answer, BaseException):
                raise answer
            else:
                records.update(answer)
        if failures and not records:
            raise VpicUnavailable(failures[0].reason)
        return records

    async def _batch_call(self, chunk: Sequence[tuple[str, int | None]]) -> dict[str, VpicRecord]:
        data = {"format": "json", "data": _batch_data(chunk)}
        url = f"{self.base_url}/vehicles/DecodeVINValuesBatch/"
        call = _Call(f"DecodeVINValuesBatch of {len(chunk)} VINs", "POST", url, data=data)
        records = (VpicRecord.from_row(row) for row in await self._rows(call))
        return {record.vin: record for record in records if record.vin}

    async def _rows(self, call: _Call) -> list[Mapping[str, Any]]:
        """The ``Results`` rows of one call, within the deadline over all attempts."""
        try:
            async with asyncio.timeout(self.deadline):
                body = await self._attempts(call)
        except TimeoutError:
            raise VpicUnavailable(
                f"vPIC {call.what} did not answer within {self.deadline:g}s"
            ) from None
        return _results(body, call.what)

    async def _attempts(self, call: _Call) -> Any:
        loop = asyncio.get_running_loop()
        ends = loop.time() + self.deadline
        reason = "no attempt made"
        for attempt in range(self.retries + 1):
            try:
                return await self._attempt(call)
            except _Retry as failed:
                reason = failed.reason
                wait = failed.wait if failed.wait is not None else self._backoff(attempt)
            if attempt == self.retries:
                break
            if loop.time() + wait >= ends:
                reason += f"; the next try would pass the {self.deadline:g}s deadline"
                break
            await asyncio.sleep(wait)
        raise VpicUnavailable(f"vPIC {call.what} failed after {attempt + 1} tries: {reason}")

    async def _attempt(self, call: _Call) -> Any:
        """One request under the host's concurrency limit; the JSON body or an error."""
        async with self._slot():
            try:
                response = await self.http.request(
                    call.method, call.url, params=call.params, data=call.data, timeout=self.timeout
                )
            except httpx.TimeoutException:
                raise _Retry(f"no answer within {self.timeout:g}s") from None
            except httpx.TransportError as exc:
                raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from None
        status = response.status_code
        if status in _RETRYABLE_STATUS:
            raise _Retry(f"HTTP {status}", self._retry_after(response))
        if status >= 400:
            raise VpicUnavailable(f"vPIC refused {call.what}: HTTP {status}")
        try:
            return response.json()
        except ValueError:
            raise VpicUnavailable(f"vPIC sent a body that is not JSON for {call.what}") from None

    def _slot(self) -> asyncio.Semaphore:
        host = urlsplit(self.base_url).netloc
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.max_concurrency)
        return slot

    def _backoff(self, attempt: int) -> float:
        # Jitter spreads the retries of many requests that failed together.
        return self.backoff * (2.0**attempt) * random.uniform(0.5, 1.5)

    def _retry_after(self, response: httpx.Response) -> float | None:
        """vPIC's Retry-After in seconds when short enough to wait; a long one ends tries."""
        header = response.headers.get("retry-after")
        if header is None:
            return None
        try:
            seconds = max(0.0, float(header))
        except ValueError:
            return None  # an HTTP date: keep our own backoff
        if seconds > self.max_retry_after:
            raise VpicUnavailable(
                f"vPIC answered HTTP {response.status_code} and asks to retry after {seconds:g}s"
            )
        return seconds


def _batch_data(chunk: Sequence[tuple[str, int | None]]) -> str:
    """vPIC's batch input: entries joined by ``;``, each ``VIN`` or ``VIN,modelyear``."""
    return ";".join(vin if year is None else f"{vin},{year}" for vin, year in chunk)


def _results(body: Any, what: str) -> list[Mapping[str, Any]]:
    """The ``Results`` rows of a vPIC body, or :class:`VpicUnavailable` for another shape."""
    rows = body.get("Results") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise VpicUnavailable(f"vPIC sent a body without a Results list for {what}")
    return rows
