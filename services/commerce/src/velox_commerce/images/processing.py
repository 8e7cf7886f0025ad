"""Checking and resizing an uploaded image: pure CPU work on bytes, no I/O (callers run it
in a thread so the event loop keeps serving).

The bytes are trusted only once Pillow has decoded them whole: the name and the declared
content type of the upload are ignored. The header gives the size first, so an image
past the pixel limit is refused before any pixel is decoded. What is stored is a
re-encoding: the EXIF orientation applied and every metadata block (EXIF with its GPS
position, XMP, comments) left out; thumbnails are WebP, at most ``size`` pixels on their
longest side, never enlarged.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from velox_commerce.errors import ImageTooLarge, InvalidImage, UnsupportedImage

__all__ = ["ALLOWED", "Processed", "process"]

# Pillow format name -> (content type, file extension).
ALLOWED: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
# Animated images cost frames x pixels to re-encode: the pixel limit covers all frames.
_MAX_FRAMES = 300


@dataclass(frozen=True, slots=True)
class Processed:
    content_type: str
    extension: str
    width: int
    height: int
    data: bytes
    # longest side -> WebP bytes
    thumbnails: dict[int, bytes]


def _claims_allowed(data: bytes) -> bool:
    """Whether the bytes start like a JPEG, PNG, GIF or WebP file."""
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge("The image has too many pixels.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        if _claims_allowed(data):
            raise InvalidImage(
                "The file starts as an accepted image but does not decode (truncated or corrupt)."
            ) from None
        raise UnsupportedImage(
            "The file is not an image in one of the accepted formats (JPEG, PNG, WebP, GIF)."
        ) from None
    if image.format not in ALLOWED:
        raise UnsupportedImage(
            f"{image.format} images are not accepted; send JPEG, PNG, WebP or GIF."
        )
    return image


def _check_size(image: Image.Image, max_pixels: int) -> int:
    frames = int(getattr(image, "n_frames", 1))
    if image.width * image.height * min(frames, _MAX_FRAMES) > max_pixels or frames > _MAX_FRAMES:
        raise ImageTooLarge(
            f"The image is {image.width}x{image.height} pixels over {frames} frame(s); the"
            f" limit is {max_pixels} pixels and {_MAX_FRAMES} frames."
        )
    return frames


def _decode(image: Image.Image) -> None:
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError):
        raise InvalidImage(
            f"The file starts as a {image.format} image but does not decode (truncated or corrupt)."
        ) from None


def _reencode(image: Image.Image, fmt: str, frames: int) -> bytes:
    """The image again, in its own format, without its metadata."""
    out = io.BytesIO()
    if frames > 1:
        # Animation kept; transposing frames one by one is not worth it for GIF/WebP,
        # which carry no orientation tag in practice.
        image.save(out, format=fmt, save_all=True, loop=image.info.get("loop", 0))
        return out.getvalue()
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG":
        upright = upright.convert("RGB") if upright.mode not in ("RGB", "L", "CMYK") else upright
        upright.save(out, format="JPEG", quality=90, optimize=True)
    elif fmt == "PNG":
        upright.save(out, format="PNG", optimize=True)
    elif fmt == "WEBP":
        upright.save(out, format="WEBP", quality=90)
    else:
        upright.save(out, format="GIF")
    return out.getvalue()


def _thumbnail(image: Image.Image, size: int) -> bytes:
    copy = image.copy()
    if copy.mode not in ("RGB", "RGBA"):
        copy = copy.convert(
            "RGBA" if "A" in copy.getbands() or "transparency" in copy.info else "RGB"
        )
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="WEBP", quality=82, method=4)
    return out.getvalue()


def process(data: bytes, *, max_pixels: int, sizes: Sequence[int]) -> Processed:
    """Check ``data`` and make what is stored of it; raises :class:`UnsupportedImage`
    (415), :class:`InvalidImage` (422) or :class:`ImageTooLarge` (413)."""
    image = _open(data)
    fmt = str(image.format)
    frames = _check_size(image, max_pixels)
    _decode(image)
    try:
        stored = _reencode(image, fmt, frames)
        image.seek(0)
        upright = ImageOps.exif_transpose(image) if frames == 1 else image
        thumbnails = {size: _thumbnail(upright, size) for size in sorted(set(sizes))}
    except (OSError, ValueError, EOFError):
        raise InvalidImage(f"The {fmt} image does not decode whole.") from None
    content_type, extension = ALLOWED[fmt]
    return Processed(
        content_type=content_type,
        extension=extension,
        width=upright.width,
        height=upright.height,
        data=stored,
        thumbnails=thumbnails,
    )
