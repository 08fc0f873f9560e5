"""The /files endpoints over loopback: upload, list, retrieve, content, download, delete."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import anyio.lowlevel
import httpx
import pytest

from openai_async import APIConnectionError, AsyncClient, InvalidParameterError, NotFoundError
from openai_async.testing import LocalServer, ServerRequest
from openai_async.testing._http import Abort, HTTPServer, ServerResponse
from openai_async.testing._multipart import parse_multipart
from openai_async.types import FileDeleted, FileObject

from .openapi import LATEST, assert_request_matches_spec
from .transports import CloseAwaitsFirst

pytestmark = pytest.mark.anyio

TRAINING = b'{"prompt": "2+2=", "completion": " 4"}\n{"prompt": "3+3=", "completion": " 6"}\n'


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_upload_from_path(client: AsyncClient, server: LocalServer, tmp_path: Path) -> None:
    """files.create sends purpose and the file as multipart parts and parses the file object."""
    path = tmp_path / "train.jsonl"
    path.write_bytes(TRAINING)
    uploaded = await client.files.create(file=path, purpose="fine-tune")
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/files")
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.headers["content-length"] == str(len(sent.body))
    assert "transfer-encoding" not in sent.headers
    purpose, file = parse_multipart(sent.headers["content-type"], sent.body)
    assert (purpose.name, purpose.filename, purpose.text) == ("purpose", None, "fine-tune")
    assert (file.name, file.filename, file.data) == ("file", "train.jsonl", TRAINING)
    assert file.content_type in ("application/jsonl", "application/octet-stream")
    assert_request_matches_spec(sent)
    assert isinstance(uploaded, FileObject)
    assert uploaded.id.startswith("file-")
    assert (uploaded.filename, uploaded.bytes, uploaded.purpose) == (
        "train.jsonl",
        len(TRAINING),
        "fine-tune",
    )


async def test_list_retrieve_delete(client: AsyncClient, server: LocalServer) -> None:
    """A file uploaded is listed and retrievable until deleted, then NotFoundError."""
    uploaded = await client.files.create(file=("a.jsonl", TRAINING, None), purpose="fine-tune")
    listed = await client.files.list()
    assert (server.requests[-1].method, server.requests[-1].path) == ("GET", "/v1/files")
    assert_request_matches_spec(server.requests[-1])
    assert [f.id for f in listed] == [uploaded.id]
    assert await client.files.retrieve(uploaded.id) == uploaded
    assert server.requests[-1].path == f"/v1/files/{uploaded.id}"
    assert_request_matches_spec(server.requests[-1])
    deleted = await client.files.delete(uploaded.id)
    assert server.requests[-1].method == "DELETE"
    assert_request_matches_spec(server.requests[-1])
    assert deleted == FileDeleted(id=uploaded.id, deleted=True)
    with pytest.raises(NotFoundError):
        await client.files.retrieve(uploaded.id)
    assert len(await client.files.list()) == 0


@pytest.mark.latest_spec("GET /files?purpose= came after the 2023 spec")
async def test_list_by_purpose(client: AsyncClient, server: LocalServer) -> None:
    """purpose= filters the list (a query parameter of today's API, not the 2023 one)."""
    await client.files.create(file=("a.jsonl", b"{}\n", None), purpose="fine-tune")
    other = await client.files.create(file=("b.txt", b"x", None), purpose="assistants")
    listed = await client.files.list(purpose="assistants")
    assert server.requests[-1].query == {"purpose": "assistants"}
    assert_request_matches_spec(server.requests[-1], spec=LATEST)
    assert [f.id for f in listed] == [other.id]


async def test_content_as_bytes(client: AsyncClient, server: LocalServer) -> None:
    """files.content returns the stored bytes exactly, binary included."""
    data = bytes(range(256)) * 1000
    uploaded = await client.files.create(file=("blob.bin", data, None), purpose="fine-tune")
    assert await client.files.content(uploaded.id) == data
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"/v1/files/{uploaded.id}/content")
    assert_request_matches_spec(sent)


