"""The threads a simulation may share a month's independent work over.

numpy releases the GIL on large arrays, so a big month's independent parts (the month's draws
while the recruits join the trees, the trees as they grow, the components as they pay, the
pay, costs and churn of the month's end in parts) can run side by side; results never
depend on it (each part touches its own state and results are combined in a fixed order).
Small months run on one thread: there, handing work between threads costs more than it gives
(:func:`side_by_side`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from evaluator.parallel import THREADS_ENV, count_from_env, usable_cores

__all__ = ["MOST_THREADS", "PARALLEL_MIN", "THREADS_ENV", "default_threads", "in_parts", "pool",
           "side_by_side"]

MOST_THREADS = 4  # a month has a handful of independent parts: more threads add nothing
PARALLEL_MIN = 50_000  # fewest participants for which a month's parts run side by side


def default_threads() -> int:
    """Threads a month's independent parts run on.

    ``OPPEVAL_SIMULATION_THREADS`` when set (1: none side by side), else the usable cores, at most
    ``MOST_THREADS``.
    """
    return count_from_env(THREADS_ENV, min(MOST_THREADS, usable_cores()))


def side_by_side(threads: int, size: int) -> bool:
    """Whether work on ``size`` participants is shared over ``threads`` threads."""
    return threads > 1 and size >= PARALLEL_MIN


def pool(threads: int) -> ThreadPoolExecutor:
    """The shared pool of ``threads`` threads in this process."""
    return _pool(threads, os.getpid())


@cache
def _pool(threads: int, pid: int) -> ThreadPoolExecutor:
    """One thread pool per size and process (a forked child makes its own: ``pid``)."""
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="oppeval-simulation")


def in_parts(threads: int, size: int, work: Callable[[slice], None]) -> None:
    """``work(part)`` over contiguous parts of ``range(size)`` that together cover it.

    One part per thread side by side when ``size`` is big enough for that to pay, else one part. For
    element-by-element work, whose results do not depend on the parts.
    """
    if not side_by_side(threads, size):
        work(slice(0, size))
        return
    bounds = [size * i // threads for i in range(threads + 1)]
    jobs = [pool(threads).submit(work, slice(lo, hi))
            for lo, hi in itertools.pairwise(bounds)]
    for job in jobs:
        job.result()
