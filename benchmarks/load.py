"""Load the production server: ``oppeval serve`` on 127.0.0.1, 20 concurrent clients, 60 s.

Starts ``oppeval serve`` on a free port of 127.0.0.1 and warms it up with the same load until
it has answered more evaluations than its cache of recent ones holds (so memory is compared in
its steady state). Then ``--clients`` threads run for ``--seconds``; each loop is also bounded
by ``--max-requests`` per client, so it stops by itself. Each client repeats a mix of what
visitors do: the form (``GET /?sample=...`` for the CSRF token and the filled form, then
``POST /evaluate``, which saves the report and redirects to it), API calls (``POST
/api/v1/evaluate``, JSON), PDF downloads (the saved report's ``/reports/<id>/download/pdf``
link, or the API with ``format=pdf``) and a cheap page. Every
evaluation uses a new seed, so nothing is served from the server's cache. Prints requests per
second, latency percentiles, failed requests by reason (target: 0), and the server's resident
memory after the warm-up, during the run and after it (target: no growth beyond noise).

    .venv/bin/python benchmarks/load.py [--clients 20] [--seconds 60]

``--attack`` compares honest visitors with and without an attacker instead: ``--clients``
honest clients, each pausing ``--pause`` seconds (default 2) between requests as a person
reading a page would, warm the server up as above (``--warmup``; 0 skips it), run for
``--seconds`` alone and then for ``--seconds`` beside one more
client that sends the attacks of :data:`ATTACKS` one after another (a bounded number of each)
while :data:`SLOW_CONNECTIONS` connections trickle a request one byte at a time. Printed side
by side: honest requests and failures, honest p50/p95 latency, the worst ``/healthz`` latency
(polled every half second throughout), the RSS of the server and of its child processes (the
worker processes, the fork server, the resource tracker) at the start, peak and end of each
phase, and their CPU time; then the RSS once more after ``--quiet`` seconds with no traffic,
against its level before the attack; then
what each attack got back. All traffic goes to 127.0.0.1 only, every loop is bounded in count
and time, and the server is stopped at the end.

    .venv/bin/python benchmarks/load.py --attack [--clients 20] [--seconds 45]

``--each-attack`` sends each attack alone instead, :data:`ATTACK_REPEATS` times, to a server
warmed up as above and otherwise idle, and prints the RSS of the server and of its child
processes before, at the peak and after each (which attack leaves memory behind), then after
``--quiet`` seconds.

    .venv/bin/python benchmarks/load.py --each-attack [--arenas N]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.resources import data_dir
from evaluator.web import MAX_FORM_PARTS
from evaluator.web.batch import MAX_ROWS
from evaluator.web.service import RECENT_EVALUATIONS
from tests.web.pages import form

HOST = "127.0.0.1"
SAMPLES = sorted(p.stem for p in data_dir("plan_samples").glob("*.json"))
KINDS = ("form", "api", "pdf", "api", "form", "page")
"""One client's cycle: two form submissions, two API calls, one PDF, one cheap page."""

TIMEOUT = 180
"""Seconds a client waits for one answer before counting it as failed."""


