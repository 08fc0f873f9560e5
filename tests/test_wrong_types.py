"""Wrong types are refused before sending, naming the parameter, on every endpoint.

Every endpoint method of ``ENDPOINTS`` (tests/test_spec_coverage.py) is called with
valid arguments (``BASELINE``) but for one parameter, given a value no parameter takes:
``object()``, a set, an object whose ``str``/``repr`` would give a secret away if it were
sent, bytes (but for files), NaN, infinity and an integer too long for Python to write;
and, by the type the spec gives the parameter, a value of another JSON type: ``True``
where it says integer, a str where it says boolean or number, an int or a list where it
says string, a list where it says object.
Each must raise ``InvalidParameterError`` naming that parameter (or a path inside it),
without the secret in its text, and with no request reaching the local server.
Nested values (``messages[0].content``) and the per-call options are checked too.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import os
import string
import typing
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypedDict

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import APIStatusError, AsyncClient, InvalidParameterError
from openai_async._exceptions import shown
from openai_async._files import form_fields
from openai_async._request import OPTION_NAMES, check_query, refuse_unencodable
from openai_async.resources._checks import check_types
from openai_async.testing import LocalServer

from .openapi import LATEST, _is_binary, _operation, _resolve, load_spec
from .test_spec_coverage import ENDPOINTS as SPEC_ENDPOINTS
from .test_spec_coverage import Method

# The spec coverage's table, then the methods it leaves out: chat's parse (create's
# parameters), those that take only an id, and helpers made of several calls (looked up
# in the spec under their first request).
ENDPOINTS = [
    *SPEC_ENDPOINTS,
    ("chat.parse", lambda c: c.chat.completions.parse, "POST", "/chat/completions", LATEST, "json"),
    *[
        (
            f"fine_tuning.jobs.{verb}",
            _reach,
            http,
            "/fine_tuning/jobs/{fine_tuning_job_id}" + tail,
            LATEST,
            "query",
        )
        for verb, _reach, http, tail in [
            ("retrieve", lambda c: c.fine_tuning.jobs.retrieve, "GET", ""),
            ("cancel", lambda c: c.fine_tuning.jobs.cancel, "POST", "/cancel"),
            ("pause", lambda c: c.fine_tuning.jobs.pause, "POST", "/pause"),
            ("resume", lambda c: c.fine_tuning.jobs.resume, "POST", "/resume"),
        ]
    ],
    (
        "batches.retrieve",
        lambda c: c.batches.retrieve,
        "GET",
        "/batches/{batch_id}",
        LATEST,
        "query",
    ),
    (
        "batches.cancel",
        lambda c: c.batches.cancel,
        "POST",
        "/batches/{batch_id}/cancel",
        LATEST,
        "query",
    ),
    (
        "uploads.cancel",
        lambda c: c.uploads.cancel,
        "POST",
        "/uploads/{upload_id}/cancel",
        LATEST,
        "query",
    ),
    (
        "completions.create_many",
        lambda c: c.completions.create_many,
        "POST",
        "/completions",
        LATEST,
        "json",
    ),
    (
        "embeddings.create_many",
        lambda c: c.embeddings.create_many,
        "POST",
        "/embeddings",
        LATEST,
        "json",
    ),
    (
        "files.download",
        lambda c: c.files.download,
        "GET",
        "/files/{file_id}/content",
        LATEST,
        "query",
    ),
    (
        "uploads.upload_file_chunked",
        lambda c: c.uploads.upload_file_chunked,
        "POST",
        "/uploads",
        LATEST,
        "json",
    ),
    (
        "vs.files.poll",
        lambda c: c.vector_stores.files.poll,
        "GET",
        "/vector_stores/{vector_store_id}/files/{file_id}",
        LATEST,
        "query",
    ),
    (
        "vs.files.create_and_poll",
        lambda c: c.vector_stores.files.create_and_poll,
        "POST",
        "/vector_stores/{vector_store_id}/files",
        LATEST,
        "json",
    ),
    (
        "vs.files.upload",
        lambda c: c.vector_stores.files.upload,
        "POST",
        "/files",
        LATEST,
        "multipart/form-data",
    ),
    (
        "vs.files.upload_and_poll",
        lambda c: c.vector_stores.files.upload_and_poll,
        "POST",
        "/files",
        LATEST,
        "multipart/form-data",
    ),
    (
        "vs.file_batches.poll",
        lambda c: c.vector_stores.file_batches.poll,
        "GET",
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}",
        LATEST,
        "query",
    ),
    (
        "vs.file_batches.create_and_poll",
        lambda c: c.vector_stores.file_batches.create_and_poll,
        "POST",
        "/vector_stores/{vector_store_id}/file_batches",
        LATEST,
        "json",
    ),
    (
        "vs.file_batches.upload_and_poll",
        lambda c: c.vector_stores.file_batches.upload_and_poll,
        "POST",
        "/files",
        LATEST,
        "multipart/form-data",
    ),
]

SECRET = "sk-revealed-by-str-0042"


class Revealing:
    """An object that gives a secret away wherever it is turned into text."""

    def __str__(self) -> str:
        return SECRET

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return SECRET


MESSAGES = [{"role": "user", "content": "hi"}]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
VS = {"vector_store_id": "vs_abc"}

# Valid arguments for each entry of ENDPOINTS: positional ids, then keywords.
BASELINE: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "chat.create": ((), {"model": "gpt-3.5-turbo", "messages": MESSAGES}),
    "chat.parse": ((), {"model": "gpt-4o-mini", "messages": MESSAGES}),
    "completions.create": ((), {"model": "gpt-3.5-turbo-instruct", "prompt": "hi"}),
    "edits.create": (
        (),
        {"model": "text-davinci-edit-001", "instruction": "Fix it.", "input": "helo"},
    ),
    "fine_tunes.create": ((), {"training_file": "file-abc"}),
    "files.list": ((), {}),
    "files.create": ((), {"file": ("a.jsonl", b"{}\n"), "purpose": "fine-tune"}),
    "batches.create": (
        (),
        {
            "input_file_id": "file-abc",
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
        },
    ),
    "batches.list": ((), {}),
    "fine_tuning.jobs.create": ((), {"model": "gpt-4o-mini", "training_file": "file-abc"}),
    "fine_tuning.jobs.list": ((), {}),
    "fine_tuning.jobs.list_events": (("ftjob-abc",), {}),
    "fine_tuning.jobs.checkpoints.list": (("ftjob-abc",), {}),
    "uploads.create": (
        (),
        {"bytes": 3, "filename": "a.jsonl", "mime_type": "text/jsonl", "purpose": "fine-tune"},
    ),
    "uploads.parts.create": (("upload_abc",), {"data": b"{}\n"}),
    "uploads.complete": (("upload_abc",), {"part_ids": ["part_abc"]}),
    "speech.create": ((), {"model": "tts-1", "input": "hi", "voice": "alloy"}),
    "vs.create": ((), {}),
    "vs.list": ((), {}),
    "vs.retrieve": (("vs_abc",), {}),
    "vs.update": (("vs_abc",), {}),
    "vs.delete": (("vs_abc",), {}),
    "vs.search": (("vs_abc",), {"query": "hi"}),
    "vs.files.create": (("vs_abc",), {"file_id": "file-abc"}),
    "vs.files.list": (("vs_abc",), {}),
    "vs.files.retrieve": (("file-abc",), VS),
    "vs.files.update": (("file-abc",), {**VS, "attributes": {"a": "b"}}),
    "vs.files.delete": (("file-abc",), VS),
    "vs.files.content": (("file-abc",), VS),
    "vs.file_batches.create": (("vs_abc",), {"file_ids": ["file-abc"]}),
    "vs.file_batches.retrieve": (("vsfb_abc",), VS),
    "vs.file_batches.cancel": (("vsfb_abc",), VS),
    "vs.file_batches.list_files": (("vsfb_abc",), VS),
    "responses.create": ((), {"model": "gpt-4o-mini", "input": "hi"}),
    "responses.parse": (
        (),
        {"model": "gpt-4o-mini", "input": "hi", "text_format": {"type": "object"}},
    ),
    "responses.retrieve": (("resp_abc",), {}),
    "responses.delete": (("resp_abc",), {}),
    "responses.cancel": (("resp_abc",), {}),
    "responses.input_items.list": (("resp_abc",), {}),
    "embeddings.create": ((), {"model": "text-embedding-3-small", "input": "hi"}),
    "moderations.create": ((), {"input": "hi"}),
    "audio.transcriptions.create": ((), {"model": "whisper-1", "file": ("a.mp3", b"ID3")}),
    "audio.translations.create": ((), {"model": "whisper-1", "file": ("a.mp3", b"ID3")}),
    "images.generate": ((), {"prompt": "a cat"}),
    "images.edit": ((), {"image": ("a.png", PNG), "prompt": "a hat"}),
    "images.edit (JSON)": (
        (),
        {
            "model": "gpt-image-1",
            "images": [{"image_url": "https://example.com/a.png"}],
            "prompt": "a hat",
        },
    ),
    "images.create_variation": ((), {"image": ("a.png", PNG)}),
    "files.retrieve": (("file-abc",), {}),
    "files.delete": (("file-abc",), {}),
    "files.content": (("file-abc",), {}),
    "models.list": ((), {}),
    "models.retrieve": (("gpt-4o",), {}),
    "models.delete": (("ft:gpt-4o:org:x",), {}),
    "engines.list": ((), {}),
    "engines.retrieve": (("davinci",), {}),
    "fine_tunes.list": ((), {}),
    "fine_tunes.retrieve": (("ft-abc",), {}),
    "fine_tunes.cancel": (("ft-abc",), {}),
    "fine_tunes.list_events": (("ft-abc",), {}),
    "fine_tuning.jobs.retrieve": (("ftjob-abc",), {}),
    "fine_tuning.jobs.cancel": (("ftjob-abc",), {}),
    "fine_tuning.jobs.pause": (("ftjob-abc",), {}),
    "fine_tuning.jobs.resume": (("ftjob-abc",), {}),
    "batches.retrieve": (("batch_abc",), {}),
    "batches.cancel": (("batch_abc",), {}),
    "uploads.cancel": (("upload_abc",), {}),
    "completions.create_many": ((["hi"],), {"model": "gpt-3.5-turbo-instruct"}),
    "embeddings.create_many": ((["hi"],), {"model": "text-embedding-3-small"}),
    "files.download": (("file-abc", "unused-download-target"), {}),
    "uploads.upload_file_chunked": (
        (),
        {"file": b"{}\n", "mime_type": "text/jsonl", "purpose": "fine-tune", "filename": "a.jsonl"},
    ),
    "vs.files.poll": (("file-abc",), VS),
    "vs.files.create_and_poll": (("file-abc",), VS),
    "vs.files.upload": ((), {**VS, "file": ("a.txt", b"hi")}),
    "vs.files.upload_and_poll": ((), {**VS, "file": ("a.txt", b"hi")}),
    "vs.file_batches.poll": (("vsfb_abc",), VS),
    "vs.file_batches.create_and_poll": (("vs_abc",), {"file_ids": ["file-abc"]}),
    "vs.file_batches.upload_and_poll": (("vs_abc",), {"files": [("a.txt", b"hi")]}),
}

# Parameters left out of the walk, and why.
EXCLUDED: dict[str, dict[str, str]] = {}

# Values taken on purpose by one parameter (left out of its walk), and why.
TAKEN: dict[tuple[str, str], dict[str, str]] = {
    ("completions.create_many", "prompts"): {"a set": "any iterable of prompts is taken"},
    ("embeddings.create_many", "inputs"): {"a set": "any iterable of inputs is taken"},
}

# Baseline arguments a parameter replaces (one of two that cannot go together).
INSTEAD_OF: dict[tuple[str, str], str] = {
    ("vs.file_batches.create", "files"): "file_ids",
    ("images.edit", "images"): "image",
    ("images.edit (JSON)", "image"): "images",
    ("vs.file_batches.create_and_poll", "files"): "file_ids",
}


def _wrong_values() -> list[tuple[str, object]]:
    """Values that are no parameter's type (bytes are a file's, added where not one)."""
    return [
        ("object()", object()),
        ("a set", {"a"}),
        ("an object with a revealing str", Revealing()),
        ("NaN", math.nan),
        ("infinity", math.inf),
    ]


def _types(schema: Any) -> set[str]:
    """Every JSON type a spec schema allows, through its anyOf/oneOf/allOf branches."""
    if not isinstance(schema, Mapping):
        return set()
    kind = schema.get("type")
    found = {kind} if isinstance(kind, str) else set(kind or ())
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            found |= _types(branch)
    return found


def _properties(schema: Any) -> dict[str, Any]:
    if not isinstance(schema, Mapping):
        return {}
    found = dict(schema.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key, []):
            found.update(_properties(branch))
    return found


def _schemas(http_method: str, path: str, spec: Path, kind: str) -> dict[str, Any]:
    """The spec's schema of each path, query and body parameter of an operation."""
    document = load_spec(spec)
    operation = _operation(document, http_method, path)
    found = {
        p["name"]: p.get("schema", {}) for p in _resolve(document, operation.get("parameters", []))
    }
    if kind != "query":
        # The other body of the same path, then the entry's own: a file of the form
        # stays a file for the entry of the JSON body (images.edit).
        content = _resolve(document, operation["requestBody"])["content"]
        media = "application/json" if kind == "json" else kind
        for other in sorted(content, key=lambda m: m == media):
            found.update(_properties(content[other]["schema"]))
    return found


