"""The batch CSV format: read its rows as a stream and turn each one into a plan document.

This module is the batch's loader. :func:`open_rows` reads the header and then yields one
:class:`SourceRow` per CSV record, in input order, never dropping one: a record that cannot be
a plan (an empty row, a repeated header, a bad number, a missing or broken ``plan_file``, a
column the format does not know) comes out with its errors instead of a document, and a row
whose reading fails unexpectedly comes out as an internal error of that row alone. A CSV that
cannot be read at all (missing, not text, no header) raises :class:`CsvUnreadable` (exit 2),
and so does one that cannot be read through to its end: a NUL byte, a record longer than
:data:`MAX_RECORD_CHARS` or any other record the CSV reader cannot finish refuses the file,
naming the line, because the reader would otherwise resume in the middle of a cell and take
the rest of that cell for rows of their own. Lines are read in bounded pieces, so memory stays
bounded however long a line is.

Row numbers are spreadsheet row numbers: the header is row 1, the first offer is row 2.
Every error names the CSV column it came from; plan-schema errors found later are mapped back
to columns with :func:`column_errors`. The column table :data:`COLUMNS` is the one source of
the format: the conversion, the README table (:func:`columns_markdown`) and the tests read it.
A column that fills a plan field is worded by that field's description in plan_schema.json.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any, Literal

from evaluator.errors import FieldError, InputError, PlanValidationError, describe_value
from evaluator.numbers import Kind as NumberKind
from evaluator.numbers import NumberError, read_number
from evaluator.report.view import counted
from evaluator.schema import CONDITIONED, MAX_PLAN_BYTES, field_node, parse_plan, plan_errors
from evaluator.schema import meaning as schema_meaning

OUTPUT_FORMATS: tuple[str, ...] = ("csv", "json")
"""The formats a batch's results can be written in (``batch.OutputFormat`` names the same)."""

Kind = Literal[
    "text", "money", "number", "fraction", "integer", "boolean", "rates", "amounts", "choice",
    "claims", "file", "texts", "items",
]

PLAN_TYPES: tuple[str, ...] = ("unilevel", "binary", "matrix", "breakaway", "single_level")
"""Shapes of compensation a row can describe without a plan file."""

MAX_CELL_CHARS = 10_000
"""Longest cell accepted (the longest plan text field, notes, allows 5,000 characters)."""

MAX_RECORD_CHARS = 1_000_000
"""Longest CSV record (one row, every cell, quotes and line breaks included) read at all; a
longer one refuses the file. Also the CSV reader's field limit, so that a cell between
:data:`MAX_CELL_CHARS` and this makes only its own row invalid."""


class CsvUnreadable(InputError):
    """The batch CSV itself cannot be read: exit code 2.

    No file, not text, no header, or not through to its end.
    """


@dataclass(frozen=True)
class Column:
    """One column of the batch CSV format."""

    name: str
    kind: Kind
    unit: str
    default: str
    meaning: str
    path: str | None = None
    """Plan document path the value goes to; None for columns the row builder combines."""
    choices: tuple[str, ...] = ()


def _c(name: str, kind: Kind, unit: str, default: str, *, path: str | None = None,
       worded: str | None = None, meaning: str = "", choices: tuple[str, ...] = ()) -> Column:
    """A column of the batch CSV, with its meaning.

    Its meaning is the plan schema's description of the field it fills (``path``), or of the
    field the row builder turns it into (``worded``), else ``meaning``.
    """
    if path or worded:
        meaning = schema_meaning(field_node(path or worded or ""))
    return Column(name, kind, unit, default, meaning, path, choices)


