"""Formatting shared by every renderer: how a figure from the Evaluation is written for people.

Nothing here computes a figure. These functions only choose how an existing value reads
(``0.625`` -> ``"62.5%"``, ``None`` -> ``"unknown"``, ``1234.5`` -> ``"USD 1,234.50"``), and
:func:`evaluation_dict` accepts either an ``Evaluation`` or its published dictionary.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from evaluator.formatting import MINUS, counted, is_number, money, number, percent

__all__ = ["MINUS", "counted", "money", "number", "percent"]

LEVELS: Mapping[str, tuple[str, str]] = {
    "low": ("\u25cb", "low"),
    "elevated": ("\u25d0", "elevated"),
    "high": ("\u25cf", "high"),
    "unknown": ("?", "unknown"),
}
"""Level -> (symbol, word): colour is never the only signal of a level."""


def evaluation_dict(evaluation: Any) -> Mapping[str, Any]:
    """The published dictionary of an ``Evaluation`` (or a dictionary passed as is)."""
    if isinstance(evaluation, Mapping):
        return evaluation
    to_dict = getattr(evaluation, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"cannot render {type(evaluation).__name__}: it has no to_dict()")
    result = to_dict()
    if not isinstance(result, Mapping):
        raise TypeError("Evaluation.to_dict() did not return a mapping")
    return result


def write_text(fileobj: IO[Any], text: str) -> None:
    """Write ``text`` to a text stream as is, or to a binary stream as UTF-8."""
    if isinstance(fileobj, io.TextIOBase):
        fileobj.write(text)
    else:
        fileobj.write(text.encode("utf-8"))


PLAIN_WORDS: tuple[tuple[str, str], ...] = (
    ("non-participants", "customers outside the business"),
    ("pay-to-play", "buying to get paid"),
)
"""Rubric words a recruit may not know, and what the recruit's pages say instead."""


def plain_label(label: Any) -> str:
    """An indicator label in a recruit's words: no bracketed rubric term, no jargon."""
    text = re.sub(r"\s*\([^)]*\)", "", str(label or "")).strip()
    for word, plain in PLAIN_WORDS:
        text = text.replace(word, plain)
    return text


def down_up(value: Any, currency: str = "") -> str:
    """A net result as a joiner reads it.

    ``down about $1,642``, ``up about $80``, ``about even`` (when it rounds to nothing), or
    ``unknown``.
    """
    if not is_number(value):
        return "unknown"
    text = money(abs(value), currency)
    if text.strip("$0.,") == "" or text.endswith((" 0", "$0")):
        return "about even"
    return f"{'down' if value < 0 else 'up'} about {text}"


def count(value: Any, noun: str = "", never: str = "never") -> str:
    """A whole count, where ``None`` means "never" (a division by zero in the economics)."""
    if value is None:
        return never
    text = number(value)
    return f"{text} {noun}".strip()


def yes_no(value: Any) -> str:
    """``True``/``False``/``None`` -> ``yes``/``no``/``unknown``."""
    if value is None:
        return "unknown"
    return "yes" if value else "no"


FRACTION_UNITS = ("fraction", "share", "ratio", "percent")
"""Units (or their first word) whose values are fractions shown as percentages."""


def indicator_value(indicator: Mapping[str, Any], currency: str) -> str:
    """An indicator's value in words, chosen by its unit.

    ``share of ...``/``fraction`` -> percentage; ``USD per month`` (the plan's currency, or
    ``money``) -> ``USD 232 per month``; ``recruits (count)`` -> ``49 recruits``.
    """
    value = indicator.get("value")
    unit = str(indicator.get("unit") or "")
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return yes_no(value)
    if not is_number(value):
        return str(value)
    first, _, rest = unit.partition(" ")
    if first.lower() in FRACTION_UNITS:
        return percent(value)
    if first.lower() == "money" or (currency and first == currency):
        return f"{money(value, currency)} {rest}".strip()
    unit = unit.removesuffix("(count)").strip()
    if unit in ("", "count", "number"):
        return number(value)
    return f"{number(value)} {unit}"


def level_symbol(level: Any) -> str:
    """The symbol drawn beside a level's colour."""
    return LEVELS.get(str(level), LEVELS["unknown"])[0]


def level_word(level: Any) -> str:
    """The word for a level (``unknown`` for a level the rubric did not assign)."""
    return LEVELS.get(str(level), LEVELS["unknown"])[1] if level else "unknown"


def verdict_class(score: Any) -> str:
    """CSS class of a verdict badge: the score's ``verdict_level``, or ``other`` when it has none.

    The level is ``low``, ``elevated`` or ``high``, by the verdict's rank in its own rubric.
    """
    level = score.get("verdict_level") if isinstance(score, Mapping) else None
    return level if level in ("low", "elevated", "high") else "other"


def lookup(ev: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at ``path`` (keys, outermost first) in an evaluation dictionary, or None.

    None where any step is missing or is not a mapping.
    """
    node: Any = ev
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


_DATED: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("report_date",
                                                                       default=None)


@contextlib.contextmanager
def dated(day: dt.date) -> Iterator[None]:
    """Render the reports made inside this block as of ``day`` (a saved report's own day)."""
    token = _DATED.set(day)
    try:
        yield
    finally:
        _DATED.reset(token)


def report_date() -> dt.date:
    """The report's date: the day :func:`dated` sets, else ``SOURCE_DATE_EPOCH``'s, else today.

    It is printed on the HTML and PDF reports only; the Evaluation (and its JSON) holds no date,
    so it stays byte-identical for the same input. A saved report is rendered as of the day it
    was saved, so it gives the same bytes whenever it is shown again. ``SOURCE_DATE_EPOCH``
    (seconds since 1970, the reproducible-builds convention) pins it for a PDF made elsewhere.
    """
    if (day := _DATED.get()) is not None:
        return day
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError) as exc:
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch[:40]!r}"
            ) from exc
    return dt.datetime.now(dt.UTC).date()


BUNDLED_DEFAULT_RUBRIC = "pyramid-risk"


def reproduce_command(ev: Mapping[str, Any]) -> str:
    """The ``oppeval evaluate`` command that gives this evaluation again from its plan JSON.

    ``plan.json`` is the normalised plan (attached to the PDF); every assumption changed from its
    default becomes a ``--set``, and a rubric other than the default one a ``--rubric``.
    """
    parts = ["oppeval", "evaluate", "plan.json", "--seed", str(ev.get("seed"))]
    rubric_id = str((ev.get("rubric") or {}).get("id") or BUNDLED_DEFAULT_RUBRIC)
    if rubric_id != BUNDLED_DEFAULT_RUBRIC:
        parts += ["--rubric", f"{rubric_id}.yaml"]
    engine = (ev.get("simulation") or {}).get("engine")
    if engine and engine != "vectorised":
        parts += ["--engine", str(engine)]
    for name, spec in sorted((ev.get("assumptions") or {}).items()):
        if isinstance(spec, Mapping) and spec.get("changed"):
            parts += ["--set", f"{name}={_plain_number(spec.get('value'))}"]
    return " ".join(parts)


def _plain_number(value: Any) -> str:
    """A number as ``--set`` reads it back exactly (``0.06``, ``5000``; no grouping)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
