"""Sending a multipart form through the client's request path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._decode import decode
from .._files import MultipartBody, file_part
from ._checks import form_fields

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = ["post_form"]

T = TypeVar("T")


async def post_form(
    client: AsyncClient,
    path: str,
    cast_to: type[T],
    *,
    fields: Mapping[str, Any],
    files: Mapping[str, object],
) -> T:
    """POST ``fields`` and ``files`` (None values left out) as multipart/form-data.

    Every argument is checked, and every path looked at, before anything is sent.
    """
    parts = [await file_part(name, value) for name, value in files.items() if value is not None]
    body = MultipartBody(form_fields(fields), parts)
    request = client._build_request("POST", path, headers=body.headers)
    # Set as the stream itself: passed as content=, httpx would wrap it in an async
    # generator that nobody closes when an upload is cancelled.
    request.stream = body
    return decode(await client._send(request), cast_to)
