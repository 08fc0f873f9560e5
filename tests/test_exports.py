"""Each public module's hand-written ``__all__`` matches what it really exports."""

from __future__ import annotations

import importlib
import types

import pytest

MODULES = ["openai_async", "openai_async.types", "openai_async.testing", "openai_async.resources"]


@pytest.mark.parametrize("name", MODULES)
def test_all_matches_exports(name: str) -> None:
    """Every name in __all__ exists, is sorted, and every public name is listed."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n.startswith("_"), n))
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == []
    public = {
        n
        for n, value in vars(module).items()
        if not n.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - set(exported) == set()