def _parameters(method: Callable[..., Any]) -> tuple[list[str], list[str]]:
    """A method's positional ids and its keyword parameters (per-call options left out)."""
    positional: list[str] = []
    keywords: list[str] = []
    module = vars(inspect.getmodule(method))
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            # Only this annotation is evaluated: others name types imported for checking.
            unpacked = eval(parameter.annotation, module)  # Unpack[TypedDict]
            (params,) = typing.get_args(unpacked)
            keywords += sorted(params.__required_keys__ | params.__optional_keys__)
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords.append(parameter.name)
        else:
            positional.append(parameter.name)
    return positional, [name for name in keywords if name not in OPTION_NAMES]


def _cases(
    name: str, reach: Method, http_method: str, path: str, spec: Path, kind: str
) -> Iterator[tuple[str, str, tuple[object, ...], dict[str, Any]]]:
    """(parameter, what is wrong, args, kwargs) for every parameter of one endpoint."""
    args, kwargs = BASELINE[name]
    schemas = _schemas(http_method, path, spec, kind)
    positional, keywords = _parameters(reach(_CLIENT))
    excluded = EXCLUDED.get(name, {})
    for parameter in [*positional, *keywords]:
        if parameter in excluded:
            continue
        schema = schemas.get(parameter, {})
        taken = TAKEN.get((name, parameter), {})
        wrong = [(what, value) for what, value in _wrong_values() if what not in taken]
        if parameter in schemas or parameter in positional:
            # Only where it would be written: a count of the client's own takes any int.
            wrong.append(("an integer Python will not write", 10**5000))
        if not _is_binary(schema) and parameter not in ("data", "file"):  # files take bytes
            wrong.append(("bytes", b"text"))
        types = _types(schema)
        if "integer" in types and "boolean" not in types:
            wrong.append(("a bool where the spec says integer", True))
        if types and types <= {"boolean", "null"}:
            wrong.append(("a str where the spec says boolean", "true"))
        if types and types <= {"integer", "number", "null"}:
            wrong.append(("a str where the spec says number", "1"))
        if types and types <= {"string", "null"} and not _is_binary(schema):
            wrong.append(("an int where the spec says string", 1))
            wrong.append(("a list where the spec says string", ["a"]))
        if types and types <= {"object", "null"}:
            wrong.append(("a list where the spec says object", [1]))
        base = {k: v for k, v in kwargs.items() if k != INSTEAD_OF.get((name, parameter))}
        for what, value in wrong:
            if parameter in positional:
                position = positional.index(parameter)
                given = (*args[:position], value, *args[position + 1 :])
                yield parameter, what, given, base
            else:
                yield parameter, what, args, {**base, parameter: value}


