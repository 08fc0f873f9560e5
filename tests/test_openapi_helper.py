"""The spec-checking helper itself: it must reject what the spec forbids."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from openai_async import AsyncClient, BadRequestError
from openai_async.testing import LocalServer, ServerRequest

from .openapi import (
    LATEST,
    SPEC_2023,
    assert_request_matches_spec,
    check_recorded_requests,
    request_schema,
    spec_for,
    to_json_schema,
)

pytestmark = pytest.mark.anyio


def _post(path: str, body: bytes, content_type: str = "application/json") -> ServerRequest:
    headers = {"content-type": content_type}
    return ServerRequest(method="POST", path=path, query={}, headers=headers, body=body)


def test_model_oneof_of_strings_reads_as_anyof() -> None:
    """A known model id passes, though it matches both branches of the spec's oneOf."""
    schema = request_schema("POST", "/embeddings", "application/json")
    assert schema is not None
    validator = jsonschema.Draft4Validator(schema)
    assert validator.is_valid({"model": "text-embedding-ada-002", "input": "x"})
    assert validator.is_valid({"model": "any-other-model", "input": "x"})


def test_strict_oneof_is_kept() -> None:
    """Other oneOfs stay strict: an input that is no allowed shape fails."""
    schema = request_schema("POST", "/embeddings", "application/json")
    assert schema is not None
    assert not jsonschema.Draft4Validator(schema).is_valid({"model": "m", "input": [[1], "x"]})


def test_nullable_becomes_null_alternative() -> None:
    """OpenAPI's nullable: true accepts null; without it null is refused."""
    converted = to_json_schema({"type": "integer", "nullable": True, "enum": [1, 2]})
    assert converted == {"type": ["integer", "null"], "enum": [1, 2, None]}
    assert jsonschema.Draft4Validator(converted).is_valid(None)
    assert not jsonschema.Draft4Validator(to_json_schema({"type": "integer"})).is_valid(None)


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/v1/images/generations", b'{"prompt": "otter", "n": 11}', "n: 11 is greater"),
        ("/v1/edits", b'{"model": "m"}', "'instruction' is a required property"),
        ("/v1/embeddings", b'{"model": "m", "input": "x", "dims": 3}', "Additional properties"),
        ("/v1/moderations", b'{"input": 3}', "input"),
    ],
)
def test_bad_json_bodies_fail(path: str, body: bytes, fragment: str) -> None:
    """A body breaking its schema fails the check with a message naming the field."""
    with pytest.raises(AssertionError, match=fragment):
        assert_request_matches_spec(_post(path, body))


def test_unknown_path_and_query_fail() -> None:
    """A path the spec lacks, or a query parameter it does not declare, fails."""
    with pytest.raises(AssertionError, match="not an operation"):
        assert_request_matches_spec(_post("/v1/nowhere", b"{}"))
    listing = ServerRequest("GET", "/v1/files", {"purpose": "x"}, {}, b"")
    with pytest.raises(AssertionError, match="purpose"):
        assert_request_matches_spec(listing, spec=SPEC_2023)  # today's spec has purpose


def test_multipart_checks_file_and_text_parts() -> None:
    """A file sent as a text field, or a number field that is no number, fails."""
    boundary = "b0undary"
    ctype = f"multipart/form-data; boundary={boundary}"

    def form(*parts: str) -> bytes:
        return "".join(f"--{boundary}\r\n{p}\r\n" for p in parts).encode() + b"--b0undary--\r\n"

    text_image = 'Content-Disposition: form-data; name="image"\r\n\r\nnot a file'
    with pytest.raises(AssertionError, match="wants a file"):
        assert_request_matches_spec(_post("/v1/images/variations", form(text_image), ctype))
    image = (
        'Content-Disposition: form-data; name="image"; filename="a.png"\r\n'
        "Content-Type: image/png\r\n\r\nPNG"
    )
    bad_n = 'Content-Disposition: form-data; name="n"\r\n\r\nmany'
    with pytest.raises(AssertionError, match="'many' is not of type 'integer'"):
        assert_request_matches_spec(_post("/v1/images/variations", form(image, bad_n), ctype))
    good_n = 'Content-Disposition: form-data; name="n"\r\n\r\n2'
    assert_request_matches_spec(_post("/v1/images/variations", form(image, good_n), ctype))


