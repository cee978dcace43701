"""The web form and plan schema v1, both ways: form fields -> plan document -> form fields.

Every form field is named by the JSON path it fills (``costs.enrollment_fee``,
``products[1].retail_price``, ``compensation.components[0].rates``), so a validation error's path
names the field it belongs beside. Text the form cannot read as a number is passed on as text,
so the shared schema refuses it with the same message the command line prints. Lists of numbers
are typed as ``0.05, 0.05, 0.03``; a fraction may also be typed as a percentage (``5%``).

A list never shows more rows than plan schema v1 allows it (its ``maxItems``), whatever a
document or a request holds; a row number is 1 to :data:`INDEX_DIGITS` ASCII digits, and any
other input name is not a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

from evaluator.errors import FieldError
from evaluator.numbers import Kind as NumberKind
from evaluator.numbers import NumberError, read_decimal, read_number
from evaluator.schema import (
    COMPONENT_FIELDS,
    COMPONENT_TYPES,
    UNKNOWN_SIMULATED_AS,
    component_branches,
    field_node,
)

Kind = Literal[
    "text", "longtext", "money", "number", "integer", "fraction", "numbers", "fractions",
    "tristate", "check", "choice",
]

COMPONENT_LABELS: Mapping[str, str] = {
    kind: str(branch["title"]) for kind, branch in component_branches().items()
}
"""Component type -> its name in the form: the ``title`` of its branch in plan schema v1."""

TRISTATE_CHOICES = (("", "I don't know"), ("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Field:
    """One form input: the last part of its JSON path, how it is typed, and how it is labelled.

    ``label`` (and, in a component row, ``types``) come from plan schema v1: :func:`_group`
    and :func:`_repeat` fill them in from the field's ``title`` and the branches that have it.
    """

    key: str
    kind: Kind = "text"
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    types: tuple[str, ...] = ()
    """Component types this field belongs to (component rows only)."""
    blank: str = ""
    """The value an untouched input holds."""
    schema_hint: bool = True
    """Whether to show the plan schema's description when there is no ``hint``."""
    label: str = ""


@dataclass(frozen=True)
class Group:
    """A fixed object of the plan (``costs``, ``compensation.qualification``, ...)."""

    path: str
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Repeat:
    """A list of the plan shown as rows that can be added and removed."""

    path: str
    noun: str
    fields: tuple[Field, ...]
    min_rows: int = 0
    scalar: bool = False
    """Items are plain values (``income_claims``) rather than objects."""

    def field_name(self, index: int, f: Field) -> str:
        """The input name of ``f`` in row ``index``."""
        return f"{self.path}[{index}]" if self.scalar else f"{self.path}[{index}].{f.key}"


def schema_node(path: str, key: str = "") -> Mapping[str, Any]:
    """The plan schema v1 node of field ``key`` of the object or list at ``path``.

    With no ``key``: the object, or a list's item; for a component field: the first branch that
    has it.
    """
    if "items" in field_node(path):
        path += "[]"
    return field_node(f"{path}.{key}" if key else path)


def _titled(path: str, f: Field) -> Field:
    """``f`` labelled with its schema ``title``; in a component row, with the types having it."""
    types = f.types
    if path == "compensation.components" and f.key != "type":
        types = tuple(kind for kind, keys in COMPONENT_FIELDS.items() if f.key in keys)
    return replace(f, label=str(schema_node(path, f.key)["title"]), types=types)


def _group(path: str, *fields: Field) -> Group:
    return Group(path, str(schema_node(path)["title"]), tuple(_titled(path, f) for f in fields))


def _repeat(path: str, noun: str, *fields: Field, min_rows: int = 0,
            scalar: bool = False) -> Repeat:
    return Repeat(path, noun, tuple(_titled(path, f) for f in fields), min_rows, scalar)


