"""Every endpoint beyond chat, once, against the bundled local server.

    python examples/endpoints.py

Runs offline: the answers are the local server's deterministic ones. Point the same
calls at the real API by building the client without ``base_url`` (OpenAI retired
/edits and /engines in 2024, so skip those there).
"""

from __future__ import annotations

import asyncio
import tempfile
import warnings
from pathlib import Path

from openai_async import AsyncClient
from openai_async.testing import LocalServer
from openai_async.testing._routes_images import solid_png  # a real PNG, made locally


async def tour(client: AsyncClient, workdir: Path) -> None:
    edit = await client.edits.create(
        model="text-davinci-edit-001", input="hello world", instruction="Make it upper case"
    )
    print("edit:", edit.choices[0].text)

    vectors = await client.embeddings.create(
        model="text-embedding-ada-002", input=["first", "second"], encoding_format="base64"
    )
    print("embeddings:", [round(x, 3) for x in vectors.data[0].embedding[:4]], "...")

    verdict = (await client.moderations.create(input="I will kill them")).results[0]
    print("moderation: flagged", verdict.flagged, "violence", verdict.categories.violence)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # engines are deprecated
        print("engines:", len(await client.engines.list()))

    training = workdir / "train.jsonl"
    training.write_text('{"prompt": "2+2=", "completion": " 4"}\n')
    uploaded = await client.files.create(file=training, purpose="fine-tune")
    print("file:", uploaded.id, uploaded.filename, uploaded.bytes, "bytes")
    copy = workdir / "copy.jsonl"
    await client.files.download(uploaded.id, copy)
    assert copy.read_bytes() == await client.files.content(uploaded.id)
    print("deleted:", (await client.files.delete(uploaded.id)).deleted)

    print(
        "image url:", (await client.images.generate(prompt="an otter", size="256x256")).data[0].url
    )
    png = solid_png(64, 64, (30, 120, 200))
    edited = await client.images.edit(image=("otter.png", png, "image/png"), prompt="a beret")
    print("edited:", edited.data[0].url)
    varied = await client.images.create_variation(image=png, n=2, response_format="b64_json")
    print("variations:", len(varied), "PNGs")

    audio = ("speech.mp3", b"ID3" + bytes(47_997), "audio/mpeg")
    text = await client.audio.transcriptions.create(file=audio, model="whisper-1")
    print("transcription:", text.text)
    srt = await client.audio.translations.create(
        file=audio, model="whisper-1", response_format="srt"
    )
    print("translation (srt):", srt.splitlines()[:3])


def main() -> None:
    with LocalServer() as server, tempfile.TemporaryDirectory() as workdir:

        async def run() -> None:
            async with AsyncClient(base_url=server.url, api_key="") as client:
                await tour(client, Path(workdir))

        asyncio.run(run())


if __name__ == "__main__":
    main()