@dataclass
class Results:
    """Every request's kind, latency and outcome (threads append under a lock)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, failure: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if failure:
                self.failures[f"{kind}: {failure}"] += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, arenas: int | None = None) -> subprocess.Popen[bytes]:
    """``oppeval serve`` on ``HOST:port``; returns once ``/healthz`` answers.

    ``arenas``, when given, is the server's ``MALLOC_ARENA_MAX`` (else the server's own choice).

    The server's log goes to a temporary file, not a pipe: nobody reads a pipe while the load
    runs, and a full one would block the server at its next log line (a traceback of a
    refused attack fills one)."""
    oppeval = Path(sys.executable).with_name("oppeval")
    with tempfile.TemporaryFile() as log:  # the server keeps its own copy open
        env = dict(os.environ)
        if arenas is not None:
            env["MALLOC_ARENA_MAX"] = str(arenas)
        server = subprocess.Popen([str(oppeval), "serve", "--host", HOST, "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=log, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                log.seek(0)
                raise SystemExit(f"the server stopped: {log.read().decode()[-2000:]}")
            try:
                if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).ok:
                    return server
            except requests.ConnectionError:
                time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 60 s")


class Client:
    """One visitor: a session (cookies, CSRF token) that repeats the cycle of KINDS."""

    def __init__(self, base: str, number: int, seeds: itertools.count[int]) -> None:
        self.base = base
        self.session = requests.Session()
        self.number = number
        self.seeds = seeds
        self.report_pdf = ""

    def request(self, kind: str) -> requests.Response:
        """Send one request of ``kind``; returns the final response."""
        sample = SAMPLES[(self.number + next(self.seeds)) % len(SAMPLES)]
        seed = str(next(self.seeds))
        if kind == "form":
            page = self.session.get(f"{self.base}/?sample={sample}", timeout=TIMEOUT)
            page.raise_for_status()
            values = dict(form(page.text, action="/evaluate").values)
            values.update({"seed": seed, "action": "evaluate"})
            response = self.session.post(f"{self.base}/evaluate", data=values, timeout=TIMEOUT)
            match = re.search(r'href="(/reports/[\w-]+/download/pdf)"', response.text)
            if match:
                self.report_pdf = match.group(1)
            return response
        if kind == "pdf" and self.report_pdf:
            return self.session.get(f"{self.base}{self.report_pdf}", timeout=TIMEOUT)
        if kind in ("api", "pdf"):
            body = (data_dir("plan_samples") / f"{sample}.json").read_bytes()
            fmt = "pdf" if kind == "pdf" else "json"
            return self.session.post(f"{self.base}/api/v1/evaluate?format={fmt}&seed={seed}",
                                     data=body, headers={"Content-Type": "application/json"},
                                     timeout=TIMEOUT)
        return self.session.get(f"{self.base}/methodology", timeout=TIMEOUT)

    def run(self, deadline: float, max_requests: int, results: Results,
            stop: threading.Event, pause: float = 0) -> None:
        """Repeat the cycle until the deadline, ``stop`` or ``max_requests``, recording each
        and waiting ``pause`` seconds after each answer."""
        cycle = itertools.cycle(KINDS[self.number % len(KINDS):] + KINDS[:self.number % len(KINDS)])
        for count, kind in enumerate(itertools.islice(cycle, max_requests)):
            if count and pause:
                stop.wait(pause)
            if time.monotonic() >= deadline or stop.is_set():
                break
            started = time.perf_counter()
            failure = None
            try:
                response = self.request(kind)
                if response.status_code != 200:
                    failure = f"HTTP {response.status_code}"
                elif kind == "pdf" and not response.content.startswith(b"%PDF-"):
                    failure = "not a PDF"
            except requests.RequestException as exc:
                failure = type(exc).__name__
            results.add(kind, time.perf_counter() - started, failure)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


def workers_rss_mb(process: psutil.Process) -> float:
    """The resident memory of every process the server started (worker processes, the fork
    server, the resource tracker) together, MB."""
    total = 0
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / 2**20


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time (user + system) of the server and its live child processes so far."""
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def run_phase(base: str, clients: int, seconds: float, max_requests: int,
              seeds: itertools.count[int], process: psutil.Process,
              evaluations: int | None = None,
              pause: float = 0) -> tuple[Results, float, list[tuple[float, float]]]:
    """``clients`` threads for ``seconds`` (or until ``evaluations`` evaluating requests have
    been answered), each pausing ``pause`` seconds between requests; the results, the wall
    time and RSS samples once a second (MB: the server's, its child processes' together)."""
    results = Results()
    deadline = time.monotonic() + seconds
    stop = threading.Event()
    threads = [threading.Thread(target=Client(base, n, seeds).run,
                                args=(deadline, max_requests, results, stop, pause))
               for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    samples = []
    while any(t.is_alive() for t in threads):
        samples.append((rss_mb(process), workers_rss_mb(process)))
        if evaluations is not None and sum(
                len(v) for k, v in results.latencies.items() if k != "page") >= evaluations:
            stop.set()
        time.sleep(1)
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started, samples


# ---------------------------------------------------------------- attack mode

SLOW_CONNECTIONS = 110
"""Connections the attacker holds open, each sending a request one byte every few seconds
(waitress's default connection limit is 100)."""

ATTACK_TIMEOUT = 60
"""Seconds the attacker waits for one answer."""

ATTACK_REPEATS = 3
"""Most times the attacker sends each attack in one phase."""


def _sample_plan() -> dict[str, Any]:
    return json.loads((data_dir("plan_samples") / f"{SAMPLES[0]}.json").read_text("utf-8"))


def _unterminated_escapes() -> bytes:
    """A plan whose company name is 900 kB of escapes with no closing quote."""
    return b'{"schema_version": 1, "company": {"name": "' + b"\\u00e9" * 150_000


def _empty_products() -> bytes:
    plan = _sample_plan()
    plan["products"] = [{}] * 100_000
    return json.dumps(plan).encode("utf-8")


def _non_latin1_plan() -> bytes:
    plan = _sample_plan()
    company = dict(plan["company"])
    company["name"] = "Ωμέγα 健康 Здоровье ✓"
    plan["company"] = company
    return json.dumps(plan, ensure_ascii=False).encode("utf-8")


def _batch_at_the_budget() -> bytes:
    rows = "".join(f"Row {n} Co,USD,40,50,single_level\n" for n in range(MAX_ROWS))
    return ("company_name,currency,wholesale_price,retail_price,plan_type\n" + rows).encode()


def _deep_rubric() -> bytes:
    depth = 60_000
    return b"id: deep\nversion: 1\nindicators: " + b"[" * depth + b"]" * depth + b"\n"


class Attacker:
    """One more client that sends every attack of :data:`ATTACKS` in turn (each at most
    :data:`ATTACK_REPEATS` times a phase) until the phase ends, and holds
    :data:`SLOW_CONNECTIONS` trickling connections open meanwhile."""

    def __init__(self, base: str, port: int) -> None:
        self.base = base
        self.port = port
        self.session = requests.Session()
        self.outcomes: dict[str, list[tuple[str, float]]] = {}

    def send(self, name: str) -> str:
        """Send attack ``name``; what came back (a status, or the exception's name)."""
        api = f"{self.base}/api/v1/evaluate"
        json_type = {"Content-Type": "application/json"}
        if name == "unterminated escapes":
            response = self.session.post(api, data=_unterminated_escapes(), headers=json_type,
                                         timeout=ATTACK_TIMEOUT)
        elif name == "100,000 empty products":
            response = self.session.post(api, data=_empty_products(), headers=json_type,
                                         timeout=ATTACK_TIMEOUT)
        elif name == "huge url-encoded form":
            token = self._csrf("/")
            fields = [("csrf_token", token)] + [(f"products[{n}].name", "x" * 480)
                                                for n in range(MAX_FORM_PARTS - 2)]
            response = self.session.post(f"{self.base}/evaluate", data=fields,
                                         timeout=ATTACK_TIMEOUT)
        elif name == "100-row batch at the budget":
            response = self.session.post(f"{self.base}/api/v1/batch?max_participants=50000",
                                         data=_batch_at_the_budget(),
                                         headers={"Content-Type": "text/csv"},
                                         timeout=ATTACK_TIMEOUT)
        elif name == "non-Latin-1 company PDF":
            response = self.session.post(f"{api}?format=pdf", data=_non_latin1_plan(),
                                         headers=json_type, timeout=ATTACK_TIMEOUT)
        else:  # deep rubric
            token = self._csrf("/methodology")
            response = self.session.post(f"{self.base}/methodology",
                                         data={"csrf_token": token},
                                         files={"rubric_file": ("deep.yaml", _deep_rubric())},
                                         timeout=ATTACK_TIMEOUT)
        return f"HTTP {response.status_code}"

    def _csrf(self, path: str) -> str:
        page = self.session.get(self.base + path, timeout=ATTACK_TIMEOUT).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        return match.group(1) if match else ""

    def run(self, deadline: float, stop: threading.Event) -> None:
        """Every attack once, then again in turn until the deadline or ``stop`` (at most
        :data:`ATTACK_REPEATS` times each); the slow connections meanwhile."""
        slow = threading.Thread(target=self.trickle, args=(deadline, stop))
        slow.start()
        for round_ in range(ATTACK_REPEATS):
            for name in ATTACKS:
                if round_ and (time.monotonic() >= deadline or stop.is_set()):
                    break
                started = time.perf_counter()
                try:
                    outcome = self.send(name)
                except requests.RequestException as exc:
                    outcome = type(exc).__name__
                self.outcomes.setdefault(name, []).append(
                    (outcome, time.perf_counter() - started))
        slow.join()

    def trickle(self, deadline: float, stop: threading.Event) -> None:
        """Hold :data:`SLOW_CONNECTIONS` connections open, each sending one more byte of a
        request's headers every 5 s, until the deadline or ``stop``; then close them."""
        request = b"POST /evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
        sockets = []
        try:
            for _ in range(SLOW_CONNECTIONS):
                try:
                    sockets.append(socket.create_connection((HOST, self.port), timeout=5))
                except OSError:
                    break
            sent = 0
            while time.monotonic() < deadline and not stop.wait(5) and sent < len(request):
                for sock in list(sockets):
                    try:
                        sock.send(request[sent:sent + 1])
                    except OSError:
                        sockets.remove(sock)
                sent += 1
            self.outcomes["110 slow connections"] = [
                (f"{len(sockets)} of {SLOW_CONNECTIONS} still open at the end", 0.0)]
        finally:
            for sock in sockets:
                sock.close()


ATTACKS = ("unterminated escapes", "100,000 empty products", "huge url-encoded form",
           "100-row batch at the budget", "non-Latin-1 company PDF", "deep rubric")
"""What the attacker sends, in turn (besides the slow connections it holds all along)."""


@dataclass
class Phase:
    """One phase of the attack mode: the honest results and the server's figures."""

    results: Results
    elapsed: float
    health: list[float]
    health_failures: int
    rss_before: float
    rss_after: float
    rss_peak: float
    workers_before: float
    workers_after: float
    workers_peak: float
    cpu: float


def poll_health(base: str, stop: threading.Event, latencies: list[float],
                failures: list[str]) -> None:
    """GET /healthz every half second until ``stop``: each latency (a failed poll counts its
    wait) and each failure's reason."""
    while not stop.wait(0.5):
        started = time.perf_counter()
        try:
            status = requests.get(f"{base}/healthz", timeout=30).status_code
            if status != 200:
                failures.append(f"HTTP {status}")
        except requests.RequestException as exc:
            failures.append(type(exc).__name__)
        latencies.append(time.perf_counter() - started)


def attack_phase(base: str, port: int, args: argparse.Namespace, seeds: itertools.count[int],
                 process: psutil.Process, attacker: Attacker | None) -> Phase:
    """The honest clients for ``--seconds``, with ``attacker`` beside them if given."""
    health: list[float] = []
    health_failures: list[str] = []
    stop = threading.Event()
    poller = threading.Thread(target=poll_health, args=(base, stop, health, health_failures))
    rss_before, workers_before = rss_mb(process), workers_rss_mb(process)
    cpu_before = cpu_seconds(process)
    poller.start()
    attack = None
    if attacker is not None:
        attack = threading.Thread(target=attacker.run,
                                  args=(time.monotonic() + args.seconds, stop))
        attack.start()
    try:
        results, elapsed, samples = run_phase(base, args.clients, args.seconds,
                                              args.max_requests, seeds, process,
                                              pause=args.pause)
        if attack is not None:
            attack.join()  # its first round of attacks ends, bounded by ATTACK_TIMEOUT each
    finally:
        stop.set()
        poller.join()
        if attack is not None:
            attack.join()
    rss_after, workers_after = rss_mb(process), workers_rss_mb(process)
    return Phase(results, elapsed, health, len(health_failures), rss_before, rss_after,
                 max([rss_before, rss_after] + [m for m, _ in samples]), workers_before,
                 workers_after, max([workers_before, workers_after] + [w for _, w in samples]),
                 cpu_seconds(process) - cpu_before)


def _honest(phase: Phase) -> list[str]:
    every = [s for values in phase.results.latencies.values() for s in values]
    failed = sum(phase.results.failures.values())
    reasons = ", ".join(f"{k} x{v}" for k, v in phase.results.failures.most_common())
    return [f"{len(every):,}",
            f"{failed}" + (f" ({reasons})" if failed else ""),
            f"{percentile(every, 50):.2f} s / {percentile(every, 95):.2f} s" if every else "-",
            (f"{max(phase.health):.2f} s ({len(phase.health)} polls"
             + (f", {phase.health_failures} failed)" if phase.health_failures else ")"))
            if phase.health else "-",
            f"{phase.rss_before:.0f} / {phase.rss_peak:.0f} / {phase.rss_after:.0f} MB",
            f"{phase.workers_before:.0f} / {phase.workers_peak:.0f} / "
            f"{phase.workers_after:.0f} MB",
            f"{phase.cpu:.0f} s ({phase.cpu / max(1, len(every)):.2f} s a request)"]


STOP_WAIT = 60
"""Seconds the server is given to stop after SIGTERM before it is killed."""


def stop_server(server: subprocess.Popen[bytes]) -> str:
    """SIGTERM, then SIGKILL if the server has not stopped within :data:`STOP_WAIT` s; how
    it went."""
    started = time.perf_counter()
    server.terminate()
    try:
        server.wait(timeout=STOP_WAIT)
        return f"stopped {time.perf_counter() - started:.1f} s after SIGTERM"
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=STOP_WAIT)
        return f"still running {STOP_WAIT} s after SIGTERM (busy with an attack): killed"


