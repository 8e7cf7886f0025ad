"""Where image files live, behind one interface: a local directory or an S3-compatible
bucket (AWS S3, MinIO, Cloudflare R2, Ceph...). Keys are ``/``-separated relative paths
made by the service (``sto_.../img_.../160.webp``), never taken from a client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from aiobotocore.session import get_session  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from velox_commerce.config import Settings

__all__ = ["DiskStorage", "ImageStorage", "S3Storage", "build_storage"]


class ImageStorage(Protocol):
    """Put, read and delete whole objects by key."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""
        ...

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove the objects (keys without one are ignored)."""
        ...

    async def aclose(self) -> None: ...


def _safe(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"bad storage key {key!r}")
    return path


class DiskStorage:
    """Files under ``root``; written to a temporary name then renamed, so a reader never
    sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_safe(key).parts)

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        partial.replace(path)

    def _read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def _remove(self, keys: Sequence[str]) -> None:
        folders = set()
        for key in keys:
            path = self._path(key)
            path.unlink(missing_ok=True)
            folders.add(path.parent)
        for folder in folders:  # an image's folder goes with its last file
            with contextlib.suppress(OSError):
                folder.rmdir()

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._read, key)

    async def delete(self, keys: Sequence[str]) -> None:
        await asyncio.to_thread(self._remove, keys)

    async def aclose(self) -> None:
        return None


class S3Storage:
    """Objects in one bucket through aiobotocore (one client per process, opened on first
    use). ``endpoint_url`` points at another S3-compatible service."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            "config": Config(
                connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
            ),
        }
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    @staticmethod
    def _key(key: str) -> str:
        return str(_safe(key))

    async def _s3(self) -> Any:
        async with self._lock:
            if self._client is None:
                creator = get_session().create_client("s3", **self._options)
                self._client = await self._stack.enter_async_context(creator)
        return self._client

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        s3 = await self._s3()
        await s3.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable",
        )

    async def get(self, key: str) -> bytes | None:
        s3 = await self._s3()
        try:
            answer = await s3.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        async with answer["Body"] as body:
            data: bytes = await body.read()
        return data

    async def delete(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        s3 = await self._s3()
        for start in range(0, len(keys), 1000):  # the API's batch limit
            chunk = keys[start : start + 1000]
            await s3.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self._key(k)} for k in chunk], "Quiet": True},
            )

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._client = None


def build_storage(settings: Settings) -> ImageStorage:
    """The storage the settings name (``COMMERCE_IMAGE_STORAGE``)."""
    if settings.image_storage == "s3":
        if not settings.image_s3_bucket:
            raise ValueError("COMMERCE_IMAGE_S3_BUCKET is required with COMMERCE_IMAGE_STORAGE=s3")
        secret = settings.image_s3_secret_access_key
        return S3Storage(
            settings.image_s3_bucket,
            endpoint_url=settings.image_s3_endpoint_url,
            region=settings.image_s3_region,
            access_key_id=settings.image_s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
        )
    return DiskStorage(settings.image_dir)
