"""The local server's own behaviour: OpenAI error bodies, and its pure helpers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import AsyncClient, BadRequestError
from openai_async.testing import LocalServer
from openai_async.testing._routes_audio import _timestamp, subtitles
from openai_async.testing._routes_embeddings import DIMENSIONS, embedding_vector

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("edits", {"model": "m"}, "instruction"),
        ("edits", {"model": "m", "instruction": "x", "n": 30}, "n"),
        ("embeddings", {"model": "m", "input": []}, "input"),
        ("embeddings", {"model": "m", "input": "x", "encoding_format": "hex"}, "encoding_format"),
        ("moderations", {"input": 5}, "input"),
        ("images/generations", {"prompt": "x", "size": "10x10"}, "size"),
        ("images/generations", {"prompt": "x" * 1001}, "prompt"),
        ("fine-tunes", {"training_file": 3}, "training_file"),
        ("fine-tunes", {"training_file": "file-x", "suffix": ""}, "suffix"),
    ],
)
@pytest.mark.off_spec("bodies that break the spec, for the server to refuse")
async def test_bad_json_gets_openai_error(
    client: AsyncClient, server: LocalServer, path: str, body: dict[str, object], param: str
) -> None:
    """A body the endpoint cannot take gets a 400 with OpenAI's error object naming the field."""
    with pytest.raises(BadRequestError) as info:
        await client.request("POST", path, json=body)
    assert info.value.param == param
    assert info.value.type == "invalid_request_error"
    assert isinstance(info.value.body, dict)
    assert set(info.value.body) == {"message", "type", "param", "code"}


@pytest.mark.off_spec("JSON to endpoints that take forms, for the server to refuse")
# (images/edits takes JSON too: images by reference.)
@pytest.mark.parametrize("path", ["files", "images/variations", "audio/transcriptions"])
async def test_form_endpoints_refuse_json(
    client: AsyncClient, server: LocalServer, path: str
) -> None:
    """A multipart endpoint answers 400 to a body that is not a form."""
    with pytest.raises(BadRequestError, match="multipart"):
        await client.request("POST", path, json={"file": "x"})


@pytest.mark.off_spec("a form without its required file, for the server to refuse")
async def test_form_without_the_file(client: AsyncClient, server: LocalServer) -> None:
    """A form missing its required file part is refused, naming the part."""
    with pytest.raises(BadRequestError) as info:
        await client.request("POST", "files", files={"purpose": (None, "fine-tune")})
    assert info.value.param == "file"


@given(st.lists(st.text(min_size=1, max_size=20) | st.lists(st.integers(0, 10**5), min_size=1)))
def test_embedding_vectors_are_unit_and_stable(items: list[str | list[int]]) -> None:
    """Every input maps to a fixed unit vector of DIMENSIONS floats."""
    for item in items:
        vector = embedding_vector(item)
        assert len(vector) == DIMENSIONS
        assert abs(sum(x * x for x in vector) - 1) < 1e-5
        assert embedding_vector(item) == vector


@given(st.integers(min_value=0, max_value=10 * 3600 * 1000 - 1))
def test_timestamps_read_back(millis: int) -> None:
    """An SRT or VTT timestamp gives back the milliseconds it was made from."""
    for separator in (",", "."):
        text = _timestamp(millis / 1000, separator)
        h, m, s, ms = map(
            int, re.fullmatch(rf"(\d\d):(\d\d):(\d\d){re.escape(separator)}(\d\d\d)", text).groups()
        )  # type: ignore[union-attr]
        assert ((h * 60 + m) * 60 + s) * 1000 + ms == millis


def test_srt_and_vtt_shapes() -> None:
    """SRT numbers its cues and uses commas; VTT starts with WEBVTT and uses dots."""
    segments = [{"id": 0, "start": 0.0, "end": 1.5, "text": " Hi."}]
    assert subtitles(segments, "srt") == "1\n00:00:00,000 --> 00:00:01,500\nHi.\n\n"
    assert subtitles(segments, "vtt") == "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHi.\n\n"
