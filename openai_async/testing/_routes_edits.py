"""``POST /v1/edits``: applies instructions it recognises, deterministically."""

from __future__ import annotations

from collections.abc import Mapping

from ._app import State, route
from ._bodies import Invalid, checked, json_body, optional, required
from ._fixtures import CREATED
from ._http import ServerRequest, ServerResponse, json_response


def apply_instruction(instruction: str, text: str) -> str:
    """Upper-case, lower-case or reverse the words when asked to; otherwise keep the text."""
    wanted = instruction.lower()
    if "upper" in wanted:
        return text.upper()
    if "lower" in wanted:
        return text.lower()
    if "reverse" in wanted:
        return " ".join(reversed(text.split()))
    return text


@route("POST", r"/v1/edits")
@checked
async def create_edit(
    state: State, request: ServerRequest, params: Mapping[str, str]
) -> ServerResponse:
    body = json_body(request)
    required(body, "model", str)
    instruction = required(body, "instruction", str)
    text = optional(body, "input", str, "")
    n = optional(body, "n", int, 1)
    if not 1 <= n <= 20:
        raise Invalid(f"{n} is not valid for 'n': it must be from 1 to 20.", "n")
    optional(body, "temperature", float, 1)
    optional(body, "top_p", float, 1)
    edited = apply_instruction(instruction, text)
    prompt_tokens = len(text.split()) + len(instruction.split())
    completion_tokens = n * len(edited.split())
    return json_response(
        {
            "object": "edit",
            "created": CREATED,
            "choices": [{"text": edited, "index": i, "finish_reason": "stop"} for i in range(n)],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )
