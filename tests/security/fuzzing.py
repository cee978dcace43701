"""Drive one generated plan through every front door and classify what happened.

Shared by the fuzz tests (a bounded number of examples) and ``benchmarks/fuzz.py`` (10,000
plans). A plan document goes through validate -> evaluate (a small simulation) -> the cheap
renderers (JSON, CSV); on request also the expensive doors: the HTML and PDF renderers, the
command line (``oppeval validate`` and ``oppeval evaluate``) and the JSON API. The outcome is
``valid`` (every door succeeded), ``refused`` (every door refused it and named the expected
field path) or ``problem`` (anything else: a traceback, a refusal without the path, a valid plan
refused, a broken plan accepted, more than the first 100 errors and a count listed, output that
does not match its schema, unescaped markup).
"""

from __future__ import annotations

import io
import json
import tempfile
import traceback
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient

from evaluator.cli import cli
from evaluator.errors import MAX_ERRORS, FieldError, InputError
from evaluator.evaluation import evaluate_document, validate_output
from evaluator.report import RENDERERS
from evaluator.schema import parse_plan, validate_plan

SMALL: Mapping[str, str] = {
    "max_participants": "200",
    "runs": "1",
    "horizon_months": "12",
    "initial_participants": "20",
}
"""The smallest useful simulation: the doors are under test here, not the simulation."""

SMALL_QUERY = "&".join(f"{k}={v}" for k, v in SMALL.items())
SMALL_SET = [arg for k, v in SMALL.items() for arg in ("--set", f"{k}={v}")]
SEED = 7


PROBLEMS = (
    "traceback",
    "warning",
    "hang",
    "refused without the path",
    "valid plan refused",
    "broken plan accepted",
    "unbounded errors",
    "wrong output",
)
"""Every kind of problem, as the fuzz benchmark counts them."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one plan: ``valid``, ``refused`` or ``problem`` (of which kind, why)."""

    kind: str
    problem: str = ""
    detail: str = ""


class Problem(AssertionError):
    """A door behaved in a way the fuzzing contract forbids (``kind`` is one of PROBLEMS)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def as_bytes(doc: Mapping[str, Any] | bytes) -> bytes:
    """The plan as the bytes a visitor would send."""
    return doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode("utf-8")


def names_path(paths: Iterable[str], expected: str) -> bool:
    """Whether a refusal names ``expected`` (``""``: a document-level refusal, any path does)."""
    paths = list(paths)
    if not paths:
        return False
    return expected == "" or any(
        p == expected or p.startswith(expected + ".") or p.startswith(expected + "[") for p in paths
    )


def check_plan(
    doc: Mapping[str, Any] | bytes,
    expected_path: str | None,
    *,
    expensive: bool = False,
    client: FlaskClient | None = None,
) -> Outcome:
    """Run one plan through the doors; ``expected_path`` None means the plan is valid."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numeric warning (overflow, NaN) is a problem too
        try:
            kind = _drive(as_bytes(doc), expected_path, expensive, client)
        except Problem as exc:
            return Outcome("problem", exc.kind, str(exc))
        except Warning:
            return Outcome("problem", "warning", traceback.format_exc(limit=-4))
        except Exception:  # any traceback is exactly what the fuzzing looks for
            return Outcome("problem", "traceback", traceback.format_exc(limit=-4))
    return Outcome(kind)


def _drive(data: bytes, expected: str | None, expensive: bool, client: FlaskClient | None) -> str:
    errors = _validate(data)
    if expected is None and errors:
        raise Problem("valid plan refused", f" {[str(e) for e in errors]}")
    if expected is not None:
        if not errors:
            raise Problem("broken plan accepted", f"broken at {expected!r}")
        if not names_path((e.path for e in errors), expected):
            raise Problem(
                "refused without the path", f"{expected!r} not named: {[str(e) for e in errors]}"
            )
        if any(not e.message for e in errors):
            raise Problem("refused without the path", "a refusal without a message")
        if len(errors) > MAX_ERRORS + 1:
            raise Problem("unbounded errors", f"{len(errors):,} errors listed")
        if expensive:
            _cli_refuses(data, expected)
        if client is not None:
            _api_refuses(client, data, expected)
        return "refused"
    evaluation = evaluate_document(data, overrides=SMALL, seed=SEED)
    doc = json.loads(render(evaluation, "json"))
    problems = validate_output(doc)
    if problems:
        raise Problem("wrong output", f"the JSON does not match the output schema: {problems[:3]}")
    if not render(evaluation, "csv").strip():
        raise Problem("wrong output", "the CSV is empty")
    if expensive:
        check_html(render(evaluation, "html").decode("utf-8"), doc)
        if not render(evaluation, "pdf").startswith(b"%PDF-"):
            raise Problem("wrong output", "the PDF renderer wrote no PDF")
        _cli_evaluates(data)
    if client is not None:
        _api_evaluates(client, data)
    return "valid"