@pytest.mark.off_spec("an out-of-spec body through the escape hatch, on purpose")
async def test_raw_bad_request_is_caught(client: AsyncClient, server: LocalServer) -> None:
    """Through the escape hatch, an out-of-spec body reaches the server, which refuses it too."""
    with pytest.raises(BadRequestError) as info:
        await client.request("POST", "images/generations", json={"prompt": "x", "n": 0})
    assert info.value.param == "n"
    with pytest.raises(AssertionError, match="n: 0 is less than the minimum"):
        assert_request_matches_spec(server.requests[-1])


@pytest.mark.parametrize(
    ("path", "digest"),
    [
        (SPEC_2023, "5164b288c9376d4209586986080fcb1197be8ce4fa05cbe779336954b49b4e45"),
        (LATEST, "db5d7478feae10b4d331834c60d9765a8aa042e38419f9b1694288c11aa8ebc8"),
    ],
)
def test_vendored_specs(path: Path, digest: str) -> None:
    """The specs are in the repository, in tests/data, unchanged from their source."""
    assert path.parent == Path(__file__).resolve().parent / "data"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


FUNCTION_CALL = {"role": "assistant", "content": None, "function_call": {"name": "f"}}


@pytest.mark.parametrize(
    ("message", "allowed"),
    [
        (FUNCTION_CALL, True),
        ({"role": "assistant", "function_call": {"name": "f"}}, True),
        ({"role": "assistant", "content": None}, False),
        ({"role": "user", "content": None, "function_call": {"name": "f"}}, False),
        ({**FUNCTION_CALL, "content": 3}, False),
    ],
)
def test_null_content_only_with_a_function_call(message: dict[str, object], allowed: bool) -> None:
    """2023 erratum: content may be null in an assistant function call, nowhere else."""
    body = json.dumps({"model": "m", "messages": [message]}).encode()
    request = _post("/v1/chat/completions", body)
    if allowed:
        assert_request_matches_spec(request, spec=SPEC_2023)
    else:
        with pytest.raises(AssertionError, match="messages/0"):
            assert_request_matches_spec(request, spec=SPEC_2023)


def test_latest_spec_unless_the_path_is_gone() -> None:
    """Requests are checked against today's spec, or the 2023 one for paths gone since."""
    assert spec_for("POST", "/chat/completions") == LATEST
    assert spec_for("POST", "/edits") == SPEC_2023
    assert spec_for("GET", "/fine-tunes/ft-1/events") == SPEC_2023


def test_recorded_requests_are_checked_unless_said_off_spec() -> None:
    """A bad request fails the check; off_spec needs a reason and spares only what it picks."""
    good = _post("/v1/embeddings", b'{"model": "m", "input": "x"}')
    bad = _post("/v1/embeddings", b'{"model": "m"}')
    check_recorded_requests([good])
    with pytest.raises(AssertionError, match="'input' is a required property"):
        check_recorded_requests([good, bad])
    check_recorded_requests([good, bad], off_spec="bad on purpose")
    with pytest.raises(AssertionError, match="needs a reason"):
        check_recorded_requests([bad], off_spec=" ")
    check_recorded_requests([good, bad], off_spec="the bad one", where=lambda r: r is bad)
    with pytest.raises(AssertionError, match="'input' is a required property"):
        check_recorded_requests([good, bad], off_spec="the good one", where=lambda r: r is good)


def test_boolean_exclusive_minimum_of_the_latest_spec() -> None:
    """The draft-4 ``exclusiveMinimum: true`` in the 3.1 spec means "> minimum", not ">= 1"."""
    schema = to_json_schema({"type": "number", "minimum": 0, "exclusiveMinimum": True})
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(0.2)
    assert not validator.is_valid(0)
