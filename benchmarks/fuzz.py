"""Fuzz every front door with generated plans and print what happened to each.

Generates ``--plans`` documents (default 10,000) with the test suite's Hypothesis strategies:
``--valid-share`` of them valid plans, the rest broken in one of the schema's ways. Every plan
goes through validate -> evaluate (a small simulation) -> the JSON and CSV renderers; every
``--api-every``-th plan also through the JSON API (Flask test client); every
``--expensive-every``-th plan also through the HTML and PDF renderers and the command line
(``oppeval validate``, ``oppeval evaluate``). Each plan has ``--timeout`` seconds; past that it
counts as a hang. Prints the counts: valid, refused with the field path named, and every kind
of problem (target: 0), and the first few problems in full.

First it times the plan parser and the schema check on the worst shapes of security issue 17
at the 1 MB plan limit (unterminated runs of escaped quotes, open brackets, hundreds of
thousands of tiny values, lists far over their ``maxItems``, repeated keys, lone surrogates,
thousands of unknown fields, a million-digit number), best of three runs each, beside plain
``json.loads`` of the same bytes as the floor (``--shapes-only`` stops there).

    .venv/bin/python benchmarks/fuzz.py [--plans 10000] [--workers 2] [--shapes-only]
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.security.fuzzing import PROBLEMS, Outcome, as_bytes, check_plan
from tests.strategies import broken_plans, valid_plans

Case = tuple[int, Any, "str | None", bool, bool]
"""(index, document or bytes, expected path or None for a valid plan, expensive, api)."""


class _Hang(Exception):
    pass


def worst_shapes(size: int) -> dict[str, bytes]:
    """Documents of at most ``size`` bytes shaped to be slow to parse or to check."""

    def fill(head: str, unit: str, tail: str) -> bytes:
        return (head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail).encode()

    plan = ('{"schema_version":"1","company":{"name":"x"},"costs":{"currency":"USD"},'
            '"compensation":{"components":[{"type":"retail_margin"}]},"products":[')
    keys = ",".join(f'"k{i}":0' for i in range(size // 11))
    return {
        "unterminated escaped quotes": fill('{"a": "', '\\"', ""),
        "open brackets": fill("", "[", ""),
        "empty lists": fill("[", "[],", "[]]"),
        "empty objects": fill("[", "{},", "{}]"),
        "small numbers": fill("[", "0,", "0]"),
        "products far over maxItems": fill(plan, "{},", "{}]}"),
        "one key repeated": fill("{", '"a":0,', '"a":0}'),
        "lone surrogates": fill("[", '"\\ud800",', '"a"]'),
        "surrogate pairs": fill("[", '"\\ud83d\\ude00",', '"a"]'),
        "unknown fields": ('{"costs":{' + keys[: size - 13].rsplit(",", 1)[0] + "}}").encode(),
        "a million-digit number": fill('{"a": ', "1", "}"),
        "short strings": fill("[", '"a",', '"a"]'),
    }


def time_shapes(size: int) -> None:
    """Print how long parsing and checking each worst shape takes (best of three)."""
    import json

    from evaluator.errors import InputError
    from evaluator.schema import parse_plan, plan_errors

    def ours(data: bytes) -> str:
        try:
            return f"parsed; {len(plan_errors(parse_plan(data)))} schema errors"
        except InputError as exc:
            return f"refused: {exc.errors[0].message[:44]}"

    def floor(data: bytes) -> str:
        try:
            json.loads(data)
        except (ValueError, RecursionError) as exc:
            return type(exc).__name__
        return ""

    def best(work: Any, data: bytes) -> tuple[float, str]:
        times, outcome = [], ""
        for _ in range(3):
            started = time.perf_counter()
            outcome = work(data)
            times.append(time.perf_counter() - started)
        return min(times) * 1000, outcome

    print(f"worst shapes at {size:,} bytes: parse_plan + plan_errors, then plain json.loads "
          "(ms, best of 3)")
    for name, data in worst_shapes(size).items():
        ms, outcome = best(ours, data)
        plain, _ = best(floor, data)
        print(f"  {name:<28}{ms:8.1f}{plain:8.1f}  {outcome}", flush=True)


def generate(count: int, valid_share: float, base_seed: int) -> list[tuple[Any, str | None]]:
    """``count`` plans drawn by Hypothesis (generation only: no shrinking, no database)."""
    drawn: list[tuple[Any, str | None]] = []
    valid_count = round(count * valid_share)
    for strategy, wanted in ((valid_plans().map(lambda doc: (doc, None)), valid_count),
                             (broken_plans(), count - valid_count)):
        found: list[tuple[Any, str | None]] = []
        for attempt in range(10):  # a run may stop short; a new seed draws new plans
            if len(found) >= wanted:
                break
            _draw_into(found, strategy, wanted - len(found), base_seed + attempt)
        drawn.extend(found[:wanted])
    random.Random(base_seed).shuffle(drawn)  # valid and broken plans through every door
    return drawn


def _draw_into(found: list[Any], strategy: Any, count: int, run_seed: int) -> None:
    @seed(run_seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(case: Any) -> None:
        found.append(case)

    draw()


_worker: dict[str, Any] = {}
"""Each worker process's API client and per-plan time limit."""