COMPANY = _group(
    "company",
    Field("name"),
    Field("country"),
    Field("website"),
    Field("participants", "integer"),
    Field("founded", "integer"),
    Field("notes", "longtext"),
)
COSTS = _group(
    "costs",
    Field("currency", hint="Three capital letters, such as USD or EUR.", blank="USD"),
    Field("enrollment_fee", "money"),
    Field("starter_kit", "money"),
    Field("inventory_package", "money"),
    Field("annual_renewal_fee", "money"),
    Field("required_monthly_purchase", "money"),
    Field("autoship_required", "tristate", choices=TRISTATE_CHOICES),
    Field("estimated_monthly_expenses", "money"),
    Field("annual_event_costs", "money"),
    Field("starter_kit_commissionable", "tristate", choices=TRISTATE_CHOICES),
)
MONTHLY_FEES = _repeat(
    "costs.monthly_fees", "monthly fee",
    Field("name", hint="Back office, website, app ..."),
    Field("amount", "money", schema_hint=False),
)
PACKAGES = _repeat(
    "costs.packages", "package",
    Field("name", hint="Basic, Executive, VIP ..."),
    Field("price", "money", schema_hint=False),
    Field("volume", "number",
          hint="Volume that pays the recruiter and upline; 0 for none. Leave blank if you "
               "don't know."),
    Field("rank", hint="The name of one of the ranks below; leave blank if it gives none."),
    Field("share", "fraction",
          hint="Your estimate, 0.5 or 50%. Leave blank if you don't know: the packages left "
               "blank share what the others leave."),
)
PRODUCTS = _repeat(
    "products", "product",
    Field("name"),
    Field("wholesale_price", "money"),
    Field("retail_price", "money"),
    Field("volume", "number", hint="Leave blank to use price x commissionable share."),
    Field("business_volume", "number",
          hint="Only for plans that pay commissions on a business volume (BV) apart from the "
               "point volume (PV) above; leave blank if they are the same."),
    Field("comparable_market_price", "money"),
    Field("comparable_source"),
    min_rows=1,
)
BUYBACK = _group(
    "buyback",
    Field("offered", "tristate", choices=TRISTATE_CHOICES),
    Field("refund_fraction", "fraction", hint="0.9 or 90% means 90%."),
    Field("window_days", "integer"),
)
COMPENSATION = _group(
    "compensation",
    Field("commissionable_fraction", "fraction",
          hint="Volume per unit of price where a product states none; blank means 1 (all)."),
    Field("payout_cap_fraction", "fraction"),
)
QUALIFICATION = _group(
    "compensation.qualification",
    Field("min_personal_volume", "number"),
    Field("own_purchases_count", "tristate", choices=TRISTATE_CHOICES),
    Field("min_retail_customers", "integer"),
)
CUSTOMER_SHARE = _group(
    "compensation.qualification.min_customer_share",
    Field("share", "fraction",
          hint="Leave blank if the plan has no such rule. 0.5 or 50%: the Vemma order asked "
               "for more than half of the downline's volume."),
    Field("of", "choice", schema_hint=False,
          choices=(("", "Not stated (read as the whole group's)"),
                   ("downline", "My whole group's volume, mine included"),
                   ("own", "My own volume"))),
    Field("mode", "choice", schema_hint=False,
          choices=(("", "Not stated (read as no downline pay)"),
                   ("full", "No downline pay that month"),
                   ("pro_rata", "Downline pay scaled down in proportion"))),
)
PREFERRED_CUSTOMERS = _group(  # schema v1.1
    "compensation.preferred_customers",
    Field("discount", "fraction",
          hint="Leave blank if the plan has no preferred customers. 0.15 or 15% off retail."),
    Field("commission_rate", "fraction", hint="A share of what they pay: 0.2 or 20%."),
    Field("counts_as_personal_volume", "tristate", choices=TRISTATE_CHOICES,
          hint="I don't know is simulated as counted."),
)
COMPONENTS = _repeat(
    "compensation.components", "pay component",
    Field("type", "choice",
          choices=(("", "Choose a type"), *((t, COMPONENT_LABELS[t]) for t in COMPONENT_TYPES))),
    Field("rate", "fraction", hint="A share: 0.10 or 10%."),
    Field("rates", "fractions", hint="Level 1 first, separated by commas: 0.05, 0.05, 0.03"),
    Field("amounts", "numbers", hint="Money per enrollee (or per first order), level 1 first: "
                                     "50, 10"),
    Field("months", "integer"),
    Field("basis", "choice", blank="all", schema_hint=False,
          choices=(("all", "All purchases, participants' own included"),
                   ("customer", "Only sales to customers who are not participants"))),
    Field("compression", "tristate",
          choices=(*TRISTATE_CHOICES, ("dynamic", "By level: skip uplines with the level locked"))),
    Field("monthly_cap", "money"),
    Field("carryover", "tristate", choices=TRISTATE_CHOICES),
    Field("width", "integer"),
    Field("placement", "choice",
          hint="A matrix or a binary: where a recruit goes once the sponsor's positions are "
               "full. I don't know is simulated as in turn.",
          choices=(("", "I don't know"),
                   ("in_turn", "In turn: down the sponsor's lines one after the other"),
                   ("first_open", "The first open position, level by level, left to right"))),
    Field("generation_rates", "fractions", hint="Generation 1 first: 0.04, 0.03, 0.02"),
    Field("breakaway_legs_in_group_volume", "tristate", choices=TRISTATE_CHOICES,
          hint="A breakaway: does a leg whose leader reached the top rank still count toward "
               "your rank's group volume? No: it pays you royalties instead. I don't know is "
               "simulated as yes."),
    *(Field(key, "number") for key in ("cycle_volume_left", "cycle_volume_right")),
    Field("cycle_pay", "money"),
    Field("carry_cap", "number"),
    Field("unqualified_legs", "choice",
          hint="I don't know is simulated as if they were qualified: the matched volume is "
               "used up, its pay is lost and the rest carries over.",
          choices=(("", "I don't know"),
                   ("carry", "It carries over to the next month, unmatched"),
                   ("flush", "It is lost (flushed)"))),
    Field("requires_rank", hint="The name of one of the ranks below; leave blank if the bonus "
                                "needs none."),
    Field("min_recruit_order_volume", "number"),
    # Return on one's own position and pool (schema v1.1).
    Field("per_month", "money"),
    Field("rate_of_price", "fraction", hint="A share a month: 0.05 or 5%."),
    Field("months_paid", "integer", hint="Leave empty when it is paid every month while active."),
    Field("requires_task"),
    Field("share", "fraction", hint="A share of all the company's volume that month: 0.02 or 2%."),
    Field("rank", hint="The name of one of the ranks below."),
    Field("split", "choice", blank="equal", schema_hint=False,
          choices=(("equal", "An equal share per participant at the rank or above"),)),
    min_rows=1,
)
RANKS = _repeat(
    "compensation.ranks", "rank",
    Field("name"),
    Field("min_personal_volume", "number"),
    Field("min_group_volume", "number"),
    Field("min_active_legs", "integer"),
    Field("differential_rate", "fraction"),
    Field("monthly_bonus", "money"),
    Field("unlocks_levels", "integer"),
    Field("advancement_bonus", "money"),
    Field("fast_start_bonus", "money"),
    Field("fast_start_within_months", "integer"),
    Field("min_team_size", "integer"),
    Field("discount", "fraction",
          hint="0.25 or 25% off the retail price. Leave blank to keep the rank below's (below "
               "every rank: the wholesale prices)."),
    Field("unilevel_rates", "fractions",
          hint="Level 1 first, separated by commas: 0.05, 0.05, 0.03. Leave blank to keep the "
               "rank below's (or the unilevel's rates)."),
    Field("binary_rate", "fraction",
          hint="Leave blank to keep the rank below's (or the binary's rate)."),
    # Schema v1.1: qualification over time and the leg limit.
    Field("qualify_months", "integer", hint="Blank or 1: this month alone."),
    Field("min_lifetime_volume", "number"),
    Field("max_leg_share", "fraction", hint="The 50% rule is 0.5 or 50%; blank: no limit."),
)
RANK_RULES = _group(  # schema v1.1
    "compensation.rank_rules",
    Field("pin", "choice", schema_hint=False,  # blank: none, so a v1 plan stays v1
          choices=(("", "No: each month's rank is the one qualified for that month"),
                   ("title", "Kept as a title; pay follows the month's rank"),
                   ("pay", "Kept, and paid as that rank (a floor)"))),
    Field("requalify_months", "integer", hint="Blank: kept for good."),
)
DISCLOSURES = _group(
    "disclosures",
    Field("reported_retail_fraction", "fraction"),
)
INCOME_DISCLOSURE = _group(
    "disclosures.income_disclosure",
    Field("year", "integer"),
    Field("fraction_earning_nothing", "fraction"),
    Field("median_annual_gross", "money"),
    Field("mean_annual_gross", "money"),
    Field("net_of_costs", "tristate", choices=TRISTATE_CHOICES),
)
BRACKETS = _repeat(
    "disclosures.income_disclosure.brackets", "income bracket",
    Field("min", "money"),
    Field("max", "money"),
    Field("fraction", "fraction"),
)
INCOME_CLAIMS = _repeat(
    "disclosures.income_claims", "income claim",
    Field("", hint="What the recruiter or the company promises."),
    scalar=True,
)
NO_CLAIMS = "disclosures.no_income_claims"
"""Form-only input: "yes" when the offer made no income claims (an empty claims list); left
blank with no claim rows, whether any were made is unknown."""
NO_CLAIMS_FIELD = Field("no_income_claims", "choice",
                        choices=(("", "I don't know"), ("yes", "None were made")),
                        label="Were any income claims made?")
