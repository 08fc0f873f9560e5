"""Decoding embeddings: JSON numbers against ``encoding_format="base64"``, in process.

No server: it times what the client does with an answer's body, ``json.loads`` and
structuring into ``CreateEmbeddingResponse``, for the same vectors sent both ways, and
the ways the standard library can decode one base64 vector (the client uses ``array``).

    python benchmarks/bench_embeddings.py [--vectors 100] [--dimensions 1536]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import random
import struct
import timeit
from array import array
from collections.abc import Callable

from openai_async._models import structurer
from openai_async.types import CreateEmbeddingResponse
from openai_async.types._embedding import decode_base64_vector


def _best(run: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(run, number=number, repeat=7)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=100)
    parser.add_argument("--dimensions", type=int, default=1536)
    args = parser.parse_args()
    n, count = args.dimensions, args.vectors
    rng = random.Random(0)
    rows = []
    for _ in range(count):
        packed = struct.pack(f"<{n}f", *(rng.uniform(-0.1, 0.1) for _ in range(n)))
        rows.append((list(struct.unpack(f"<{n}f", packed)), base64.b64encode(packed).decode()))

    def body(kind: int) -> bytes:
        data = [
            {"object": "embedding", "index": i, "embedding": r[kind]} for i, r in enumerate(rows)
        ]
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        return json.dumps({"object": "list", "model": "m", "data": data, "usage": usage}).encode()

    structure = structurer(CreateEmbeddingResponse)
    floats, packed_body = body(0), body(1)
    whole = {
        name: structure(json.loads(raw))
        for name, raw in (("float", floats), ("base64", packed_body))
    }
    assert [e.embedding for e in whole["float"]] == [e.embedding for e in whole["base64"]]
    print(f"{count} vectors of {n} values, answer decoded and structured:")
    times = {}
    for name, raw in (("float", floats), ("base64", packed_body)):
        times[name] = _best(lambda raw=raw: structure(json.loads(raw)), 5)
        print(f"  {name:7s} {len(raw):>9,d} bytes  {times[name] * 1e3:8.2f} ms")
    print(f"  base64 / float: {times['base64'] / times['float']:.2f}x the time")

    text = rows[0][1]

    def with_array() -> list[float]:
        values = array("f")
        values.frombytes(binascii.a2b_base64(text, strict_mode=True))
        return values.tolist()

    ways: dict[str, Callable[[], list[float]]] = {
        "decode_base64_vector (b64decode, array)": lambda: decode_base64_vector(text),
        "a2b_base64 strict, array": with_array,
        "a2b_base64 strict, memoryview.cast": lambda: (
            memoryview(binascii.a2b_base64(text, strict_mode=True)).cast("f").tolist()
        ),
        "a2b_base64 strict, struct.unpack": lambda: list(
            struct.unpack(f"<{n}f", binascii.a2b_base64(text, strict_mode=True))
        ),
    }
    print(f"one vector of {n} values from base64:")
    for name, way in ways.items():
        assert way() == rows[0][0]
        print(f"  {name:42s} {_best(way, 500) * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
