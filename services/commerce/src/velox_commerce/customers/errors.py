"""Problems of customer sign-in (RFC 9457, rendered by the shared handlers)."""

from __future__ import annotations

from velox_shared.errors import Unauthorized

__all__ = ["InvalidCredentials", "InvalidCustomerToken"]


class InvalidCredentials(Unauthorized):
    """The email or the password is wrong (the answer never says which)."""

    problem = "invalid-credentials"
    title = "Wrong email or password"


class InvalidCustomerToken(Unauthorized):
    problem = "invalid-customer-token"
    title = "Sign-in required"
