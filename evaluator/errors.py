"""One family of errors for every stage, and one JSON shape for all of them.

Every refusal names *where* (a JSON-style path such as ``compensation.components[1].rates[1]``
or a CSV column), the offending value, and *what* was expected, in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def _short_repr(value: Any, limit: int = 60) -> str:
    """A short, human-readable rendering of a value for an error message."""
    text = repr(value) if isinstance(value, str) else _json_like(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_like(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return str(value)


@dataclass(frozen=True, order=True)
class FieldError:
    """One problem with one field: where it is, what was there, what was expected."""

    path: str
    message: str
    value: Any = field(default=None, compare=False)

    def __str__(self) -> str:
        """``path: message``, or the message alone when there is no path."""
        return f"{self.path}: {self.message}" if self.path else self.message

    def to_dict(self) -> dict[str, str]:
        """The public error shape: ``{"path", "message"}``."""
        return {"path": self.path, "message": self.message}


class EvaluatorError(Exception):
    """Base of every error the evaluator raises on purpose."""

    exit_code = 1

    def __init__(self, errors: Iterable[FieldError] | str) -> None:
        """Hold ``errors`` (a string is one error with no path); the message has one a line."""
        if isinstance(errors, str):
            errors = [FieldError("", errors)]
        self.errors: list[FieldError] = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class InputError(EvaluatorError):
    """Input that cannot be used; exit code 2 at the command line, 4xx on the web."""

    exit_code = 2


class PlanValidationError(InputError):
    """A plan document that does not satisfy plan schema v1 (all errors at once)."""


class AssumptionError(InputError):
    """An unknown assumption name or a value outside its allowed range."""


class RubricError(InputError):
    """A rubric file that cannot be read or does not satisfy the rubric schema."""


class LimitError(InputError):
    """A request that exceeds one of the tool's hard limits (size, time, rows)."""


MAX_ERRORS = 100
"""Most problems listed for one document; the rest are counted in one final entry."""


def first_errors(errors: Sequence[FieldError], limit: int = MAX_ERRORS) -> list[FieldError]:
    """``errors`` (already in their order), at most ``limit`` of them and a count of the rest.

    All of them when at most ``limit``; else the first ``limit`` and one final entry saying how
    many more there are. Every loader's list goes through it.
    """
    if len(errors) <= limit:
        return list(errors)
    return [*errors[:limit], more_errors(len(errors) - limit, limit)]


def more_errors(rest: int, shown: int = MAX_ERRORS) -> FieldError:
    """The final entry of a list cut to its first ``shown`` problems: how many more there are."""
    more = "problem" if rest == 1 else "problems"
    return FieldError("", f"and {rest:,} more {more} not listed: the first {shown} are shown")


def error_body(errors: Iterable[FieldError]) -> dict[str, list[dict[str, str]]]:
    """The one JSON error body used by every route: ``{"errors": [{"path", "message"}]}``."""
    return {"errors": [e.to_dict() for e in errors]}


def describe_value(value: Any) -> str:
    """Public helper for messages that quote a value."""
    return _short_repr(value)