COLUMNS: tuple[Column, ...] = (
    _c("plan_file", "file", "file name", "empty (the row's columns are the plan)",
       meaning="A plan JSON file in the CSV's own folder (or below it) holding the whole plan; "
               "when given, every other column of the row must be empty."),
    _c("company_name", "text", "text", "required", path="company.name"),
    _c("country", "text", "text", "unknown", path="company.country"),
    _c("website", "text", "address", "unknown", path="company.website"),
    _c("participants", "integer", "people", "unknown", path="company.participants"),
    _c("founded", "integer", "year", "unknown", path="company.founded"),
    _c("notes", "text", "text", "none", path="company.notes"),
    _c("currency", "text", "ISO 4217 code", "required", path="costs.currency"),
    _c("enrollment_fee", "money", "money, once", "0", path="costs.enrollment_fee"),
    _c("starter_kit", "money", "money, once", "0", path="costs.starter_kit"),
    _c("inventory_package", "money", "money, once", "0", path="costs.inventory_package"),
    _c("annual_renewal_fee", "money", "money per year", "0", path="costs.annual_renewal_fee"),
    _c("monthly_fee", "money", "money per month", "0",
       meaning="Recurring fees (back office, website), all together."),
    _c("required_monthly_purchase", "money", "money per month", "0",
       path="costs.required_monthly_purchase"),
    _c("autoship_required", "boolean", "true/false", "unknown", path="costs.autoship_required"),
    _c("estimated_monthly_expenses", "money", "money per month", "0",
       path="costs.estimated_monthly_expenses"),
    _c("annual_event_costs", "money", "money per year", "0", path="costs.annual_event_costs"),
    _c("starter_kit_commissionable", "boolean", "true/false", "unknown",
       path="costs.starter_kit_commissionable"),
    _c("package_names", "texts", "text, ';' between packages", "no packages",
       meaning="Enrollment packages a recruit chooses one of (schema 1.1), by name: "
               "\"Basic;VIP\"; the other package_ columns give one item per package, in the "
               "same order."),
    _c("package_prices", "items", "money, ';' between packages", "required with package_names",
       worded="costs.packages[].price"),
    _c("package_volumes", "items", "volume, ';' between packages (empty: unknown)", "unknown",
       worded="costs.packages[].volume"),
    _c("package_ranks", "texts", "rank name, ';' between packages (empty: none)", "none",
       worded="costs.packages[].rank"),
    _c("package_shares", "items", "fraction 0-1, ';' between packages (empty: unknown)",
       "unknown", worded="costs.packages[].share"),
    _c("product_name", "text", "text", "Main product", path="products[0].name"),
    _c("wholesale_price", "money", "money", "required", path="products[0].wholesale_price"),
    _c("retail_price", "money", "money", "required", path="products[0].retail_price"),
    _c("volume", "number", "volume per unit", "price x commissionable_fraction",
       path="products[0].volume"),
    _c("business_volume", "number", "volume per unit", "volume",
       path="products[0].business_volume"),
    _c("comparable_market_price", "money", "money", "unknown",
       path="products[0].comparable_market_price"),
    _c("comparable_source", "text", "text", "none", path="products[0].comparable_source"),
    _c("buyback_offered", "boolean", "true/false", "unknown", path="buyback.offered"),
    _c("refund_fraction", "fraction", "fraction 0-1", "unknown", path="buyback.refund_fraction"),
    _c("buyback_window_days", "integer", "days", "unknown", path="buyback.window_days"),
    _c("commissionable_fraction", "fraction", "fraction 0-1", "1",
       path="compensation.commissionable_fraction"),
    _c("min_personal_volume", "number", "volume per month", "0",
       path="compensation.qualification.min_personal_volume"),
    _c("own_purchases_count", "boolean", "true/false", "unknown",
       path="compensation.qualification.own_purchases_count"),
    _c("min_retail_customers", "integer", "customers per month", "0",
       path="compensation.qualification.min_retail_customers"),
    _c("min_customer_share", "fraction", "fraction 0-1", "no gate",
       path="compensation.qualification.min_customer_share.share"),
    _c("customer_share_of", "choice", "own or downline", "downline",
       path="compensation.qualification.min_customer_share.of", choices=("own", "downline")),
    _c("customer_share_mode", "choice", "full or pro_rata", "full",
       path="compensation.qualification.min_customer_share.mode",
       choices=("full", "pro_rata")),
    _c("plan_type", "choice", "one of " + ", ".join(PLAN_TYPES), "required",
       meaning="Shape of the downline pay: unilevel (rates per level), binary (one rate on the "
               "weaker leg), matrix (rates per matrix level, with matrix_width), breakaway (rates "
               "per generation, with one rank from the rank_ columns), single_level (no downline "
               "pay).",
       choices=PLAN_TYPES),
    _c("level_rates", "rates", "fractions 0-1, ';' between levels", "required unless single_level",
       meaning="Per-level rates, level 1 first: \"0.05;0.05;0.03\". Binary: one rate."),
    _c("unilevel_basis", "choice", "all or customer", "all",
       meaning="Unilevel pays on all volume, or only on sales to non-participants.",
       choices=("all", "customer")),
    _c("compression", "boolean", "true/false, or dynamic", "false",
       worded="compensation.components[].compression", choices=("dynamic",)),
    _c("matrix_width", "integer", "positions", "required for matrix",
       worded="compensation.components[].width"),
    _c("placement", "choice", "in_turn or first_open", "in_turn",
       worded="compensation.components[].placement", choices=("in_turn", "first_open")),
    _c("breakaway_legs_in_group_volume", "boolean", "true/false", "true",
       worded="compensation.components[].breakaway_legs_in_group_volume"),
    _c("binary_monthly_cap", "money", "money per month", "no cap",
       worded="compensation.components[].monthly_cap"),
    _c("binary_carryover", "boolean", "true/false", "false",
       worded="compensation.components[].carryover"),
    _c("binary_cycle_volume_left", "number", "volume", "no cycles",
       worded="compensation.components[].cycle_volume_left"),
    _c("binary_cycle_volume_right", "number", "volume", "no cycles",
       worded="compensation.components[].cycle_volume_right"),
    _c("binary_cycle_pay", "money", "money per cycle", "the rate (level_rates)",
       worded="compensation.components[].cycle_pay"),
    _c("binary_carry_cap", "number", "volume per leg", "no cap",
       worded="compensation.components[].carry_cap"),
    _c("binary_unqualified_legs", "choice", "carry or flush", "unknown",
       worded="compensation.components[].unqualified_legs", choices=("carry", "flush")),
    _c("retail_margin", "boolean", "true/false", "true",
       meaning="Participants buy at wholesale and resell at retail, keeping the difference."),
    _c("retail_commission_rate", "fraction", "fraction 0-1", "none",
       meaning="Customers buy from the company; the enroller earns this share of each order."),
    _c("enrollment_bonus", "amounts", "money per new enrollee, ';' between levels", "none",
       meaning="Bonus for each new participant enrolled, level 1 first: \"50;10\"."),
    _c("fast_start_rates", "rates", "fractions 0-1, ';' between levels", "none",
       meaning="Share of a new recruit's volume paid in their first months, level 1 first."),
    _c("fast_start_months", "integer", "months", "1", worded="compensation.components[].months"),
    _c("matching_bonus_rates", "rates", "fractions 0-1, ';' between generations", "none",
       meaning="Matching bonus (schema 1.1): share of what each generation of enrollees earns "
               "in a month (every component but retail margin), generation 1 (personal "
               "enrollees) first: \"0.1;0.05\"."),
    _c("first_order_bonus_rates", "rates", "fractions 0-1, ';' between levels", "none",
       meaning="First-order bonus (schema 1.1): share of a new recruit's first order (their "
               "purchases and kit or package in the month they join) paid once, level 1 first: "
               "\"0.2;0.05\"; give this or first_order_bonus_amounts."),
    _c("first_order_bonus_amounts", "amounts", "money per first order, ';' between levels",
       "none", meaning="First-order bonus (schema 1.1) as money per new recruit's first order, "
                       "level 1 first: \"50;10\"; give this or first_order_bonus_rates."),
    *(_c(f"{kind}_requires_rank", "text", "rank name", "none",
         worded="compensation.components[].requires_rank") for kind in CONDITIONED),
    *(_c(f"{kind}_min_recruit_order_volume", "number", "volume", "0",
         worded="compensation.components[].min_recruit_order_volume") for kind in CONDITIONED),
    _c("position_return_per_month", "money", "money per month", "none",
       worded="compensation.components[].per_month"),
    _c("position_return_rate_of_price", "fraction", "fraction 0-1 per month", "none",
       worded="compensation.components[].rate_of_price"),
    _c("position_return_months_paid", "integer", "months", "while active",
       worded="compensation.components[].months_paid"),
    _c("position_return_task", "text", "text", "none",
       worded="compensation.components[].requires_task"),
    _c("pool_share", "fraction", "fraction 0-1", "none",
       worded="compensation.components[].share"),
    _c("pool_rank", "text", "rank name", "the row's rank (rank_name)",
       worded="compensation.components[].rank"),
    _c("rank_name", "text", "text", "Rank 1 (when any rank_ column is filled)",
       meaning="Name of the plan's rank (a row describes at most one)."),
    _c("rank_min_personal_volume", "number", "volume per month", "0",
       worded="compensation.ranks[].min_personal_volume"),
    _c("rank_min_group_volume", "number", "volume per month", "0",
       worded="compensation.ranks[].min_group_volume"),
    _c("rank_min_active_legs", "integer", "legs", "0",
       worded="compensation.ranks[].min_active_legs"),
    _c("rank_differential_rate", "fraction", "fraction 0-1", "0",
       worded="compensation.ranks[].differential_rate"),
    _c("rank_monthly_bonus", "money", "money per month", "0",
       meaning="Monthly bonus for holding the rank (adds a rank bonus to the plan)."),
    _c("rank_unlocks_levels", "integer", "levels", "all",
       worded="compensation.ranks[].unlocks_levels"),
    _c("rank_advancement_bonus", "money", "money, once", "0",
       meaning="Rank-advancement bonus (schema 1.1): money paid once, the first month a "
               "participant holds the rank while qualified (adds a rank bonus to the plan)."),
    _c("rank_fast_start_bonus", "money", "money, once", "0",
       meaning="Fast-start bonus for the rank (schema 1.1): money paid once when the rank is "
               "first held while qualified within rank_fast_start_within_months of joining "
               "(adds a rank bonus to the plan)."),
    _c("rank_fast_start_within_months", "integer", "months", "none",
       worded="compensation.ranks[].fast_start_within_months"),
    _c("rank_min_team_size", "integer", "participants", "0",
       worded="compensation.ranks[].min_team_size"),
    _c("rank_discount", "fraction", "fraction 0-1 (below 1)", "the products' wholesale prices",
       worded="compensation.ranks[].discount"),
    _c("rank_unilevel_rates", "rates", "fractions 0-1, ';' between levels",
       "the unilevel's (level_rates)", worded="compensation.ranks[].unilevel_rates"),
    _c("rank_binary_rate", "fraction", "fraction 0-1", "the binary's (level_rates)",
       worded="compensation.ranks[].binary_rate"),
    _c("rank_qualify_months", "integer", "months", "1",
       worded="compensation.ranks[].qualify_months"),
    _c("rank_min_lifetime_volume", "number", "volume", "0",
       worded="compensation.ranks[].min_lifetime_volume"),
    _c("rank_max_leg_share", "fraction", "fraction 0-1", "no limit",
       worded="compensation.ranks[].max_leg_share"),
    _c("rank_pin", "choice", "none, title or pay", "none",
       path="compensation.rank_rules.pin", choices=("none", "title", "pay")),
    _c("rank_requalify_months", "integer", "months", "kept for good",
       path="compensation.rank_rules.requalify_months"),
    _c("payout_cap_fraction", "fraction", "fraction 0-1", "no cap",
       path="compensation.payout_cap_fraction"),
    _c("preferred_discount", "fraction", "fraction 0-1", "no program",
       path="compensation.preferred_customers.discount"),
    _c("preferred_commission_rate", "fraction", "fraction 0-1", "no program",
       path="compensation.preferred_customers.commission_rate"),
    _c("preferred_counts_as_volume", "boolean", "true/false", "counted",
       path="compensation.preferred_customers.counts_as_personal_volume"),
    _c("income_disclosure_year", "integer", "year", "no disclosure",
       path="disclosures.income_disclosure.year"),
    _c("fraction_earning_nothing", "fraction", "fraction 0-1", "unknown",
       path="disclosures.income_disclosure.fraction_earning_nothing"),
    _c("median_annual_gross", "money", "money per year", "unknown",
       path="disclosures.income_disclosure.median_annual_gross"),
    _c("mean_annual_gross", "money", "money per year", "unknown",
       path="disclosures.income_disclosure.mean_annual_gross"),
    _c("disclosure_net_of_costs", "boolean", "true/false", "unknown",
       path="disclosures.income_disclosure.net_of_costs"),
    _c("income_claims", "claims", "text, '|' between claims", "unknown",
       path="disclosures.income_claims"),
    _c("reported_retail_fraction", "fraction", "fraction 0-1", "unknown",
       path="disclosures.reported_retail_fraction"),
)

