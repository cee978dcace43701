"""Rubric files: both bundled rubrics load; broken files are refused naming file and path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evaluator.cli import cli
from evaluator.resources import data_dir
from evaluator.rubric import MAX_RUBRIC_BYTES, Rubric, RubricFileError, load_rubric

DEFAULT_FILE = data_dir("rubrics") / "pyramid-risk.yaml"


def test_default_rubric_labels_are_the_contract(default_rubric: Rubric) -> None:
    assert default_rubric.id == "pyramid-risk"
    assert [v.label for v in default_rubric.verdicts] == [
        "Lower risk", "Significant risk", "High risk",
    ]
    assert load_rubric(DEFAULT_FILE) == default_rubric


def test_advocacy_rubric_is_labelled_as_advocacy(advocacy_rubric: Rubric) -> None:
    assert "advocacy" in advocacy_rubric.title.lower()
    assert "advocacy" in advocacy_rubric.description.lower()
    for entry in advocacy_rubric.indicators:
        assert "advocacy" in entry.why.lower(), entry.id


@pytest.mark.parametrize("path", sorted(data_dir("rubrics").glob("*.yaml")), ids=lambda p: p.name)
def test_cli_rubric_check_accepts_bundled(path: Path) -> None:
    result = CliRunner().invoke(cli, ["rubric", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{path}: valid rubric ")


def _default_doc() -> dict:
    return yaml.safe_load(DEFAULT_FILE.read_text("utf-8"))


def _break(doc: dict, how: str) -> None:
    first = doc["indicators"][0]
    if how == "missing_weight":
        del first["weight"]
    elif how == "bad_level":
        first["bands"][0]["level"] = "severe"
    elif how == "unresolved_cite":
        doc["indicators"][2]["cite"] = ["koscot", "nowhere_v_nobody"]
    elif how == "bands_descend":
        first["bands"][1]["max"] = 0.1
    elif how == "no_catch_all":
        first["bands"][-1]["max"] = 1.0
    elif how == "unknown_indicator":
        doc["indicators"][3]["id"] = "moon_phase"
    elif how == "duplicate_indicator":
        doc["indicators"][1]["id"] = doc["indicators"][0]["id"]
    elif how == "override_unknown_verdict":
        doc["overrides"][0]["verdict"] = "Scam"
    elif how == "unknown_field":
        first["threshold"] = 3
    elif how == "version_not_text":
        doc["version"] = 2026.1
    elif how == "citation_without_year":
        del doc["citations"]["koscot"]["year"]
    elif how == "unknown_handling":
        first["unknown"] = "zero"
    elif how == "negative_weight":
        first["weight"] = -1


BROKEN = {
    "missing_weight": ("indicators[0].weight", "is required but missing"),
    "bad_level": ("indicators[0].bands[0].level", "'severe' is not one of low, elevated, high"),
    "unresolved_cite": ("indicators[2].cite[1]", "'nowhere_v_nobody' is not a key of this"),
    "bands_descend": ("indicators[0].bands[1].max", "0.1 is not above the previous band's max"),
    "no_catch_all": ("indicators[0].bands[2]", "the last band must have no max"),
    "unknown_indicator": ("indicators[3].id", "'moon_phase' is not an indicator the tool"),
    "duplicate_indicator": ("indicators[1].id", "already appears at indicators[0]"),
    "override_unknown_verdict": ("overrides[0].verdict", "'Scam' is not one of this rubric's"),
    "unknown_field": ("indicators[0].threshold", "is not a field of the rubric format"),
    "version_not_text": ("version", "2026.1 is not text"),
    "citation_without_year": ("citations.koscot.year", "is required but missing"),
    "unknown_handling": ("indicators[0].unknown", "'zero' is not one of skip, low"),
    # a plan's "amounts cannot be negative" wording is the plan's own
    "negative_weight": ("indicators[0].weight", "-1 is less than the minimum of 0"),
}


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_broken_rubric_refused_naming_file_and_path(tmp_path: Path, how: str) -> None:
    doc = _default_doc()
    _break(doc, how)
    path = tmp_path / f"{how}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    with pytest.raises(RubricFileError) as info:
        load_rubric(path)
    where, what = BROKEN[how]
    assert info.value.source == str(path)
    assert any(e.path == where and what in e.message for e in info.value.errors), [
        str(e) for e in info.value.errors
    ]
    assert f"{path}: {where}: " in str(info.value)

    result = CliRunner().invoke(cli, ["rubric", "check", str(path)])
    assert result.exit_code == 2
    assert f"{path}: {where}: " in result.stderr


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    doc = _default_doc()
    _break(doc, "missing_weight")
    _break(doc, "bad_level")
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    with pytest.raises(RubricFileError) as info:
        load_rubric(path)
    assert [e.path for e in info.value.errors] == [
        "indicators[0].bands[0].level", "indicators[0].weight",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("", "must be a YAML mapping"),
        ("a: &x [1]\nb: *x\n", "aliases"),
    ],
    ids=["syntax", "list", "empty", "alias"],
)
def test_unreadable_rubric_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RubricFileError) as info:
        load_rubric(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}: ")


def test_oversize_rubric_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * MAX_RUBRIC_BYTES + "\n", "utf-8")
    with pytest.raises(RubricFileError, match="the limit is"):
        load_rubric(path)


def test_missing_rubric_file(tmp_path: Path) -> None:
    with pytest.raises(RubricFileError, match="cannot be read"):
        load_rubric(tmp_path / "absent.yaml")
