"""``client.uploads`` over loopback: parts, completion with md5, and the chunked helper."""

from __future__ import annotations

import gc
import hashlib
import os
from pathlib import Path
from typing import Any

import anyio
import pytest

from openai_async import (
    APIStatusError,
    AsyncClient,
    BadRequestError,
    InternalServerError,
    InvalidParameterError,
    NotFoundError,
)
from openai_async.testing import LocalServer
from openai_async.testing._multipart import parse_multipart
from openai_async.types import Upload, UploadPart

from .openapi import LATEST, assert_request_matches_spec

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.latest_spec("/uploads came after the 2023 spec"),
]

MIB = 1024 * 1024


def _check_all(server: LocalServer) -> None:
    for request in server.requests:
        assert_request_matches_spec(request, spec=LATEST)


def _part_bodies(server: LocalServer) -> list[bytes]:
    """The data of every part request the server got, in arrival order."""
    bodies = []
    for request in server.requests:
        if request.path.endswith("/parts"):
            (part,) = parse_multipart(request.headers["content-type"], request.body)
            bodies.append(part.data)
    return bodies


async def test_upload_in_parts_by_hand(client: AsyncClient, server: LocalServer) -> None:
    """create, parts.create and complete (parts in the order given) make a file."""
    first, second = b"hello, ", b"world\n"
    upload = await client.uploads.create(
        bytes=len(first + second), filename="greeting.txt", mime_type="text/plain", purpose="batch"
    )
    assert server.requests[-1].json() == {
        "bytes": 13,
        "filename": "greeting.txt",
        "mime_type": "text/plain",
        "purpose": "batch",
    }
    assert isinstance(upload, Upload)
    assert (upload.status, upload.bytes, upload.file) == ("pending", 13, None)
    assert upload.expires_at == upload.created_at + 3600
    # Sent out of order, put in order by complete.
    part_two = await client.uploads.parts.create(upload.id, data=second)
    part_one = await client.uploads.parts.create(upload.id, data=first)
    assert isinstance(part_one, UploadPart)
    assert (part_one.object, part_one.upload_id) == ("upload.part", upload.id)
    md5 = hashlib.md5(first + second).hexdigest()
    done = await client.uploads.complete(upload.id, part_ids=[part_one.id, part_two.id], md5=md5)
    assert server.requests[-1].json() == {"part_ids": [part_one.id, part_two.id], "md5": md5}
    assert done.status == "completed"
    assert done.file is not None
    assert (done.file.bytes, done.file.filename, done.file.purpose) == (13, "greeting.txt", "batch")
    assert await client.files.content(done.file.id) == first + second
    _check_all(server)


async def test_server_checks_bytes_and_md5(client: AsyncClient, server: LocalServer) -> None:
    """complete refuses parts that do not add up to bytes, or whose md5 differs."""
    upload = await client.uploads.create(
        bytes=4, filename="a.bin", mime_type="application/octet-stream", purpose="assistants"
    )
    part = await client.uploads.parts.create(upload.id, data=b"abc")
    with pytest.raises(BadRequestError, match="3 bytes") as short:
        await client.uploads.complete(upload.id, part_ids=[part.id])
    assert short.value.param == "part_ids"
    other = await client.uploads.parts.create(upload.id, data=b"d")
    with pytest.raises(BadRequestError) as wrong:
        await client.uploads.complete(upload.id, part_ids=[part.id, other.id], md5="0" * 32)
    assert wrong.value.param == "md5"
    good = hashlib.md5(b"abcd").hexdigest()
    done = await client.uploads.complete(upload.id, part_ids=[part.id, other.id], md5=good)
    assert done.status == "completed"
    with pytest.raises(BadRequestError, match="completed"):
        await client.uploads.parts.create(upload.id, data=b"e")
    _check_all(server)


async def test_cancel(client: AsyncClient, server: LocalServer) -> None:
    """A cancelled upload takes no more parts; an unknown one is a 404."""
    upload = await client.uploads.create(
        bytes=1, filename="a.bin", mime_type="application/octet-stream", purpose="assistants"
    )
    await client.uploads.parts.create(upload.id, data=b"a")
    cancelled = await client.uploads.cancel(upload.id)
    assert server.requests[-1].path == f"/v1/uploads/{upload.id}/cancel"
    assert cancelled.status == "cancelled"
    with pytest.raises(BadRequestError, match="cancelled"):
        await client.uploads.parts.create(upload.id, data=b"a")
    with pytest.raises(NotFoundError):
        await client.uploads.cancel("upload-nope")
    _check_all(server)


