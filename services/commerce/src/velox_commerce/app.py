"""ASGI entry point: ``uvicorn velox_commerce.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_commerce import NAME
from velox_commerce.config import Settings
from velox_commerce.db.models import events


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Commerce",
            description="Headless shop: catalogue, cart, checkout, orders, inventory.",
            settings=Settings(),
            events=events,
        )
    )
