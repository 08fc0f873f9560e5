"""Upload a large file in parts: several in flight, each read from disk as it is sent.

Memory: a part is not read whole; its body is read in ``CHUNK_SIZE`` pieces while it
is sent (a file object per part, positioned at the part's offset), so a path costs
a few chunks per part in flight. Bytes given in memory are sliced, one copy per
part in flight. The file's md5 is computed in a worker thread meanwhile, reading it
in 1 MiB blocks, and sent with ``complete``.
"""

from __future__ import annotations

import hashlib
import math
import os
from contextlib import suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

import anyio
import anyio.to_thread

from .._exceptions import InvalidParameterError, shown
from .._files import FilePart
from .._taskgroup import task_group
from ._checks import check_range

if TYPE_CHECKING:
    from ..types import Upload
    from .uploads import UploadPurpose, Uploads

__all__ = ["upload_in_parts"]

_HASH_BLOCK: Final = 1 << 20
_PART_TYPE: Final = "application/octet-stream"


async def upload_in_parts(
    uploads: Uploads,
    file: str | os.PathLike[str] | bytes,
    *,
    mime_type: str,
    purpose: UploadPurpose,
    filename: str | None,
    size: int | None,
    part_size: int,
    md5: str | None,
    parts_in_flight: int,
    part_retries: int | None,
) -> Upload:
    """Create an upload for ``file``, send its parts, complete it; see ``upload_file_chunked``."""
    from .uploads import MAX_PART_SIZE, Uploads, check_md5

    source, actual, own_name = _source(file)
    if size is not None and size != actual:
        raise InvalidParameterError("bytes", f"the file holds {actual} bytes, not {shown(size)}")
    filename = filename or own_name
    if not filename:
        raise InvalidParameterError("filename", "is required when file is bytes")
    check_range("part_size", part_size, 1, MAX_PART_SIZE)
    check_range("parts_in_flight", parts_in_flight, 1)
    check_range("part_retries", part_retries, 0)
    check_md5(md5)  # sent with complete, once every part is: checked before the first
    client = uploads._client
    if part_retries is not None:
        client = client.with_options(max_retries=part_retries)
    sender = Uploads(client)
    upload = await uploads.create(
        bytes=actual, filename=filename, mime_type=mime_type, purpose=purpose
    )
    count = math.ceil(actual / part_size)
    part_ids: list[str] = [""] * count
    digest: list[str] = [] if md5 is None else [md5]
    try:
        next_part = iter(range(count))

        async def send_parts() -> None:
            for index in next_part:  # shared: each worker takes the next part to send
                offset = index * part_size
                length = min(part_size, actual - offset)
                part_ids[index] = await _send(sender, upload.id, source, offset, length, filename)

        async def hash_file() -> None:
            digest.append(await anyio.to_thread.run_sync(_md5, source))

        async with task_group() as group:
            if md5 is None:
                group.start_soon(hash_file)
            for _ in range(min(parts_in_flight, count)):
                group.start_soon(send_parts)
        return await uploads.complete(upload.id, part_ids=part_ids, md5=digest[0])
    except BaseException:
        # Best effort, shielded: the upload would otherwise wait an hour to expire.
        # The error that got us here is the one to raise, not one of the cancel.
        with anyio.CancelScope(shield=True), anyio.move_on_after(10), suppress(Exception):
            await uploads.cancel(upload.id)
        raise


def _source(file: object) -> tuple[Path | memoryview, int, str | None]:
    if isinstance(file, bytes | bytearray | memoryview):
        view = memoryview(file).cast("B")
        return view, view.nbytes, None
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InvalidParameterError("file", f"cannot read {str(path)!r}: {exc}") from exc
        if not path.is_file():
            raise InvalidParameterError("file", f"{str(path)!r} is not a regular file")
        return path, size, path.name
    raise InvalidParameterError("file", f"expected a path or bytes, got {type(file).__name__}")


async def _send(
    uploads: Uploads,
    upload_id: str,
    source: Path | memoryview,
    offset: int,
    length: int,
    filename: str,
) -> str:
    from .uploads import part_request

    if isinstance(source, memoryview):
        data = bytes(source[offset : offset + length])  # one copy per part in flight
        part = FilePart("data", filename, _PART_TYPE, data, length)
        return (await uploads._client.call(part_request(upload_id, part))).id
    # A file object of its own per part: parts in flight never share a position.
    opened: IO[bytes] = await anyio.to_thread.run_sync(source.open, "rb")
    try:
        part = FilePart("data", filename, _PART_TYPE, opened, length, offset)
        return (await uploads._client.call(part_request(upload_id, part))).id
    finally:
        opened.close()


def _md5(source: Path | memoryview) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    if isinstance(source, memoryview):
        for start in range(0, source.nbytes, _HASH_BLOCK):
            digest.update(source[start : start + _HASH_BLOCK])
        return digest.hexdigest()
    with source.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
