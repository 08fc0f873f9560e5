"""``/v1/completions``: an echoing completion model, whole or streamed.

The completion of a prompt is `` Echo: <prompt>`` (`` Echo k: <prompt>`` for choice k
when ``n > 1``); a token-id prompt reads as ``<id> <id> ...``. Choice ``index`` is
``prompt_position * n + k``. ``max_tokens`` defaults to 16, as on the real service.
A stream with ``stream_options.include_usage`` ends with a chunk of no choices that
carries the usage (the others carry ``"usage": null``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._app import State, current_fault, error_response, route
from ._bodies import checked, json_body
from ._events import sse_response
from ._fixtures import CREATED
from ._generate import check_sampling, count_tokens, generate, tokenize
from ._http import ServerRequest, ServerResponse, json_response

_DEFAULT_MAX_TOKENS = 16
_EOT = "<|endoftext|>"


def _prompts(prompt: object) -> list[str] | None:
    """The prompts as texts, or None when ``prompt`` has none of the four shapes."""
    if prompt is None:
        return [_EOT]
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt:
        if all(isinstance(p, str) for p in prompt):
            return list(prompt)
        if all(isinstance(t, int) for t in prompt):
            return [" ".join(f"<{t}>" for t in prompt)]
        if all(isinstance(p, list) and p and all(isinstance(t, int) for t in p) for p in prompt):
            return [" ".join(f"<{t}>" for t in p) for p in prompt]
    return None


def _logprobs(tokens: list[str], top: int, start: int, first: int = 0) -> dict[str, Any]:
    offsets, position = [], start
    for token in tokens:
        offsets.append(position)
        position += len(token)
    lps = [round(-0.25 * ((first + i) % 4 + 1), 2) for i in range(len(tokens))]
    return {
        "tokens": tokens,
        "token_logprobs": lps,
        "top_logprobs": [
            {token: lp, **{f" alt{j}": lp - j - 1 for j in range(1, top)}}
            for token, lp in zip(tokens, lps, strict=True)
        ],
        "text_offset": offsets,
    }


@route("POST", r"/v1/completions")
@checked
async def create_completion(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    if not isinstance(body.get("model"), str):
        return error_response(400, "you must provide a model parameter", param="model")
    prompts = _prompts(body.get("prompt"))
    if prompts is None:
        return error_response(400, "prompt has an unsupported shape", param="prompt")
    if len(prompts) > 1 and not state.packed_prompts:
        # What llama.cpp's server does with a list of prompts.
        return error_response(500, "prompt must be a string", type="server_error")
    bad = check_sampling(body)
    if bad is not None:
        return error_response(400, bad[1], param=bad[0])
    top = body.get("logprobs")
    if top is not None and (not isinstance(top, int) or not 0 <= top <= 5):
        return error_response(400, "logprobs must be an integer from 0 to 5", param="logprobs")
    stream_options = body.get("stream_options")
    if stream_options is not None and not body.get("stream"):
        return error_response(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )
    include_usage = isinstance(stream_options, dict) and bool(stream_options.get("include_usage"))
    n = body.get("n") or 1
    max_tokens = body.get("max_tokens", _DEFAULT_MAX_TOKENS)
    echo = bool(body.get("echo"))
    choices = []
    for position, prompt in enumerate(prompts):
        for k in range(n):
            text = f" Echo {k}: {prompt}" if n > 1 else f" Echo: {prompt}"
            tokens, finish_reason = generate(text, max_tokens=max_tokens, stop=body.get("stop"))
            if echo:
                tokens = tokenize(prompt) + tokens
            choices.append((position * n + k, tokens, finish_reason))
    completion_id = state.new_id("cmpl")
    head = {
        "id": completion_id,
        "object": "text_completion",
        "created": CREATED,
        "model": body["model"],
    }
    if state.out_of_order:
        choices.reverse()
    prompt_tokens = sum(count_tokens(p) for p in prompts)
    completion_tokens = sum(len(tokens) for _, tokens, _ in choices)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if body.get("stream"):
        chunks = _chunks(head, choices, top)
        if include_usage:
            chunks = _with_usage(chunks, {**head, "choices": [], "usage": usage})
        return sse_response(chunks, current_fault())
    return json_response(
        {
            **head,
            "choices": [
                {
                    "text": "".join(tokens),
                    "index": index,
                    "logprobs": None if top is None else _logprobs(tokens, top, 0),
                    "finish_reason": finish_reason,
                }
                for index, tokens, finish_reason in choices
            ],
            "usage": usage,
        }
    )


def _with_usage(chunks: Iterator[dict[str, Any]], last: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for chunk in chunks:
        yield {**chunk, "usage": None}
    yield last


def _chunks(
    head: Mapping[str, Any], choices: list[tuple[int, list[str], str]], top: int | None
) -> Iterator[dict[str, Any]]:
    longest = max(len(tokens) for _, tokens, _ in choices)
    offsets = {index: 0 for index, _, _ in choices}
    for step in range(longest + 1):
        for index, tokens, finish_reason in choices:
            if step < len(tokens):
                token, reason = tokens[step], None
            elif step == len(tokens):
                token, reason = "", finish_reason
            else:
                continue
            logprobs = None
            if top is not None and token:
                logprobs = _logprobs([token], top, offsets[index], step)
            offsets[index] += len(token)
            choice = {"text": token, "index": index, "logprobs": logprobs, "finish_reason": reason}
            yield {**head, "choices": [choice]}
