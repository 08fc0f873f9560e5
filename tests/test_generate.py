"""The local server's deterministic "model" (pure functions)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openai_async.testing._generate import count_tokens, generate, tokenize


@given(st.text())
def test_tokens_join_back_to_the_text(text: str) -> None:
    """Joining the tokens gives back the text exactly; the count is their number."""
    assert "".join(tokenize(text)) == text
    assert count_tokens(text) == len(tokenize(text))


def test_tokens_are_words_with_leading_space() -> None:
    """A token is a word with the whitespace before it."""
    assert tokenize("You said:  hi\n") == ["You", " said:", "  hi", "\n"]


def test_stop_cuts_before_the_earliest_sequence() -> None:
    """The earliest of several stop sequences ends the text, finish reason stop."""
    assert generate("a b c d", max_tokens=None, stop=["d", " c"]) == (["a", " b"], "stop")


def test_max_tokens_cuts_with_length() -> None:
    """More tokens than max_tokens: cut, finish reason length; exactly enough: stop."""
    assert generate("a b c", max_tokens=2, stop=None) == (["a", " b"], "length")
    assert generate("a b c", max_tokens=3, stop="") == (["a", " b", " c"], "stop")
