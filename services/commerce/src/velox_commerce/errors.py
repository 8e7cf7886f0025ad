"""Problems the commerce API answers with (RFC 9457, rendered by the shared handlers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from velox_shared.errors import Conflict, NotFound, ServiceUnavailable, VeloxError

__all__ = [
    "CheckoutProblem",
    "CheckoutRefused",
    "DuplicateHandle",
    "PaymentProviderError",
    "PaymentProviderUnavailable",
    "PaymentsNotConfigured",
    "ResourceNotFound",
    "StateConflict",
]


class ResourceNotFound(NotFound):
    problem = "not-found"
    title = "Not found"

    @classmethod
    def of(cls, kind: str, id_: str) -> ResourceNotFound:
        return cls(f"No {kind} {id_!r} in this account.", extensions={"resource": kind})


class DuplicateHandle(Conflict):
    problem = "duplicate"
    title = "Already exists"


class StateConflict(Conflict):
    """The resource is not in a state that allows this (a paid order cannot be edited...)."""

    problem = "invalid-state"
    title = "Not allowed in the current state"


class CheckoutProblem:
    """One reason a checkout cannot go on, as listed in a ``checkout-refused`` problem."""

    __slots__ = ("code", "detail", "extra")

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        self.code = code
        self.detail = detail
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


class CheckoutRefused(VeloxError):
    """The cart cannot be checked out; ``problems`` lists every reason at once.

    Codes: ``out-of-stock``, ``reservation-expired``, ``invalid-coupon`` (and the other
    coupon and gift card codes of :mod:`velox_commerce.pricing`), ``price-changed``,
    ``empty-cart``, ``missing-address``, ``missing-shipping-method``,
    ``shipping-unavailable``, ``unknown-variant``, ``payment-not-authorized``.
    """

    status = 409
    problem = "checkout-refused"
    title = "The cart cannot be checked out"

    def __init__(self, problems: Sequence[CheckoutProblem]) -> None:
        self.problems = list(problems)
        codes = ", ".join(sorted({p.code for p in self.problems}))
        super().__init__(
            f"{len(self.problems)} problem(s) prevent checkout: {codes}.",
            extensions={"problems": [p.as_dict() for p in self.problems]},
        )


class PaymentsNotConfigured(ServiceUnavailable):
    problem = "payments-not-configured"
    title = "Payments are not configured"


class PaymentProviderUnavailable(ServiceUnavailable):
    problem = "payment-provider-unavailable"
    title = "The payment provider is unavailable"


class PaymentProviderError(VeloxError):
    status = 402
    problem = "payment-failed"
    title = "The payment provider refused the payment"
