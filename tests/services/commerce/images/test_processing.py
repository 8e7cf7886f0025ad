"""Checking and resizing uploads (pure, no app)."""

from __future__ import annotations

import pytest
from velox_commerce.errors import ImageTooLarge, InvalidImage, UnsupportedImage
from velox_commerce.images.processing import process

from tests.services.commerce.images import pictures

SIZES = (16, 64)


def test_a_jpeg_is_turned_upright_and_loses_its_metadata() -> None:
    result = process(pictures.jpeg_rotated(40, 20), max_pixels=10_000, sizes=SIZES)
    assert (result.content_type, result.extension) == ("image/jpeg", "jpg")
    assert (result.width, result.height) == (20, 40)
    stored = pictures.decode(result.data)
    assert stored.size == (20, 40) and stored.format == "JPEG"
    exif = stored.getexif()
    assert pictures.MAKE not in exif and pictures.ORIENTATION not in exif
    small = pictures.decode(result.thumbnails[16])
    assert small.format == "WEBP" and small.size == (8, 16)
    # never enlarged: the 64 px thumbnail of a 20x40 image stays 20x40
    assert pictures.decode(result.thumbnails[64]).size == (20, 40)


def test_png_webp_and_animated_gif_are_accepted() -> None:
    cases = [
        (pictures.png(), "image/png", 1),
        (pictures.webp(), "image/webp", 1),
        (pictures.gif_animated(), "image/gif", 3),
    ]
    for data, content_type, frames in cases:
        result = process(data, max_pixels=10_000, sizes=SIZES)
        assert result.content_type == content_type
        assert getattr(pictures.decode(result.data), "n_frames", 1) == frames, content_type
        assert set(result.thumbnails) == set(SIZES)


def test_what_is_refused() -> None:
    """Other formats and non-images (whatever their name) are 415, broken images of an
    accepted format 422, too many pixels 413 (checked before decoding)."""
    cases: list[tuple[str, bytes, type[Exception]]] = [
        ("bmp", pictures.bmp(), UnsupportedImage),
        ("text", b"just some text, renamed photo.jpg", UnsupportedImage),
        ("empty", b"", UnsupportedImage),
        ("truncated-jpeg", pictures.jpeg_rotated(200, 200)[:300], InvalidImage),
        ("truncated-png", pictures.png(300, 300)[:-40], InvalidImage),
        ("too-many-pixels", pictures.png(2000, 1000, mode="L"), ImageTooLarge),
    ]
    for name, data, error in cases:
        try:
            process(data, max_pixels=1_000_000, sizes=SIZES)
        except error:
            continue
        pytest.fail(f"{name}: accepted or refused otherwise")
