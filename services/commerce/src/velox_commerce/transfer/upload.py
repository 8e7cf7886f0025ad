"""The uploaded file of a request: a ``file`` part of a multipart form, or the raw body.

The body is counted as it arrives and refused past the limit (plus room for the
multipart envelope), so an oversized upload is never spooled whole.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive
from velox_shared.errors import BadRequest

from velox_commerce.transfer.errors import FileTooLarge
from velox_commerce.transfer.files import MAX_FILE_BYTES

__all__ = ["OPENAPI_BODY", "read_upload"]

_ENVELOPE = 64 * 1024
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BINARY = {"schema": {"type": "string", "format": "binary"}}
OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": _BINARY,
            _XLSX: _BINARY,
            "application/octet-stream": _BINARY,
        },
    }
}


def _too_large() -> FileTooLarge:
    return FileTooLarge(
        f"The file is larger than {MAX_FILE_BYTES:,} bytes.", limit=MAX_FILE_BYTES, unit="bytes"
    )


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large()
        return message

    return counted


async def read_upload(request: Request) -> bytes:
    """The file's bytes; raises :class:`FileTooLarge` past :data:`MAX_FILE_BYTES`."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FILE_BYTES + _ENVELOPE:
        raise _too_large()
    counted = Request(request.scope, _counted(request.receive, MAX_FILE_BYTES + _ENVELOPE))
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        data = await counted.body()
    else:
        form = await counted.form(max_files=1, max_fields=10)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadRequest("Send the file in a multipart part named 'file'.")
            data = await upload.read(MAX_FILE_BYTES + 1)
        finally:
            await form.close()
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    return data
