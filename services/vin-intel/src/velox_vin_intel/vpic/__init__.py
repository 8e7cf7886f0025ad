"""Live enrichment from NHTSA vPIC: the client, its one error and the normalised record.

Example::

    async with httpx.AsyncClient() as http:
        vpic = VpicClient(http)
        try:
            record = await vpic.decode_extended("5FNYF5H59HB011946")
        except VpicUnavailable as exc:
            ...  # answer from the offline decode; enrichment unavailable, exc.reason says why
"""

from velox_vin_intel.vpic.client import BATCH_SIZE, DEFAULT_BASE_URL, VpicClient
from velox_vin_intel.vpic.errors import VpicUnavailable
from velox_vin_intel.vpic.normalize import FIELDS, VpicRecord, normalise_row

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_BASE_URL",
    "FIELDS",
    "VpicClient",
    "VpicRecord",
    "VpicUnavailable",
    "normalise_row",
]
