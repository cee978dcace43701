"""Speed and memory of batch scoring, printed as a table.

Measures:
- rows per second for 1,000 distinct offers at the default simulation size (every assumption
  at its default), with 1 and with 2 workers (target: 1,000 rows in <= 5 minutes on a 2-core
  machine, faster with more workers);
- peak memory for 100,000 rows with a tiny simulation (100 participants, 1 run, 6 months):
  the resident memory of the main process and of the workers, printed every 5% of the rows
  as the run goes, should stay flat however many rows have gone through;
- with ``--sparse-gib N``: the peak memory of ``oppeval batch`` (a child process, measured
  with ``wait4``) on a sparse CSV of N GiB (a header, then NUL bytes that take no disk), and
  what it answered; the file is refused on its first piece, so the peak stays that of a
  small run however large N is (it grew with the file when a line was read whole).

The rows are the inline rows of ``plan_samples/batch_example.csv`` with varied names and
fees, so every row is a different plan (and gets its own seed).

Run: ``.venv/bin/python benchmarks/batch.py`` (``--rows``, ``--memory-rows`` and ``--workers``
change the sizes; ``--skip-speed`` or ``--skip-memory`` run one half). To compare with another
version, put its source first on ``PYTHONPATH``: the child runs whichever ``evaluator`` that
finds, and the table names it.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluator.batch import BatchSettings, BatchSummary, CsvResults, score_rows
from evaluator.batch_rows import open_csv, open_rows
from evaluator.resources import data_dir

TINY = {"max_participants": 100, "runs": 1, "horizon_months": 6, "initial_participants": 10}


def make_csv(path: Path, rows: int) -> Path:
    """``rows`` distinct offers built from the example CSV's inline rows."""
    with open_csv(data_dir("plan_samples") / "batch_example.csv") as handle:
        reader = csv.DictReader(handle)
        templates = [r for r in reader if not r["plan_file"]]
    header = [name for name in templates[0] if name != "plan_file"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            row = dict(templates[i % len(templates)])
            row["company_name"] = f"Offer {i + 1}"
            row["enrollment_fee"] = str(10 + (i * 7) % 290)
            writer.writerow([row[name] for name in header])
    return path


def rss_kib(pid: int) -> int:
    """Resident memory of one process, in KiB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (the pool's workers sit below its forkserver)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def run(path: Path, settings: BatchSettings, workers: int,
        samples: int = 0) -> tuple[float, BatchSummary]:
    """Score the CSV; seconds taken and the summary.

    With ``samples``, print the rows done, the elapsed time and the resident memory of the
    main process and of the workers every ``samples`` rows, as they happen.
    """
    summary = BatchSummary()
    if samples:
        print(f"{'rows done':>10} {'seconds':>8} {'main MiB':>9} {'workers MiB':>12}",
              flush=True)
    with tempfile.TemporaryDirectory() as folder, open_csv(path) as handle, \
            open(Path(folder) / "out.csv", "w", encoding="utf-8", newline="") as sink:
        writer = CsvResults(sink, settings)
        start = time.perf_counter()
        for outcome in score_rows(open_rows(handle, path.parent), settings, workers=workers):
            writer.write(outcome)
            summary.add(outcome)
            if samples and summary.rows % samples == 0:
                workers_kib = sum(rss_kib(pid) for pid in descendants(os.getpid()))
                print(f"{summary.rows:>10,} {time.perf_counter() - start:>8.0f} "
                      f"{rss_kib(os.getpid()) / 1024:>9.1f} {workers_kib / 1024:>12.1f}",
                      flush=True)
        writer.close()
        seconds = time.perf_counter() - start
    return seconds, summary


def sparse_peak(gib: float, folder: Path) -> tuple[float, int, str]:
    """``oppeval batch`` on a sparse CSV of ``gib`` GiB: peak resident MiB of the child, its
    exit code and the first line it printed on stderr."""
    path = folder / "sparse.csv"
    with path.open("wb") as handle:
        handle.write(b"company_name,notes\n")
        handle.truncate(int(gib * 2**30))
    with (folder / "sparse.err").open("w+", encoding="utf-8") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", "from evaluator.cli import main; main()", "batch", str(path),
             "-o", str(folder / "sparse-out.csv"), "--workers", "1"],
            stdout=subprocess.DEVNULL, stderr=err, cwd=folder)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        first = err.readline().strip()
    path.unlink()
    return usage.ru_maxrss / 1024, child.returncode, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--memory-rows", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2", help="worker counts for the speed runs")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--sparse-gib", type=float, default=0,
                        help="also measure a sparse CSV of this many GiB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.sparse_gib:
            child = subprocess.run(
                [sys.executable, "-c", "import evaluator; print(evaluator.__file__)"],
                capture_output=True, text=True, check=True, cwd=folder).stdout.strip()
            peak, code, said = sparse_peak(args.sparse_gib, Path(folder))
            print(f"sparse CSV of {args.sparse_gib:g} GiB, evaluator from {child}")
            print(f"peak {peak:,.1f} MiB, exit code {code}: {said[:160]}", flush=True)
        if not args.skip_speed:
            path = make_csv(Path(folder) / "speed.csv", args.rows)
            print(f"{args.rows:,} rows at the default simulation size")
            print(f"{'workers':>8} {'seconds':>9} {'rows/s':>8}  summary")
            for workers in (int(w) for w in args.workers.split(",")):
                seconds, summary = run(path, BatchSettings(), workers)
                print(f"{workers:>8} {seconds:>9.1f} {summary.rows / seconds:>8.2f}  "
                      f"{summary.text()}", flush=True)
        if not args.skip_memory:
            rows = args.memory_rows
            path = make_csv(Path(folder) / "memory.csv", rows)
            workers = max(int(w) for w in args.workers.split(","))
            print(f"\n{rows:,} rows with a tiny simulation ({TINY}), {workers} workers",
                  flush=True)
            seconds, summary = run(path, BatchSettings(overrides=TINY), workers,
                                   samples=max(rows // 20, 1))
            print(f"{seconds:.1f} s, {summary.rows / seconds:.1f} rows/s; {summary.text()}")
            peak = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
            print(f"main process peak (VmHWM): {int(peak) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
