"""The proxied request path: authenticate, scope, rate limit, entitlement, quota, forward.

Each step raises a problem the caller can act on; the response of a forwarded call carries
the ``RateLimit-*`` headers of the decision that let it through.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response
from velox_shared.context import current_request_id
from velox_shared.contracts.plans import Family, Tier
from velox_shared.contracts.usage import (
    QUOTA_REMAINING_HEADER,
    USAGE_UNITS_HEADER,
    UsageRecorded,
)
from velox_shared.errors import BadRequest, NotFound, ServiceUnavailable
from velox_shared.events import new_envelope, publish, publish_now
from velox_shared.identity import Identity

from velox_gateway.access.authenticate import authenticate
from velox_gateway.access.policy import Requirement
from velox_gateway.access.principal import Principal
from velox_gateway.context import GatewayContext
from velox_gateway.errors import EntitlementRequired, InsufficientScope, QuotaExceeded, RateLimited
from velox_gateway.limits import QuotaUnavailable, RateDecision

_log = logging.getLogger("velox.gateway.access")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A bulk job is at most 100,000 VINs; a larger report is a service bug, not usage.
MAX_REPORTED_UNITS = 100_000


class UnknownApi(NotFound):
    problem = "unknown-api"
    title = "No such API"


class AmbiguousPath(BadRequest):
    problem = "ambiguous-path"
    title = "Path with dot segments"


# Routes a service authenticates itself (no API key), and the service: Stripe signs its
# webhooks (billing's subscriptions, commerce's shop payments).
PUBLIC_ROUTES = {
    ("POST", "/v1/billing/webhooks/stripe"): "billing",
    ("POST", "/v1/commerce/payments/stripe/webhook"): "commerce",
}


def _has_dot_segment(path: str) -> bool:
    return "." in path and any(segment in (".", "..") for segment in path.split("/"))


def rate_headers(decision: RateDecision) -> dict[str, str]:
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(max(0, decision.remaining)),
        "RateLimit-Reset": str(math.ceil(decision.reset_after)),
    }
    if not decision.allowed:
        headers["Retry-After"] = str(max(1, math.ceil(decision.retry_after)))
    return headers


async def handle(request: Request, context: GatewayContext) -> Response:
    """Everything under a service prefix goes through here."""
    if _has_dot_segment(request.url.path):
        # The route policy sees the path as sent, the HTTP client would send it resolved
        # ("/v1/vin/x/../bulk" reaches "/v1/vin/bulk"): refuse rather than let them differ.
        raise AmbiguousPath(
            "Paths with '.' or '..' segments (also percent-encoded) are not accepted; "
            "send the resolved path."
        )
    public = PUBLIC_ROUTES.get((request.method, request.url.path))
    if public is not None:
        # Signed by the provider and checked by the service; no key, plan or quota applies.
        return await context.proxy.forward(request, service=public, identity=None)
    family = context.catalog.family_for_path(request.url.path)
    if family is None:
        raise UnknownApi(f"No Velox API is served at {request.url.path}.")
    principal = await authenticate(request, context)
    request.state.principal = principal
    method = request.method
    scope = f"{family.name}:{'read' if method in SAFE_METHODS else 'write'}"
    if not principal.has_scope(scope):
        raise InsufficientScope(f"This key lacks the scope {scope!r}.", extensions={"scope": scope})
    tier = await context.plans.tier(principal.account_id, family.name)
    headers = rate_headers(await _rate_limit(context, principal, family, tier))
    requirement = context.policy.match(method, request.url.path)
    units, remaining = await _entitle_and_meter(
        context, principal, family, tier, requirement, headers
    )
    identity = Identity(
        account_id=principal.account_id,
        principal_id=principal.principal_id,
        plan=f"{family.name}:{tier.name}",
        scopes=principal.scopes,
        limits=tuple(sorted((k, v) for k, v in tier.limits.items() if v is not None)),
        request_id=current_request_id(),
    )
    service_units = bool(units and requirement and requirement.service_units)
    extra = (
        ((QUOTA_REMAINING_HEADER, str(remaining + units)),)
        if service_units and remaining is not None
        else ()
    )
    try:
        response = await context.proxy.forward(
            request, service=family.service, identity=identity, extra_headers=extra
        )
    except Exception:
        await _refund(context, principal, requirement, units)
        raise
    if units and response.status_code >= 400:
        await _refund(context, principal, requirement, units)
    elif units and requirement and requirement.quota:
        used = _reported_units(response, units) if service_units else units
        await _settle(context, principal, requirement.quota, charged=units, used=used)
    response.headers.update(headers)
    return response


def _reported_units(response: Response, charged: int) -> int:
    """The units a service-metered operation says it used (what was charged if it says none)."""
    raw = response.headers.get(USAGE_UNITS_HEADER)
    if raw is None or not raw.isdigit():
        return charged
    return min(int(raw), MAX_REPORTED_UNITS)


async def _settle(
    context: GatewayContext, principal: Principal, quota: str, *, charged: int, used: int
) -> None:
    """Charge the difference between the units used and those charged up front."""
    try:
        if used > charged:
            # Past the limit is allowed here: the service checked the remaining quota.
            await context.quotas.consume(
                principal.account_id, quota, limit=None, units=used - charged
            )
        elif used < charged:
            await context.quotas.refund(principal.account_id, quota, units=charged - used)
    except (QuotaUnavailable, RedisError):
        _log.warning("quota settlement failed", extra={"account_id": principal.account_id})
    if used:
        await _record_usage(context, principal, quota, used)


async def _rate_limit(
    context: GatewayContext, principal: Principal, family: Family, tier: Tier
) -> RateDecision:
    decision = await context.rate.check_many(
        [
            (f"{family.name}:p:{principal.principal_id}", tier.rate_per_minute, tier.burst),
            (f"{family.name}:a:{principal.account_id}", tier.rate_per_minute, tier.burst),
        ]
    )
    if not decision.allowed:
        raise RateLimited(
            f"The {family.name}:{tier.name} plan allows {tier.rate_per_minute} requests a "
            f"minute (burst {tier.burst}); retry after the Retry-After seconds.",
            headers=rate_headers(decision),
            extensions={"limit": tier.rate_per_minute, "plan": f"{family.name}:{tier.name}"},
        )
    return decision


async def _entitle_and_meter(
    context: GatewayContext,
    principal: Principal,
    family: Family,
    tier: Tier,
    requirement: Requirement | None,
    headers: dict[str, str],
) -> tuple[int, int | None]:
    if requirement is None:
        return 0, None
    if requirement.feature and requirement.feature not in tier.features:
        needed = context.catalog.cheapest_tier_with(family.name, requirement.feature)
        plan = f"{family.name}:{needed}" if needed else None
        raise EntitlementRequired(
            f"{requirement.feature} is not part of {family.name}:{tier.name}"
            + (f"; it is included from the {plan} plan." if plan else "."),
            extensions={"feature": requirement.feature, "required_plan": plan},
        )
    if not requirement.quota:
        return 0, None
    limit = tier.hard_quota(requirement.quota)
    try:
        decision = await context.quotas.consume(
            principal.account_id, requirement.quota, limit=limit, units=requirement.units
        )
    except QuotaUnavailable:
        raise ServiceUnavailable(
            "Quota accounting is unavailable; retry shortly.", headers={"Retry-After": "5"}
        ) from None
    if not decision.allowed:
        retry = max(1, int((decision.resets_at - datetime.now(UTC)).total_seconds()))
        raise QuotaExceeded(
            f"The monthly quota of {decision.limit} {requirement.quota} for "
            f"{family.name}:{tier.name} is used up; it resets at {decision.resets_at.isoformat()}.",
            headers={**headers, "Retry-After": str(retry)},
            extensions={
                "quota": requirement.quota,
                "limit": decision.limit,
                "used": decision.used,
                "resets_at": decision.resets_at.isoformat(),
            },
        )
    return requirement.units, decision.remaining


async def _refund(
    context: GatewayContext, principal: Principal, requirement: Requirement | None, units: int
) -> None:
    if not units or requirement is None or not requirement.quota:
        return
    try:
        await context.quotas.refund(principal.account_id, requirement.quota, units=units)
    except (QuotaUnavailable, RedisError):
        _log.warning("quota refund failed", extra={"account_id": principal.account_id})


async def _record_usage(
    context: GatewayContext, principal: Principal, operation: str, units: int
) -> None:
    payload = UsageRecorded(
        account_id=principal.account_id,
        principal_id=principal.principal_id,
        operation=operation,
        units=units,
        period=datetime.now(UTC).strftime("%Y-%m"),
    )
    envelope = new_envelope(payload, account_id=principal.account_id)
    try:
        await publish_now(context.runtime.redis, envelope)
    except RedisError:
        # Not lost: the outbox keeps it and the relay publishes it once Redis is back.
        async with context.runtime.sessions() as session, session.begin():
            await publish(session, context.runtime.events, envelope)
