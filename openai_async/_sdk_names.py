"""Names the official SDK exports from ``openai`` that map onto ours, for code moving over.

Each is ours under the SDK's name, loaded on first use (``openai_async``'s lazy
exports): ``omit`` / ``Omit`` (the SDK's newer ``NOT_GIVEN``),
``DEFAULT_CONNECTION_LIMITS`` and ``file_from_path``. What has no counterpart, or
another name (``BaseModel`` is ``openai_async.types.APIObject``, ``Timeout`` is
``httpx.Timeout``), is listed in docs/migrating.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._config import DEFAULT_LIMITS, NotGiven

__all__ = ["DEFAULT_CONNECTION_LIMITS", "Omit", "file_from_path", "omit"]


class Omit(NotGiven):
    """The SDK's ``omit``: leave a parameter out, as ``NOT_GIVEN`` does (it is one).

    Every endpoint method drops keyword arguments given as either before its checks.
    """

    def __repr__(self) -> str:
        return "omit"


omit = Omit()

DEFAULT_CONNECTION_LIMITS = DEFAULT_LIMITS


def file_from_path(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """The file at ``path`` as a ``(name, content)`` file input, as the SDK's helper.

    Here a ``str`` or ``Path`` given as a file input is already read as a path; this
    is for code that calls the SDK's helper.
    """
    return os.path.basename(path), Path(path).read_bytes()
