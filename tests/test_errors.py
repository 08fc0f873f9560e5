"""Status codes, broken connections and timeouts become the documented exceptions."""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

import httpx
import pytest

import openai_async
from openai_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    CallNext,
    ConflictError,
    InternalServerError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from openai_async.testing import LocalServer

from .conftest import API_KEY, unused_port

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
async def test_status_maps_to_class(
    client: AsyncClient, server: LocalServer, status: int, cls: type[APIStatusError]
) -> None:
    """Each status raises its class, carrying status, request id, body and error fields."""
    error = {"message": f"boom {status}", "type": "some_type", "param": "p", "code": f"c{status}"}
    server.inject(status=status, body={"error": error}, headers={"x-extra": "1"})
    with pytest.raises(APIStatusError) as info:
        await client.models.list()
    exc = info.value
    assert type(exc) is cls
    assert exc.status_code == status
    assert exc.request_id is not None
    assert exc.request_id.startswith("req_")
    assert exc.request_id == exc.headers["x-request-id"]
    assert exc.body == error  # the error object, as the official SDK gives it
    assert exc.response.json() == {"error": error}
    assert (exc.code, exc.type, exc.param) == (f"c{status}", "some_type", "p")
    assert exc.headers["x-extra"] == "1"
    assert f"boom {status}" in str(exc)
    assert exc.request_id in str(exc)


async def test_html_502_keeps_the_body(client: AsyncClient, server: LocalServer) -> None:
    """A proxy's HTML 502 page gives InternalServerError with the text kept as body."""
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    server.inject(status=502, body=page, headers={"content-type": "text/html"})
    with pytest.raises(InternalServerError) as info:
        await client.models.list()
    assert info.value.body == page
    assert info.value.code is None
    assert info.value.status_code == 502


async def test_error_body_without_error_object(client: AsyncClient, server: LocalServer) -> None:
    """A JSON error body in another shape (e.g. vLLM's) is kept whole; fields are None."""
    server.inject(status=400, body={"detail": "bad model"})
    with pytest.raises(BadRequestError) as info:
        await client.models.list()
    assert info.value.body == {"detail": "bad model"}
    assert info.value.code is None


