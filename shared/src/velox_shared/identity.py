"""The signed, short-lived identity token the gateway forwards to services.

The gateway signs with an Ed25519 private key; services hold only the public key, so a
service (or anyone who reaches a service port) can verify an identity but never mint one.
Each token names its audience (the target service) and lives seconds, not hours.

Example::

    signer = IdentitySigner(private_pem)
    token = signer.sign(Identity(account_id="acc_1", principal_id="key_1", plan="pro",
                                 scopes=["vin:read"]), audience="vin-intel")
    identity = IdentityVerifier(public_pem, audience="vin-intel").verify(token)
"""

from __future__ import annotations

import secrets
import time
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
    """Who is calling: the tenant account, the principal (user or API key), plan and scopes."""

    model_config = ConfigDict(frozen=True)

    account_id: str = Field(min_length=1, max_length=64)
    principal_id: str = Field(min_length=1, max_length=64)
    plan: str = Field(min_length=1, max_length=64)
    scopes: tuple[str, ...] = ()
    request_id: str | None = None

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


class IdentitySigner:
    """Mints identity tokens (gateway only)."""

    def __init__(self, private_key_pem: str, *, ttl_seconds: int = 60) -> None:
        self._key = serialization.load_pem_private_key(_pem(private_key_pem), password=None)
        self._ttl = ttl_seconds

    def sign(self, identity: Identity, *, audience: str) -> str:
        now = int(time.time())
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
        if identity.request_id:
            claims["rid"] = identity.request_id
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)  # type: ignore[arg-type]


class IdentityVerifier:
    """Checks identity tokens addressed to one service."""

    def __init__(self, public_key_pem: str, *, audience: str, leeway_seconds: int = 5) -> None:
        self._key = serialization.load_pem_public_key(_pem(public_key_pem))
        self._audience = audience
        self._leeway = leeway_seconds

    def verify(self, token: str | None) -> Identity:
        if not token:
            raise InvalidIdentity("This service only accepts requests forwarded by the gateway.")
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
        return Identity(
            account_id=claims["acc"],
            principal_id=claims["sub"],
            plan=claims["plan"],
            scopes=tuple(claims.get("scopes", ())),
            request_id=claims.get("rid"),
        )
