"""ASGI entry point: ``uvicorn velox_analytics.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_analytics import NAME
from velox_analytics.config import Settings
from velox_analytics.db.models import events


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Analytics",
            description="Datasets, profiling, statistics, ML, dashboards and reports.",
            settings=Settings(),
            events=events,
        )
    )
