"""The PDF: page 1 is the five-minute read, everything is in it, and it is byte-stable."""

from __future__ import annotations

import io
import json
import platform
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from evaluator import ENGINE_VERSION
from evaluator.evaluation import Evaluation
from evaluator.report import RENDERERS
from evaluator.report.pdf import ATTACHMENT_NAME, PdfRenderer, page_size_for
from evaluator.report.view import money, percent, reproduce_command
from tests.report.helpers import FAST, flat, pdftotext, render, sample_names


def pdf_text(pdf: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    return flat(pdftotext(pdf, tmp_path, first, last))


def test_page_one_holds_the_five_minute_read(
    pdf_bytes: bytes, evaluation: Evaluation, tmp_path: Path
) -> None:
    ev = evaluation.to_dict()
    econ = ev["economics"]
    cur = econ["currency"]
    page1 = pdf_text(pdf_bytes, tmp_path, 1, 1)
    assert f"Verdict: {ev['score']['verdict']}" in page1
    assert "What joining costs" in page1
    for key in ("startup_cost", "monthly_cost", "first_year_cost"):
        assert money(econ[key], cur) in page1
    assert "What it takes to break even" in page1
    assert f"{econ['break_even_customers_per_month']}" in page1
    assert "What happens to people who join now" in page1
    assert "Where the money comes from" in page1
    assert percent(ev["simulation"]["pay_sources"]["customer_sales"]) in page1
    assert "Questions to ask the recruiter" in page1
    assert ev["questions"][0] in page1
    for finding in ev["findings"]:
        assert flat(finding["text"]) in page1
    assert "Not legal or financial advice" in page1
    assert "not legal advice" in page1


def test_every_indicator_and_citation_appears(
    pdf_bytes: bytes, evaluation: Evaluation, tmp_path: Path
) -> None:
    ev = evaluation.to_dict()
    text = pdf_text(pdf_bytes, tmp_path)
    assert ev["indicators"]
    for indicator in ev["indicators"]:
        assert flat(indicator["label"]) in text, indicator["id"]
    assert ev["citations"]
    for key, citation in ev["citations"].items():
        assert flat(citation["title"]) in text, key
    for section in ("Assumptions", "Methodology", "Reproducibility", "Sources",
                    "Disclaimer: what this report cannot know"):
        assert section in text
    assert ev["input_sha256"] in text.replace(" ", "")


def test_pdf_metadata_and_page_layout(pdf_bytes: bytes, evaluation: Evaluation) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    meta = reader.metadata
    assert meta is not None
    company = evaluation.to_dict()["plan"]["company"]["name"]
    assert meta.title is not None
    assert company in meta.title
    assert meta.creator == f"Opportunity Evaluator (oppeval) {ENGINE_VERSION}"
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (612, 792)  # US Letter for a plan in US dollars
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged for screen readers
    second = reader.pages[1].extract_text()
    assert company in second  # running header
    assert f"Page 2 of {len(reader.pages)}" in second


def _paper(pdf: bytes) -> tuple[int, int]:
    width, height = (float(v) for v in PdfReader(io.BytesIO(pdf)).pages[0].mediabox[2:])
    return round(width), round(height)


def test_paper_follows_the_currency(evaluation: Evaluation) -> None:
    """US Letter for US and Canadian dollars, A4 for every other currency, unless chosen."""
    ev = evaluation.to_dict()
    for currency, paper in (("USD", (612, 792)), ("CAD", (612, 792)), ("EUR", (595, 842)),
                            ("GBP", (595, 842))):
        doc = {**ev, "economics": {**ev["economics"], "currency": currency}}
        assert page_size_for(doc) == ("Letter" if paper == (612, 792) else "A4"), currency
    euro = {**ev, "economics": {**ev["economics"], "currency": "EUR"}}
    assert _paper(PdfRenderer().render_bytes(euro)) == (595, 842)


def test_letter_size_is_available(evaluation: Evaluation) -> None:
    assert _paper(PdfRenderer("A4").render_bytes(evaluation)) == (595, 842)
    assert _paper(PdfRenderer("Letter").render_bytes(evaluation)) == (612, 792)
    with pytest.raises(ValueError, match="page size"):
        PdfRenderer("A5")


def test_same_evaluation_same_pdf(pdf_bytes: bytes, evaluation: Evaluation) -> None:
    assert render("pdf", evaluation) == pdf_bytes
    assert RENDERERS["pdf"].binary
    assert RENDERERS["pdf"].media_type == "application/pdf"


def test_page_one_image_is_not_blank(pdf_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int32)
    inked = pixels.sum(axis=2) < 600
    assert inked.mean() > 0.03  # text, boxes and the verdict badge
    saturated = (pixels.max(axis=2) - pixels.min(axis=2)) > 60
    assert saturated.sum() > 50  # the coloured verdict badge is drawn


@pytest.mark.slow
@pytest.mark.parametrize("name", sample_names())
def test_every_sample_renders_to_pdf(evaluation_of, name: str, tmp_path: Path) -> None:
    # One test per sample (30 PDFs were one test of the suite's longest): xdist can share them.
    evaluation = evaluation_of(name)
    pdf = render("pdf", evaluation)
    page1 = pdf_text(pdf, tmp_path, 1, 1)
    assert evaluation.to_dict()["score"]["verdict"] in page1, name
    assert "Not legal or financial advice" in page1, name


def test_the_pdf_has_no_dates(evaluation: Evaluation) -> None:
    """An Evaluation holds no date, and none is taken from the clock."""
    undated = PdfReader(io.BytesIO(PdfRenderer().render_bytes(evaluation.to_dict()))).metadata
    assert undated is not None
    assert "/CreationDate" not in undated
    assert "/ModDate" not in undated


def test_the_plan_is_attached_and_the_command_reproduces_it(
    pdf_bytes: bytes, evaluation: Evaluation, tmp_path: Path
) -> None:
    """An advocate can take plan.json out of the PDF and run the printed command on it."""
    ev = evaluation.to_dict()
    attached = PdfReader(io.BytesIO(pdf_bytes)).attachments
    assert list(attached) == [ATTACHMENT_NAME]
    assert json.loads(attached[ATTACHMENT_NAME][0]) == ev["plan"]
    text = pdf_text(pdf_bytes, tmp_path)
    command = reproduce_command(ev)
    assert command.startswith(f"oppeval evaluate plan.json --seed {ev['seed']} ")
    for name, value in FAST.items():
        assert f"--set {name}={value}" in command
    assert flat(command) in text
    assert f"numpy {np.__version__}" in text
    assert f"Python {platform.python_version()}" in text


def test_page_one_gives_the_page_it_points_to(pdf_bytes: bytes, tmp_path: Path) -> None:
    """Page 1's "see ..." link names the page where the disclaimer is (CSS target-counter)."""
    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
    page1 = pdf_text(pdf_bytes, tmp_path, 1, 1)
    match = re.search(r"what this report cannot know \(page (\d+)\)", page1)
    assert match is not None
    target = int(match.group(1))
    assert 1 < target <= pages
    assert "Disclaimer: what this report cannot know" in pdf_text(pdf_bytes, tmp_path, target,
                                                                  target)


def test_the_report_date_is_the_render_date_or_source_date_epoch(
    evaluation: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    first = render("pdf", evaluation)
    assert "Date of this report 2026-01-01" in pdf_text(first, tmp_path)
    assert render("pdf", evaluation) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        render("pdf", evaluation)


def test_the_pdf_page_leaves_out_the_levels_chart(evaluation: Evaluation) -> None:
    """The levels chart repeats the indicator table: the PDF's page neither draws nor holds it,
    while the HTML page keeps it."""
    from evaluator.report.html import render_page

    assert 'id="chart-levels"' in render_page(evaluation)
    paper = render_page(evaluation, paper=True)
    assert 'id="chart-levels"' not in paper
    assert 'id="chart-income"' in paper


def test_every_assumption_is_on_paper_with_its_meaning_and_source(
    pdf_bytes: bytes, evaluation: Evaluation, tmp_path: Path
) -> None:
    """The PDF's two-column assumptions table keeps every name, value, meaning and source."""
    text = pdf_text(pdf_bytes, tmp_path).replace(" ", "")
    assert evaluation.to_dict()["assumptions"]
    for name, assumption in evaluation.to_dict()["assumptions"].items():
        for part in (name, assumption["meaning"], f"Source: {assumption['source']}"):
            assert flat(part).replace(" ", "") in text, (name, part[:40])


@pytest.mark.slow
def test_page_one_keeps_its_questions_at_the_web_default_on_letter(
    evaluations_at_defaults: Mapping[str, Evaluation], tmp_path: Path
) -> None:
    """At the web's default assumptions the autoship sample's findings are long; on US Letter
    page 1 still ends with its questions (as many as fit, at least one, and the note on how many
    more), and page 2 starts the detail under its running header."""
    evaluation = evaluations_at_defaults["autoship_unilevel_wellness"]
    assert page_size_for(evaluation.to_dict()) == "Letter"
    pdf = render("pdf", evaluation)
    page1 = pdf_text(pdf, tmp_path, 1, 1)
    questions = evaluation.to_dict()["questions"]
    shown = [q for q in questions[:3] if flat(q) in page1]
    assert shown
    assert shown == questions[:len(shown)]
    assert f"{len(questions) - len(shown)} more in all questions to ask" in page1
    page2 = pdf_text(pdf, tmp_path, 2, 2)
    assert page2.lstrip().startswith("Verdalune Wellness Due-diligence report What to do next")
    assert "more in all questions to ask" not in page2
