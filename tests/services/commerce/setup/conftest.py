"""Two tenants, each with a store: the merchant under test and a rival."""

from __future__ import annotations

import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.setup.helpers import Merchant, merchant_of


@pytest.fixture
async def merchant(shop: Shop, unique: str) -> Merchant:
    return await merchant_of(shop, "merchant", unique)


@pytest.fixture
async def rival(shop: Shop, unique: str) -> Merchant:
    return await merchant_of(shop, "rival", unique)
