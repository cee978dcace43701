"""Hypothesis strategies for plan documents: valid ones, and ones broken in every way the schema
can be broken. Shared by the test suite (bounded examples) and ``benchmarks/fuzz.py``.

``valid_plans()`` draws documents that satisfy plan schema v1. ``broken_plans()`` draws
``(document_or_bytes, expected_path)`` pairs: a valid plan with exactly one defect, and the
path the refusal must name (``""`` for document-level defects such as a syntax error).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from evaluator.schema import plan_schema_v1

V1_COMPONENT_TYPES: tuple[str, ...] = tuple(
    b["properties"]["type"]["const"] for b in
    plan_schema_v1()["properties"]["compensation"]["properties"]["components"]["items"]["oneOf"])
"""The component types of plan schema v1 as released (what a v1 plan may use)."""

money = st.integers(min_value=0, max_value=2_000).map(float) | st.floats(
    min_value=0, max_value=5_000, allow_nan=False, allow_infinity=False
)
fraction = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)
small_rate = st.floats(min_value=0, max_value=0.3, allow_nan=False, allow_infinity=False)
name = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
)


@st.composite
def products(draw: st.DrawFn) -> dict[str, Any]:
    """One valid product."""
    retail = draw(st.floats(min_value=1, max_value=500, allow_nan=False))
    product: dict[str, Any] = {
        "name": draw(name),
        "wholesale_price": draw(
            st.just(0.0) | st.floats(min_value=0.01, max_value=retail, allow_nan=False)
        ),
        "retail_price": retail,
    }
    if draw(st.booleans()):
        product["volume"] = draw(
            st.just(0.0) | st.floats(min_value=0.001, max_value=200, allow_nan=False)
        )
    if draw(st.booleans()):
        product["comparable_market_price"] = draw(
            st.floats(min_value=0.5, max_value=300, allow_nan=False)
        )
    return product


def _component(kind: str, draw: st.DrawFn) -> dict[str, Any]:
    levels = st.lists(small_rate, min_size=1, max_size=8)
    c: dict[str, Any] = {"type": kind}
    if kind == "retail_commission":
        c["rate"] = draw(small_rate)
    elif kind == "enrollment_bonus":
        c["amounts"] = draw(st.lists(st.integers(0, 300).map(float), min_size=1, max_size=4))
    elif kind == "fast_start":
        c["rates"] = draw(levels)
        c["months"] = draw(st.integers(1, 6))
    elif kind == "unilevel":
        c["rates"] = draw(levels)
        c["basis"] = draw(st.sampled_from(["all", "customer"]))
        c["compression"] = draw(st.booleans())
    elif kind == "binary":
        c["rate"] = draw(small_rate)
        c["monthly_cap"] = draw(st.none() | money)
        c["carryover"] = draw(st.booleans())
    elif kind == "matrix":
        c["width"] = draw(st.integers(2, 5))
        c["rates"] = draw(levels)
    elif kind == "breakaway":
        c["generation_rates"] = draw(st.lists(small_rate, min_size=1, max_size=4))
    return c


@st.composite
def valid_plans(draw: st.DrawFn) -> dict[str, Any]:
    """A document that satisfies plan schema v1 (and its cross-field rules)."""
    kinds = draw(st.lists(st.sampled_from(V1_COMPONENT_TYPES), min_size=1, max_size=5, unique=True))
    components = [_component(k, draw) for k in kinds]
    plan: dict[str, Any] = {
        "schema_version": "1",
        "company": {"name": draw(name)},
        "costs": {
            "currency": draw(st.sampled_from(["USD", "EUR", "GBP", "JPY"])),
            "enrollment_fee": draw(money),
            "starter_kit": draw(money),
            "required_monthly_purchase": draw(money),
            "estimated_monthly_expenses": draw(money),
            "annual_renewal_fee": draw(money),
            "starter_kit_commissionable": draw(st.booleans()),
            "monthly_fees": draw(
                st.lists(st.fixed_dictionaries({"name": name, "amount": money}), max_size=2)
            ),
        },
        "products": draw(st.lists(products(), min_size=1, max_size=4)),
        "compensation": {
            "commissionable_fraction": draw(st.just(0.0) | st.floats(0.001, 1)),
            "qualification": {
                "min_personal_volume": draw(money),
                "own_purchases_count": draw(st.none() | st.booleans()),
                "min_retail_customers": draw(st.integers(0, 5)),
            },
            "components": components,
            "payout_cap_fraction": draw(st.none() | fraction),
        },
    }
    if {"breakaway", "rank_bonus"} & set(kinds) or draw(st.booleans()):
        count = draw(st.integers(1, 3))
        plan["compensation"]["ranks"] = [
            {
                "name": f"Rank {i + 1}",
                "min_personal_volume": float(50 * i),
                "min_group_volume": float(draw(st.integers(0, 20_000))),
                "min_active_legs": draw(st.integers(0, 3)),
                "differential_rate": draw(small_rate),
                "monthly_bonus": float(draw(st.integers(0, 500))),
                "unlocks_levels": draw(st.none() | st.integers(1, 8)),
            }
            for i in range(count)
        ]
    if draw(st.booleans()):
        plan["buyback"] = {
            "offered": draw(st.booleans()),
            "refund_fraction": draw(fraction),
            "window_days": draw(st.integers(0, 365)),
        }
    if draw(st.booleans()):
        plan["disclosures"] = {
            "income_disclosure": {
                "year": draw(st.integers(2000, 2026)),
                "fraction_earning_nothing": draw(fraction),
                "median_annual_gross": draw(money),
                "net_of_costs": draw(st.booleans()),
            },
            "income_claims": draw(st.lists(name, max_size=2)),
            "reported_retail_fraction": draw(st.none() | fraction),
        }
    return plan


@st.composite
def plans_with_position_or_pool(draw: st.DrawFn) -> dict[str, Any]:
    """A schema v1 document with a return on one's own position, a pool, or both added (schema
    v1.1: the version is left to be inferred)."""
    plan = draw(valid_plans())
    del plan["schema_version"]
    added = draw(st.sampled_from([("position_return",), ("pool",),
                                  ("position_return", "pool")]))
    components = plan["compensation"]["components"]
    if "position_return" in added:
        c: dict[str, Any] = {"type": "position_return"}
        if draw(st.booleans()):
            c["per_month"] = draw(money)
        else:
            c["rate_of_price"] = draw(fraction)
        if draw(st.booleans()):
            c["months_paid"] = draw(st.integers(1, 120))
        if draw(st.booleans()):
            c["requires_task"] = draw(name)
        components.append(c)
    if "pool" in added:
        ranks = plan["compensation"].setdefault("ranks", [{"name": "Rank 1"}])
        components.append({"type": "pool", "share": draw(fraction),
                           "rank": draw(st.sampled_from([r["name"] for r in ranks]))})
    return plan


@st.composite
def plans_with_preferred_customers(draw: st.DrawFn) -> dict[str, Any]:
    """A schema v1 document with a preferred-customer program added (schema v1.1: the version
    is left to be inferred); whether their orders count as volume is drawn, unstated too."""
    plan = draw(valid_plans())
    del plan["schema_version"]
    program: dict[str, Any] = {"discount": draw(fraction), "commission_rate": draw(fraction)}
    counted = draw(st.sampled_from(["unstated", None, True, False]))
    if counted != "unstated":
        program["counts_as_personal_volume"] = counted
    plan["compensation"]["preferred_customers"] = program
    return plan


# One defect each: (name, mutate(plan, draw) -> (document, expected path)).
def _set(plan: dict[str, Any], path: list[Any], value: Any) -> None:
    node = plan
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _path_text(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_MONEY_PATHS = (
    ["costs", "enrollment_fee"],
    ["costs", "starter_kit"],
    ["costs", "required_monthly_purchase"],
    ["products", 0, "wholesale_price"],
)


@st.composite
def broken_plans(draw: st.DrawFn) -> tuple[dict[str, Any] | bytes, str]:
    """A plan with exactly one defect, and the path the refusal must name."""
    plan = copy.deepcopy(draw(valid_plans()))
    defect = draw(
        st.sampled_from(
            [
                "wrong_type",
                "negative_money",
                "rate_above_one",
                "unknown_component",
                "unknown_key",
                "missing_required",
                "empty_products",
                "nan",
                "syntax",
                "bad_encoding",
                "deep_nesting",
                "bad_currency",
                "not_object",
                "long_escapes",
                "huge_list",
                "odd_digits",
                "long_number",
                "lone_surrogate",
                "duplicate_key",
            ]
        )
    )
    if defect == "wrong_type":
        path = draw(st.sampled_from(_MONEY_PATHS))
        _set(plan, list(path), draw(st.sampled_from(["12", [], {}, True])))
        return plan, _path_text(list(path))
    if defect == "negative_money":
        path = draw(st.sampled_from(_MONEY_PATHS))
        _set(plan, list(path), -draw(st.floats(min_value=0.01, max_value=1e6)))
        return plan, _path_text(list(path))
    if defect == "rate_above_one":
        plan["compensation"]["commissionable_fraction"] = draw(st.floats(1.01, 1e6))
        return plan, "compensation.commissionable_fraction"
    if defect == "unknown_component":
        plan["compensation"]["components"][0] = {"type": draw(st.sampled_from(["pyramid", ""]))}
        return plan, "compensation.components[0].type"
    if defect == "unknown_key":
        plan["costs"]["surprise_fee"] = 1
        return plan, "costs.surprise_fee"
    if defect == "missing_required":
        del plan["company"]["name"]
        return plan, "company.name"
    if defect == "empty_products":
        plan["products"] = []
        return plan, "products"
    if defect == "nan":
        text = json.dumps(plan).replace('"enrollment_fee": ', '"enrollment_fee": NaN, "x": ', 1)
        return text.encode(), "costs.enrollment_fee"
    if defect == "syntax":
        return json.dumps(plan)[:-1].encode(), ""
    if defect == "bad_encoding":
        return json.dumps(plan).encode("utf-16"), ""
    if defect == "deep_nesting":
        return (b"[" * 5000) + (b"]" * 5000), ""
    if defect in _SHAPES:
        return _SHAPES[defect](plan, draw)
    if defect == "bad_currency":
        plan["costs"]["currency"] = draw(st.sampled_from(["usd", "US", "DOLLARS", ""]))
        return plan, "costs.currency"
    return json.dumps([plan]).encode(), ""


# The shapes of security issue 17: each returns (document or bytes, expected path).
ODD_DIGITS = ("²", "¹²³", "٣", "߂", "\uff11\uff12")
"""Characters Python calls digits that JSON does not: superscripts, Arabic-Indic, N'Ko, full
width. As a field name they are text (never an index); as a number they are a syntax error."""


def _marked(plan: dict[str, Any], path: list[Any], raw: str) -> bytes:
    """The plan as JSON text with the value at ``path`` written as ``raw``, verbatim."""
    _set(plan, path, "@RAW@")
    return json.dumps(plan).replace('"@RAW@"', raw, 1).encode()


def _long_escapes(plan: dict[str, Any], draw: st.DrawFn) -> tuple[bytes, str]:
    # A string of escaped quotes never closed: quadratic for a backtracking string pattern.
    text = json.dumps(plan)
    cut = text.index('"name": ') + len('"name": ')
    return (text[:cut] + '"' + '\\"' * draw(st.integers(1, 200_000))).encode(), ""


def _huge_list(plan: dict[str, Any], draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    where, limit = draw(st.sampled_from([(["products"], 200),
                                         (["compensation", "components"], 20)]))
    _set(plan, where, [{}] * draw(st.integers(limit + 1, 50_000)))
    return plan, _path_text(where)


def _odd_digits(plan: dict[str, Any], draw: st.DrawFn) -> tuple[dict[str, Any] | bytes, str]:
    digits = draw(st.sampled_from(ODD_DIGITS))
    if draw(st.booleans()):
        plan["costs"][digits] = 1
        return plan, f"costs.{digits}"
    return _marked(plan, ["costs", "enrollment_fee"], digits), ""


def _long_number(plan: dict[str, Any], draw: st.DrawFn) -> tuple[bytes, str]:
    digits = "1" * draw(st.integers(19, 5_000))
    raw = draw(st.sampled_from([digits, "-" + digits, f"{digits}.5", f"1e{digits[:4]}"]))
    return _marked(plan, ["costs", "enrollment_fee"], raw), "costs.enrollment_fee"


def _lone_surrogate(plan: dict[str, Any], draw: st.DrawFn) -> tuple[bytes, str]:
    escape = f"\\u{draw(st.integers(0xD800, 0xDFFF)):04x}"
    text = json.dumps(draw(name))[1:-1]  # the name as JSON text, so only the escape is bad
    return _marked(plan, ["company", "name"], f'"{text}{escape}"'), "company.name"


def _duplicate_key(plan: dict[str, Any], draw: st.DrawFn) -> tuple[bytes, str]:
    again = draw(st.sampled_from(["USD", "EUR"]))
    return _marked(plan, ["costs", "currency"], f'"USD", "currency": "{again}"'), "costs.currency"


_SHAPES = {
    "long_escapes": _long_escapes,
    "huge_list": _huge_list,
    "odd_digits": _odd_digits,
    "long_number": _long_number,
    "lone_surrogate": _lone_surrogate,
    "duplicate_key": _duplicate_key,
}
