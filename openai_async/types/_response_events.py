"""The events of a streamed ``/responses`` answer, told apart by their ``type``.

The stream ends with ``response.completed``, ``response.failed`` or
``response.incomplete``. An event of a kind not modelled here (built-in tools'
progress, audio, and kinds newer than this client) is a ``ResponseEvent`` that keeps
all of it: its fields read as attributes and through ``to_dict()``.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, Union

import attrs

from .._models import APIObject, register_tagged_union
from ._responses import Response, ResponseContent, ResponseOutputItem, sent_field, tag

__all__ = [
    "ResponseCompletedEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseErrorEvent",
    "ResponseEvent",
    "ResponseFailedEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseQueuedEvent",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningSummaryTextDoneEvent",
    "ResponseRefusalDeltaEvent",
    "ResponseRefusalDoneEvent",
    "ResponseStreamEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
]


@attrs.frozen(kw_only=True)
class ResponseCreatedEvent(APIObject):
    """The first event: the response as it starts (``status == "in_progress"``)."""

    type: Literal["response.created"] = tag("response.created")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseQueuedEvent(APIObject):
    type: Literal["response.queued"] = tag("response.queued")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseInProgressEvent(APIObject):
    type: Literal["response.in_progress"] = tag("response.in_progress")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseCompletedEvent(APIObject):
    """The last event of a response that finished: the whole response."""

    type: Literal["response.completed"] = tag("response.completed")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseFailedEvent(APIObject):
    """The last event of a response that failed; ``response.error`` says why."""

    type: Literal["response.failed"] = tag("response.failed")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseIncompleteEvent(APIObject):
    """The last event of a response cut short; ``response.incomplete_details`` says why."""

    type: Literal["response.incomplete"] = tag("response.incomplete")
    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True)
class ResponseOutputItemAddedEvent(APIObject):
    type: Literal["response.output_item.added"] = tag("response.output_item.added")
    sequence_number: int = 0
    output_index: int = 0
    item: ResponseOutputItem


@attrs.frozen(kw_only=True)
class ResponseOutputItemDoneEvent(APIObject):
    type: Literal["response.output_item.done"] = tag("response.output_item.done")
    sequence_number: int = 0
    output_index: int = 0
    item: ResponseOutputItem


@attrs.frozen(kw_only=True)
class ResponseContentPartAddedEvent(APIObject):
    type: Literal["response.content_part.added"] = tag("response.content_part.added")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    part: ResponseContent


@attrs.frozen(kw_only=True)
class ResponseContentPartDoneEvent(APIObject):
    type: Literal["response.content_part.done"] = tag("response.content_part.done")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    part: ResponseContent


@attrs.frozen(kw_only=True)
class ResponseTextDeltaEvent(APIObject):
    """A piece of text: join the ``delta`` of these events for the text so far."""

    type: Literal["response.output_text.delta"] = tag("response.output_text.delta")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    delta: str = ""
    logprobs: list[Any] | None = None


@attrs.frozen(kw_only=True)
class ResponseTextDoneEvent(APIObject):
    type: Literal["response.output_text.done"] = tag("response.output_text.done")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    text: str = ""
    logprobs: list[Any] | None = None


@attrs.frozen(kw_only=True)
class ResponseRefusalDeltaEvent(APIObject):
    type: Literal["response.refusal.delta"] = tag("response.refusal.delta")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True)
class ResponseRefusalDoneEvent(APIObject):
    type: Literal["response.refusal.done"] = tag("response.refusal.done")
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    refusal: str = ""


@attrs.frozen(kw_only=True)
class ResponseFunctionCallArgumentsDeltaEvent(APIObject):
    type: Literal["response.function_call_arguments.delta"] = tag(
        "response.function_call_arguments.delta"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True)
class ResponseFunctionCallArgumentsDoneEvent(APIObject):
    type: Literal["response.function_call_arguments.done"] = tag(
        "response.function_call_arguments.done"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    name: str | None = None
    arguments: str = ""


@attrs.frozen(kw_only=True)
class ResponseReasoningSummaryTextDeltaEvent(APIObject):
    type: Literal["response.reasoning_summary_text.delta"] = tag(
        "response.reasoning_summary_text.delta"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    summary_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True)
class ResponseReasoningSummaryTextDoneEvent(APIObject):
    type: Literal["response.reasoning_summary_text.done"] = tag(
        "response.reasoning_summary_text.done"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    summary_index: int = 0
    text: str = ""


@attrs.frozen(kw_only=True)
class ResponseErrorEvent(APIObject):
    """An ``error`` event sent without its ``event: error`` name.

    Named ones raise ``StreamEventError``, as errors inside any stream do; this one
    ends the stream as its last event.
    """

    type: Literal["error"] = tag("error")
    sequence_number: int = 0
    code: str | None = None
    message: str = ""
    param: str | None = None


@attrs.frozen(kw_only=True)
class ResponseEvent(APIObject):
    """An event of a kind not modelled here (built-in tools' progress, audio, ...)."""

    type: str = ""
    sequence_number: int = 0

    def __getattr__(self, name: str) -> Any:
        return sent_field(self, name)


ResponseStreamEvent: TypeAlias = Union[  # noqa: UP007
    ResponseCreatedEvent,
    ResponseQueuedEvent,
    ResponseInProgressEvent,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
    ResponseErrorEvent,
    ResponseEvent,
]

register_tagged_union(ResponseStreamEvent, ResponseEvent)
