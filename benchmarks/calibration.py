"""Outcomes of every sample plan at the default assumptions, beside documented income outcomes.

Prints, per sample in plan_samples/ (vectorised engine, default seed, all runs, mean over runs):
people ever joined, peak active, saturation of the market at the horizon, the fraction losing
money (everyone / late joiners), the fraction earning nothing and the median annual gross pay.
Below the table, the outcomes docs/SOURCES.md ("Income outcomes to check the simulation against")
documents, to compare with; the defaults are not tuned to match any one of them.

Run: ``.venv/bin/python benchmarks/calibration.py [--set NAME=VALUE ...]`` (overrides are
applied on top of the defaults, to see how the outcomes move).
"""

from __future__ import annotations

import argparse

from evaluator.assumptions import Assumptions, parse_set_options
from evaluator.evaluation import DEFAULT_SEED
from evaluator.model import Plan
from evaluator.resources import data_dir
from evaluator.simulation import simulate

DOCUMENTED = (
    "AdvoCare 2016: 72.3% of distributors earned $0 (advocare)",
    "FTC staff 2024: most participants earned <= $1,000 a year before expenses (ftc_ids_2024)",
    "BurnLounge: 93.84% of Moguls never recouped their investment (burnlounge)",
    "Fortune Hi-Tech: more than 98% lost money (fhtm)",
    "AARP 2018: nearly half of participants lost money (aarp2018)",
)


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{100 * x:5.1f}"


def main() -> None:
    """Print the table and the documented outcomes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    assumptions = Assumptions.from_overrides(parse_set_options(args.set))
    shown = ", ".join(
        f"{k} {assumptions[k]:,}" for k in ("market_size", "initial_participants",
                                            "recruit_rate", "monthly_churn", "horizon_months",
                                            "max_participants", "runs")
    )
    print(f"assumptions: {shown}")
    print(f"{'sample':34s} {'scale':>6s} {'sim.':>7s} {'ever':>10s} {'peak act':>9s} "
          f"{'sat.%':>6s} {'lose%':>6s} {'late%':>6s} {'zero%':>6s} {'co.0%':>6s} "
          f"{'med. gross/yr':>13s} {'med. co./yr':>11s}")
    for path in sorted(data_dir("plan_samples").glob("*.json")):
        plan = Plan.from_bytes(path.read_bytes())
        s = simulate(plan, assumptions, DEFAULT_SEED).to_dict()
        timeline = s["timeline"]
        print(
            f"{path.stem:34s} {s['scale']:6.1f} {s['simulated_participants']:7,} "
            f"{s['participants_ever']:10,} {max(timeline['active']):9,} "
            f"{_pct(timeline['saturation'][-1])} {_pct(s['fraction_losing_money'])} "
            f"{_pct(s['late_joiners']['fraction_losing_money'])} "
            f"{_pct(s['fraction_earning_nothing'])} "
            f"{_pct(s['fraction_paid_nothing_by_company'])} "
            f"{s['median_annual_gross_pay']:13,.0f} {s['median_annual_pay_from_company']:11,.0f}"
        )
    print("\n(ever, peak active: people; sat.: people ever joined / market at the horizon, "
          "run 0; lose / late: losing money, everyone / joined in the second half; zero: "
          "earned nothing; co.0: paid nothing by the company, retail margin aside, as income "
          "disclosures count; gross: pay before costs, per year of tenure; co.: the part the "
          "company paid)")
    print("\nDocumented outcomes (docs/SOURCES.md):")
    for line in DOCUMENTED:
        print(f"  - {line}")


if __name__ == "__main__":
    main()
