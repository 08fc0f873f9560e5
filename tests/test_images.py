"""The /images endpoints over loopback: generate (JSON), edit and variations (multipart)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

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
        ({"size": 1024}, "size"),
        ({"response_format": "png"}, "response_format"),
        ({"prompt": "x" * 32_001}, "prompt"),
        ({"quality": "ultra"}, "quality"),
        ({"output_format": "gif"}, "output_format"),
        ({"output_compression": 101}, "output_compression"),
        ({"background": "clear"}, "background"),
        ({"partial_images": 4}, "partial_images"),
    ],
)
async def test_limits_of_the_spec(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, object], param: str
) -> None:
    """What the spec states for every model (n, enums, 32000 characters) is checked first."""
    arguments: dict[str, object] = {"prompt": "otter", **kwargs}
    with pytest.raises(InvalidParameterError) as info:
        await client.images.generate(**arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    with pytest.raises(InvalidParameterError) as info:
        await client.images.edit(image=PNG, **arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    if param in ("n", "size", "response_format"):
        arguments.pop("prompt")
        with pytest.raises(InvalidParameterError) as info:
            await client.images.create_variation(image=PNG, **arguments)  # type: ignore[arg-type]
        assert info.value.param == param
    assert server.requests == []


async def test_longest_dall_e_2_prompt_is_accepted(
    client: AsyncClient, server: LocalServer
) -> None:
    """A prompt of exactly 1000 characters is within dall-e-2's limit."""
    images = await client.images.generate(prompt="x" * 1000)
    assert len(images) == 1
    assert_request_matches_spec(server.requests[-1])


@pytest.mark.latest_spec("dall-e-3 and GPT image models came after the 2023 spec")
async def test_model_limits_are_the_servers_to_say(
    client: AsyncClient, server: LocalServer
) -> None:
    """A longer prompt and a dall-e-3 size go out; dall-e-2 refuses them on the server."""
    with pytest.raises(BadRequestError) as info:
        await client.images.generate(prompt="x" * 1001, model="dall-e-2")
    assert info.value.param == "prompt"
    with pytest.raises(BadRequestError) as info:
        await client.images.generate(prompt="otter", size="1792x1024")
    assert info.value.param == "size"
    assert len(server.requests) == 2


@pytest.mark.latest_spec("dall-e-3 came after the 2023 spec")
async def test_dall_e_3(client: AsyncClient, server: LocalServer) -> None:
    """dall-e-3 takes its wide size, hd quality and a style, and revises the prompt."""
    images = await client.images.generate(
        model="dall-e-3", prompt="x" * 4000, size="1792x1024", quality="hd", style="natural"
    )
    assert server.requests[-1].json()["style"] == "natural"
    (image,) = images.data
    assert image.url is not None
    assert image.revised_prompt is not None


@pytest.mark.latest_spec("GPT image models came after the 2023 spec")
async def test_gpt_image_1(client: AsyncClient, server: LocalServer) -> None:
    """gpt-image-1 sizes and options go out; base64 images come back with usage."""
    images = await client.images.generate(
        model="gpt-image-1",
        prompt="an otter",
        size="1536x1024",
        quality="high",
        background="transparent",
        output_format="webp",
        output_compression=80,
        moderation="low",
        n=2,
    )
    body = server.requests[-1].json()
    assert (body["size"], body["output_format"], body["output_compression"]) == (
        "1536x1024",
        "webp",
        80,
    )
    assert (images.size, images.quality, images.background) == ("1536x1024", "high", "transparent")
    assert images.output_format == "webp"
    assert images.usage is not None
    assert images.usage.output_tokens > 0
    assert len(images) == 2
    for image in images:
        assert image.url is None
        assert image.b64_json is not None
        assert base64.b64decode(image.b64_json)[8:12] == b"WEBP"


@pytest.mark.latest_spec("GPT image models came after the 2023 spec")
async def test_gpt_image_png_has_the_size(client: AsyncClient, server: LocalServer) -> None:
    """A gpt-image-1 PNG (the default format) is a real PNG of the size asked."""
    import struct

    images = await client.images.generate(model="gpt-image-1", prompt="o", size="1024x1536")
    assert images.data[0].b64_json is not None
    png = base64.b64decode(images.data[0].b64_json)
    assert png.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", png[16:24]) == (1024, 1536)