_CLIENT = AsyncClient(api_key="", base_url="http://127.0.0.1:9/v1")


async def _call(
    method: Callable[..., Any], args: tuple[object, ...], kwargs: Mapping[str, Any]
) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # engines, edits, fine_tunes
        result = method(*args, **kwargs)
        if isinstance(result, Awaitable):
            result = await result
    return result


def _names(param: str | None, name: str) -> bool:
    return param is not None and (param == name or param.startswith((f"{name}.", f"{name}[")))


async def _refused(
    server: LocalServer,
    method: Callable[..., Any],
    param: str,
    args: tuple[object, ...],
    kwargs: Mapping[str, Any],
) -> str | None:
    """None if the call is refused as it should be; else what went wrong."""
    before = len(server.requests)
    try:
        await _call(method, args, kwargs)
    except InvalidParameterError as exc:
        if len(server.requests) != before:
            return "refused, but only after a request was sent"
        if SECRET in str(exc) or SECRET in repr(exc):
            return f"refused, but its message shows the value: {exc}"
        if not _names(exc.param, param):
            return f"refused naming {exc.param!r}: {exc}"
        return None
    except Exception as exc:
        sent = len(server.requests) - before
        return f"{type(exc).__name__} after {sent} request(s): {str(exc)[:120]}"
    return f"accepted: {len(server.requests) - before} request(s) sent"


