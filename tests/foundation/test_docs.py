"""The README cannot drift: its CLI help, session output, schema fields and assumptions are
checked against the code.

To refresh the generated blocks, run ``.venv/bin/python -m tests.foundation.test_docs`` from
the repository root: it rewrites them in README.md.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evaluator.assumptions import ASSUMPTIONS, AssumptionSpec
from evaluator.cli import cli
from evaluator.schema import plan_schema
from tests.files import project_files

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

HELP_COMMANDS = ("--help", "evaluate --help")

SESSION_PLAN = "plan_samples/autoship_unilevel_wellness.json"
# The keys the README's session shows of `oppeval evaluate ... --format json`.
SESSION_KEYS = (
    "engine_version",
    "seed",
    "input_sha256",
    "rubric.id",
    "rubric.version",
    "rubric.sha256",
    "rubric.bundled",
    "economics.startup_cost",
    "economics.monthly_cost",
    "economics.first_year_cost",
    "economics.retail_margin_fraction",
    "economics.price_premium_fraction",
    "economics.break_even_customers_per_month",
    "economics.break_even_active_recruits",
    "economics.payback_months",
    "simulation.participants_ever",
    "simulation.fraction_losing_money",
    "simulation.median_net_income",
    "simulation.late_joiners.fraction_losing_money",
    "simulation.top_1pct_pay_share",
    "simulation.fraction_recruited_nobody",
    "simulation.pay_sources",
    "score.value",
    "score.verdict",
)


def _fmt_default(spec: AssumptionSpec) -> str:
    value = int(spec.default) if spec.integer else float(spec.default)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def assumptions_table() -> str:
    """The README's assumptions table, rendered from ``evaluator.assumptions.ASSUMPTIONS``."""
    rows = ["| Name | Default | Unit | Meaning | Source |", "|---|---|---|---|---|"]
    rows += [
        f"| `{a.name}` | {_fmt_default(a)} | {a.unit} | {a.meaning} | {a.source} |"
        for a in ASSUMPTIONS
    ]
    return "\n".join(rows)


def help_block(command: str) -> str:
    """``$ oppeval COMMAND`` followed by what it prints."""
    result = CliRunner().invoke(cli, shlex.split(command))
    assert result.exit_code == 0, result.output
    return f"$ oppeval {command}\n{result.stdout}"


