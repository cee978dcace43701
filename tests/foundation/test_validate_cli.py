"""`oppeval validate` refuses every kind of malformed plan with exit 2 and the exact path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evaluator.cli import cli

BASE: dict[str, Any] = {
    "company": {"name": "Test Co"},
    "costs": {"currency": "USD", "enrollment_fee": 49},
    "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
    "compensation": {
        "components": [{"type": "retail_margin"}, {"type": "unilevel", "rates": [0.05, 0.03]}]
    },
}


def _mutated(change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = copy.deepcopy(BASE)
    change(doc)
    return json.dumps(doc).encode()


def _validate(tmp_path: Path, data: bytes) -> tuple[int, str, str]:
    plan = tmp_path / "plan.json"
    plan.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(plan)])
    return result.exit_code, result.stdout, result.stderr.replace(str(plan), "plan.json")


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


def _two_errors(doc: dict[str, Any]) -> None:
    doc["costs"]["enrollment_fee"] = -5
    doc["compensation"]["components"][1]["rates"][1] = 1.5


TEXT = json.dumps(BASE)

CASES: list[tuple[str, bytes, list[str]]] = [
    (
        "wrong_type",
        _mutated(_set(["costs", "enrollment_fee"], "49")),
        ["plan.json: costs.enrollment_fee: '49' is not a number"],
    ),
    (
        "negative_money",
        _mutated(_set(["products", 0, "wholesale_price"], -1)),
        ["plan.json: products[0].wholesale_price: -1 is negative; amounts cannot be negative"],
    ),
    (
        "rate_above_one",
        _mutated(_set(["compensation", "components", 1, "rates", 1], 1.5)),
        ["plan.json: compensation.components[1].rates[1]: 1.5 is more than the maximum of 1"],
    ),
    (
        "unknown_component",
        _mutated(_set(["compensation", "components", 1], {"type": "ponzi"})),
        [
            "plan.json: compensation.components[1].type: 'ponzi' is not a component type; "
            "expected one of retail_margin, retail_commission, enrollment_bonus, fast_start, "
            "unilevel, binary, matrix, breakaway, rank_bonus, matching_bonus, first_order_bonus, "
            "position_return, pool"
        ],
    ),
    (
        "field_of_another_component",
        _mutated(_set(["compensation", "components", 1, "width"], 3)),
        [
            "plan.json: compensation.components[1].width: is not a field of plan schema v1.1; "
            "expected one of basis, compression, rates, type"
        ],
    ),
    (
        "unknown_key",
        _mutated(_set(["costs", "signup_fee"], 3)),
        [
            "plan.json: costs.signup_fee: is not a field of plan schema v1.1; expected one of "
            "annual_event_costs, annual_renewal_fee, autoship_required, currency, enrollment_fee, "
            "estimated_monthly_expenses, inventory_package, monthly_fees, packages, "
            "required_monthly_purchase, starter_kit, starter_kit_commissionable"
        ],
    ),
    (
        "missing_required",
        _mutated(_delete(["costs", "currency"])),
        ["plan.json: costs.currency: is required but missing"],
    ),
    (
        "empty_products",
        _mutated(_set(["products"], [])),
        ["plan.json: products: is empty; at least one item is required"],
    ),
    (
        "nan",
        TEXT.replace('"enrollment_fee": 49', '"enrollment_fee": NaN').encode(),
        [
            "plan.json: costs.enrollment_fee: NaN is not allowed: numbers must be finite and "
            "of a sensible size"
        ],
    ),
    (
        "infinity",
        TEXT.replace('"retail_price": 50', '"retail_price": -Infinity').encode(),
        [
            "plan.json: products[0].retail_price: -Infinity is not allowed: numbers must be "
            "finite and of a sensible size"
        ],
    ),
    (
        "syntax_error",
        b'{"company": {"name": "Test Co",}\n}',
        [
            "plan.json: not valid JSON: Expecting property name enclosed in double quotes "
            "at line 1, column 32"
        ],
    ),
    (
        "syntax_error_line_two",
        b'{"company": {"name": "Test Co"},\n "costs": {"currency": USD}}',
        ["plan.json: not valid JSON: Expecting value at line 2, column 24"],
    ),
    (
        "bad_encoding",
        '{"company": {"name": "Caf\u00e9"}}'.encode("latin-1"),
        [
            "plan.json: the plan is not UTF-8 text (byte 0xe9 at position 25); "
            "save it as UTF-8 JSON"
        ],
    ),
    (
        "deep_nesting",
        b"[" * 100_000 + b"]" * 100_000,
        ["plan.json: the plan is nested 100000 levels deep; the limit is 32"],
    ),
    (
        "not_an_object",
        b"[1, 2]",
        ["plan.json: the plan must be a JSON object, not a list"],
    ),
    (
        "empty_file",
        b"",
        ["plan.json: the plan is empty; expected a JSON object"],
    ),
    (
        "two_errors_at_once",
        _mutated(_two_errors),
        [
            "plan.json: compensation.components[1].rates[1]: 1.5 is more than the maximum of 1",
            "plan.json: costs.enrollment_fee: -5 is negative; amounts cannot be negative",
        ],
    ),
    (
        "vanishing_price",
        _mutated(_set(["products", 0, "wholesale_price"], 1e-300)),
        ["plan.json: products[0].wholesale_price: 1e-300 is below the smallest price accepted "
         "(0.01)"],
    ),
    (
        "vanishing_volume",
        _mutated(_set(["products", 0, "volume"], 1e-9)),
        ["plan.json: products[0].volume: 1e-09 is below the smallest volume accepted (0.001); "
         "use 0 for none"],
    ),
    (
        "vanishing_commissionable_fraction",
        _mutated(_set(["compensation", "commissionable_fraction"], 2.2e-309)),
        ["plan.json: compensation.commissionable_fraction: 2.2e-309 is below the smallest "
         "fraction accepted (0.001); use 0 for none"],
    ),
    (
        "duplicate_component",
        _mutated(_set(["compensation", "components", 1], {"type": "retail_margin"})),
        [
            "plan.json: compensation.components[1].type: 'retail_margin' already appears at "
            "compensation.components[0]; a plan has each component type at most once"
        ],
    ),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_plan_is_refused_with_the_exact_path(
    tmp_path: Path, data: bytes, expected: list[str]
) -> None:
    code, out, err = _validate(tmp_path, data)
    assert code == 2
    assert out == ""
    assert err.splitlines() == expected


def test_the_base_plan_is_valid(tmp_path: Path) -> None:
    code, out, err = _validate(tmp_path, json.dumps(BASE).encode())
    assert (code, err) == (0, "")
    assert out == "plan.json: valid plan (schema v1) for Test Co\n".replace(
        "plan.json", str(tmp_path / "plan.json")
    )


def test_oversize_plan_names_its_size(tmp_path: Path) -> None:
    code, _, err = _validate(tmp_path, b" " * 1_500_000)
    assert code == 2
    assert err == "plan.json: the plan is 1,500,000 bytes; the limit is 1,000,000 bytes\n"


def test_oversize_plan_on_stdin() -> None:
    result = CliRunner().invoke(cli, ["validate", "-"], input=b" " * 1_000_001)
    assert result.exit_code == 2
    assert result.stderr == "<stdin>: the plan is larger than the limit of 1,000,000 bytes\n"


def test_plan_from_stdin_is_validated() -> None:
    result = CliRunner().invoke(cli, ["validate", "-"], input=json.dumps(BASE))
    assert result.exit_code == 0
    assert result.stdout == "<stdin>: valid plan (schema v1) for Test Co\n"


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    result = CliRunner().invoke(cli, ["validate", str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"{missing}: cannot be read: No such file or directory\n"


def test_every_file_is_checked_even_after_a_bad_one(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.json", tmp_path / "good.json"
    bad.write_bytes(b"{")
    good.write_text(json.dumps(BASE), "utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bad), str(good)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{bad}: not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 2\n"
    )
    assert result.stdout == f"{good}: valid plan (schema v1) for Test Co\n"
