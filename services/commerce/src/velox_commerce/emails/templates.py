"""The transactional emails' text: plain-text templates filled with ``string.Template``.

Values come from the order (the store's name, product titles, the carrier), so each is
put in as text and never read as a template; a subject is kept on one line, since a line
break there would start a new mail header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Template
from typing import Literal, get_args

__all__ = ["KINDS", "EmailKind", "Rendered", "render"]

EmailKind = Literal["order_placed", "order_shipped", "order_refunded"]
KINDS: tuple[str, ...] = get_args(EmailKind)

# The email_messages.subject column holds 300 characters.
_SUBJECT_MAX = 300

_SIGNATURE = "\n\n-- \n$store\n"

_TEMPLATES: dict[str, tuple[Template, Template]] = {
    "order_placed": (
        Template("Your order #$number at $store"),
        Template(
            "Hello,\n\nThank you for your order #$number at $store.\n\n$lines\n\n"
            "Total: $total\n\nWe will write again when it ships." + _SIGNATURE
        ),
    ),
    "order_shipped": (
        Template("Your order #$number has shipped"),
        Template(
            "Hello,\n\n$items of your order #$number left $store today.\n\n"
            "Carrier: $carrier\nTracking number: $tracking" + _SIGNATURE
        ),
    ),
    "order_refunded": (
        Template("A refund for your order #$number"),
        Template(
            "Hello,\n\nWe refunded $amount for your order #$number to the payment method "
            "you used. Depending on your bank it can take a few days to show." + _SIGNATURE
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str


def render(kind: EmailKind, values: Mapping[str, str]) -> Rendered:
    """The subject and body of ``kind`` filled with ``values`` (each ``$name`` the template
    uses must be given: a missing one is a KeyError, not a blank in a sent email)."""
    subject_template, body_template = _TEMPLATES[kind]
    subject = " ".join(subject_template.substitute(values).split())
    return Rendered(subject=subject[:_SUBJECT_MAX], body=body_template.substitute(values))
