"""Network simulation: a seeded, Monte-Carlo scale model of the company's network.

``simulate(plan, assumptions, seed, engine)`` runs ``assumptions["runs"]`` runs, each with its
own child seed from ``np.random.SeedSequence(seed).spawn(runs)``, through the chosen engine
(``"vectorised"``, the fast one, or ``"reference"``, the plain per-participant oracle), and
summarises them; ``simulate_many`` does the same under several sets of assumptions at once.
Runs may be shared out over worker processes (:mod:`evaluator.parallel`) and a big month's
parts over threads (:mod:`evaluator.simulation.sharing`). No I/O, and the same inputs give the
same result. The only process-wide state is how work is shared out, never what it computes:
the cached thread and worker-process pools, the number of workers
``evaluator.parallel.share_runs_over_cores`` chose, and the ``OPPEVAL_PROCESSES`` and
``OPPEVAL_SIMULATION_THREADS`` environment variables they read. Random numbers come only from
each run's own generator, never from the global ``np.random``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluator.assumptions import Assumptions
from evaluator.errors import InputError
from evaluator.model import Plan
from evaluator.parallel import run_all
from evaluator.simulation.network import Engine, Params, RunData, run
from evaluator.simulation.payouts import VectorisedEngine
from evaluator.simulation.reference import ReferenceEngine
from evaluator.simulation.summary import combine, summarise

ENGINES: dict[str, type[VectorisedEngine] | type[ReferenceEngine]] = {
    "vectorised": VectorisedEngine,
    "reference": ReferenceEngine,
}

__all__ = ["ENGINES", "SimulationResult", "run_once", "simulate", "simulate_many"]


@dataclass(frozen=True)
class SimulationResult:
    """The simulation summary over all runs (see ``docs/ARCHITECTURE.md`` for the keys)."""

    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The ``simulation`` mapping (a copy), JSON-native values only.

        ``None`` stands for unknown.
        """
        return copy.deepcopy(self.summary)


def _engine(name: str) -> Engine:
    """A fresh engine for one run.

    An engine keeps the working state of the run it is in (its month under way, its background
    placements), and each run is a job of its own, here or in a worker process.
    """
    return _engine_type(name)()


def _engine_type(name: str) -> type[VectorisedEngine] | type[ReferenceEngine]:
    try:
        return ENGINES[name]
    except KeyError:
        raise InputError(
            f"engine {name!r} is not one of {', '.join(ENGINES)}"
        ) from None


def run_once(plan: Plan, assumptions: Assumptions, seed: np.random.SeedSequence | int,
             engine: str = "vectorised") -> RunData:
    """One run with one seed: the per-participant arrays, before any summary."""
    return run(Params.build(plan, assumptions), np.random.default_rng(seed), _engine(engine))


def simulate(plan: Plan, assumptions: Assumptions, seed: int,
             engine: str = "vectorised") -> SimulationResult:
    """Monte-Carlo simulation of the plan's network under the assumptions."""
    return simulate_many(plan, [assumptions], seed, engine)[0]


def simulate_many(plan: Plan, assumption_sets: Sequence[Assumptions], seed: int,
                  engine: str = "vectorised") -> list[SimulationResult]:
    """:func:`simulate` under each set of assumptions, with the same seed.

    Every run of every set is independent (its own child seed), so all of them are shared
    out over worker processes together when that pays (:func:`evaluator.parallel.run_all`);
    results are identical either way. Run ``i`` of two sets with the same run parameters
    is the same run (child seed ``i`` of the same seed), so it is run once: a set that
    differs from an earlier one only in how many runs it has reuses that one's runs.
    """
    _engine_type(engine)  # an unknown engine is refused before any work
    jobs: list[tuple[Params, np.random.SeedSequence, str]] = []
    distinct: list[tuple[Params, list[int]]] = []  # run parameters, the jobs of their runs
    per_set: list[list[int]] = []  # each set's jobs, run by run
    for assumptions in assumption_sets:
        params = Params.build(plan, assumptions)
        runs = int(assumptions["runs"])
        held = next((held for known, held in distinct if known == params), None)
        if held is None:
            held = []
            distinct.append((params, held))
        children = np.random.SeedSequence(seed).spawn(runs)  # child i: the same for any runs
        for child in children[len(held):]:
            held.append(len(jobs))
            jobs.append((params, child, engine))
        per_set.append(held[:runs])
    work = sum(job[0].capacity * job[0].horizon for job in jobs)
    summaries = run_all(_summarised_run, jobs, work)
    return [SimulationResult(combine([summaries[i] for i in picked])) for picked in per_set]


def _summarised_run(job: tuple[Params, np.random.SeedSequence, str]) -> dict[str, Any]:
    """One run's summary (a job for :func:`evaluator.parallel.run_all`)."""
    params, child, engine = job
    return summarise(run(params, np.random.default_rng(child), _engine(engine)), engine)
