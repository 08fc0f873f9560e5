"""File inputs and the multipart/form-data body that carries them, streamed.

A file may be given as a path (``str`` or ``os.PathLike``), ``bytes``, a binary file
object, or a ``(filename, content)`` or ``(filename, content, content_type)`` tuple whose
content is any of those three (the public ``FileInput`` type, in ``_file_input``). A
path is read in chunks while the body is being sent (and held open only while a chunk
is read), so a large upload costs a chunk of memory, not the size of the file. The
body knows its length in advance (``Content-Length``, no chunked encoding) and can be
sent again from the start, which a retry needs.
"""

from __future__ import annotations

import io
import math
import mimetypes
import os
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import anyio
import anyio.to_thread
import attrs
import httpx

from ._exceptions import InvalidParameterError, shown
from ._request import too_long

__all__ = ["CHUNK_SIZE", "FilePart", "MultipartBody", "file_part", "form_fields"]

CHUNK_SIZE = 256 * 1024


@attrs.frozen
class FilePart:
    """One file of a form: where its bytes come from, and how many there are."""

    name: str
    filename: str
    content_type: str
    source: bytes | Path | IO[bytes] = attrs.field(repr=False)
    size: int
    start: int = 0  # where a file object's content begins (its position when given)

    async def read_at(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``offset`` within the part's content."""
        source = self.source
        if isinstance(source, bytes):
            return source[offset : offset + size]
        if isinstance(source, Path):
            # Opened for each chunk, in the worker thread: no descriptor stays open
            # between chunks, so an upload cancelled halfway leaks none.
            return await anyio.to_thread.run_sync(_read_path, source, offset, size)
        if _has_fileno(source):
            # A real file blocks on disk reads: read it in a worker thread. An in-memory
            # object (BytesIO) would only pay for the thread hop.
            return await anyio.to_thread.run_sync(_read_file, source, self.start + offset, size)
        return _read_file(source, self.start + offset, size)


def _read_path(path: Path, offset: int, size: int) -> bytes:
    with path.open("rb") as f:
        return _read_file(f, offset, size)


def _read_file(file: IO[bytes], offset: int, size: int) -> bytes:
    file.seek(offset)
    return file.read(size)


def _has_fileno(obj: object) -> bool:
    try:
        obj.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, io.UnsupportedOperation):
        return False
    return True


async def file_part(name: str, value: object) -> FilePart:
    """Check a file argument (named ``name`` in the form) and describe it.

    Nothing is read, except from a stream that cannot seek (see ``_source``).
    """
    filename: str | None = None
    content_type: str | None = None
    content = value
    if isinstance(value, tuple):
        if len(value) == 2:
            filename, content = value  # the type is guessed from the name, as for a path
        elif len(value) == 3:
            filename, content, content_type = value
        else:
            raise InvalidParameterError(
                name, "a tuple must be (filename, content) or (filename, content, content_type)"
            )
        if filename is not None and not isinstance(filename, str):
            raise InvalidParameterError(name, "the filename must be a str or None")
        if content_type is not None and not isinstance(content_type, str):
            raise InvalidParameterError(name, "the content type must be a str or None")
        if content_type and ("\r" in content_type or "\n" in content_type):
            raise InvalidParameterError(name, "the content type must be one line")
    source, size, start, own_name = _source(name, content)
    if size < 0:
        # A pipe or socket can be read only once, and its length is unknown until then;
        # reading it now is the only way to announce a length and to send it again.
        data = await anyio.to_thread.run_sync(source.read)  # type: ignore[union-attr]
        if not isinstance(data, bytes):
            raise InvalidParameterError(name, "the file object must return bytes")
        source, size = data, len(data)
    filename = filename or own_name or name
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FilePart(name, filename, content_type, source, size, start)


def _source(name: str, content: object) -> tuple[bytes | Path | IO[bytes], int, int, str | None]:
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        return data, len(data), 0, None
    if isinstance(content, str | os.PathLike):
        path = Path(content)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InvalidParameterError(name, f"cannot read {str(path)!r}: {exc}") from exc
        if not path.is_file():
            raise InvalidParameterError(name, f"{str(path)!r} is not a regular file")
        return path, size, 0, path.name
    if isinstance(content, io.TextIOBase):
        raise InvalidParameterError(name, "open the file in binary mode ('rb')")
    if not callable(getattr(content, "read", None)):
        raise InvalidParameterError(
            name,
            "expected a path, bytes, a binary file object or a (filename, content"
            f"[, content_type]) tuple, got {type(content).__name__}",
        )
    # Text files that are not TextIOBase (tempfile's wrappers, say) read str: refuse
    # them here, not with a TypeError halfway through sending the body. (The mode, not
    # a trial read: reading may have effects.)
    mode = getattr(content, "mode", None)
    binary = isinstance(content, io.BufferedIOBase | io.RawIOBase)  # ZipExtFile's mode is "r"
    if isinstance(mode, str) and "b" not in mode and not binary:
        raise InvalidParameterError(name, "open the file in binary mode ('rb')")
    file: IO[bytes] = content  # type: ignore[assignment]
    own_name = getattr(file, "name", None)
    own_name = os.path.basename(own_name) if isinstance(own_name, str) else None
    seekable = getattr(file, "seekable", None)
    if callable(seekable) and seekable():
        start = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(start)
        return file, end - start, start, own_name
    return file, -1, 0, own_name  # the length is not known: file_part reads it