BY_NAME: Mapping[str, Column] = {c.name: c for c in COLUMNS}

_RANK_FIELDS = {
    "rank_name": "name",
    "rank_min_personal_volume": "min_personal_volume",
    "rank_min_group_volume": "min_group_volume",
    "rank_min_active_legs": "min_active_legs",
    "rank_differential_rate": "differential_rate",
    "rank_monthly_bonus": "monthly_bonus",
    "rank_unlocks_levels": "unlocks_levels",
    "rank_advancement_bonus": "advancement_bonus",
    "rank_fast_start_bonus": "fast_start_bonus",
    "rank_fast_start_within_months": "fast_start_within_months",
    "rank_min_team_size": "min_team_size",  # rates by rank (schema v1.1)
    "rank_discount": "discount",
    "rank_unilevel_rates": "unilevel_rates",
    "rank_binary_rate": "binary_rate",
    "rank_qualify_months": "qualify_months",  # schema v1.1 from here
    "rank_min_lifetime_volume": "min_lifetime_volume",
    "rank_max_leg_share": "max_leg_share",
}
_BINARY_CYCLE_COLUMNS = {
    "binary_cycle_volume_left": "cycle_volume_left",
    "binary_cycle_volume_right": "cycle_volume_right",
    "binary_cycle_pay": "cycle_pay",
    "binary_carry_cap": "carry_cap",
    "binary_unqualified_legs": "unqualified_legs",
}
"""The binary's schema v1.1 cycle columns -> the component fields they fill."""
_DOWNLINE_COLUMNS = ("level_rates", "unilevel_basis", "compression", "matrix_width",
                     "placement", "breakaway_legs_in_group_volume", "binary_monthly_cap",
                     "binary_carryover", *_BINARY_CYCLE_COLUMNS)


