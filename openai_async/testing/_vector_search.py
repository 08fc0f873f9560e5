"""The local server's vector store search: files cut into chunks of words, scored by overlap.

Deterministic on purpose: a chunk's score is the share of the query's distinct words
it holds (0 to 1), so a test can tell the ranking in advance.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._bodies import Invalid

__all__ = ["chunk_words", "passes_filter", "query_terms", "score_chunk"]

_WORD = re.compile(r"\w+")


def chunk_words(text: str, size: int, overlap: int) -> list[str]:
    """``text`` cut into chunks of ``size`` words, each sharing ``overlap`` with the last."""
    words = text.split()
    if not words:
        return []
    step = max(1, size - overlap)
    chunks = []
    for start in range(0, len(words), step):
        chunks.append(" ".join(words[start : start + size]))
        if start + size >= len(words):
            break
    return chunks


def query_terms(text: str) -> set[str]:
    """The distinct words of ``text``, lower-cased."""
    return {word.lower() for word in _WORD.findall(text)}


def score_chunk(terms: set[str], chunk: str) -> float:
    """The share of the query's distinct words ``terms`` found in ``chunk`` (0 to 1)."""
    if not terms:
        return 0.0
    return round(len(terms & query_terms(chunk)) / len(terms), 6)


def _within(value: Any, choices: Any) -> bool:
    return isinstance(choices, list) and value in choices


def _outside(value: Any, choices: Any) -> bool:
    return isinstance(choices, list) and value not in choices


_COMPARE: Mapping[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": _within,
    "nin": _outside,
}


def passes_filter(attributes: Mapping[str, Any], flt: Any) -> bool:
    """Whether a file's ``attributes`` pass a comparison or compound filter."""
    if not isinstance(flt, dict):
        raise Invalid("'filters' must be an object.", "filters")
    kind = flt.get("type")
    if kind in ("and", "or"):
        parts = flt.get("filters")
        if not isinstance(parts, list):
            raise Invalid("'filters.filters' must be an array.", "filters")
        results = (passes_filter(attributes, part) for part in parts)
        return all(results) if kind == "and" else any(results)
    compare = _COMPARE.get(str(kind))
    if compare is None or "key" not in flt or "value" not in flt:
        raise Invalid(f"Unknown filter {flt!r:.80}", "filters")
    if flt["key"] not in attributes:
        return kind == "nin" or kind == "ne"
    try:
        return bool(compare(attributes[flt["key"]], flt["value"]))
    except TypeError:  # a string compared with a number: no match, as a type mismatch
        return False