SOURCES = _repeat(
    "sources", "source",
    Field("field", hint="For example costs.required_monthly_purchase"),
    Field("citation", hint="For example Policies section 4.2, 2024"),
)

GROUPS: tuple[Group, ...] = (
    COMPANY, COSTS, BUYBACK, COMPENSATION, QUALIFICATION, CUSTOMER_SHARE, PREFERRED_CUSTOMERS,
    RANK_RULES,
    DISCLOSURES,
    INCOME_DISCLOSURE,
)
REPEATS: tuple[Repeat, ...] = (
    MONTHLY_FEES, PACKAGES, PRODUCTS, COMPONENTS, RANKS, BRACKETS, INCOME_CLAIMS, SOURCES,
)
REPEATS_BY_PATH: dict[str, Repeat] = {r.path: r for r in REPEATS}
OPTIONAL_OBJECTS = ("buyback", "compensation.qualification",
                    "compensation.qualification.min_customer_share",
                    "compensation.preferred_customers", "compensation.rank_rules",
                    "disclosures.income_disclosure", "disclosures")
"""Objects left out of the document when none of their fields is filled."""

INDEX_DIGITS = 9
"""Most digits a row number in an input name may have (rows are renumbered from 0 with gaps
closed, so a large number costs nothing; a longer one is not a row number)."""

