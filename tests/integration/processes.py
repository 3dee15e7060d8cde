"""Run the console script and Procfile lines as real processes, the way Heroku would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# Only what a Heroku dyno or a developer shell would have; nothing from the test process leaks in.
BASE_ENV = {
    "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
    "HOME": os.environ.get("HOME", "/tmp"),
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def env_with(values: Mapping[str, str]) -> dict[str, str]:
    return {**BASE_ENV, **values}


def run_cli(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hiring_bot", *args],
        env=env_with(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_cli_into_closed_pipe(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The command with its stdout piped into a reader that has already gone, as in
    `hiring-bot export | head -n 0`: every write meets a closed pipe, whatever the timing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "hiring_bot", *args],
            env=env_with(env),
            cwd=cwd,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        os.close(write_end)


def procfile() -> dict[str, str]:
    lines = (REPO / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def get_json(
    url: str, *, method: str = "GET", body: bytes | None = None
) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, method=method, data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@contextmanager
def process(command: str, *, env: Mapping[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """A shell command as Heroku runs a Procfile line (`bash -c`), stopped with SIGTERM."""
    proc = subprocess.Popen(
        ["bash", "-c", command],
        env=env_with(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
        if proc.stdout:
            proc.stdout.close()


def wait_for_health(proc: subprocess.Popen[str], port: int, timeout: float = 60) -> int:
    """Poll /healthz until it answers; the process dying first is a failure with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"process exited {proc.returncode}:\n{output}")
        try:
            status, _ = get_json(f"http://127.0.0.1:{port}/healthz")
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
            continue
        return status
    raise AssertionError("server did not answer /healthz in time")
