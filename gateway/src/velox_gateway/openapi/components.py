"""The platform's own OpenAPI components: problem schemas, error responses, headers, auth.

Every name defined here is reserved in the merged document: a service component of the
same name but a different definition is renamed, never these.
"""

from __future__ import annotations

import copy
from typing import Any

from velox_shared.errors import PROBLEM_BASE, PROBLEM_JSON

__all__ = [
    "ERROR_RESPONSES",
    "GLOBAL_SECURITY",
    "PROBLEM_SCHEMA",
    "SUCCESS_HEADERS",
    "VALIDATION_PROBLEM_SCHEMA",
    "VALIDATION_RESPONSE",
    "platform_components",
    "ref",
]

PROBLEM_SCHEMA = "Problem"
VALIDATION_PROBLEM_SCHEMA = "ValidationProblem"
VALIDATION_RESPONSE = "ValidationError"
API_KEY_SCHEME = "ApiKeyHeader"
BEARER_SCHEME = "BearerAuth"

# Either scheme satisfies the document-wide requirement (alternatives, not both).
GLOBAL_SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}, {API_KEY_SCHEME: []}]

# Status code -> name of the response component documenting it.
ERROR_RESPONSES: dict[str, str] = {
    "401": "Unauthorized",
    "403": "Forbidden",
    "422": VALIDATION_RESPONSE,
    "429": "TooManyRequests",
    "503": "ServiceUnavailable",
}

RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
SUCCESS_HEADERS = ("X-Request-ID", *RATE_HEADERS)


def ref(section: str, name: str) -> dict[str, str]:
    """A reference object to ``#/components/<section>/<name>``."""
    return {"$ref": f"#/components/{section}/{name}"}


def _problem_type(slug: str) -> str:
    return PROBLEM_BASE + slug


def _schemas() -> dict[str, Any]:
    problem = {
        "type": "object",
        "title": "Problem",
        "description": "An RFC 9457 problem details document, served as application/problem+json.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "description": "Stable problem type; branch on this, not on the title.",
                "examples": [_problem_type("not-found")],
            },
            "title": {"type": "string", "description": "Short summary of the problem type."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong with this request."},
            "instance": {"type": "string", "description": "The path of the failed request."},
            "request_id": {
                "type": "string",
                "description": "The request id (also in X-Request-ID); quote it in reports.",
            },
        },
        "additionalProperties": True,
    }
    issue = {
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Where the invalid value is, e.g. ['body', 'items', '0'].",
            },
            "msg": {"type": "string"},
            "type": {"type": "string", "description": "Machine-readable error kind."},
        },
    }
    validation = {
        "title": "ValidationProblem",
        "description": "A problem of type validation-error listing every invalid input.",
        "allOf": [
            ref("schemas", PROBLEM_SCHEMA),
            {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array", "items": issue}},
            },
        ],
    }
    return {PROBLEM_SCHEMA: problem, VALIDATION_PROBLEM_SCHEMA: validation}


def _headers() -> dict[str, Any]:
    def integer(description: str) -> dict[str, Any]:
        return {"description": description, "schema": {"type": "integer", "minimum": 0}}

    return {
        "X-Request-ID": {
            "description": "The request id: the caller's X-Request-ID if sent, else a new one.",
            "schema": {"type": "string"},
        },
        "RateLimit-Limit": integer("Requests per minute allowed by the deciding rate rule."),
        "RateLimit-Remaining": integer("Requests still allowed right now under that rule."),
        "RateLimit-Reset": integer("Seconds until the allowance is fully restored."),
        "Retry-After": integer("Seconds to wait before retrying."),
    }


def _problem_content(schema: str, examples: dict[str, Any] | None = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": ref("schemas", schema)}
    if examples:
        media["examples"] = examples
    return {PROBLEM_JSON: media}


def _example(slug: str, title: str, status: int, detail: str, **extra: Any) -> dict[str, Any]:
    value = {"type": _problem_type(slug), "title": title, "status": status, "detail": detail}
    return {"summary": title, "value": {**value, **extra}}


def _error_response(
    description: str,
    schema: str = PROBLEM_SCHEMA,
    examples: dict[str, Any] | None = None,
    headers: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {name: ref("headers", name) for name in ("X-Request-ID", *headers)},
        "content": _problem_content(schema, examples),
    }


def _responses() -> dict[str, Any]:
    return {
        "Unauthorized": _error_response(
            "No valid credentials. Send `Authorization: Bearer <API key or access token>` "
            "or `X-API-Key: <API key>`.",
            examples={
                "invalid-api-key": _example(
                    "invalid-api-key", "Invalid API key", 401, "The API key is not valid."
                )
            },
        ),
        "Forbidden": _error_response(
            "Authenticated but not allowed: the key lacks the scope (`insufficient-scope`, "
            "naming the `scope`), the plan lacks the feature (`entitlement-required`, naming "
            "the `feature` and the `required_plan` that includes it) or the account is "
            "suspended (`account-suspended`).",
            examples=_forbidden_examples(),
        ),
        "TooManyRequests": _error_response(
            "Limit reached. Type `rate-limited`: the per-minute rate of your plan is used up; "
            "retry after `Retry-After` seconds. Type `quota-exceeded`: the monthly quota of "
            "your plan is used up; retrying does not help before the next period or an "
            "upgrade.",
            examples=_too_many_examples(),
            headers=("Retry-After", *RATE_HEADERS),
        ),
        "ServiceUnavailable": _error_response(
            "The service behind this operation is unavailable or did not answer in time "
            "(`service-unavailable`); retry later."
        ),
        VALIDATION_RESPONSE: _error_response(
            "The request does not match the operation's parameters or body "
            "(`validation-error`); `errors` lists every problem.",
            schema=VALIDATION_PROBLEM_SCHEMA,
        ),
    }


def _forbidden_examples() -> dict[str, Any]:
    return {
        "entitlement-required": _example(
            "entitlement-required",
            "Your plan does not include this feature",
            403,
            "bulk_export is not part of commerce:free; it is included from the commerce:pro plan.",
            feature="bulk_export",
            required_plan="commerce:pro",
        ),
        "insufficient-scope": _example(
            "insufficient-scope",
            "Insufficient scope",
            403,
            "This key lacks the scope 'commerce:write'.",
            scope="commerce:write",
        ),
    }


def _too_many_examples() -> dict[str, Any]:
    return {
        "rate-limited": _example(
            "rate-limited",
            "Rate limit exceeded",
            429,
            "The commerce:free plan allows 60 requests a minute (burst 10); retry after "
            "the Retry-After seconds.",
        ),
        "quota-exceeded": _example(
            "quota-exceeded",
            "Monthly quota exhausted",
            429,
            "The monthly quota of your plan is used up.",
        ),
    }


def _security_schemes() -> dict[str, Any]:
    return {
        API_KEY_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key (`vx_live_...` or `vx_test_...`).",
        },
        BEARER_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, or a user access token from `POST /v1/auth/login`.",
        },
    }


_COMPONENTS: dict[str, dict[str, Any]] = {
    "schemas": _schemas(),
    "responses": _responses(),
    "headers": _headers(),
    "securitySchemes": _security_schemes(),
}


def platform_components() -> dict[str, dict[str, Any]]:
    """A fresh copy of the platform components, by section (``schemas``, ``responses``...)."""
    return copy.deepcopy(_COMPONENTS)
