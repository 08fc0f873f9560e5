"""The SSE decoder, rule by rule (WHATWG HTML "event stream" interpretation)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openai_async._sse import ServerSentEvent, SSEDecoder


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    decoder.close()
    return events


def datas(*chunks: bytes) -> list[str]:
    return [event.data for event in decode(*chunks)]


def test_simple_event() -> None:
    """A data line and a blank line make one "message" event."""
    assert decode(b"data: hello\n\n") == [ServerSentEvent("hello", "message", "")]


def test_invalid_utf8_is_replaced() -> None:
    """Invalid UTF-8 becomes U+FFFD instead of raising."""
    assert datas(b"data: a\xffb\n\n") == ["a\ufffdb"]


def test_charset_is_ignored_utf8_always() -> None:
    """Bytes are UTF-8 whatever a server declares: latin-1 bytes are not reinterpreted."""
    assert datas("data: é\n\n".encode()) == ["é"]
    assert datas(b"data: \xe9\n\n") == ["\ufffd"]


def test_one_leading_bom_is_stripped() -> None:
    """One leading BOM is dropped, a second one is kept (as part of the field name)."""
    assert datas(b"\xef\xbb\xbfdata: x\n\n") == ["x"]
    # After one BOM is stripped, the second makes the line "\ufeffdata: x": an unknown field.
    assert datas(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n") == []
    assert datas(b"data: \xef\xbb\xbfx\n\n") == ["\ufeffx"]


def test_bom_split_across_chunks() -> None:
    """A BOM whose bytes arrive in separate chunks is still stripped."""
    assert datas(b"\xef", b"\xbb", b"\xbfdata: x\n\n") == ["x"]


def test_bom_after_an_ascii_start_is_text() -> None:
    """A stream that starts in ASCII has no BOM: one in a later chunk is a character."""
    bom_line = "\ufeffdata: b\n\n".encode()
    assert datas(b"data: a\n\n", bom_line) == ["a"]  # "\ufeffdata" is an unknown field
    assert datas(b"data: a\n\n", b"data: \xc3\xa9\n\n", bom_line) == ["a", "é"]
    assert datas(b"data: a\n\n", "data: é\n\n".encode(), b"data: c\n\n") == ["a", "é", "c"]


def test_multibyte_character_split_across_chunks() -> None:
    """A UTF-8 sequence cut between chunks decodes whole."""
    raw = "data: 日本\n\n".encode()
    assert datas(raw[:7], raw[7:9], raw[9:]) == ["日本"]
    # A sequence the next chunk does not finish is replaced where it stood.
    assert datas(b"data: \xe6", b"x\n\n") == ["\ufffdx"]


def test_line_endings_crlf_lf_cr() -> None:
    """CRLF, LF and lone CR each end a line."""
    assert datas(b"data: a\r\n\r\n") == ["a"]
    assert datas(b"data: b\n\n") == ["b"]
    assert datas(b"data: c\r\r") == ["c"]
    assert datas(b"data: d\r\ndata: e\rdata: f\n\r\n") == ["d\ne\nf"]


def test_crlf_straddling_two_chunks() -> None:
    """A CR at the end of one chunk and a LF at the start of the next are one line end."""
    assert datas(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == ["a\nb"]


def test_cr_then_lf_after_an_empty_chunk() -> None:
    """A CR, an empty chunk, then LF: still one CRLF, so no blank line in between."""
    assert datas(b"data: a\r", b"", b"\ndata: b\n\n") == ["a\nb"]


def test_unicode_separators_do_not_end_lines() -> None:
    """U+2028, U+2029, U+0085, VT and FF are ordinary characters inside a value."""
    text = "a\u2028b\u2029c\x85d\x0be\x0cf"
    assert datas(f"data: {text}\n\n".encode()) == [text]


def test_comments_are_ignored() -> None:
    """Lines starting with a colon are comments (keep-alives) and dispatch nothing."""
    assert decode(b": keep-alive\n\n: ping\ndata: x\n: more\n\n") == [ServerSentEvent("x")]


def test_field_names_are_case_sensitive() -> None:
    """DATA and Event are unknown fields, ignored."""
    assert decode(b"DATA: x\nEvent: y\ndata: z\n\n") == [ServerSentEvent("z")]


def test_only_one_leading_space_is_stripped() -> None:
    """One space after the colon goes, others stay; no colon means an empty value."""
    assert datas(b"data:  two\n\n") == [" two"]
    assert datas(b"data:none\n\n") == ["none"]
    assert datas(b"data\n\n") == [""]
    assert datas(b"data: a: b\n\n") == ["a: b"]


def test_data_lines_join_with_lf() -> None:
    """Several data lines make one value joined by LF, without a trailing LF."""
    assert datas(b"data: a\ndata:\ndata: c\n\n") == ["a\n\nc"]


def test_event_without_data_is_not_dispatched() -> None:
    """A block with an event type or id but no data line dispatches nothing."""
    assert decode(b"event: ping\n\nid: 7\n\nretry: 10\n\n") == []


def test_event_type_resets_after_dispatch_and_after_empty_block() -> None:
    """The event type applies to one block only, dispatched or not."""
    events = decode(b"event: delta\ndata: 1\n\nevent: ignored\n\ndata: 2\n\n")
    assert [(e.event, e.data) for e in events] == [("delta", "1"), ("message", "2")]


def test_empty_event_type_means_message() -> None:
    """An empty event field gives the default type."""
    assert decode(b"event:\ndata: x\n\n")[0].event == "message"


def test_last_event_id_persists() -> None:
    """The last id applies to following events until another id line changes it."""
    events = decode(b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
    assert [(e.data, e.id) for e in events] == [("a", "1"), ("b", "1"), ("c", "")]


def test_last_event_id_set_by_undispatched_block() -> None:
    """An id in a block with no data still updates the last event id."""
    events = decode(b"id: 5\n\ndata: x\n\n")
    assert events[0].id == "5"


def test_id_with_nul_is_ignored() -> None:
    """An id value containing NUL leaves the last event id unchanged."""
    events = decode(b"id: 1\n\nid: 2\x003\ndata: x\n\n")
    assert events[0].id == "1"


def test_retry_only_when_all_ascii_digits() -> None:
    """retry is taken only when it is all ASCII digits."""
    decoder = SSEDecoder()
    decoder.feed(b"retry: 1500\n\n")
    assert decoder.retry == 1500
    for bad in (b"retry: 15x\n", b"retry: -1\n", b"retry:\n", "retry: ١٢\n".encode()):
        decoder.feed(bad)
        assert decoder.retry == 1500
    decoder.feed(b"retry: 0\n")
    assert decoder.retry == 0


def test_unterminated_final_event_is_discarded() -> None:
    """At the end of the stream, an event without its blank line is dropped."""
    assert datas(b"data: a\n\ndata: b\n") == ["a"]
    assert datas(b"data: a\n\ndata: b") == ["a"]


def test_close_forgets_pending_line() -> None:
    """After close(), a half line from before never joins later input."""
    decoder = SSEDecoder()
    decoder.feed(b"data: half")
    decoder.close()
    assert decoder.feed(b"data: x\n\n") == [ServerSentEvent("x")]


def test_long_line_has_no_cap() -> None:
    """A 2 MB line arrives intact, whether whole, in 1 KiB pieces or 100 KB byte by byte."""
    big = b"x" * 2_000_000
    assert datas(b"data: " + big + b"\n\n") == [big.decode()]
    raw = b"data: " + big + b"\n\n"
    assert datas(*(raw[i : i + 1024] for i in range(0, len(raw), 1024))) == [big.decode()]
    raw = b"data: " + big[:100_000] + b"\n\n"
    assert datas(*(raw[i : i + 1] for i in range(len(raw)))) == [big[:100_000].decode()]


# -- properties ----------------------------------------------------------------------

_lines = st.lists(
    st.one_of(
        st.sampled_from(["data", "data:", "event: e", "id: 1", "id: \x00", "retry: 5", ": c", ""]),
        st.builds(lambda v: f"data: {v}", st.text(max_size=12)),
        st.builds(lambda v: f"event: {v}", st.text(max_size=5)),
    ),
    max_size=30,
)


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """SSE-like text with a random mix of line endings, maybe a BOM, as UTF-8."""
    lines = draw(_lines)
    ends = draw(st.lists(st.sampled_from(["\n", "\r", "\r\n"]), min_size=len(lines)))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    text = bom + "".join(line + end for line, end in zip(lines, ends, strict=False))
    raw = text.encode("utf-8", "surrogatepass")
    return raw + draw(st.binary(max_size=4))  # maybe some invalid bytes at the end


@given(raw=streams(), data=st.data())
def test_any_split_gives_the_same_events(raw: bytes, data: st.DataObject) -> None:
    """Cutting the bytes into chunks anywhere yields exactly the events of the whole."""
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=12)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert decode(*chunks) == decode(raw)


@given(raw=st.binary(max_size=200), data=st.data())
def test_arbitrary_bytes_any_split(raw: bytes, data: st.DataObject) -> None:
    """Even for arbitrary bytes, splitting never changes the events and never raises."""
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert decode(*chunks) == decode(raw)


@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]),
            max_size=20,
        )
    )
)
def test_data_roundtrip(values: list[str]) -> None:
    """Every value written as one data line comes back unchanged, one event each."""
    raw = "".join(f"data: {v}\n\n" for v in values).encode()
    assert datas(raw) == values