async def test_content_has_the_sdk_accessors(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """files.content is still bytes, with the SDK's text, json(), read() and write_to_file()."""
    line = '{"prompt": "café", "completion": " ☕"}'.encode()
    uploaded = await client.files.create(file=("a.jsonl", line), purpose="fine-tune")
    content = await client.files.content(uploaded.id)
    assert isinstance(content, bytes)
    assert (content, len(content), content[:2]) == (line, len(line), b'{"')
    assert content.content == content.read() == await content.aread() == line
    assert content.text == line.decode()
    assert content.json() == {"prompt": "café", "completion": " ☕"}
    content.write_to_file(tmp_path / "copy.jsonl")
    assert (tmp_path / "copy.jsonl").read_bytes() == line


async def test_content_text_uses_the_response_charset(
    client: AsyncClient, server: LocalServer
) -> None:
    """text decodes with the charset the response names, as the SDK's does."""
    headers = {"content-type": "text/plain; charset=iso-8859-1"}
    server.inject(status=200, body="café".encode("latin-1"), headers=headers)
    content = await client.files.content("file-1")
    assert (content.encoding, content.text) == ("iso-8859-1", "café")


async def test_download_streams_to_a_path(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """files.download writes the content to the path and returns its size."""
    data = bytes(range(256)) * 4096  # 1 MiB: several chunks on the wire
    uploaded = await client.files.create(file=("blob.bin", data, None), purpose="fine-tune")
    target = tmp_path / "out.bin"
    target.write_bytes(b"old content")
    written = await client.files.download(uploaded.id, target)
    assert written == len(data)
    assert target.read_bytes() == data
    assert _names(tmp_path) == ["out.bin"]  # no temporary left
    assert_request_matches_spec(server.requests[-1])


async def test_failed_download_leaves_no_file(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A download that fails leaves neither a partial nor a temporary file behind."""
    target = tmp_path / "out.bin"
    with pytest.raises(NotFoundError):
        await client.files.download("file-missing", target)
    server.inject(drop=True)
    with pytest.raises(APIConnectionError):
        await client.files.download("file-missing", target)
    assert _names(tmp_path) == []


async def _truncated(request: ServerRequest) -> ServerResponse:
    async def body() -> AsyncIterator[bytes]:
        yield b"x" * 100_000
        raise Abort  # close the connection 300 kB short of the announced length

    headers = {"content-type": "application/octet-stream", "content-length": "400000"}
    return ServerResponse(headers=headers, body=body())


async def test_truncated_download_leaves_no_file(tmp_path: Path) -> None:
    """A body cut short of its Content-Length raises APIConnectionError; no file remains."""
    server = LocalServer()
    server._http = HTTPServer(_truncated)  # the same thread and loop, another handler
    with server:
        async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
            target = tmp_path / "out.bin"
            target.write_bytes(b"previous")
            with pytest.raises(APIConnectionError):
                await client.files.download("file-1", target)
    assert _names(tmp_path) == ["out.bin"]
    assert target.read_bytes() == b"previous"


async def _stalled(request: ServerRequest) -> ServerResponse:
    async def body() -> AsyncIterator[bytes]:
        yield b"x" * 100_000
        for _ in range(300_000):  # then a trickle, which also notices a closed socket
            await asyncio.sleep(0.01)
            yield b"x"

    headers = {"content-type": "application/octet-stream", "content-length": "400000"}
    return ServerResponse(headers=headers, body=body())


async def test_cancelled_download_cleans_up(tmp_path: Path) -> None:
    """Cancelling a download mid-body removes the partial file and closes the connection."""
    server = LocalServer()
    server._http = HTTPServer(_stalled)  # the same thread and loop, another handler
    with server:
        async with AsyncClient(base_url=server.url, api_key="", max_retries=0) as client:
            with anyio.move_on_after(1.0) as scope:
                await client.files.download("file-1", tmp_path / "out.bin")
            assert scope.cancelled_caught
            assert _names(tmp_path) == []
            # The half-read connection is closed, not kept in the pool (the client is
            # still open). The counter lives in the server's thread: poll it.
            with anyio.fail_after(5):
                while server.connections_open:  # noqa: ASYNC110
                    await anyio.sleep(0.01)
            gc.collect()  # an unfinished async generator would be reported now, here


async def test_download_cancelled_in_a_file_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancellation that lands in a disk write, not a network read, still cleans up."""
    real_write = anyio.AsyncFile.write

    async def stalled_write(self: anyio.AsyncFile[bytes], data: bytes) -> int:
        await anyio.sleep(30)  # a disk that stalls: the cancellation lands here
        return await real_write(self, data)

    monkeypatch.setattr(anyio.AsyncFile, "write", stalled_write)
    transport = CloseAwaitsFirst(httpx.AsyncHTTPTransport())
    server = LocalServer()
    server._http = HTTPServer(_stalled)
    with server:
        async with AsyncClient(
            base_url=server.url, api_key="", max_retries=0, transport=transport
        ) as client:
            with anyio.move_on_after(0.5) as scope:
                await client.files.download("file-1", tmp_path / "out.bin")
            assert scope.cancelled_caught
            assert _names(tmp_path) == []
            # Released, not left checked out: no connection in the pool, none open.
            assert transport.inner._pool.connections == []  # type: ignore[attr-defined]
            with anyio.fail_after(5):
                while server.connections_open:  # noqa: ASYNC110
                    await anyio.sleep(0.01)
            gc.collect()  # an unfinished async generator would be reported now, here


async def test_download_into_missing_directory(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A path whose directory does not exist is refused before sending, naming "path"."""
    with pytest.raises(InvalidParameterError) as info:
        await client.files.download("file-1", tmp_path / "no" / "such" / "dir.bin")
    assert info.value.param == "path"
    assert server.requests == []


@pytest.mark.parametrize("bad", ["", None, 7])
async def test_bad_file_id(client: AsyncClient, server: LocalServer, bad: object) -> None:
    """An empty or non-string file id fails before sending, naming "file_id"."""
    with pytest.raises(InvalidParameterError) as info:
        await client.files.retrieve(bad)  # type: ignore[arg-type]
    assert info.value.param == "file_id"
    assert server.requests == []


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"order": "newest"}, "order"),
        ({"limit": 0}, "limit"),
    ],
)
async def test_bad_list_parameters_are_refused(
    client: AsyncClient, server: LocalServer, params: dict[str, object], param: str
) -> None:
    """order and limit outside the spec's values fail before sending."""
    with pytest.raises(InvalidParameterError) as info:
        await client.files.list(**params)  # type: ignore[arg-type]
    assert info.value.param == param
    assert server.requests == []


@pytest.mark.parametrize("seconds", [3599, 2_592_001, "3600"])
async def test_expiry_outside_the_spec_is_refused(
    client: AsyncClient, server: LocalServer, seconds: object
) -> None:
    """expires_after.seconds must be one hour to 30 days."""
    with pytest.raises(InvalidParameterError) as info:
        await client.files.create(
            file=b"x", purpose="batch", expires_after={"anchor": "created_at", "seconds": seconds}
        )
    assert info.value.param == "expires_after.seconds"
    assert server.requests == []
