"""``client.images``: generate images, edit one, or vary one."""

from __future__ import annotations

from typing import Literal, Unpack

from .._file_input import FileInput
from .._request import RequestOptions, json_request
from ..types import ImagesResponse
from ._base import Resource
from ._checks import check_choice, check_max_length, check_range, json_body
from ._upload import form_request

__all__ = ["Images"]

ImageSize = Literal["256x256", "512x512", "1024x1024"]
ImageResponseFormat = Literal["url", "b64_json"]

# The limits the 2023 API reference states for every images endpoint.
_SIZES = ("256x256", "512x512", "1024x1024")
_FORMATS = ("url", "b64_json")
_PROMPT_LIMIT = 1000


def _check(
    prompt: str | None, n: int | None, size: str | None, response_format: str | None
) -> None:
    if prompt is not None:
        check_max_length("prompt", prompt, _PROMPT_LIMIT)
    check_range("n", n, 1, 10)
    check_choice("size", size, _SIZES)
    check_choice("response_format", response_format, _FORMATS)


class Images(Resource):
    """Images from a prompt (JSON) or from an image you upload (multipart)."""

    __slots__ = ()

    async def generate(
        self,
        *,
        prompt: str,
        n: int | None = None,
        size: ImageSize | None = None,
        response_format: ImageResponseFormat | None = None,
        user: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ImagesResponse:
        """``POST /images/generations``: ``n`` (1 to 10) images for ``prompt`` (<= 1000 chars)."""
        _check(prompt, n, size, response_format)
        body = json_body(prompt=prompt, n=n, size=size, response_format=response_format, user=user)
        return await self._client.call(
            json_request("POST", "images/generations", ImagesResponse, body=body, options=options)
        )

    async def edit(
        self,
        *,
        image: FileInput,
        prompt: str,
        mask: FileInput | None = None,
        n: int | None = None,
        size: ImageSize | None = None,
        response_format: ImageResponseFormat | None = None,
        user: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ImagesResponse:
        """``POST /images/edits``: edit a square PNG where ``mask`` (or its alpha) is clear.

        ``image`` and ``mask`` take any file input (see ``client.files.create``).
        """
        _check(prompt, n, size, response_format)
        fields = {"prompt": prompt, "n": n, "size": size, "response_format": response_format}
        request = await form_request(
            "images/edits",
            ImagesResponse,
            fields={**fields, "user": user},
            files={"image": image, "mask": mask},
            options=options,
        )
        return await self._client.call(request)

    async def create_variation(
        self,
        *,
        image: FileInput,
        n: int | None = None,
        size: ImageSize | None = None,
        response_format: ImageResponseFormat | None = None,
        user: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ImagesResponse:
        """``POST /images/variations``: ``n`` variations of a square PNG."""
        _check(None, n, size, response_format)
        fields = {"n": n, "size": size, "response_format": response_format, "user": user}
        request = await form_request(
            "images/variations",
            ImagesResponse,
            fields=fields,
            files={"image": image},
            options=options,
        )
        return await self._client.call(request)
