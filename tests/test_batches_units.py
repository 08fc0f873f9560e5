"""The pure parts of the Batch API: the server's input-file check and the metadata check."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import InvalidParameterError
from openai_async.resources._common import check_metadata
from openai_async.testing._routes_batches import BatchSettings, _parse

ENDPOINT = "/v1/embeddings"
ids = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=30, unique=True)


def _line(custom_id: str) -> bytes:
    body = {"model": "m", "input": custom_id}
    line = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
    return json.dumps(line).encode()


def _run(content: bytes, max_requests: int = 50_000) -> tuple[list[str], list[tuple[int, str]]]:
    lines, problems = asyncio.run(
        _parse(content, ENDPOINT, BatchSettings(max_requests=max_requests))
    )
    return [line["custom_id"] for line in lines], [(p["line"], p["code"]) for p in problems]


@given(ids)
def test_valid_lines_parse_in_order(custom_ids: list[str]) -> None:
    """Lines with distinct custom_ids for the batch's endpoint come back in order, unfaulted."""
    content = b"\n".join(_line(i) for i in custom_ids) + b"\n\n"
    assert _run(content) == (custom_ids, [])


@given(ids, st.data())
def test_a_repeated_custom_id_is_found_on_its_line(
    custom_ids: list[str], data: st.DataObject
) -> None:
    """A custom_id used again is reported on the line (from 1) that repeats it."""
    repeated = data.draw(st.sampled_from(custom_ids))
    position = data.draw(
        st.integers(min_value=custom_ids.index(repeated) + 1, max_value=len(custom_ids))
    )
    lines = [_line(i) for i in custom_ids]
    lines.insert(position, _line(repeated))
    found, problems = _run(b"\n".join(lines))
    assert found == custom_ids
    assert problems == [(position + 1, "duplicate_custom_id")]


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20))
def test_the_queue_limit(count: int, limit: int) -> None:
    """A file holding more requests than the limit is refused whole; otherwise none is."""
    found, problems = _run(b"\n".join(_line(str(i)) for i in range(count)), limit)
    if count > limit:
        assert (found, problems) == ([], [(None, "too_many_requests")])
    else:
        assert (len(found), problems) == (count, [])


@given(st.dictionaries(st.text(max_size=70), st.text(max_size=520), max_size=20))
def test_metadata_limits(metadata: dict[str, str]) -> None:
    """Metadata passes exactly when it has at most 16 pairs, keys <= 64, values <= 512."""
    fits = len(metadata) <= 16 and all(len(k) <= 64 and len(v) <= 512 for k, v in metadata.items())
    if fits:
        check_metadata("metadata", metadata)
    else:
        with pytest.raises(InvalidParameterError, match="metadata"):
            check_metadata("metadata", metadata)
