"""Every kind of file input reaches the server as the same bytes, checked before sending."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import anyio
import anyio.abc
import httpx
import pytest

from openai_async import AsyncClient, CallNext, InvalidParameterError
from openai_async.testing import LocalServer, ServerRequest
from openai_async.testing._multipart import FormPart, parse_multipart
from openai_async.testing._routes_images import solid_png

from .openapi import assert_request_matches_spec

pytestmark = pytest.mark.anyio

DATA = b'{"prompt": "a", "completion": "b"}\n' * 20_000  # ~700 kB, several chunks


def _parts(request: ServerRequest) -> list[FormPart]:
    assert_request_matches_spec(request)
    return parse_multipart(request.headers["content-type"], request.body)


def _file_part(server: LocalServer) -> tuple[str | None, str | None, bytes]:
    sent = server.requests[-1]
    parts = parse_multipart(sent.headers["content-type"], sent.body)
    (part,) = [p for p in parts if p.name == "file"]
    assert sent.headers["content-length"] == str(len(sent.body))
    assert_request_matches_spec(sent)
    return part.filename, part.content_type, part.data


async def test_path_as_str_and_pathlike(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A str path and a Path upload the file's bytes under its own name."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(DATA)
    for value in (str(path), path):
        uploaded = await client.files.create(file=value, purpose="fine-tune")
        assert uploaded.filename == "data.jsonl"
        assert _file_part(server)[::2] == ("data.jsonl", DATA)


async def test_bytes_get_the_parameter_name(client: AsyncClient, server: LocalServer) -> None:
    """Bytes carry no name: the part is named after the parameter, typed octet-stream."""
    await client.files.create(file=DATA, purpose="fine-tune")
    assert _file_part(server) == ("file", "application/octet-stream", DATA)


async def test_open_file_from_its_position(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """An open binary file is sent from where it stands, named after its file."""
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"HEADER" + DATA)
    with path.open("rb") as f:
        f.seek(6)
        await client.files.create(file=f, purpose="fine-tune")
        assert not f.closed  # the caller's file stays the caller's
    assert _file_part(server)[::2] == ("train.jsonl", DATA)


async def test_tuple_names_and_types(client: AsyncClient, server: LocalServer) -> None:
    """A (filename, content, content_type) tuple sets both; None guesses the type."""
    await client.files.create(file=("x.csv", io.BytesIO(DATA), "text/csv"), purpose="user_data")
    assert _file_part(server) == ("x.csv", "text/csv", DATA)
    await client.files.create(file=("y.json", DATA, None), purpose="user_data")
    assert _file_part(server) == ("y.json", "application/json", DATA)


async def test_two_tuples_everywhere(client: AsyncClient, server: LocalServer) -> None:
    """A (filename, content) tuple works for every file parameter, typed from its name."""
    await client.files.create(file=("y.json", io.BytesIO(DATA)), purpose="user_data")
    assert _file_part(server) == ("y.json", "application/json", DATA)
    png = solid_png(4, 4, (0, 0, 0))
    audio = b"ID3" + bytes(15_997)
    await client.audio.transcriptions.create(file=("a.mp3", audio), model="whisper-1")
    await client.audio.translations.create(file=("a.mp3", audio), model="whisper-1")
    await client.images.edit(image=("i.png", png), mask=("m.png", png), prompt="a hat")
    await client.images.create_variation(image=("i.png", png))
    files = [p for r in server.requests[1:] for p in _parts(r) if p.filename is not None]
    assert [(p.name, p.filename, p.content_type) for p in files] == [
        ("file", "a.mp3", "audio/mpeg"),
        ("file", "a.mp3", "audio/mpeg"),
        ("image", "i.png", "image/png"),
        ("mask", "m.png", "image/png"),
        ("image", "i.png", "image/png"),
    ]


async def test_unseekable_stream_is_sent(client: AsyncClient, server: LocalServer) -> None:
    """A pipe (no seek, no known length) is read once and sent with a Content-Length."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as w:
        w.write(DATA[:50_000])
    with os.fdopen(read_end, "rb", buffering=0) as r:
        await client.files.create(file=("piped.jsonl", r, None), purpose="user_data")
    assert _file_part(server)[::2] == ("piped.jsonl", DATA[:50_000])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (io.StringIO("text"), "binary mode"),
        (42, "expected a path"),
        (("a", b"x", None, {"x-h": "1"}), r"\(filename, content\) or \(filename, content, "),
        (("a",), "tuple"),
        ((b"name", b"x", None), "filename"),
        (("a", b"x", 3), "content type"),
        (("a", b"x", "text/plain\r\nX-Evil: 1"), "one line"),
    ],
)
async def test_bad_inputs_are_refused(
    client: AsyncClient, server: LocalServer, value: object, message: str
) -> None:
    """Text files, numbers and malformed tuples fail before sending, naming "file"."""
    with pytest.raises(InvalidParameterError, match=message) as info:
        await client.files.create(file=value, purpose="user_data")  # type: ignore[arg-type]
    assert info.value.param == "file"
    assert server.requests == []