@dataclass(frozen=True)
class SourceRow:
    """One CSV record: its row number and either a plan document or the reasons it has none.

    ``columns`` maps plan document paths to the CSV column each came from, so schema errors
    found later can name the column. ``label`` is the row's company name, for display.
    """

    row: int
    document: dict[str, Any] | None = None
    errors: tuple[FieldError, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict)
    label: str = ""
    internal_error: bool = False
    """True when ``errors`` report a failure of the tool itself (a bug), not bad input."""


def internal_error(exc: BaseException) -> str:
    """The reason given for a row that hit an unexpected exception (a bug in the tool)."""
    return f"internal error ({type(exc).__name__}: {exc}); please report it"


# --------------------------------------------------------------------------- cells


_READ_AS: Mapping[str, NumberKind] = {
    "money": "money", "amounts": "money", "fraction": "fraction", "rates": "fraction",
    "integer": "integer",
}
"""How a column kind's numbers are read; every other numeric kind is a plain number."""
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


class _CellError(ValueError):
    """A cell that cannot be read as its column's kind."""


def parse_number(text: str, kind: Kind = "number") -> float | int:
    """A cell read as a number of its column's kind by the one reader (evaluator/numbers.py).

    ``1,234.5``, ``$99`` in money columns, ``5%`` in fraction columns; refused with a hint.
    """
    reading = _READ_AS.get(kind, "number")
    try:
        return read_number(text, reading)
    except NumberError as exc:
        raise _CellError(str(exc)) from None


def parse_integer(text: str) -> int:
    """A whole number (``12``, ``12.0``, ``1,200``)."""
    return int(parse_number(text, "integer"))


def parse_boolean(text: str) -> bool:
    """``true/false``, ``yes/no``, ``y/n`` or ``1/0``, in any case."""
    cell = text.strip().lower()
    if cell in _TRUE:
        return True
    if cell in _FALSE:
        return False
    raise _CellError(f"{describe_value(text)} is not true or false (write true, false, yes or no)")


def parse_list(text: str, kind: Kind = "rates") -> list[float]:
    """``"0.05;0.05;0.03"`` -> ``[0.05, 0.05, 0.03]``; each level must be a number."""
    parts = text.split(";")
    if len(parts) == 1 and "," in text:
        try:
            return [parse_number(text, kind)]
        except _CellError:
            raise _CellError(
                f"{describe_value(text)}: separate levels with ';', as in 0.05;0.05;0.03"
            ) from None
    values = []
    for level, part in enumerate(parts, start=1):
        if not part.strip():
            raise _CellError(f"level {level} of {describe_value(text)} is empty")
        try:
            values.append(parse_number(part, kind))
        except _CellError as exc:
            raise _CellError(f"level {level}: {exc}") from None
    return values


_ITEM_KINDS: Mapping[str, Kind] = {
    "package_prices": "money", "package_volumes": "number", "package_shares": "fraction",
}
"""How the items of each ``items`` column are read."""

PACKAGE_FIELDS: Mapping[str, str] = {
    "package_names": "name", "package_prices": "price", "package_volumes": "volume",
    "package_ranks": "rank", "package_shares": "share",
}
"""The package_ columns and the field of ``costs.packages[]`` each fills."""


def parse_items(column: Column, text: str) -> list[Any]:
    """``"30;;0.5"`` -> one item per package; an empty item is None (unknown, or none)."""
    items: list[Any] = []
    for number, part in enumerate(text.split(";"), start=1):
        part = part.strip()
        if not part or column.kind == "texts":
            items.append(part or None)
            continue
        try:
            items.append(parse_number(part, _ITEM_KINDS[column.name]))
        except _CellError as exc:
            raise _CellError(f"package {number}: {exc}") from None
    return items


def parse_cell(column: Column, text: str) -> Any:
    """The cell's value for its column's kind (the caller skips empty cells)."""
    kind = column.kind
    if kind in ("texts", "items"):
        return parse_items(column, text)
    if kind in ("money", "number", "fraction"):
        return parse_number(text, kind)
    if kind == "integer":
        return parse_integer(text)
    if kind == "boolean":  # or one of the column's words (compression's "dynamic")
        if text.strip().lower() in column.choices:
            return text.strip().lower()
        return parse_boolean(text)
    if kind in ("rates", "amounts"):
        return parse_list(text, kind)
    if kind == "choice":
        value = text.strip().lower()
        if value not in column.choices:
            raise _CellError(
                f"{describe_value(text)} is not one of " + ", ".join(column.choices)
            )
        return value
    if kind == "claims":
        return [part.strip() for part in text.split("|") if part.strip()]
    return text.strip()


# --------------------------------------------------------------------------- row -> plan


