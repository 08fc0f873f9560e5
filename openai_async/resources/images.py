"""``client.images``: generate images, edit some, or vary one; whole or streamed.

dall-e-2, dall-e-3 and the GPT image models (gpt-image-1 and later) take different
parameters and sizes. Only what the API reference states for every model is checked
before sending (n from 1 to 10, the enums, the longest prompt of any model, at most 16
images to edit); which model takes which size or option is the service's to say, so a
size such as ``1536x1024`` or gpt-image-2's ``1536x864`` goes out as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Required, Unpack, overload

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._file_input import FileInput
from .._request import RequestOptions, StreamingEndpoint, json_request, pop_options, sse_request
from .._streaming import AsyncStream, StreamEnd
from ..types import ImagesResponse, ImageStreamEvent
from ._base import Resource
from ._checks import (
    check_choice,
    check_flag,
    check_max_length,
    check_range,
    check_types,
    json_body,
)
from ._upload import form_request, streamed_form

__all__ = [
    "ImageCreateVariationParams",
    "ImageEditParams",
    "ImageGenerateParams",
    "Images",
]

ImageModel = Literal["dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5"]
# The sizes the reference names; gpt-image-2 also takes any "WIDTHxHEIGHT".
ImageSize = Literal[
    "auto", "256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "1792x1024", "1024x1792"
]
ImageResponseFormat = Literal["url", "b64_json"]
ImageQuality = Literal["standard", "hd", "low", "medium", "high", "auto"]
ImageOutputFormat = Literal["png", "jpeg", "webp"]
ImageBackground = Literal["transparent", "opaque", "auto"]

_PROMPT_LIMIT = 32_000  # the GPT image models'; dall-e-2 takes 1000, dall-e-3 4000
_MAX_IMAGES = 16  # images in one edit ("up to 16 images")
_VARIATION_SIZES = ("256x256", "512x512", "1024x1024")  # dall-e-2 only, the spec's enum
_ENUMS: dict[str, tuple[str, ...]] = {
    "response_format": ("url", "b64_json"),
    "quality": ("standard", "hd", "low", "medium", "high", "auto"),
    "output_format": ("png", "jpeg", "webp"),
    "background": ("transparent", "opaque", "auto"),
    "moderation": ("low", "auto"),
    "style": ("vivid", "natural"),
    "input_fidelity": ("high", "low"),
}


class _ImageParams(RequestOptions, total=False):
    model: ImageModel | str | NotGiven | None
    n: int | NotGiven | None
    size: ImageSize | str | NotGiven | None
    response_format: ImageResponseFormat | NotGiven | None
    user: str | NotGiven | None


class ImageCreateVariationParams(_ImageParams, total=False):
    """The parameters of ``POST /images/variations`` (dall-e-2), declared once."""

    image: Required[FileInput]


class _GPTImageParams(_ImageParams, total=False):
    prompt: Required[str]
    quality: ImageQuality | NotGiven | None
    output_format: ImageOutputFormat | NotGiven | None
    output_compression: int | NotGiven | None  # 0 to 100, for jpeg and webp
    background: ImageBackground | NotGiven | None
    partial_images: int | NotGiven | None  # 0 to 3, with stream=True


class ImageGenerateParams(_GPTImageParams, total=False):
    """The parameters of ``POST /images/generations`` but ``stream``, declared once."""

    moderation: Literal["low", "auto"] | NotGiven | None
    style: Literal["vivid", "natural"] | NotGiven | None  # dall-e-3


class ImageEditParams(_GPTImageParams, total=False):
    """The parameters of ``POST /images/edits`` but ``stream``, declared once.

    The images to edit are files, or references to images the service fetches:

    - ``image``: one file, or a list of up to 16 (GPT image models), sent as a
      multipart form (``image[]`` parts), ``mask`` a file too;
    - ``images``: up to 16 ``{"image_url": ...}`` (a web or ``data:`` URL) or
      ``{"file_id": ...}`` mappings, sent as JSON (GPT image models), ``mask`` such
      a mapping too. ``moderation`` is a parameter of this form.
    """

    image: FileInput | list[FileInput] | NotGiven
    images: Sequence[Mapping[str, str]] | NotGiven | None
    mask: FileInput | Mapping[str, str] | NotGiven | None
    input_fidelity: Literal["high", "low"] | NotGiven | None
    moderation: Literal["low", "auto"] | NotGiven | None


# A streamed image ends with its completed event; with n > 1 there is one per image,
# so the stream is read to [DONE] or to the end of the body.
_ONE_IMAGE = StreamEnd(
    marker="[DONE]",
    terminal=frozenset({"image_generation.completed", "image_edit.completed"}),
)
_SEVERAL_IMAGES = StreamEnd(marker="[DONE]", required=False)

IMAGES_GENERATE = StreamingEndpoint(
    "POST",
    "images/generations",
    ImagesResponse,
    ImageGenerateParams,
    chunk=ImageStreamEvent,
    end=_ONE_IMAGE,
)


def _check(params: dict[str, Any]) -> None:
    prompt = params.get("prompt")
    if prompt is not None:
        check_max_length("prompt", prompt, _PROMPT_LIMIT)
    check_range("n", params.get("n"), 1, 10)
    check_range("output_compression", params.get("output_compression"), 0, 100)
    check_range("partial_images", params.get("partial_images"), 0, 3)
    size = params.get("size")
    if size is not None and not isinstance(size, str):
        raise InvalidParameterError(
            "size", f"expected a string such as '1024x1024', got {shown(size)}"
        )
    for name, allowed in _ENUMS.items():
        check_choice(name, params.get(name), allowed)


def _refs(body: dict[str, Any]) -> list[Any]:
    images = body["images"]
    if isinstance(images, str | bytes | Mapping) or not isinstance(images, Sequence):
        raise InvalidParameterError("images", "expected a list of image references")
    if not 1 <= len(images) <= _MAX_IMAGES:
        raise InvalidParameterError(
            "images", f"expected 1 to {_MAX_IMAGES} images, got {len(images)}"
        )
    return list(images)


def _reference(name: str, value: object) -> Mapping[str, str] | None:
    """An image by ``{"image_url": ...}`` or ``{"file_id": ...}``: exactly one of them."""
    if value is None:
        return None
    keys = set(value) if isinstance(value, Mapping) else set()
    if len(keys & {"image_url", "file_id"}) != 1 or not keys <= {"image_url", "file_id"}:
        raise InvalidParameterError(
            name, 'expected {"image_url": ...} or {"file_id": ...}, exactly one of them'
        )
    assert isinstance(value, Mapping)
    return value


def _end(params: dict[str, Any]) -> StreamEnd:
    return _ONE_IMAGE if params.get("n") in (None, 1) else _SEVERAL_IMAGES


class Images(Resource):
    """Images from a prompt (JSON) or from images you upload (multipart)."""

    __slots__ = ()

    @overload
    async def generate(
        self, *, stream: Literal[False] | NotGiven = False, **params: Unpack[ImageGenerateParams]
    ) -> ImagesResponse: ...

    @overload
    async def generate(
        self, *, stream: Literal[True], **params: Unpack[ImageGenerateParams]
    ) -> AsyncStream[ImageStreamEvent]: ...

    @overload
    async def generate(
        self, *, stream: bool, **params: Unpack[ImageGenerateParams]
    ) -> ImagesResponse | AsyncStream[ImageStreamEvent]: ...

    async def generate(
        self, *, stream: bool | NotGiven = False, **params: Unpack[ImageGenerateParams]
    ) -> ImagesResponse | AsyncStream[ImageStreamEvent]:
        """``POST /images/generations``: ``n`` (1 to 10) images for ``prompt``.

        ``model`` is dall-e-2 (the service's default), dall-e-3 (``quality`` "hd",
        ``style``, sizes up to 1792x1024) or a GPT image model (``quality`` low to
        high, ``background``, ``output_format``, ``output_compression``,
        ``moderation``; always base64 data). ``stream=True`` (GPT image models) gives
        an ``AsyncStream`` of ``ImageStreamEvent``: ``partial_images`` rough versions,
        then the completed image.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ImageGenerateParams)
        if not isinstance(given.get("prompt"), str):
            raise InvalidParameterError("prompt", "is required: a string")
        check_flag("stream", stream)
        body = json_body(**given)
        _check(body)
        if stream:
            body["stream"] = True
            end = _end(body)
            request = sse_request(
                "POST", IMAGES_GENERATE.path, ImageStreamEvent, body=body, options=options, end=end
            )
            return await self._client.call(request)
        return await self._client.call(IMAGES_GENERATE.request(body, options))

    @overload
    async def edit(
        self, *, stream: Literal[False] | NotGiven = False, **params: Unpack[ImageEditParams]
    ) -> ImagesResponse: ...

    @overload
    async def edit(
        self, *, stream: Literal[True], **params: Unpack[ImageEditParams]
    ) -> AsyncStream[ImageStreamEvent]: ...

    @overload
    async def edit(
        self, *, stream: bool, **params: Unpack[ImageEditParams]
    ) -> ImagesResponse | AsyncStream[ImageStreamEvent]: ...

    async def edit(
        self, *, stream: bool | NotGiven = False, **params: Unpack[ImageEditParams]
    ) -> ImagesResponse | AsyncStream[ImageStreamEvent]:
        """``POST /images/edits``: edit ``image`` where ``mask`` (or its alpha) is clear.

        ``image`` takes any file input (see ``client.files.create``), or a list of up
        to 16 for the GPT image models (png, webp or jpg); dall-e-2 takes one square
        PNG. ``stream=True`` works as for ``generate``.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ImageEditParams)
        check_flag("stream", stream)
        image = given.pop("image", None)
        mask = given.pop("mask", None)
        if not isinstance(given.get("prompt"), str):
            raise InvalidParameterError("prompt", "is required: a string")
        if given.get("images") is not None:
            if image is not None:
                raise InvalidParameterError("images", "give image (files) or images, not both")
            body = json_body(**given, mask=_reference("mask", mask))
            body["images"] = [_reference(f"images[{i}]", r) for i, r in enumerate(_refs(body))]
            _check(body)
            if not stream:
                return await self._client.call(
                    json_request("POST", "images/edits", ImagesResponse, body=body, options=options)
                )
            body["stream"] = True
            events = sse_request(
                "POST", "images/edits", ImageStreamEvent, body=body, options=options, end=_end(body)
            )
            return await self._client.call(events)
        if image is None:
            raise InvalidParameterError("image", "is required (or images, references to images)")
        if isinstance(image, list) and not 1 <= len(image) <= _MAX_IMAGES:
            raise InvalidParameterError(
                "image", f"expected 1 to {_MAX_IMAGES} images, got {len(image)}"
            )
        fields = json_body(**given)
        _check(fields)
        if stream:
            fields["stream"] = True
        request = await form_request(
            "images/edits",
            ImagesResponse,
            fields=fields,
            files={"image": image, "mask": mask},
            options=options,
        )
        if stream:
            return await self._client.call(streamed_form(request, ImageStreamEvent, _end(fields)))
        return await self._client.call(request)

    async def create_variation(
        self, **params: Unpack[ImageCreateVariationParams]
    ) -> ImagesResponse:
        """``POST /images/variations``: ``n`` variations of a square PNG (dall-e-2)."""
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ImageCreateVariationParams)
        image = given.pop("image", None)
        if image is None:
            raise InvalidParameterError("image", "is required")
        fields = json_body(**given)
        _check(fields)
        check_choice("size", fields.get("size"), _VARIATION_SIZES)  # the spec's own enum
        request = await form_request(
            "images/variations",
            ImagesResponse,
            fields=fields,
            files={"image": image},
            options=options,
        )
        return await self._client.call(request)
