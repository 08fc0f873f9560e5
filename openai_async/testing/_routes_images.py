"""``/v1/images/*``: deterministic URLs, or real solid-colour PNGs as base64.

Models behave as the API reference describes them:

- ``dall-e-2`` (the default): sizes 256x256, 512x512 and 1024x1024, prompts up to 1000
  characters, one square PNG to edit;
- ``dall-e-3``: 1024x1024, 1792x1024 and 1024x1792, ``n=1``, ``quality`` standard or
  hd, ``style``, a ``revised_prompt``;
- GPT image models (``gpt-image-*``, ``chatgpt-image-latest``): 1024x1024, 1536x1024,
  1024x1536 and auto (``gpt-image-2`` any ``WxH`` in multiples of 16, drawn at an eighth
  of the size above 1536x1536), always base64,
  ``output_format`` png, jpeg or webp (jpeg and webp are placeholder bytes with the
  format's signature, not decodable images), ``background``, token ``usage``, up to 16
  images to edit (``image[]`` parts, or in the JSON form ``images`` by ``image_url``
  or by the ``file_id`` of an uploaded file), and with ``stream=true``
  ``partial_images`` partial events then a completed event per image.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._app import State, current_fault, route
from ._bodies import Invalid, checked, form_body, json_body
from ._events import sse_response
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response

SIZES = ("256x256", "512x512", "1024x1024")
DALL_E_3_SIZES = ("1024x1024", "1792x1024", "1024x1792")
GPT_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_LIMIT = 4 * 1024 * 1024
GPT_IMAGE_LIMIT = 50 * 1024 * 1024
_SIGNATURES = {"jpeg": b"\xff\xd8\xff\xe0", "webp": b"RIFF\x00\x00\x00\x00WEBPVP8 "}
_PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}
_ANY_SIZE = re.compile(r"([1-9][0-9]*)x([1-9][0-9]*)")


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


def is_gpt_model(model: str) -> bool:
    return model.startswith(("gpt-image", "chatgpt-image"))


@attrs.frozen(kw_only=True)
class Options:
    """What a request asks for, checked against its model."""

    model: str
    n: int = 1
    size: str = "1024x1024"
    response_format: str = "url"
    output_format: str = "png"
    quality: str = "auto"
    background: str = "auto"
    partial_images: int = 0
    stream: bool = False

    @property
    def gpt(self) -> bool:
        return is_gpt_model(self.model)

    def pixels(self) -> tuple[int, int]:
        size = "1024x1024" if self.size == "auto" else self.size
        width, height = map(int, size.split("x"))
        return width, height


def _image_bytes(options: Options, seed: bytes) -> bytes:
    width, height = options.pixels()
    if options.gpt and options.output_format in _SIGNATURES:
        return _SIGNATURES[options.output_format] + seed
    # The standard sizes are drawn at full size; gpt-image-2's larger ones at an
    # eighth (a 3840x2160 PNG takes a third of a second to draw), still a real PNG.
    scale = 1 if width * height <= 1536 * 1536 else 8
    return solid_png(width // scale, height // scale, (seed[0], seed[1], seed[2]))


def _images(seed: str, options: Options, prompt: str | None) -> dict[str, Any]:
    data = []
    for i in range(options.n):
        digest = hashlib.sha256(f"{seed}|{options.size}|{i}".encode()).digest()
        image: dict[str, Any]
        if options.gpt or options.response_format == "b64_json":
            image = {"b64_json": base64.b64encode(_image_bytes(options, digest)).decode()}
        else:
            image = {"url": f"https://images.local/{digest.hex()[:24]}.png"}
        if options.model == "dall-e-3" and prompt is not None:
            image["revised_prompt"] = f"A detailed picture: {prompt}"
        data.append(image)
    answer: dict[str, Any] = {"created": CREATED, "data": data}
    if options.gpt:
        answer |= {
            "background": "opaque" if options.background == "auto" else options.background,
            "output_format": options.output_format,
            "quality": "medium" if options.quality == "auto" else options.quality,
            "size": "1024x1024" if options.size == "auto" else options.size,
            "usage": _usage(prompt or "", options.n),
        }
    return answer


def _usage(prompt: str, n: int) -> dict[str, Any]:
    text = len(prompt.split())
    return {
        "input_tokens": text,
        "output_tokens": 272 * n,
        "total_tokens": text + 272 * n,
        "input_tokens_details": {"text_tokens": text, "image_tokens": 0},
    }


def _events(kind: str, seed: str, options: Options, prompt: str) -> Iterator[dict[str, Any]]:
    whole = _images(seed, options, prompt)
    head = {
        "created_at": CREATED,
        "size": whole["size"],
        "quality": whole["quality"],
        "background": whole["background"],
        "output_format": whole["output_format"],
    }
    for image in whole["data"]:
        for index in range(options.partial_images):
            yield {
                "type": f"{kind}.partial_image",
                "b64_json": image["b64_json"],
                **head,
                "partial_image_index": index,
            }
        yield {
            "type": f"{kind}.completed",
            "b64_json": image["b64_json"],
            **head,
            "usage": _usage(prompt, 1),
        }


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise Invalid(f"{value!r} is not one of {list(allowed)} - '{name}'", name)
    assert isinstance(value, str)
    return value


def _integer(name: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(
            f"{value!r} is not valid for '{name}': it must be from {low} to {high}.", name
        )
    return value


def _check_size(model: str, size: object) -> str:
    if model == "dall-e-2":
        return _choice("size", size, SIZES)
    if model == "dall-e-3":
        return _choice("size", size, DALL_E_3_SIZES)
    if model.startswith("gpt-image-2") and isinstance(size, str):
        match = _ANY_SIZE.fullmatch(size)
        if match and all(int(side) % 16 == 0 for side in match.groups()):
            return size
    return _choice("size", size, GPT_SIZES)


def _options(values: Mapping[str, Any], model: str) -> Options:
    gpt = is_gpt_model(model)
    n = _integer("n", values.get("n", 1), 1, 10)
    if model == "dall-e-3" and n != 1:
        raise Invalid("dall-e-3 only supports n=1.", "n")
    size = _check_size(model, values.get("size", "1024x1024"))
    for name in ("output_format", "output_compression", "background", "moderation"):
        if name in values and not gpt:
            raise Invalid(f"'{name}' is only supported for the GPT image models.", name)
    if "response_format" in values and gpt:
        raise Invalid(
            "'response_format' is not supported for the GPT image models.", "response_format"
        )
    if "style" in values and model != "dall-e-3":
        raise Invalid("'style' is only supported for dall-e-3.", "style")
    qualities: tuple[str, ...] = ("standard", "auto")
    if model == "dall-e-3":
        qualities = ("standard", "hd", "auto")
    elif gpt:
        qualities = ("low", "medium", "high", "auto")
    output_format = _choice(
        "output_format", values.get("output_format", "png"), ("png", "jpeg", "webp")
    )
    background = _choice(
        "background", values.get("background", "auto"), ("transparent", "opaque", "auto")
    )
    if background == "transparent" and output_format == "jpeg":
        raise Invalid("Transparent backgrounds need output_format png or webp.", "background")
    if "output_compression" in values:
        _integer("output_compression", values["output_compression"], 0, 100)
    stream = values.get("stream") is True
    if stream and not gpt:
        raise Invalid("Streaming is only supported for the GPT image models.", "stream")
    return Options(
        model=model,
        n=n,
        size=size,
        response_format=_choice(
            "response_format", values.get("response_format", "url"), ("url", "b64_json")
        ),
        output_format=output_format,
        quality=_choice("quality", values.get("quality", "auto"), qualities),
        background=background,
        partial_images=_integer("partial_images", values.get("partial_images", 0), 0, 3),
        stream=stream,
    )


def _check_prompt(prompt: object, model: str) -> str:
    if not isinstance(prompt, str):
        raise Invalid("'prompt' is a required property", "prompt")
    limit = _PROMPT_LIMITS.get(model, 32_000)
    if len(prompt) > limit:
        raise Invalid(f"'prompt' is too long: the maximum is {limit} characters.", "prompt")
    return prompt


def _typed_form(fields: Mapping[str, str]) -> dict[str, Any]:
    """A form's text fields as the JSON body's values (numbers and booleans)."""
    values: dict[str, Any] = dict(fields)
    for name in ("n", "output_compression", "partial_images"):
        if name in values:
            try:
                values[name] = int(values[name])
            except ValueError:
                raise Invalid(f"'{name}' must be an integer.", name) from None
    if "stream" in values:
        values["stream"] = values["stream"] == "true"
    return values


def _answer(kind: str, seed: str, options: Options, prompt: str | None) -> ServerResponse:
    if options.stream:
        events = _events(kind, seed, options, prompt or "")
        return sse_response(events, current_fault(), done=False)
    return json_response(_images(seed, options, prompt))


@route("POST", r"/v1/images/generations")
@checked
async def generate(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = {k: v for k, v in json_body(request).items() if v is not None}
    model = body.get("model", "dall-e-2")
    prompt = _check_prompt(body.get("prompt"), model)
    options = _options(body, model)
    return _answer("image_generation", prompt, options, prompt)


def _json_edit(state: State, request: ServerRequest) -> ServerResponse:
    """The JSON form of an edit: images by URL or by the id of an uploaded file."""
    body = {k: v for k, v in json_body(request).items() if v is not None}
    model = body.get("model", "gpt-image-1.5")
    if not is_gpt_model(model):
        raise Invalid("Images by reference are edited by the GPT image models only.", "model")
    references = body.get("images")
    if not isinstance(references, list) or not 1 <= len(references) <= 16:
        raise Invalid("'images' must be a list of 1 to 16 image references.", "images")
    mask = body.get("mask")
    digest = hashlib.sha256()
    for name, reference in [
        *((f"images[{i}]", r) for i, r in enumerate(references)),
        ("mask", mask),
    ]:
        if reference is None and name == "mask":
            continue
        if not isinstance(reference, dict) or len(reference.keys() & {"image_url", "file_id"}) != 1:
            raise Invalid(f"'{name}' must have exactly one of image_url and file_id.", name)
        file_id = reference.get("file_id")
        if file_id is not None and file_id not in state.data["files"]:
            raise Invalid(f"No such File object: {file_id}", name, status=404)
        digest.update(json.dumps(reference, sort_keys=True).encode())
    prompt = _check_prompt(body.get("prompt"), model)
    if "input_fidelity" in body:
        _choice("input_fidelity", body["input_fidelity"], ("high", "low"))
    options = _options(body, model)
    return _answer("image_edit", digest.hexdigest() + prompt, options, prompt)


@route("POST", r"/v1/images/edits")
@checked
async def edit(state: State, request: ServerRequest, params: Mapping[str, str]) -> ServerResponse:
    if request.headers.get("content-type", "").startswith("application/json"):
        return _json_edit(state, request)
    form = form_body(request)
    values = _typed_form(form.fields)
    model = values.get("model", "dall-e-2")
    images = form.file_list("image")
    if not images:
        raise Invalid("'image' is a required property (a file)", "image")
    gpt = is_gpt_model(model)
    if len(images) > (16 if gpt else 1):
        raise Invalid(f"Too many images for {model}: {len(images)}.", "image")
    for part in images:
        _check_image(part.data, "image", gpt=gpt)
    mask = form.file("mask", required=False)
    if mask is not None:
        _check_image(mask.data, "mask", gpt=False)
    if "input_fidelity" in values:
        _choice("input_fidelity", values["input_fidelity"], ("high", "low"))
    prompt = _check_prompt(form.text("prompt", required=True), model)
    options = _options(values, model)
    digest = hashlib.sha256()
    for part in images:
        digest.update(part.data)
    digest.update((mask.data if mask else b"") + prompt.encode())
    return _answer("image_edit", digest.hexdigest(), options, prompt)


def _check_image(data: bytes, name: str, *, gpt: bool) -> None:
    if gpt:
        known = data.startswith((PNG_SIGNATURE, b"\xff\xd8\xff")) or data[8:12] == b"WEBP"
        if not known or len(data) >= GPT_IMAGE_LIMIT:
            raise Invalid("Uploaded image must be a png, webp or jpg file less than 50 MB.", name)
        return
    if not data.startswith(PNG_SIGNATURE) or len(data) >= IMAGE_LIMIT:
        raise Invalid("Uploaded image must be a PNG and less than 4 MB.", name)


@route("POST", r"/v1/images/variations")
@checked
async def variation(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    form = form_body(request)
    values = _typed_form(form.fields)
    model = values.get("model", "dall-e-2")
    if model != "dall-e-2":
        raise Invalid("Only dall-e-2 makes variations.", "model")
    part = form.file("image")
    assert part is not None
    _check_image(part.data, "image", gpt=False)
    options = _options(values, model)
    return json_response(_images(hashlib.sha256(part.data).hexdigest(), options, None))
