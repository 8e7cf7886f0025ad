"""Problems the commerce API answers with (RFC 9457, rendered by the shared handlers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from velox_shared.errors import Conflict, NotFound, ServiceUnavailable, VeloxError

__all__ = [
    "CheckoutProblem",
    "CheckoutRefused",
    "DuplicateHandle",
    "ImageTooLarge",
    "InvalidImage",
    "ListFull",
    "PaymentProviderError",
    "PaymentProviderUnavailable",
    "PaymentsNotConfigured",
    "PurchaseNotVerified",
    "ResourceNotFound",
    "StateConflict",
    "UnsupportedImage",
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


class PurchaseNotVerified(Conflict):
    """No placed or paid order of the store holds the product for this buyer."""

    problem = "purchase-not-verified"
    title = "Only buyers of the product may review it"


class ListFull(Conflict):
    """A shopper's capped list (a wishlist) has no room left."""

    problem = "list-full"
    title = "The list is full"


class UnsupportedImage(VeloxError):
    """The upload decodes as an image of a format the shop does not take (or as none)."""

    status = 415
    problem = "unsupported-image"
    title = "Unsupported image format"


class InvalidImage(VeloxError):
    """The upload claims an allowed format but does not decode (truncated, corrupt)."""

    status = 422
    problem = "invalid-image"
    title = "The image cannot be decoded"


class ImageTooLarge(VeloxError):
    """The upload is past the byte or pixel limit (a decompression bomb guard)."""

    status = 413
    problem = "image-too-large"
    title = "The image is too large"
