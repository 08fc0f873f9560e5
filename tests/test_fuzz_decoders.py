"""Fuzzing the decoders a server's answer goes through: nothing escapes the error tree.

Each decoder gets random bytes and random JSON (shaped like the replies, so the model
hooks are reached, and nested deeply, so the parser's recursion limit is): whatever a
server sends, the result is a value or an ``OpenAIError``, and never a message that
quotes more than an excerpt of the answer.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openai_async import APIResponseValidationError, APIStatusError, RateLimits
from openai_async import types as api_types
from openai_async._backoff import parse_retry_after
from openai_async._decode import decode, decode_json, error_body, loads, structure_body
from openai_async._exceptions import EXCERPT_LIMIT, excerpt, status_error
from openai_async._ratelimit import parse_duration
from openai_async._sse import EventTooLarge, SSEDecoder

# Every reply type a server's JSON is structured into.
MODELS = [getattr(api_types, name) for name in api_types.__all__]
MODELS = [cls for cls in MODELS if isinstance(cls, type) and cls is not api_types.APIObject]
MODELS.remove(api_types.BinaryResponseContent)  # bytes, not JSON
# chat.completions.stream()'s events are made by the client from chunks, never decoded.
MODELS = [cls for cls in MODELS if cls.__module__ != "openai_async.types._chat_stream"]
# Generic models (ListResponse, parsed replies) are structured as the endpoints use them.
MODELS = [cls for cls in MODELS if not getattr(cls, "__parameters__", ())]
MODELS += [api_types.ListResponse[cls] for cls in (api_types.Model, api_types.FileObject)]
MODELS += [api_types.ListResponse[api_types.FineTuneEvent]]

# Room left in a message for what we add around an excerpt (status, request id).
MESSAGE_LIMIT = 2 * EXCERPT_LIMIT + 300

KEYS = st.sampled_from(
    [
        "id",
        "object",
        "created",
        "model",
        "choices",
        "index",
        "message",
        "delta",
        "role",
        "content",
        "finish_reason",
        "usage",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "data",
        "embedding",
        "error",
        "code",
        "type",
        "param",
        "text",
        "logprobs",
        "tokens",
        "token_logprobs",
        "top_logprobs",
        "text_offset",
        "function_call",
        "name",
        "arguments",
        "results",
        "categories",
        "category_scores",
        "flagged",
        "url",
        "b64_json",
        "bytes",
        "filename",
        "purpose",
        "status",
        "events",
        "hyperparams",
        "permission",
        "segments",
        "has_more",
        "deleted",
        "owned_by",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=40,
)


def nested(depth: int, kind: str = "[") -> bytes:
    """JSON nested ``depth`` levels: arrays, or objects with one key each."""
    if kind == "[":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def response(status: int, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    return httpx.Response(status, content=content, headers=headers, request=request)


def dumps(value: object) -> bytes:
    return json.dumps(value).encode()


# -- loads -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["[", "{"])
def test_loads_turns_deep_nesting_into_value_error(kind: str) -> None:
    """JSON nested past the parser's recursion limit is a ValueError, not RecursionError."""
    with pytest.raises(ValueError, match="nested too deeply"):
        loads(nested(100_000, kind))


def test_loads_refuses_huge_integers_with_value_error() -> None:
    """An integer with thousands of digits is refused as a ValueError (Python's digit limit)."""
    with pytest.raises(ValueError, match="digits"):
        loads(b"1" * 5000)


@given(st.binary(max_size=200))
def test_loads_raises_only_value_error_on_random_bytes(raw: bytes) -> None:
    """Random bytes parse or raise ValueError (bad UTF-8 included), nothing else."""
    with contextlib.suppress(ValueError):
        loads(raw)


# -- the response decoder ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["[", "{"])
def test_deeply_nested_reply_is_a_validation_error(kind: str) -> None:
    """A 2xx body nested 100,000 deep raises APIResponseValidationError with a short message."""
    with pytest.raises(APIResponseValidationError) as info:
        decode(response(200, nested(100_000, kind)), api_types.ChatCompletion)
    assert len(str(info.value)) < MESSAGE_LIMIT


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(cls=st.sampled_from(MODELS), body=JSON)
def test_any_json_structures_or_raises_validation_error(cls: type[Any], body: object) -> None:
    """Random JSON, shaped like replies, becomes the model or APIResponseValidationError."""
    message = ""
    try:
        structure_body(response(200, b""), body, cls)
    except APIResponseValidationError as exc:
        message = str(exc)
    assert len(message) < MESSAGE_LIMIT


