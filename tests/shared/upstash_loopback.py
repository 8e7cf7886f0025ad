"""A loopback server speaking Upstash's REST protocol, executing commands on real Redis.

Protocol (https://upstash.com/docs/redis/features/restapi): ``POST /`` with a JSON array
command, ``POST /pipeline`` and ``POST /multi-exec`` with an array of commands; bearer
token auth; with ``Upstash-Encoding: base64`` bulk strings come back base64-encoded.
"""

from __future__ import annotations

import base64
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _encode(value: Any, b64: bool) -> Any:
    if value is True:
        return "OK"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode() if b64 else value.decode()
    if isinstance(value, list | tuple):
        return [_encode(v, b64) for v in value]
    return value


def build_app(redis: Redis, token: str) -> Starlette:
    async def run(commands: list[list[Any]], transaction: bool) -> list[dict[str, Any]]:
        pipe = redis.pipeline(transaction=transaction)
        for command in commands:
            pipe.execute_command(*command)
        results = await pipe.execute(raise_on_error=False)
        return [
            {"error": str(r)} if isinstance(r, ResponseError) else {"result": r} for r in results
        ]

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {token}"

    async def single(request: Request) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        b64 = request.headers.get("upstash-encoding") == "base64"
        [reply] = await run([await request.json()], transaction=False)
        status = 400 if "error" in reply else 200
        return JSONResponse({k: _encode(v, b64) for k, v in reply.items()}, status_code=status)

    async def batch(request: Request) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        b64 = request.headers.get("upstash-encoding") == "base64"
        replies = await run(await request.json(), transaction=request.url.path == "/multi-exec")
        return JSONResponse([{k: _encode(v, b64) for k, v in r.items()} for r in replies])

    return Starlette(
        routes=[
            Route("/", single, methods=["POST"]),
            Route("/pipeline", batch, methods=["POST"]),
            Route("/multi-exec", batch, methods=["POST"]),
        ]
    )
