"""A multipart form request: text fields and files, checked before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .._decode import decode
from .._files import file_part
from .._request import APIRequest, RequestOptions, sse_request

if TYPE_CHECKING:
    from .._streaming import AsyncStream, StreamEnd

__all__ = ["form_request", "streamed_form"]

T = TypeVar("T")
C = TypeVar("C")


async def form_request(
    path: str,
    cast_to: type[T],
    *,
    fields: Mapping[str, Any],
    files: Mapping[str, object],
    options: RequestOptions | None = None,
) -> APIRequest[T]:
    """A POST of ``fields`` and ``files`` (None values left out) as multipart/form-data.

    A list of files goes out as several ``name[]`` parts (``image[]`` for an edit of
    several images); a tuple is one file, ``(filename, content[, content_type])``.
    Every argument is checked, and every path looked at, before anything is sent.
    """
    parts = []
    for name, value in files.items():
        if isinstance(value, list):
            parts += [await file_part(f"{name}[]", item) for item in value]
        elif value is not None:
            parts.append(await file_part(name, value))

    def read(response: Any) -> T:
        return decode(response, cast_to)

    return APIRequest(
        method="POST",
        path=path,
        read=read,
        form=fields,
        files=parts,
        options=options or {},
    )


def streamed_form(
    request: APIRequest[Any], chunk: type[C], end: StreamEnd
) -> APIRequest[AsyncStream[C]]:
    """``request`` (a form), answered with server-sent events of ``chunk`` until ``end``."""
    events = sse_request(request.method, request.path, chunk, end=end)
    return attrs.evolve(request, read=events.read, stream=True, headers=events.headers)
