"""Today's CLI verbs against the local server: fine_tuning.jobs.*, batches.*, responses.*.

Output, the requests sent, errors and exit codes, as tests/test_cli.py has them for the
seed verbs (whose helpers these tests use).
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from openai_async.cli import EXIT, run
from openai_async.testing import LocalServer

from .conftest import API_KEY
from .test_cli import batch_input, cli, jsonl

pytestmark = pytest.mark.latest_spec(
    "/fine_tuning/jobs, /batches and /responses came after the 2023 spec"
)

EXAMPLE = {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}


@pytest.fixture
def training(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(EXAMPLE) + "\n" for _ in range(3)))
    return path


def one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    """The one stderr line a failed command printed, checked to name ``words``."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("openai-async: ")
    assert "Traceback" not in err
    assert API_KEY not in err
    for word in words:
        assert word in err
    return err


def event_messages(server: LocalServer, job_id: str) -> list[str]:
    """The messages of a job's events, oldest first, as the server holds them."""
    jobs = server.state.data["fine_tuning_jobs"]
    return [event["message"] for event in jobs[job_id]["_events"]]


# -- fine_tuning.jobs --------------------------------------------------------------------


def test_jobs_create_uploads_a_path_and_follows_to_the_end(
    server: LocalServer, training: Path
) -> None:
    """-t PATH is uploaded (purpose fine-tune), the job created, every event printed once."""
    server.configure_fine_tuning(step_seconds=0.01)
    argv = ["api", "fine_tuning.jobs.create", "-t", str(training), "-m", "gpt-4o-mini"]
    code, out = cli(server, *argv, "--n-epochs", "1", "--suffix", "mine", "--interval", "0.05")
    assert code == EXIT["ok"]
    lines = out.splitlines()
    assert lines[0].startswith(f"Uploaded {training}: file-")
    file_id = lines[0].split(": ")[1]
    assert lines[1].startswith("Created fine-tuning job: ftjob-")
    job_id = lines[1].split(": ")[1]
    printed = [line.split("] ", 1)[1] for line in lines[2:-1]]
    assert printed == event_messages(server, job_id)  # all, in order, none twice
    assert printed[-1] == "The job has successfully completed"
    assert lines[-1] == f"Job complete: ft:gpt-4o-mini:local:mine:{job_id.rsplit('-', 1)[1]}"
    upload, create = (r for r in server.requests if r.method == "POST")
    assert b'name="purpose"\r\n\r\nfine-tune' in upload.body
    assert create.json() == {
        "model": "gpt-4o-mini",
        "training_file": file_id,
        "suffix": "mine",
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}},
    }


def test_jobs_follow_prints_events_as_they_come(server: LocalServer, training: Path) -> None:
    """follow polls until the job ends: several polls, each event printed once, in order."""
    server.configure_fine_tuning(step_seconds=0.15)
    argv = ["api", "fine_tuning.jobs.create", "-t", str(training), "-m", "gpt-4o-mini"]
    [job] = jsonl(cli(server, *argv, "--no-follow", "--n-epochs", "1", json_lines=True)[1])[-1:]
    started = time.monotonic()
    code, out = cli(
        server, "api", "fine_tuning.jobs.follow", "-i", str(job["id"]), "--interval", "0.1"
    )
    assert code == EXIT["ok"]
    assert time.monotonic() - started > 1.0  # it waited for the job, which takes ~1.5 s
    polls = [r for r in server.requests if r.path.endswith("/events")]
    assert len(polls) >= 5
    assert polls[0].query == {"limit": "100"}
    printed = [line.split("] ", 1)[1] for line in out.splitlines()[:-1]]
    assert printed == event_messages(server, str(job["id"]))
    assert out.splitlines()[-1].startswith("Job complete: ft:gpt-4o-mini:local:")