@pytest.mark.latest_spec("gpt-image-2 came after the 2023 spec")
async def test_any_size_goes_out(client: AsyncClient, server: LocalServer) -> None:
    """A size no enum names (gpt-image-2's WIDTHxHEIGHT) is sent as given."""
    images = await client.images.generate(model="gpt-image-2", prompt="o", size="1536x864")
    assert server.requests[-1].json()["size"] == "1536x864"
    assert images.size == "1536x864"


@pytest.mark.latest_spec("edits of several images came after the 2023 spec")
async def test_edit_several_images(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A list of images goes out as image[] parts; GPT options as form fields."""
    path = tmp_path / "second.png"
    path.write_bytes(MASK)
    images = await client.images.edit(
        model="gpt-image-1",
        image=[("first.png", PNG), path, ("third.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")],
        prompt="a gift basket",
        input_fidelity="high",
        quality="low",
        output_format="jpeg",
    )
    sent = server.requests[-1]
    parts = parse_multipart(sent.headers["content-type"], sent.body)
    assert [(p.name, p.filename) for p in parts if p.filename] == [
        ("image[]", "first.png"),
        ("image[]", "second.png"),
        ("image[]", "third.jpg"),
    ]
    assert _form(server)["input_fidelity"] == (None, None, b"high")
    assert images.output_format == "jpeg"
    assert images.data[0].b64_json is not None
    assert base64.b64decode(images.data[0].b64_json).startswith(b"\xff\xd8\xff")


async def test_too_many_images_are_refused(client: AsyncClient, server: LocalServer) -> None:
    """More than the spec's 16 images, or none, fail before sending."""
    for images in ([PNG] * 17, []):
        with pytest.raises(InvalidParameterError) as info:
            await client.images.edit(image=images, prompt="x", model="gpt-image-1")
        assert info.value.param == "image"
    assert server.requests == []


@pytest.mark.latest_spec("streamed images came after the 2023 spec")
async def test_streamed_generation(client: AsyncClient, server: LocalServer) -> None:
    """stream=True gives partial images, then the completed one, which ends the stream."""
    stream = await client.images.generate(
        model="gpt-image-1", prompt="an otter", stream=True, partial_images=2
    )
    async with stream:
        events = [event async for event in stream]
    body = server.requests[-1].json()
    assert (body["stream"], body["partial_images"]) == (True, 2)
    assert [(e.type, e.partial_image_index) for e in events] == [
        ("image_generation.partial_image", 0),
        ("image_generation.partial_image", 1),
        ("image_generation.completed", None),
    ]
    assert events[-1].usage is not None
    assert events[-1].b64_json is not None


@pytest.mark.latest_spec("streamed images came after the 2023 spec")
async def test_streamed_edit_of_two_images(client: AsyncClient, server: LocalServer) -> None:
    """With n=2 there are two completed events; the stream is read to its end."""
    stream = await client.images.edit(
        model="gpt-image-1", image=PNG, prompt="x", n=2, stream=True, partial_images=1
    )
    async with stream:
        kinds = [event.type async for event in stream]
    assert ("stream", "true") in [(p.name, p.text) for p in _parts(server) if not p.filename]
    assert kinds == ["image_edit.partial_image", "image_edit.completed"] * 2


@pytest.mark.latest_spec("streamed images came after the 2023 spec")
async def test_streamed_image_cut_short_raises(client: AsyncClient, server: LocalServer) -> None:
    """A stream that ends before its completed event raises instead of ending quietly."""
    from openai_async import StreamTruncatedError

    server.inject(stream_action="end", after_events=1, path="/images/generations")
    stream = await client.images.generate(
        model="gpt-image-1", prompt="x", stream=True, partial_images=3
    )

    async def read_all() -> None:
        async with stream:
            async for _ in stream:
                pass

    with pytest.raises(StreamTruncatedError, match="completed"):
        await read_all()


def _parts(server: LocalServer) -> list[Any]:
    sent = server.requests[-1]
    return parse_multipart(sent.headers["content-type"], sent.body)


@pytest.mark.latest_spec("dall-e-3 and GPT image models came after the 2023 spec")
@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"model": "dall-e-3", "n": 2}, "n"),
        ({"model": "dall-e-3", "size": "1536x1024"}, "size"),
        ({"model": "gpt-image-1", "response_format": "url"}, "response_format"),
        (
            {"model": "gpt-image-1", "background": "transparent", "output_format": "jpeg"},
            "background",
        ),
        ({"model": "gpt-image-1", "style": "vivid"}, "style"),
        ({"model": "gpt-image-1", "size": "1536x864"}, "size"),
        ({"model": "dall-e-2", "output_format": "webp"}, "output_format"),
        ({"model": "dall-e-2", "stream": True}, "stream"),
    ],
)
async def test_the_local_server_knows_each_models_rules(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, object], param: str
) -> None:
    """What one model refuses goes out; the local server answers 400 naming it."""
    with pytest.raises(BadRequestError) as info:
        await client.images.generate(prompt="otter", **kwargs)  # type: ignore[call-overload]
    assert info.value.param == param
    assert len(server.requests) == 1