@pytest.mark.parametrize(
    "opener",
    [
        lambda: tempfile.NamedTemporaryFile("w+"),  # noqa: SIM115
        lambda: tempfile.SpooledTemporaryFile(mode="w+"),  # noqa: SIM115
    ],
    ids=["NamedTemporaryFile", "SpooledTemporaryFile"],
)
async def test_text_mode_wrappers_are_refused(
    client: AsyncClient, server: LocalServer, opener: Callable[[], IO[str]]
) -> None:
    """Text files that are not io.TextIOBase are refused before sending too."""
    with opener() as file:
        file.write("text")
        file.seek(0)
        with pytest.raises(InvalidParameterError, match="binary mode") as info:
            await client.files.create(file=file, purpose="user_data")  # type: ignore[arg-type]
    assert info.value.param == "file"
    assert server.requests == []


async def test_zip_member_is_binary_though_its_mode_is_r(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A ZipFile member reads bytes (its mode says "r"): it uploads like any binary file."""
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("train.jsonl", DATA)
    with zipfile.ZipFile(archive) as zf, zf.open("train.jsonl") as member:
        uploaded = await client.files.create(file=member, purpose="fine-tune")
    assert uploaded.filename == "train.jsonl"
    assert _file_part(server)[2] == DATA


async def test_missing_path_is_refused(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A path that does not exist, or is a directory, names the parameter and sends nothing."""
    with pytest.raises(InvalidParameterError, match="cannot read") as info:
        await client.images.create_variation(image=tmp_path / "missing.png")
    assert info.value.param == "image"
    with pytest.raises(InvalidParameterError, match="not a regular file"):
        await client.files.create(file=tmp_path, purpose="user_data")
    assert server.requests == []


async def test_file_shrinking_while_sent(
    client: AsyncClient, server: LocalServer, tmp_path: Path
) -> None:
    """A file cut short after its length was announced raises rather than send less."""
    path = tmp_path / "log.jsonl"
    path.write_bytes(DATA)

    class Truncating(io.FileIO):
        def read(self, size: int = -1) -> bytes:
            data = super().read(size)
            os.truncate(path, 10)  # another process shrinks the file mid-upload
            return data

    with Truncating(path, "rb") as f, pytest.raises(InvalidParameterError, match="shorter"):
        await client.files.create(file=f, purpose="user_data")


async def test_upload_is_sent_again_on_retry(server: LocalServer, tmp_path: Path) -> None:
    """A middleware that sends the request again re-sends the whole file from disk."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(DATA)

    async def retry_once(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        response = await call_next(request)
        return await call_next(request) if response.status_code == 503 else response

    server.inject(status=503, path="/files")
    async with AsyncClient(base_url=server.url, api_key="", middleware=[retry_once]) as client:
        uploaded = await client.files.create(file=path, purpose="fine-tune")
    first, second = server.requests
    assert first.body == second.body
    assert _file_part(server)[2] == DATA
    assert uploaded.bytes == len(DATA)


def _descriptors_for(path: Path) -> list[str]:
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) == str(path):
                found.append(fd.name)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")
async def test_cancelled_upload_leaves_no_open_file(tmp_path: Path) -> None:
    """An upload cancelled while the server stops reading keeps no descriptor of the file."""
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (32 << 20))  # more than loopback socket buffers hold
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def never_read(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await anyio.sleep_forever()

    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, never_read)
        base_url = f"http://127.0.0.1:{port}/v1"
        async with AsyncClient(base_url=base_url, api_key="", max_retries=0) as client:
            with anyio.move_on_after(1.0) as scope:
                await client.files.create(file=path, purpose="fine-tune")
            assert scope.cancelled_caught
            assert _descriptors_for(path) == []
            gc.collect()  # an unfinished async generator would be reported now, here
        group.cancel_scope.cancel()