async def test_chunked_upload_of_a_path(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """upload_file_chunked sends every part once, completes in order with the file's md5."""
    data = os.urandom(5 * MIB + 123)
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    done = await client.uploads.upload_file_chunked(
        file=path, mime_type="text/jsonl", purpose="batch", part_size=MIB, parts_in_flight=3
    )
    assert done.status == "completed"
    assert done.file is not None
    assert (done.file.filename, done.file.bytes) == ("big.jsonl", len(data))
    assert await client.files.content(done.file.id) == data
    bodies = _part_bodies(server)
    assert sorted(len(b) for b in bodies) == [123] + [MIB] * 5
    assert b"".join(sorted(bodies, key=data.index)) == data
    (complete,) = [r for r in server.requests if r.path.endswith("/complete")]
    assert complete.json()["md5"] == hashlib.md5(data).hexdigest()
    assert len(complete.json()["part_ids"]) == 6
    _check_all(server)


async def test_chunked_upload_of_bytes(client: AsyncClient, server: LocalServer) -> None:
    """Bytes upload too (a filename is then required), with the md5 given or computed."""
    data = b"x" * 1000
    with pytest.raises(InvalidParameterError, match="filename"):
        await client.uploads.upload_file_chunked(file=data, mime_type="text/plain", purpose="batch")
    md5 = hashlib.md5(data).hexdigest()
    done = await client.uploads.upload_file_chunked(
        file=data, filename="x.txt", mime_type="text/plain", purpose="batch", part_size=300, md5=md5
    )
    assert done.file is not None
    assert server.requests[-1].json()["md5"] == md5
    assert await client.files.content(done.file.id) == data
    assert len(_part_bodies(server)) == 4


async def test_a_failed_part_is_sent_again_alone(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A part answered 500 is sent again by itself; the others go once; the upload completes."""
    data = os.urandom(4 * 1000)
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    server.inject(status=500, path="/parts", times=1)
    done = await client.uploads.upload_file_chunked(
        file=path,
        mime_type="application/octet-stream",
        purpose="assistants",
        part_size=1000,
        parts_in_flight=2,
        part_retries=1,
    )
    assert done.status == "completed"
    assert done.file is not None
    assert await client.files.content(done.file.id) == data
    bodies = _part_bodies(server)
    assert len(bodies) == 5  # four parts, one of them twice
    assert len(set(bodies)) == 4
    assert sorted(set(bodies), key=data.index) == [data[i : i + 1000] for i in range(0, 4000, 1000)]
    _check_all(server)


async def test_a_part_that_keeps_failing_cancels_the_upload(
    client: AsyncClient, server: LocalServer
) -> None:
    """When a part fails for good, the upload is cancelled and the part's error raised."""
    server.inject(status=500, path="/parts", times=2)  # both tries of the first part
    with pytest.raises(InternalServerError):
        await client.uploads.upload_file_chunked(
            file=b"y" * 3000,
            filename="y.bin",
            mime_type="application/octet-stream",
            purpose="assistants",
            part_size=1000,
            parts_in_flight=1,
            part_retries=1,
        )
    cancel = server.requests[-1]
    assert cancel.path.endswith("/cancel")
    upload_id = cancel.path.split("/")[3]
    with pytest.raises(BadRequestError, match="cancelled"):
        await client.uploads.parts.create(upload_id, data=b"y")
    _check_all(server)


async def test_wrong_md5_fails_and_cancels(client: AsyncClient, server: LocalServer) -> None:
    """An md5 that does not match what arrived fails the completion; the upload is cancelled."""
    with pytest.raises(APIStatusError) as info:
        await client.uploads.upload_file_chunked(
            file=b"z" * 10, filename="z", mime_type="text/plain", purpose="batch", md5="f" * 32
        )
    assert info.value.param == "md5"
    assert server.requests[-1].path.endswith("/cancel")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ({"bytes": -1}, "bytes"),
        ({"bytes": 8 * 1024**3 + 1}, "bytes"),
        ({"filename": ""}, "filename"),
        ({"expires_after": {"anchor": "created_at", "seconds": 1}}, "seconds"),
    ],
)
async def test_create_checks_before_sending(
    client: AsyncClient, server: LocalServer, call: dict[str, Any], name: str
) -> None:
    """Bad arguments raise InvalidParameterError naming the parameter; nothing is sent."""
    given: dict[str, Any] = {
        "bytes": 1,
        "filename": "a",
        "mime_type": "text/plain",
        "purpose": "batch",
        **call,
    }
    with pytest.raises(InvalidParameterError, match=name):
        await client.uploads.create(**given)
    assert server.requests == []


async def test_other_checks_before_sending(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """Parts over 64 MiB, bad part ids, bad md5 and helper settings are refused unsent."""
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(64 * MIB + 1)
    with pytest.raises(InvalidParameterError, match="data"):
        await client.uploads.parts.create("upload-1", data=big)
    with pytest.raises(InvalidParameterError, match="part_ids"):
        await client.uploads.complete("upload-1", part_ids="part-1")
    with pytest.raises(InvalidParameterError, match="md5"):
        await client.uploads.complete("upload-1", part_ids=["part-1"], md5="xyz")
    for bad, name in (
        ({"part_size": 64 * MIB + 1}, "part_size"),
        ({"parts_in_flight": 0}, "parts_in_flight"),
        ({"bytes": 5}, "bytes"),
        ({"file": tmp_path}, "file"),
    ):
        kwargs: dict[str, Any] = {"file": big, "mime_type": "a/b", "purpose": "batch", **bad}
        with pytest.raises(InvalidParameterError, match=name):
            await client.uploads.upload_file_chunked(**kwargs)
    assert server.requests == []


async def test_reset_closes_the_parts_of_pending_uploads(
    client: AsyncClient, server: LocalServer
) -> None:
    """The server's reset drops a pending upload's part files closed, without a warning."""
    upload = await client.uploads.create(
        bytes=2, filename="a.bin", mime_type="application/octet-stream", purpose="assistants"
    )
    await client.uploads.parts.create(upload.id, data=b"a")
    server.reset()  # an unclosed file would be reported (and fail the test) here
    gc.collect()


async def test_cancelling_the_helper_cancels_the_upload(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A chunked upload cancelled midway cancels its upload and leaves no connection open."""
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 3000)
    server.inject(delay=5, path="/parts", times=3)  # the parts hang
    with anyio.move_on_after(0.5) as scope:
        await client.uploads.upload_file_chunked(
            file=path, mime_type="text/plain", purpose="batch", part_size=1000
        )
    assert scope.cancelled_caught
    cancel = server.requests[-1]
    assert cancel.path.endswith("/cancel")
    upload_id = cancel.path.split("/")[3]
    with pytest.raises(BadRequestError, match="cancelled"):
        await client.uploads.parts.create(upload_id, data=b"x")
