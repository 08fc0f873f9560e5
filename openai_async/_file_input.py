"""``FileInput``: what the upload parameters accept, light enough for ``import openai_async``.

It lives apart from ``_files`` (which builds the streamed multipart body and pulls in
anyio's threads) so that exporting it costs no import time.
"""

from __future__ import annotations

import os
from typing import IO, TypeAlias

__all__ = ["FileContent", "FileInput"]

# Runtime aliases, not strings: users may inspect them (typing.get_type_hints) too.
FileContent: TypeAlias = str | os.PathLike[str] | bytes | IO[bytes]
FileInput: TypeAlias = (
    FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]
)
