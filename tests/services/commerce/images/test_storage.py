"""The two ImageStorage implementations keep the same contract: on disk in a temporary
directory, and in a loopback S3 (moto's server)."""

from __future__ import annotations

from pathlib import Path

import boto3  # type: ignore[import-untyped]
import pytest
from velox_commerce.images.storage import DiskStorage, ImageStorage, S3Storage


async def _contract(storage: ImageStorage) -> None:
    await storage.put("sto_1/img_1/original.png", b"png bytes", "image/png")
    await storage.put("sto_1/img_1/16.webp", b"webp bytes", "image/webp")
    assert await storage.get("sto_1/img_1/original.png") == b"png bytes"
    assert await storage.get("sto_1/img_1/missing.png") is None
    await storage.delete(["sto_1/img_1/original.png", "sto_1/img_1/16.webp", "sto_1/img_1/none"])
    assert await storage.get("sto_1/img_1/16.webp") is None
    for bad in ("../escape", "/etc/passwd", ""):
        with pytest.raises(ValueError, match="bad storage key"):
            await storage.put(bad, b"x", "image/png")


async def test_disk_storage_keeps_the_contract_and_leaves_no_folders(tmp_path: Path) -> None:
    storage = DiskStorage(tmp_path / "images")
    await _contract(storage)
    assert list((tmp_path / "images").rglob("*")) == [(tmp_path / "images" / "sto_1")]
    await storage.aclose()


async def test_s3_storage_keeps_the_contract(moto_s3: str) -> None:
    admin = boto3.client(
        "s3",
        endpoint_url=moto_s3,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    admin.create_bucket(
        Bucket="contract", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    admin.close()  # a kept-alive connection would hold the server's shutdown
    storage = S3Storage(
        "contract",
        endpoint_url=moto_s3,
        region="eu-west-1",
        access_key_id="testing",
        secret_access_key="testing",
    )
    try:
        await _contract(storage)
    finally:
        await storage.aclose()
