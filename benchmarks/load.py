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
"""

from __future__ import annotations

import argparse
import itertools
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.resources import data_dir
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


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``oppeval serve`` on ``HOST:port``; returns once ``/healthz`` answers."""
    oppeval = Path(sys.executable).with_name("oppeval")
    server = subprocess.Popen([str(oppeval), "serve", "--host", HOST, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read().decode()[-2000:]}")
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
            stop: threading.Event) -> None:
        """Repeat the cycle until the deadline, ``stop`` or ``max_requests``, recording each."""
        cycle = itertools.cycle(KINDS[self.number % len(KINDS):] + KINDS[:self.number % len(KINDS)])
        for _, kind in zip(range(max_requests), cycle, strict=False):
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


def run_phase(base: str, clients: int, seconds: float, max_requests: int,
              seeds: itertools.count[int], process: psutil.Process,
              evaluations: int | None = None) -> tuple[Results, float, list[float]]:
    """``clients`` threads for ``seconds`` (or until ``evaluations`` evaluating requests have
    been answered); the results, the wall time and RSS samples (MB)."""
    results = Results()
    deadline = time.monotonic() + seconds
    stop = threading.Event()
    threads = [threading.Thread(target=Client(base, n, seeds).run,
                                args=(deadline, max_requests, results, stop))
               for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    samples = []
    while any(t.is_alive() for t in threads):
        samples.append(rss_mb(process))
        if evaluations is not None and sum(
                len(v) for k, v in results.latencies.items() if k != "page") >= evaluations:
            stop.set()
        time.sleep(1)
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started, samples


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
    args = parser.parse_args(argv)

    port = free_port()
    server = start_server(port)
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
    print(f"server RSS:      {before:.0f} MB after warm-up, peak {max(samples):.0f} MB during, "
          f"{after:.0f} MB at the end, {settled:.0f} MB 5 s later "
          f"({settled - before:+.0f} MB, {100 * (settled - before) / before:+.1f}%)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
