"""ASGI entry point: ``uvicorn velox_vin_intel.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_vin_intel import NAME
from velox_vin_intel.config import Settings
from velox_vin_intel.db.models import events


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox VIN Intelligence",
            description="VIN decoding, vPIC enrichment, package identification, bulk jobs.",
            settings=Settings(),
            events=events,
        )
    )
