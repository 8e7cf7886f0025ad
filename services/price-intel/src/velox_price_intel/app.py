"""ASGI entry point: ``uvicorn velox_price_intel.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_price_intel import NAME
from velox_price_intel.config import Settings
from velox_price_intel.db.models import events


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Price Intelligence",
            description="Competitor price tracking, matching, alerts and forecasts.",
            settings=Settings(),
            events=events,
        )
    )