def _pick(doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        node: Any = doc
        target = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[part]
            target = target.setdefault(part, {})
        target[parts[-1]] = node[parts[-1]]
    return out


def session_block() -> str:
    """The README's evaluate session: the command and the chosen keys of its real output."""
    command = f"evaluate {SESSION_PLAN} --format json"
    result = CliRunner().invoke(cli, ["evaluate", str(ROOT / SESSION_PLAN), "--format", "json"])
    assert result.exit_code == 0, result.output
    picked = _pick(json.loads(result.stdout), SESSION_KEYS)
    return f"$ oppeval {command}\n{json.dumps(picked, indent=2, ensure_ascii=False)}\n"


def schema_paths(node: dict[str, Any] | None = None, path: str = "") -> list[str]:
    """Every field path of plan schema v1 (lists as ``[]``, components by their own fields)."""
    node = plan_schema() if node is None else node
    out: list[str] = []
    for name, child in (node.get("properties") or {}).items():
        if name == "type" and path.startswith("compensation.components"):
            continue
        here = f"{path}.{name}" if path else name
        out.append(here)
        items = child.get("items") or {}
        if "oneOf" in items:
            for branch in items["oneOf"]:
                out += schema_paths(branch, f"{here}[]")
        elif items.get("properties"):
            out += schema_paths(items, f"{here}[]")
        elif child.get("properties"):
            out += schema_paths(child, here)
    return sorted(set(out))


def _readme() -> str:
    return README.read_text("utf-8")


def _fenced_blocks(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```[a-z]*\n(.*?)```", text, re.S)]


@pytest.mark.parametrize("command", HELP_COMMANDS)
def test_readme_shows_current_help(command: str) -> None:
    assert help_block(command) in _fenced_blocks(_readme()), (
        f"README's `oppeval {command}` block is stale; regenerate it"
    )


def test_readme_session_output_is_real() -> None:
    """The README's evaluate session is exactly what the command prints (the chosen keys).

    Simulation figures and the score move with every engine or rubric revision; regenerate the
    block with them (see the module docstring).
    """
    expected = session_block()
    head = expected.split("\n", 1)[0] + "\n"
    shown = [b for b in _fenced_blocks(_readme()) if b.startswith(head)]
    assert len(shown) == 1, "README lacks the evaluate session"
    assert shown[0] == expected, (
        "README's evaluate session is stale; regenerate it: python -m tests.foundation.test_docs"
    )


OUTSIDE = re.compile(r"\.\./shared|DESIGN\.md|(?<!docs/)SOURCES\.md")
"""A pointer at a file the repository does not hold (the project's design notes and source
list lived outside it); the project's own list of sources is docs/SOURCES.md."""


def test_no_file_points_at_a_file_outside_the_repository() -> None:
    assert (ROOT / "docs/SOURCES.md").is_file()
    found: dict[str, int] = {}
    for name in project_files(ROOT):
        text = (ROOT / name).read_text("utf-8", errors="replace")
        hits = len(OUTSIDE.findall(text))
        if hits:
            found[name.as_posix()] = hits
    assert found == {}


def test_readme_assumptions_table_is_current() -> None:
    text = _readme()
    match = re.search(r"<!-- assumptions:start -->\n(.*?)\n<!-- assumptions:end -->", text, re.S)
    assert match, "README lacks the assumptions table markers"
    assert match.group(1) == assumptions_table()


def test_every_assumption_has_unit_meaning_and_source() -> None:
    for spec in ASSUMPTIONS:
        assert spec.unit, spec.name
        assert spec.meaning.endswith("."), spec.name
        assert spec.source, spec.name
        assert spec.minimum <= spec.default <= spec.maximum, spec.name


def test_readme_documents_every_schema_field() -> None:
    text = _readme()
    missing = [p for p in schema_paths() if f"`{p}`" not in text]
    assert not missing


def _schema_table_script() -> Any:
    path = ROOT / "scripts" / "schema_table.py"
    spec = importlib.util.spec_from_file_location("schema_table", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_schema_tables_are_generated_from_the_schema() -> None:
    """The plan-schema tables are plan_schema.json's; refresh with scripts/schema_table.py."""
    script = _schema_table_script()
    assert script.current(_readme()) == script.schema_block(), (
        "README's plan-schema tables differ from evaluator/plan_schema.json; run "
        ".venv/bin/python scripts/schema_table.py"
    )


def test_every_schema_field_has_a_description() -> None:
    """The description is a field's one wording: README table, form hint and batch meaning."""
    missing = [path for path in schema_paths() if not _schema_node(path).get("description")]
    assert not missing


def _schema_node(path: str) -> dict[str, Any]:
    node: Any = plan_schema()
    parts = path.split(".")
    for i, part in enumerate(parts):
        node = node["properties"][part.removesuffix("[]")]
        if part.endswith("[]"):
            node = node["items"]
            if "oneOf" in node:
                key = parts[i + 1]
                node = next(b for b in node["oneOf"] if key in b["properties"])
    return node


def test_readme_has_exactly_two_setup_commands() -> None:
    text = _readme()
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = [
        line for block in _fenced_blocks(section) for line in block.splitlines() if line.strip()
    ]
    assert commands == ["bash scripts/run.sh", "bash scripts/test.sh"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert ci.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in ci
    assert "bash scripts/test.sh </dev/null" in ci.splitlines()


def refresh_readme(text: str) -> str:
    """``text`` with every generated block (help, session, assumptions) regenerated."""
    for block in [help_block(c) for c in HELP_COMMANDS] + [session_block()]:
        head = block.split("\n", 1)[0] + "\n"
        pattern = re.compile(r"```text\n" + re.escape(head) + r".*?```", re.S)
        assert len(pattern.findall(text)) == 1, f"README has no single block for {head!r}"
        text = pattern.sub(lambda _, b=block: f"```text\n{b}```", text)
    return re.sub(
        r"(<!-- assumptions:start -->\n).*?(\n<!-- assumptions:end -->)",
        lambda m: m.group(1) + assumptions_table() + m.group(2),
        text,
        flags=re.S,
    )


def main() -> None:
    """Regenerate the README's generated blocks in place."""
    README.write_text(refresh_readme(_readme()), "utf-8")


if __name__ == "__main__":
    main()