@settings(max_examples=200)
@given(cls=st.sampled_from([*MODELS, bytes, str, httpx.Response]), raw=st.binary(max_size=300))
@example(cls=api_types.Model, raw=b'{"id": "' + b"\xff" * 10 + b'"}')
@example(cls=str, raw=b"\xff\xfe")
def test_random_bytes_decode_or_raise_validation_error(cls: type[Any], raw: bytes) -> None:
    """Random bytes as a 2xx body: the asked-for value, or APIResponseValidationError."""
    with contextlib.suppress(APIResponseValidationError):
        decode(response(200, raw, {"content-type": "application/json"}), cls)


@given(charset=st.text(max_size=12), raw=st.binary(max_size=50))
@example(charset="utf-7", raw=b"+\xff")
@example(charset="no-such-codec", raw=b"abc")
def test_any_declared_charset_gives_text_or_typed_error(charset: str, raw: bytes) -> None:
    """Whatever charset a server declares, a text body decodes (replacing) or raises typed."""
    try:
        content_type = f"text/plain; charset={charset}".encode("latin-1")
    except UnicodeEncodeError:
        return
    try:
        resp = httpx.Response(
            200,
            content=raw,
            headers=[(b"content-type", content_type)],
            request=httpx.Request("GET", "http://127.0.0.1/v1/x"),
        )
    except httpx.HTTPError:
        return
    try:
        assert isinstance(decode(resp, str), str)
        decode_json(resp)
    except APIResponseValidationError:
        pass


def test_invalid_json_message_is_an_excerpt() -> None:
    """A 64 MB body that is not JSON makes a message of a few hundred characters."""
    with pytest.raises(APIResponseValidationError) as info:
        decode_json(response(200, b"<" * (64 * 1024 * 1024)))
    assert len(str(info.value)) < MESSAGE_LIMIT


# -- the error decoder -------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 429, 500])
@pytest.mark.parametrize("kind", ["[", "{"])
def test_deeply_nested_error_body_gives_the_status_error(status: int, kind: str) -> None:
    """An error body nested 100,000 deep still makes the status's error, its text kept."""
    resp = response(status, nested(100_000, kind))
    exc = status_error(resp, error_body(resp))
    assert isinstance(exc, APIStatusError)
    assert exc.status_code == status
    assert isinstance(exc.body, str)  # not parseable: kept as text, as for an HTML page
    assert len(str(exc)) < MESSAGE_LIMIT


def test_huge_error_message_is_excerpted_and_the_object_kept() -> None:
    """A 64 MB error message is cut short in str(exc); exc.body still has all of it."""
    message = "x" * (64 * 1024 * 1024)
    resp = response(400, dumps({"error": {"message": message, "code": "big"}}))
    exc = status_error(resp, error_body(resp))
    assert len(str(exc)) < MESSAGE_LIMIT
    assert "more characters" in str(exc)
    assert isinstance(exc.body, dict)
    assert exc.body["message"] == message
    assert exc.code == "big"


def test_nested_error_fields_are_excerpts_not_recursion() -> None:
    """code/type/param that are deep structures become short text, not a RecursionError."""
    deep: object = 1
    for _ in range(900):
        deep = [deep]
    body = {"error": {"message": deep, "code": deep, "type": {"a": deep}, "param": deep}}
    exc = status_error(response(400, b""), body)
    for text in (str(exc), exc.code, exc.type, exc.param):
        assert text is not None
        assert len(text) < MESSAGE_LIMIT


@settings(max_examples=150)
@given(status=st.integers(400, 599), body=JSON | st.binary(max_size=200))
def test_any_error_body_makes_a_status_error(status: int, body: object) -> None:
    """Random error bodies (JSON or bytes) give an APIStatusError with short text fields."""
    raw = body if isinstance(body, bytes) else dumps(body)
    resp = response(status, raw)
    exc = status_error(resp, error_body(resp))
    assert isinstance(exc, APIStatusError)
    assert len(str(exc)) < MESSAGE_LIMIT
    for field in (exc.code, exc.type, exc.param):
        assert field is None or (isinstance(field, str) and len(field) < MESSAGE_LIMIT)
    assert isinstance(exc.rate_limits, RateLimits)


@given(st.text(max_size=3000) | JSON)
def test_excerpt_is_bounded(value: object) -> None:
    """An excerpt never exceeds its limit by more than the note saying how much was cut."""
    assert len(excerpt(value)) <= EXCERPT_LIMIT + 40


# -- rate-limit and retry headers --------------------------------------------------------

HEADER_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)
DIGITS = r"[0-9.]{1,60}[a-zµ]{0,2}"
NAMES = [
    "x-ratelimit-limit-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-remaining-tokens",
    "x-ratelimit-reset-requests",
    "x-ratelimit-reset-tokens",
    "retry-after",
    "retry-after-ms",
]


