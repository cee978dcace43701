"""Speed and memory of the network simulation, printed as a table.

Measures, each in a fresh process so peak memory (``ru_maxrss``) belongs to one measurement:
- 1,000,000 participants x 60 months with a plan that uses all nine component types
  (targets: <= 5 s wall, <= 1 GiB peak);
- the same plan at 10k, 100k and 1M participants (growth should be linear);
- vectorised vs reference engine per participant-month, side by side on the same network;
- the web form's default size (the assumption defaults: 20,000 simulated participants,
  5 runs), all runs included (target <= 1 s).

Run: ``.venv/bin/python benchmarks/simulation.py`` (add ``--quick`` to skip the 1M rows).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

from evaluator.assumptions import Assumptions
from evaluator.model import Plan
from evaluator.simulation import run_once, simulate

EVERY_COMPONENT: dict[str, Any] = {
    "company": {"name": "Benchmark: every component"},
    "costs": {"currency": "USD", "enrollment_fee": 49, "starter_kit": 199,
              "required_monthly_purchase": 120, "estimated_monthly_expenses": 60,
              "annual_event_costs": 300, "monthly_fees": [{"name": "site", "amount": 25}],
              "starter_kit_commissionable": True},
    "products": [{"name": "Shake", "wholesale_price": 48, "retail_price": 64, "volume": 38},
                 {"name": "Bar", "wholesale_price": 20, "retail_price": 30}],
    "compensation": {
        "commissionable_fraction": 0.8,
        "qualification": {"min_personal_volume": 50, "own_purchases_count": True,
                          "min_retail_customers": 0},
        "components": [
            {"type": "retail_margin"},
            {"type": "retail_commission", "rate": 0.10},
            {"type": "enrollment_bonus", "amounts": [50, 10]},
            {"type": "fast_start", "rates": [0.25, 0.05], "months": 2},
            {"type": "unilevel", "rates": [0.05, 0.05, 0.05, 0.03, 0.02], "basis": "all",
             "compression": True},
            {"type": "binary", "rate": 0.10, "monthly_cap": 5000, "carryover": True},
            {"type": "matrix", "width": 3, "rates": [0.05] * 7},
            {"type": "breakaway", "generation_rates": [0.04, 0.03, 0.02]},
            {"type": "rank_bonus"},
        ],
        "ranks": [
            {"name": "Manager", "min_personal_volume": 50, "min_group_volume": 800,
             "min_active_legs": 1, "differential_rate": 0.05, "monthly_bonus": 20,
             "unlocks_levels": 3},
            {"name": "Director", "min_personal_volume": 100, "min_group_volume": 2500,
             "min_active_legs": 2, "differential_rate": 0.10, "monthly_bonus": 100,
             "unlocks_levels": 5},
        ],
        "payout_cap_fraction": 0.45,
    },
}


def growth(size: int, runs: int = 1, horizon: int = 60) -> Assumptions:
    """Assumptions that grow a network to about ``size`` participants within the horizon."""
    return Assumptions.from_overrides({
        "market_size": size, "max_participants": size, "initial_participants": max(10, size // 1000),
        "recruit_rate": 0.3, "horizon_months": horizon, "runs": runs,
    })


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, size: int) -> dict[str, Any]:
    """One measurement in this process."""
    plan = Plan.from_dict(EVERY_COMPONENT)
    base = _peak_mib()
    if kind == "scale":
        start = time.perf_counter()
        data = run_once(plan, growth(size), 1)
        wall = time.perf_counter() - start
        months = int(data.months_active.sum())
        return {"size": size, "participants": data.n, "seconds": wall,
                "peak_mib": _peak_mib(), "base_mib": base, "participant_months": months}
    if kind == "ratio":
        out = {}
        for engine in ("vectorised", "reference"):
            start = time.perf_counter()
            data = run_once(plan, growth(size, horizon=36), 7, engine)
            wall = time.perf_counter() - start
            months = int(data.months_active.sum())
            out[engine] = {"seconds": wall, "participant_months": months,
                           "per_pm_us": wall / months * 1e6}
        return out
    start = time.perf_counter()
    defaults = Assumptions.defaults()
    simulate(plan, defaults, 1)
    wall = time.perf_counter() - start
    grown = Assumptions.from_overrides({"recruit_rate": 0.3, "market_size": 20_000})
    start = time.perf_counter()
    result = simulate(plan, grown, 1).to_dict()
    wall_grown = time.perf_counter() - start
    return {"defaults_seconds": wall, "grown_seconds": wall_grown,
            "grown_participants": result["simulated_participants"],
            "runs": int(defaults["runs"])}


def _child(kind: str, size: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(size)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1M-participant rows")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000])
    print("Network simulation, plan with all nine component types, 60 months, 1 run")
    print(f"{'participants':>12} {'seconds':>8} {'peak MiB':>9} {'us/part-month':>14}")
    for size in sizes:
        r = _child("scale", size)
        per = r["seconds"] / r["participant_months"] * 1e6
        print(f"{r['participants']:>12,} {r['seconds']:>8.2f} {r['peak_mib']:>9.0f} {per:>14.3f}")
    r = _child("ratio", 3_000)
    v, ref = r["vectorised"], r["reference"]
    print("\nVectorised vs reference, same network (3,000 participants, 36 months):")
    print(f"  vectorised {v['per_pm_us']:.2f} us per participant-month, "
          f"reference {ref['per_pm_us']:.2f} us: {ref['per_pm_us'] / v['per_pm_us']:.0f}x")
    r = _child("web", 0)
    print(f"\nWeb default size (max_participants 20,000, runs {r['runs']}), all runs:")
    print(f"  assumption defaults: {r['defaults_seconds']:.2f} s")
    print(f"  a market the network fills ({r['grown_participants']:,} participants a run): "
          f"{r['grown_seconds']:.2f} s")


if __name__ == "__main__":
    main()