_ROW_NAME = re.compile(
    rf"(?P<list>[a-z_.]+)\[(?P<index>[0-9]{{1,{INDEX_DIGITS}}})\](?:\.(?P<key>[a-z_]+))?"
)
_GROUPED = re.compile(r"\d,\d{3}(?!\d)")
"""A comma between a digit and three more: a thousands group (``1,000``) or two list items
(``50,100``): a list reads it as a group only when ``;`` separates its items."""
_LIST_SPLIT = re.compile(r";|\s+|(?<!\d),|,(?!\d{3}(?!\d))")
"""Item separators: ``;``, spaces, and any comma that is not a thousands group."""


def split_list(text: str) -> list[str] | None:
    """The items of a typed list (``50, 10``, ``5%; 0.03``, ``1,000; 500``), or ``None``.

    ``None`` when a comma could be a thousands group or a separator (``1,000, 500`` or ``50,100``
    with no ``;``).
    """
    if ";" not in text and _GROUPED.search(text):
        return None
    return [i for i in _LIST_SPLIT.split(text) if i]


def row_index(text: str) -> int | None:
    """``text`` as a row number: 1 to :data:`INDEX_DIGITS` ASCII digits, else ``None``.

    ``"²"``, ``"٣"`` and a 5,000-digit number are not row numbers.
    """
    if 0 < len(text) <= INDEX_DIGITS and all("0" <= c <= "9" for c in text):
        return int(text)
    return None


@cache
def max_rows(path: str) -> int:
    """Most items list ``path`` may hold: its ``maxItems`` in plan schema v1."""
    return int(field_node(path)["maxItems"])


