"""Pure pieces of batch jobs: token estimates, the checkpoint file, option checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_async import AsyncClient, BatchRequest, InvalidParameterError
from openai_async._tokens import approximate_tokens, estimate_request_tokens
from openai_async.jobs._checkpoint import Checkpoint
from openai_async.testing._limits import format_reset
from openai_async.types import ChatCompletionMessage


def test_estimate_chat_uses_max_tokens_and_n() -> None:
    """A chat request costs its messages plus max_tokens for each of n choices."""
    body = {"messages": [{"role": "user", "content": "x" * 40}], "max_tokens": 50, "n": 2}
    assert estimate_request_tokens("chat/completions", body) == 4 + 10 + 100


def test_estimate_chat_without_max_tokens_guesses_nothing() -> None:
    """Without max_tokens a chat request is charged its prompt only."""
    body = {"messages": [{"role": "user", "content": "abcd" * 5, "name": "bob_1"}]}
    assert estimate_request_tokens("/v1/chat/completions", body) == 4 + 5 + 2


def test_chat_item_carries_reply_models_as_json() -> None:
    """A reply model among a chat item's messages becomes its JSON object, nulls left out."""
    user = {"role": "user", "content": "x"}
    request = BatchRequest.chat(model="m", messages=[user, ChatCompletionMessage(content="hi")])
    assert request.body == {
        "model": "m",
        "messages": [user, {"role": "assistant", "content": "hi"}],
    }


def test_estimate_completions_default_budget_per_prompt() -> None:
    """Packed completions get the documented default of 16 tokens per prompt."""
    body = {"prompt": ["a" * 8, "b" * 8, "c" * 8]}
    assert estimate_request_tokens("completions", body) == 6 + 16 * 3
    assert estimate_request_tokens("completions", {"prompt": [1, 2, 3], "max_tokens": 5}) == 8


def test_estimate_embeddings_and_custom_counter() -> None:
    """Inputs count through the pluggable counter; token lists count as their length."""
    words = estimate_request_tokens(
        "embeddings", {"input": ["one two", "three"]}, lambda s: len(s.split())
    )
    assert words == 3
    assert estimate_request_tokens("embeddings", {"input": [[1, 2], [3]]}) == 3


@given(st.text())
def test_approximate_tokens_is_quarter_of_characters(text: str) -> None:
    """The default counter rounds len/4 up."""
    assert approximate_tokens(text) * 4 - 4 < len(text) <= approximate_tokens(text) * 4


def test_checkpoint_cuts_torn_last_line(tmp_path: Path) -> None:
    """A torn last line is dropped on open and its item is not counted as finished."""
    path = tmp_path / "run.jsonl"
    path.write_text('{"id": "a", "ok": true}\n{"id": "b", "ok": false}\n{"id": "c", "ok"')
    checkpoint = Checkpoint(path)
    checkpoint.open()
    assert set(checkpoint.records) == {"a", "b"}
    checkpoint.append({"id": "c", "ok": True})
    checkpoint.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]


def test_checkpoint_keeps_a_whole_last_line_without_newline(tmp_path: Path) -> None:
    """A last record saved without its newline (by an editor, say) still counts."""
    path = tmp_path / "run.jsonl"
    path.write_text('{"id": "a", "ok": true}\n{"id": "b", "ok": true}')
    checkpoint = Checkpoint(path)
    checkpoint.open()
    checkpoint.append({"id": "c", "ok": True})
    checkpoint.close()
    assert set(checkpoint.records) == {"a", "b", "c"}
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == ["a", "b", "c"]


def test_checkpoint_last_line_wins(tmp_path: Path) -> None:
    """An id written twice (failed, then retried) counts as its last record, run twice."""
    path = tmp_path / "run.jsonl"
    path.write_text('{"id": "a", "ok": false}\n{"id": "a", "ok": true}\n')
    checkpoint = Checkpoint(path)
    checkpoint.open()
    checkpoint.close()
    assert checkpoint.records == {"a": {"ok": True, "runs": 2}}


