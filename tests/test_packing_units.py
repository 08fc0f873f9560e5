"""Pure packing logic: chunking and mapping answers back by index."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async._packing import PackingError, chunked, group_by_index


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=30))
def test_chunked_keeps_everything_in_order(items: list[int], size: int) -> None:
    """Chunks are at most `size` long and concatenate back to the input."""
    chunks = chunked(items, size)
    assert all(1 <= len(c) <= size for c in chunks)
    assert [x for c in chunks for x in c] == items
    assert len(chunks) == -(-len(items) // size)


@given(
    count=st.integers(min_value=0, max_value=20),
    per_item=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_group_by_index_any_order(count: int, per_item: int, data: st.DataObject) -> None:
    """Answers in any order land at position index // n, in k order."""
    answers = list(range(count * per_item))
    shuffled = data.draw(st.permutations(answers))
    groups = group_by_index(shuffled, lambda a: a, count, per_item)
    assert groups == [answers[i * per_item : (i + 1) * per_item] for i in range(count)]


@pytest.mark.parametrize(
    ("indices", "message"),
    [([0, 0], "twice"), ([0, 5], "out of range"), ([0], "missing"), ([-1, 0], "out of range")],
)
def test_group_by_index_rejects_bad_answers(indices: list[int], message: str) -> None:
    """A missing, repeated or out-of-range index raises PackingError."""
    with pytest.raises(PackingError, match=message):
        group_by_index(indices, lambda a: a, 2)