def _put(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set ``doc[path]`` for dotted paths with ``[0]`` list steps, creating parents."""
    node: Any = doc
    steps = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for step, after in itertools.pairwise(steps):
        nxt: Any = [] if after.startswith("[") else {}
        if step.startswith("["):
            index = int(step[1:-1])
            while len(node) <= index:
                node.append(nxt)
            node = node[index]
        else:
            node = node.setdefault(step, nxt)
    node[steps[-1]] = value


def _components(values: Mapping[str, Any], columns: dict[str, str]) -> tuple[
        list[dict[str, Any]], list[dict[str, Any]], list[FieldError]]:
    """The compensation components and ranks a row describes, with their column map."""
    components: list[dict[str, Any]] = []
    errors: list[FieldError] = []

    def add(component: dict[str, Any], owners: Mapping[str, str]) -> None:
        where = f"compensation.components[{len(components)}]"
        kind = component["type"]
        if kind in CONDITIONED:  # its schema 1.1 conditions, from their own columns
            owners = dict(owners)
            for key in ("requires_rank", "min_recruit_order_volume"):
                column = f"{kind}_{key}"
                if column in values:
                    component[key] = values[column]
                owners[key] = column
        components.append(component)
        for sub, column in owners.items():
            columns[f"{where}.{sub}" if sub else where] = column

    if values.get("retail_margin", True):
        add({"type": "retail_margin"}, {"": "retail_margin"})
    if "retail_commission_rate" in values:
        add({"type": "retail_commission", "rate": values["retail_commission_rate"]},
            {"": "retail_commission_rate"})
    if "enrollment_bonus" in values:
        add({"type": "enrollment_bonus", "amounts": values["enrollment_bonus"]},
            {"": "enrollment_bonus"})
    if "fast_start_rates" in values or "fast_start_months" in values:
        fast: dict[str, Any] = {"type": "fast_start"}
        if "fast_start_rates" in values:
            fast["rates"] = values["fast_start_rates"]
        if "fast_start_months" in values:
            fast["months"] = values["fast_start_months"]
        add(fast, {"": "fast_start_rates", "rates": "fast_start_rates",
                   "months": "fast_start_months"})

    plan_type = values.get("plan_type")
    rates = values.get("level_rates")
    if plan_type is None:
        errors.append(FieldError(
            "plan_type", "is required: name the plan's shape, one of " + ", ".join(PLAN_TYPES)
            + " (or give the whole plan in plan_file)"))
    elif plan_type == "single_level":
        errors.extend(
            FieldError(name, "is for plans with downline pay; plan_type single_level has none "
                             "(leave it empty or choose another plan_type)", values[name])
            for name in _DOWNLINE_COLUMNS if name in values
        )
    else:
        errors.extend(
            FieldError(name, f"does not apply to plan_type {plan_type} (leave it empty)",
                       values[name])
            for name in _DOWNLINE_COLUMNS[1:]
            if name in values and not _applies(name, plan_type)
        )
        if rates is None and not (plan_type == "binary" and "binary_cycle_pay" in values):
            errors.append(FieldError("level_rates", f"is required for plan_type {plan_type}: "
                                     "give the per-level rates, as in 0.05;0.05;0.03"))
        elif plan_type == "binary" and rates is not None and len(rates) != 1:
            errors.append(FieldError(
                "level_rates", f"binary pays one rate on the weaker leg; give one rate, "
                               f"not {len(rates)}", rates))
        else:
            component: dict[str, Any] = {"type": plan_type}
            owners = {"": "plan_type"}
            if plan_type == "unilevel":
                component["rates"] = rates
                component["basis"] = values.get("unilevel_basis", "all")
                component["compression"] = values.get("compression", False)
                owners |= {"rates": "level_rates", "basis": "unilevel_basis",
                           "compression": "compression"}
            elif plan_type == "binary":
                if rates is not None:
                    component["rate"] = rates[0]
                if "binary_monthly_cap" in values:
                    component["monthly_cap"] = values["binary_monthly_cap"]
                component["carryover"] = values.get("binary_carryover", False)
                owners |= {"rate": "level_rates", "monthly_cap": "binary_monthly_cap",
                           "carryover": "binary_carryover"}
                for column, key in _BINARY_CYCLE_COLUMNS.items():
                    if column in values:
                        component[key] = values[column]
                    owners[key] = column
            elif plan_type == "matrix":
                if "matrix_width" not in values:
                    errors.append(FieldError("matrix_width", "is required for plan_type matrix: "
                                             "give the positions under each participant"))
                component["width"] = values.get("matrix_width", 0)
                component["rates"] = rates
                owners |= {"width": "matrix_width", "rates": "level_rates"}
            else:  # breakaway
                component["generation_rates"] = rates
                owners |= {"generation_rates": "level_rates"}
                if "breakaway_legs_in_group_volume" in values:  # schema v1.1
                    component["breakaway_legs_in_group_volume"] = values[
                        "breakaway_legs_in_group_volume"]
                    owners["breakaway_legs_in_group_volume"] = "breakaway_legs_in_group_volume"
            if plan_type in ("matrix", "binary") and "placement" in values:  # schema v1.1
                component["placement"] = values["placement"]
                owners["placement"] = "placement"
            add(component, owners)

    ranks: list[dict[str, Any]] = []
    filled = [name for name in _RANK_FIELDS if name in values]
    if filled:
        rank = {_RANK_FIELDS[name]: values[name] for name in filled}
        rank.setdefault("name", "Rank 1")
        ranks.append(rank)
        for name, key in _RANK_FIELDS.items():
            columns[f"compensation.ranks[0].{key}"] = name
    elif plan_type == "breakaway":
        errors.append(FieldError(
            "rank_min_group_volume", "plan_type breakaway pays by rank: fill the rank_ columns "
            "(one rank) or give the whole plan in plan_file"))
    paid_by_rank = [name for name in ("rank_monthly_bonus", "rank_advancement_bonus",
                                      "rank_fast_start_bonus") if values.get(name)]
    if paid_by_rank:
        add({"type": "rank_bonus"}, {"": paid_by_rank[0]})
    if "matching_bonus_rates" in values:
        add({"type": "matching_bonus", "rates": values["matching_bonus_rates"]},
            {"": "matching_bonus_rates", "rates": "matching_bonus_rates"})
    if "first_order_bonus_rates" in values or "first_order_bonus_amounts" in values:
        first: dict[str, Any] = {"type": "first_order_bonus"}
        for key in ("rates", "amounts"):
            if f"first_order_bonus_{key}" in values:
                first[key] = values[f"first_order_bonus_{key}"]
        add(first, {"": "first_order_bonus_rates", "rates": "first_order_bonus_rates",
                    "amounts": "first_order_bonus_amounts"})
    for kind in CONDITIONED:  # a condition on a bonus the row does not have
        if not any(c["type"] == kind for c in components):
            errors.extend(
                FieldError(column, f"is a condition on the {kind.replace('_', ' ')}, and the "
                           "row has none (leave it empty or fill that bonus's columns)",
                           values[column])
                for column in (f"{kind}_requires_rank", f"{kind}_min_recruit_order_volume")
                if column in values)
    for component, owners in _position_and_pool(values, ranks):
        add(component, owners)
    if not components and not errors:
        columns["compensation.components"] = "retail_margin"
        errors.append(FieldError(
            "retail_margin", "is false and the row fills no other pay column, so the plan pays "
            "nothing; set retail_margin to true or give retail_commission_rate"))
    return components, ranks, errors


_POSITION_RETURN_COLUMNS = {
    "position_return_per_month": "per_month",
    "position_return_rate_of_price": "rate_of_price",
    "position_return_months_paid": "months_paid",
    "position_return_task": "requires_task",
}
"""The schema v1.1 return-on-one's-own-position columns -> the component fields they fill."""


def _position_and_pool(values: Mapping[str, Any], ranks: list[dict[str, Any]]
                       ) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """The position return and pool a row's columns describe, each with its columns by field.

    A pool's rank is ``pool_rank``, else the row's one rank.
    """
    out: list[tuple[dict[str, Any], dict[str, str]]] = []
    given = [c for c in _POSITION_RETURN_COLUMNS if c in values]
    if given:
        component: dict[str, Any] = {"type": "position_return"}
        owners = {"": given[0]}
        for column, key in _POSITION_RETURN_COLUMNS.items():
            if column in values:
                component[key] = values[column]
            owners[key] = column
        out.append((component, owners))
    if "pool_share" in values or "pool_rank" in values:
        pool: dict[str, Any] = {"type": "pool"}
        if "pool_share" in values:
            pool["share"] = values["pool_share"]
        rank = values.get("pool_rank") or (ranks[0]["name"] if ranks else None)
        if rank is not None:
            pool["rank"] = rank
        out.append((pool, {"": "pool_share" if "pool_share" in values else "pool_rank",
                           "share": "pool_share", "rank": "pool_rank"}))
    return out


def _applies(column: str, plan_type: str) -> bool:
    if column == "placement":  # a forced tree's spill-over (schema v1.1)
        return plan_type in ("matrix", "binary")
    return {
        "unilevel_basis": "unilevel", "compression": "unilevel", "matrix_width": "matrix",
        "binary_monthly_cap": "binary", "binary_carryover": "binary",
        "breakaway_legs_in_group_volume": "breakaway",
        **dict.fromkeys(_BINARY_CYCLE_COLUMNS, "binary"),
    }[column] == plan_type


def row_document(cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str],
                                                     list[FieldError]]:
    """Turn a row's cells (column -> text) into a plan document, its column map and errors.

    When a cell cannot be read, the errors list every bad cell and every schema complaint
    about the rest of the row, all at once, and the document must not be used. Otherwise
    the schema checks the document later (in the worker), and its errors are mapped back to
    columns by :func:`column_errors`.
    """
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, text in cells.items():
        if not text.strip():
            continue
        column = BY_NAME[name]
        try:
            values[name] = parse_cell(column, text)
        except _CellError as exc:
            errors.append(FieldError(name, str(exc), text))
    doc: dict[str, Any] = {"company": {}, "costs": {},
                           "products": [{"name": "Main product"}], "compensation": {}}
    columns: dict[str, str] = {"company": "company_name", "costs": "currency",
                               "products": "retail_price", "compensation": "plan_type",
                               "compensation.components": "plan_type"}
    for column in COLUMNS:
        if column.path is None:
            continue
        columns[column.path] = column.name
        if column.name in values:
            value = values[column.name]
            _put(doc, column.path, value.upper() if column.name == "currency" else value)
    columns["disclosures.income_disclosure"] = "income_disclosure_year"
    columns["compensation.ranks"] = "rank_min_group_volume"
    if values.get("monthly_fee"):
        doc["costs"]["monthly_fees"] = [{"name": "monthly fees", "amount": values["monthly_fee"]}]
    columns["costs.monthly_fees"] = "monthly_fee"
    packages, package_errors = _packages(values, columns)
    if packages:
        doc["costs"]["packages"] = packages
    errors.extend(package_errors)
    components, ranks, component_errors = _components(values, columns)
    unreadable = {e.path for e in errors}
    errors.extend(e for e in component_errors if e.path not in unreadable)
    doc["compensation"]["components"] = components
    if ranks:
        doc["compensation"]["ranks"] = ranks
    if errors:
        # Report the schema's complaints about the other columns too: every error at once.
        bad = {e.path for e in errors}
        errors.extend(e for e in column_errors(plan_errors(doc), columns) if e.path not in bad)
        return doc, columns, sorted(errors, key=_column_order)
    return doc, columns, []


