"""Models of the ``/files`` endpoints."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs

from .._models import APIObject

__all__ = ["BinaryResponseContent", "FileDeleted", "FileObject"]

T = TypeVar("T")


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
        step = _step(chunk_size, len(self))
        return (bytes(self[start : start + step]) for start in range(0, len(self), step))

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """``text`` in pieces of ``chunk_size`` characters (all at once without one)."""
        text = self.text
        step = _step(chunk_size, len(text))
        return (text[start : start + step] for start in range(0, len(text), step))

    def iter_lines(self) -> Iterator[str]:
        """``text`` line by line, without the line ends (as httpx)."""
        return iter(self.text.splitlines())

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return _aiter(self.iter_bytes(chunk_size))

    def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        return _aiter(self.iter_text(chunk_size))

    def aiter_lines(self) -> AsyncIterator[str]:
        return _aiter(self.iter_lines())

    def close(self) -> None:
        """Nothing to release: the body was read whole."""

    async def aclose(self) -> None:
        """Nothing to release: the body was read whole."""


def check_chunk_size(chunk_size: object) -> None:
    """Refuse a ``chunk_size`` that is not a positive integer (None is: as it comes).

    Below 1, a reader here gives no pieces at all (a negative step) and httpx's give
    empty or overlapping ones: neither says anything is wrong.
    """
    if chunk_size is not None and (type(chunk_size) is not int or chunk_size < 1):
        from .._exceptions import InvalidParameterError, shown

        raise InvalidParameterError(
            "chunk_size", f"expected a positive integer or None, got {shown(chunk_size)}"
        )


def _step(chunk_size: int | None, whole: int) -> int:
    """The piece size for ``chunk_size``: ``whole`` (at least 1) without one.

    Checked when the reader is made, not when first read.
    """
    check_chunk_size(chunk_size)
    return (whole or 1) if chunk_size is None else chunk_size


async def _aiter(pieces: Iterator[T]) -> AsyncIterator[T]:
    for piece in pieces:
        yield piece


def _warn_not_streamed() -> None:
    warnings.warn(
        "stream_to_file on a response read whole streams nothing (deprecated in the SDK "
        "too): use write_to_file, or with_streaming_response to stream to disk",
        DeprecationWarning,
        stacklevel=3,
    )
