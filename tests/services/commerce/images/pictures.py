"""Small images made in memory for the tests."""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg_rotated(width: int = 40, height: int = 20) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise to view" (a phone held
    upright), with a camera make in its metadata."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "SecretCam"
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 30, height: int = 30, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (0, 0, 255, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def gif_animated() -> bytes:
    colours = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    frames = [Image.new("RGB", (24, 24), colour) for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 10), (0, 128, 0)).save(out, "WEBP")
    return out.getvalue()


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
