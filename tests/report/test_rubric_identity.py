"""Which rubric scored a report: its SHA-256 and whether it is one shipped with the tool, in the
JSON, on page 1 of the HTML and PDF (beside the verdict), and in the CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaluator.evaluation import Evaluation, evaluate_document, validate_output
from evaluator.resources import data_dir
from evaluator.rubric import parse_rubric_text
from tests.report.helpers import FAST, MAIN_SAMPLE, flat, pdftotext, render, sample_doc

BUNDLED = data_dir("rubrics") / "pyramid-risk.yaml"
MARK = "scored with a rubric that is not one shipped with this tool"


def own_rubric_text() -> str:
    """The bundled rubric under another id, with every band at low."""
    text = BUNDLED.read_text("utf-8").replace("id: pyramid-risk", "id: my-own-view", 1)
    return re.sub(r"level: (elevated|high)", "level: low", text)


@pytest.fixture(scope="module")
def own_evaluation() -> Evaluation:
    """The main sample scored with a rubric of one's own."""
    rubric = parse_rubric_text(own_rubric_text(), "mine.yaml")
    return evaluate_document(sample_doc(MAIN_SAMPLE), overrides=FAST, rubric=rubric)


class _VerdictText(HTMLParser):
    """The text inside the report's verdict box."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag != "br"
        elif tag == "div" and "verdict" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data


def verdict_box(page: bytes) -> str:
    parser = _VerdictText()
    parser.feed(page.decode("utf-8"))
    return flat(parser.text)


def test_the_json_names_the_rubric_by_its_content(
        evaluation: Evaluation, own_evaluation: Evaluation) -> None:
    shipped = evaluation.to_dict()["rubric"]
    assert shipped["sha256"] == hashlib.sha256(BUNDLED.read_bytes()).hexdigest()
    assert shipped["bundled"] is True
    own = own_evaluation.to_dict()
    assert own["rubric"]["sha256"] == hashlib.sha256(own_rubric_text().encode()).hexdigest()
    assert own["rubric"]["bundled"] is False
    assert validate_output(own) == []
    assert validate_output(evaluation.to_dict()) == []
    again = evaluate_document(sample_doc(MAIN_SAMPLE), overrides=FAST,
                              rubric=parse_rubric_text(own_rubric_text(), "elsewhere.yaml"))
    assert again.to_json() == own_evaluation.to_json()


def test_every_shipped_rubric_is_bundled_and_a_changed_copy_is_not() -> None:
    for path in sorted(data_dir("rubrics").glob("*.yaml")):
        text = path.read_text("utf-8")
        assert parse_rubric_text(text, str(path)).bundled is True, path
        renamed = re.sub(r"^id: .*$", "id: renamed-copy", text, count=1, flags=re.M)
        assert parse_rubric_text(renamed, "copy.yaml").bundled is False, path


def test_the_html_marks_an_unshipped_rubric_beside_the_verdict(
        evaluation: Evaluation, own_evaluation: Evaluation) -> None:
    box = verdict_box(render("html", own_evaluation))
    assert MARK in box
    assert own_evaluation.rubric.sha256 in box
    assert MARK not in flat(render("html", evaluation).decode("utf-8"))


def test_the_pdf_marks_an_unshipped_rubric_on_page_1(
        own_evaluation: Evaluation, pdf_bytes: bytes, tmp_path: Path) -> None:
    page1 = flat(pdftotext(render("pdf", own_evaluation), tmp_path, 1, 1))
    assert MARK in page1
    digest = own_evaluation.rubric.sha256
    assert digest
    assert digest in page1.replace(" ", "")
    assert MARK not in flat(pdftotext(pdf_bytes, tmp_path))


def test_the_csv_says_which_rubric_scored_the_row(
        evaluation: Evaluation, own_evaluation: Evaluation) -> None:
    own = next(csv.DictReader(io.StringIO(render("csv", own_evaluation).decode("utf-8"))))
    assert own["rubric_sha256"] == own_evaluation.rubric.sha256
    assert own["rubric_bundled"] == "false"
    shipped = next(csv.DictReader(io.StringIO(render("csv", evaluation).decode("utf-8"))))
    assert shipped["rubric_sha256"] == hashlib.sha256(BUNDLED.read_bytes()).hexdigest()
    assert shipped["rubric_bundled"] == "true"
