"""The command line, verb by verb, against the local server: output, errors and exit codes."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from openai_async.cli import EXIT, run
from openai_async.testing import LocalServer

from .conftest import API_KEY, unused_port

ROOT = Path(__file__).resolve().parent.parent


def cli(server: LocalServer, *argv: str, json_lines: bool = False) -> tuple[int, str]:
    """Run the CLI in this process against ``server``; its exit code and stdout."""
    out = io.StringIO()
    options = ["--base-url", server.url, "--api-key", API_KEY, "--max-retries", "0"]
    code = run([*options, *(["--json"] if json_lines else []), *argv], stdout=out)
    return code, out.getvalue()


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def training(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text('{"prompt": "2+2=", "completion": " 4"}\n')
    return path


def batch_input(path: Path, count: int, *, model: str = "gpt-3.5-turbo") -> Path:
    with path.open("w") as f:
        for i in range(count):
            line = {
                "custom_id": f"row-{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": model, "messages": [{"role": "user", "content": f"q{i}"}]},
            }
            f.write(json.dumps(line) + "\n")
    return path


# -- models --------------------------------------------------------------------------


def test_models_list_prints_one_model_per_line(server: LocalServer) -> None:
    """models.list prints each model's id and owner, sorted by id."""
    code, out = cli(server, "api", "models.list")
    assert code == EXIT["ok"]
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids == sorted(ids)
    assert "gpt-3.5-turbo  openai" in out.splitlines()


def test_models_list_json_is_the_whole_answer(server: LocalServer) -> None:
    """--json prints the server's answer as one JSON line."""
    code, out = cli(server, "api", "models.list", json_lines=True)
    assert code == EXIT["ok"]
    [page] = jsonl(out)
    assert page["object"] == "list"
    assert "gpt-3.5-turbo" in {model["id"] for model in page["data"]}


def test_json_flag_after_the_verb(server: LocalServer) -> None:
    """--json works after the verb too, and does not undo one given before it."""
    out = io.StringIO()
    base = ["--base-url", server.url, "--api-key", ""]
    assert run([*base, "api", "models.get", "-i", "gpt-3.5-turbo", "--json"], stdout=out) == 0
    assert jsonl(out.getvalue())[0]["id"] == "gpt-3.5-turbo"
    out = io.StringIO()
    assert run(["--json", *base, "api", "models.get", "-i", "gpt-3.5-turbo"], stdout=out) == 0
    assert jsonl(out.getvalue())[0]["id"] == "gpt-3.5-turbo"


def test_models_get_and_delete(server: LocalServer) -> None:
    """models.get shows a model; models.delete deletes a fine-tuned one."""
    code, out = cli(server, "api", "models.retrieve", "-i", "curie")
    assert code == EXIT["ok"]
    assert json.loads(out)["id"] == "curie"
    model = "curie:ft-acme-2023-06-01-00-00-00"
    code, out = cli(server, "api", "models.delete", "-i", model)
    assert code == EXIT["ok"]
    assert json.loads(out) == {"id": model, "object": "model", "deleted": True}


# -- chat and completions ------------------------------------------------------------


def test_chat_prints_the_reply(server: LocalServer) -> None:
    """chat.completions.create sends every -g message and prints the answer's text."""
    code, out = cli(
        server,
        "api",
        "chat.completions.create",
        "-m",
        "gpt-3.5-turbo",
        "-g",
        "system",
        "Be brief.",
        "-g",
        "user",
        "Hello there",
        "-M",
        "20",
        "-t",
        "0.5",
    )
    assert code == EXIT["ok"]
    assert out == "You said: Hello there\n"
    body = server.requests[-1].json()
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello there"},
    ]
    assert (body["max_tokens"], body["temperature"]) == (20, 0.5)
    assert "top_p" not in body  # options not given are not sent


def test_chat_stream_prints_as_it_arrives(server: LocalServer) -> None:
    """--stream asks for a stream and prints the deltas, then a newline."""
    _, out = cli(
        server, "api", "chat.completions.create", "-m", "gpt-3.5-turbo", "-g", "user", "Hi you"
    )
    streamed = cli(
        server,
        "api",
        "chat.completions.create",
        "-m",
        "gpt-3.5-turbo",
        "-g",
        "user",
        "Hi you",
        "--stream",
    )
    assert streamed == (EXIT["ok"], out)
    assert server.requests[-1].json()["stream"] is True


def test_chat_stream_json_prints_every_chunk(server: LocalServer) -> None:
    """With --json, a stream prints each chunk as a JSON line, and no text."""
    code, out = cli(
        server,
        "api",
        "chat.completions.create",
        "-m",
        "gpt-3.5-turbo",
        "-g",
        "user",
        "one two three",
        "--stream",
        json_lines=True,
    )
    assert code == EXIT["ok"]
    chunks = jsonl(out)
    assert len(chunks) > 3
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == "You said: one two three"


def test_completions_create_and_stream(server: LocalServer) -> None:
    """completions.create prints the completion, streamed or not."""
    argv = ["api", "completions.create", "-m", "gpt-3.5-turbo-instruct", "-p", "Say this"]
    code, out = cli(server, *argv, "-n", "1", "--stop", "\n")
    assert code == EXIT["ok"]
    assert out.strip()
    assert server.requests[-1].json()["stop"] == ["\n"]
    assert cli(server, *argv, "--stream")[1].strip() == cli(server, *argv)[1].strip()


def test_several_prompts_are_one_request(server: LocalServer) -> None:
    """-p given twice sends a list of prompts."""
    argv = ["api", "completions.create", "-m", "gpt-3.5-turbo-instruct", "-p", "a", "-p", "b"]
    code, _ = cli(server, *argv)
    assert code == EXIT["ok"]
    assert server.requests[-1].json()["prompt"] == ["a", "b"]


# -- embeddings, moderations, images, audio ------------------------------------------


