"""A multipart form request: text fields and files, checked before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .._decode import decode
from .._files import file_part
from .._request import APIRequest, RequestOptions

__all__ = ["form_request"]

T = TypeVar("T")


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
