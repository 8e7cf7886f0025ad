"""ASGI entry point: ``uvicorn velox_vin_intel.app:create_app --factory``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from velox_shared.app import Runtime, ServiceSpec, create_service_app
from velox_shared.workers import BackgroundWorker

from velox_vin_intel import NAME
from velox_vin_intel.config import Settings
from velox_vin_intel.context import VinContext
from velox_vin_intel.db.models import events
from velox_vin_intel.decoding.decoder import Decoder
from velox_vin_intel.decoding.endpoints import router as decoding_router
from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.decoding.service import DecodeService
from velox_vin_intel.decoding.snapshot import Snapshot
from velox_vin_intel.enrichment.cache import VpicCache
from velox_vin_intel.enrichment.janitor import CachePurger
from velox_vin_intel.enrichment.service import Enricher
from velox_vin_intel.enrichment.vpic_source import VpicSource
from velox_vin_intel.history.endpoints import router as history_router
from velox_vin_intel.history.writer import HistoryWriter
from velox_vin_intel.jobs.endpoints import router as jobs_router
from velox_vin_intel.jobs.worker import JobWorker
from velox_vin_intel.packages.catalog import CatalogStore
from velox_vin_intel.packages.endpoints import router as packages_router
from velox_vin_intel.vpic.client import VpicClient

_log = logging.getLogger("velox.vin_intel")


def build_context(settings: Settings, runtime: Runtime, snapshot: Snapshot) -> VinContext:
    """The process's decoder, enricher and services over the runtime's pools."""
    cache = VpicCache(
        runtime.redis,
        runtime.sessions,
        prefix=settings.vpic_cache_prefix,
        redis_ttl=timedelta(days=settings.vpic_redis_ttl_days),
        database_ttl=timedelta(days=settings.vpic_database_ttl_days),
    )
    source = None
    if settings.vpic_enabled:
        client = VpicClient(
            runtime.http,
            base_url=settings.vpic_base_url,
            timeout=settings.vpic_timeout_seconds,
            retries=settings.vpic_retries,
            max_concurrency=settings.vpic_max_concurrency,
            deadline=settings.vpic_deadline_seconds,
        )
        source = VpicSource(client)
    decoder = Decoder(snapshot)
    history = HistoryWriter(runtime.engine, interval=settings.history_flush_seconds)
    return VinContext(
        settings=settings,
        runtime=runtime,
        decoder=decoder,
        decodes=DecodeService(decoder, Enricher(cache, source), history),
        packages=CatalogStore(
            Path(settings.package_catalog_dir) if settings.package_catalog_dir else None
        ),
        vpic_cache=cache,
    )


def create_app() -> FastAPI:
    settings = Settings()
    snapshot = Snapshot()
    holder: dict[str, VinContext] = {}
    job_workers: list[JobWorker] = []

    def context_for(runtime: Runtime) -> VinContext:
        if "context" not in holder:
            holder["context"] = build_context(settings, runtime, snapshot)
        return holder["context"]

    def workers(runtime: Runtime) -> Sequence[BackgroundWorker]:
        decodes = context_for(runtime).decodes

        async def decode(vins: Sequence[str]) -> list[VinDecode]:
            return await decodes.decode_file_batch(vins, enrich=settings.job_enrich)

        worker = JobWorker(
            runtime.sessions,
            decode,
            poll_interval=settings.job_poll_seconds,
            concurrency=settings.job_concurrency,
        )
        job_workers[:] = [worker]
        return [worker, decodes.history, CachePurger(context_for(runtime).vpic_cache)]

    @asynccontextmanager
    async def resources(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        app.state.vin = context_for(runtime)
        app.state.vin_job_worker = job_workers[0] if job_workers else None
        warming = (
            asyncio.create_task(asyncio.to_thread(snapshot.warm))
            if settings.warm_snapshot
            else None
        )
        try:
            yield
        finally:
            holder.clear()
            if warming is not None and not warming.done():
                warming.cancel()

    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox VIN Intelligence",
            description="VIN decoding, vPIC enrichment, package identification, bulk jobs.",
            settings=settings,
            events=events,
            # Before the decoding router: its GET /v1/vin/{vin} would take /v1/vin/jobs.
            routers=[history_router, jobs_router, packages_router, decoding_router],
            workers=workers,
            resources=resources,
        )
    )