def attack_mode(args: argparse.Namespace) -> int:
    """The honest load alone, then beside the attacker; both printed side by side."""
    port = free_port()
    server = start_server(port, args.arenas)
    base = f"http://{HOST}:{port}"
    process = psutil.Process(server.pid)
    attacker = Attacker(base, port)
    arenas = "the server's choice" if args.arenas is None else args.arenas
    print(f"server: oppeval serve on {base} (pid {server.pid}), MALLOC_ARENA_MAX {arenas}; "
          f"{args.clients} honest clients pausing {args.pause:g} s between requests, "
          f"{args.seconds:g} s a phase; load average {os.getloadavg()[0]:.1f} at the start",
          flush=True)
    try:
        seeds = itertools.count(1)
        if args.warmup:
            warm, warm_seconds, _ = run_phase(base, args.clients, 1200, args.max_requests, seeds,
                                              process, evaluations=args.warmup,
                                              pause=args.pause)
            print(f"warm-up: {warm_seconds:.0f} s, "
                  f"{sum(len(v) for v in warm.latencies.values())} requests, "
                  f"{sum(warm.failures.values())} failed; server RSS {rss_mb(process):.0f} MB, "
                  f"its child processes {workers_rss_mb(process):.0f} MB", flush=True)
        alone = attack_phase(base, port, args, seeds, process, None)
        print(f"without the attacker: {alone.elapsed:.0f} s", flush=True)
        attacked = attack_phase(base, port, args, seeds, process, attacker)
        print(f"under attack: {attacked.elapsed:.0f} s", flush=True)
        time.sleep(args.quiet)
        quiet_rss, quiet_workers = rss_mb(process), workers_rss_mb(process)
        print(f"after {args.quiet:g} s quiet: server RSS {quiet_rss:.0f} MB, its child "
              f"processes {quiet_workers:.0f} MB; load average {os.getloadavg()[0]:.1f}",
              flush=True)
    finally:
        stopped = stop_server(server)
    labels = ("honest requests", "honest failures", "honest p50 / p95", "worst /healthz",
              "server RSS start / peak / end", "workers RSS start / peak / end",
              "server + workers CPU")
    rows = list(zip(labels, _honest(alone), _honest(attacked), strict=True))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print()
    print(f"{'':<{widths[0]}}  {'without attacker':<{widths[1]}}  under attack")
    for label, before, during in rows:
        print(f"{label:<{widths[0]}}  {before:<{widths[1]}}  {during}")
    print()
    print("attacks (what came back, and how long it took):")
    for name, outcomes in attacker.outcomes.items():
        shown = ", ".join(f"{o} in {s:.1f} s" if s else o for o, s in outcomes)
        print(f"  {name}: {shown}")
    print(f"server RSS before the attack {attacked.rss_before:.0f} MB, peak "
          f"{attacked.rss_peak:.0f} MB, {quiet_rss:.0f} MB after {args.quiet:g} s quiet "
          f"({quiet_rss - attacked.rss_before:+.0f} MB); its child processes "
          f"{attacked.workers_before:.0f} / {attacked.workers_peak:.0f} / {quiet_workers:.0f} MB "
          f"({quiet_workers - attacked.workers_before:+.0f} MB)")
    print(f"server stop:     {stopped}")
    failed = sum(alone.results.failures.values()) + sum(attacked.results.failures.values())
    return 1 if failed else 0


