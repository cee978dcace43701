"""Web app speed: form submission to full HTML report, and the PDF download, under waitress.

Starts ``oppeval serve`` (the production server) on 127.0.0.1 at a free port, then drives it
the way a browser does: load the form (session cookie and CSRF token), post a sample plan with
the default simulation size, read the whole report, follow its PDF link. It runs with 1 and
with 8 concurrent clients, a bounded number of rounds each, and prints the median and 95th
percentile of each step and the number of failed requests. Only 127.0.0.1 is contacted.

    .venv/bin/python benchmarks/web.py [--rounds 12] [--clients 1,8]

Targets (issue 7): HTML <= 1 s median and PDF <= 3 s median with one client; no failed request
with eight.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from evaluator.assumptions import ASSUMPTIONS
from evaluator.resources import data_dir
from evaluator.web import formdata

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PDF_LINK = re.compile(r'href="(/reports/[\w-]+/download/pdf)"')
TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``oppeval serve`` in a child process; returns once /healthz answers."""
    code = f"from evaluator.web import serve; serve('127.0.0.1', {port})"
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def form_values(path: Path) -> dict[str, str]:
    """What the form holds after picking a sample: its fields and the default assumptions."""
    doc = json.loads(path.read_text("utf-8"))
    values = dict(formdata.state_from_document(doc).values)
    values.update({f"assumptions.{a.name}": formdata.format_value(a.default) for a in ASSUMPTIONS})
    values["action"] = "evaluate"
    return values


class Client:
    """One visitor: a cookie jar and the timings of each step."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.html: list[float] = []
        self.pdf: list[float] = []
        self.failures: list[str] = []

    def fetch(self, path: str, data: dict[str, str] | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def round(self, values: dict[str, str]) -> None:
        status, page = self.fetch("/")
        token = TOKEN.search(page.decode("utf-8"))
        if status != 200 or token is None:
            self.failures.append(f"GET / -> {status}")
            return
        start = time.perf_counter()
        status, report = self.fetch("/evaluate", {**values, "csrf_token": token.group(1)})
        self.html.append(time.perf_counter() - start)
        link = PDF_LINK.search(report.decode("utf-8"))
        if status != 200 or link is None:
            self.failures.append(f"POST /evaluate -> {status}")
            return
        start = time.perf_counter()
        status, pdf = self.fetch(html.unescape(link.group(1)))
        self.pdf.append(time.perf_counter() - start)
        if status != 200 or not pdf.startswith(b"%PDF"):
            self.failures.append(f"GET /reports/<id>/download/pdf -> {status}")


def run(base: str, clients: int, rounds: int, samples: list[Path]) -> list[Client]:
    """``clients`` visitors at once, each doing ``rounds`` rounds over the samples."""
    visitors = [Client(base) for _ in range(clients)]

    def work(index: int, visitor: Client) -> None:
        for r in range(rounds):
            visitor.round(form_values(samples[(index + r) % len(samples)]))

    threads = [threading.Thread(target=work, args=(i, v)) for i, v in enumerate(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return visitors


def summary(label: str, times: list[float]) -> str:
    if not times:
        return f"{label}: no successful request"
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
    return (f"{label}: median {statistics.median(times):.2f} s, p95 {p95:.2f} s "
            f"({len(times)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12,
                        help="rounds per client with one client (default 12)")
    parser.add_argument("--clients", default="1,8", help="client counts (default 1,8)")
    args = parser.parse_args()
    samples = sorted(data_dir("plan_samples").glob("*.json"))
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"oppeval serve on {base}; {len(samples)} samples in rotation; "
              "default simulation size")
        run(base, 1, 1, samples)  # warm-up: imports, fonts, templates
        for count in (int(c) for c in args.clients.split(",")):
            rounds = max(1, args.rounds // count) if count > 1 else args.rounds
            visitors = run(base, count, max(rounds, 3), samples)
            html_times = [t for v in visitors for t in v.html]
            pdf_times = [t for v in visitors for t in v.pdf]
            failures = [f for v in visitors for f in v.failures]
            print(f"\n{count} concurrent client(s):")
            print("  " + summary("form -> HTML report", html_times))
            print("  " + summary("PDF download      ", pdf_times))
            shown = f" ({failures[:3]})" if failures else ""
            print(f"  failed requests: {len(failures)}{shown}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
