"""The client's request body, streamed to the service and cut off at a size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from velox_shared.errors import BadRequest

from velox_gateway.proxy.errors import PayloadTooLarge

__all__ = ["RequestBody", "request_body"]


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body exceeds the limit of {max_bytes} bytes.",
        extensions={"max_bytes": max_bytes},
    )


class RequestBody:
    """An async iterable over ``request.stream()`` that never holds more than one chunk.

    ``started`` turns true once the first chunk is pulled: from then on the body is
    (partly) sent and the request can no longer be retried. ``error`` keeps what broke the
    body off (over the limit, the client gone): the transport reports it as a failed send,
    and the proxy answers with this instead of blaming the service.
    """

    def __init__(self, request: Request, *, max_bytes: int) -> None:
        self._request = request
        self._max_bytes = max_bytes
        self.started = False
        self.received = 0
        self.error: Exception | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        self.started = True
        try:
            async for chunk in self._request.stream():
                self.received += len(chunk)
                if self.received > self._max_bytes:
                    raise _too_large(self._max_bytes)
                if chunk:
                    yield chunk
        except Exception as exc:
            self.error = exc
            raise


def request_body(request: Request, *, max_bytes: int) -> RequestBody | None:
    """The body to forward, or None when the request has none.

    A declared ``Content-Length`` over ``max_bytes`` is refused before anything is read;
    a chunked body is counted while it streams.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise BadRequest(f"Invalid Content-Length {declared!r}.") from None
        if length < 0:
            raise BadRequest(f"Invalid Content-Length {declared!r}.")
        if length > max_bytes:
            raise _too_large(max_bytes)
        if length == 0:
            return None
    elif "transfer-encoding" not in request.headers:
        return None
    return RequestBody(request, max_bytes=max_bytes)