def input_id(name: str) -> str:
    """An HTML id for the input named ``name`` (letters, digits, underscores and dashes)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", name).strip("-")


def describe(path: str, f: Field) -> str:
    """The field's hint, or else its description in plan schema v1 (worded for the form)."""
    if f.hint or not f.schema_hint:
        return f.hint
    text = _for_people(str(field_node(path).get("description", "")), f.label)
    if f.kind == "tristate":  # the list itself offers "Unknown"
        text = text.replace("Leave blank if unknown.", "").strip()
    if f.kind == "fraction" and not text:
        return "A share: 0.25 or 25%."
    return text


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def _for_people(description: str, label: str) -> str:
    """A schema description as a hint: no JSON words, and no first sentence repeating the label."""
    text = description.replace("`", "")
    text = re.sub(r"\s*\(null: unknown\)\.?", ". Leave blank if unknown.", text)
    text = re.sub(r"\s*\(null: ([^)]*)\)\.?", r". Blank means \1.", text)
    first, *rest = re.split(r"(?<=\.)\s+", text.strip())
    if _words(re.sub(r"\(.*?\)", "", first)) == _words(re.sub(r"\(.*?\)", "", label)):
        aside = re.findall(r"\((.*?)\)", first)
        first = aside[0][:1].upper() + aside[0][1:] + "." if aside else ""
    return " ".join(part for part in (first, *rest) if part)


# ---------------------------------------------------------------- typed text -> JSON values


def parse_number(text: str, *, percent: bool = False, money: bool = False) -> Any:
    """A typed number read by the one reader (evaluator/numbers.py), or the refused text as is.

    ``"1,250"`` -> 1250, ``"5%"`` -> 0.05 (when ``percent``), ``"$199"`` -> 199 (when
    ``money``).

    Returning the text lets the plan schema refuse it with its usual message; ranges (a
    fraction above 1, a negative amount) are the plan schema's to check.
    """
    try:
        value = read_decimal(text, currency=money, percent=percent)
    except NumberError:
        return text.strip()
    if value == int(value) and abs(value) < 2**53:
        return int(value)
    return value


def format_value(value: Any) -> str:
    """A JSON value as the form shows it (the inverse of :func:`read_value`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


_READER_KINDS: dict[str, NumberKind] = {
    "money": "money", "number": "number", "integer": "number", "fraction": "fraction",
    "numbers": "money", "fractions": "fraction",
}
"""How the one number reader checks a field's typed text (an integer's wholeness and every
other range are the plan schema's to judge; a share's range is the reader's, for its hint)."""


def reader_message(f: Field, text: str) -> str | None:
    """The number reader's refusal of ``text`` typed in field ``f``, or None when it reads it.

    An example is ``"10"`` for a share: "did you mean 10%?". None also when the field holds no
    number.
    """
    kind = _READER_KINDS.get(f.kind)
    if kind is None:
        return None
    items = [text.strip()] if f.kind not in ("numbers", "fractions") else split_list(text)
    if items is None:
        return (f"{text.strip()} could be one number with a thousands comma or a list: "
                "separate the items with ';' (1,000; 500) or leave out the thousands comma")
    for index, item in enumerate(items):
        try:
            read_number(item, kind)
        except NumberError as exc:
            return f"item {index + 1}: {exc}" if len(items) > 1 else str(exc)
    return None


def read_value(f: Field, text: str) -> tuple[bool, Any]:
    """``(present, value)`` for the typed ``text`` of field ``f``; blank means absent."""
    if f.kind == "check":
        return (True, True) if text else (False, None)
    text = text.strip()
    if not text:
        return False, None
    if f.kind in ("money", "number", "integer", "fraction"):
        return True, parse_number(text, percent=f.kind == "fraction", money=f.kind == "money")
    if f.kind in ("numbers", "fractions"):
        items = split_list(text)
        if items is None:
            return True, [text]
        return True, [parse_number(i, percent=f.kind == "fractions", money=f.kind == "numbers")
                      for i in items]
    if f.kind == "tristate":
        return True, {"yes": True, "no": False}.get(text, text)
    return True, text


def show_value(f: Field, value: Any) -> str:
    """The form text for a document value of field ``f``."""
    if f.kind == "check":
        return "on" if value is True else ""
    return format_value(value)


