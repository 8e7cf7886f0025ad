"""The Swagger UI page at ``/docs``, reading the merged document."""

from __future__ import annotations

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

__all__ = ["swagger_ui"]


def swagger_ui(openapi_url: str = "/openapi.json", *, title: str = "Velox API") -> HTMLResponse:
    """Swagger UI for the document at ``openapi_url`` (the gateway's merged one).

    Example::

        @router.get("/docs", include_in_schema=False)
        async def docs() -> HTMLResponse:
            return swagger_ui()
    """
    return get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} - docs",
        swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
    )
