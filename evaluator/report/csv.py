"""The CSV report: one row per plan, flat columns, safe to open in a spreadsheet.

Columns (see :func:`csv_columns`): identity (``rubric_sha256`` and ``rubric_bundled`` say
which rubric text scored the row and whether it is one shipped with the tool, unchanged), score
and verdict, key economics (with schema v1.1's preferred customers and return on one's
position, :data:`ECONOMICS_V1_1_COLUMNS`), key simulation figures, then every indicator's
value and level as ``indicator.<id>.value`` and ``indicator.<id>.level``. Cells are written
from the Evaluation dictionary without recomputing anything: numbers in plain decimal or
``e`` notation with at most six significant digits (as in the canonical JSON),
``true``/``false`` for yes/no, and an empty cell for unknown or not applicable.

Formula injection: a cell that starts with a tab, a carriage return or a line feed, or whose
first character other than white space is ``=``, ``+``, ``-`` or ``@`` once the cell is
NFKC-normalised (so leading spaces and full-width signs such as U+FF1D count too), is
prefixed with an apostrophe (``'=HYPERLINK(...)`` is shown as text), *unless the whole cell
is a plain decimal number* such as ``-120.5`` or ``-1.5e-05``: a spreadsheet reads those as
numbers and cannot run them, and keeping them bare keeps negative figures numeric for pandas
and spreadsheets alike.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import IO, Any

from evaluator.report.view import evaluation_dict, lookup, write_text

ECONOMICS_V1_1_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("preferred_customer_share", ("economics", "preferred_customers", "share")),
    ("preferred_pay_per_order", ("economics", "preferred_customers", "pay_per_order")),
    ("preferred_pay_per_customer", ("economics", "preferred_customers", "pay_per_customer")),
    ("position_return_per_month", ("economics", "position_return", "per_month")),
    ("position_return_months_paid", ("economics", "position_return", "months_paid")),
    ("position_return_first_year", ("economics", "position_return", "first_year")),
)
"""The economics of schema v1.1's preferred customers and return on one's position, in every
row (so a batch of mixed plans has one header): empty for a plan without the program or the
return. ``position_return_months_paid`` is empty too for a return paid every month while
active (``position_return_per_month`` then filled), as the JSON's ``months_paid`` is null."""

FIXED_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("company_name", ("plan", "company", "name")),
    ("country", ("plan", "company", "country")),
    ("currency", ("economics", "currency")),
    ("engine_version", ("engine_version",)),
    ("rubric_id", ("rubric", "id")),
    ("rubric_version", ("rubric", "version")),
    ("rubric_sha256", ("rubric", "sha256")),
    ("rubric_bundled", ("rubric", "bundled")),
    ("seed", ("seed",)),
    ("input_sha256", ("input_sha256",)),
    ("score", ("score", "value")),
    ("verdict", ("score", "verdict")),
    ("startup_cost", ("economics", "startup_cost")),
    ("monthly_cost", ("economics", "monthly_cost")),
    ("first_year_cost", ("economics", "first_year_cost")),
    ("retail_margin_fraction", ("economics", "retail_margin_fraction")),
    ("price_premium_fraction", ("economics", "price_premium_fraction")),
    ("profit_per_customer_per_month", ("economics", "profit_per_customer_per_month")),
    ("break_even_customers_per_month", ("economics", "break_even_customers_per_month")),
    ("pay_per_active_recruit_per_month", ("economics", "pay_per_active_recruit_per_month")),
    ("break_even_active_recruits", ("economics", "break_even_active_recruits")),
    ("payback_months", ("economics", "payback_months")),
    *ECONOMICS_V1_1_COLUMNS,
    ("participants_ever", ("simulation", "participants_ever")),
    ("fraction_losing_money", ("simulation", "fraction_losing_money")),
    ("median_net_income", ("simulation", "median_net_income")),
    ("mean_net_income", ("simulation", "mean_net_income")),
    ("late_fraction_losing_money", ("simulation", "late_joiners", "fraction_losing_money")),
    ("late_median_net_income", ("simulation", "late_joiners", "median_net_income")),
    ("top_1pct_pay_share", ("simulation", "top_1pct_pay_share")),
    ("top_10pct_pay_share", ("simulation", "top_10pct_pay_share")),
    ("gini", ("simulation", "gini")),
    ("fraction_recruited_nobody", ("simulation", "fraction_recruited_nobody")),
    ("fraction_earning_nothing", ("simulation", "fraction_earning_nothing")),
    ("median_annual_gross_pay", ("simulation", "median_annual_gross_pay")),
    ("fraction_paid_nothing_by_company", ("simulation", "fraction_paid_nothing_by_company")),
    ("median_annual_pay_from_company", ("simulation", "median_annual_pay_from_company")),
    ("pay_from_customer_sales", ("simulation", "pay_sources", "customer_sales")),
    ("pay_from_own_purchases", ("simulation", "pay_sources", "own_purchases")),
    ("pay_from_enrollment", ("simulation", "pay_sources", "enrollment")),
    ("payout_ratio", ("simulation", "payout_ratio")),
)
"""Column name -> path in the Evaluation dictionary, for the columns every row has."""

