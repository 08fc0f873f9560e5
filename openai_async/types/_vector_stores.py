"""Models of ``/vector_stores``: stores, their files and file batches, search results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs

from .._models import APIObject, ListResponse

__all__ = [
    "VectorStore",
    "VectorStoreDeleted",
    "VectorStoreExpiresAfter",
    "VectorStoreFile",
    "VectorStoreFileBatch",
    "VectorStoreFileContent",
    "VectorStoreFileCounts",
    "VectorStoreFileDeleted",
    "VectorStoreFileError",
    "VectorStoreSearchContent",
    "VectorStoreSearchPage",
    "VectorStoreSearchResponse",
]


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreFileCounts(APIObject):
    """How many of a store's (or a batch's) files are in each state."""

    in_progress: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    total: int = 0


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreExpiresAfter(APIObject):
    """The store expires ``days`` after its ``anchor`` (``last_active_at``)."""

    anchor: str = "last_active_at"
    days: int


@attrs.frozen(kw_only=True, slots=False)
class VectorStore(APIObject):
    """A collection of processed files that ``search`` (and ``file_search``) look in.

    ``status`` is ``in_progress`` while files are processed, then ``completed``
    (or ``expired``).
    """

    id: str
    object: str = "vector_store"
    created_at: int
    name: str | None = None
    usage_bytes: int = 0
    file_counts: VectorStoreFileCounts = attrs.field(factory=VectorStoreFileCounts)
    status: str
    last_active_at: int | None = None
    metadata: dict[str, str] | None = None
    expires_after: VectorStoreExpiresAfter | None = None
    expires_at: int | None = None


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreDeleted(APIObject):
    """The answer to ``DELETE /vector_stores/{vector_store_id}``."""

    id: str
    object: str = "vector_store.deleted"
    deleted: bool


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreFileError(APIObject):
    """Why a file failed: ``code`` is server_error, unsupported_file or invalid_file."""

    code: str
    message: str


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreFile(APIObject):
    """A file attached to a vector store; its ``id`` is the file's id.

    ``status``: ``in_progress``, ``completed``, ``cancelled`` or ``failed`` (then
    ``last_error`` says why). ``attributes`` are the key-value pairs filters match.
    """

    id: str
    object: str = "vector_store.file"
    usage_bytes: int = 0
    created_at: int
    vector_store_id: str
    status: str
    last_error: VectorStoreFileError | None = None
    chunking_strategy: dict[str, Any] | None = None
    attributes: dict[str, Any] | None = None


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreFileDeleted(APIObject):
    """The answer to ``DELETE /vector_stores/{vector_store_id}/files/{file_id}``."""

    id: str
    object: str = "vector_store.file.deleted"
    deleted: bool


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreFileBatch(APIObject):
    """Files added to a store together; ``status`` as a file's."""

    id: str
    object: str = "vector_store.files_batch"
    created_at: int
    vector_store_id: str
    status: str
    file_counts: VectorStoreFileCounts = attrs.field(factory=VectorStoreFileCounts)


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreFileContent(APIObject):
    """A piece of a file's parsed content (``type`` is ``text``)."""

    type: str = "text"
    text: str = ""


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreSearchContent(APIObject):
    """A chunk of a file that matched a search (``type`` is ``text``)."""

    type: str = "text"
    text: str = ""


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreSearchResponse(APIObject):
    """One search result: a file, its score (0 to 1) and the chunks that matched."""

    file_id: str
    filename: str
    score: float
    attributes: dict[str, Any] | None = None
    content: list[VectorStoreSearchContent] = attrs.field(factory=list)


@attrs.frozen(kw_only=True, slots=False)
class VectorStoreSearchPage(APIObject):
    """What ``vector_stores.search`` answers: results, best first, and the query used.

    ``for`` and ``async for`` go over ``data``, as over a list page.
    """

    object: str = "vector_store.search_results.page"
    search_query: list[str] = attrs.field(factory=list)
    data: list[VectorStoreSearchResponse] = attrs.field(factory=list)
    has_more: bool = False
    next_page: str | None = None

    def __iter__(self) -> Iterator[VectorStoreSearchResponse]:
        return iter(self.data)

    def __aiter__(self) -> AsyncIterator[VectorStoreSearchResponse]:
        # The items of a page already here: ListResponse's iterator does that.
        return ListResponse(data=self.data).__aiter__()

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> VectorStoreSearchResponse:
        return self.data[index]
