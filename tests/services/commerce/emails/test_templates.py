"""The transactional emails' text: every kind renders, values are text (never read as a
template) and a subject stays on one line."""

from __future__ import annotations

import pytest
from velox_commerce.emails.sender import OutgoingEmail, SmtpSender, from_address
from velox_commerce.emails.templates import KINDS, EmailKind, render

VALUES = {
    "store": "Trail $hop",
    "number": "1001",
    "total": "$10.00",
    "lines": "2 x Shoe",
    "amount": "$5.00",
    "carrier": "UPS",
    "tracking": "1Z999",
    "items": "2 items",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_names_the_order_and_the_store(kind: EmailKind) -> None:
    rendered = render(kind, VALUES)
    assert "#1001" in rendered.subject and "Trail $hop" in rendered.body


def test_a_value_is_never_read_as_a_template_and_the_subject_stays_on_one_line() -> None:
    rendered = render("order_placed", {**VALUES, "store": "Evil\r\nBcc: x@y.test $number"})
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert "Evil Bcc: x@y.test $number" in rendered.subject


def test_the_from_header_carries_the_store_name() -> None:
    assert from_address("no-reply@shop.test", "Trail  shop") == "Trail shop <no-reply@shop.test>"
    mime = OutgoingEmail("eml_1", "Shop <a@b.test>", "c@d.test", "Hi", "Body").mime()
    assert mime["Message-ID"] == "<eml_1@velox-commerce>"


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "user"),
    [
        ("smtp://mail.test", "mail.test", 25, False, None),
        ("smtps://u%40x:p@mail.test", "mail.test", 465, True, "u@x"),
        ("smtp://mail.test:2525", "mail.test", 2525, False, None),
    ],
)
def test_smtp_urls(url: str, host: str, port: int, tls: bool, user: str | None) -> None:
    sender = SmtpSender.from_url(url)
    assert (sender.host, sender.port, sender.implicit_tls, sender.username) == (
        host,
        port,
        tls,
        user,
    )


@pytest.mark.parametrize("url", ["http://mail.test", "smtp://", "smtp://mail.test:99999"])
def test_a_bad_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="COMMERCE_SMTP_URL"):
        SmtpSender.from_url(url)
