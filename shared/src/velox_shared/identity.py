"""The signed, short-lived identity token the gateway forwards to services.

The gateway signs with an Ed25519 private key; services hold only the public key, so a
service (or anyone who reaches a service port) can verify an identity but never mint one.
Each token names its audience (the target service) and lives seconds, not hours.

Signing and verifying cost more than the rest of a forwarded request's identity work, so
both ends remember: the signer hands out the same token for the same caller and audience
for the first half of its life (the request id travels in ``X-Request-ID``, not in the
token), and a verifier keeps what a token it has checked says until the token expires.

Example::

    signer = IdentitySigner(private_pem)
    token = signer.sign(Identity(account_id="acc_1", principal_id="key_1", plan="pro",
                                 scopes=["vin:read"]), audience="vin-intel")
    identity = IdentityVerifier(public_pem, audience="vin-intel").verify(token)
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field

from velox_shared.errors import Unauthorized

__all__ = [
    "IDENTITY_HEADER",
    "ISSUER",
    "Identity",
    "IdentitySigner",
    "IdentityVerifier",
    "InvalidIdentity",
    "generate_keypair",
]

IDENTITY_HEADER = "X-Velox-Identity"
ISSUER = "velox-gateway"
_ALGORITHM = "EdDSA"


class InvalidIdentity(Unauthorized):
    problem = "invalid-identity"
    title = "Missing or invalid identity"


class Identity(BaseModel):
    """Who is calling: the tenant account, the principal (user or API key), plan and scopes.

    ``request_id`` is not part of the token: a service sets it from ``X-Request-ID``.
    """

    model_config = ConfigDict(frozen=True)

    account_id: str = Field(min_length=1, max_length=64)
    principal_id: str = Field(min_length=1, max_length=64)
    plan: str = Field(min_length=1, max_length=64)
    scopes: tuple[str, ...] = ()
    # The plan's caps on what the account may keep (``("commerce.stores", 1)``): only
    # finite caps; a name that is absent is unlimited.
    limits: tuple[tuple[str, int], ...] = ()
    request_id: str | None = None

    def limit(self, name: str) -> int | None:
        """The plan's cap called ``name``, or None when the plan sets none."""
        return next((cap for key, cap in self.limits if key == name), None)

    def has_scope(self, scope: str) -> bool:
        """True when ``scope`` or a wildcard covering it (``"*"``, ``"vin:*"``) was granted."""
        prefix = scope.split(":", 1)[0]
        return any(s in (scope, "*", f"{prefix}:*") for s in self.scopes)


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _pem(value: str) -> bytes:
    # Environment variables often carry PEMs with literal "\n" sequences.
    return value.replace("\\n", "\n").encode()


# Remembered tokens per signer or verifier; past this many the memory starts afresh.
_MAX_REMEMBERED = 4096
_SignedFor = tuple[str, str, str, str, tuple[str, ...], tuple[tuple[str, int], ...]]


class IdentitySigner:
    """Mints identity tokens (gateway only).

    A token minted for a caller (account, principal, plan, scopes) and an audience is
    handed out again while it is younger than ``reuse_seconds`` (half its life unless set),
    so every token a service receives has at least ``ttl_seconds - reuse_seconds`` to live.
    """

    def __init__(
        self,
        private_key_pem: str,
        *,
        ttl_seconds: int = 60,
        reuse_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = serialization.load_pem_private_key(_pem(private_key_pem), password=None)
        self._ttl = ttl_seconds
        self._reuse = max(0, ttl_seconds) / 2 if reuse_seconds is None else reuse_seconds
        self._clock = clock
        self._minted: dict[_SignedFor, tuple[int, str]] = {}

    def sign(self, identity: Identity, *, audience: str) -> str:
        key = (
            audience,
            identity.account_id,
            identity.principal_id,
            identity.plan,
            identity.scopes,
            identity.limits,
        )
        now = self._clock()
        minted = self._minted.get(key)
        if minted is not None and now - minted[0] < self._reuse:
            return minted[1]
        issued_at = int(now)
        token = self._mint(identity, audience, issued_at)
        if len(self._minted) >= _MAX_REMEMBERED:
            self._minted.clear()
        self._minted[key] = (issued_at, token)
        return token

    def _mint(self, identity: Identity, audience: str, now: int) -> str:
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + self._ttl,
            "jti": secrets.token_hex(8),
            "sub": identity.principal_id,
            "acc": identity.account_id,
            "plan": identity.plan,
            "scopes": list(identity.scopes),
        }
        if identity.limits:
            claims["limits"] = dict(identity.limits)
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)  # type: ignore[arg-type]


class IdentityVerifier:
    """Checks identity tokens addressed to one service.

    A token that passed is remembered with what it says until it expires (plus the
    leeway), so the signature is checked once per token, not once per request.
    """

    def __init__(
        self,
        public_key_pem: str,
        *,
        audience: str,
        leeway_seconds: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = serialization.load_pem_public_key(_pem(public_key_pem))
        self._audience = audience
        self._leeway = leeway_seconds
        self._clock = clock
        self._verified: dict[str, tuple[Identity, float]] = {}

    def verify(self, token: str | None) -> Identity:
        if not token:
            raise InvalidIdentity("This service only accepts requests forwarded by the gateway.")
        known = self._verified.get(token)
        if known is not None:
            identity, expires = known
            if self._clock() <= expires + self._leeway:
                return identity
            self._verified.pop(token, None)
            raise InvalidIdentity("Identity token rejected: Signature has expired")
        identity, expires = self._check(token)
        if len(self._verified) >= _MAX_REMEMBERED:
            self._verified.clear()
        self._verified[token] = (identity, expires)
        return identity

    def _check(self, token: str) -> tuple[Identity, float]:
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
                algorithms=[_ALGORITHM],
                audience=self._audience,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidIdentity(f"Identity token rejected: {exc}") from None
        identity = Identity(
            account_id=claims["acc"],
            principal_id=claims["sub"],
            plan=claims["plan"],
            scopes=tuple(claims.get("scopes", ())),
            limits=tuple(sorted(claims.get("limits", {}).items())),
        )
        return identity, float(claims["exp"])
