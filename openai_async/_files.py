"""File inputs and the multipart/form-data body that carries them, streamed.

A file may be given as a path (``str`` or ``os.PathLike``), ``bytes``, a binary file
object, or a ``(filename, content, content_type)`` tuple whose content is any of those
three. A path is opened only while the body is being sent and read in chunks, so a
large upload costs a chunk of memory, not the size of the file. The body knows its
length in advance (``Content-Length``, no chunked encoding) and can be sent again from
the start, which a retry needs.
"""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeAlias

import anyio
import anyio.to_thread
import attrs

from ._exceptions import InvalidParameterError

__all__ = ["CHUNK_SIZE", "FileContent", "FileInput", "FilePart", "MultipartBody", "file_part"]

FileContent: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes]"
FileInput: TypeAlias = "FileContent | tuple[str | None, FileContent, str | None]"

CHUNK_SIZE = 256 * 1024

_AsyncRead: TypeAlias = Callable[[int], Awaitable[bytes]]


@attrs.frozen
class FilePart:
    """One file of a form: where its bytes come from, and how many there are."""

    name: str
    filename: str
    content_type: str
    source: bytes | Path | IO[bytes] = attrs.field(repr=False)
    size: int
    start: int = 0  # where a file object's content begins (its position when given)

    async def chunks(self) -> AsyncIterator[bytes]:
        source = self.source
        if isinstance(source, bytes):
            # One huge chunk would be copied whole again by the layers below (framing,
            # socket buffers); slices keep those copies chunk-sized.
            view = memoryview(source)
            for start in range(0, len(source), CHUNK_SIZE):
                yield bytes(view[start : start + CHUNK_SIZE])
        elif isinstance(source, Path):
            async with await anyio.open_file(source, "rb") as f:
                async for chunk in _read_exactly(self, f.read):
                    yield chunk
        else:
            file = source
            file.seek(self.start)
            # A real file blocks on disk reads: read it in a worker thread. An in-memory
            # object (BytesIO) would only pay for the thread hop.
            threaded = _has_fileno(file)

            async def read(n: int) -> bytes:
                if threaded:
                    return await anyio.to_thread.run_sync(file.read, n)
                return file.read(n)

            async for chunk in _read_exactly(self, read):
                yield chunk


async def _read_exactly(part: FilePart, read: _AsyncRead) -> AsyncIterator[bytes]:
    # The length was announced in Content-Length: send exactly that many bytes (a file
    # that grew since the call began is sent as it was; one that shrank is an error).
    left = part.size
    while left > 0:
        chunk = await read(min(CHUNK_SIZE, left))
        if not chunk:
            raise InvalidParameterError(
                part.name, f"{part.filename!r} became shorter while it was being sent"
            )
        left -= len(chunk)
        yield chunk


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
        if len(value) != 3:
            raise InvalidParameterError(name, "a tuple must be (filename, content, content_type)")
        filename, content, content_type = value
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
            "expected a path, bytes, a binary file object or a (filename, content, "
            f"content_type) tuple, got {type(content).__name__}",
        )
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


class MultipartBody:
    """A ``multipart/form-data`` body: text fields first, then files, read in chunks.

    Iterating it again starts over, so the same request can be sent again.
    """

    def __init__(self, fields: Mapping[str, str], files: Sequence[FilePart]) -> None:
        self.boundary = os.urandom(16).hex()
        self._fields = dict(fields)
        self._files = list(files)
        self._heads: list[bytes] = []
        for field, text in self._fields.items():
            head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(field)}"'
            self._heads.append(f"{head}\r\n\r\n".encode() + text.encode() + b"\r\n")
        self._file_heads = [
            (
                f"--{self.boundary}\r\n"
                f'Content-Disposition: form-data; name="{_quote(part.name)}"; '
                f'filename="{_quote(part.filename)}"\r\n'
                f"Content-Type: {part.content_type}\r\n\r\n"
            ).encode()
            for part in self._files
        ]
        self._tail = f"--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(len(self))}

    def __len__(self) -> int:
        size = sum(map(len, self._heads)) + sum(map(len, self._file_heads)) + len(self._tail)
        return size + sum(part.size + 2 for part in self._files)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for head in self._heads:
            yield head
        for head, part in zip(self._file_heads, self._files, strict=True):
            yield head
            async for chunk in part.chunks():
                yield chunk
            yield b"\r\n"
        yield self._tail
