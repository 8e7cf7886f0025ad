"""Per-process gateway resources, built in the lifespan and reached through ``deps``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from velox_shared.app import Runtime
from velox_shared.contracts.plans import Catalog

from velox_gateway.access.policy import RoutePolicy
from velox_gateway.accounts.plans import PlanResolver
from velox_gateway.apikeys.service import KeySecrets
from velox_gateway.apikeys.verify import KeyVerifier
from velox_gateway.auth.mail import MailSender
from velox_gateway.catalog import CatalogHolder
from velox_gateway.config import Settings
from velox_gateway.limits import QuotaCounter, RateLimiter
from velox_gateway.openapi import OpenAPIAggregator
from velox_gateway.proxy import ServiceProxy
from velox_gateway.security.tokens import AccessTokens


@dataclass
class GatewayContext:
    settings: Settings
    runtime: Runtime
    catalogs: CatalogHolder
    policy: RoutePolicy
    tokens: AccessTokens
    key_secrets: KeySecrets
    keys: KeyVerifier
    plans: PlanResolver
    rate: RateLimiter
    quotas: QuotaCounter
    proxy: ServiceProxy
    openapi: OpenAPIAggregator
    mail: MailSender

    @property
    def catalog(self) -> Catalog:
        """The catalogue in force (503 ``catalog-unavailable`` before billing sent one)."""
        return self.catalogs.current

    @property
    def refresh_ttl(self) -> timedelta:
        return timedelta(days=self.settings.refresh_token_ttl_days)
