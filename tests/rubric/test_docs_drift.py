"""Docs that cannot drift: indicators, rubrics, citations and assumptions agree with each other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluator.assumptions import ASSUMPTIONS
from evaluator.evaluation import Evaluation
from evaluator.indicators import INDICATORS
from evaluator.resources import data_dir
from evaluator.rubric import Rubric, load_rubric

RUBRIC_FILES = sorted(data_dir("rubrics").glob("*.yaml"))


def test_every_emitted_indicator_is_in_the_default_rubric_and_back(
    default_rubric: Rubric, sample_evaluations: dict[str, Evaluation]
) -> None:
    rubric_ids = [i.id for i in default_rubric.indicators]
    assert sorted(rubric_ids) == sorted(INDICATORS)
    for evaluation in sample_evaluations.values():
        assert [s.id for s in evaluation.indicators] == list(INDICATORS)


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.name)
def test_every_cite_resolves(path: Path) -> None:
    rubric = load_rubric(path)
    for entry in rubric.indicators:
        assert entry.cite, entry.id
        for key in entry.cite:
            citation = rubric.citations[key]
            assert citation.title
            assert 1800 < citation.year < 2100
            assert citation.url.startswith("https://")


def test_rubrics_agree_on_shared_citations() -> None:
    seen: dict[str, tuple[str, int, str]] = {}
    for path in RUBRIC_FILES:
        for key, c in load_rubric(path).citations.items():
            assert seen.setdefault(key, (c.title, c.year, c.url)) == (c.title, c.year, c.url), key


def test_every_citation_of_the_default_rubric_is_cited(default_rubric: Rubric) -> None:
    cited = {key for entry in default_rubric.indicators for key in entry.cite}
    assumption_cites = {key for a in ASSUMPTIONS for key in a.cites}
    assert set(default_rubric.citations) == cited | assumption_cites


def test_every_assumption_has_unit_meaning_source_and_resolving_cites(
    default_rubric: Rubric,
) -> None:
    for a in ASSUMPTIONS:
        assert a.unit.strip(), a.name
        assert a.meaning.strip(), a.name
        assert a.source.strip(), a.name
        assert a.label.strip(), a.name
        for key in a.cites:
            assert key in default_rubric.citations, (a.name, key)


def test_advocacy_is_cited_as_advocacy() -> None:
    for path in RUBRIC_FILES:
        rubric = load_rubric(path)
        for entry in rubric.indicators:
            if "taylor2011" in entry.cite and rubric.id == "pyramid-risk":
                assert "advocacy" in entry.why, entry.id
        if "taylor2011" in rubric.citations:
            assert rubric.citations["taylor2011"].note == "Advocacy."


def test_default_verdict_labels_appear_in_the_rubric_file() -> None:
    text = (data_dir("rubrics") / "pyramid-risk.yaml").read_text("utf-8")
    for label in ("Lower risk", "Significant risk", "High risk"):
        assert re.search(rf"label: {label}\}}", text), label


README = Path(__file__).resolve().parents[2] / "README.md"


def _bands(rubric: Rubric, ind_id: str, unit: str) -> str:
    rule = rubric.indicator(ind_id)
    assert rule is not None
    if unit == "yes/no":
        no = rule.level_for(False)
        yes = rule.level_for(True)
        text = f"no: {no}; yes: {yes}"
    else:
        parts = [f"{b.level} ≤ {b.max:g}" for b in rule.bands if b.max is not None]
        text = "; ".join([*parts, f"{rule.bands[-1].level} above"])
    unknown = "skipped" if rule.unknown == "skip" else rule.unknown
    return f"{text}; unknown: {unknown}"


def indicator_table() -> str:
    """The README's indicator table, from the registry and the default rubric."""
    rubric = load_rubric()
    rows = ["| ID | Indicator | Source | Unit | Weight | Levels (default rubric) |",
            "|---|---|---|---|---|---|"]
    for spec in INDICATORS.values():
        rule = rubric.indicator(spec.id)
        assert rule is not None
        unit = spec.unit.replace("{currency}", "money")
        rows.append(
            f"| `{spec.id}` | {spec.label} | {spec.source} | {unit} | {rule.weight:g} | "
            f"{_bands(rubric, spec.id, spec.unit)} |"
        )
    return "\n".join(rows)


def test_readme_indicator_table_is_current() -> None:
    text = README.read_text("utf-8")
    match = re.search(r"<!-- indicators:start -->\n(.*?)\n<!-- indicators:end -->", text, re.S)
    assert match, "README lacks the indicator table markers"
    assert match.group(1) == indicator_table(), "stale: run python tests/rubric/test_docs_drift.py"


if __name__ == "__main__":
    print(f"<!-- indicators:start -->\n{indicator_table()}\n<!-- indicators:end -->")