def _start_worker(timeout: int) -> None:
    from evaluator.web import create_app

    _worker["client"] = create_app(
        {"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0}
    ).test_client()
    _worker["timeout"] = timeout

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Hang

    signal.signal(signal.SIGALRM, on_alarm)


def run_case(case: Case) -> tuple[int, Outcome, float]:
    """One plan through the doors, under the per-plan time limit."""
    index, doc, path, expensive, api = case
    started = time.perf_counter()
    signal.alarm(_worker["timeout"])
    try:
        outcome = check_plan(doc, path, expensive=expensive,
                             client=_worker["client"] if api else None)
    except _Hang:
        outcome = Outcome("problem", "hang", f"no answer within {_worker['timeout']} s")
    finally:
        signal.alarm(0)
    return index, outcome, time.perf_counter() - started


def cases(plans: list[tuple[Any, str | None]], api_every: int,
          expensive_every: int) -> Iterator[Case]:
    """The plans with the doors each goes through."""
    for index, (doc, path) in enumerate(plans):
        yield (index, doc, path, index % expensive_every == 0, index % api_every == 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--valid-share", type=float, default=0.3)
    parser.add_argument("--api-every", type=int, default=10)
    parser.add_argument("--expensive-every", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--shapes-only", action="store_true",
                        help="time the worst parsing shapes and stop")
    parser.add_argument("--save", type=Path, default=None,
                        help="folder to write every plan with a problem to, with its reason")
    args = parser.parse_args(argv)

    from evaluator.schema import MAX_PLAN_BYTES

    time_shapes(MAX_PLAN_BYTES)
    if args.shapes_only:
        return 0
    started = time.perf_counter()
    plans = generate(args.plans, args.valid_share, args.seed)
    generated = time.perf_counter() - started
    print(f"generated {len(plans):,} plans in {generated:.0f} s (seed {args.seed}): "
          f"{sum(p is None for _, p in plans):,} valid, "
          f"{sum(p is not None for _, p in plans):,} broken in one way", flush=True)
    defects = Counter("document level" if p == "" else p.split(".")[0].split("[")[0]
                      for _, p in plans if p is not None)
    print("broken plans by where the defect is: "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(defects.items())), flush=True)
    print(f"doors: every plan -> validate, evaluate (max_participants=200, runs=1, "
          f"horizon_months=12), JSON, CSV; every {args.api_every}th plan -> the API as well; "
          f"every {args.expensive_every}th plan -> HTML, PDF and the command line as well",
          flush=True)

    counts: Counter[str] = Counter()
    doors: Counter[str] = Counter()
    problems: list[tuple[int, Outcome]] = []
    slowest = 0.0
    with ProcessPoolExecutor(args.workers, initializer=_start_worker,
                             initargs=(args.timeout,)) as pool:
        todo = list(cases(plans, args.api_every, args.expensive_every))
        for done, (index, outcome, seconds) in enumerate(
                pool.map(run_case, todo, chunksize=8), start=1):
            _, _, path, expensive, api = todo[index]
            counts[outcome.problem or outcome.kind] += 1
            doors["api"] += api
            doors["html/pdf/cli"] += expensive
            doors["html/pdf (valid plans)"] += expensive and path is None
            slowest = max(slowest, seconds)
            if outcome.kind == "problem":
                problems.append((index, outcome))
                print(f"  plan {index}: {outcome.problem}: {outcome.detail[-600:]}", flush=True)
            if done % 1000 == 0:
                print(f"  {done:,} plans checked, {len(problems)} problems, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)

    elapsed = time.perf_counter() - started
    print()
    print(f"plans:                              {len(plans):,}")
    print(f"valid (every door succeeded):       {counts['valid']:,}")
    print(f"refused, field path named:          {counts['refused']:,}")
    for kind in PROBLEMS:
        print(f"{kind + ':':<36}{counts[kind]:,}")
    print(f"through the API:                    {doors['api']:,}")
    print(f"through HTML, PDF and the CLI:      {doors['html/pdf/cli']:,} "
          f"({doors['html/pdf (valid plans)']:,} of them valid, so rendered)")
    print(f"slowest plan:                       {slowest:.1f} s")
    print(f"wall time:                          {elapsed:.0f} s with {args.workers} workers")
    for index, outcome in problems[:5]:
        print(f"\nplan {index}: {outcome.problem}\n{outcome.detail}")
        doc, path = plans[index]
        print(f"expected path: {path!r}; plan: {as_bytes(doc)[:2000]!r}")
    if args.save and problems:
        args.save.mkdir(parents=True, exist_ok=True)
        for index, outcome in problems:
            stem = f"plan-{index}-{outcome.problem.replace(' ', '-')}"
            (args.save / f"{stem}.json").write_bytes(as_bytes(plans[index][0]))
            (args.save / f"{stem}.txt").write_text(outcome.detail, "utf-8")
        print(f"\n{len(problems)} plans with a problem written to {args.save}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
