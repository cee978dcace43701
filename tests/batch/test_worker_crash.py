"""A worker process that dies mid-batch: its rows run again, and every row is still reported.

The batch's worker processes are children of the multiprocessing fork server, itself a child
of this process; they are found through ``/proc``, so these tests run on Linux only.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator import batch
from evaluator.batch import BatchSettings, RowOutcome, score_rows
from evaluator.batch_rows import SourceRow, open_csv, open_rows
from tests.batch.helpers import ENDS_ITS_WORKER, INLINE, score_or_end, write_csv

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or
                                "forkserver" not in multiprocessing.get_all_start_methods(),
                                reason="finds worker processes through /proc")

WORK = {"max_participants": "4000", "runs": "1", "horizon_months": "36"}
"""A simulation big enough that rows are still running when a worker is killed."""

PLAN_TYPES = (
    {"plan_type": "unilevel"},
    {"plan_type": "binary", "level_rates": "0.1"},
    {"plan_type": "matrix", "matrix_width": "3"},
    {"plan_type": "single_level", "level_rates": ""},
)


def offer_rows(tmp_path: Path, count: int, ender: int | None = None) -> list[SourceRow]:
    """``count`` valid offers of every plan type (the one at ``ender`` ends its worker)."""
    rows = [INLINE | PLAN_TYPES[i % len(PLAN_TYPES)] | {"company_name": f"Offer {i + 1}"}
            for i in range(count)]
    if ender is not None:
        rows[ender]["company_name"] = ENDS_ITS_WORKER
    path = write_csv(tmp_path / "offers.csv", [*INLINE, "matrix_width"], list(rows))
    with open_csv(path) as handle:
        sources = list(open_rows(handle, path.parent))
    assert all(s.document is not None and not s.errors for s in sources)
    return sources


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else int(fields[1])


def _children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``."""
    return {int(e) for e in os.listdir("/proc") if e.isdigit() and _parent(int(e)) == pid}


def pool_processes() -> set[int]:
    """Live children of this process's fork server: the worker processes of its pools."""
    servers = [p for p in _children(os.getpid())
               if b"forkserver" in Path(f"/proc/{p}/cmdline").read_bytes()]
    return set().union(*(_children(s) for s in servers))


def wait_gone(pids: set[int], seconds: float = 10.0) -> set[int]:
    """The processes of ``pids`` still alive after waiting up to ``seconds`` for them."""
    deadline = time.monotonic() + seconds
    alive = pids & pool_processes()
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive &= pool_processes()
    return alive


@pytest.fixture
def before() -> Iterator[set[int]]:
    """Pool processes alive before the test; after it, none of the test's may be left."""
    existing = pool_processes()
    yield existing
    assert wait_gone(pool_processes() - existing) == set()


@pytest.fixture
def restarts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the batch's pool restarts (each restart still runs)."""
    counted: list[int] = []
    restart = batch._LocalPool.restart

    def counting(self: batch._LocalPool) -> None:
        counted.append(1)
        restart(self)

    monkeypatch.setattr(batch._LocalPool, "restart", counting)
    return counted


def alone(sources: list[SourceRow], settings: BatchSettings) -> list[RowOutcome]:
    """The rows scored one by one in this process: what a batch must report for them."""
    return [batch.score_row(source, settings) for source in sources]


def test_rows_of_a_killed_worker_run_again_and_every_row_is_scored(
        tmp_path: Path, before: set[int], restarts: list[int]) -> None:
    """More rows than the window: the batch submits rows to the pool the kill broke, too."""
    sources = offer_rows(tmp_path, 12)
    settings = BatchSettings(overrides=WORK)
    outcomes = score_rows(sources, settings, workers=2)
    got = [next(outcomes)]
    workers = pool_processes() - before
    assert len(workers) == 2
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    assert wait_gone(workers) == set()  # the pool saw the death and ended its other worker
    got.extend(outcomes)
    assert restarts == [1]
    assert [o.row for o in got] == [s.row for s in sources]
    assert [o.status for o in got] == ["scored"] * len(sources)
    assert got == alone(sources, settings)


def test_a_row_that_kills_its_worker_every_time_is_reported_and_the_rest_scored(
        tmp_path: Path, before: set[int], restarts: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows in flight beside it are retried and scored; the row itself runs with the
    others, again with the others, then alone, where its worker's death is its own."""
    sources = offer_rows(tmp_path, 12, ender=3)
    settings = BatchSettings(overrides=WORK)
    expected = alone(sources[:3] + sources[4:], settings)
    monkeypatch.setattr(batch, "score_row", score_or_end)
    got = list(score_rows(sources, settings, workers=2))
    assert [o.row for o in got] == [s.row for s in sources]
    ended = got.pop(3)
    assert got == expected
    assert ended.status == "error"
    assert ended.label == ENDS_ITS_WORKER
    assert [(e.path, e.message) for e in ended.errors] == [
        ("", "the worker process scoring this row died, and died again when the row ran "
             "alone (killed by the system, perhaps out of memory); the row was not scored")]
    assert restarts == [1, 1, 1]