@pytest.mark.anyio
@pytest.mark.off_spec("a wrong value that slips through is sent; the test then fails anyway")
@pytest.mark.parametrize(
    ("name", "reach", "http_method", "path", "spec", "kind"),
    ENDPOINTS,
    ids=[entry[0] for entry in ENDPOINTS],
)
async def test_every_parameter_refuses_wrong_types(
    client: AsyncClient,
    server: LocalServer,
    name: str,
    reach: Method,
    http_method: str,
    path: str,
    spec: Path,
    kind: str,
) -> None:
    """Each parameter given a value of no parameter's type: refused, named, nothing sent."""
    method = reach(client)
    failures = []
    for parameter, what, args, kwargs in _cases(name, reach, http_method, path, spec, kind):
        problem = await _refused(server, method, parameter, args, kwargs)
        if problem is not None:
            failures.append(f"{parameter} = {what}: {problem}")
    assert not failures, "\n".join(failures)
    assert server.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "reach"), [entry[:2] for entry in ENDPOINTS], ids=[entry[0] for entry in ENDPOINTS]
)
async def test_the_baselines_are_sent(
    client: AsyncClient, server: LocalServer, name: str, reach: Method
) -> None:
    """The valid arguments the walk starts from pass the checks and reach the server."""
    args, kwargs = BASELINE[name]
    # An id the server does not know is answered 404: it was asked, which is what counts.
    with contextlib.suppress(APIStatusError):
        await _call(reach(client), args, kwargs)
    assert len(server.requests) >= 1  # helpers send several