# ---------------------------------------------------------------- form state


@dataclass
class FormState:
    """What the form shows: every typed value by input name, and how many rows each list has."""

    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    too_long: dict[str, int] = field(default_factory=dict)
    """Lists the document or request held more items of than :func:`max_rows` allows, with
    how many it held; the form keeps the first ones that fit."""

    def get(self, name: str, default: str = "") -> str:
        """The typed value of input ``name``."""
        return self.values.get(name, default)

    def row_count(self, repeat: Repeat) -> int:
        """Rows the form shows for ``repeat`` (at least its minimum)."""
        return max(self.rows.get(repeat.path, 0), repeat.min_rows)

    def is_blank_row(self, repeat: Repeat, index: int) -> bool:
        """Whether every input of row ``index`` is untouched."""
        return all(
            self.values.get(repeat.field_name(index, f), f.blank).strip() in ("", f.blank)
            for f in repeat.fields
        )

    def compact(self) -> FormState:
        """A copy without blank rows, rows renumbered from 0 (so error paths match the form)."""
        values = {k: v for k, v in self.values.items() if not _ROW_NAME.fullmatch(k)}
        rows: dict[str, int] = {}
        for repeat in REPEATS:
            kept = 0
            for index in range(self.rows.get(repeat.path, 0)):
                if self.is_blank_row(repeat, index):
                    continue
                for f in repeat.fields:
                    value = self.values.get(repeat.field_name(index, f))
                    if value is not None:
                        values[repeat.field_name(kept, f)] = value
                kept += 1
            rows[repeat.path] = kept
        return FormState(values, rows, dict(self.too_long))

    def can_add_row(self, path: str) -> bool:
        """Whether list ``path`` has room for one more row."""
        return self.row_count(REPEATS_BY_PATH[path]) < max_rows(path)

    def too_long_errors(self) -> list[FieldError]:
        """An error for each list that held more items than a plan may have."""
        return [
            FieldError(path, f"has {count:,} items; a plan has at most {max_rows(path)}, "
                       f"so the form shows only the first {max_rows(path)}", count)
            for path, count in self.too_long.items()
        ]

    def add_row(self, path: str) -> FormState:
        """A copy with one more (blank) row in list ``path`` (none past :func:`max_rows`)."""
        repeat = REPEATS_BY_PATH[path]
        rows = dict(self.rows)
        rows[path] = min(self.row_count(repeat) + 1, max_rows(path))
        return FormState(dict(self.values), rows, dict(self.too_long))

    def remove_row(self, path: str, index: int) -> FormState:
        """A copy without row ``index`` of list ``path``; later rows move up."""
        repeat = REPEATS_BY_PATH[path]
        count = self.row_count(repeat)
        if not 0 <= index < count:
            return self
        values = {k: v for k, v in self.values.items() if not _in_list(k, path)}
        for new, old in enumerate(i for i in range(count) if i != index):
            for f in repeat.fields:
                value = self.values.get(repeat.field_name(old, f))
                if value is not None:
                    values[repeat.field_name(new, f)] = value
        rows = dict(self.rows)
        rows[path] = count - 1
        return FormState(values, rows, dict(self.too_long))


def _in_list(name: str, path: str) -> bool:
    match = _ROW_NAME.fullmatch(name)
    return bool(match and match["list"] == path)


def state_from_form(form: Mapping[str, str]) -> FormState:
    """The form state from submitted inputs.

    Rows are numbered by the order of the indices present (gaps closed), so a row count never
    exceeds the number of inputs sent, whatever index a request names; a list keeps its first
    :func:`max_rows` rows (the rest are counted in ``too_long``).
    """
    plain: dict[str, str] = {}
    rows_seen: dict[str, set[int]] = {}
    for name, value in form.items():
        if not isinstance(value, str):
            continue
        match = _ROW_NAME.fullmatch(name)
        if match and match["list"] in REPEATS_BY_PATH:
            rows_seen.setdefault(match["list"], set()).add(int(match["index"]))
        elif not match:
            plain[name] = value
    renumber = {path: {old: new for new, old in enumerate(sorted(seen)[:max_rows(path)])}
                for path, seen in rows_seen.items()}
    too_long = {path: len(seen) for path, seen in rows_seen.items()
                if len(seen) > max_rows(path)}
    for name, value in form.items():
        match = _ROW_NAME.fullmatch(name)
        if not isinstance(value, str) or not match or match["list"] not in renumber:
            continue
        index = renumber[match["list"]].get(int(match["index"]))
        if index is None:
            continue
        plain[f"{match['list']}[{index}]" + (f".{match['key']}" if match["key"] else "")] = value
    rows = {path: len(kept) for path, kept in renumber.items()}
    return FormState(plain, rows, too_long)


