"""The fake vPIC's HTTP surface (FastAPI): vPIC's two flat decode calls, plus ``/_fake``.

``GET /api/vehicles/DecodeVinValuesExtended/{vin}?format=json[&modelyear=Y]`` answers the
recording for the VIN, or vPIC's row for a VIN it cannot decode (error codes 1/6/7/400,
the rest empty). ``POST /api/vehicles/DecodeVINValuesBatch/`` takes vPIC's form body
(``format=json&data=VIN[,YEAR];VIN...``) and answers one row per entry; past 50 entries,
vPIC's documented limit, the fake refuses with 400 so a client that does not split shows.
Path names are matched without regard to case, as vPIC does. The fake speaks
``format=json`` only; ``modelyear`` is accepted and not used (a recording is one vehicle).

Control, fake-only: ``POST /_fake/slow`` ``{"delay": s}``; ``POST /_fake/fail``
``{"status": 503, "times": 2 | null, "retry_after": 1 | null}`` (null times: always);
``POST /_fake/garble`` ``{"times": 1 | null}`` (a body cut short, still ``200`` and
``application/json``); ``POST /_fake/normal``; ``GET /_fake/calls`` (counters, the peak of
calls in flight) and ``DELETE /_fake/calls``; ``GET /_fake/recordings``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from velox_devstack.fakevpic.shape import envelope, unknown_row

__all__ = ["RECORDINGS", "create_app", "load_recordings"]

RECORDINGS: Final = Path(__file__).parent / "recordings"
BATCH_LIMIT: Final = 50
_EXTENDED: Final = "decodevinvaluesextended"
_BATCH: Final = "decodevinvaluesbatch"
_STATUS_TEXT: Final = {429: "Too Many Requests", 500: "Internal Server Error"}


def load_recordings(folder: Path) -> dict[str, dict[str, str]]:
    """The first result row of every ``<VIN>.json`` in ``folder``, keyed by VIN."""
    rows: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.json")):
        body = json.loads(path.read_text())
        rows[path.stem.upper()] = dict(body["Results"][0])
    return rows


class Slow(BaseModel):
    """Body of ``POST /_fake/slow``."""

    delay: float = Field(ge=0, le=120, description="Seconds every call waits before answering.")


class Fail(BaseModel):
    """Body of ``POST /_fake/fail``."""

    status: int = Field(ge=400, le=599)
    times: int | None = Field(None, ge=1, description="The next N calls fail; null: all.")
    retry_after: float | None = Field(None, ge=0)


class Garble(BaseModel):
    """Body of ``POST /_fake/garble``."""

    times: int | None = Field(1, ge=1, description="The next N calls; null: all.")


@dataclass
class Calls:
    """What the fake has been asked since the last reset."""

    total: int = 0
    extended: int = 0
    batch: int = 0
    vins: list[str] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


@dataclass
class Fake:
    """Recordings, the behaviour the control endpoints set, and the call counters."""

    rows: dict[str, dict[str, str]]
    delay: float = 0.0
    fail: Fail | None = None
    fail_left: int | None = None
    garble_left: int | None = 0
    calls: Calls = field(default_factory=Calls)

    def row(self, vin: str) -> dict[str, str]:
        """The recorded row for ``vin`` (echoing it as sent), or vPIC's unknown-VIN row."""
        found = self.rows.get(vin.upper())
        return {**found, "VIN": vin} if found else unknown_row(vin)

    def normal(self) -> None:
        """Back to answering at once and well."""
        self.delay, self.fail, self.fail_left, self.garble_left = 0.0, None, None, 0

    def _take_failure(self) -> Response | None:
        if self.fail is None:
            return None
        failure = self.fail
        if self.fail_left is not None:
            self.fail_left -= 1
            if self.fail_left <= 0:
                self.fail, self.fail_left = None, None
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = f"{failure.retry_after:g}"
        text = _STATUS_TEXT.get(failure.status, "Service Unavailable")
        return Response(text, failure.status, headers=headers, media_type="text/plain")

    def _take_garble(self) -> bool:
        if self.garble_left is None:
            return True
        if self.garble_left > 0:
            self.garble_left -= 1
            return True
        return False

    async def serve(self, answer: Callable[[], dict[str, Any]]) -> Response:
        """Count the call, play the set behaviour, then send vPIC's JSON ``answer()``."""
        self.calls.total += 1
        self.calls.in_flight += 1
        self.calls.max_in_flight = max(self.calls.max_in_flight, self.calls.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            failure = self._take_failure()
            if failure is not None:
                return failure
            if self._take_garble():
                cut = json.dumps(answer())[:40]
                return Response(cut, 200, media_type="application/json")
            return JSONResponse(answer())
        finally:
            self.calls.in_flight -= 1


def _not_found(path: str) -> Response:
    return JSONResponse({"Message": f"No vPIC endpoint at {path}"}, 404)


def _batch_entries(body: bytes) -> tuple[str, list[str]]:
    """The ``format`` and the VINs of a batch form body (a model year after a comma)."""
    form = parse_qs(body.decode(), keep_blank_values=True)
    data = form.get("data", form.get("DATA", [""]))[0]
    entries = [entry.strip() for entry in data.split(";") if entry.strip()]
    return form.get("format", [""])[0], [entry.split(",")[0].strip() for entry in entries]


def create_app(recordings_dir: Path | None = None) -> FastAPI:
    """The fake vPIC serving the recordings in ``recordings_dir`` (the shipped ones)."""
    fake = Fake(load_recordings(recordings_dir or RECORDINGS))
    app = FastAPI(title="Fake vPIC", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.fake = fake

    @app.get("/api/vehicles/{endpoint}/{vin}")
    async def decode_extended(endpoint: str, vin: str, request: Request) -> Response:
        """vPIC's DecodeVinValuesExtended (flat format)."""
        if endpoint.lower() != _EXTENDED:
            return _not_found(request.url.path)
        if request.query_params.get("format", "").lower() != "json":
            return JSONResponse({"Message": "The fake vPIC answers format=json only."}, 400)
        fake.calls.extended += 1
        fake.calls.vins.append(vin)
        return await fake.serve(lambda: envelope([fake.row(vin)], f"VIN(s): {vin}"))

    async def decode_batch(endpoint: str, request: Request) -> Response:
        """vPIC's DecodeVINValuesBatch: one flat row per VIN of the form's ``data``."""
        if endpoint.lower() != _BATCH:
            return _not_found(request.url.path)
        fmt, vins = _batch_entries(await request.body())
        if fmt.lower() != "json":
            return JSONResponse({"Message": "The fake vPIC answers format=json only."}, 400)
        if not vins or len(vins) > BATCH_LIMIT:
            message = f"A batch holds 1 to {BATCH_LIMIT} VINs; this one has {len(vins)}."
            return JSONResponse({"Message": message}, 400)
        fake.calls.batch += 1
        fake.calls.vins.extend(vins)
        fake.calls.batch_sizes.append(len(vins))
        return await fake.serve(lambda: envelope([fake.row(v) for v in vins], ""))

    for path in ("/api/vehicles/{endpoint}/", "/api/vehicles/{endpoint}"):
        app.add_api_route(path, decode_batch, methods=["POST"])
    _control_routes(app, fake)
    return app


def _control_routes(app: FastAPI, fake: Fake) -> None:
    @app.post("/_fake/slow")
    async def slow(body: Slow) -> dict[str, float]:
        """Every call waits ``delay`` seconds before answering."""
        fake.delay = body.delay
        return {"delay": fake.delay}

    @app.post("/_fake/fail")
    async def fail(body: Fail) -> dict[str, Any]:
        """The next ``times`` calls (or all) answer ``status``."""
        fake.fail, fake.fail_left = body, body.times
        return body.model_dump()

    @app.post("/_fake/garble")
    async def garble(body: Garble) -> dict[str, int | None]:
        """The next ``times`` calls (or all) answer a JSON body cut short."""
        fake.garble_left = body.times
        return {"times": body.times}

    @app.post("/_fake/normal")
    async def normal() -> dict[str, bool]:
        """No delay, no failure, no garbling (the counters stay)."""
        fake.normal()
        return {"normal": True}

    @app.get("/_fake/calls")
    async def calls() -> dict[str, Any]:
        """The calls received since the last reset."""
        return asdict(fake.calls)

    @app.delete("/_fake/calls")
    async def reset_calls() -> dict[str, Any]:
        """Zero the counters."""
        fake.calls = Calls(in_flight=fake.calls.in_flight)
        return asdict(fake.calls)

    @app.get("/_fake/recordings")
    async def recordings() -> list[dict[str, str]]:
        """The recorded VINs with year, make and model."""
        keys = ("VIN", "ModelYear", "Make", "Model")
        return [{k: row.get(k, "") for k in keys} | {"VIN": vin} for vin, row in fake.rows.items()]