def test_every_endpoint_has_a_baseline() -> None:
    """BASELINE and EXCLUDED name known endpoints, and every endpoint has a baseline."""
    known = {entry[0] for entry in ENDPOINTS}
    assert set(BASELINE) == known
    assert set(EXCLUDED) <= known
    assert {name for name, _ in TAKEN} <= known
    assert all(reason.strip() for names in EXCLUDED.values() for reason in names.values())
    assert all(reason.strip() for values in TAKEN.values() for reason in values.values())


# Wrong values inside a parameter: refused naming the path to them.
NESTED: list[tuple[str, Callable[[AsyncClient], Callable[..., Any]], dict[str, Any], str]] = [
    (
        "chat message content",
        lambda c: c.chat.completions.create,
        {"model": "m", "messages": [{"role": "user", "content": Revealing()}]},
        "messages[0].content",
    ),
    (
        "chat message content part",
        lambda c: c.chat.completions.create,
        {
            "model": "m",
            "messages": [
                MESSAGES[0],
                {"role": "user", "content": [{"type": "text", "text": b"bytes"}]},
            ],
        },
        "messages[1].content[0].text",
    ),
    (
        "a tool's JSON schema",
        lambda c: c.chat.completions.create,
        {
            "model": "m",
            "messages": MESSAGES,
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "parameters": {"type": "object", "x": {1, 2}}},
                }
            ],
        },
        "tools[0].function.parameters.x",
    ),
    (
        "a NaN in a JSON schema",
        lambda c: c.chat.completions.create,
        {
            "model": "m",
            "messages": MESSAGES,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "n", "schema": {"maximum": math.nan}},
            },
        },
        "response_format.json_schema.schema.maximum",
    ),
    (
        "a mapping key of no JSON type",
        lambda c: c.chat.completions.create,
        {"model": "m", "messages": MESSAGES, "logit_bias": {(1, 2): 5}},
        "logit_bias",
    ),
    (
        "responses input item",
        lambda c: c.responses.create,
        {"model": "m", "input": [{"role": "user", "content": object()}]},
        "input[0].content",
    ),
    (
        "embeddings input item",
        lambda c: c.embeddings.create,
        {"model": "m", "input": ["a", Revealing()]},
        "input",
    ),
    (
        "extra_body value",
        lambda c: c.chat.completions.create,
        {"model": "m", "messages": MESSAGES, "extra_body": {"top_k": Revealing()}},
        "top_k",
    ),
    (
        "extra_body value in a form",
        lambda c: c.audio.transcriptions.create,
        {"model": "whisper-1", "file": ("a.mp3", b"ID3"), "extra_body": {"top_k": Revealing()}},
        "top_k",
    ),
    (
        "extra_query value",
        lambda c: c.models.list,
        {"extra_query": {"api-version": Revealing()}},
        "api-version",
    ),
    (
        "extra_query list item",
        lambda c: c.models.list,
        {"extra_query": {"tag": ["a", b"b"]}},
        "tag",
    ),
    (
        "extra_query key that is not a string, with a plain value",
        lambda c: c.models.list,
        {"extra_query": {1: "a"}},
        "extra_query",
    ),
    (
        "extra_query NaN",
        lambda c: c.chat.completions.create,
        {"model": "m", "messages": MESSAGES, "extra_query": {"seed": math.inf}},
        "seed",
    ),
    (
        "the escape hatch's JSON",
        lambda c: functools.partial(c.request, "POST", "chat/completions"),
        {"json": {"model": "m", "messages": [MESSAGES[0], {"role": {"a"}}]}},
        "messages[1].role",
    ),
    (
        "the escape hatch's query",
        lambda c: functools.partial(c.request, "GET", "models"),
        {"params": {"limit": Revealing()}},
        "limit",
    ),
    (
        "a poll interval too long to sleep",
        lambda c: functools.partial(c.vector_stores.files.poll, "file-abc"),
        {"vector_store_id": "vs_abc", "poll_interval_ms": 10**5000},
        "poll_interval_ms",
    ),
    (
        "a set of paths that are not there",
        lambda c: functools.partial(c.vector_stores.file_batches.upload_and_poll, "vs_abc"),
        {"files": {"/nonexistent/a.txt"}},
        "files[0]",
    ),
    ("timeout", lambda c: c.models.list, {"timeout": Revealing()}, "timeout"),
    (
        "extra_headers value",
        lambda c: c.models.list,
        {"extra_headers": {"x": Revealing()}},
        "extra_headers",
    ),
]


