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


@attrs.frozen(kw_only=True, slots=False)
class _ResponseStateEvent(APIObject):
    """The events that carry the whole response as it stands."""

    sequence_number: int = 0
    response: Response


@attrs.frozen(kw_only=True, slots=False)
class _OutputItemEvent(APIObject):
    """The events about one output item as a whole."""

    sequence_number: int = 0
    output_index: int = 0
    item: ResponseOutputItem


@attrs.frozen(kw_only=True, slots=False)
class _ContentEvent(APIObject):
    """The events about one content part of one output item."""

    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0


@attrs.frozen(kw_only=True, slots=False)
class ResponseCreatedEvent(_ResponseStateEvent):
    """The first event: the response as it starts (``status == "in_progress"``)."""

    type: Literal["response.created"] = tag("response.created")


@attrs.frozen(kw_only=True, slots=False)
class ResponseQueuedEvent(_ResponseStateEvent):
    type: Literal["response.queued"] = tag("response.queued")


@attrs.frozen(kw_only=True, slots=False)
class ResponseInProgressEvent(_ResponseStateEvent):
    type: Literal["response.in_progress"] = tag("response.in_progress")


@attrs.frozen(kw_only=True, slots=False)
class ResponseCompletedEvent(_ResponseStateEvent):
    """The last event of a response that finished: the whole response."""

    type: Literal["response.completed"] = tag("response.completed")


@attrs.frozen(kw_only=True, slots=False)
class ResponseFailedEvent(_ResponseStateEvent):
    """The last event of a response that failed; ``response.error`` says why."""

    type: Literal["response.failed"] = tag("response.failed")


@attrs.frozen(kw_only=True, slots=False)
class ResponseIncompleteEvent(_ResponseStateEvent):
    """The last event of a response cut short; ``response.incomplete_details`` says why."""

    type: Literal["response.incomplete"] = tag("response.incomplete")


@attrs.frozen(kw_only=True, slots=False)
class ResponseOutputItemAddedEvent(_OutputItemEvent):
    type: Literal["response.output_item.added"] = tag("response.output_item.added")


@attrs.frozen(kw_only=True, slots=False)
class ResponseOutputItemDoneEvent(_OutputItemEvent):
    type: Literal["response.output_item.done"] = tag("response.output_item.done")


@attrs.frozen(kw_only=True, slots=False)
class ResponseContentPartAddedEvent(_ContentEvent):
    type: Literal["response.content_part.added"] = tag("response.content_part.added")
    part: ResponseContent


@attrs.frozen(kw_only=True, slots=False)
class ResponseContentPartDoneEvent(_ContentEvent):
    type: Literal["response.content_part.done"] = tag("response.content_part.done")
    part: ResponseContent


@attrs.frozen(kw_only=True, slots=False)
class ResponseTextDeltaEvent(_ContentEvent):
    """A piece of text: join the ``delta`` of these events for the text so far."""

    type: Literal["response.output_text.delta"] = tag("response.output_text.delta")
    delta: str = ""
    logprobs: list[Any] | None = None


@attrs.frozen(kw_only=True, slots=False)
class ResponseTextDoneEvent(_ContentEvent):
    type: Literal["response.output_text.done"] = tag("response.output_text.done")
    text: str = ""
    logprobs: list[Any] | None = None


@attrs.frozen(kw_only=True, slots=False)
class ResponseRefusalDeltaEvent(_ContentEvent):
    type: Literal["response.refusal.delta"] = tag("response.refusal.delta")
    delta: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseRefusalDoneEvent(_ContentEvent):
    type: Literal["response.refusal.done"] = tag("response.refusal.done")
    refusal: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseFunctionCallArgumentsDeltaEvent(APIObject):
    type: Literal["response.function_call_arguments.delta"] = tag(
        "response.function_call_arguments.delta"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseFunctionCallArgumentsDoneEvent(APIObject):
    type: Literal["response.function_call_arguments.done"] = tag(
        "response.function_call_arguments.done"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    name: str | None = None
    arguments: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseReasoningSummaryTextDeltaEvent(APIObject):
    type: Literal["response.reasoning_summary_text.delta"] = tag(
        "response.reasoning_summary_text.delta"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    summary_index: int = 0
    delta: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ResponseReasoningSummaryTextDoneEvent(APIObject):
    type: Literal["response.reasoning_summary_text.done"] = tag(
        "response.reasoning_summary_text.done"
    )
    sequence_number: int = 0
    item_id: str = ""
    output_index: int = 0
    summary_index: int = 0
    text: str = ""


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
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
