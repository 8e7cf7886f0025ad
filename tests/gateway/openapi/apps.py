"""Small real FastAPI apps standing in for two services and the gateway.

They collide on purpose: both services define ``Item``, ``Card`` and ``Rate`` differently,
``Money`` identically, ``Tax`` identically but over their own ``Rate``, and both name an
operation ``get_status``. The gateway defines its own ``Problem``.

No ``from __future__ import annotations`` here: the models live inside the factories (one
``Item`` per app), and FastAPI resolves postponed annotations at module level only.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, status
from pydantic import BaseModel, Field
from velox_shared.errors import PROBLEM_JSON

PUBLIC: dict[str, Any] = {"security": []}
PROBLEM: dict[int | str, dict[str, Any]] = {401: {"content": {PROBLEM_JSON: {}}}}


class Money(BaseModel):
    amount: int = Field(description="Minor units.")
    currency: str = Field(pattern="^[A-Z]{3}$")


class Status(BaseModel):
    ok: bool


def commerce_app() -> FastAPI:
    class Rate(BaseModel):
        percent: int

    class Tax(BaseModel):
        rate: Rate

    class Card(BaseModel):
        token: str

    class Item(BaseModel):
        sku: str
        quantity: int = Field(ge=1)
        price: Money

    class OrderIn(BaseModel):
        items: list[Item]
        card: Card

    class Order(OrderIn):
        id: str
        tax: Tax

    router = APIRouter(prefix="/v1/commerce")

    @router.post("/orders", status_code=status.HTTP_201_CREATED)
    async def place_order(body: OrderIn) -> Order:
        """Place an order."""
        return Order(id="ord_1", tax=Tax(rate=Rate(percent=20)), **body.model_dump())

    @router.get("/orders/{order_id}")
    async def get_order(order_id: str) -> Order:
        """Fetch one order."""
        raise NotImplementedError

    @router.get("/status", operation_id="get_status")
    async def commerce_status() -> Status:
        """Commerce status."""
        return Status(ok=True)

    app = FastAPI(title="Velox Commerce", description="Catalog and orders.", version="1.2.0")
    app.include_router(router)
    # Ops paths a careless service left in its schema: the merge drops them.
    app.add_api_route("/healthz", commerce_status, include_in_schema=True)
    app.add_api_route("/metrics", commerce_status, include_in_schema=True)
    return app


def billing_app() -> FastAPI:
    class Rate(BaseModel):
        basis_points: int

    class Tax(BaseModel):
        rate: Rate

    class Card(BaseModel):
        kind: Literal["card"]
        last4: str

    class Bank(BaseModel):
        kind: Literal["bank"]
        iban: str

    class Item(BaseModel):
        description: str
        amount: Money

    class InvoiceIn(BaseModel):
        items: list[Item]

    class Invoice(InvoiceIn):
        id: str
        tax: Tax
        method: Annotated[Card | Bank, Field(discriminator="kind")]

    router = APIRouter(prefix="/v1/billing", tags=["invoices"])

    @router.post("/invoices", status_code=status.HTTP_201_CREATED)
    async def create_invoice(body: InvoiceIn) -> Invoice:
        """Create an invoice."""
        raise NotImplementedError

    @router.get("/invoices/{invoice_id}")
    async def get_invoice(invoice_id: str) -> Invoice:
        """Fetch one invoice."""
        raise NotImplementedError

    @router.get("/status", operation_id="get_status")
    async def billing_status() -> Status:
        """Billing status."""
        return Status(ok=True)

    app = FastAPI(title="Velox Billing", version="0.3.0")
    app.include_router(router)
    return app


def gateway_app() -> FastAPI:
    class Problem(BaseModel):
        message: str

    class LoginIn(BaseModel):
        email: str
        password: str

    class TokenPair(BaseModel):
        access_token: str
        refresh_token: str

    class ApiKey(BaseModel):
        id: str
        prefix: str

    app = FastAPI(title="Velox API", description="Velox business APIs.", version="1.0.0")

    @app.post("/v1/auth/login", tags=["auth"], openapi_extra=PUBLIC, responses=PROBLEM)
    async def login(body: LoginIn) -> TokenPair:
        """Log in with email and password."""
        raise NotImplementedError

    @app.get("/v1/api-keys", tags=["api-keys"], responses={409: {"model": Problem}})
    async def list_api_keys() -> list[ApiKey]:
        """List the account's API keys."""
        return []

    @app.get("/healthz", openapi_extra=PUBLIC)
    async def healthz() -> Status:
        """Liveness probe."""
        return Status(ok=True)

    return app