@pytest.mark.anyio
@pytest.mark.off_spec("a wrong value that slips through is sent; the test then fails anyway")
@pytest.mark.parametrize(
    ("reach", "kwargs", "param"),
    [entry[1:] for entry in NESTED],
    ids=[entry[0] for entry in NESTED],
)
async def test_nested_wrong_types_are_refused_by_path(
    client: AsyncClient,
    server: LocalServer,
    reach: Callable[[AsyncClient], Callable[..., Any]],
    kwargs: dict[str, Any],
    param: str,
) -> None:
    """A wrong value deep inside a parameter: refused, naming the path to it, nothing sent."""
    with pytest.raises(InvalidParameterError) as info:
        await _call(reach(client), (), kwargs)
    assert info.value.param == param
    assert SECRET not in str(info.value)
    assert server.requests == []


# -- the encoders alone: property tests ----------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)
# No value of any of these has a JSON form, and none may be sent as its str().
NOT_JSON = st.sampled_from(
    [object(), Revealing(), {"a"}, frozenset(), b"bytes", bytearray(b"x"), math.nan, -math.inf]
) | st.builds(complex, st.floats(allow_nan=False), st.floats(allow_nan=False))
# Python writes no int of more than 4,300 digits (sys.get_int_max_str_digits()).
TOO_LONG = st.integers(4301, 4400).map(lambda digits: -(10 ** (digits - 1)))
BODY = st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=6), JSON, max_size=5)


def _encodes(body: object) -> bool:
    """Whether httpx (the encoder every request goes through) can encode ``body``."""
    try:
        httpx.Request("POST", "http://127.0.0.1/", json=body)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


@given(BODY)
def test_what_httpx_encodes_is_never_refused(body: dict[str, Any]) -> None:
    """A body of JSON values encodes, and the search for a culprit finds none."""
    assert _encodes(body)
    refuse_unencodable(body)


