"""Monte-Carlo runs shared over worker processes give exactly what running them here gives."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from evaluator import parallel
from evaluator.assumptions import Assumptions
from evaluator.errors import InputError
from evaluator.evaluation import Evaluation
from evaluator.report import RENDERERS
from evaluator.simulation import simulate, simulate_many
from tests.simulation.helpers import plan

SMALL = {"max_participants": 300, "market_size": 3000, "initial_participants": 100,
         "recruit_rate": 0.35, "horizon_months": 18, "runs": 3}


@pytest.fixture
def every_kind() -> Any:
    return plan([{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.05, 0.03]},
                 {"type": "binary", "rate": 0.1, "carryover": True},
                 {"type": "enrollment_bonus", "amounts": [40]}])


def test_runs_in_worker_processes_equal_runs_here(every_kind: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sets = [Assumptions.from_overrides(SMALL),
            Assumptions.from_overrides({**SMALL, "runs": 1, "monthly_churn": 0.12})]
    monkeypatch.setenv(parallel.PROCESSES_ENV, "1")
    here = [r.to_dict() for r in simulate_many(every_kind, sets, 9)]
    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    monkeypatch.setattr(parallel, "WORTH_IT", 0)
    pools = parallel._pool.cache_info()
    shared = [r.to_dict() for r in simulate_many(every_kind, sets, 9)]
    used = parallel._pool.cache_info()
    # The runs went to a worker pool, which is still there (no fallback to running here).
    assert used.hits + used.misses == pools.hits + pools.misses + 1
    assert used.currsize >= 1
    assert json.dumps(shared, sort_keys=True) == json.dumps(here, sort_keys=True)
    assert here[0] == simulate(every_kind, sets[0], 9).to_dict()


def test_small_work_stays_here(every_kind: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any) -> None:
        raise AssertionError("a worker pool was started for a small job")

    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    monkeypatch.setattr(parallel, "_pool", no_pool)
    assert simulate(every_kind, Assumptions.from_overrides(SMALL), 3).to_dict()["runs"] == 3


def test_a_dead_worker_pool_falls_back_to_running_here(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def submit(self, *args: Any) -> None:
            raise BrokenProcessPool("a worker died")

    class Pools:
        cleared = False

        def __call__(self, processes: int, pid: int) -> Broken:
            return Broken()

        def cache_clear(self) -> None:
            Pools.cleared = True

    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    monkeypatch.setattr(parallel, "_pool", Pools())
    assert parallel.run_all(abs, [-1, -2, 3], parallel.WORTH_IT) == [1, 2, 3]
    assert Pools.cleared


class _Recording:
    """A stand-in worker pool that runs each job at once and records it, and where it ran."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    def __call__(self, processes: int, pid: int) -> _Recording:
        return self

    def submit(self, work: Any, job: int) -> Future[Any]:
        self.sent.append(job)
        done: Future[Any] = Future()
        done.set_result(work(job))
        return done


@pytest.mark.parametrize(("jobs", "sent"), [(5, 4), (3, 2), (7, 6), (4, 4), (6, 6), (2, 2)])
def test_one_job_more_than_the_workers_share_runs_here(
        jobs: int, sent: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With 2 workers, an odd number of jobs (3 or more) leaves the last one to this process,
    the rest to the workers; results in job order either way."""
    pool = _Recording()
    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    monkeypatch.setattr(parallel, "_pool", pool)
    ran_here: list[int] = []

    def work(job: int) -> int:
        if not pool.sent or job not in pool.sent:
            ran_here.append(job)
        return -job

    assert parallel.run_all(work, list(range(jobs)), parallel.WORTH_IT) == [
        -j for j in range(jobs)]
    assert pool.sent == list(range(sent))
    assert ran_here == list(range(sent, jobs))


def test_processes_come_from_the_environment_or_the_front_door(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.PROCESSES_ENV, raising=False)
    monkeypatch.setattr(parallel, "_chosen", 1)
    assert parallel.default_processes() == 1  # library use: runs stay here
    monkeypatch.setenv(parallel.PROCESSES_ENV, "1")  # no workers are started for this test
    parallel.share_runs_over_cores()
    assert parallel._chosen == parallel.usable_cores()
    monkeypatch.delenv(parallel.PROCESSES_ENV)
    assert parallel.default_processes() == parallel.usable_cores()


def test_the_front_door_starts_every_worker_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_chosen", 1)
    monkeypatch.setenv(parallel.PROCESSES_ENV, "2")
    parallel.share_runs_over_cores()
    assert len(parallel._pool(2, os.getpid())._processes) == 2


@pytest.mark.parametrize("value", ["0", "many", "-2"])
def test_bad_process_count_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.PROCESSES_ENV, value)
    with pytest.raises(InputError, match=r"OPPEVAL_PROCESSES must be a whole number"):
        parallel.default_processes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[str]:
    """``oppeval serve`` as shipped, with worker processes for the runs."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != parallel.PROCESSES_ENV}
    env[parallel.PROCESSES_ENV] = "2"
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("oppeval")), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stdout.read() if proc.stdout else "") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def test_the_server_shares_runs_and_answers_the_same(
        server: str, sample_paths: list[Path],
        evaluations_at_defaults: Mapping[str, Evaluation]) -> None:
    """The server's evaluation (runs in worker processes) is byte for byte the one made
    here (runs one after the other, in this run's first process to ask for it), at the
    default network size."""
    path = sample_paths[0]
    request = urllib.request.Request(server + "/api/v1/evaluate", data=path.read_bytes(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        served = response.read()
    here = io.BytesIO()
    RENDERERS["json"].render(evaluations_at_defaults[path.stem], here)
    assert served == here.getvalue()
