"""Each schema v1.1 rule that a bundled sample uses: the sample uses it, and the README's part
for the rule names the sample.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "plan_samples"

Doc = dict[str, Any]


def _components(doc: Doc, kind: str) -> list[Doc]:
    return [c for c in doc["compensation"].get("components", []) if c["type"] == kind]


def _ranks_with(doc: Doc, *keys: str) -> bool:
    return any(r.get(k) not in (None, 0, []) for r in doc["compensation"].get("ranks", [])
               for k in keys)


def _any_component_with(doc: Doc, *keys: str) -> bool:
    return any(c.get(k) not in (None, 0, []) for c in doc["compensation"].get("components", [])
               for k in keys)


RULE_SAMPLES: dict[str, tuple[str, Callable[[Doc], bool]]] = {
    "Enrollment packages": ("package_tiers_plan.json",
                            lambda d: len(d["costs"].get("packages", [])) > 1),
    "Matching bonus": ("binary_matching_bonus.json",
                       lambda d: bool(_components(d, "matching_bonus"))),
    "Binary cycles": ("binary_cycles_autoship.json",
                      lambda d: _any_component_with(d, "cycle_volume_left", "cycle_volume_right")),
    "One-time bonuses": ("team_bonus_first_order.json",
                         lambda d: bool(_components(d, "first_order_bonus"))
                         and _ranks_with(d, "advancement_bonus", "fast_start_bonus")),
    "Conditions on a bonus": ("team_bonus_first_order.json",
                              lambda d: _any_component_with(d, "requires_rank",
                                                            "min_recruit_order_volume")),
    "Rates by rank": ("rank_rates_stairstep.json",
                      lambda d: _ranks_with(d, "discount", "unilevel_rates", "binary_rate")),
    "Return on one's own position": ("ad_package_returns.json",
                                     lambda d: bool(_components(d, "position_return"))),
    "Pools": ("rank_rates_stairstep.json", lambda d: bool(_components(d, "pool"))),
    "Retail-share gate": ("retail_share_gate_binary.json",
                          lambda d: bool(d["compensation"]["qualification"]
                                         .get("min_customer_share"))),
    "Business volume": ("retail_rules_point_business_volume.json",
                        lambda d: any(p.get("business_volume") is not None
                                      for p in d["products"])),
    "Preferred customers": ("neora_preferred_customers.json",
                            lambda d: d["compensation"].get("preferred_customers") is not None),
    "Breakaway legs left out of group volume": (
        "breakaway_legs_left_out.json",
        lambda d: any(c.get("breakaway_legs_in_group_volume") is False
                      for c in d["compensation"]["components"])),
    "Ranks over time and leg limits": ("stairstep_pinned_ranks.json",
                                       lambda d: _ranks_with(d, "qualify_months", "max_leg_share",
                                                             "min_lifetime_volume")
                                       and d["compensation"].get("rank_rules") is not None),
    "Compression by level qualification": (
        "unilevel_dynamic_compression.json",
        lambda d: any(c.get("compression") == "dynamic" for c in d["compensation"]["components"])
        and _ranks_with(d, "unlocks_levels")),
    "Spill-over in a matrix or binary": ("matrix_first_open.json",
                                         lambda d: any(c.get("placement") == "first_open"
                                                       for c in d["compensation"]["components"])),
}
"""README part title (its start) -> the sample that uses the rule, and how to tell it does."""


def _readme_part(title: str) -> str:
    """The text of the README's ``####`` part whose title starts with ``title``."""
    text = (ROOT / "README.md").read_text("utf-8")
    start = text.index("### Schema v1.1")
    match = re.search(rf"^#### {re.escape(title)}.*?$(.*?)(?=^#{{2,4}} )", text[start:],
                      re.MULTILINE | re.DOTALL)
    assert match, f"README has no part titled {title!r} under Schema v1.1"
    return match.group(1)


@pytest.mark.parametrize("title", RULE_SAMPLES)
def test_the_rules_sample_uses_it(title: str) -> None:
    sample, uses = RULE_SAMPLES[title]
    doc = json.loads((SAMPLES / sample).read_text("utf-8"))
    assert uses(doc), f"{sample} does not use the rule of {title!r}"


@pytest.mark.parametrize("title", RULE_SAMPLES)
def test_the_readme_names_the_rules_sample(title: str) -> None:
    sample, _ = RULE_SAMPLES[title]
    assert f"plan_samples/{sample}" in _readme_part(title), (
        f"README's part {title!r} does not name its sample {sample}")
