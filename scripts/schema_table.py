"""Write the README's plan-schema tables from evaluator/plan_schema.json, their one source.

Run ``.venv/bin/python scripts/schema_table.py`` from the repository root after changing the
schema: it rewrites what stands between the ``plan-schema`` markers in README.md. Each field's
type and default are read from its JSON Schema keywords and its meaning is its
``description`` (a ``(null: ...)`` aside there names what ``null`` means, shown as the default).
tests/foundation/test_docs.py fails when README.md and the schema differ.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluator.schema import NULL_ASIDE, component_branches, meaning, plan_schema  # noqa: E402

README = ROOT / "README.md"
START, END = "<!-- plan-schema:start -->", "<!-- plan-schema:end -->"
COMPONENTS = "compensation.components"


def _kinds(node: Mapping[str, Any]) -> list[str]:
    kinds = node.get("type", [])
    return [k for k in ([kinds] if isinstance(kinds, str) else kinds) if k != "null"]


def type_words(node: Mapping[str, Any]) -> str:
    """A field's type in words: text, number, fraction, true/false, list, object..."""
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " or ".join(f"`{v if isinstance(v, str) else json.dumps(v)}`"
                           for v in node["enum"] if v is not None)
    kinds = _kinds(node)
    kind = kinds[0] if kinds else ""
    if kind == "number" and node.get("minimum") == 0 and node.get("maximum") == 1:
        return "fraction"
    if kind == "number" and node.get("exclusiveMinimum") == 0:
        return "number, more than 0"
    if kind == "array":
        items = node.get("items", {})
        inner = type_words(items) if _kinds(items) != ["object"] else ""
        words = f"list of {'text' if inner == 'text' else inner + 's'}" if inner else "list"
        return words + (", at least one" if node.get("minItems", 0) >= 1 else "")
    return {"string": "text", "integer": "whole number", "boolean": "true/false"}.get(kind, kind)


def default_words(node: Mapping[str, Any], required: bool) -> str:
    """What an absent field means: required, its ``default``, or what its ``null`` means."""
    if required:
        return "required"
    aside = NULL_ASIDE.search(str(node.get("description", "")))
    if aside:
        return aside.group(1)
    if "default" not in node:
        return "unknown" if "null" in node.get("type", []) else "none"
    value = node["default"]
    if value is None:
        return "unknown"
    if value == []:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{json.dumps(value)}`" if isinstance(value, str) else json.dumps(value)


def _rows(node: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Mapping[str, Any], bool]]:
    required = set(node.get("required", ()))
    for name, child in (node.get("properties") or {}).items():
        here = f"{path}.{name}" if path else name
        yield here, child, name in required
        if here == COMPONENTS:
            continue
        items = child.get("items") or {}
        if items.get("properties"):
            yield from _rows(items, f"{here}[]")
        elif child.get("properties"):
            yield from _rows(child, here)


def fields_table() -> str:
    """Every plan field but a component's own: field, type, default, meaning."""
    lines = ["| Field | Type | Default | Meaning |", "|---|---|---|---|"]
    lines += [f"| `{path}` | {type_words(node)} | {default_words(node, required)} | "
              f"{meaning(node)} |" for path, node, required in _rows(plan_schema())]
    return "\n".join(lines)


def components_table() -> str:
    """Each component type: what it pays, and its fields with type, default and meaning."""
    lines = ["| `type` | Pays | Fields |", "|---|---|---|"]
    for kind, branch in component_branches().items():
        required = set(branch.get("required", ()))
        fields = [
            f"`{COMPONENTS}[].{name}` ({type_words(node)}, "
            f"{default_words(node, name in required)}): {meaning(node)}"
            for name, node in branch["properties"].items() if name != "type"
        ]
        lines.append(f"| `{kind}` | {meaning(branch)} | {'<br>'.join(fields) or 'none'} |")
    return "\n".join(lines)


def schema_block() -> str:
    """What stands between the README's plan-schema markers."""
    return (
        f"{fields_table()}\n\n"
        f"Components (`{COMPONENTS}[]`), each chosen by its `type`, take only their own fields:\n\n"
        f"{components_table()}"
    )


def refresh(text: str) -> str:
    """``text`` with the block between the plan-schema markers regenerated."""
    pattern = re.compile(re.escape(START) + r"\n(?:.*?\n)?" + re.escape(END), re.S)
    if len(pattern.findall(text)) != 1:
        raise SystemExit(f"README.md lacks one {START} ... {END} pair of markers")
    return pattern.sub(lambda _: f"{START}\n{schema_block()}\n{END}", text)


def current(text: str) -> str | None:
    """The block now between the plan-schema markers of ``text`` (None without markers)."""
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else None


def main() -> None:
    """Rewrite the README's plan-schema tables in place."""
    README.write_text(refresh(README.read_text("utf-8")), "utf-8")


if __name__ == "__main__":
    main()
