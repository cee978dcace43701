"""Time a full evaluation (simulation, indicators, scoring, sensitivity re-runs) of every sample.

Run: ``.venv/bin/python benchmarks/evaluation.py [REPEATS]``. Prints, per sample, the best wall
time of REPEATS evaluations at the default size and the share spent on the sensitivity check.
"""

from __future__ import annotations

import sys
import time

from evaluator.assumptions import Assumptions
from evaluator.evaluation import DEFAULT_SEED, evaluate, sensitivity
from evaluator.model import Plan
from evaluator.resources import data_dir
from evaluator.rubric import load_rubric


def main(repeats: int = 3) -> None:
    """Print a table of evaluation times."""
    rubric = load_rubric()
    assumptions = Assumptions.defaults()
    print(f"{'sample':34s} {'evaluate s':>10s} {'sensitivity s':>14s} {'verdict':>18s}")
    total = 0.0
    for path in sorted(data_dir("plan_samples").glob("*.json")):
        plan = Plan.from_bytes(path.read_bytes())
        best = best_sens = float("inf")
        verdict = ""
        for _ in range(repeats):
            start = time.perf_counter()
            verdict = evaluate(plan, assumptions, rubric=rubric, seed=DEFAULT_SEED).verdict
            best = min(best, time.perf_counter() - start)
            start = time.perf_counter()
            sensitivity(plan, assumptions, rubric, DEFAULT_SEED, "vectorised")
            best_sens = min(best_sens, time.perf_counter() - start)
        total += best
        print(f"{path.stem:34s} {best:10.3f} {best_sens:14.3f} {verdict:>18s}")
    print(f"{'all samples':34s} {total:10.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
