"""Image tests run against commerce apps of their own: one storing on disk in a temporary
directory, one storing in a loopback S3 (moto's server), each with small limits."""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from moto.server import ThreadedMotoServer
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_devstack.embedded import free_port

from tests.conftest import DbInfo, Keys, Servers, component_environment, loopback
from tests.services.commerce.conftest import Shop, forget

BUCKET = "velox-images-test"
LIMITS = {
    "COMMERCE_IMAGE_MAX_BYTES": str(200_000),
    "COMMERCE_IMAGE_MAX_PIXELS": str(1_000_000),
    "COMMERCE_IMAGE_THUMBNAIL_SIZES": "[16, 64]",
    "COMMERCE_IMAGE_MAX_PER_PRODUCT": "3",
}


@dataclass(frozen=True)
class ImageServer:
    url: str
    # Where the files are: a directory, or the bucket through boto3.
    directory: Path | None = None
    s3: Any = None

    def stored(self) -> set[str]:
        """Every stored key."""
        if self.directory is not None:
            return {
                p.relative_to(self.directory).as_posix()
                for p in self.directory.rglob("*")
                if p.is_file()
            }
        listing = self.s3.list_objects_v2(Bucket=BUCKET)
        return {item["Key"] for item in listing.get("Contents", [])}


@pytest.fixture(scope="package")
def moto_s3() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


async def _start(
    database: DbInfo, servers: Servers, keys: Keys, env: dict[str, str]
) -> AsyncIterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            **component_environment("commerce", database, servers, keys),
            **env,
        }.items():
            patch.setenv(name, value)
        app = importlib.import_module("velox_commerce.app").create_app()
    async with loopback(app) as url:
        yield url


@pytest.fixture(scope="package")
async def disk_server(
    database: DbInfo, servers: Servers, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ImageServer]:
    directory = tmp_path_factory.mktemp("images")
    env = {**LIMITS, "COMMERCE_IMAGE_STORAGE": "disk", "COMMERCE_IMAGE_DIR": str(directory)}
    async for url in _start(database, servers, keys, env):
        yield ImageServer(url=url, directory=directory)


@pytest.fixture(scope="package")
async def s3_server(
    database: DbInfo, servers: Servers, keys: Keys, moto_s3: str
) -> AsyncIterator[ImageServer]:
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_s3,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=BUCKET)
    # What a deployment does to serve the images straight from the bucket.
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read))
    env = {
        **LIMITS,
        "COMMERCE_IMAGE_STORAGE": "s3",
        "COMMERCE_IMAGE_S3_BUCKET": BUCKET,
        "COMMERCE_IMAGE_S3_ENDPOINT_URL": moto_s3,
        "COMMERCE_IMAGE_S3_REGION": "us-east-1",
        "COMMERCE_IMAGE_S3_ACCESS_KEY_ID": "testing",
        "COMMERCE_IMAGE_S3_SECRET_ACCESS_KEY": "testing",
        "COMMERCE_IMAGE_PUBLIC_BASE_URL": f"{moto_s3}/{BUCKET}",
    }
    try:
        async for url in _start(database, servers, keys, env):
            yield ImageServer(url=url, s3=s3)
    finally:
        s3.close()  # a kept-alive connection would hold the server's shutdown


@pytest.fixture
async def images_shop(
    disk_server: ImageServer, keys: Keys, commerce_db: AsyncEngine, redis: Redis
) -> AsyncIterator[Shop]:
    """A :class:`Shop` on the disk-storing app (its rows forgotten after the test)."""
    shop = Shop(url=disk_server.url, stripe_url="", keys=keys)
    try:
        yield shop
    finally:
        await shop.close()
        await forget(commerce_db, redis, shop.made, [])
