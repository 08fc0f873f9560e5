"""The client's multipart encoder and the local server's parser, alone and together."""

from __future__ import annotations

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async._files import CHUNK_SIZE, FilePart, MultipartBody
from openai_async.testing._multipart import (
    FormPart,
    MultipartError,
    boundary_of,
    parse_multipart,
)


def _collect(body: MultipartBody) -> bytes:
    async def run() -> bytes:
        return b"".join([chunk async for chunk in body])

    return anyio.run(run)


# '%' is left out: the encoding browsers use writes '"' as %22 and cannot tell a literal
# "%22" from it, so names holding "%22" do not round-trip (in any client).
names = st.text(st.characters(codec="utf-8", exclude_characters="\x00%"), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(
    fields=st.dictionaries(names, st.text(max_size=50), max_size=4),
    files=st.lists(st.tuples(names, names, st.binary(max_size=3000)), max_size=3),
)
def test_encoder_and_parser_round_trip(
    fields: dict[str, str], files: list[tuple[str, str, bytes]]
) -> None:
    """Whatever fields and files the client encodes, the parser gives back unchanged."""
    parts = [FilePart(n, f, "application/x-test", d, len(d)) for n, f, d in files]
    body = MultipartBody(fields, parts)
    raw = _collect(body)
    assert len(raw) == len(body)
    parsed = parse_multipart(body.content_type, raw)
    expected = [FormPart(name, text.encode()) for name, text in fields.items()]
    expected += [FormPart(n, d, f, "application/x-test") for n, f, d in files]
    assert parsed == expected


def test_body_can_be_sent_twice() -> None:
    """Iterating a body again gives the same bytes (a retry re-sends it)."""
    data = b"x" * (CHUNK_SIZE * 2 + 5)
    body = MultipartBody({"a": "1"}, [FilePart("file", "f.bin", "text/plain", data, len(data))])
    assert _collect(body) == _collect(body)


def test_parses_a_browser_style_form() -> None:
    """A form as curl writes it, with a preamble and an epilogue, parses into its parts."""
    raw = (
        b"preamble\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n'
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a; b.jsonl"\r\n'
        b"Content-Type: application/jsonl\r\n\r\n{}\r\n\r\n--XyZ--\r\nepilogue"
    )
    parts = parse_multipart('multipart/form-data; boundary="XyZ"', raw)
    assert parts == [
        FormPart("purpose", b"fine-tune"),
        FormPart("file", b"{}\r\n", "a; b.jsonl", "application/jsonl"),
    ]


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", b"{}", "expected multipart/form-data"),
        ("multipart/form-data", b"", "boundary"),
        ("multipart/form-data; boundary=b", b"no boundary here", "no opening boundary"),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data", "headers"),
        ("multipart/form-data; boundary=b", b"--b\r\nX: y\r\n\r\ndata\r\n--b--", "form-data"),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nnever closed',
            "closing boundary",
        ),
    ],
)
def test_malformed_forms_raise(content_type: str, body: bytes, message: str) -> None:
    """Malformed bodies raise MultipartError (a ValueError) saying what is wrong."""
    with pytest.raises(MultipartError, match=message):
        parse_multipart(content_type, body)


def test_boundary_of() -> None:
    """The boundary parameter is read from the content type, quoted or not."""
    assert boundary_of("multipart/form-data; boundary=abc") == "abc"
    assert boundary_of('Multipart/Form-Data; charset=utf-8; boundary="a b"') == "a b"
