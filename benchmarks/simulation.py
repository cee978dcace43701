"""Speed and memory of the network simulation, printed as a table.

Measures, each in a fresh process so peak memory (``ru_maxrss``) belongs to one measurement,
wall and CPU time; every figure is the median of ``--repeats`` fresh processes (default 3),
with the range of wall times beside it, since a shared machine's speed drifts (the load
average is printed first):
- 1,000,000 participants x 60 months with a plan that uses every component type
  (<= 1 GiB peak; its speed target is a ratio to the speed floor: see ``--floor``);
- the same plan at 10k, 100k and 1M participants (growth should be linear), with the engine's
  threads (a big month's independent parts side by side) and on one thread
  (``OPPEVAL_SIMULATION_THREADS=1``);
- vectorised vs reference engine per participant-month, side by side on the same run
  (a 20,000-person market filled over 60 months, and a 100,000-person one; the ratio is
  printed for reference and is not a target);
- the web form's default size (the assumption defaults: a network that fills a
  1,000,000-person market, scaled to at most max_participants = 20,000 simulated
  participants, 5 runs), all runs included, shared over worker processes as the web server
  does (target <= 1 s: the first simulation after the workers start, as a server's first
  request; the next one, every process warm, is printed beside it); and the whole evaluation
  the web form makes (the 5 runs and the sensitivity re-runs).

Run: ``.venv/bin/python benchmarks/simulation.py`` (add ``--quick`` to skip the 1M rows and
the 100,000-person engine comparison, or
``--ratio-at-1m`` to add the two engines side by side at 1M as well: one run, about four
minutes of the reference and 1 GiB). ``--floor PATH`` prints only the 1M x 60 months run beside
a speed-floor script (a plain numpy model of the least a simulation must do, which prints
``participants seconds peak_MiB``), each in a fresh process, one after the other, and their
ratio (target: the project at most 2x the floor); the ratio of their whole-process CPU times is
printed beside it, since on a shared machine wall time follows the other processes' load.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from typing import Any

from evaluator import parallel
from evaluator.assumptions import Assumptions
from evaluator.evaluation import evaluate
from evaluator.model import Plan
from evaluator.schema import COMPONENT_TYPES
from evaluator.simulation import run_once, simulate
from evaluator.simulation.sharing import THREADS_ENV, default_threads

# An example plan with every component type of the plan schema (checked against
# ``schema.COMPONENT_TYPES`` below, so a new type cannot be left out), two ranks (the second
# with schema v1.1 rank rates: a discount and its own unilevel rates), binary cycles, a
# customer-share gate on downline pay and a payout cap.
EVERY_COMPONENT: dict[str, Any] = {
    "schema_version": "1.1",
    "company": {"name": "Example Wellness"},
    "costs": {
        "currency": "USD", "enrollment_fee": 49, "starter_kit": 199, "inventory_package": 0,
        "annual_renewal_fee": 29, "monthly_fees": [{"name": "back office", "amount": 25}],
        "required_monthly_purchase": 120, "autoship_required": True,
        "estimated_monthly_expenses": 60, "annual_event_costs": 300,
        "starter_kit_commissionable": False,
    },
    "products": [{"name": "Shake 30-day", "wholesale_price": 48, "retail_price": 64,
                  "volume": 38, "comparable_market_price": 30}],
    "compensation": {
        "commissionable_fraction": 0.8,
        "qualification": {"min_personal_volume": 100, "own_purchases_count": True,
                          "min_retail_customers": 0,
                          "min_customer_share": {"share": 0.2, "of": "downline",
                                                 "mode": "full"}},
        "components": [
            {"type": "retail_margin"},
            {"type": "retail_commission", "rate": 0.10},
            {"type": "enrollment_bonus", "amounts": [50, 10]},
            {"type": "fast_start", "rates": [0.25], "months": 2},
            {"type": "unilevel", "rates": [0.05, 0.05, 0.05, 0.03, 0.02], "basis": "all",
             "compression": True},
            {"type": "binary", "cycle_volume_left": 150, "cycle_volume_right": 300,
             "cycle_pay": 25, "monthly_cap": 2000, "carryover": True, "carry_cap": 3000,
             "unqualified_legs": "flush"},
            {"type": "matrix", "width": 3, "rates": [0.05] * 7},
            {"type": "breakaway", "generation_rates": [0.04, 0.03, 0.02]},
            {"type": "rank_bonus"},
            {"type": "matching_bonus", "rates": [0.2, 0.1, 0.05]},
            {"type": "first_order_bonus", "rates": [0.09], "requires_rank": "Director",
             "min_recruit_order_volume": 30},
            {"type": "position_return", "per_month": 5, "months_paid": 12,
             "requires_task": "post one ad a day"},
            {"type": "pool", "share": 0.01, "rank": "Executive", "split": "equal"},
        ],
        "ranks": [{"name": "Director", "min_personal_volume": 100, "min_group_volume": 2500,
                   "min_active_legs": 2, "differential_rate": 0.10, "monthly_bonus": 100,
                   "unlocks_levels": 5},
                  {"name": "Executive", "min_personal_volume": 100,
                   "min_group_volume": 10000, "min_team_size": 10, "discount": 0.3,
                   "unilevel_rates": [0.06, 0.05, 0.05, 0.04, 0.03], "monthly_bonus": 200}],
        "payout_cap_fraction": 0.45,
    },
}
_USED = {c["type"] for c in EVERY_COMPONENT["compensation"]["components"]}
assert set(COMPONENT_TYPES) == _USED, (
    f"EVERY_COMPONENT must use every component type; missing {set(COMPONENT_TYPES) - _USED}")


def growth(size: int, runs: int = 1, horizon: int = 60) -> Assumptions:
    """Assumptions that grow a network to about ``size`` participants within the horizon."""
    return Assumptions.from_overrides({
        "market_size": max(size, 1000), "max_participants": size,
        "initial_participants": max(10, size // 1000), "recruit_rate": 0.3,
        "horizon_months": horizon, "runs": runs,
    })


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(plan: Plan, assumptions: Assumptions, engine: str) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    data = run_once(plan, assumptions, 7, engine)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    months = int(data.months_active.sum())
    return {"participants": data.n, "seconds": wall, "cpu_seconds": cpu,
            "participant_months": months, "us_per_pm": wall / months * 1e6}


def _workers_cpu() -> float:
    """CPU seconds (user + system) this process's live child processes have used so far.

    Read from ``/proc/PID/stat`` (Linux; NaN elsewhere), in clock ticks.
    """
    total = 0.0
    try:
        tick = os.sysconf("SC_CLK_TCK")
        for child in multiprocessing.active_children():
            with open(f"/proc/{child.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, ValueError, AttributeError):
        return float("nan")
    return total


def measure(kind: str, size: int) -> dict[str, Any]:
    """One measurement in this process."""
    plan = Plan.from_dict(EVERY_COMPONENT)
    if kind == "scale":
        return {**_timed(plan, growth(size), "vectorised"), "peak_mib": _peak_mib()}
    if kind == "ratio":
        return {e: _timed(plan, growth(size), e) for e in ("vectorised", "reference")}
    # As the web server does: the runs shared over worker processes, started beforehand.
    parallel.share_runs_over_cores()
    workers = _workers_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    defaults = Assumptions.defaults()
    result = simulate(plan, defaults, 1).to_dict()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    workers = _workers_cpu() - workers
    # The server's next request: every process has run a simulation before (warm).
    start = time.perf_counter()
    simulate(plan, defaults, 2)
    again = time.perf_counter() - start
    start = time.perf_counter()
    evaluation = evaluate(plan, defaults)
    whole = time.perf_counter() - start
    return {"defaults_seconds": wall, "defaults_cpu": cpu, "defaults_workers_cpu": workers,
            "defaults_again_seconds": again,
            "evaluate_seconds": whole,
            "sensitivity_runs": int(evaluation.sensitivity["baseline"]["runs"])
            * (1 + len(evaluation.sensitivity["changes"])),
            "processes": parallel.default_processes(),
            "participants": result["simulated_participants"], "scale": result["scale"],
            "runs": int(defaults["runs"]), "max_participants": int(defaults["max_participants"])}


def _child(kind: str, size: int, repeats: int, threads: int | None = None) -> dict[str, Any]:
    """The median (by wall time) of ``repeats`` measurements, each in a fresh process, with
    the fastest and slowest wall times as ``range``."""
    env = dict(os.environ)
    if threads is not None:
        env[THREADS_ENV] = str(threads)
    got = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--one", kind, str(size)],
            check=True, capture_output=True, text=True, env=env,
        )
        got.append(json.loads(out.stdout))
    key = {"ratio": lambda r: r["vectorised"]["seconds"],
           "web": lambda r: r["defaults_seconds"]}.get(kind, lambda r: r["seconds"])
    got.sort(key=key)
    return {**got[len(got) // 2], "range": (key(got[0]), key(got[-1]))}


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _floor_seconds(path: str) -> float:
    """Wall seconds of one run of the speed-floor script at ``path``, in a fresh process."""
    out = subprocess.run([sys.executable, path], check=True, capture_output=True, text=True)
    return float(out.stdout.split()[1])


def against_floor(path: str, repeats: int) -> None:
    """The 1M x 60 months run and the floor script, alternately, ``repeats`` times each;
    the medians and their ratio, in wall time and in whole-process CPU time."""
    ours, floor, runs, ours_cpu, floor_cpu = [], [], [], [], []
    for _ in range(repeats):
        start = _children_cpu()
        floor.append(_floor_seconds(path))
        floor_cpu.append(_children_cpu() - start)
        start = _children_cpu()
        runs.append(_child("scale", 1_000_000, 1))
        ours_cpu.append(_children_cpu() - start)
        ours.append(runs[-1]["seconds"])
    for figures in (ours, floor, ours_cpu, floor_cpu):
        figures.sort()
    mid_ours, mid_floor = ours[len(ours) // 2], floor[len(floor) // 2]
    mid = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    print(f"1M x 60 months, every component type, vectorised: {mid_ours:.2f} s wall "
          f"({ours[0]:.2f}-{ours[-1]:.2f}); {mid['participants']:,} participants, "
          f"{mid['cpu_seconds']:.2f} s CPU, {mid['peak_mib']:.0f} MiB peak")
    print(f"speed floor ({os.path.basename(path)}): {mid_floor:.2f} s wall "
          f"({floor[0]:.2f}-{floor[-1]:.2f})")
    ratio = mid_ours / mid_floor
    print(f"project / floor: {ratio:.2f}x (target <= 2x): {'met' if ratio <= 2 else 'MISSED'}")
    # On a shared machine wall time follows the other processes' load; CPU time much less so.
    # Whole processes (interpreter start and imports included), both alike; the project's
    # engine may use several threads (its default), so its CPU can exceed its wall time.
    cpu_ours, cpu_floor = ours_cpu[len(ours_cpu) // 2], floor_cpu[len(floor_cpu) // 2]
    print(f"CPU, whole processes: project {cpu_ours:.2f} s, floor {cpu_floor:.2f} s; "
          f"project / floor {cpu_ours / cpu_floor:.2f}x (for reference: the target is wall time)")


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip the 1M-participant rows and the 100k engine comparison")
    parser.add_argument("--repeats", type=int, default=3,
                        help="fresh processes per figure; the median is printed (default 3)")
    parser.add_argument("--ratio-at-1m", action="store_true",
                        help="also run both engines at 1M participants (once; minutes)")
    parser.add_argument("--floor", metavar="PATH",
                        help="only the 1M x 60 months run beside this speed-floor script")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    reps = max(1, args.repeats)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"median of {reps} fresh process{'es' if reps > 1 else ''} per figure")
    if args.floor:
        against_floor(args.floor, reps)
        return
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000])
    print("\nExample plan (every component type), 60 months, 1 run, vectorised")
    print("(participant-months: months participants were active; peak: process max RSS;")
    print(f" threads: the engine's default here ({default_threads()}) or 1)")
    print(f"{'market':>10} {'threads':>7} {'joined':>10} {'part-months':>12} {'wall s':>7} "
          f"{'(range)':>13} {'cpu s':>7} {'peak MiB':>9} {'us/part-month':>14}")
    # (target, figure, limit, unit, whether the limit is a floor rather than a ceiling)
    checks: list[tuple[str, float, float, str, bool]] = []
    for size in sizes:
        for threads in (None, 1):
            r = _child("scale", size, reps, threads)
            if size == 1_000_000 and threads is None:
                checks.append(("1M x 60 months, peak memory", r["peak_mib"], 1024.0, "MiB", False))
            low, high = r["range"]
            print(f"{size:>10,} {threads or default_threads():>7} {r['participants']:>10,} "
                  f"{r['participant_months']:>12,} {r['seconds']:>7.2f} "
                  f"{f'({low:.2f}-{high:.2f})':>13} {r['cpu_seconds']:>7.2f} "
                  f"{r['peak_mib']:>9.0f} {r['us_per_pm']:>14.3f}")
    ratios = [(20_000, reps)] + ([] if args.quick else [(100_000, reps)])
    if args.ratio_at_1m:
        ratios.append((1_000_000, 1))
    for size, runs in ratios:
        r = _child("ratio", size, runs)
        v, ref = r["vectorised"], r["reference"]
        print(f"\nVectorised vs reference on the same run ({v['participants']:,} participants, "
              f"60 months, {v['participant_months']:,} participant-months"
              f"{'; one run' if runs < reps else ''}):")
        print(f"  vectorised {v['seconds']:.2f} s wall, {v['cpu_seconds']:.2f} s cpu "
              f"({v['us_per_pm']:.2f} us per participant-month)")
        print(f"  reference  {ref['seconds']:.2f} s wall, {ref['cpu_seconds']:.2f} s cpu "
              f"({ref['us_per_pm']:.2f} us per participant-month)")
        print(f"  ratio {ref['seconds'] / v['seconds']:.0f}x wall, "
              f"{ref['cpu_seconds'] / v['cpu_seconds']:.0f}x cpu (printed for reference: "
              "the ratio to the reference engine is not a target)")
    r = _child("web", 0, reps)
    print(f"\nWeb default size (max_participants {r['max_participants']:,}, runs {r['runs']}), "
          f"all runs, vectorised, as the web server runs them ({r['processes']} worker "
          "processes):")
    print(f"  simulation ({r['participants']:,} simulated participants a run, "
          f"scale {r['scale']:.1f}): {r['defaults_seconds']:.2f} s wall "
          f"({r['range'][0]:.2f}-{r['range'][1]:.2f}), {r['defaults_cpu']:.2f} s cpu here; "
          "the first after the workers start (the target's figure), as a server's first "
          "request")
    used = r["defaults_cpu"] + r["defaults_workers_cpu"]
    print(f"  CPU of the runs' processes: {r['defaults_cpu']:.2f} s here + "
          f"{r['defaults_workers_cpu']:.2f} s in the workers = {used:.2f} s, "
          f"{used / parallel.usable_cores():.2f} s on {parallel.usable_cores()} cores if shared "
          "perfectly (the rest of the wall time: waiting for a core, or a core left idle)")
    print(f"  the same again, another seed, every process warm (a server's next request): "
          f"{r['defaults_again_seconds']:.2f} s wall")
    print(f"  whole evaluation (economics, the {r['runs']} runs, {r['sensitivity_runs']} "
          f"sensitivity re-runs, indicators, score): {r['evaluate_seconds']:.2f} s wall")
    checks.append(("web default size, all runs, wall", r["defaults_seconds"], 1.0, "s", False))
    print("\nTargets (a ratio is a floor, the rest are ceilings):")
    for name, figure, limit, unit, floor in checks:
        met = "met" if (figure >= limit if floor else figure <= limit) else "MISSED"
        print(f"  {name}: {figure:,.2f} {unit} (target {'>=' if floor else '<='} "
              f"{limit:,.0f} {unit}): {met}")


if __name__ == "__main__":
    main()
