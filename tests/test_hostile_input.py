"""Bad input refused before sending: path parameters, header names and values; closed streams."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from openai_async import (
    AsyncClient,
    InvalidParameterError,
    StreamTruncatedError,
    accumulate_chat,
)
from openai_async._config import check_headers
from openai_async.resources._base import path_param
from openai_async.testing import LocalServer

from .conftest import API_KEY

MESSAGES = [{"role": "user", "content": "hi"}]


# -- path parameters ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [".", ".."])
def test_dot_segments_are_refused(value: str) -> None:
    """ "." and ".." would be dot segments whatever the encoding: refused, naming the parameter."""
    with pytest.raises(InvalidParameterError, match="model") as info:
        path_param("model", value)
    assert info.value.param == "model"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("../files", "..%2Ffiles"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("%2e%2e", "%252e%252e"),
        ("...", "..."),
        ("ft:gpt-3.5-turbo:org@x", "ft:gpt-3.5-turbo:org@x"),
        ("a\r\nb c", "a%0D%0Ab%20c"),
        ("\\..\\", "%5C..%5C"),
    ],
)
def test_path_params_stay_one_segment(value: str, escaped: str) -> None:
    """Slashes, query and fragment marks, percent signs and controls are escaped."""
    assert path_param("model", value) == escaped


@pytest.mark.parametrize("value", [None, 3, b"gpt", ["a"], ""])
def test_non_strings_are_refused_without_their_repr(value: object) -> None:
    """Not a non-empty str: refused by type name, never by str() of the object."""
    with pytest.raises(InvalidParameterError) as info:
        path_param("file_id", value)
    assert info.value.param == "file_id"


@pytest.mark.anyio
@pytest.mark.parametrize("value", [".", ".."])
async def test_models_delete_dot_dot_sends_nothing(
    client: AsyncClient, server: LocalServer, value: str
) -> None:
    """models.delete("..") and friends are refused before anything reaches the server."""
    for call in (
        client.models.delete,
        client.models.retrieve,
        client.files.retrieve,
        client.files.delete,
        client.fine_tunes.retrieve,
    ):
        with pytest.raises(InvalidParameterError):
            await call(value)
    with pytest.warns(DeprecationWarning, match="engines"), pytest.raises(InvalidParameterError):
        await client.engines.retrieve(value)
    assert server.requests == []


@pytest.mark.anyio
@pytest.mark.off_spec("ids with slashes and query marks: the server answers 404")
async def test_escaped_ids_reach_the_endpoint_they_name(
    client: AsyncClient, server: LocalServer
) -> None:
    """An id with / ? # reaches /v1/models/{id} as one escaped segment, not another path."""
    with pytest.raises(Exception):  # noqa: B017, PT011 - the server knows no such model
        await client.models.delete("../files?x=1#y")
    assert [(r.method, r.path) for r in server.requests] == [
        ("DELETE", "/v1/models/..%2Ffiles%3Fx%3D1%23y")
    ]


# -- headers -----------------------------------------------------------------------------

SECRET = "sk-hidden-value-42"

BAD_HEADERS = [
    {"x-team": f"{SECRET}\r\nx-injected: 1"},
    {"x-team": f"{SECRET}\n"},
    {"x-team": f"caf\u00e9 {SECRET}"},  # latin-1, but not ASCII: httpx cannot send it
    {"x-team": f"\u2603 {SECRET}"},  # not even latin-1
    {"x-team": f" {SECRET}"},
    {"x-team": f"{SECRET}\x00"},
    {"x-team": 42},
    {"x-team": None},
]
BAD_NAMES = [{"x team": "v"}, {"x-t\u00e9am": "v"}, {"": "v"}, {"x:y": "v"}, {"a\r\nb": "v"}]


@pytest.mark.parametrize("headers", BAD_HEADERS + BAD_NAMES)
def test_check_headers_names_the_parameter_and_hides_the_value(headers: dict[str, object]) -> None:
    """check_headers refuses a bad name or value, naming the parameter; the value never shows."""
    with pytest.raises(InvalidParameterError) as info:
        check_headers(headers, "extra_headers")
    assert info.value.param == "extra_headers"
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


def test_check_headers_takes_good_headers() -> None:
    """Ordinary headers pass, including tabs and inner spaces in values."""
    check_headers({"x-team": "search", "api-key": "k\tv v", "OpenAI-Beta": "assistants=v2"}, "h")


