"""A JSON Lines checkpoint: one line per finished item, appended and flushed.

A crash can leave at most one torn line at the end (a line is written with one
``write`` call); opening the file cuts that line off, so its item simply runs again.
When an id appears twice (a failed item run again), the last line wins.

Besides the items' lines: ``{"batch", "ids", "tag"}`` for a Batch API batch made
for the job, after ``{"batch_tag", "ids", "at"}`` written before asking for it (the
tag goes in the batch's metadata, so a restart finds a batch whose line a crash
kept from being written); and once ``{"idempotency_salt"}``, the salt from which the
items' idempotency keys derive (``_keys``), written before the first keyed request
is sent. A file without one (written before keys were kept) gets one when the job
next sends.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from ._records import BatchResult, error_record

if TYPE_CHECKING:
    from ._request import BatchRequest

__all__ = ["Checkpoint", "checkpoint_line", "digest", "is_done"]


_SALT: Final = "idempotency_salt"
_KINDS: Final = ("id", "batch", "batch_tag", _SALT)  # what a line may be

# What a resume needs of a line. Responses stay on disk: a job of a million items
# must not hold a million responses in memory.
_KEPT: Final = ("ok", "digest")


def _summary(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in _KEPT if key in record}


def _parse(line: bytes) -> dict[str, Any] | None:
    """The record on ``line``, or None for a blank or damaged one (its item runs again)."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if isinstance(record, dict) and any(key in record for key in _KINDS):
        return record
    return None


class Checkpoint:
    """Finished items of a job, by id, persisted as JSON Lines.

    ``records`` maps each id to what a resume needs of its line (``ok`` and the
    request's ``digest``) and to ``runs``, the number of lines the id has; the full
    lines, responses included, are in the file. ``salt`` is the job's key salt, once
    one is recorded.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.records: dict[str, dict[str, Any]] = {}
        # Batch API batches created for this job: batch id -> the item ids it holds.
        self.batches: dict[str, list[str]] = {}
        # Batches asked for whose line is missing: tag -> the item ids and when.
        self.asked: dict[str, tuple[list[str], float]] = {}
        self.salt: str | None = None
        self._file: IO[str] | None = None

    def open(self) -> None:
        """Read what earlier runs finished and get ready to append (blocking: use a thread).

        Line by line, so a checkpoint of any size costs memory only for what is kept.
        """
        self.records = {}
        self.batches = {}
        self.asked = {}
        self.salt = None
        if self.path.exists():
            with self.path.open("rb+") as f:
                end = 0  # just past the last line that counts
                for line in f:
                    complete = line.endswith(b"\n")
                    record = _parse(line)
                    if not complete and record is None:
                        break  # a torn last line: its item simply runs again
                    if record is not None:
                        self._remember(record)
                    end += len(line)
                    if not complete:
                        # A whole record saved without its newline (an editor, say).
                        f.seek(end)
                        f.write(b"\n")
                        end += 1
                f.truncate(end)
        self._file = self.path.open("a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        """Write one finished item and flush it to the operating system."""
        assert self._file is not None, "checkpoint not opened"
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()
        self._remember(record)

    def _remember(self, record: Mapping[str, Any]) -> None:
        if "batch" in record:
            self.batches[str(record["batch"])] = [str(i) for i in record["ids"]]
            if "tag" in record:
                self.asked.pop(str(record["tag"]), None)
        elif "batch_tag" in record:
            at = record.get("at")
            at = float(at) if isinstance(at, int | float) else 0.0
            self.asked[str(record["batch_tag"])] = ([str(i) for i in record["ids"]], at)
        elif "id" in record:
            item_id = str(record["id"])
            runs = self.records.get(item_id, {}).get("runs", 0)
            self.records[item_id] = {**_summary(record), "runs": runs + 1}
        elif self.salt is None and isinstance(record[_SALT], str) and record[_SALT]:
            self.salt = record[_SALT]  # the first one: the keys already sent derive from it

    def ask_batch(self, tag: str, ids: list[str]) -> None:
        """Record that a batch tagged ``tag`` is about to be created for ``ids``."""
        self.append({"batch_tag": tag, "ids": ids, "at": time.time()})

    def append_batch(self, batch_id: str, ids: list[str], tag: str | None = None) -> None:
        """Record that ``batch_id`` holds ``ids``, before waiting for it: a restart polls it."""
        record: dict[str, Any] = {"batch": batch_id, "ids": ids}
        if tag is not None:
            record["tag"] = tag
        self.append(record)

    def keep_salt(self, salt: str) -> str:
        """The job's key salt: the one recorded, or ``salt``, recorded now."""
        if self.salt is None:
            self.append({_SALT: salt})
        assert self.salt is not None
        return self.salt

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def is_done(record: Mapping[str, Any] | None, digest: str | None) -> bool:
    """Whether a checkpoint line finished this item: its id, and its request if recorded.

    Lines written before they carried a digest are taken at their id.
    """
    return record is not None and record.get("digest", digest) == digest


def digest(request: BatchRequest) -> str:
    """A short fingerprint of what an item sends, kept in its checkpoint line.

    It tells this item's line from another job's that shares the id (two jobs without
    ids both have "0", "1"...), so that the item runs instead of being skipped.
    """
    try:
        text = json.dumps([request.method, request.path, request.body], default=repr)
    except (TypeError, ValueError, RecursionError):  # unsendable as well: the item fails alone
        return "unreadable"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def checkpoint_line(result: BatchResult, digest: str | None, data: object) -> dict[str, Any]:
    """The line a finished item gets: the JSON as received, so any cast_to can be remade."""
    line: dict[str, Any] = {
        "id": result.id,
        "index": result.index,
        "digest": digest,
        "ok": result.ok,
        "attempts": result.attempts,
    }
    if result.ok:
        line["response"] = data
        line["usage"] = dict(result.usage) if result.usage else None
    else:
        assert result.error is not None
        line["error"] = error_record(result.error)
    return line
