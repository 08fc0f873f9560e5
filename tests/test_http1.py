"""``_http1``: the head and framing of HTTP/1.1 answers, as pure functions.

Properties over generated heads and header lists: a well-formed head reads back as it was
written; whatever the bytes, the parser returns or raises ``httpx.RemoteProtocolError``
and nothing else, and its message never quotes them; framing follows RFC 9112 (one
Content-Length however often repeated, chunked alone, never both). The transport's
behaviour on the wire is in test_asyncio_http.py and the hostile suite.
"""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async._http1 import CHUNKED, LENGTH, SIZE_LINE, UNTIL_CLOSE, framing, parse_head

TOKEN = st.text(
    "!#$%&'*+.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-", min_size=1
)
# A field value: visible bytes, inner spaces and tabs, none at either end.
VISIBLE = st.binary().map(lambda b: bytes(c for c in b if 0x21 <= c <= 0x7E or c >= 0x80))
VALUE = st.lists(VISIBLE, max_size=3).map(b" ".join).map(lambda v: v.strip(b" \t"))
KEY = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=20, max_size=20).map(
    lambda s: "sk-" + s
)


@given(
    st.integers(100, 999),
    VALUE,
    st.lists(st.tuples(TOKEN.map(str.encode), VALUE), max_size=8),
    st.sampled_from([b"1.1", b"1.0"]),
)
def test_a_well_formed_head_reads_back(
    status: int, reason: bytes, headers: list[tuple[bytes, bytes]], version: bytes
) -> None:
    lines = [b"HTTP/%s %d %s" % (version, status, reason)]
    lines += [name + b": " + value for name, value in headers]
    assert parse_head(b"\r\n".join(lines)) == (status, reason, headers)


@given(st.binary(max_size=300), KEY, st.integers(0, 300))
def test_any_head_is_read_or_refused_without_quoting_it(noise: bytes, key: str, at: int) -> None:
    """Whatever the bytes (a key a server echoed among them), the refusal names no byte."""
    head = noise[:at] + key.encode() + noise[at:]
    for candidate in (head, b"HTTP/1.1 200 OK\r\n" + head, b"HTTP/1.1 " + head):
        refusal = _refusal(candidate)
        assert key not in refusal


def _refusal(head: bytes) -> str:
    """The text of the parser's refusal of ``head`` (its str and repr), or "" if read."""
    try:
        parse_head(head)
    except httpx.RemoteProtocolError as exc:
        return f"{exc!s} {exc!r}"
    return ""


def test_what_a_head_may_not_be() -> None:
    """Folded lines, an unknown version, a status below 100, a bad field name: refused."""
    refused = [
        b"HTTP/1.1 200 OK\r\nA: b\r\n  folded",
        b"HTTP/2 200 OK",
        b"HTTP/1.1 099 Early",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 200 OK\r\nBad Name: x",
        b"HTTP/1.1 200 OK\r\n: empty name",
        b"HTTP/1.1 200 OK\r\nA: b\x00c",
    ]
    for head in refused:
        with pytest.raises(httpx.RemoteProtocolError):
            parse_head(head)
    assert parse_head(b"HTTP/1.1 204") == (204, b"", [])
    assert parse_head(b"HTTP/1.1 200 OK\r\nA:\t b \t") == (200, b"OK", [(b"A", b"b")])


@given(st.lists(st.integers(0, 10**18 - 1), min_size=1, max_size=4), st.booleans())
def test_content_lengths_agree_or_are_refused(lengths: list[int], one_field: bool) -> None:
    """Repeated Content-Lengths (in one field or several) stand if all are the same."""
    if one_field:
        headers = [(b"Content-Length", b", ".join(b"%d" % n for n in lengths))]
    else:
        headers = [(b"content-length", b"%d" % n) for n in lengths]
    if len(set(lengths)) == 1:
        assert framing(200, headers, False, False) == (LENGTH, lengths[0], True)
    else:
        with pytest.raises(httpx.RemoteProtocolError, match="several Content-Lengths"):
            framing(200, headers, False, False)


@given(st.sampled_from([b"chunked", b"Chunked", b" chunked \t"]), st.booleans())
def test_chunked_alone_and_never_with_a_length(coding: bytes, with_length: bool) -> None:
    headers = [(b"Transfer-Encoding", coding)]
    if with_length:
        headers.append((b"Content-Length", b"5"))
        with pytest.raises(httpx.RemoteProtocolError, match="both"):
            framing(200, headers, False, False)
    else:
        assert framing(200, headers, False, False) == (CHUNKED, SIZE_LINE, True)


@pytest.mark.parametrize(
    "codings",
    [[b"gzip"], [b"gzip, chunked"], [b"chunked", b"chunked"], [b"chunked, chunked"], [b""]],
)
def test_other_transfer_codings_are_refused(codings: list[bytes]) -> None:
    headers = [(b"Transfer-Encoding", coding) for coding in codings]
    with pytest.raises(httpx.RemoteProtocolError, match="chunked alone"):
        framing(200, headers, False, False)


@pytest.mark.parametrize("value", [b"-1", b"1e3", b"0x10", b"", b"1" * 19, b"5;"])
def test_a_content_length_that_is_no_number_is_refused(value: bytes) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="not valid"):
        framing(200, [(b"Content-Length", value)], False, False)


def test_bodiless_answers_and_the_connection_kept() -> None:
    """HEAD, 204, 304 and 101 have no body; HTTP/1.0 and Connection: close end the connection."""
    length = [(b"Content-Length", b"10")]
    assert framing(200, length, True, False) == (LENGTH, 0, True)  # a HEAD's answer
    assert framing(204, length, False, False) == (LENGTH, 0, True)
    assert framing(304, length, False, False) == (LENGTH, 0, True)
    assert framing(101, [], False, False) == (LENGTH, 0, False)
    assert framing(200, length, False, True) == (LENGTH, 10, False)  # HTTP/1.0
    assert framing(200, [*length, (b"Connection", b"keep-alive, Close")], False, False) == (
        LENGTH,
        10,
        False,
    )
    assert framing(200, [], False, False) == (UNTIL_CLOSE, 0, False)


@given(st.lists(st.tuples(st.binary(max_size=20), st.binary(max_size=40)), max_size=6))
def test_any_header_list_frames_or_is_refused(headers: list[tuple[bytes, bytes]]) -> None:
    """Whatever the fields, framing returns one of the three modes or refuses, typed."""
    try:
        mode, left, _ = framing(200, headers, False, False)
    except httpx.RemoteProtocolError:
        return
    assert mode in (LENGTH, CHUNKED, UNTIL_CLOSE)
    assert left >= 0 or (mode == CHUNKED and left == SIZE_LINE)
