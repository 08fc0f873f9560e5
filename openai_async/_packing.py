"""Packing many prompts into few requests, and mapping the answers back.

A completions request takes up to 20 prompts; its choices come back with
``index = prompt_position * n + k``. Nothing here trusts the order of the answer:
every index is checked to be present exactly once and in range.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["MAX_PROMPTS_PER_REQUEST", "PackingError", "chunked", "group_by_index"]

T = TypeVar("T")

MAX_PROMPTS_PER_REQUEST = 20  # the completions endpoint's documented maximum


class PackingError(ValueError):
    """A packed answer does not hold exactly one item per expected index."""


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError("size must be >= 1")
    return [items[start : start + size] for start in range(0, len(items), size)]


def group_by_index(
    answers: Sequence[T], index_of: Callable[[T], int], count: int, per_item: int = 1
) -> list[list[T]]:
    """Put answers with index ``position * per_item + k`` into ``count`` lists of ``per_item``.

    Raises ``PackingError`` when an index is missing, repeated or out of range.
    """
    slots: list[T | None] = [None] * (count * per_item)
    for answer in answers:
        index = index_of(answer)
        if not 0 <= index < len(slots):
            raise PackingError(f"answer index {index} is out of range 0..{len(slots) - 1}")
        if slots[index] is not None:
            raise PackingError(f"answer index {index} appears twice")
        slots[index] = answer
    missing = [i for i, slot in enumerate(slots) if slot is None]
    if missing:
        raise PackingError(f"answers missing for indices {missing[:10]}")
    filled: list[T] = [slot for slot in slots if slot is not None]
    return [filled[i * per_item : (i + 1) * per_item] for i in range(count)]
