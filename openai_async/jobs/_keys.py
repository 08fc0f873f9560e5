"""Each item's ``Idempotency-Key``: fixed before its first send, the same after a crash.

A key is derived, not drawn: an HMAC of the item's id, the digest of what it sends
and how many finished runs of it the checkpoint holds, under a random salt of the
job. The salt is written to the checkpoint once, before the first keyed request
leaves, so a job resumed from that checkpoint derives the same key for every item
that was in flight when it died, and the server can drop the duplicate.

- Another job (another checkpoint, or none) draws another salt: jobs over the same
  input never share a key.
- An item whose request changed since (another digest) gets a new key, as does an
  item run again after it failed (``retry_failed``): an idempotent server would
  otherwise answer it with the failure it kept.
- The key reveals nothing of the prompt or the id: without the salt it is noise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid

__all__ = ["item_key", "new_salt"]


def new_salt() -> str:
    """A fresh job salt: 128 random bits, as hex."""
    return secrets.token_hex(16)


def item_key(salt: str, item_id: str, digest: str | None, run: int) -> str:
    """The ``Idempotency-Key`` of one item: the same arguments give the same key.

    ``run`` counts the finished (failed) runs of the item recorded before this one.
    The key has the shape of the client's own keys, ``openai-async-`` and a UUID.
    """
    # A JSON list keeps the parts apart: ("a", "b") and ("a\0b", ...) never collide.
    message = json.dumps([item_id, digest, run]).encode()
    mac = hmac.new(salt.encode(), message, hashlib.sha256).digest()
    # Shaped as a version-4 UUID (six bits fixed): 122 bits of the MAC remain.
    return f"openai-async-{uuid.UUID(bytes=mac[:16], version=4)}"