def state_from_document(doc: Mapping[str, Any]) -> FormState:
    """The form state showing a plan document (a sample or an uploaded file).

    A list keeps its first :func:`max_rows` items (the rest are counted in ``too_long``).
    """
    values: dict[str, str] = {}
    for group in GROUPS:
        obj = _get(doc, group.path)
        if not isinstance(obj, Mapping):
            continue
        for f in group.fields:
            if f.key in obj:
                values[f"{group.path}.{f.key}"] = show_value(f, obj[f.key])
    rows: dict[str, int] = {}
    too_long: dict[str, int] = {}
    if _get(doc, INCOME_CLAIMS.path) == []:
        values[NO_CLAIMS] = "yes"
    for repeat in REPEATS:
        items = _get(doc, repeat.path)
        if not isinstance(items, list):
            continue
        if len(items) > max_rows(repeat.path):
            too_long[repeat.path] = len(items)
            items = items[:max_rows(repeat.path)]
        rows[repeat.path] = len(items)
        for index, item in enumerate(items):
            if repeat.scalar:
                values[repeat.field_name(index, repeat.fields[0])] = format_value(item)
                continue
            if not isinstance(item, Mapping):
                continue
            for f in repeat.fields:
                if f.key in item:
                    values[repeat.field_name(index, f)] = show_value(f, item[f.key])
                elif (repeat is COMPONENTS and f.key in NULL_WHEN_UNANSWERED
                      and item.get("type") in f.types):
                    # left out is the schema's default ("no"), not "I don't know"
                    values[repeat.field_name(index, f)] = show_value(
                        f, UNKNOWN_SIMULATED_AS[f.key])
    return FormState(values, rows, too_long)


def _get(doc: Any, path: str) -> Any:
    node = doc
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


# ---------------------------------------------------------------- form state -> plan document


def to_document(state: FormState, errors: list[FieldError] | None = None) -> dict[str, Any]:
    """The plan document the (compacted) form describes, for the shared schema to check.

    With ``errors``, every number the one reader refuses adds its message there, under the
    input's name (``"10"`` typed for a share: "did you mean 10%?"), to be shown beside the
    field instead of the plan schema's "is not a number".
    """
    doc: dict[str, Any] = {}  # the version follows from the fields used (schema.plan_version)

    def note(f: Field, name: str) -> None:
        text = state.get(name)
        if errors is not None and text.strip():
            message = reader_message(f, text)
            if message:
                errors.append(FieldError(name, message, text.strip()))

    for group in GROUPS:
        obj: dict[str, Any] = {}
        for f in group.fields:
            present, value = read_value(f, state.get(f"{group.path}.{f.key}"))
            note(f, f"{group.path}.{f.key}")
            if present:
                obj[f.key] = value
        if obj or group.path not in OPTIONAL_OBJECTS:
            _set(doc, group.path, {**(_get(doc, group.path) or {}), **obj})
    for repeat in REPEATS:
        items = [_row_item(repeat, state, i, note)
                 for i in range(state.rows.get(repeat.path, 0))]
        if not items and repeat is INCOME_CLAIMS and state.get(NO_CLAIMS) == "yes":
            _set(doc, repeat.path, [])
        if items or repeat in (PRODUCTS, COMPONENTS):
            if repeat is BRACKETS and _get(doc, "disclosures.income_disclosure") is None:
                _set(doc, "disclosures.income_disclosure", {})
            _set(doc, repeat.path, items)
    return _ordered(doc)


NULL_WHEN_UNANSWERED = ("compression", "carryover")
"""A component's yes/no rules whose "I don't know" is written as null (unknown), not left out
(which the schema reads as "no"). Both are schema v1 fields that take null; the v1.1 rules
(placement, breakaway legs) are left out instead, so a plan without v1.1 rules stays v1."""