@pytest.mark.parametrize(
    ("status", "cls"),
    [(302, APIStatusError), (307, APIStatusError), (699, InternalServerError)],
)
@pytest.mark.parametrize("call", ["json", "bytes", "stream"])
async def test_statuses_other_than_2xx_are_errors(
    client: AsyncClient, server: LocalServer, status: int, cls: type[APIStatusError], call: str
) -> None:
    """A redirect not followed, or a status past 599, raises; its body is never the answer.

    As the official SDK: a 302 whose body is JSON must not pass for a model, nor its
    text for a file's content, nor end a stream quietly.
    """
    server.inject(
        status=status, body={"object": "list", "data": []}, headers={"location": "/elsewhere"}
    )

    async def send() -> None:
        if call == "json":
            await client.models.list()
        elif call == "bytes":
            await client.files.content("file-1")
        else:
            stream = await client.chat.completions.create(
                model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            async with stream:
                async for _ in stream:
                    pass

    with pytest.raises(APIStatusError) as info:
        await send()
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.body == {"object": "list", "data": []}


async def test_refused_connection() -> None:
    """A port with no listener gives APIConnectionError (not a timeout, not httpx's)."""
    url = f"http://127.0.0.1:{unused_port()}/v1"
    async with AsyncClient(base_url=url, api_key="") as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.request is not None


async def test_server_that_never_answers_times_out(server: LocalServer) -> None:
    """A server that accepts but never answers gives APITimeoutError within the timeout."""
    server.inject(delay=30)
    async with AsyncClient(base_url=server.url, api_key="", timeout=0.3, max_retries=0) as client:
        start = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.models.list()
        elapsed = time.monotonic() - start
    assert 0.25 <= elapsed < 5


async def test_dropped_connection(client: AsyncClient, server: LocalServer) -> None:
    """The server closing the socket without answering gives APIConnectionError."""
    server.inject(drop=True)
    with pytest.raises(APIConnectionError):
        await client.models.list()
    assert len(await client.models.list()) > 0  # the pool recovers


async def test_key_never_appears_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    """A rejected key shows in no exception text, repr or log line (httpx's included)."""
    caplog.set_level(logging.DEBUG)
    with LocalServer(api_key="sk-the-right-one") as strict:
        async with AsyncClient(base_url=strict.url, api_key=API_KEY, max_retries=0) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.models.list()
            strict.inject(status=500, body=f"echo {strict.url}")
            with pytest.raises(InternalServerError) as info500:
                await client.models.list()
            text = " ".join([str(info.value), repr(info.value), str(info500.value), repr(client)])
    assert info.value.code == "invalid_api_key"
    assert caplog.records, "expected httpx/httpcore debug logging to be captured"
    assert API_KEY not in text
    assert API_KEY not in caplog.text
    assert API_KEY[-12:] not in caplog.text


def test_exception_tree() -> None:
    """The documented hierarchy holds, so except clauses written for the SDK carry over."""
    assert issubclass(openai_async.APITimeoutError, openai_async.APIConnectionError)
    assert issubclass(openai_async.APIConnectionError, openai_async.APIError)
    assert issubclass(openai_async.RateLimitError, openai_async.APIStatusError)
    assert issubclass(openai_async.APIStatusError, openai_async.APIError)
    assert issubclass(openai_async.APIError, openai_async.OpenAIError)
    assert issubclass(openai_async.InvalidParameterError, ValueError)
    assert openai_async.NotFoundError.__module__ == "openai_async"


@pytest.mark.parametrize(
    ("bad", "where"),
    [(bad, "argument") for bad in ["\n", " ", "\r", "\t", "\x00"]]
    # (an environment variable cannot hold a NUL)
    + [(bad, "environment") for bad in ["\n", " ", "\r", "\t"]],
)
def test_key_a_header_cannot_carry_is_refused_unshown(
    bad: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key with a stray newline or space fails at construction, naming api_key, not showing it."""
    key = f"{API_KEY}{bad}"
    if where == "environment":
        monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key=key if where == "argument" else None)
    assert info.value.param == "api_key"
    assert "OPENAI_API_KEY" in str(info.value)
    assert API_KEY not in "".join(traceback.format_exception(info.value))


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"organization": "org-1\n"}, "organization"),
        ({"default_headers": {"api-key": f"{API_KEY}\r\n"}}, "default_headers"),
        ({"default_headers": {"api-key": f" {API_KEY}"}}, "default_headers"),
        ({"default_headers": {"api key": "x"}}, "default_headers"),
    ],
)
def test_headers_a_request_cannot_carry_are_refused(options: dict[str, Any], param: str) -> None:
    """Organization and default headers are checked like the key; values are never shown."""
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient(api_key="", **options)
    assert info.value.param == param
    assert API_KEY not in str(info.value)


async def test_unsendable_header_from_middleware_is_not_quoted(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A middleware's header h11 refuses gives an error that does not quote its value."""
    caplog.set_level(logging.DEBUG)

    async def bad_header(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        request.headers["api-key"] = f"{API_KEY}\n"
        return await call_next(request)

    async with AsyncClient(
        base_url=server.url, api_key="", max_retries=1, middleware=[bad_header]
    ) as client:
        with pytest.raises(APIConnectionError, match="not valid HTTP") as info:
            await client.models.list()
    assert API_KEY not in "".join(traceback.format_exception(info.value))
    # Our log lines only: httpcore's own DEBUG trace quotes h11's message, value and all.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("openai_async")]
    assert ours
    assert all(API_KEY not in line for line in ours)
    assert server.requests == []
