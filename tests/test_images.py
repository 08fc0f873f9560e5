"""The /images endpoints over loopback: generate (JSON), edit and variations (multipart)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from openai_async import AsyncClient, BadRequestError, InvalidParameterError
from openai_async.testing import LocalServer
from openai_async.testing._multipart import parse_multipart
from openai_async.testing._routes_images import PNG_SIGNATURE, solid_png
from openai_async.types import ImagesResponse

from .openapi import assert_request_matches_spec

pytestmark = pytest.mark.anyio

PNG = solid_png(16, 16, (200, 30, 30))
MASK = solid_png(16, 16, (0, 0, 0))


def _form(server: LocalServer) -> dict[str, tuple[str | None, str | None, bytes]]:
    sent = server.requests[-1]
    parts = parse_multipart(sent.headers["content-type"], sent.body)
    return {p.name: (p.filename, p.content_type, p.data) for p in parts}


async def test_generate(client: AsyncClient, server: LocalServer) -> None:
    """images.generate sends JSON and gets n URLs, the same for the same prompt."""
    images = await client.images.generate(
        prompt="A cute baby sea otter", n=2, size="256x256", user="u1"
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/images/generations")
    assert sent.json() == {
        "prompt": "A cute baby sea otter",
        "n": 2,
        "size": "256x256",
        "user": "u1",
    }
    assert_request_matches_spec(sent)
    assert isinstance(images, ImagesResponse)
    assert len(images) == 2
    urls = [image.url for image in images]
    assert all(url is not None and url.endswith(".png") for url in urls)
    assert len(set(urls)) == 2
    again = await client.images.generate(prompt="A cute baby sea otter", n=2, size="256x256")
    assert [image.url for image in again] == urls


async def test_generate_b64_is_a_png_of_the_size(client: AsyncClient, server: LocalServer) -> None:
    """response_format="b64_json" gives base64 PNG data of the requested size."""
    images = await client.images.generate(
        prompt="otter", size="512x512", response_format="b64_json"
    )
    assert_request_matches_spec(server.requests[-1])
    (image,) = images.data
    assert image.url is None
    assert image.b64_json is not None
    png = base64.b64decode(image.b64_json)
    assert png.startswith(PNG_SIGNATURE)
    assert (int.from_bytes(png[16:20]), int.from_bytes(png[20:24])) == (512, 512)


async def test_edit_with_mask(client: AsyncClient, server: LocalServer, tmp_path: Path) -> None:
    """images.edit sends image and mask as PNG file parts and the rest as text fields."""
    image_path = tmp_path / "otter.png"
    image_path.write_bytes(PNG)
    images = await client.images.edit(
        image=image_path,
        mask=io.BytesIO(MASK),
        prompt="A cute baby sea otter wearing a beret",
        n=3,
        size="1024x1024",
        response_format="url",
    )
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/images/edits")
    assert _form(server) == {
        "prompt": (None, None, b"A cute baby sea otter wearing a beret"),
        "n": (None, None, b"3"),
        "size": (None, None, b"1024x1024"),
        "response_format": (None, None, b"url"),
        "image": ("otter.png", "image/png", PNG),
        "mask": ("mask", "application/octet-stream", MASK),
    }
    assert_request_matches_spec(sent)
    assert len(images) == 3


async def test_variation(client: AsyncClient, server: LocalServer) -> None:
    """images.create_variation sends the image and gets variations as base64 PNGs."""
    images = await client.images.create_variation(
        image=("otter.png", PNG, "image/png"), n=1, response_format="b64_json"
    )
    assert (server.requests[-1].method, server.requests[-1].path) == (
        "POST",
        "/v1/images/variations",
    )
    assert _form(server) == {
        "n": (None, None, b"1"),
        "response_format": (None, None, b"b64_json"),
        "image": ("otter.png", "image/png", PNG),
    }
    assert_request_matches_spec(server.requests[-1])
    assert images.data[0].b64_json is not None
    assert base64.b64decode(images.data[0].b64_json).startswith(PNG_SIGNATURE)


async def test_server_refuses_a_non_png(client: AsyncClient, server: LocalServer) -> None:
    """The local server answers OpenAI's 400 for an image that is not a PNG."""
    with pytest.raises(BadRequestError, match="must be a PNG") as info:
        await client.images.create_variation(image=("photo.jpg", b"\xff\xd8\xff", "image/jpeg"))
    assert info.value.param == "image"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"n": 0}, "n"),
        ({"n": 11}, "n"),
        ({"size": "1792x1024"}, "size"),
        ({"response_format": "png"}, "response_format"),
        ({"prompt": "x" * 1001}, "prompt"),
    ],
)
async def test_limits_of_the_spec(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, object], param: str
) -> None:
    """n 1-10, the size and format enums and the 1000-character prompt are checked first."""
    arguments: dict[str, object] = {"prompt": "otter", **kwargs}
    with pytest.raises(InvalidParameterError) as info:
        await client.images.generate(**arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    with pytest.raises(InvalidParameterError) as info:
        await client.images.edit(image=PNG, **arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    if param != "prompt":
        arguments.pop("prompt")
        with pytest.raises(InvalidParameterError) as info:
            await client.images.create_variation(image=PNG, **arguments)  # type: ignore[arg-type]
        assert info.value.param == param
    assert server.requests == []


async def test_longest_prompt_is_accepted(client: AsyncClient, server: LocalServer) -> None:
    """A prompt of exactly 1000 characters is within the limit."""
    images = await client.images.generate(prompt="x" * 1000)
    assert len(images) == 1
    assert_request_matches_spec(server.requests[-1])
