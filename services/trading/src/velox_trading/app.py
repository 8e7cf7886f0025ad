"""ASGI entry point: ``uvicorn velox_trading.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_trading import NAME
from velox_trading.config import Settings
from velox_trading.db.models import events


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Trading",
            description="Strategies, backtests, paper and live bots, risk and P&L.",
            settings=Settings(),
            events=events,
        )
    )
