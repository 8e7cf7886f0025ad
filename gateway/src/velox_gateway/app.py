"""ASGI entry point: ``uvicorn velox_gateway.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_gateway import NAME
from velox_gateway.config import Settings
from velox_gateway.db.models import events
from velox_gateway.health import services_ready


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox API",
            description="Velox business APIs behind one gateway.",
            settings=Settings(),
            events=events,
            require_identity=False,
            readiness_extra=services_ready,
        )
    )