RATE_LIMIT_FIELDS = [
    "limit_requests",
    "limit_tokens",
    "remaining_requests",
    "remaining_tokens",
    "reset_requests",
    "reset_tokens",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("value", ["9" * 5000, "9" * 5000 + "s", "1" + "0" * 400 + "ms"])
def test_thousands_of_digits_parse_as_not_given(name: str, value: str) -> None:
    """A header value with thousands of digits is None (not sent), never a ValueError."""
    limits = RateLimits.from_headers({name: value})
    assert all(getattr(limits, field) is None for field in RATE_LIMIT_FIELDS)
    assert parse_retry_after({name: value}, now=0.0) is None


@settings(max_examples=150)
@given(
    st.dictionaries(st.sampled_from(NAMES), HEADER_VALUE | st.from_regex(DIGITS, fullmatch=True))
)
def test_rate_limit_headers_never_raise(headers: dict[str, str]) -> None:
    """Any values in these headers parse to numbers (finite, >= 0) or None, without raising."""
    limits = RateLimits.from_headers(headers)
    for name in RATE_LIMIT_FIELDS:
        value = getattr(limits, name)
        assert value is None or (math.isfinite(value) and value >= 0)
    wait = parse_retry_after(headers, now=1_700_000_000.0)
    assert wait is None or 0 < wait < math.inf


@given(HEADER_VALUE)
@example("Mon, 01 Jan 99999 00:00:00 GMT")
@example("Mon, 01 Jan 0000 00:00:00 GMT")
def test_retry_after_dates_never_raise(value: str) -> None:
    """Retry-After as a date, valid or not, gives seconds or None."""
    wait = parse_retry_after({"retry-after": value}, now=1_700_000_000.0)
    assert wait is None or 0 < wait < math.inf


@given(st.text(max_size=60))
def test_parse_duration_never_raises(text: str) -> None:
    """parse_duration gives finite seconds or None for any text."""
    seconds = parse_duration(text)
    assert seconds is None or math.isfinite(seconds)


# -- the SSE decoder ---------------------------------------------------------------------


@settings(max_examples=300)
@given(chunks=st.lists(st.binary(max_size=60), max_size=10))
def test_sse_decoder_takes_any_bytes(chunks: list[bytes]) -> None:
    """Random chunks decode to events (str data) without raising."""
    decoder = SSEDecoder()
    for chunk in chunks:
        for event in decoder.feed(chunk):
            assert isinstance(event.data, str)
    decoder.close()


def test_sse_retry_with_thousands_of_digits_is_ignored() -> None:
    """A ``retry:`` field with 5,000 digits is ignored instead of raising ValueError."""
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 1500\n" + b"retry: " + b"9" * 5000 + b"\ndata: x\n\n")
    assert decoder.retry == 1500


@settings(max_examples=200)
@given(
    lines=st.lists(st.binary(max_size=40).filter(lambda b: b"\n" not in b and b"\r" not in b)),
    limit=st.integers(1, 64),
    sizes=st.lists(st.integers(1, 17), min_size=1),
)
def test_sse_decoder_holds_no_more_than_its_cap(
    lines: list[bytes], limit: int, sizes: list[int]
) -> None:
    """However the input is cut, the decoder either raises EventTooLarge or keeps under its cap."""
    raw = b"".join(line + b"\n" for line in lines)
    decoder = SSEDecoder(max_event_size=limit)
    position = 0
    step = 0
    error: EventTooLarge | None = None
    while position < len(raw) and error is None:
        size = sizes[step % len(sizes)]
        step += 1
        position += size
        try:
            events = decoder.feed(raw[position - size : position])
        except EventTooLarge as exc:
            error = exc
            break
        assert all(len(event.data) <= limit for event in events)
        assert decoder._pending_size <= limit
        assert sum(map(len, decoder._data)) <= limit
    assert error is None or (error.limit, "max_event_size" in str(error)) == (limit, True)


def feed_all(decoder: SSEDecoder, chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        decoder.feed(chunk)


def test_sse_endless_line_stops_at_the_cap() -> None:
    """A line without end stops at max_event_size, however it is split."""
    decoder = SSEDecoder(max_event_size=1000)
    decoder.feed(b"data: ")
    with pytest.raises(EventTooLarge, match="A line of the event stream"):
        feed_all(decoder, [b"x" * 100] * 100)
    assert decoder._pending_size <= 1100


def test_sse_event_of_many_lines_stops_at_the_cap() -> None:
    """An event of many short data lines and no blank line stops at max_event_size."""
    decoder = SSEDecoder(max_event_size=1000)
    with pytest.raises(EventTooLarge, match="The data of one event"):
        feed_all(decoder, [b"data: xxxx\n" * 10] * 100)


def test_sse_events_under_the_cap_pass() -> None:
    """Events just under the cap pass, one after another: the count restarts per event."""
    decoder = SSEDecoder(max_event_size=100)
    events = []
    for _ in range(50):
        events += decoder.feed(b"data: " + b"x" * 90 + b"\n\n")
    assert len(events) == 50
