"""The local server's vector store search, as pure functions: chunking and scoring."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openai_async.testing._vector_search import chunk_words, score_chunk

words = st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=60)


def test_chunks_overlap_as_asked() -> None:
    """Chunks of 4 words sharing 1: each starts 3 words after the last."""
    text = "a b c d e f g h i j"
    assert chunk_words(text, 4, 1) == ["a b c d", "d e f g", "g h i j"]
    assert chunk_words("", 4, 1) == []
    assert chunk_words("one", 800, 400) == ["one"]


@given(words, st.integers(1, 12), st.data())
def test_chunks_cover_every_word_in_order(text: list[str], size: int, data: st.DataObject) -> None:
    """Every chunk holds at most ``size`` words; dropping overlaps gives the text back."""
    overlap = data.draw(st.integers(0, size // 2))
    chunks = chunk_words(" ".join(text), size, overlap)
    assert all(len(chunk.split()) <= size for chunk in chunks)
    rebuilt = chunks[0].split() if chunks else []
    for chunk in chunks[1:]:
        rebuilt += chunk.split()[overlap:]
    assert rebuilt == text


def test_score_is_the_share_of_query_words() -> None:
    """Case and punctuation aside, the score counts the distinct query words present."""
    terms = {"returns", "are", "free"}
    assert score_chunk(terms, "Returns are FREE!") == 1.0
    assert score_chunk(terms, "returns, returns, returns") == round(1 / 3, 6)
    assert score_chunk(terms, "nothing here") == 0.0
    assert score_chunk(set(), "anything") == 0.0


@given(st.sets(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=8), words)
def test_score_is_between_zero_and_one(terms: set[str], text: list[str]) -> None:
    """Scores stay within the API's bounds, and the query's own words score 1."""
    assert 0.0 <= score_chunk(terms, " ".join(text)) <= 1.0
    if terms:
        assert score_chunk(terms, " ".join(sorted(terms))) == 1.0
