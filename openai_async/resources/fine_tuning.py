"""``client.fine_tuning.jobs``: today's fine-tuning jobs, their events and checkpoints.

The 2023 ``/fine-tunes`` endpoints stay in ``client.fine_tunes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, Required, TypedDict, Unpack

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._pages import AsyncPaginator
from .._request import Endpoint, RequestOptions, json_request, pop_options
from ..types import FineTuningJob, FineTuningJobCheckpoint, FineTuningJobEvent, ListResponse
from ._base import Resource, path_param, present
from ._checks import check_choice, check_range, check_types, json_body
from ._common import check_metadata, page_query

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = ["Checkpoints", "FineTuning", "FineTuningJobCreateParams", "Jobs"]

_MAX_SUFFIX: Final = 64  # "A string of up to 64 characters"
_MAX_SEED: Final = 2_147_483_647
_METHODS: Final = ("supervised", "dpo", "reinforcement")
_AUTO: Final = "auto"


class Hyperparameters(TypedDict, total=False):
    """A method's hyperparameters: numbers, or ``"auto"`` to let the service choose."""

    batch_size: int | Literal["auto"]
    learning_rate_multiplier: float | Literal["auto"]
    n_epochs: int | Literal["auto"]
    beta: float | Literal["auto"]  # dpo only


class FineTuningJobCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /fine_tuning/jobs``, as the latest API reference has them.

    ``method`` is ``{"type": "supervised" | "dpo" | "reinforcement", "<type>":
    {"hyperparameters": {...}}}`` (a reinforcement method also names its ``grader``);
    the top-level ``hyperparameters`` is its deprecated predecessor, for supervised
    jobs. ``integrations`` are ``{"type": "wandb", "wandb": {"project": ...}}``.
    """

    model: Required[str]
    training_file: Required[str]
    hyperparameters: Hyperparameters | Mapping[str, Any] | NotGiven | None
    suffix: str | NotGiven | None
    validation_file: str | NotGiven | None
    integrations: Sequence[Mapping[str, Any]] | NotGiven | None
    seed: int | NotGiven | None
    method: Mapping[str, Any] | NotGiven | None
    metadata: Mapping[str, str] | NotGiven | None


FINE_TUNING_JOBS = Endpoint("POST", "fine_tuning/jobs", FineTuningJob, FineTuningJobCreateParams)


def _job_path(fine_tuning_job_id: str, *rest: str) -> str:
    return "/".join(
        ["fine_tuning/jobs", path_param("fine_tuning_job_id", fine_tuning_job_id), *rest]
    )


def _check_hyperparameters(name: str, given: object) -> None:
    if given is None:
        return
    if not isinstance(given, Mapping):
        raise InvalidParameterError(name, f"expected a mapping, got {type(given).__name__}")
    bounds = {"batch_size": (1, 256), "n_epochs": (1, 50)}
    for key, (low, top) in bounds.items():
        value = given.get(key)
        if value != _AUTO:
            check_range(f"{name}.{key}", value, low, top)
    ceilings: dict[str, float | None] = {"learning_rate_multiplier": None, "beta": 2.0}
    for key, high in ceilings.items():
        value = given.get(key)
        if value is None or value == _AUTO:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidParameterError(
                f"{name}.{key}", f"expected a number or 'auto': {shown(value)}"
            )
        if not value > 0 or (high is not None and value > high):
            limit = "above 0" if high is None else f"above 0 and at most {high:g}"
            raise InvalidParameterError(f"{name}.{key}", f"must be {limit}, got {shown(value)}")


def _check_method(method: object) -> None:
    if method is None:
        return
    if not isinstance(method, Mapping):
        raise InvalidParameterError("method", f"expected a mapping, got {type(method).__name__}")
    kind = method.get("type")
    check_choice("method.type", kind, _METHODS)
    if kind is None:
        raise InvalidParameterError("method.type", f"is required: one of {', '.join(_METHODS)}")
    settings = method.get(kind)
    if settings is None:
        return
    if not isinstance(settings, Mapping):
        raise InvalidParameterError(f"method.{kind}", "expected a mapping")
    _check_hyperparameters(f"method.{kind}.hyperparameters", settings.get("hyperparameters"))
    if kind == "reinforcement" and settings.get("grader") is None:
        raise InvalidParameterError("method.reinforcement.grader", "is required")


def _check_integrations(integrations: object) -> None:
    if integrations is None:
        return
    if isinstance(integrations, str | bytes) or not isinstance(integrations, Sequence):
        raise InvalidParameterError("integrations", "expected a list of integrations")
    for position, integration in enumerate(integrations):
        name = f"integrations[{position}]"
        if not isinstance(integration, Mapping) or integration.get("type") != "wandb":
            raise InvalidParameterError(name, "expected {'type': 'wandb', 'wandb': {...}}")
        wandb = integration.get("wandb")
        if not isinstance(wandb, Mapping) or not isinstance(wandb.get("project"), str):
            raise InvalidParameterError(f"{name}.wandb.project", "is required (a string)")


def _create_body(params: Mapping[str, Any]) -> dict[str, Any]:
    body = json_body(**params)
    for name in ("model", "training_file"):
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidParameterError(name, f"expected a non-empty string, got {shown(value)}")
    suffix = body.get("suffix")
    if suffix is not None and (not isinstance(suffix, str) or not 1 <= len(suffix) <= _MAX_SUFFIX):
        raise InvalidParameterError("suffix", f"must be 1 to {_MAX_SUFFIX} characters")
    validation_file = body.get("validation_file")
    if validation_file is not None and (
        not isinstance(validation_file, str) or not validation_file
    ):
        raise InvalidParameterError("validation_file", "expected a file id")
    check_range("seed", body.get("seed"), 0, _MAX_SEED)
    _check_hyperparameters("hyperparameters", body.get("hyperparameters"))
    _check_method(body.get("method"))
    _check_integrations(body.get("integrations"))
    check_metadata("metadata", body.get("metadata"))
    return body


class Checkpoints(Resource):
    """``client.fine_tuning.jobs.checkpoints``: the models a job saved along the way."""

    __slots__ = ()

    def list(
        self,
        fine_tuning_job_id: str,
        *,
        after: str | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[FineTuningJobCheckpoint]:
        """``GET /fine_tuning/jobs/{id}/checkpoints``: await a page, ``async for`` all."""
        path = _job_path(fine_tuning_job_id, "checkpoints")
        pages = ListResponse[FineTuningJobCheckpoint]
        params = page_query(after, limit)
        return AsyncPaginator(
            self._client, path, pages, params=params, cursor=True, options=options
        )


class Jobs(Resource):
    """Create, list, follow, pause, resume and cancel fine-tuning jobs."""

    __slots__ = ("checkpoints",)

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.checkpoints = Checkpoints(client)

    async def create(self, **params: Unpack[FineTuningJobCreateParams]) -> FineTuningJob:
        """``POST /fine_tuning/jobs``: train ``model`` on ``training_file`` (a file id).

        The job starts ``validating_files``, then is ``queued``, ``running`` and ends
        ``succeeded`` (``fine_tuned_model`` names the new model), ``failed`` or
        ``cancelled``. Follow it with ``retrieve`` or ``list_events``.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, FineTuningJobCreateParams)
        return await self._client.call(FINE_TUNING_JOBS.request(_create_body(given), options))

    async def retrieve(
        self, fine_tuning_job_id: str, **options: Unpack[RequestOptions]
    ) -> FineTuningJob:
        """``GET /fine_tuning/jobs/{fine_tuning_job_id}``."""
        path = _job_path(fine_tuning_job_id)
        return await self._client.call(json_request("GET", path, FineTuningJob, options=options))

    def list(
        self,
        *,
        after: str | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        metadata: Mapping[str, str] | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[FineTuningJob]:
        """``GET /fine_tuning/jobs``, newest first: await a page, ``async for`` every job.

        ``metadata`` keeps the jobs carrying all of these pairs (sent as
        ``metadata[key]=value``); ``limit`` is a page's size, ``after`` a job id.
        """
        params = page_query(after, limit)
        check_metadata("metadata", metadata)
        for key, value in (present(metadata) or {}).items():
            params[f"metadata[{key}]"] = value
        pages = ListResponse[FineTuningJob]
        return AsyncPaginator(
            self._client, "fine_tuning/jobs", pages, params=params, cursor=True, options=options
        )

    async def cancel(
        self, fine_tuning_job_id: str, **options: Unpack[RequestOptions]
    ) -> FineTuningJob:
        """``POST /fine_tuning/jobs/{id}/cancel``: the job, now cancelled."""
        return await self._post(fine_tuning_job_id, "cancel", options)

    async def pause(
        self, fine_tuning_job_id: str, **options: Unpack[RequestOptions]
    ) -> FineTuningJob:
        """``POST /fine_tuning/jobs/{id}/pause``: a running job, paused (``resume`` goes on)."""
        return await self._post(fine_tuning_job_id, "pause", options)

    async def resume(
        self, fine_tuning_job_id: str, **options: Unpack[RequestOptions]
    ) -> FineTuningJob:
        """``POST /fine_tuning/jobs/{id}/resume``: a paused job, running again."""
        return await self._post(fine_tuning_job_id, "resume", options)

    async def _post(self, job_id: str, action: str, options: RequestOptions) -> FineTuningJob:
        path = _job_path(job_id, action)
        return await self._client.call(json_request("POST", path, FineTuningJob, options=options))

    def list_events(
        self,
        fine_tuning_job_id: str,
        *,
        after: str | NotGiven | None = None,
        limit: int | NotGiven | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[FineTuningJobEvent]:
        """``GET /fine_tuning/jobs/{id}/events``, newest first: await a page, or ``async for``.

        ``after`` is an event id: the page starts with the event before it.
        """
        path = _job_path(fine_tuning_job_id, "events")
        pages = ListResponse[FineTuningJobEvent]
        params = page_query(after, limit)
        return AsyncPaginator(
            self._client, path, pages, params=params, cursor=True, options=options
        )


class FineTuning(Resource):
    """The ``client.fine_tuning`` namespace; its member is ``jobs``."""

    __slots__ = ("jobs",)

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.jobs = Jobs(client)
