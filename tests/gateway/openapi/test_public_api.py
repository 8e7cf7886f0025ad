"""The openapi package's public surface and the /docs page."""

from __future__ import annotations

import velox_gateway.openapi as package
from velox_gateway.openapi import swagger_ui


def test_public_surface_is_pinned() -> None:
    assert sorted(package.__all__) == [
        "INFRASTRUCTURE_PATHS",
        "OpenAPIAggregator",
        "merge_openapi",
        "platform_components",
        "swagger_ui",
    ]


def test_swagger_ui_reads_the_merged_document() -> None:
    response = swagger_ui()
    page = bytes(response.body).decode()
    assert response.media_type == "text/html"
    assert "url: '/openapi.json'" in page
    assert '"persistAuthorization": true' in page
    assert "<title>Velox API - docs</title>" in page