def test_jobs_follow_json_prints_each_event(server: LocalServer, training: Path) -> None:
    """With --json, follow prints each event as a JSON line, oldest first, and no text."""
    server.configure_fine_tuning(step_seconds=0)
    argv = ["api", "fine_tuning.jobs.create", "-t", str(training), "-m", "gpt-4o-mini"]
    code, out = cli(server, *argv, "--n-epochs", "1", json_lines=True)
    assert code == EXIT["ok"]
    job, *events = jsonl(out)
    assert job["object"] == "fine_tuning.job"
    assert {event["object"] for event in events} == {"fine_tuning.job.event"}
    assert [e["message"] for e in events] == event_messages(server, str(job["id"]))


def test_jobs_create_with_a_file_id_sends_only_what_was_given(
    server: LocalServer, training: Path
) -> None:
    """-t FILE_ID is used as it is; no hyperparameter given, no method sent; dpo sends beta."""
    file_id = cli(server, "api", "files.create", "-f", str(training))[1].strip()
    argv = ["api", "fine_tuning.jobs.create", "-t", file_id, "-m", "gpt-4o-mini", "--no-follow"]
    code, out = cli(server, *argv, "--seed", "7", "--metadata", "team=ml", json_lines=True)
    assert code == EXIT["ok"]
    assert jsonl(out)[0]["training_file"] == file_id
    assert server.requests[-1].json() == {
        "model": "gpt-4o-mini",
        "training_file": file_id,
        "seed": 7,
        "metadata": {"team": "ml"},
    }
    dpo = ["--method", "dpo", "--beta", "1.5", "--batch-size", "auto", "-v", file_id]
    assert cli(server, *argv, *dpo)[0] == EXIT["ok"]
    assert server.requests[-1].json() == {
        "model": "gpt-4o-mini",
        "training_file": file_id,
        "validation_file": file_id,
        "method": {"type": "dpo", "dpo": {"hyperparameters": {"batch_size": "auto", "beta": 1.5}}},
    }