def _packages(values: Mapping[str, Any], columns: dict[str, str]
              ) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """``costs.packages`` from the package_ columns (one item per package), and their errors.

    Every package_ column given must have as many items as ``package_names``; an empty item
    leaves the field out (unknown, or no rank).
    """
    given = {name: values[name] for name in PACKAGE_FIELDS if name in values}
    if not given:
        return [], []
    names = given.get("package_names")
    if names is None:
        return [], [FieldError(name, "needs package_names: name the packages, ';' between "
                               "them, in the same order", values[name]) for name in given]
    errors = [FieldError(name, f"has {counted(len(items), 'item')}; give one per package of "
                         f"package_names ({len(names)}), ';' between them", items)
              for name, items in given.items() if len(items) != len(names)]
    if "package_prices" not in given:
        errors.append(FieldError("package_prices", "is required with package_names: give "
                                 "each package's price, ';' between them", None))
    if errors:
        return [], errors
    packages = []
    for i in range(len(names)):
        package: dict[str, Any] = {}
        for name, key in PACKAGE_FIELDS.items():
            columns[f"costs.packages[{i}].{key}"] = name
            if name in given and given[name][i] is not None:
                package[key] = given[name][i]
        packages.append(package)
    columns["costs.packages"] = "package_names"
    return packages, []


def _column_order(error: FieldError) -> tuple[int, str]:
    names = list(BY_NAME)
    return (names.index(error.path) if error.path in BY_NAME else len(names), error.message)


def column_errors(errors: Iterable[FieldError], columns: Mapping[str, str],
                  plan_file: str | None = None) -> list[FieldError]:
    """Plan-schema errors restated by CSV column (the longest matching path prefix).

    For a ``plan_file`` row every error belongs to the ``plan_file`` column and keeps the
    path inside that file in its message.
    """
    out = []
    for error in errors:
        if plan_file is not None:
            where = f"{plan_file}: {error.path}: " if error.path else f"{plan_file}: "
            out.append(FieldError("plan_file", where + error.message, error.value))
            continue
        column = _owner(error.path, columns)
        out.append(FieldError(column, error.message, error.value))
    return out