@pytest.mark.latest_spec("edits by reference came after the 2023 spec")
async def test_edit_images_by_reference(client: AsyncClient, server: LocalServer) -> None:
    """images= sends JSON: images by URL or by an uploaded file's id, a mask likewise."""
    uploaded = await client.files.create(file=("ref.png", PNG), purpose="vision")
    images = await client.images.edit(
        model="gpt-image-1",
        images=[{"image_url": "https://example.com/a.png"}, {"file_id": uploaded.id}],
        mask={"file_id": uploaded.id},
        prompt="a gift basket",
        moderation="low",
        output_format="png",
    )
    sent = server.requests[-1]
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "model": "gpt-image-1",
        "images": [{"image_url": "https://example.com/a.png"}, {"file_id": uploaded.id}],
        "mask": {"file_id": uploaded.id},
        "prompt": "a gift basket",
        "moderation": "low",
        "output_format": "png",
    }
    assert images.data[0].b64_json is not None
    assert base64.b64decode(images.data[0].b64_json).startswith(PNG_SIGNATURE)


@pytest.mark.latest_spec("edits by reference came after the 2023 spec")
async def test_streamed_edit_by_reference(client: AsyncClient, server: LocalServer) -> None:
    """images= with stream=True streams the edit's events too."""
    stream = await client.images.edit(
        images=[{"image_url": "data:image/png;base64,AAAA"}], prompt="x", stream=True
    )
    async with stream:
        kinds = [event.type async for event in stream]
    assert server.requests[-1].json()["stream"] is True
    assert kinds == ["image_edit.completed"]


@pytest.mark.latest_spec("edits by reference came after the 2023 spec")
async def test_unknown_file_id_is_the_servers_to_find(
    client: AsyncClient, server: LocalServer
) -> None:
    """A file id nobody uploaded goes out; the server answers 404."""
    from openai_async import NotFoundError

    with pytest.raises(NotFoundError):
        await client.images.edit(images=[{"file_id": "file-missing"}], prompt="x")


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"images": [{"image_url": "u", "file_id": "f"}]}, "images[0]"),
        ({"images": [{"url": "u"}]}, "images[0]"),
        ({"images": []}, "images"),
        ({"images": [{"file_id": "f"}] * 17}, "images"),
        ({"images": {"file_id": "f"}}, "images"),
        ({"images": [{"file_id": "f"}], "mask": b"png"}, "mask"),
        ({"images": [{"file_id": "f"}], "image": PNG}, "images"),
        ({}, "image"),
    ],
)
async def test_bad_references_are_refused(
    client: AsyncClient, server: LocalServer, kwargs: dict[str, object], param: str
) -> None:
    """A reference names exactly one of image_url and file_id; 1 to 16 of them."""
    with pytest.raises(InvalidParameterError) as info:
        await client.images.edit(prompt="x", **kwargs)  # type: ignore[call-overload]
    assert info.value.param == param
    assert server.requests == []
