"""Signing, endpoint rules and the retry schedule, without the app."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from velox_commerce.config import Settings
from velox_commerce.webhooks.dispatcher import next_wait
from velox_commerce.webhooks.signing import generate_secret, headers, sign
from velox_commerce.webhooks.urls import check_url
from velox_shared.errors import UnprocessableContent


def test_the_signature_matches_the_standard_webhooks_test_vector() -> None:
    # test_sign_function of standard-webhooks/standard-webhooks (libraries/python).
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_new_secret_signs_what_an_independent_hmac_computes() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    assert secret != generate_secret()
    sent = headers(secret, "evt_1", 1700000000, b'{"a":1}')
    digest = hmac.new(base64.b64decode(secret[6:]), b'evt_1.1700000000.{"a":1}', hashlib.sha256)
    assert sent == {
        "webhook-id": "evt_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": "v1," + base64.b64encode(digest.digest()).decode(),
    }


@pytest.mark.parametrize(
    ("url", "environment"),
    [
        ("https://partner.example/hook", "production"),
        ("https://8.8.8.8:8443/hook", "production"),
        ("http://127.0.0.1:8080/hook", "local"),
        ("http://localhost/hook", "test"),
        ("http://[::1]:9000/hook", "staging"),
        ("https://10.0.0.8/hook", "staging"),
    ],
)
def test_allowed_endpoints(url: str, environment: str) -> None:
    assert check_url(url, environment) == url


@pytest.mark.parametrize(
    ("url", "environment"),
    [
        ("http://127.0.0.1:8080/hook", "production"),
        ("http://localhost/hook", "production"),
        ("https://localhost/hook", "production"),
        ("https://10.0.0.8/hook", "production"),
        ("https://169.254.169.254/latest", "production"),
        ("https://[::1]/hook", "production"),
        ("http://partner.example/hook", "local"),
        ("http://10.0.0.8/hook", "test"),
        ("mailto:ops@partner.example", "local"),
        ("https://", "local"),
        ("not a url", "local"),
    ],
)
def test_refused_endpoints(url: str, environment: str) -> None:
    with pytest.raises(UnprocessableContent):
        check_url(url, environment)


def test_the_default_schedule_retries_for_about_a_day_with_jitter() -> None:
    schedule = Settings.model_fields["webhook_retry_schedule"].get_default(
        call_default_factory=True
    )
    assert 23 * 3600 <= sum(schedule) <= 25 * 3600
    assert schedule == sorted(schedule) and schedule[0] == 5
    for attempts, wait in enumerate(schedule, start=1):
        waits = {next_wait(schedule, attempts) for _ in range(20)}
        assert all(w is not None and 0.9 * wait <= w <= 1.1 * wait for w in waits)
        assert len(waits) > 1
    assert next_wait(schedule, len(schedule) + 1) is None
