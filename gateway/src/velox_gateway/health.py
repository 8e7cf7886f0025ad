"""The gateway's readiness includes every service it routes to."""

import asyncio

from velox_shared.app import Runtime

from velox_gateway.catalog import CatalogHolder
from velox_gateway.config import Settings


async def services_ready(runtime: Runtime) -> dict[str, str]:
    """Ask each service's ``/readyz``; maps ``service:<name>`` to ``"ok"`` or what failed."""
    assert isinstance(runtime.settings, Settings)
    urls = runtime.settings.service_urls

    async def probe(name: str, base: str) -> tuple[str, str]:
        try:
            response = await runtime.http.get(base.rstrip("/") + "/readyz", timeout=2.0)
        except Exception as exc:
            return f"service:{name}", f"error: {type(exc).__name__}"
        if response.status_code != 200:
            return f"service:{name}", f"error: HTTP {response.status_code}"
        return f"service:{name}", "ok"

    return dict(await asyncio.gather(*(probe(n, u) for n, u in sorted(urls.items()))))


async def ready(runtime: Runtime, catalogs: CatalogHolder) -> dict[str, str]:
    """Every service's readiness, and whether billing's plan catalogue has arrived."""
    checks = await services_ready(runtime)
    checks["catalog"] = "ok" if catalogs.loaded else "waiting for billing"
    return checks
