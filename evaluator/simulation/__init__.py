"""Network simulation: a seeded, Monte-Carlo scale model of the company's network.

``simulate(plan, assumptions, seed, engine)`` runs ``assumptions["runs"]`` runs, each with its
own child seed from ``np.random.SeedSequence(seed).spawn(runs)``, through the chosen engine
(``"vectorised"``, the fast one, or ``"reference"``, the plain per-participant oracle), and
summarises them. Pure: no I/O, no global state; the same inputs give the same result.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluator.assumptions import Assumptions
from evaluator.errors import InputError
from evaluator.model import Plan
from evaluator.simulation.network import Engine, Params, RunData, run
from evaluator.simulation.payouts import VectorisedEngine
from evaluator.simulation.reference import ReferenceEngine
from evaluator.simulation.summary import combine, summarise

ENGINES: dict[str, type[VectorisedEngine] | type[ReferenceEngine]] = {
    "vectorised": VectorisedEngine,
    "reference": ReferenceEngine,
}

__all__ = ["ENGINES", "SimulationResult", "run_once", "simulate"]


@dataclass(frozen=True)
class SimulationResult:
    """The simulation summary over all runs (see ``docs/ARCHITECTURE.md`` for the keys)."""

    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The ``simulation`` mapping (a copy): JSON-native values only, ``None`` for
        unknown."""
        return copy.deepcopy(self.summary)


def _engine(name: str) -> Engine:
    try:
        return ENGINES[name]()
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
    chosen = _engine(engine)
    params = Params.build(plan, assumptions)
    children = np.random.SeedSequence(seed).spawn(int(assumptions["runs"]))
    summaries = [
        summarise(run(params, np.random.default_rng(child), chosen), engine)
        for child in children
    ]
    return SimulationResult(combine(summaries))
