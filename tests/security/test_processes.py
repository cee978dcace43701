"""`oppeval serve` as shipped: it leaves no process behind and stays reachable under slow clients.

Each test starts the real server on a free port of 127.0.0.1 (with two worker processes), reads
the process table from ``/proc`` and stops the server the way an operator or a crash would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from evaluator import parallel
from evaluator.resources import data_dir

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process table from /proc")

SAMPLE = sorted(data_dir("plan_samples").glob("*.json"))[0]
WAIT = 30
"""Most seconds a test waits for the server to start or for its processes to end."""


def _stat(pid: int) -> tuple[int, int] | None:
    """``(parent pid, start time)`` of a live process, or None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    if fields[0] == "Z":  # a zombie has ended; only its exit status is left
        return None
    return int(fields[1]), int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> dict[int, tuple[int, str]]:
    """Every live process whose parent chain leads to ``root``: pid -> (start time, command)."""
    parents: dict[int, int] = {}
    started: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)], started[int(entry.name)] = stat
    found: dict[int, tuple[int, str]] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = (started[pid], _cmdline(pid))
                frontier.append(pid)
    return found


def survivors(processes: Mapping[int, tuple[int, str]]) -> dict[int, str]:
    """The processes of ``processes`` still alive (the same start time: not a reused pid)."""
    alive = {}
    for pid, (start, command) in processes.items():
        stat = _stat(pid)
        if stat is not None and stat[1] == start:
            alive[pid] = command
    return alive


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(**settings: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``oppeval serve`` with two worker processes and ``settings`` in its environment."""
    port = _free_port()
    env = {**os.environ, parallel.PROCESSES_ENV: "2", **settings}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("oppeval")), "serve",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None, "the server stopped while starting"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=WAIT)


def evaluate(url: str) -> bytes:
    """One evaluation at the web's default size (big enough for the worker processes)."""
    request = urllib.request.Request(url + "/api/v1/evaluate", data=SAMPLE.read_bytes(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def wait_for_none(processes: Mapping[int, tuple[int, str]]) -> dict[int, str]:
    """Wait up to :data:`WAIT` seconds for every process to end; those still alive."""
    deadline = time.monotonic() + WAIT
    while (alive := survivors(processes)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
                         ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_stopping_the_server_leaves_no_process_behind(how: signal.Signals) -> None:
    """The fork server, the resource tracker and every worker end with the server, whether it
    is asked to stop (SIGTERM, SIGINT) or killed outright (SIGKILL)."""
    with serving() as (proc, url):
        assert evaluate(url).startswith(b"{")
        children = descendants(proc.pid)
        commands = " ".join(command for _, command in children.values())
        assert "multiprocessing.forkserver" in commands
        assert "multiprocessing.resource_tracker" in commands
        assert len(children) >= 4, children  # the tracker, the fork server, two workers
        proc.send_signal(how)
        proc.wait(timeout=WAIT)
        if how != signal.SIGKILL:
            assert proc.returncode == 0
        assert wait_for_none(children) == {}


def test_the_server_stops_while_an_evaluation_is_running() -> None:
    """SIGTERM in the middle of an evaluation still ends every worker (none finishes its
    task first under PID 1)."""
    with serving() as (proc, url), ExitStack() as stack:
        evaluate(url)
        children = descendants(proc.pid)
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", int(url.rsplit(
            ":", 1)[1]))))
        body = SAMPLE.read_bytes()
        sock.sendall(b"POST /api/v1/evaluate?seed=5 HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT)
        assert wait_for_none(children) == {}


def test_slow_connections_do_not_make_the_server_unreachable() -> None:
    """110 connections held open without a byte sent (waitress's default limit is 100):
    a health check still answers."""
    with serving() as (_, url), ExitStack() as stack:
        port = int(url.rsplit(":", 1)[1])
        for _ in range(110):
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        with urllib.request.urlopen(url + "/healthz", timeout=15) as response:
            assert response.status == 200


def test_an_idle_connection_is_closed_after_the_channel_timeout() -> None:
    """``OPPEVAL_CHANNEL_TIMEOUT`` is the seconds an idle connection is kept open."""
    with serving(OPPEVAL_CHANNEL_TIMEOUT="1") as (_, url):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
            assert sock.recv(1) == b"", "the server closed the idle connection"


def test_a_bad_server_setting_is_refused_naming_it() -> None:
    result = subprocess.run([str(Path(sys.executable).with_name("oppeval")), "serve",
                             "--port", str(_free_port())], capture_output=True, text=True,
                            env={**os.environ, "OPPEVAL_CONNECTION_LIMIT": "lots"},
                            timeout=WAIT)
    assert result.returncode == 2
    assert "OPPEVAL_CONNECTION_LIMIT must be a whole number of at least 1, not 'lots'" in (
        result.stderr)