@st.composite
def _poisoned(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A body with one value JSON cannot carry, and the path that names it."""
    body: dict[str, Any] = draw(BODY)
    bad = draw(NOT_JSON | TOO_LONG)
    name = draw(st.text(string.ascii_lowercase, min_size=1, max_size=6))
    path = name
    holder: Any = body
    key: Any = name
    # Walk down through containers already there, or make new ones, a few levels.
    for _ in range(draw(st.integers(0, 4))):
        inner = holder.get(key) if isinstance(holder, dict) else holder[key]
        if not isinstance(inner, dict | list) or not inner or draw(st.booleans()):
            inner = draw(st.builds(list) | st.builds(dict))
            holder[key] = inner
        if isinstance(inner, dict):
            if inner and draw(st.booleans()):
                key = draw(st.sampled_from(sorted(inner)))
            else:
                key = draw(st.text(string.ascii_lowercase, min_size=1, max_size=4))
            path += f".{key}"
        else:
            inner.append(None)
            key = draw(st.integers(0, len(inner) - 1))
            path += f"[{key}]"
        holder = inner
    holder[key] = bad
    return body, path


@given(_poisoned())
def test_a_value_json_cannot_carry_is_named_by_its_path(case: tuple[dict[str, Any], str]) -> None:
    """httpx refuses the body; the search names exactly where the bad value is."""
    body, path = case
    assert not _encodes(body)
    with pytest.raises(InvalidParameterError) as info:
        refuse_unencodable(body)
    assert info.value.param == path
    assert SECRET not in str(info.value)


@given(BODY, st.sampled_from([(1, 2), object(), Revealing(), math.nan, frozenset(), -(10**4300)]))
def test_a_key_json_cannot_carry_is_named_by_its_mapping(body: dict[str, Any], key: Any) -> None:
    """A key that is no string (nor a number JSON writes as one) names the mapping it is in."""
    body["outer"] = {"inner": {key: 1}}
    assert not _encodes(body)
    with pytest.raises(InvalidParameterError) as info:
        refuse_unencodable(body)
    assert info.value.param == "outer.inner"
    assert SECRET not in str(info.value)


def test_cycles_and_depth_are_named_shared_values_are_not() -> None:
    """A list inside itself is named; one list twice is fine; a deep body names its top."""
    shared = [1, 2]
    refuse_unencodable({"a": [shared, shared], "b": {"c": shared}})
    looped: list[Any] = [1]
    looped.append(looped)
    with pytest.raises(InvalidParameterError, match="contains itself") as info:
        refuse_unencodable({"messages": looped})
    assert info.value.param == "messages[1]"
    deep: list[Any] = []
    for _ in range(5_000):
        deep = [deep]
    assert not _encodes({"input": deep})  # a RecursionError, which httpx lets through
    with pytest.raises(InvalidParameterError, match="too deep") as info:
        refuse_unencodable({"input": deep}, RecursionError())
    assert info.value.param.startswith("input[0][0]")
    refuse_unencodable({"input": deep}, ValueError("another failure: not the depth's"))


QUERY_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
QUERY_KEY = st.text(string.ascii_lowercase, min_size=1, max_size=6)


@given(st.dictionaries(QUERY_KEY, QUERY_SCALARS | st.lists(QUERY_SCALARS, max_size=3)))
def test_query_values_httpx_writes_plainly_pass(params: dict[str, Any]) -> None:
    """Strings, numbers, bools, None and lists of them: accepted, and written as themselves."""
    check_query(params)
    written = httpx.QueryParams(params)
    for key, value in params.items():
        for item, text in zip(
            value if isinstance(value, list) else [value], written.get_list(key), strict=True
        ):
            expected = {True: "true", False: "false", None: ""}.get(item, str(item))
            if isinstance(item, bool) or item is None:
                assert text == expected
            else:
                assert text == str(item)


@given(
    st.dictionaries(QUERY_KEY, QUERY_SCALARS, max_size=3),
    QUERY_KEY,
    NOT_JSON | TOO_LONG,
    st.booleans(),
)
def test_other_query_values_are_refused_by_name(
    params: dict[str, Any], name: str, bad: object, in_list: bool
) -> None:
    """Anything else, alone or in a list, is refused naming its key: never sent as str()."""
    params[name] = ["ok", bad] if in_list else bad
    with pytest.raises(InvalidParameterError) as info:
        check_query(params)
    assert info.value.param == name
    assert SECRET not in str(info.value)


FORM_SCALARS = st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
FORM_VALUE = (
    FORM_SCALARS
    | st.text(max_size=8)
    | st.lists(FORM_SCALARS, max_size=3)
    | st.dictionaries(QUERY_KEY, FORM_SCALARS, max_size=3)
)


def _read_back(text: str, like: object) -> object:
    if isinstance(like, bool):
        return {"true": True, "false": False}[text]
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text


@given(st.dictionaries(QUERY_KEY, FORM_VALUE, max_size=4))
def test_form_fields_read_back_as_given(params: dict[str, Any]) -> None:
    """Every field's text reads back as the value given: numbers exactly, bools as JSON's."""
    fields = form_fields(params)
    expected = []
    for name, value in params.items():
        if isinstance(value, dict):
            expected += [(f"{name}[{key}]", item) for key, item in value.items()]
        elif isinstance(value, list):
            expected += [(f"{name}[]", item) for item in value]
        else:
            expected.append((name, value))
    assert [name for name, _ in fields] == [name for name, _ in expected]
    for (_, text), (_, value) in zip(fields, expected, strict=True):
        assert _read_back(text, value) == value


@given(
    st.dictionaries(QUERY_KEY, FORM_VALUE, max_size=3),
    QUERY_KEY,
    NOT_JSON | TOO_LONG,
    st.integers(0, 2),
)
def test_other_form_values_are_refused_by_name(
    params: dict[str, Any], name: str, bad: object, where: int
) -> None:
    """A value of no form type, alone, in a list or in a mapping, is refused, named."""
    params[name] = [bad, [bad], {"k": bad}][where]
    with pytest.raises(InvalidParameterError) as info:
        form_fields(params)
    assert info.value.param == [name, f"{name}[]", f"{name}[k]"][where]
    assert SECRET not in str(info.value)


class _RevealingStr(str):
    def __repr__(self) -> str:
        return SECRET


@pytest.mark.parametrize("value", [Revealing(), _RevealingStr("x"), [Revealing()], {"a": 1}])
def test_shown_gives_only_the_type_of_other_objects(value: object) -> None:
    """shown() quotes plain str and numbers; of anything else, only its type's name."""
    assert SECRET not in shown(value)
    assert type(value).__name__ in shown(value)


def test_shown_cuts_strings_and_never_writes_huge_integers() -> None:
    """A long str is cut short; an int too long for repr() is described by its size."""
    assert shown("x" * 1000) == repr("x" * 1000)[:60] + "..."
    assert shown(10**5000) == "an integer of 16610 bits"
    assert shown(None) == "None"


class _Declared(TypedDict, total=False):
    text: str
    count: int
    ratio: float
    flag: bool
    choice: Literal["a", "b"]
    items: Sequence[str]
    options: Mapping[str, Any]
    either: str | Sequence[str] | None
    number_or_word: Literal["auto"] | int
    anything: Any
    file: str | os.PathLike[str] | bytes


# What each declared type accepts, written out plainly.
_ACCEPTS: dict[str, Callable[[object], bool]] = {
    "text": lambda v: isinstance(v, str),
    "count": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "ratio": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "flag": lambda v: isinstance(v, bool),
    "choice": lambda v: isinstance(v, str),  # any str: the service checks the choice
    "items": lambda v: isinstance(v, list | tuple),
    "options": lambda v: isinstance(v, dict),
    "either": lambda v: isinstance(v, str | list | tuple),
    "number_or_word": lambda v: isinstance(v, str | int) and not isinstance(v, bool),
    "anything": lambda v: True,
    "file": lambda v: True,  # a type it does not model: left to the parameter's own check
}
VALUES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=3)
    | st.binary(max_size=3)
    | st.lists(st.integers(), max_size=2)
    | st.tuples(st.integers())
    | st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)
    | st.sampled_from([object(), Revealing(), {"a"}, bytearray(b"x")])
)


@given(st.sampled_from(sorted(_ACCEPTS)), VALUES)
def test_check_types_follows_the_typeddict(name: str, value: object) -> None:
    """A value is accepted iff its declared type takes it (None: not sent); else refused,
    named, without its text."""
    if value is None or _ACCEPTS[name](value):
        check_types({name: value}, _Declared)
        return
    with pytest.raises(InvalidParameterError) as info:
        check_types({name: value}, _Declared)
    assert info.value.param == name
    assert SECRET not in str(info.value)


@pytest.mark.anyio
async def test_a_body_too_deep_to_encode_is_refused_by_path(
    client: AsyncClient, server: LocalServer
) -> None:
    """Content nested 5,000 lists deep: the encoder's RecursionError becomes an
    InvalidParameterError naming where, and nothing is sent."""
    deep: list[Any] = []
    for _ in range(5_000):
        deep = [deep]
    messages = [{"role": "user", "content": deep}]
    with pytest.raises(InvalidParameterError, match="too deep") as info:
        await client.chat.completions.create(model="m", messages=messages)
    assert info.value.param.startswith("messages[0].content[0][0]")
    assert server.requests == []