FORMULA_STARTS = ("=", "+", "-", "@")
"""First characters (other than white space, after NFKC) that make a spreadsheet cell a
formula."""
CONTROL_STARTS = ("\t", "\r", "\n")
"""First characters that a spreadsheet may drop or act on before it reads the cell."""
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def neutralise(cell: str) -> str:
    """``cell`` made inert for spreadsheets: an apostrophe before a formula-like start.

    Formula-like: starting with a tab, carriage return or line feed, or with ``= + - @`` as
    the first character other than white space once NFKC-normalised (full-width U+FF1D is
    ``=``). A cell that is entirely a plain decimal number (``-120.5``, ``-1.5e-05``) stays
    as is.
    """
    if cell.startswith(CONTROL_STARTS):
        return "'" + cell
    if _PLAIN_NUMBER.fullmatch(cell):
        return cell
    text = cell if cell.isascii() else unicodedata.normalize("NFKC", cell)
    if text.lstrip().startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def cell_text(value: Any) -> str:
    """One value as CSV text (before neutralising): numbers, true/false, empty for unknown."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".6g")
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str):
        return "; ".join(cell_text(v) for v in (value.values() if isinstance(value, Mapping)
                                                 else value))
    return str(value)


def _indicators(ev: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(ev.get("indicators") or [])


def csv_columns(evaluation: Any) -> list[str]:
    """Every column of this Evaluation's row, in order (indicators in the Evaluation's order)."""
    ev = evaluation_dict(evaluation)
    columns = [name for name, _path in FIXED_COLUMNS]
    for ind in _indicators(ev):
        columns += [f"indicator.{ind['id']}.value", f"indicator.{ind['id']}.level"]
    return columns


def flat_row(evaluation: Any) -> dict[str, str]:
    """The Evaluation as one flat row (column -> neutralised text), in :func:`csv_columns` order."""
    ev = evaluation_dict(evaluation)
    row = {name: cell_text(lookup(ev, path)) for name, path in FIXED_COLUMNS}
    for ind in _indicators(ev):
        row[f"indicator.{ind['id']}.value"] = cell_text(ind.get("value"))
        row[f"indicator.{ind['id']}.level"] = cell_text(ind.get("level"))
    return {name: neutralise(text) for name, text in row.items()}


def write_rows(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> str:
    """CSV text with a header row; a cell missing from a row is left empty."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


class CsvRenderer:
    """One header row and one data row, UTF-8."""

    name = "csv"
    binary = False
    media_type = "text/csv; charset=utf-8"
    extension = "csv"

    def render(self, evaluation: Any, fileobj: IO[Any]) -> None:
        """Write the CSV to ``fileobj`` (text stream, or binary stream as UTF-8)."""
        ev = evaluation_dict(evaluation)
        write_text(fileobj, write_rows([flat_row(ev)], csv_columns(ev)))