def test_embeddings_create(server: LocalServer) -> None:
    """embeddings.create prints one line per input; --json the vectors."""
    argv = ["api", "embeddings.create", "-m", "text-embedding-ada-002", "-i", "a", "-i", "b"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert [line.split(":")[0] for line in out.splitlines()] == ["0", "1"]
    _, out = cli(server, *argv, json_lines=True)
    assert len(jsonl(out)[0]["data"]) == 2


def test_moderations_create(server: LocalServer) -> None:
    """moderations.create says whether the text is flagged."""
    code, out = cli(server, "api", "moderations.create", "-i", "a kind word")
    assert code == EXIT["ok"]
    assert out.startswith(("not flagged", "flagged:"))


def test_images_generate(server: LocalServer) -> None:
    """images.generate prints one URL per image."""
    code, out = cli(server, "api", "images.generate", "-p", "a cat", "-n", "2", "-s", "256x256")
    assert code == EXIT["ok"]
    assert len(out.splitlines()) == 2
    assert server.requests[-1].json() == {"prompt": "a cat", "n": 2, "size": "256x256"}


def test_audio_transcription_and_translation(server: LocalServer, tmp_path: Path) -> None:
    """audio verbs upload -f FILE and print the text; text formats print as they come."""
    audio = tmp_path / "speech.mp3"
    audio.write_bytes(b"\xff\xfb" * 500)
    code, out = cli(server, "api", "audio.transcriptions.create", "-f", str(audio))
    assert (code, out) == (EXIT["ok"], "Transcribed audio from speech.mp3. It has 1000 bytes.\n")
    argv = ["api", "audio.translations.create", "-f", str(audio), "--response-format", "text"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert "speech.mp3" in out


# -- files ---------------------------------------------------------------------------


@pytest.mark.latest_spec("files.list -p sends purpose=, a filter added after 2023")
def test_files_create_list_get_content_delete(
    server: LocalServer, training: Path, tmp_path: Path
) -> None:
    """Each files verb, on a file uploaded by files.create."""
    code, file_id = cli(server, "api", "files.create", "-f", str(training))
    file_id = file_id.strip()
    assert code == EXIT["ok"]
    assert file_id.startswith("file-")
    code, out = cli(server, "api", "files.list", "-p", "fine-tune")
    assert code == EXIT["ok"]
    assert any(line.startswith(f"{file_id}  fine-tune") for line in out.splitlines())
    assert json.loads(cli(server, "api", "files.get", "-i", file_id)[1])["id"] == file_id
    assert cli(server, "api", "files.content", "-i", file_id)[1] == training.read_text()
    target = tmp_path / "copy.jsonl"
    code, out = cli(server, "api", "files.content", "-i", file_id, "-o", str(target))
    assert code == EXIT["ok"]
    assert target.read_bytes() == training.read_bytes()
    code, out = cli(server, "api", "files.delete", "-i", file_id)
    assert json.loads(out)["deleted"] is True
    assert cli(server, "api", "files.get", "-i", file_id)[0] == EXIT["not_found"]


def test_files_content_writes_bytes_to_a_real_stdout(cli_server: str, training: Path) -> None:
    """In a real process, files.content writes the file's bytes to stdout unchanged."""
    base = [sys.executable, "-m", "openai_async", "-b", cli_server, "-k", ""]
    up = subprocess.run(
        [*base, "api", "files.create", "-f", str(training)], capture_output=True, check=True
    )
    down = subprocess.run(
        [*base, "api", "files.content", "-i", up.stdout.decode().strip()],
        capture_output=True,
        check=True,
    )
    assert down.stdout == training.read_bytes()


# -- fine-tunes ----------------------------------------------------------------------


def test_fine_tunes_create_uploads_a_path_and_follows(server: LocalServer, training: Path) -> None:
    """fine_tunes.create -t PATH uploads it, starts the job and prints its events to the end."""
    code, out = cli(server, "api", "fine_tunes.create", "-t", str(training), "-m", "curie")
    assert code == EXIT["ok"]
    lines = out.splitlines()
    assert lines[0].startswith(f"Uploaded {training}: file-")
    assert lines[1].startswith("Created fine-tune: ft-")
    assert lines[-2].endswith("Fine-tune succeeded")
    assert lines[-1].startswith("Job complete: curie:ft-")
    _upload, create = (r for r in server.requests if r.method == "POST")
    assert create.json()["training_file"] == lines[0].split(": ")[1]
    assert create.json()["model"] == "curie"


def test_fine_tunes_create_with_a_file_id(server: LocalServer, training: Path) -> None:
    """-t FILE_ID is used as it is; --no-follow returns once the job exists."""
    file_id = cli(server, "api", "files.create", "-f", str(training))[1].strip()
    argv = ["api", "fine_tunes.create", "-t", file_id, "--no-follow", "--n-epochs", "2"]
    code, out = cli(server, *argv, json_lines=True)
    assert code == EXIT["ok"]
    [job] = jsonl(out)
    assert job["training_files"][0]["id"] == file_id
    assert server.requests[-1].json() == {"training_file": file_id, "n_epochs": 2}


def test_fine_tunes_create_missing_path_sends_nothing(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A -t that looks like a path but is not a file is a usage error, before any request."""
    code, _ = cli(server, "api", "fine_tunes.create", "-t", str(tmp_path / "nope.jsonl"))
    assert code == EXIT["usage"]
    assert server.requests == []
    assert "nope.jsonl" in capsys.readouterr().err


def test_fine_tunes_follow_get_list_events_cancel(server: LocalServer, training: Path) -> None:
    """follow prints the events until the end; get, list, events and cancel work on the job."""
    argv = ["api", "fine_tunes.create", "-t", str(training), "--no-follow"]
    job_id = cli(server, *argv, json_lines=True)[1]
    job_id = str(jsonl(job_id)[-1]["id"])
    code, out = cli(server, "api", "fine_tunes.follow", "-i", job_id)
    assert code == EXIT["ok"]
    assert "Fine-tune succeeded" in out
    assert json.loads(cli(server, "api", "fine_tunes.get", "-i", job_id)[1])["status"] == (
        "succeeded"
    )
    assert job_id in cli(server, "api", "fine_tunes.list")[1]
    events = cli(server, "api", "fine_tunes.events", "-i", job_id)[1].splitlines()
    assert events[-1].endswith("Fine-tune succeeded")


def test_a_cancelled_fine_tune_exits_failed(server: LocalServer, training: Path) -> None:
    """Following a job that ended cancelled exits with the 'failed' code."""
    argv = ["api", "fine_tunes.create", "-t", str(training), "--no-follow"]
    job_id = str(jsonl(cli(server, *argv, json_lines=True)[1])[-1]["id"])
    code, out = cli(server, "api", "fine_tunes.cancel", "-i", job_id)
    assert (code, out) == (EXIT["ok"], f"{job_id} cancelled\n")
    code, out = cli(server, "api", "fine_tunes.follow", "-i", job_id)
    assert code == EXIT["failed"]
    assert out.splitlines()[-1] == "Job cancelled"


# -- errors and exit codes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, "auth"),
        (403, "auth"),
        (404, "not_found"),
        (429, "rate_limit"),
        (400, "api"),
        (500, "api"),
    ],
)
def test_error_statuses_give_one_line_and_their_code(
    server: LocalServer, capsys: pytest.CaptureFixture[str], status: int, kind: str
) -> None:
    """An error answer prints its class, message and request id on one line, no traceback."""
    server.inject(status=status, body={"error": {"message": f"nope {status}", "type": "x"}})
    code, out = cli(server, "api", "models.list")
    assert code == EXIT[kind]
    assert out == ""
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("openai-async: ")
    assert f"nope {status}" in err
    assert "request id" in err or "req_" in err
    assert "Traceback" not in err
    assert API_KEY not in err


def test_exit_codes_are_distinct() -> None:
    """Every kind of failure has its own exit code."""
    assert len(set(EXIT.values())) == len(EXIT)


def test_missing_key_is_an_auth_error(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """No key and no OPENAI_API_KEY: the auth code and a hint, nothing sent."""
    code = run(["--base-url", server.url, "api", "models.list"], stdout=io.StringIO())
    assert code == EXIT["auth"]
    assert "OPENAI_API_KEY" in capsys.readouterr().err
    assert server.requests == []


def test_unreachable_server_is_a_connection_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A port nothing listens on: the connection code."""
    url = f"http://127.0.0.1:{unused_port()}/v1"
    argv = ["--base-url", url, "--api-key", "", "--max-retries", "0", "api", "models.list"]
    assert run(argv, stdout=io.StringIO()) == EXIT["connection"]
    assert "APIConnectionError" in capsys.readouterr().err


def test_truncated_stream_is_a_stream_error(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stream that ends without [DONE]: the stream code, after the text that came."""
    server.inject(stream_action="end", after_events=2)
    argv = ["api", "chat.completions.create", "-m", "gpt-3.5-turbo", "-g", "user", "Hi there"]
    code, out = cli(server, *argv, "--stream")
    assert code == EXIT["stream"]
    assert out  # what arrived before the cut was printed
    assert "StreamTruncatedError" in capsys.readouterr().err


def test_bad_parameter_is_a_usage_error_before_sending(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value the API forbids is refused with the parameter's name; nothing is sent."""
    code, _ = cli(server, "api", "images.generate", "-p", "cat", "-n", "11")
    assert code == EXIT["usage"]
    assert "InvalidParameterError: n: must be between 1 and 10" in capsys.readouterr().err
    assert server.requests == []


def test_missing_local_file_is_a_usage_error(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An upload of a file that does not exist: the usage code, the path named."""
    code, _ = cli(server, "api", "files.create", "-f", str(tmp_path / "gone.jsonl"))
    assert code == EXIT["usage"]
    assert "gone.jsonl" in capsys.readouterr().err
    assert server.requests == []


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown verb or a missing required option is argparse's usage error, code 2."""
    for argv in (["api", "nope.create"], ["api", "chat.completions.create", "-g", "user", "x"]):
        with pytest.raises(SystemExit) as exited:
            run(argv)
        assert exited.value.code == EXIT["usage"]
    assert "usage:" in capsys.readouterr().err


# -- batch run -----------------------------------------------------------------------


def test_batch_run_writes_one_result_per_line_and_resumes(
    server: LocalServer, tmp_path: Path
) -> None:
    """batch run sends every input line once; run again, it skips the lines already done."""
    requests = batch_input(tmp_path / "requests.jsonl", 40)
    results = tmp_path / "results.jsonl"
    argv = ["batch", "run", str(requests), "--out", str(results), "--concurrency", "8"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert out.startswith("40 succeeded, 0 failed, 0 skipped")
    lines = [line for line in jsonl(results.read_text()) if "id" in line]  # and the key salt
    assert sorted(str(line["id"]) for line in lines) == sorted(f"row-{i}" for i in range(40))
    assert all(line["ok"] for line in lines)
    assert len(server.requests) == 40
    code, out = cli(server, *argv, json_lines=True)
    assert code == EXIT["ok"]
    assert jsonl(out)[0] | {"elapsed": 0} == {
        "input": str(requests),
        "out": str(results),
        "succeeded": 0,
        "failed": 0,
        "skipped": 40,
        "total_tokens": 0,
        "elapsed": 0,
    }
    assert len(server.requests) == 40  # nothing sent again


def test_batch_run_resumes_after_a_partial_run(server: LocalServer, tmp_path: Path) -> None:
    """Lines a first run left undone are the only ones a second run sends."""
    requests = batch_input(tmp_path / "requests.jsonl", 10)
    results = tmp_path / "results.jsonl"
    first = batch_input(tmp_path / "first.jsonl", 4)  # the same first four requests
    assert cli(server, "batch", "run", str(first), "--out", str(results))[0] == EXIT["ok"]
    server.reset()
    code, out = cli(server, "batch", "run", str(requests), "--out", str(results))
    assert code == EXIT["ok"]
    assert out.startswith("6 succeeded, 0 failed, 4 skipped")
    sent = {r.json()["messages"][0]["content"] for r in server.requests}
    assert sent == {f"q{i}" for i in range(4, 10)}


def test_batch_run_failed_items_exit_failed(server: LocalServer, tmp_path: Path) -> None:
    """Items the server refuses are recorded as failed, and the run exits 'failed'."""
    requests = batch_input(tmp_path / "requests.jsonl", 5)
    results = tmp_path / "results.jsonl"
    server.inject(status=400, body={"error": {"message": "bad", "type": "x"}}, times=2)
    code, out = cli(server, "batch", "run", str(requests), "--out", str(results))
    assert code == EXIT["failed"]
    assert out.startswith("3 succeeded, 2 failed")
    assert sum(line.get("ok") is False for line in jsonl(results.read_text())) == 2
    argv = ["batch", "run", str(requests), "--out", str(results), "--retry-failed"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert out.startswith("2 succeeded, 0 failed, 3 skipped")


def test_batch_run_bad_line_is_refused_before_sending(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line that is not a Batch API request: the usage code, its line number, nothing sent."""
    requests = batch_input(tmp_path / "requests.jsonl", 3)
    with requests.open("a") as f:
        f.write("{not json\n")
    code, _ = cli(server, "batch", "run", str(requests), "--out", str(tmp_path / "r.jsonl"))
    assert code == EXIT["usage"]
    assert "line 4" in capsys.readouterr().err
    assert server.requests == []


def test_batch_run_keeps_the_rate_limit(server: LocalServer, tmp_path: Path) -> None:
    """--rpm paces the job: 20 requests at 600/min take about two seconds, not less."""
    requests = batch_input(tmp_path / "requests.jsonl", 20)
    argv = ["batch", "run", str(requests), "--out", str(tmp_path / "r.jsonl"), "--rpm", "600"]
    code, out = cli(server, *argv, json_lines=True)
    assert code == EXIT["ok"]
    assert jsonl(out)[0]["elapsed"] > 1.0


def test_batch_progress_bar_in_a_terminal(cli_server: str, tmp_path: Path) -> None:
    """On a terminal, batch run draws a progress bar on stderr that reaches the total."""
    pty = pytest.importorskip("pty", reason="needs a pseudo-terminal (POSIX)")
    fcntl = pytest.importorskip("fcntl", reason="needs a pseudo-terminal (POSIX)")
    termios = pytest.importorskip("termios", reason="needs a pseudo-terminal (POSIX)")
    requests = batch_input(tmp_path / "requests.jsonl", 30)
    main, child = pty.openpty()
    # A terminal's size, as a real one has (tqdm draws nothing in a 0-column terminal).
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    argv = [sys.executable, "-m", "openai_async", "-b", cli_server, "-k", ""]
    argv += ["batch", "run", str(requests), "--out", str(tmp_path / "r.jsonl")]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(argv, stderr=child, stdout=subprocess.PIPE, env=env, timeout=60)
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
        if len(chunk) < 65536:
            break
    os.close(main)
    assert done.returncode == 0
    assert b"30/30" in drawn


# -- serve and the entry points ------------------------------------------------------


def test_serve_answers_the_cli(tmp_path: Path) -> None:
    """`openai-async serve` runs the local server; `python -m openai_async` talks to it."""
    port = unused_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openai_async", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert f":{port}/v1" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/v1"
        done = subprocess.run(
            [sys.executable, "-m", "openai_async", "-b", url, "-k", "", "api", "models.list"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert "gpt-3.5-turbo" in done.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_a_real_process_exits_with_the_code_and_no_traceback() -> None:
    """`python -m openai_async` exits with the error's code and one stderr line."""
    url = f"http://127.0.0.1:{unused_port()}/v1"
    done = subprocess.run(
        [sys.executable, "-m", "openai_async", "-b", url, "-k", "", "api", "models.list"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == EXIT["connection"]
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_batch_run_through_the_batch_api(server: LocalServer, tmp_path: Path) -> None:
    """--backend batch_api uploads the lines as a batch file; the results file is the same."""
    requests = batch_input(tmp_path / "requests.jsonl", 12)
    results = tmp_path / "results.jsonl"
    argv = ["batch", "run", str(requests), "--out", str(results), "--backend", "batch_api"]
    code, out = cli(server, *argv)
    assert code == EXIT["ok"]
    assert out.startswith("12 succeeded, 0 failed, 0 skipped")
    lines = jsonl(results.read_text())
    assert sorted(line["id"] for line in lines if "id" in line) == sorted(
        f"row-{i}" for i in range(12)
    )
    assert any("batch" in line for line in lines)  # the batch it made, for a resume
    paths = [request.path for request in server.requests]
    assert "/v1/batches" in paths
    assert "/v1/chat/completions" not in paths  # run by the server's batch, not live
