"""ASGI entry point: ``uvicorn velox_automation.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_automation import NAME
from velox_automation.config import Settings
from velox_automation.db.models import events


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Automation",
            description="Spreadsheet jobs, quizzes and assessments, file processing.",
            settings=Settings(),
            events=events,
        )
    )
