"""The machine's cores, and the worker processes independent simulation runs share them over.

A Monte-Carlo run is independent of every other run, so an evaluation's runs (the main
simulation's and the sensitivity re-runs) can run in worker processes, one per core: each run
gets its own seed and the results come back in run order, so the outcome is identical to
running them one after the other. Small jobs run in this process, where starting the work
elsewhere would cost more than it gives; so does a process that is itself a worker. When the
jobs are one more than a multiple of the workers, the calling process runs the last one while
the workers run the rest, rather than wait for one worker to run a job more than the others:
5 runs on 2 workers take 2.5 runs' time on the 2 cores (three processes sharing them) instead
of 3.

Worker processes pay off in a long-lived process that evaluates again and again (the web
server turns them on with :func:`share_runs_over_cores`); a one-shot command would spend on
starting them what it gains. So by default, and for library use, runs stay in the calling
process; ``OPPEVAL_PROCESSES`` overrides either way. The workers start from a fresh server
process (forkserver), which imports the calling program's main module again, as
multiprocessing always does: a script that turns them on keeps its work under
``if __name__ == "__main__":``.

Every worker ends as soon as the process that started it does, however that process ended
(even killed outright): a thread in the worker waits on multiprocessing's parent sentinel. The
fork server and the resource tracker then end by themselves, since they stay only while a
worker or their owner holds their pipes. :func:`stop_workers` stops them all at once.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from multiprocessing.context import BaseContext
from typing import TypeVar

from evaluator.errors import InputError

J = TypeVar("J")
R = TypeVar("R")

PROCESSES_ENV = "OPPEVAL_PROCESSES"
THREADS_ENV = "OPPEVAL_SIMULATION_THREADS"
# What the fork server imports for every worker: a batch row's whole pipeline, which holds
# the simulation too. One list for all, since a process has one fork server and the list
# counts only when that server starts (whichever pool starts it).
PRELOAD = ["evaluator.batch"]
WORTH_IT = 2_000_000
"""Least work (simulated participant-months, as the caller counts them) sent to worker
processes: below it, handing the runs over costs more than running them here."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def count_from_env(name: str, default: int) -> int:
    """A whole number of at least 1 from the environment variable ``name``, else ``default``.

    Anything else is refused, naming the variable.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return value


_chosen = 1  # worker processes when the environment does not say: set by share_runs_over_cores


def default_processes() -> int:
    """Worker processes for independent runs.

    ``OPPEVAL_PROCESSES`` (1: none), else 1, or one per usable core after
    :func:`share_runs_over_cores`.
    """
    return count_from_env(PROCESSES_ENV, _chosen)


def share_runs_over_cores() -> None:
    """From now on, independent runs in this process go to one worker process per usable core.

    That holds unless ``OPPEVAL_PROCESSES`` says otherwise. The workers start now, so the first
    evaluation does not wait for them.
    """
    global _chosen
    _chosen = usable_cores()
    processes = default_processes()
    if processes > 1:
        # A pool starts a worker for each task submitted while none is idle: as many tasks
        # at once as there are workers start them all.
        pool = _pool(processes, os.getpid())
        for started in [pool.submit(int) for _ in range(processes)]:
            started.result()


def run_all(work: Callable[[J], R], jobs: Sequence[J], size: float) -> list[R]:
    """``work`` on every job, results in job order; in worker processes when it pays, else here.

    Worker processes run them when there are several jobs, ``size`` (the jobs' work) is at least
    :data:`WORTH_IT` and this process may have workers; when there is one job more than a
    multiple of the workers, this process runs the last one meanwhile. If a worker dies, the
    jobs run here instead.
    """
    processes = default_processes()
    # (A daemonic process, such as a multiprocessing.Pool's worker, may not start any.)
    if (processes < 2 or len(jobs) < 2 or size < WORTH_IT
            or multiprocessing.current_process().daemon):
        return [work(job) for job in jobs]
    pool = _pool(processes, os.getpid())
    # One job more than a multiple of the workers: this process, which would only wait, runs
    # the last itself, so no worker runs one job more than the others. (5 runs on 2 workers:
    # 2 each and 1 here, 2.5 runs' time on the 2 cores instead of 3.)
    here = 1 if len(jobs) > processes and (len(jobs) - 1) % processes == 0 else 0
    sent = jobs[:len(jobs) - here]
    try:
        futures = [pool.submit(work, job) for job in sent]
    except BrokenProcessPool:
        _pool.cache_clear()
        return [work(job) for job in jobs]
    try:
        mine = [work(job) for job in jobs[len(sent):]]
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    try:
        return [future.result() for future in futures] + mine
    except BrokenProcessPool:
        _pool.cache_clear()
        return [work(job) for job in sent] + mine


def worker_start(threads: int = 1) -> None:
    """In a worker process (its pool's initializer): no worker processes of its own.

    Unless the environment says how many, the simulation gets ``threads`` threads, the worker's
    share of the cores.
    """
    os.environ[PROCESSES_ENV] = "1"
    os.environ.setdefault(THREADS_ENV, str(threads))
    _end_with_owner()


def _end_with_owner() -> None:
    """In a worker process: end this process the moment the process that started it ends.

    A pool's idle worker waits on its task queue, whose pipe it holds both ends of, so it never
    sees its owner go; multiprocessing's parent sentinel (a pipe the owner holds open, also
    through a fork server) becomes readable when the owner ends, however it ended.
    """
    owner = multiprocessing.parent_process()
    if owner is None:  # the main process: nothing started it
        return

    def watch() -> None:
        owner.join()
        os._exit(1)

    threading.Thread(target=watch, name="oppeval-owner-watch", daemon=True).start()


def stop_workers() -> None:
    """Stop every worker process this process started, and forget the pools.

    That is this module's pools and any other (such as a batch's), including workers in the
    middle of a task.
    """
    for pool in _pools:
        pool.shutdown(wait=False, cancel_futures=True)
    _pool.cache_clear()
    _pools.clear()
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=5)


def process_context() -> BaseContext:
    """Where worker processes start: from a forkserver where there is one; else spawned.

    The forkserver has imported :data:`PRELOAD` once, so none of them pays the import again.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


_pools: list[ProcessPoolExecutor] = []
"""Every pool :func:`_pool` made, for :func:`stop_workers`."""


@cache
def _pool(processes: int, pid: int) -> ProcessPoolExecutor:
    """One pool per size and process (a forked child makes its own: ``pid``)."""
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=process_context(),
                               initializer=worker_start)
    _pools.append(pool)
    return pool
