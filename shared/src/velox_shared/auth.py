"""Service-side identity enforcement: an ASGI middleware and the request dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from velox_shared.context import current_request_id
from velox_shared.errors import problem_response
from velox_shared.identity import Identity, IdentityVerifier, InvalidIdentity

__all__ = ["PUBLIC_PATHS", "CurrentIdentity", "IdentityMiddleware", "current_identity"]

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"})


class IdentityMiddleware:
    """Refuses every request (health and docs excepted) without a valid gateway identity."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: IdentityVerifier,
        public_paths: frozenset[str] = PUBLIC_PATHS,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public_paths:
            await self.app(scope, receive, send)
            return
        token = None
        for key, value in scope.get("headers", []):
            if key == b"x-velox-identity":
                token = value.decode("latin-1")
                break
        try:
            identity = self.verifier.verify(token)
        except InvalidIdentity as exc:
            response = problem_response(
                exc.status, exc.problem, exc.title, exc.detail, instance=scope["path"]
            )
            await response(scope, receive, send)
            return
        request_id = current_request_id()
        if request_id:
            identity = identity.model_copy(update={"request_id": request_id})
        scope.setdefault("state", {})["identity"] = identity
        await self.app(scope, receive, send)


async def current_identity(request: Request) -> Identity:
    """The verified identity of the request (set by :class:`IdentityMiddleware`).

    ``async`` although it awaits nothing: FastAPI runs a plain function dependency in its
    thread pool, a thread hand-off on every request of every service.
    """
    identity = getattr(request.state, "identity", None)
    if not isinstance(identity, Identity):
        raise InvalidIdentity()
    return identity


CurrentIdentity = Annotated[Identity, Depends(current_identity)]
