"""hiring_bot's web process against bare Bolt apps, served the same way (the Procfile's gunicorn).

Each app runs as its own gunicorn (2 gthread workers, 8 threads, access log on, as the Procfile's
`web` line) on loopback; a fake Slack Web API and a response_url sink run in this process. A
request is *readable* when its answer can be seen: at the ack when the ack carries the answer, else
when the answer lands on the response_url. Slash commands are signed exactly as Slack signs them.
"""

from __future__ import annotations

import http.client
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.fakes.signed import sign

_TRIGGERS = itertools.count(1)

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
CHANNEL = "C0HIRING"
REVIEWER = "U0ALICE"
ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
READABLE_LIMIT_S = 3.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class ResponseSink:
    """A response_url receiver that notes when each answer arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self._cond = threading.Condition()
        self._seq = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with sink._cond:
                    sink.arrived[self.path] = time.perf_counter()
                    sink._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self) -> str:
        with self._cond:
            self._seq += 1
            return f"http://127.0.0.1:{self.server.server_port}/r/{self._seq}"

    def wait(self, url: str, timeout: float) -> float | None:
        path = urllib.parse.urlsplit(url).path
        with self._cond:
            if self._cond.wait_for(lambda: path in self.arrived, timeout):
                return self.arrived[path]
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    boot_s: float

    def worker_rss_mb(self) -> float:
        """The largest worker's resident memory (the master only forks)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        rss = []
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]) / 1024)
        return max(rss, default=0.0)


@contextmanager
def gunicorn(name: str, app: str, env: dict[str, str]) -> Iterator[Server]:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--access-logfile",
            "-",
            app,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name}: gunicorn exited with {proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name}: no /healthz 200 within 60 s")
            time.sleep(0.01)
        yield Server(name, proc, port, time.perf_counter() - started)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Sample:
    ack_ms: float
    readable_ms: float | None  # None: never readable within the limit
    status: int


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.status == 200]

    def acks(self) -> list[float]:
        return [s.ack_ms for s in self.ok]

    def readable(self) -> list[float]:
        return [s.readable_ms for s in self.ok if s.readable_ms is not None]

    def late(self) -> int:
        limit = READABLE_LIMIT_S * 1000
        return sum(s.readable_ms is None or s.readable_ms > limit for s in self.samples)

    def non_2xx(self) -> int:
        return sum(not 200 <= s.status < 300 for s in self.samples)

    def rps(self) -> float:
        return len(self.samples) / self.wall_s if self.wall_s else 0.0


class Commander:
    """Signed `/intern` requests over one keep-alive connection."""

    def __init__(self, port: int, sink: ResponseSink) -> None:
        self.port = port
        self.sink = sink
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, text: str) -> Sample:
        response_url = self.sink.url()
        body = urllib.parse.urlencode(
            {
                "token": "bench",
                "team_id": "T0BENCH",
                "team_domain": "bench",
                "channel_id": CHANNEL,
                "channel_name": "hiring",
                "user_id": REVIEWER,
                "user_name": "alice",
                "command": "/intern",
                "text": text,
                "api_app_id": "A0BENCH",
                "response_url": response_url,
                # One invocation, one trigger_id: a repeated one is a Slack retry, not acted on.
                "trigger_id": f"{next(_TRIGGERS)}.{os.getpid()}.bench",
            }
        ).encode()
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SECRET, ts, body),
        }
        started = time.perf_counter()
        try:
            self.conn.request("POST", "/slack/events", body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return Sample((time.perf_counter() - started) * 1000, None, 599)
        acked = time.perf_counter()
        if data.strip():  # the answer came in the ack
            readable: float | None = acked
        else:
            readable = self.sink.wait(response_url, READABLE_LIMIT_S * 2)
        return Sample(
            (acked - started) * 1000,
            (readable - started) * 1000 if readable is not None else None,
            status,
        )

    def close(self) -> None:
        self.conn.close()


def load(port: int, sink: ResponseSink, text: str, *, connections: int, requests: int) -> Run:
    """`requests` commands spread over `connections` concurrent keep-alive connections."""
    run = Run()
    lock = threading.Lock()
    per = max(1, requests // connections)

    def worker() -> None:
        commander = Commander(port, sink)
        mine = [commander.send(text) for _ in range(per)]
        commander.close()
        with lock:
            run.samples.extend(mine)

    Commander(port, sink).send(text)  # warm the worker's imports and caches
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.wall_s = time.perf_counter() - started
    return run


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


Measure = Callable[[], Run]
