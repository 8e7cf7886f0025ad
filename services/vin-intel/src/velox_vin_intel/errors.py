"""Problems the vin-intel API answers with (RFC 9457, rendered by the shared handlers)."""

from __future__ import annotations

from velox_shared.errors import NotFound, TooManyRequests, UnprocessableContent

__all__ = ["MalformedVin", "QuotaWouldExceed", "ResourceNotFound"]


class MalformedVin(UnprocessableContent):
    """Not 17 characters of the VIN alphabet (a wrong check digit is a 200, not this)."""

    problem = "invalid-vin"
    title = "Not a VIN"


class QuotaWouldExceed(TooManyRequests):
    """More decodes asked for at once than the month has left."""

    problem = "quota-exceeded"
    title = "Monthly quota would be exceeded"


class ResourceNotFound(NotFound):
    problem = "not-found"
    title = "Not found"