def test_check_headers_refuses_a_non_mapping() -> None:
    """A list of pairs is not a mapping: refused, naming the parameter."""
    with pytest.raises(InvalidParameterError, match="extra_headers"):
        check_headers([("x-team", "search")], "extra_headers")


@pytest.mark.anyio
@pytest.mark.parametrize("headers", BAD_HEADERS[:4])
async def test_bad_default_headers_are_never_sent_retried_or_logged(
    server: LocalServer, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """default_headers with a bad value: refused when the client (or variant) is made, so
    nothing is sent, retried or logged, and the value appears nowhere."""
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InvalidParameterError, match="default_headers") as info:
        AsyncClient(base_url=server.url, api_key=API_KEY, default_headers=headers)
    assert "x-team" in str(info.value)
    async with AsyncClient(base_url=server.url, api_key=API_KEY) as client:
        with pytest.raises(InvalidParameterError, match="default_headers"):
            client.with_options(default_headers=headers)
    assert server.requests == []
    assert SECRET not in caplog.text
    assert SECRET not in str(info.value)


# Methods that take only the per-call options (nothing of theirs checks them).
OPTIONS_ONLY: list[tuple[str, Callable[[AsyncClient, Any], Any]]] = [
    ("models.list", lambda c, h: c.models.list(extra_headers=h)),
    ("models.retrieve", lambda c, h: c.models.retrieve("gpt-4o", extra_headers=h)),
    ("files.content", lambda c, h: c.files.content("file-abc", extra_headers=h)),
    ("fine_tunes.cancel", lambda c, h: c.fine_tunes.cancel("ft-abc", extra_headers=h)),
    ("vector_stores.retrieve", lambda c, h: c.vector_stores.retrieve("vs_abc", extra_headers=h)),
    ("responses.delete", lambda c, h: c.responses.delete("resp_abc", extra_headers=h)),
]


@pytest.mark.anyio
@pytest.mark.parametrize("headers", BAD_HEADERS[:4])
@pytest.mark.parametrize(
    "call", [entry[1] for entry in OPTIONS_ONLY], ids=[entry[0] for entry in OPTIONS_ONLY]
)
async def test_bad_extra_headers_on_methods_taking_only_options(
    server: LocalServer,
    caplog: pytest.LogCaptureFixture,
    call: Callable[[AsyncClient, Any], Any],
    headers: dict[str, str],
) -> None:
    """Methods that take only the per-call options refuse bad extra_headers too: nothing
    is sent, retried or logged, and the value appears nowhere."""
    caplog.set_level(logging.DEBUG)
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=2) as client:
        with pytest.raises(InvalidParameterError, match="extra_headers") as info:
            await call(client, headers)
    assert server.requests == []
    assert SECRET not in caplog.text
    assert SECRET not in str(info.value)


# -- streams closed before their end ----------------------------------------------------


@pytest.mark.anyio
async def test_a_stream_closed_early_raises_when_iterated_again(client: AsyncClient) -> None:
    """Leaving ``async with`` after one chunk, then iterating: StreamTruncatedError."""
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    )
    async with stream:
        await stream.__anext__()
    with pytest.raises(StreamTruncatedError, match="closed before its end"):
        await stream.__anext__()


@pytest.mark.anyio
async def test_accumulating_a_closed_stream_raises(client: AsyncClient) -> None:
    """accumulate_chat over a stream closed early raises instead of an empty 'whole' reply."""
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    )
    await stream.aclose()
    with pytest.raises(StreamTruncatedError):
        await accumulate_chat(stream)


@pytest.mark.anyio
async def test_a_finished_stream_ends_quietly_again(client: AsyncClient) -> None:
    """A stream read to [DONE] and closed ends quietly when iterated again: it was whole."""
    stream = await client.chat.completions.create(
        model="gpt-3.5-turbo", messages=MESSAGES, stream=True
    )
    async with stream:
        reply = await accumulate_chat(stream)
    assert reply.choices[0].finish_reason == "stop"
    assert [chunk async for chunk in stream] == []


@pytest.mark.anyio
async def test_a_stream_without_done_is_whole_at_its_end(server: LocalServer) -> None:
    """require_done=False: the body's end is the stream's end; iterating again is quiet."""
    async with AsyncClient(base_url=server.url, api_key=API_KEY, max_retries=0) as client:
        stream = await client.request_stream(
            "POST",
            "chat/completions",
            json={"model": "gpt-3.5-turbo", "messages": MESSAGES, "stream": True},
            require_done=False,
        )
        async with stream:
            chunks = [chunk async for chunk in stream]
        assert chunks
        assert [chunk async for chunk in stream] == []
