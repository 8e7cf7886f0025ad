"""One OpenAPI 3.1 document for the whole platform, served by the gateway.

:func:`merge_openapi` merges the gateway's own document with each service's (pure);
:class:`OpenAPIAggregator` fetches the services' documents and caches the merged one;
:func:`swagger_ui` is the ``/docs`` page reading it.
"""

from velox_gateway.openapi.aggregator import OpenAPIAggregator
from velox_gateway.openapi.components import platform_components
from velox_gateway.openapi.docs import swagger_ui
from velox_gateway.openapi.merge import merge_openapi
from velox_gateway.openapi.operations import INFRASTRUCTURE_PATHS

__all__ = [
    "INFRASTRUCTURE_PATHS",
    "OpenAPIAggregator",
    "merge_openapi",
    "platform_components",
    "swagger_ui",
]
