"""Models of the ``/files`` endpoints."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import AsyncIterator, Iterator
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
    ``content``, ``text``, ``encoding``, ``json()``, ``read()``, ``aread()``,
    ``write_to_file(path)``, the ``iter_*`` / ``aiter_*`` readers, ``close()`` /
    ``aclose()`` (nothing to close: the body was read whole), and the SDK's deprecated
    ``stream_to_file`` / ``astream_to_file``, which warn and write as ``write_to_file``.
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

    def stream_to_file(
        self, file: str | os.PathLike[str], *, chunk_size: int | None = None
    ) -> None:
        """Deprecated in the SDK, as here: ``write_to_file``, with a ``DeprecationWarning``.

        The answer was read whole before this was called, so nothing streams: for that,
        use ``with_streaming_response`` (``await response.stream_to_file(path)`` in its
        ``async with``).
        """
        _warn_not_streamed()
        self.write_to_file(file)

    async def astream_to_file(
        self, file: str | os.PathLike[str], *, chunk_size: int | None = None
    ) -> None:
        """Deprecated in the SDK, as here: ``write_to_file``, with a ``DeprecationWarning``."""
        _warn_not_streamed()
        self.write_to_file(file)

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The bytes in pieces of ``chunk_size`` (all at once without one)."""
        step = chunk_size or len(self) or 1
        for start in range(0, len(self), step):
            yield bytes(self[start : start + step])

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """``text`` in pieces of ``chunk_size`` characters (all at once without one)."""
        text = self.text
        step = chunk_size or len(text) or 1
        for start in range(0, len(text), step):
            yield text[start : start + step]

    def iter_lines(self) -> Iterator[str]:
        """``text`` line by line, without the line ends (as httpx)."""
        yield from self.text.splitlines()

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        for piece in self.iter_bytes(chunk_size):
            yield piece

    async def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        for piece in self.iter_text(chunk_size):
            yield piece

    async def aiter_lines(self) -> AsyncIterator[str]:
        for line in self.iter_lines():
            yield line

    def close(self) -> None:
        """Nothing to release: the body was read whole."""

    async def aclose(self) -> None:
        """Nothing to release: the body was read whole."""


def _warn_not_streamed() -> None:
    warnings.warn(
        "stream_to_file on a response read whole streams nothing (deprecated in the SDK "
        "too): use write_to_file, or with_streaming_response to stream to disk",
        DeprecationWarning,
        stacklevel=3,
    )
