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

    Every argument is checked, and every path looked at, before anything is sent.
    """
    parts = [await file_part(name, value) for name, value in files.items() if value is not None]

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
