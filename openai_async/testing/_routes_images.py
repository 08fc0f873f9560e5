"""``/v1/images/*``: deterministic URLs, or real solid-colour PNGs as base64."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Mapping
from typing import Any

from ._app import State, route
from ._bodies import Form, Invalid, checked, form_body, json_body, optional, required
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response

SIZES = ("256x256", "512x512", "1024x1024")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_LIMIT = 4 * 1024 * 1024


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (8-bit RGB), small because it compresses to nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def _images(seed: str, n: int, size: str, response_format: str) -> dict[str, Any]:
    data = []
    for i in range(n):
        digest = hashlib.sha256(f"{seed}|{size}|{i}".encode()).digest()
        if response_format == "b64_json":
            width, height = map(int, size.split("x"))
            png = solid_png(width, height, (digest[0], digest[1], digest[2]))
            data.append({"b64_json": base64.b64encode(png).decode()})
        else:
            data.append({"url": f"https://images.local/{digest.hex()[:24]}.png"})
    return {"created": CREATED, "data": data}


def _options(n: object, size: object, response_format: object) -> tuple[int, str, str]:
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 10:
        raise Invalid(f"{n!r} is not valid for 'n': it must be from 1 to 10.", "n")
    if size not in SIZES:
        raise Invalid(f"{size!r} is not one of {list(SIZES)} - 'size'", "size")
    if response_format not in ("url", "b64_json"):
        raise Invalid(
            f"{response_format!r} is not one of ['url', 'b64_json'] - 'response_format'",
            "response_format",
        )
    return n, size, response_format


def _check_prompt(prompt: str) -> str:
    if len(prompt) > 1000:
        raise Invalid("'prompt' is too long: the maximum is 1000 characters.", "prompt")
    return prompt


def _png(form: Form, name: str, *, required: bool) -> bytes | None:
    part = form.file(name, required=required)
    if part is None:
        return None
    if not part.data.startswith(PNG_SIGNATURE) or len(part.data) >= IMAGE_LIMIT:
        raise Invalid("Uploaded image must be a PNG and less than 4 MB.", name)
    return part.data


def _form_options(form: Form) -> tuple[int, str, str]:
    return _options(
        form.number("n", int, 1),
        form.text("size", "1024x1024"),
        form.text("response_format", "url"),
    )


@route("POST", r"/v1/images/generations")
@checked
async def generate(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    prompt = _check_prompt(required(body, "prompt", str))
    n, size, response_format = _options(
        optional(body, "n", int, 1),
        optional(body, "size", str, "1024x1024"),
        optional(body, "response_format", str, "url"),
    )
    return json_response(_images(prompt, n, size, response_format))


@route("POST", r"/v1/images/edits")
@checked
async def edit(state: State, request: ServerRequest, params: Mapping[str, str]) -> ServerResponse:
    form = form_body(request)
    image = _png(form, "image", required=True)
    mask = _png(form, "mask", required=False)
    prompt = _check_prompt(form.text("prompt", required=True))
    n, size, response_format = _form_options(form)
    assert image is not None
    seed = hashlib.sha256(image + (mask or b"") + prompt.encode()).hexdigest()
    return json_response(_images(seed, n, size, response_format))


@route("POST", r"/v1/images/variations")
@checked
async def variation(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    form = form_body(request)
    image = _png(form, "image", required=True)
    n, size, response_format = _form_options(form)
    assert image is not None
    return json_response(_images(hashlib.sha256(image).hexdigest(), n, size, response_format))