def test_checkpoint_keeps_only_what_a_resume_needs(tmp_path: Path) -> None:
    """Responses stay on disk: in memory each id keeps only ok, digest and its line count."""
    path = tmp_path / "run.jsonl"
    big = {"id": "chatcmpl-1", "choices": [{"text": "x" * 10_000}]}
    path.write_text(json.dumps({"id": "a", "ok": True, "digest": "d1", "response": big}) + "\n")
    checkpoint = Checkpoint(path)
    checkpoint.open()
    checkpoint.append({"id": "b", "ok": True, "digest": "d2", "response": big, "attempts": 1})
    checkpoint.close()
    assert checkpoint.records == {
        "a": {"ok": True, "digest": "d1", "runs": 1},
        "b": {"ok": True, "digest": "d2", "runs": 1},
    }
    assert json.loads(path.read_text().splitlines()[1])["response"] == big


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.02, "20ms"), (1.5, "1.5s"), (360, "6m0s"), (0.0001, "1ms")]
)
def test_server_reset_format(seconds: float, text: str) -> None:
    """The server writes resets the way the service does."""
    assert format_reset(seconds) == text


def test_estimate_takes_tuples_and_never_goes_negative() -> None:
    """Tuples count like lists; a negative budget costs nothing rather than less than nothing."""
    message = {"role": "user", "content": "x" * 40}
    as_list = {"messages": [message], "max_tokens": 5}
    as_tuple = {"messages": (message,), "max_tokens": 5}
    assert estimate_request_tokens("chat/completions", as_tuple) == 4 + 10 + 5
    assert estimate_request_tokens("chat/completions", as_list) == 4 + 10 + 5
    assert estimate_request_tokens("embeddings", {"input": ("a" * 8, (1, 2))}) == 4
    assert estimate_request_tokens("completions", {"prompt": ("abcd", "efgh")}) == 2 + 16 * 2
    assert estimate_request_tokens("completions", {"prompt": "x", "max_tokens": -999}) == 0


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("requests_per_minute", "100"),
        ("tokens_per_minute", float("nan")),
        ("requests_per_minute", float("inf")),
        ("period", float("inf")),
        ("period", "60"),
        ("max_concurrency", True),
        ("limiter", "redis://localhost"),
    ],
)
def test_bad_option_types_name_the_option(option: str, value: object) -> None:
    """An option of the wrong type or out of range is refused, by name, before anything runs."""
    client = AsyncClient(api_key="")
    with pytest.raises(InvalidParameterError) as info:
        client.batch([], **{option: value})  # type: ignore[arg-type]
    assert info.value.param == option


class _Revealing:
    """An object that gives a secret away wherever it is turned into text."""

    def __repr__(self) -> str:
        return "sk-revealed-0042"

    __str__ = __repr__


@pytest.mark.parametrize("option", ["requests_per_minute", "period", "deadline"])
def test_bad_options_are_named_not_shown(option: str) -> None:
    """A wrong object is named by its type only: its str() or repr() may hold a secret."""
    client = AsyncClient(api_key="")
    with pytest.raises(InvalidParameterError) as info:
        client.batch([], **{option: _Revealing()})  # type: ignore[arg-type]
    assert info.value.param == option
    assert "sk-revealed" not in str(info.value)
    assert "_Revealing" in str(info.value)


def test_ids_are_strings() -> None:
    """An int id becomes its str, so it matches its checkpoint line on resume."""
    assert BatchRequest.chat(id=101, model="m", messages=[]).id == "101"
    assert BatchRequest(path="models", method="GET").id is None


def test_checkpoint_keeps_the_batches_asked_for_until_recorded(tmp_path: Path) -> None:
    """A batch tag stays asked for until a batch line names it; old batch lines have none."""
    path = tmp_path / "run.jsonl"
    checkpoint = Checkpoint(path)
    checkpoint.open()
    checkpoint.ask_batch("t1", ["a", "b"])
    checkpoint.ask_batch("t2", ["c"])
    checkpoint.append_batch("batch_1", ["a", "b"], "t1")
    checkpoint.append_batch("batch_0", ["z"])  # as written before tags
    checkpoint.close()
    checkpoint.open()
    checkpoint.close()
    assert list(checkpoint.asked) == ["t2"]
    assert checkpoint.asked["t2"][0] == ["c"]
    assert checkpoint.batches == {"batch_1": ["a", "b"], "batch_0": ["z"]}
