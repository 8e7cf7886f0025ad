"""Product images through the API: upload checked by content, thumbnails, order, alt
text, deletion with the stored files, on disk and in S3; bad input; isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.images import pictures
from tests.services.commerce.images.conftest import ImageServer


def _upload(
    client: httpx.AsyncClient,
    seeded: Seeded,
    data: bytes,
    name: str = "photo.jpg",
    content_type: str = "image/jpeg",
    **form: str,
) -> Any:
    return client.post(
        seeded.path(f"/products/{seeded.product}/images"),
        files={"file": (name, data, content_type)},
        data=form,
    )


async def test_upload_list_reorder_update_and_delete_on_disk(
    images_shop: Shop, disk_server: ImageServer, unique: str
) -> None:
    client = images_shop.client(images_shop.account("img", unique))
    seeded = await seed(client, prices=[2500, 2600], stock=[0, 0])
    photo = ok(
        await _upload(
            client, seeded, pictures.jpeg_rotated(), alt="Red", variant_id=seeded.variants[1]
        ),
        201,
    )
    assert (photo["width"], photo["height"], photo["content_type"]) == (20, 40, "image/jpeg")
    assert photo["variant_id"] == seeded.variants[1] and photo["alt"] == "Red"
    assert photo["id"].startswith("img_") and photo["position"] == 0
    assert set(photo["thumbnails"]) == {"16", "64"}
    original = await client.get(photo["url"])
    assert original.headers["content-type"] == "image/jpeg"
    assert pictures.ORIENTATION not in pictures.decode(original.content).getexif()
    thumb = await client.get(photo["thumbnails"]["16"])
    assert pictures.decode(thumb.content).size == (8, 16)

    # A PNG sent as "image/jpeg" named .jpg is taken for what it is.
    logo = ok(await _upload(client, seeded, pictures.png(), name="logo.jpg"), 201)
    assert logo["content_type"] == "image/png" and logo["url"].endswith("/files/original")
    anim = ok(await _upload(client, seeded, pictures.gif_animated(), name="a.gif"), 201)
    assert anim["position"] == 2
    full = await _upload(client, seeded, pictures.webp())
    assert full.status_code == 409, full.text  # at most 3 per product here

    images = seeded.path(f"/products/{seeded.product}/images")
    first = ok(await client.get(images, params={"limit": 2}))
    assert [i["id"] for i in first["items"]] == [photo["id"], logo["id"]]
    rest = ok(await client.get(images, params={"limit": 2, "cursor": first["next_cursor"]}))
    assert [i["id"] for i in rest["items"]] == [anim["id"]] and rest["next_cursor"] is None

    order = [anim["id"], photo["id"], logo["id"]]
    reordered = ok(await client.put(f"{images}/order", json={"image_ids": order}))
    assert [(i["id"], i["position"]) for i in reordered] == list(zip(order, range(3), strict=True))
    changed = ok(
        await client.patch(f"{images}/{photo['id']}", json={"alt": "Front", "variant_id": None})
    )
    assert changed["alt"] == "Front" and changed["variant_id"] is None
    product = ok(await client.get(seeded.path(f"/products/{seeded.product}")))
    assert [i["id"] for i in product["images"]] == order
    assert product["images"][1]["alt"] == "Front"

    before = disk_server.stored()
    photo_keys = {k for k in before if f"/{photo['id']}/" in k}
    assert len(photo_keys) == 3  # original and two thumbnails
    assert (await client.delete(f"{images}/{photo['id']}")).status_code == 204
    assert disk_server.stored() == before - photo_keys
    assert (await client.get(photo["url"])).status_code == 404
    for image in (logo, anim):
        assert (await client.delete(f"{images}/{image['id']}")).status_code == 204
    assert not any(seeded.store in k for k in disk_server.stored())


async def test_an_upload_in_s3_is_public_at_its_url_and_deleted_with_its_image(
    s3_server: ImageServer, keys: Any, commerce_db: Any, redis: Any, unique: str
) -> None:
    from tests.services.commerce.conftest import forget

    shop = Shop(url=s3_server.url, stripe_url="", keys=keys)
    try:
        client = shop.client(shop.account("s3", unique))
        seeded = await seed(client, stock=[0])
        image = ok(await _upload(client, seeded, pictures.jpeg_rotated()), 201)
        assert image["url"].endswith(f"{seeded.store}/{image['id']}/original.jpg")
        async with httpx.AsyncClient() as public:
            stored = await public.get(image["url"])
            thumb = await public.get(image["thumbnails"]["64"])
        assert pictures.decode(stored.content).size == (20, 40)
        assert thumb.headers["content-type"] == "image/webp"
        served = await client.get(
            seeded.path(f"/products/{seeded.product}/images/{image['id']}/files/16")
        )
        assert pictures.decode(served.content).size == (8, 16)
        assert len([k for k in s3_server.stored() if image["id"] in k]) == 3
        path = seeded.path(f"/products/{seeded.product}/images/{image['id']}")
        assert (await client.delete(path)).status_code == 204
        assert not [k for k in s3_server.stored() if image["id"] in k]
    finally:
        await shop.close()
        await forget(commerce_db, redis, shop.made, [])


async def test_bad_uploads_are_problems_and_store_nothing(
    images_shop: Shop, disk_server: ImageServer, unique: str
) -> None:
    client = images_shop.client(images_shop.account("bad", unique))
    seeded = await seed(client, stock=[0])
    other = await seed(client, stock=[0], handle="other")
    product_images = seeded.path(f"/products/{seeded.product}/images")
    cases: list[tuple[str, Callable[[], Any], int, str | None]] = [
        ("bmp", lambda: _upload(client, seeded, pictures.bmp(), "x.bmp"), 415, "unsupported-image"),
        ("text", lambda: _upload(client, seeded, b"not an image"), 415, "unsupported-image"),
        (
            "cut",
            lambda: _upload(client, seeded, pictures.jpeg_rotated(200, 200)[:300]),
            422,
            "invalid-image",
        ),
        (
            "bomb",
            lambda: _upload(client, seeded, pictures.png(2000, 1000, mode="L")),
            413,
            "image-too-large",
        ),
        (
            "bytes",
            lambda: _upload(client, seeded, b"\xff\xd8\xff" + b"0" * 200_001),
            413,
            "image-too-large",
        ),
        (
            "foreign variant",
            lambda: _upload(client, seeded, pictures.png(), variant_id=other.variants[0]),
            422,
            None,
        ),
        ("no file", lambda: client.post(product_images), 422, None),
        (
            "no product",
            lambda: _upload(client, Seeded(seeded.store, "", [], "prod_nope"), pictures.png()),
            404,
            None,
        ),
        ("long alt", lambda: _upload(client, seeded, pictures.png(), alt="a" * 501), 422, None),
    ]
    for name, call, status, problem in cases:
        answer = await call()
        assert answer.status_code == status, (name, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json"), name
        if problem:
            assert answer.json()["type"].endswith(problem), (name, answer.json())
    assert not any(seeded.store in k for k in disk_server.stored())
    image = ok(await _upload(client, seeded, pictures.png()), 201)
    images = seeded.path(f"/products/{seeded.product}/images")
    bad_order = await client.put(f"{images}/order", json={"image_ids": ["img_other"]})
    assert bad_order.status_code == 422 and bad_order.json()["missing"] == [image["id"]]
    assert (
        await client.put(f"{images}/order", json={"image_ids": [image["id"]] * 2})
    ).status_code == 422
    assert (await client.get(f"{images}/{image['id']}/files/999")).status_code == 404
    assert (await client.get(f"{images}/{image['id']}/files/original.jpg")).status_code == 422
    bad_variant = await client.patch(
        f"{images}/{image['id']}", json={"variant_id": other.variants[0]}
    )
    assert bad_variant.status_code == 422
    assert (await client.get(images, params={"cursor": "garbage"})).status_code == 400
    assert (await client.delete(f"{images}/{image['id']}")).status_code == 204


async def test_images_of_another_tenant_or_store_are_not_found(
    images_shop: Shop, disk_server: ImageServer, unique: str
) -> None:
    owner = images_shop.client(images_shop.account("owner", unique))
    seeded = await seed(owner, stock=[0])
    other_store = await seed(owner, stock=[0], handle="second")
    image = ok(await _upload(owner, seeded, pictures.png()), 201)
    files = {k for k in disk_server.stored() if f"/{image['id']}/" in k}
    assert len(files) == 3  # original and two thumbnails
    stranger = images_shop.client(images_shop.account("stranger", unique))
    images = seeded.path(f"/products/{seeded.product}/images")
    for call in (
        stranger.get(images),
        stranger.get(f"{images}/{image['id']}"),
        stranger.get(f"{images}/{image['id']}/files/original"),
        stranger.delete(f"{images}/{image['id']}"),
        _upload(stranger, seeded, pictures.png()),
        # the same account, through its other store
        owner.get(other_store.path(f"/products/{seeded.product}/images")),
        owner.get(other_store.path(f"/products/{seeded.product}/images/{image['id']}")),
        owner.delete(other_store.path(f"/products/{seeded.product}/images/{image['id']}")),
    ):
        answer = await call
        assert answer.status_code == 404, answer.text
    still = ok(await owner.get(images))
    assert [i["id"] for i in still["items"]] == [image["id"]]
    assert files <= disk_server.stored()  # a refused delete leaves the files
    assert (await owner.delete(f"{images}/{image['id']}")).status_code == 204
    assert not files & disk_server.stored()
