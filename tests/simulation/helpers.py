"""Small hand-built networks for worked examples, and a recording engine for properties.

The worked-example plan has one product bought at wholesale 100 and sold at retail 200,
commissionable fraction 1, and a required purchase of 100 a month: every active participant
has own-purchase volume 100; a customer order is volume 200 (100 when the plan has
retail_margin, since the participant then buys the product at wholesale).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evaluator.assumptions import BEHAVIOUR_NEUTRAL, Assumptions
from evaluator.model import Plan
from evaluator.simulation import ENGINES
from evaluator.simulation.network import (
    Engine,
    Month,
    MonthPay,
    Network,
    Params,
    Tree,
    month_inputs,
)

BASE: dict[str, Any] = {
    "company": {"name": "Worked example"},
    "costs": {"currency": "USD", "required_monthly_purchase": 100},
    "products": [{"name": "Box", "wholesale_price": 100, "retail_price": 200}],
    "compensation": {"components": [{"type": "retail_margin"}]},
}


def plan(components: list[dict[str, Any]], costs: dict[str, Any] | None = None,
         **compensation: Any) -> Plan:
    """The worked-example plan with these components, cost changes and compensation fields."""
    doc = copy.deepcopy(BASE)
    doc["compensation"] = {"components": components, **compensation}
    doc["costs"].update(costs or {})
    return Plan.from_dict(doc)


def params(p: Plan, **overrides: Any) -> Params:
    """Run parameters for ``p``; the simulated market equals max_participants (scale 1);
    the behaviour model neutral (everyone a builder) unless overridden."""
    values = {"market_size": 1000, "max_participants": 1000, **BEHAVIOUR_NEUTRAL, **overrides}
    return Params.build(p, Assumptions.from_overrides(values))


def network(prm: Params, engine: Engine, sponsors: list[int]) -> Network:
    """Participants 0..len-1 with these sponsors (-1: a founder), placed one by one."""
    net = Network.empty(prm)
    for i, s in enumerate(sponsors):
        ids = np.array([i])
        parents = np.array([s])
        net.sponsor.attach(ids, parents)
        for tree in net.forced_trees():
            if s < 0:
                tree.attach(ids, parents)
            else:
                engine.place(tree, ids, parents)
    return net


def month(
    prm: Params,
    n: int,
    *,
    t: int = 5,
    inactive: tuple[int, ...] = (),
    customers: dict[int, int] | None = None,
    new: tuple[int, ...] = (),
    join: dict[int, int] | None = None,
    engine: str = "reference",
    preferred: dict[int, int] | None = None,
) -> Month:
    """Month ``t`` inputs: everyone active unless listed, customers (and preferred customers,
    schema v1.1, when the plan has a program) by participant; qualification decided by
    ``engine``."""
    act = np.array([i for i in range(n) if i not in inactive], dtype=np.int64)
    c = np.zeros(n, dtype=np.int64)
    for i, k in (customers or {}).items():
        c[i] = k
    joined = np.zeros(n, dtype=np.int64)
    for i in new:
        joined[i] = t
    for i, j in (join or {}).items():
        joined[i] = j
    pc = None
    if prm.preferred is not None:
        pc = np.zeros(n, dtype=np.int64)
        for i, k in (preferred or {}).items():
            pc[i] = k
        pc = pc[act]
    return month_inputs(prm, ENGINES[engine](), t, n, act, np.array(new, dtype=np.int64),
                        joined, c[act], preferred=pc)


def everyone_month(prm: Params, engine: str, package: list[int] | None, *,
                   new: tuple[int, ...] = (), customers: dict[int, int] | None = None,
                   t: int = 5, n: int = 3, kind: list[int] | None = None) -> Month:
    """Month ``t`` with everyone active: one participant per ``package`` entry (its package,
    by id) or, with ``package`` None, ``n`` of them; ``new`` joined this month; ``kind``: each
    one's kind code (omitted: all builders); qualification decided by ``engine``."""
    n = len(package) if package is not None else n
    act = np.arange(n, dtype=np.int64)
    join = np.zeros(n, dtype=np.int64)
    join[list(new)] = t
    c = np.zeros(n, dtype=np.int64)
    for i, k in (customers or {}).items():
        c[i] = k
    return month_inputs(prm, ENGINES[engine](), t, n, act, np.array(new, dtype=np.int64), join,
                        c, kind=None if kind is None else np.array(kind, dtype=np.int8),
                        package=None if package is None else np.array(package, dtype=np.int8))


@dataclass
class Paid:
    """A month's payouts spread to one value per participant id."""

    pay: dict[str, list[float]]
    sources: dict[str, np.ndarray]
    breakage: dict[str, float]
    rank: list[int]


def spread(mp: MonthPay, m: Month) -> Paid:
    """Per-participant view of an engine's per-active payouts (rounded to 1e-6)."""
    return Paid(
        pay={k: [round(float(x), 6) for x in m.spread(v)] for k, v in mp.pay.items()},
        sources=mp.sources,
        breakage=mp.breakage,
        rank=m.spread(mp.rank, fill=-1).tolist(),
    )


def pay_with(engine_name: str, prm: Params, sponsors: list[int], **month_kw: Any) -> Paid:
    """Build the network with one engine and compute one month with it."""
    engine = ENGINES[engine_name]()
    net = network(prm, engine, sponsors)
    m = month(prm, len(sponsors), engine=engine_name, **month_kw)
    return spread(engine.pay(prm, net, m), m)


def children(tree: Tree, n: int) -> dict[int, list[int]]:
    """Who sits directly under whom in a forced tree, in position order."""
    return {i: [int(c) for c in tree.child[i] if c >= 0] for i in range(n) if tree.nchild[i]}


@dataclass
class Recording:
    """An engine wrapper that keeps every month's inputs and payouts."""

    inner: Engine
    months: list[tuple[Month, MonthPay]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The wrapped engine's name."""
        return self.inner.name

    @property
    def threads(self) -> int:
        """The wrapped engine's threads."""
        return self.inner.threads

    @property
    def passed_up(self) -> int:
        """Those the wrapped engine's last top_up found short who did not buy."""
        return self.inner.passed_up

    @property
    def used(self) -> np.ndarray | None:
        """Of the wrapped engine's last top_up's products, those worth their use to the buyer."""
        return self.inner.used

    def place(self, tree: Tree, recruits: np.ndarray, sponsors: np.ndarray) -> None:
        """Delegate placement."""
        self.inner.place(tree, recruits, sponsors)

    def grow(self, net: Network, recruits: np.ndarray, sponsors: np.ndarray,
             act: np.ndarray) -> None:
        """Delegate joining the trees."""
        self.inner.grow(net, recruits, sponsors, act)

    def stay_customers(self, prm: Params, net: Network, gone: np.ndarray,
                       active: np.ndarray) -> np.ndarray:
        """Delegate who of the month's quitters stay customers, and of whom."""
        return self.inner.stay_customers(prm, net, gone, active)

    def qualify(self, prm: Params, customers: np.ndarray, vc: np.ndarray, vo: np.ndarray,
                vk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Delegate qualification."""
        return self.inner.qualify(prm, customers, vc, vo, vk)

    def top_up(self, prm: Params, net: Network, m: Month) -> np.ndarray:
        """Delegate buying to qualify."""
        return self.inner.top_up(prm, net, m)

    def pay(self, prm: Params, net: Network, m: Month) -> MonthPay:
        """Delegate, keeping copies of the month and its payouts."""
        mp = self.inner.pay(prm, net, m)
        self.months.append((copy.deepcopy(m), copy.deepcopy(mp)))
        return mp
