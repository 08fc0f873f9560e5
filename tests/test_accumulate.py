"""The accumulators, as pure functions of hand-made chunks (no server involved)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from openai_async import ChatCompletionAccumulator, CompletionAccumulator
from openai_async._models import structure
from openai_async.types import ChatCompletionChunk, Completion, CompletionUsage


def chunk(
    index: int, delta: dict[str, Any], finish_reason: str | None = None
) -> ChatCompletionChunk:
    return structure(
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 7,
            "model": "m",
            "choices": [{"index": index, "delta": delta, "finish_reason": finish_reason}],
        },
        ChatCompletionChunk,
    )


def test_content_role_finish_reason() -> None:
    """Content pieces join; role and finish reason are kept; id, model, created too."""
    acc = ChatCompletionAccumulator()
    acc.add(chunk(0, {"role": "assistant", "content": ""}))
    acc.add(chunk(0, {"content": "Hel"}))
    acc.add(chunk(0, {"content": "lo"}))
    acc.add(chunk(0, {}, "length"))
    result = acc.result()
    assert (result.id, result.model, result.created) == ("c1", "m", 7)
    choice = result.choices[0]
    assert (choice.message.role, choice.message.content, choice.finish_reason) == (
        "assistant",
        "Hello",
        "length",
    )
    assert choice.message.function_call is None


def test_content_never_sent_stays_none() -> None:
    """A choice whose deltas never carried content has content None, not ""."""
    acc = ChatCompletionAccumulator()
    acc.add(chunk(0, {"role": "assistant", "function_call": {"name": "f", "arguments": ""}}))
    acc.add(chunk(0, {"function_call": {"arguments": '{"a"'}}))
    acc.add(chunk(0, {"function_call": {"arguments": ": 1}"}}))
    acc.add(chunk(0, {}, "function_call"))
    message = acc.result().choices[0].message
    assert message.content is None
    assert message.function_call is not None
    assert (message.function_call.name, message.function_call.arguments) == ("f", '{"a": 1}')


def test_function_name_in_pieces_is_joined() -> None:
    """A name streamed in parts (some servers do) is concatenated."""
    acc = ChatCompletionAccumulator()
    acc.add(chunk(0, {"function_call": {"name": "get_"}}))
    acc.add(chunk(0, {"function_call": {"name": "weather", "arguments": "{}"}}))
    call = acc.result().choices[0].message.function_call
    assert call is not None
    assert (call.name, call.arguments) == ("get_weather", "{}")


def test_choices_by_index_in_any_order() -> None:
    """Interleaved chunks of several choices land in their own choice, sorted by index."""
    acc = ChatCompletionAccumulator()
    acc.add(chunk(2, {"content": "c"}))
    acc.add(chunk(0, {"content": "a"}))
    acc.add(chunk(2, {"content": "C"}, "stop"))
    acc.add(chunk(0, {"content": "A"}, "length"))
    choices = acc.result().choices
    assert [(c.index, c.message.content, c.finish_reason) for c in choices] == [
        (0, "aA", "length"),
        (2, "cC", "stop"),
    ]


def test_usage_from_a_chunk_is_kept() -> None:
    """A usage object on a (final) chunk ends up on the result."""
    acc = ChatCompletionAccumulator()
    last = chunk(0, {}, "stop")
    usage = CompletionUsage(prompt_tokens=1, completion_tokens=2, total_tokens=3)
    acc.add(ChatCompletionChunk(id=last.id, choices=last.choices, usage=usage))
    assert acc.result().usage == usage


def test_empty_accumulator() -> None:
    """No chunks: an empty completion, not an exception."""
    assert ChatCompletionAccumulator().result().choices == []
    assert CompletionAccumulator().result().choices == []


@given(st.lists(st.text(max_size=5), max_size=20), st.lists(st.text(max_size=5), max_size=20))
def test_any_split_of_content_accumulates_to_the_whole(a: list[str], b: list[str]) -> None:
    """However two choices' texts are cut into deltas and interleaved, each adds up."""
    acc = ChatCompletionAccumulator()
    for i in range(max(len(a), len(b))):
        if i < len(a):
            acc.add(chunk(0, {"content": a[i]}))
        if i < len(b):
            acc.add(chunk(1, {"content": b[i]}))
    by_index = {c.index: c.message.content for c in acc.result().choices}
    if a:
        assert by_index[0] == "".join(a)
    if b:
        assert by_index[1] == "".join(b)


def completion_chunk(index: int, text: str, logprob: float | None = None) -> Completion:
    logprobs = None
    if logprob is not None:
        logprobs = {
            "tokens": [text],
            "token_logprobs": [logprob],
            "top_logprobs": [{text: logprob}],
            "text_offset": [0],
        }
    choice = {"text": text, "index": index, "logprobs": logprobs, "finish_reason": None}
    return structure({"id": "x", "model": "m", "choices": [choice]}, Completion)


def test_completion_text_and_logprobs_join() -> None:
    """Completion chunks join text per index and concatenate their logprobs."""
    acc = CompletionAccumulator()
    acc.add(completion_chunk(1, " b", -0.5))
    acc.add(completion_chunk(0, " a", -0.1))
    acc.add(completion_chunk(1, " c", -0.2))
    choices = acc.result().choices
    assert [(c.index, c.text) for c in choices] == [(0, " a"), (1, " b c")]
    logprobs = choices[1].logprobs
    assert logprobs is not None
    assert logprobs.tokens == [" b", " c"]
    assert logprobs.token_logprobs == [-0.5, -0.2]
    assert logprobs.top_logprobs == [{" b": -0.5}, {" c": -0.2}]