def _owner(path: str, columns: Mapping[str, str]) -> str:
    probe = path
    while probe:
        if probe in columns:
            return columns[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return ""


# --------------------------------------------------------------------------- plan files


def read_plan_file(name: str, folder: Path | None) -> dict[str, Any]:
    """The plan document in ``folder/name``, refusing anything outside ``folder``.

    ``name`` must be a relative path without ``..`` that stays inside ``folder`` after
    symbolic links are resolved; ``folder`` None (a web upload) accepts no plan files.
    """
    text = name.strip()
    if folder is None:
        raise _PlanFileError("plan files are not accepted here; put the plan in the row's "
                             "columns")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _PlanFileError(f"{describe_value(text)} holds control characters; name a file "
                             "in the CSV's folder")
    pure_posix, pure_windows = PurePosixPath(text), PureWindowsPath(text)
    if pure_posix.is_absolute() or pure_windows.is_absolute() or pure_windows.drive:
        raise _PlanFileError(f"{describe_value(text)} is an absolute path; name a file in "
                             "the CSV's folder")
    if ".." in pure_posix.parts or ".." in pure_windows.parts:
        raise _PlanFileError(f"{describe_value(text)} leaves the CSV's folder ('..' is not "
                             "allowed)")
    if not text.lower().endswith(".json"):
        raise _PlanFileError(f"{describe_value(text)} is not a .json plan file")
    try:
        base = folder.resolve()
        target = (base / text).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        raise _PlanFileError(f"{describe_value(text)} is a loop of symbolic links or cannot "
                             "be resolved; name a plan file in the CSV's folder") from None
    if not target.is_relative_to(base):
        raise _PlanFileError(f"{describe_value(text)} points outside the CSV's folder")
    if target.exists() and not target.is_file():
        raise _PlanFileError(f"{describe_value(text)} is not a regular file")
    try:
        with open(target, "rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError:
        raise _PlanFileError(f"{describe_value(text)} does not exist in the CSV's folder"
                             ) from None
    except OSError as exc:
        raise _PlanFileError(f"{describe_value(text)} cannot be read: {exc.strerror or exc}"
                             ) from None
    try:
        return parse_plan(data)
    except PlanValidationError as exc:
        raise _PlanFileError("; ".join(f"{text}: {e}" for e in exc.errors)) from None


class _PlanFileError(ValueError):
    """A plan_file that cannot be used."""


# --------------------------------------------------------------------------- the stream


@dataclass(frozen=True)
class Header:
    """The header row: column names in order, and what is wrong with it (if anything)."""

    names: tuple[str, ...]
    errors: tuple[FieldError, ...]


def read_header(record: list[str]) -> Header:
    """Check the header row; an unknown or duplicated column makes every row invalid."""
    names = tuple(cell.strip().lower() for cell in record)
    if not any(name in BY_NAME for name in names):
        if len(record) == 1 and ";" in record[0]:
            raise CsvUnreadable("the header separates columns with ';'; save the file as "
                                "comma-separated CSV")
        raise CsvUnreadable("the first row is not a header: none of its cells names a batch "
                            "column (such as company_name, currency, plan_type or plan_file)")
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            continue
        if name in seen:
            errors.append(FieldError(name, f"appears twice in the header (columns {seen[name]} "
                                           f"and {position}); keep one"))
        elif name not in BY_NAME:
            errors.append(FieldError(name, "is not a batch column; the columns are listed in "
                                           "the README (batch CSV format)"))
        seen.setdefault(name, position)
    return Header(names, tuple(errors))


def open_rows(stream: IO[str], folder: Path | None) -> Iterator[SourceRow]:
    """Yield every data row of a batch CSV text stream as a :class:`SourceRow`, in order.

    Raises :class:`CsvUnreadable` before the first row when there is no usable header.
    ``stream`` should be opened with ``newline=""`` and ``errors="surrogateescape"`` so
    that a row with bytes that are not UTF-8 is reported as that row, not as a crash.
    """
    records = _records(stream)
    try:
        _, header_cells = next(records)
    except StopIteration:
        raise CsvUnreadable("the CSV is empty; expected a header row and one row per offer"
                            ) from None
    if _has_surrogates(header_cells):
        raise CsvUnreadable("the header is not UTF-8 text; save the file as CSV UTF-8")
    header = read_header(header_cells)
    return _rows(records, header, folder)


def _rows(records: Iterator[tuple[int, list[str]]], header: Header,
          folder: Path | None) -> Iterator[SourceRow]:
    """One SourceRow per record; an unexpected exception costs its own row only."""
    for number, cells in records:
        try:
            row = source_row(number, cells, header, folder)
        except Exception as exc:  # a bug must cost one row, not the batch: reported, exit 1
            row = _failed_row(number, cells, header, exc)
        yield row


def _failed_row(number: int, cells: list[str], header: Header,
                exc: Exception) -> SourceRow:
    """The row whose reading raised ``exc``: an internal error.

    It is named by its plan_file column when it has one.
    """
    filled = {n for n, c in zip(header.names, cells, strict=False) if c.strip()}
    column = "plan_file" if "plan_file" in filled else ""
    return SourceRow(number, errors=(FieldError(column, internal_error(exc)),),
                     label=_label(header.names, cells), internal_error=True)


def source_row(number: int, cells: list[str], header: Header,
               folder: Path | None) -> SourceRow:
    """Turn one CSV record into a SourceRow (never raises for bad data)."""
    def invalid(*errors: FieldError, label: str = "") -> SourceRow:
        return SourceRow(number, errors=tuple(errors), label=label)

    if not any(cell.strip() for cell in cells):
        return invalid(FieldError("", "the row is empty"))
    if _has_surrogates(cells):
        return invalid(FieldError("", "the row is not UTF-8 text; save the file as CSV UTF-8"))
    if [c.strip().lower() for c in cells] == list(header.names):
        return invalid(FieldError("", "the row repeats the header (were two files joined?)"))
    names = header.names
    label = _label(names, cells)
    if len(cells) != len(names):
        extra = cells[len(names):]
        if len(cells) < len(names) or any(c.strip() for c in extra):
            return invalid(FieldError("", f"the row has {len(cells)} cells but the header has "
                                          f"{len(names)} columns"), label=label)
    if header.errors:
        return invalid(*header.errors, label=label)
    long_cells = [FieldError(n, f"is {len(c):,} characters long; at most {MAX_CELL_CHARS:,} "
                                f"are allowed") for n, c in zip(names, cells, strict=False)
                  if len(c) > MAX_CELL_CHARS]
    if long_cells:
        return invalid(*long_cells, label=label)
    nameless = [i for i, (n, c) in enumerate(zip(names, cells, strict=False), start=1)
                if not n and c.strip()]
    if nameless:
        return invalid(FieldError("", f"column {nameless[0]} has a value but no name in the "
                                      "header"), label=label)
    filled = {n: c for n, c in zip(names, cells, strict=False) if n and c.strip()}
    if "plan_file" in filled:
        return _plan_file_row(number, filled, folder, label)
    doc, columns, errors = row_document({n: c for n, c in zip(names, cells, strict=False) if n})
    if errors:
        return invalid(*errors, label=label)
    return SourceRow(number, document=doc, columns=columns, label=label)


def _plan_file_row(number: int, filled: Mapping[str, str], folder: Path | None,
                   label: str) -> SourceRow:
    others = [FieldError(n, "must be empty when plan_file is given: the plan file holds the "
                            "whole plan") for n in filled if n != "plan_file"]
    if others:
        return SourceRow(number, errors=tuple(others), label=label)
    name = filled["plan_file"].strip()
    try:
        doc = read_plan_file(name, folder)
    except _PlanFileError as exc:
        return SourceRow(number, errors=(FieldError("plan_file", str(exc), name),), label=name)
    company = doc.get("company")
    if isinstance(company, dict) and isinstance(company.get("name"), str):
        label = company["name"]
    return SourceRow(number, document=doc, columns={"": "plan_file", "plan_file": name},
                     label=label or name)


def _label(names: tuple[str, ...], cells: list[str]) -> str:
    for name, cell in zip(names, cells, strict=False):
        if name in ("company_name", "plan_file"):
            return cell.strip()[:200]
    return ""


def _has_surrogates(cells: Iterable[str]) -> bool:
    return any(any("\udc80" <= ch <= "\udcff" for ch in cell) for cell in cells)


class _Lines:
    """The physical lines of a CSV text stream, for the CSV reader, read in bounded pieces.

    Each is checked: a NUL byte, or a record growing past :data:`MAX_RECORD_CHARS`, refuses
    the file naming its line, and no more than that is ever held at once.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.line = 0  # lines read so far: the number of the line last read
        self.record_start = 1  # the line the record being read starts on
        self.record_chars = 0  # characters of that record read so far

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        room = MAX_RECORD_CHARS - self.record_chars
        try:
            text = self.stream.readline(room + 1)
        except OSError as exc:
            raise CsvUnreadable(f"line {self.line + 1:,} cannot be read: "
                                f"{exc.strerror or exc}") from None
        if not text:
            raise StopIteration
        self.line += 1
        if "\x00" in text:
            raise CsvUnreadable(f"this is not a text CSV file (line {self.line:,} holds a NUL "
                                "byte); save it as CSV UTF-8")
        self.record_chars += len(text)
        if self.record_chars > MAX_RECORD_CHARS:
            where = (f"line {self.line:,}" if self.record_start == self.line
                     else f"the row that starts on line {self.record_start:,}")
            raise CsvUnreadable(f"{where} is longer than {MAX_RECORD_CHARS:,} characters; "
                                "the file cannot be read past it (is a quote left open?)")
        return text

    def next_record(self) -> None:
        """The reader starts a new record with the next line."""
        self.record_start = self.line + 1
        self.record_chars = 0


def _records(stream: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` for every CSV record, in order.

    Raises :class:`CsvUnreadable` naming the line when a record cannot be read through: the
    reader would go on in the middle of the broken record, reading the rest of a quoted cell
    as rows that no spreadsheet shows, so the file is refused instead. The reader's field
    limit (process-wide in Python's csv module) is raised to :data:`MAX_RECORD_CHARS` so that
    a long cell is refused by its row (:data:`MAX_CELL_CHARS`) rather than by the reader.
    """
    if csv.field_size_limit() <= MAX_RECORD_CHARS:
        csv.field_size_limit(MAX_RECORD_CHARS + 1)
    lines = _Lines(stream)
    reader = csv.reader(lines, strict=False)
    number = 0
    while True:
        number += 1
        lines.next_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvUnreadable(f"line {lines.line:,} cannot be read as CSV ({exc}); the file "
                                "cannot be read past it") from None
        yield number, cells


def text_stream(data: bytes) -> IO[str]:
    """A batch CSV held in memory (a web upload) as a text stream for :func:`open_rows`."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="surrogateescape",
                            newline="")


def open_csv(path: str | Path) -> IO[str]:
    """Open a batch CSV file for :func:`open_rows`, or raise CsvUnreadable saying why."""
    try:
        # The caller owns the handle (a with-block around the whole run).
        handle = open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")  # noqa: SIM115
    except OSError as exc:
        raise CsvUnreadable(f"cannot be read: {exc.strerror or exc}") from None
    return handle


def data_rows(stream: IO[str]) -> int:
    """How many data rows (records after the header) a batch CSV stream holds."""
    return max(sum(1 for _ in _records(stream)) - 1, 0)


def count_rows(path: str | Path) -> int:
    """How many data rows the CSV file holds, reading it through once in bounded pieces.

    Raises :class:`CsvUnreadable` when the file cannot be read to its end (see
    :func:`_records`), before any row is scored.
    """
    with open_csv(path) as handle:
        return data_rows(handle)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def columns_markdown() -> str:
    """The README's table of batch columns, generated from :data:`COLUMNS`."""
    lines = ["| Column | Unit | Default | Meaning |", "|---|---|---|---|"]
    lines.extend(
        "| " + " | ".join(_md(cell) for cell in (f"`{c.name}`", c.unit, c.default, c.meaning))
        + " |"
        for c in COLUMNS
    )
    return "\n".join(lines) + "\n"