def test_jobs_create_bad_input_sends_nothing(
    server: LocalServer, training: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """beta without dpo, or a missing path: the usage code, nothing uploaded or sent."""
    argv = ["api", "fine_tuning.jobs.create", "-m", "gpt-4o-mini", "--no-follow"]
    code, _ = cli(server, *argv, "-t", str(training), "--beta", "0.1")
    assert code == EXIT["usage"]
    one_line_error(capsys, "InvalidParameterError", "beta")
    code, _ = cli(server, *argv, "-t", str(tmp_path / "gone.jsonl"))
    assert code == EXIT["usage"]
    one_line_error(capsys, "gone.jsonl")
    assert server.requests == []


def test_jobs_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A value argparse cannot read, or no -m: argparse's usage error, code 2."""
    for argv in (
        ["api", "fine_tuning.jobs.create", "-t", "file-x", "-m", "m", "--n-epochs", "many"],
        ["api", "fine_tuning.jobs.create", "-t", "file-x"],
        ["api", "fine_tuning.jobs.follow", "-i", "ftjob-1", "--interval", "0"],
    ):
        with pytest.raises(SystemExit) as exited:
            run(argv)
        assert exited.value.code == EXIT["usage"]
    assert "invalid int_or_auto value: 'many'" in capsys.readouterr().err


def test_jobs_list_get_events_checkpoints(server: LocalServer, training: Path) -> None:
    """list, get, events and checkpoints.list on a job that succeeded."""
    server.configure_fine_tuning(step_seconds=0)
    argv = ["api", "fine_tuning.jobs.create", "-t", str(training), "-m", "gpt-4o-mini"]
    code, out = cli(server, *argv, "--n-epochs", "2", "--no-follow", "--metadata", "k=v")
    job_id = out.splitlines()[-1].split(": ")[1]
    code, out = cli(server, "api", "fine_tuning.jobs.list", "--limit", "5", "--metadata", "k=v")
    assert code == EXIT["ok"]
    assert out.split() == [job_id, "gpt-4o-mini", "succeeded", f"ft:gpt-4o-mini:local:{job_id[6:]}"]
    assert server.requests[-1].query == {"limit": "5", "metadata[k]": "v"}
    assert cli(server, "api", "fine_tuning.jobs.list", "--metadata", "k=other")[1] == ""
    code, out = cli(server, "api", "fine_tuning.jobs.retrieve", "-i", job_id)
    assert (code, json.loads(out)["status"]) == (EXIT["ok"], "succeeded")
    code, out = cli(server, "api", "fine_tuning.jobs.events", "-i", job_id, "--limit", "3")
    assert code == EXIT["ok"]
    assert [line.split("] ", 1)[1] for line in out.splitlines()] == event_messages(server, job_id)[
        -3:
    ]
    [page] = jsonl(cli(server, "api", "fine_tuning.jobs.events", "-i", job_id, json_lines=True)[1])
    assert page["data"][0]["message"] == "The job has successfully completed"  # newest first
    code, out = cli(server, "api", "fine_tuning.jobs.checkpoints.list", "-i", job_id)
    assert code == EXIT["ok"]
    steps = [line.split()[0] for line in out.splitlines()]
    assert steps == ["6", "3"]
    assert "train_loss=0.2857" in out.splitlines()[0]


def test_jobs_pause_resume_cancel_and_follow_a_cancelled_job(
    server: LocalServer, training: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pause, resume and cancel print ID STATUS; a cancelled job is followed to 'failed'."""
    server.configure_fine_tuning(step_seconds=0.05)
    argv = ["api", "fine_tuning.jobs.create", "-t", str(training), "-m", "gpt-4o-mini"]
    job_id = cli(server, *argv, "--n-epochs", "50", "--no-follow")[1].split(": ")[-1].strip()
    time.sleep(0.3)  # validated, queued, running
    assert cli(server, "api", "fine_tuning.jobs.pause", "-i", job_id) == (
        EXIT["ok"],
        f"{job_id} paused\n",
    )
    assert cli(server, "api", "fine_tuning.jobs.resume", "-i", job_id) == (
        EXIT["ok"],
        f"{job_id} running\n",
    )
    code, out = cli(server, "api", "fine_tuning.jobs.cancel", "-i", job_id, json_lines=True)
    assert (code, jsonl(out)[0]["status"]) == (EXIT["ok"], "cancelled")
    code, out = cli(server, "api", "fine_tuning.jobs.follow", "-i", job_id)
    assert code == EXIT["failed"]
    assert out.splitlines()[-1] == "Job cancelled"
    assert out.splitlines()[-2].endswith("Fine-tuning job cancelled")
    code, out = cli(server, "api", "fine_tuning.jobs.pause", "-i", job_id)
    assert (code, out) == (EXIT["api"], "")  # 409: the job has ended
    one_line_error(capsys, "ConflictError", "cancelled")


def test_a_failed_job_exits_failed_with_its_error(server: LocalServer, tmp_path: Path) -> None:
    """A job whose training file is not JSON Lines fails: its error is the last line, code 9."""
    server.configure_fine_tuning(step_seconds=0)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    argv = ["api", "fine_tuning.jobs.create", "-t", str(bad), "-m", "gpt-4o-mini"]
    code, out = cli(server, *argv)
    assert code == EXIT["failed"]
    assert out.splitlines()[-1] == "Job failed: The training file is not JSON Lines of objects."


def test_jobs_unknown_id_is_not_found(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each verb on a job that does not exist: the not-found code and one line."""
    for name in ("get", "follow", "events", "cancel", "pause", "resume", "checkpoints.list"):
        code, out = cli(server, "api", f"fine_tuning.jobs.{name}", "-i", "ftjob-nope")
        assert (code, out) == (EXIT["not_found"], "")
        one_line_error(capsys, "NotFoundError", "ftjob-nope", "request id")


# -- batches -----------------------------------------------------------------------------


def test_batches_create_uploads_a_path_and_output_waits_for_it(
    server: LocalServer, tmp_path: Path
) -> None:
    """-i PATH is uploaded with purpose batch; output --wait writes the answers once it ends."""
    server.configure_batches(delay=0.3)
    requests = batch_input(tmp_path / "requests.jsonl", 5)
    argv = ["api", "batches.create", "-i", str(requests), "-e", "/v1/chat/completions"]
    code, out = cli(server, *argv, "--metadata", "run=1")
    assert code == EXIT["ok"]
    uploaded, created = out.splitlines()
    assert uploaded.startswith(f"Uploaded {requests}: file-")
    assert created.startswith("Created batch: batch-")
    assert created.endswith(" (validating)")
    batch_id = created.split()[2]
    assert b'name="purpose"\r\n\r\nbatch' in server.requests[0].body
    assert server.requests[1].json() == {
        "input_file_id": uploaded.split(": ")[1],
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        "metadata": {"run": "1"},
    }
    results = tmp_path / "results.jsonl"
    argv = ["api", "batches.output", "-i", batch_id, "-o", str(results), "--wait"]
    code, out = cli(server, *argv, "--interval", "0.05")
    assert code == EXIT["ok"]
    assert out.splitlines()[0] == f"{batch_id} validating 0/0 done"  # it waited, saying so
    assert out.splitlines()[-1] == f"{results.stat().st_size} bytes -> {results} (5/5 done)"
    answers = jsonl(results.read_text())
    assert sorted(str(a["custom_id"]) for a in answers) == [f"row-{i}" for i in range(5)]
    assert {a["response"]["status_code"] for a in answers} == {200}  # type: ignore[index]
    # To stdout: the file's bytes as they are.
    code, out = cli(server, "api", "batches.output", "-i", batch_id)
    assert (code, out) == (EXIT["ok"], results.read_text())


def test_batches_output_too_early_is_pending(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --wait, a batch not ended yet: exit 10; cancelled, it has no output: exit 9."""
    server.configure_batches(delay=30)
    requests = batch_input(tmp_path / "requests.jsonl", 2)
    argv = ["api", "batches.create", "-i", str(requests), "-e", "/v1/chat/completions"]
    batch_id = str(jsonl(cli(server, *argv, json_lines=True)[1])[-1]["id"])
    code, out = cli(server, "api", "batches.output", "-i", batch_id, "-o", str(tmp_path / "o"))
    assert (code, out) == (EXIT["pending"], "")
    one_line_error(capsys, batch_id, "is validating", "--wait")
    assert not (tmp_path / "o").exists()
    assert cli(server, "api", "batches.cancel", "-i", batch_id) == (
        EXIT["ok"],
        f"{batch_id} cancelled\n",
    )
    code, out = cli(server, "api", "batches.output", "-i", batch_id)
    assert (code, out) == (EXIT["failed"], "")
    one_line_error(capsys, f"batch {batch_id} cancelled (no output file)")


def test_batches_with_failed_requests_exit_failed(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Some requests failed: output writes the answers and exits 9; --errors has the rest."""
    requests = batch_input(tmp_path / "requests.jsonl", 3)
    with requests.open("a") as f:
        for i in range(2):  # requests the server refuses: no messages
            line = {"custom_id": f"bad-{i}", "method": "POST", "url": "/v1/chat/completions"}
            f.write(json.dumps({**line, "body": {"model": "gpt-4o-mini"}}) + "\n")
    argv = ["api", "batches.create", "-i", str(requests), "-e", "/v1/chat/completions"]
    batch_id = str(jsonl(cli(server, *argv, json_lines=True)[1])[-1]["id"])
    results = tmp_path / "results.jsonl"
    argv = ["api", "batches.output", "-i", batch_id, "--wait", "--interval", "0.05"]
    code, out = cli(server, *argv, "-o", str(results))
    assert code == EXIT["failed"]
    assert out.splitlines()[-1].endswith("(3/5 done, 2 failed)")
    one_line_error(capsys, f"batch {batch_id}: 2 of 5 requests failed", "--errors")
    assert len(jsonl(results.read_text())) == 3
    code, out = cli(server, *argv, "--errors", json_lines=True)
    assert code == EXIT["failed"]
    errors = jsonl(out)
    assert len(errors) == 2
    assert {e["response"]["status_code"] for e in errors} == {400}  # type: ignore[index]
    one_line_error(capsys, "2 of 5 requests failed")


def test_batches_errors_of_a_batch_without_failures(server: LocalServer, tmp_path: Path) -> None:
    """--errors of a batch whose requests all succeeded: nothing to fetch, and that is fine."""
    requests = batch_input(tmp_path / "requests.jsonl", 1)
    argv = ["api", "batches.create", "-i", str(requests), "-e", "/v1/chat/completions"]
    batch_id = str(jsonl(cli(server, *argv, json_lines=True)[1])[-1]["id"])
    argv = ["api", "batches.output", "-i", batch_id, "--wait", "--interval", "0.05", "--errors"]
    assert cli(server, *argv) == (
        EXIT["ok"],
        f"batch {batch_id}: every request succeeded, no error file\n",
    )


def test_batches_list_get_and_a_file_id(server: LocalServer, tmp_path: Path) -> None:
    """-i FILE_ID is used as it is; list prints a line per batch, get the batch as JSON."""
    requests = batch_input(tmp_path / "requests.jsonl", 2)
    argv = ["api", "files.create", "-f", str(requests), "-p", "batch"]
    file_id = cli(server, *argv)[1].strip()
    argv = ["api", "batches.create", "-i", file_id, "-e", "/v1/chat/completions"]
    ids = [cli(server, *argv)[1].split()[2] for _ in range(2)]
    assert [r.path for r in server.requests].count("/v1/files") == 1
    code, out = cli(server, "api", "batches.list", "--limit", "1")
    assert code == EXIT["ok"]
    [line] = out.splitlines()
    assert line.split()[:2] == [ids[1], "/v1/chat/completions"]
    assert server.requests[-1].query == {"limit": "1"}
    code, out = cli(server, "api", "batches.list", "--after", ids[1], json_lines=True)
    assert [b["id"] for b in jsonl(out)[0]["data"]] == [ids[0]]  # type: ignore[union-attr]
    code, out = cli(server, "api", "batches.retrieve", "-i", ids[0])
    assert (code, json.loads(out)["input_file_id"]) == (EXIT["ok"], file_id)


def test_batches_errors_and_exit_codes(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad endpoint is refused before the upload; a server's refusal is an API error;
    unknown ids are not found; no -e is argparse's usage error."""
    requests = batch_input(tmp_path / "requests.jsonl", 1)
    argv = ["api", "batches.create", "-i", str(requests)]
    assert cli(server, *argv, "-e", "chat/completions")[0] == EXIT["usage"]
    one_line_error(capsys, "InvalidParameterError", "endpoint")
    assert server.requests == []
    file_id = cli(server, "api", "files.create", "-f", str(requests), "-p", "fine-tune")[1]
    argv = ["api", "batches.create", "-i", file_id.strip(), "-e", "/v1/chat/completions"]
    assert cli(server, *argv)[0] == EXIT["api"]  # not uploaded for batches: the server's 400
    one_line_error(capsys, "BadRequestError", "purpose 'batch'")
    for name in ("get", "cancel", "output"):
        assert cli(server, "api", f"batches.{name}", "-i", "batch-nope") == (EXIT["not_found"], "")
        one_line_error(capsys, "NotFoundError", "batch-nope")
    with pytest.raises(SystemExit) as exited:
        run(["api", "batches.create", "-i", str(requests)])
    assert exited.value.code == EXIT["usage"]


# -- responses ---------------------------------------------------------------------------


class Writes(io.StringIO):
    """A stdout that counts its writes: a stream printed as it arrives writes many times."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_responses_create_prints_the_text(server: LocalServer) -> None:
    """responses.create sends the text and the options given, and prints output_text."""
    argv = ["api", "responses.create", "-m", "gpt-4o-mini", "Hello there"]
    code, out = cli(
        server,
        *argv,
        "--instructions",
        "Be brief.",
        "-M",
        "50",
        "-t",
        "0.5",
        "--no-store",
        "--metadata",
        "a=b",
    )
    assert (code, out) == (EXIT["ok"], "You said: Hello there\n")
    assert server.requests[-1].json() == {
        "model": "gpt-4o-mini",
        "input": "Hello there",
        "instructions": "Be brief.",
        "max_output_tokens": 50,
        "temperature": 0.5,
        "store": False,
        "metadata": {"a": "b"},
    }


def test_responses_stream_prints_deltas_as_they_arrive(server: LocalServer) -> None:
    """--stream asks for a stream and prints each output_text delta when it comes."""
    out = Writes()
    argv = ["--base-url", server.url, "--api-key", API_KEY, "api", "responses.create"]
    code = run([*argv, "-m", "gpt-4o-mini", "one two three four", "--stream"], stdout=out)
    assert code == EXIT["ok"]
    assert out.getvalue() == "You said: one two three four\n"
    assert len([w for w in out.writes if w]) > 5  # a write per delta, not one at the end
    assert server.requests[-1].json()["stream"] is True


def test_responses_stream_json_prints_every_event(server: LocalServer) -> None:
    """With --json, a stream prints each event as a JSON line, ending on the terminal one."""
    argv = ["api", "responses.create", "-m", "gpt-4o-mini", "Hi you", "--stream"]
    code, out = cli(server, *argv, json_lines=True)
    assert code == EXIT["ok"]
    events = jsonl(out)
    assert events[0]["type"] == "response.created"
    assert events[-1]["type"] == "response.completed"
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert "".join(map(str, deltas)) == "You said: Hi you"


def test_responses_refusal_is_printed(server: LocalServer) -> None:
    """A refusal has no output_text: its refusal text is printed, streamed or not."""
    argv = ["api", "responses.create", "-m", "gpt-4o-mini", "[refuse] do it"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert out.strip()
    assert cli(server, *argv, "--stream") == (EXIT["ok"], out)


def test_responses_background_get_cancel_delete(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--background prints the id; cancel, get, input_items.list and delete work on it."""
    argv = ["api", "responses.create", "-m", "gpt-4o-mini", "Later please", "--background"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert out.startswith("Created response: resp-")
    assert out.endswith(" (queued)\n")
    response_id = out.split()[2]
    assert server.requests[-1].json()["background"] is True
    code, out = cli(server, "api", "responses.cancel", "-i", response_id)
    assert (code, out) == (EXIT["ok"], f"{response_id} cancelled\n")
    code, out = cli(server, "api", "responses.retrieve", "-i", response_id)
    assert (code, json.loads(out)["status"]) == (EXIT["ok"], "cancelled")
    code, out = cli(server, "api", "responses.input_items.list", "-i", response_id)
    assert code == EXIT["ok"]
    assert out.split("  ", 1)[1] == "message  user: Later please\n"
    code, out = cli(server, "api", "responses.delete", "-i", response_id)
    assert code == EXIT["ok"]
    assert json.loads(out) == {"id": response_id, "object": "response.deleted", "deleted": True}
    for name in ("get", "cancel", "delete", "input_items.list"):
        assert cli(server, "api", f"responses.{name}", "-i", response_id) == (
            EXIT["not_found"],
            "",
        )
        one_line_error(capsys, "NotFoundError", response_id)


def test_responses_cancel_of_a_finished_response_is_an_api_error(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only background responses can be cancelled: the server's 400, one line, code 6."""
    argv = ["api", "responses.create", "-m", "gpt-4o-mini", "now", "--json"]
    response_id = str(jsonl(cli(server, *argv)[1])[0]["id"])
    assert cli(server, "api", "responses.cancel", "-i", response_id) == (EXIT["api"], "")
    one_line_error(capsys, "BadRequestError", "background")


def test_a_failed_response_exits_failed(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A response whose status is failed: nothing on stdout, its error on stderr, code 9."""
    failed = {
        "id": "resp-1",
        "object": "response",
        "status": "failed",
        "model": "gpt-4o-mini",
        "output": [],
        "error": {"code": "server_error", "message": "The model broke."},
    }
    server.inject(status=200, body=failed, path="/v1/responses")
    code, out = cli(server, "api", "responses.create", "-m", "gpt-4o-mini", "hi")
    assert (code, out) == (EXIT["failed"], "")
    one_line_error(capsys, "response resp-1 failed: server_error: The model broke.")


@pytest.mark.parametrize(
    ("action", "error"), [("end", "StreamTruncatedError"), ("error", "StreamEventError")]
)
def test_a_broken_response_stream_is_a_stream_error(
    server: LocalServer, capsys: pytest.CaptureFixture[str], action: str, error: str
) -> None:
    """A stream cut before its terminal event, or an error event: code 8, after the text."""
    server.inject(stream_action=action, after_events=6)  # type: ignore[arg-type]
    argv = ["api", "responses.create", "-m", "gpt-4o-mini", "one two three four", "--stream"]
    code, out = cli(server, *argv)
    assert code == EXIT["stream"]
    assert out.startswith("You said")  # what came before the break was printed
    one_line_error(capsys, error)


def test_responses_bad_input_sends_nothing(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value the API forbids is the usage code, naming it; no TEXT is argparse's code 2."""
    code, _ = cli(server, "api", "responses.create", "-m", "gpt-4o-mini", "hi", "-M", "5")
    assert code == EXIT["usage"]
    one_line_error(capsys, "InvalidParameterError", "max_output_tokens")
    assert server.requests == []
    with pytest.raises(SystemExit) as exited:
        run(["api", "responses.create", "-m", "gpt-4o-mini"])
    assert exited.value.code == EXIT["usage"]


def sse(*events: dict[str, object], named: bool = True) -> str:
    """A text/event-stream body of ``events``, each named by its type if ``named``."""
    return "".join(
        (f"event: {event['type']}\n" if named else "") + f"data: {json.dumps(event)}\n\n"
        for event in events
    )


@pytest.mark.parametrize(
    ("last", "kind", "words"),
    [
        (
            {
                "type": "response.failed",
                "sequence_number": 2,
                "response": {
                    "id": "resp-1",
                    "status": "failed",
                    "error": {"code": "server_error", "message": "The model broke."},
                },
            },
            "failed",
            "response resp-1 failed: server_error: The model broke.",
        ),
        (
            {"type": "error", "sequence_number": 2, "code": "overloaded", "message": "Busy."},
            "stream",
            "the stream ended on an error event: overloaded: Busy.",
        ),
    ],
)
def test_a_response_stream_ending_badly_exits_with_its_code(
    server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    last: dict[str, object],
    kind: str,
    words: str,
) -> None:
    """A stream whose terminal event is response.failed (code 9), or an unnamed error event
    (code 8): the text that came is printed, then one line on stderr."""
    delta = {"type": "response.output_text.delta", "sequence_number": 1, "delta": "Half"}
    body = sse(delta, named=True) + sse(last, named=last["type"] != "error")
    headers = {"content-type": "text/event-stream"}
    server.inject(status=200, headers=headers, body=body, path="/v1/responses")
    code, out = cli(server, "api", "responses.create", "-m", "gpt-4o-mini", "hi", "--stream")
    assert (code, out) == (EXIT[kind], "Half\n")
    one_line_error(capsys, words)