def _row_item(repeat: Repeat, state: FormState, index: int,
              note: Callable[[Field, str], None]) -> Any:
    if repeat.scalar:
        return state.get(repeat.field_name(index, repeat.fields[0])).strip()
    item: dict[str, Any] = {}
    kind = state.get(repeat.field_name(index, repeat.fields[0])) if repeat is COMPONENTS else None
    for f in repeat.fields:
        if repeat is COMPONENTS and f.types and kind not in f.types:
            continue
        present, value = read_value(f, state.get(repeat.field_name(index, f)))
        note(f, repeat.field_name(index, f))
        if present:
            item[f.key] = value
        elif repeat is COMPONENTS and f.key in NULL_WHEN_UNANSWERED:
            item[f.key] = None  # "I don't know": unknown, simulated at the schema's default
    return item


_ORDER = ("schema_version", "company", "costs", "products", "buyback", "compensation",
          "disclosures", "sources")


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in sorted(doc, key=lambda k: _ORDER.index(k))}


# ---------------------------------------------------------------- errors beside their fields


@dataclass
class PlacedErrors:
    """Errors sorted by where the form shows them."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    by_section: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)
    """Every error as (its message in plain words, with no JSON path; id of the element it is
    beside; that element's label)."""

    def __bool__(self) -> bool:
        """Whether there is any error at all."""
        return bool(self.anchors)


def field_labels(state: FormState, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every input name the form shows for ``state`` with its label (plus ``extra`` inputs)."""
    labels = {f"{g.path}.{f.key}": f.label for g in GROUPS for f in g.fields}
    for repeat in REPEATS:
        for index in range(state.row_count(repeat)):
            row = f"{repeat.noun.capitalize()} {index + 1}"
            for f in repeat.fields:
                name = repeat.field_name(index, f)
                labels[name] = row if repeat.scalar else f"{row}: {f.label}"
    labels.update(extra or {})
    return labels


SECTION_TITLES: dict[str, str] = {
    **{g.path: g.title for g in GROUPS},
    **{r.path: f"{r.noun.capitalize()}s" for r in REPEATS},
}


def _candidates(path: str) -> Iterator[str]:
    while path:
        yield path
        stripped = re.sub(r"(\[[^\[\]]*\]|\.[^.\[\]]+)$", "", path)
        if stripped == path:
            return
        path = stripped


def _item_words(rest: str) -> str:
    """``[2].rate`` -> ``item 3 rate``; a bracket that holds no row number stays as it is."""
    return re.sub(rf"\[([0-9]{{1,{INDEX_DIGITS}}})\]", lambda m: f"item {int(m[1]) + 1} ",
                  rest).strip(" .")


def _path_words(path: str) -> str:
    """A path the form shows no input for, in words.

    ``costs.monthly_fees[2]`` -> ``costs monthly fees item 3``.
    """
    return _item_words(path).replace(".", " ").replace("_", " ").strip()


def place_errors(errors: Iterable[FieldError], labels: Mapping[str, str]) -> PlacedErrors:
    """Put each error beside the input (or list) its path names; the rest go on top.

    ``labels`` maps every input name the form shows to its label (see :func:`field_labels`).
    """
    placed = PlacedErrors()
    names = labels
    sections = SECTION_TITLES
    for error in errors:
        target = next((c for c in _candidates(error.path) if c in names or c in sections), None)
        if target is None:
            text = (f"{_path_words(error.path)}: {error.message}" if error.path
                    else error.message)
            placed.general.append(text)
            placed.anchors.append((text, "form-errors", ""))
            continue
        rest = error.path[len(target):]
        message = f"{_item_words(rest)}: {error.message}" if rest else error.message
        if target in names:
            placed.by_field.setdefault(target, []).append(message)
            placed.anchors.append((message, input_id(target), labels[target]))
        else:
            placed.by_section.setdefault(target, []).append(message if rest else error.message)
            placed.anchors.append(
                (message, "s-" + input_id(target)[2:] + "-errors", SECTION_TITLES[target])
            )
    return placed
