"""A body size cap for the gateway's own routes (sign-up, keys, members...).

Proxied paths are left alone: the proxy streams them under its own, much larger,
``GATEWAY_MAX_BODY_BYTES``. A declared ``Content-Length`` over the cap is refused before
anything is read; a chunked body is counted as it arrives and cut off at the cap.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from velox_shared.errors import problem_response

__all__ = ["OwnBodyLimitMiddleware"]


class _TooLarge(HTTPException):
    """Raised from ``receive``; FastAPI re-raises HTTP exceptions met while reading a body,
    so the shared handler renders it as a 413 problem."""


class OwnBodyLimitMiddleware:
    """Answers 413 problem+json to bodies over ``max_bytes`` outside ``proxied_prefixes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, proxied_prefixes: Sequence[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.proxied = tuple(proxied_prefixes)

    @property
    def _detail(self) -> str:
        return f"This endpoint accepts bodies of at most {self.max_bytes} bytes."

    def _exempt(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.proxied)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(413, self._detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            "payload-too-large",
            "Payload too large",
            self._detail,
            instance=scope["path"],
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
