"""Models of the ``/files`` endpoints."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from .._models import APIObject

__all__ = ["BinaryResponseContent", "FileDeleted", "FileObject"]


@attrs.frozen(kw_only=True, slots=False)
class FileObject(APIObject):
    """An uploaded file; ``bytes`` is its size."""

    id: str
    object: str = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: str
    status: str | None = None
    status_details: Any = None
    expires_at: int | None = None


@attrs.frozen(kw_only=True, slots=False)
class FileDeleted(APIObject):
    """The answer to ``DELETE /files/{file_id}``."""

    id: str
    object: str = "file"
    deleted: bool


class BinaryResponseContent(bytes):
    """The answer to ``GET /files/{file_id}/content``: the bytes, with the SDK's accessors.

    It is ``bytes`` (compares, hashes, slices and measures as the plain bytes), plus
    what code written for the official SDK's ``HttpxBinaryResponseContent`` calls:
    ``content``, ``text``, ``encoding``, ``json()``, ``read()``, ``aread()`` and
    ``write_to_file(path)``.
    """

    encoding: str
    """The charset ``text`` decodes with: the response's, else UTF-8."""

    def __new__(cls, content: bytes, encoding: str = "utf-8") -> BinaryResponseContent:
        self = super().__new__(cls, content)
        self.encoding = encoding
        return self

    @property
    def content(self) -> bytes:
        return self

    @property
    def text(self) -> str:
        """The bytes decoded with ``encoding``; undecodable bytes become U+FFFD (as httpx)."""
        return self.decode(self.encoding, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """The bytes parsed as JSON; ``kwargs`` go to ``json.loads``."""
        return json.loads(self, **kwargs)

    def read(self) -> bytes:
        return self

    async def aread(self) -> bytes:
        return self

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        """Write the bytes to the file at ``file``, replacing it (a blocking write, as the SDK's).

        To stream a large file to disk instead of holding it, use ``files.download``.
        """
        Path(file).write_bytes(self)