def _watch_peak(process: psutil.Process, peak: list[float], done: threading.Event) -> None:
    """Until ``done``: the highest RSS of the server and of its child processes, into ``peak``."""
    while not done.wait(0.2):
        peak[0] = max(peak[0], rss_mb(process))
        peak[1] = max(peak[1], workers_rss_mb(process))


def each_attack_mode(args: argparse.Namespace) -> int:
    """Each attack of :data:`ATTACKS` alone, :data:`ATTACK_REPEATS` times, on a warmed server
    with no other traffic: the RSS of the server and of its child processes before, at the peak
    and a second after each, then after ``--quiet`` seconds."""
    port = free_port()
    server = start_server(port, args.arenas)
    base = f"http://{HOST}:{port}"
    process = psutil.Process(server.pid)
    arenas = "the server's choice" if args.arenas is None else args.arenas
    print(f"server: oppeval serve on {base} (pid {server.pid}), MALLOC_ARENA_MAX {arenas}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    try:
        seeds = itertools.count(1)
        warm, warm_seconds, _ = run_phase(base, min(args.clients, 6), 1200, args.max_requests,
                                          seeds, process, evaluations=args.warmup)
        first = rss_mb(process), workers_rss_mb(process)
        print(f"warm-up: {warm_seconds:.0f} s, {sum(len(v) for v in warm.latencies.values())} "
              f"requests, {sum(warm.failures.values())} failed; server RSS {first[0]:.0f} MB, "
              f"its child processes {first[1]:.0f} MB", flush=True)
        attacker = Attacker(base, port)
        for name in ATTACKS:
            before = rss_mb(process), workers_rss_mb(process)
            peak = list(before)
            done = threading.Event()

            watcher = threading.Thread(target=_watch_peak, args=(process, peak, done))
            watcher.start()
            outcomes = []
            for _ in range(ATTACK_REPEATS):
                try:
                    outcomes.append(attacker.send(name))
                except requests.RequestException as exc:
                    outcomes.append(type(exc).__name__)
            time.sleep(1)
            done.set()
            watcher.join()
            after = rss_mb(process), workers_rss_mb(process)
            print(f"{name} ({', '.join(sorted(set(outcomes)))}): server {before[0]:.0f} / "
                  f"{peak[0]:.0f} / {after[0]:.0f} MB, child processes {before[1]:.0f} / "
                  f"{peak[1]:.0f} / {after[1]:.0f} MB (before / peak / after)", flush=True)
        time.sleep(args.quiet)
        quiet = rss_mb(process), workers_rss_mb(process)
        print(f"after {args.quiet:g} s quiet: server {quiet[0]:.0f} MB "
              f"({quiet[0] - first[0]:+.0f} MB since the warm-up), child processes "
              f"{quiet[1]:.0f} MB ({quiet[1] - first[1]:+.0f} MB)", flush=True)
    finally:
        print(f"server stop: {stop_server(server)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=int, default=RECENT_EVALUATIONS + 8,
                        help="evaluating requests of the same load before measuring (more "
                             "than the server's cache of recent evaluations holds, so memory "
                             "is measured in its steady state)")
    parser.add_argument("--max-requests", type=int, default=1000,
                        help="most requests one client sends per phase (the loop is bounded)")
    parser.add_argument("--attack", action="store_true",
                        help="honest clients with and without one more client attacking the "
                             "server, side by side (see the module's help)")
    parser.add_argument("--each-attack", action="store_true",
                        help="each attack alone on a warmed server with no other traffic, "
                             "with the server's memory before and after it")
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds each honest client waits between requests in --attack "
                             "mode")
    parser.add_argument("--quiet", type=float, default=30.0,
                        help="seconds of no traffic after the attack phase before the "
                             "server's RSS is read once more (--attack mode)")
    parser.add_argument("--arenas", type=int, default=None,
                        help="the server's MALLOC_ARENA_MAX (default: the server's own "
                             "choice; glibc's own default is 8 per core)")
    args = parser.parse_args(argv)
    if args.each_attack:
        return each_attack_mode(args)
    if args.attack:
        return attack_mode(args)

    port = free_port()
    server = start_server(port, args.arenas)
    base = f"http://{HOST}:{port}"
    process = psutil.Process(server.pid)
    try:
        seeds = itertools.count(1)
        started_rss = rss_mb(process)
        print(f"server: oppeval serve on {base} (pid {server.pid}); RSS at start "
              f"{started_rss:.0f} MB", flush=True)
        print(f"load: {args.clients} clients, each cycling {' '.join(KINDS)} (form = GET / "
              "+ POST /evaluate; pdf = the report's download link); a new seed per "
              "evaluation", flush=True)
        warm, warm_seconds, _ = run_phase(base, args.clients, 600, args.max_requests, seeds,
                                          process, evaluations=args.warmup)
        before = rss_mb(process)
        print(f"warm-up: {warm_seconds:.0f} s, "
              f"{sum(len(v) for v in warm.latencies.values())} requests, "
              f"{sum(warm.failures.values())} failed; RSS {before:.0f} MB", flush=True)
        results, elapsed, samples = run_phase(base, args.clients, args.seconds,
                                              args.max_requests, seeds, process)
        after = rss_mb(process)
        time.sleep(5)
        settled = rss_mb(process)
    finally:
        server.terminate()
        server.wait(timeout=30)

    every = [s for values in results.latencies.values() for s in values]
    failed = sum(results.failures.values())
    print()
    print(f"(clients start no request after {args.seconds:.0f} s; the ones under way finish)")
    print(f"requests:        {len(every):,} in {elapsed:.1f} s "
          f"({len(every) / elapsed:.2f} requests/s)")
    print(f"latency (all):   p50 {percentile(every, 50):.2f} s, "
          f"p95 {percentile(every, 95):.2f} s, p99 {percentile(every, 99):.2f} s, "
          f"max {max(every):.2f} s")
    for kind, values in sorted(results.latencies.items()):
        print(f"  {kind:<6} {len(values):>5} requests, p50 {percentile(values, 50):6.2f} s, "
              f"p95 {percentile(values, 95):6.2f} s, p99 {percentile(values, 99):6.2f} s")
    print(f"failed requests: {failed}"
          + ("" if not failed else " (" + ", ".join(
              f"{k} x{v}" for k, v in results.failures.most_common()) + ")"))
    peak = max(m for m, _ in samples)
    print(f"server RSS:      {before:.0f} MB after warm-up, peak {peak:.0f} MB during, "
          f"{after:.0f} MB at the end, {settled:.0f} MB 5 s later "
          f"({settled - before:+.0f} MB, {100 * (settled - before) / before:+.1f}%)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