def _validate(data: bytes) -> list[FieldError]:
    try:
        validate_plan(parse_plan(data))
    except InputError as exc:
        return exc.errors
    return []


def render(evaluation: Any, fmt: str) -> bytes:
    buffer = io.BytesIO()
    RENDERERS[fmt].render(evaluation, buffer)
    return buffer.getvalue()


def check_html(page: str, doc: Mapping[str, Any]) -> None:
    """The visitor's text is escaped: a company name with markup never appears raw."""
    name = str(doc["plan"]["company"]["name"])
    if any(c in name for c in "<>&\"'") and name in page:
        raise Problem("wrong output", f"{name!r} appears unescaped in the HTML report")
    if "<script" in page.lower():
        raise Problem("wrong output", "the HTML report holds a script element")


def _cli(args: list[str], data: bytes) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_bytes(data)
        return CliRunner().invoke(cli, [args[0], str(path), *args[1:]])


def _cli_refuses(data: bytes, expected: str) -> None:
    result = _cli(["validate"], data)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise Problem("traceback", f"oppeval validate raised {result.exception!r}")
    if result.exit_code != 2:
        raise Problem("broken plan accepted", f"oppeval validate exited {result.exit_code}")
    lines = [line.split(": ", 2) for line in result.stderr.splitlines() if line.strip()]
    if len(lines) > MAX_ERRORS + 1:
        raise Problem("unbounded errors", f"oppeval validate printed {len(lines):,} errors")
    paths = [parts[1] if len(parts) == 3 else "" for parts in lines]
    if not names_path(paths, expected) and expected not in result.stderr:
        raise Problem(
            "refused without the path",
            f"oppeval validate did not name {expected!r}: {result.stderr[:300]!r}",
        )


def _cli_evaluates(data: bytes) -> None:
    result = _cli(["validate"], data)
    if result.exit_code != 0:
        raise Problem(
            "valid plan refused",
            f"oppeval validate exited {result.exit_code}: {result.stderr[:300]!r}",
        )
    result = _cli(["evaluate", "--format", "csv", "--seed", str(SEED), *SMALL_SET], data)
    if result.exit_code != 0:
        raise Problem(
            "valid plan refused" if result.exit_code == 2 else "traceback",
            f"oppeval evaluate exited {result.exit_code}: {result.stderr[:300]!r}",
        )


def _api_refuses(client: FlaskClient, data: bytes, expected: str) -> None:
    response = client.post(
        f"/api/v1/evaluate?{SMALL_QUERY}", data=data, content_type="application/json"
    )
    if response.status_code not in (400, 413, 422):
        raise Problem(
            "broken plan accepted" if response.status_code < 400 else "traceback",
            f"the API answered {response.status_code}",
        )
    body = response.get_json()
    if len(body["errors"]) > MAX_ERRORS + 1 + len(SMALL):
        raise Problem("unbounded errors", f"the API listed {len(body['errors']):,} errors")
    paths = [e["path"] for e in body["errors"]]
    if not names_path(paths, expected):
        raise Problem(
            "refused without the path", f"the API did not name {expected!r}: {body['errors'][:3]}"
        )


def _api_evaluates(client: FlaskClient, data: bytes) -> None:
    response = client.post(
        f"/api/v1/evaluate?{SMALL_QUERY}&seed={SEED}", data=data, content_type="application/json"
    )
    if response.status_code != 200:
        raise Problem(
            "traceback" if response.status_code >= 500 else "valid plan refused",
            f"the API answered {response.status_code}: {response.data[:300]!r}",
        )
    if validate_output(response.get_json()):
        raise Problem("wrong output", "the API's JSON does not match the output schema")