def _quote(value: str) -> str:
    # What browsers do for names in Content-Disposition (WHATWG HTML, multipart/form-data).
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody(httpx.AsyncByteStream):
    """A ``multipart/form-data`` body: text fields first, then files, read in chunks.

    Iterating it again starts over, so the same request can be sent again. The
    iterator is a plain object, not an async generator: httpx does not close a request
    body it stops sending (a cancelled upload), and an async generator left open would
    be finalised later with a warning, and hold what it had open until then.
    """

    def __init__(
        self, fields: Mapping[str, str] | Iterable[tuple[str, str]], files: Sequence[FilePart]
    ) -> None:
        self.boundary = os.urandom(16).hex()
        self._pieces: list[bytes | FilePart] = []
        pairs = fields.items() if isinstance(fields, Mapping) else fields
        for field, text in pairs:
            head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(field)}"'
            self._pieces.append(f"{head}\r\n\r\n".encode() + text.encode() + b"\r\n")
        for part in files:
            head = (
                f"--{self.boundary}\r\n"
                f'Content-Disposition: form-data; name="{_quote(part.name)}"; '
                f'filename="{_quote(part.filename)}"\r\n'
                f"Content-Type: {part.content_type}\r\n\r\n"
            )
            self._pieces += [head.encode(), part, b"\r\n"]
        self._pieces.append(f"--{self.boundary}--\r\n".encode())

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(len(self))}

    def __len__(self) -> int:
        return sum(p.size if isinstance(p, FilePart) else len(p) for p in self._pieces)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _BodyIterator(self._pieces)


class _BodyIterator:
    """Walks the pieces of a body; a file piece yields chunks of CHUNK_SIZE."""

    def __init__(self, pieces: list[bytes | FilePart]) -> None:
        self._pieces = iter(pieces)
        self._part: FilePart | None = None
        self._offset = 0

    def __aiter__(self) -> _BodyIterator:
        return self

    async def __anext__(self) -> bytes:
        while True:
            part = self._part
            if part is not None:
                if self._offset < part.size:
                    return await self._next_chunk(part)
                self._part = None
            piece = next(self._pieces, None)
            if piece is None:
                raise StopAsyncIteration
            if isinstance(piece, bytes):
                return piece
            self._part, self._offset = piece, 0

    async def _next_chunk(self, part: FilePart) -> bytes:
        # The length was announced in Content-Length: send exactly that many bytes (a file
        # that grew since the call began is sent as it was; one that shrank is an error).
        # Slicing bytes too keeps the copies made by the layers below chunk-sized.
        chunk = await part.read_at(self._offset, min(CHUNK_SIZE, part.size - self._offset))
        if not chunk:
            raise InvalidParameterError(
                part.name, f"{part.filename!r} became shorter while it was being sent"
            )
        self._offset += len(chunk)
        return chunk


def form_fields(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Text fields of a multipart form: numbers as JSON writes them, None left out.

    A list becomes one ``name[]`` field per item and a mapping one ``name[key]``
    field per key, as the API reads arrays and objects in a form (the official SDK
    sends ``timestamp_granularities[]`` and ``chunking_strategy[type]`` so). Any other
    value (bytes, NaN, an object that would go as its ``str()``) is refused, named.
    """
    fields: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise InvalidParameterError(name, f"keys must be strings, got {shown(key)}")
                if item is not None:
                    fields.append((f"{name}[{key}]", _text(f"{name}[{key}]", item)))
        elif isinstance(value, list | tuple):
            fields += [(f"{name}[]", _text(f"{name}[]", item)) for item in value]
        elif value is not None:
            fields.append((name, _text(name, value)))
    return fields


def _text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)  # a subclass's own __str__ is not what it holds
    if isinstance(value, int) and not too_long(value):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    raise InvalidParameterError(name, f"expected a string or a number, got {shown(value)}")
