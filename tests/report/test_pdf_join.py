"""The PDF joined from its parts: the report's pages, a kept appendix, and page furniture.

The appendix (assumptions, methodology, sources) is laid out once per process for plans that
show the same one; every page still carries the right running header and "Page N of M", page
1's "see page N" names the right pages, links cross the parts, and a kept appendix gives the
same bytes as a new one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from evaluator.evaluation import Evaluation
from evaluator.report import charts
from evaluator.report import pdf as pdf_module
from evaluator.report.html import page_rules, render_paper, report_css
from evaluator.report.pdf import PdfRenderer
from evaluator.report.view import evaluation_dict
from tests.report.helpers import flat, pdftotext, render


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [flat(pdftotext(pdf, tmp_path, n, n)) for n in range(1, count + 1)]


def test_every_page_has_its_number_and_the_running_header(
    pdf_bytes: bytes, evaluation: Evaluation, tmp_path: Path
) -> None:
    pages = _pages(pdf_bytes, tmp_path)
    company = evaluation.to_dict()["plan"]["company"]["name"]
    assert len(pages) > 8
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text, number
        if number > 1:
            assert company in text, number
            assert "Due-diligence report" in text, number
    # The appendix follows the report's pages: its sections come after the disclaimer.
    first = {title: next(n for n, text in enumerate(pages, start=1) if title in text)
             for title in ("Disclaimer: what this report cannot know", "Assumptions Every figure",
                           "What each indicator measures and how much it counts",
                           "Primary document:")}
    assert first["Disclaimer: what this report cannot know"] < first["Assumptions Every figure"]
    assert (first["Assumptions Every figure"]
            < first["What each indicator measures and how much it counts"]
            < first["Primary document:"])


def test_page_one_names_the_pages_of_both_its_references(
    pdf_bytes: bytes, tmp_path: Path
) -> None:
    pages = _pages(pdf_bytes, tmp_path)
    refs = dict(re.findall(r"(all questions to ask|what this report cannot know) \(page (\d+)\)",
                           pages[0]))
    assert set(refs) == {"all questions to ask", "what this report cannot know"}
    assert "All questions to ask" in pages[int(refs["all questions to ask"]) - 1]
    assert "Disclaimer: what this report cannot know" in pages[
        int(refs["what this report cannot know"]) - 1]


def test_links_and_bookmarks_cross_the_parts(pdf_bytes: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    destinations = reader.named_destinations
    page_count = len(reader.pages)
    for anchor in ("h-method", "h-sources", "h-assumptions", "h-disclaimer", "cite-koscot"):
        assert anchor in destinations, anchor
    method_page = reader.get_destination_page_number(destinations["h-method"])
    disclaimer_page = reader.get_destination_page_number(destinations["h-disclaimer"])
    assert disclaimer_page < method_page < page_count
    titles: list[str] = []
    stack = list(reader.outline)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            titles.append(item.title)
    assert "Methodology" in titles
    assert "Sources" in titles


def test_a_kept_appendix_gives_the_same_bytes_and_is_shared(
    evaluation_of: Callable[[str], Evaluation], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = evaluation_of("recruiting_fee_plan"), evaluation_of("autoship_unilevel_wellness")
    assert render_paper(one)[1] == render_paper(two)[1]  # the same appendix text
    monkeypatch.setattr(pdf_module, "_appendices", type(pdf_module._appendices)())
    fresh = {"one": render("pdf", one), "two": render("pdf", two)}
    kept = pdf_module.cached_appendices()
    assert kept in (1, 2)  # one layout per blank the two plans' last pages need
    assert render("pdf", two) == fresh["two"]
    assert render("pdf", one) == fresh["one"]
    assert pdf_module.cached_appendices() == kept  # both served by the kept layouts
    # Without joining (every last page counted full) the two plans share one layout.
    monkeypatch.setattr(pdf_module, "_appendices", type(pdf_module._appendices)())
    monkeypatch.setattr(pdf_module, "JOIN_BELOW", 0.0)
    render("pdf", two)
    assert pdf_module.cached_appendices() == 1
    render("pdf", one)
    assert pdf_module.cached_appendices() == 1  # one's appendix was the one kept


def test_the_appendix_cache_is_bounded(
    evaluation: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_module, "_appendices", type(pdf_module._appendices)())
    monkeypatch.setattr(pdf_module, "APPENDIX_CACHE_SIZE", 1)
    ev = evaluation_dict(evaluation)
    pages = render_paper(ev)
    renderer = PdfRenderer()
    from evaluator.report.fetcher import AssetFetcher

    a4 = renderer._appendix(pages[1], "A4", AssetFetcher())
    letter = renderer._appendix(pages[1], "Letter", AssetFetcher())
    assert pdf_module.cached_appendices() == 1
    assert renderer._appendix(pages[1], "Letter", AssetFetcher()) is letter
    assert renderer._appendix(pages[1], "A4", AssetFetcher()) is not a4  # evicted, laid out again
    assert pdf_module.cached_appendices() == 1


def test_the_furniture_takes_the_page_rules_alone() -> None:
    rules = page_rules(report_css())
    assert rules.startswith("@page {")
    assert "counter(pages)" in rules
    assert "@page :first" in rules
    assert ".report" not in rules
    assert "@media" not in rules
    assert page_rules("a { b: c } @page { @top-left { content: 'x' } } @media print { p {} }") == (
        "@page { @top-left { content: 'x' } }")


def test_charts_are_drawn_once_and_kept_within_their_bound(
    evaluation_of: Callable[[str], Evaluation], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "_drawn", type(charts._drawn)())
    monkeypatch.setattr(charts, "_drawn_bytes", 0)
    calls: list[str] = []
    real = charts.income_distribution

    def counting(ev: object) -> charts.Chart | None:
        calls.append("drawn")
        return real(ev)  # type: ignore[arg-type]

    counting.__name__ = real.__name__
    ev = evaluation_dict(evaluation_of("recruiting_fee_plan"))
    first = charts.render_charts(ev, (counting,))
    assert charts.render_charts(ev, (counting,)) == first
    assert calls == ["drawn"]
    size = len(first[0].svg.encode("utf-8"))
    assert charts.drawn_charts() == (1, size)
    monkeypatch.setattr(charts, "DRAWN_BYTES", size + size // 2)
    other = evaluation_dict(evaluation_of("autoship_unilevel_wellness"))
    charts.render_charts(other, (counting,))
    assert charts.drawn_charts()[0] == 1
    assert charts.drawn_charts()[1] <= size + size // 2
    charts.render_charts(ev, (counting,))
    assert calls == ["drawn"] * 3  # the first was dropped for the second, so drawn again


def test_a_summary_too_long_for_page_one_shows_fewer_questions(evaluation: Evaluation) -> None:
    from evaluator.report.fetcher import AssetFetcher

    ev = evaluation_dict(evaluation)
    renderer = PdfRenderer()
    # The premise: with three questions this sample's summary runs over page 1 (its findings
    # are long); if it ever fits, this test needs a longer summary.
    three = renderer._render(render_paper(ev, 3)[0], pdf_module.page_size_for(ev), AssetFetcher())
    assert pdf_module.PAGE1_END not in three.pages[0].anchors
    layout = renderer.lay_out(ev, render_paper(ev), AssetFetcher())
    assert pdf_module.PAGE1_END in layout.document.pages[0].anchors
    total = len(ev["questions"])
    assert f"{total - 2} more in" in layout.pages[0]  # two questions on page 1, not three
    assert layout.pages[0] == render_paper(ev, 2)[0]


def test_a_summary_that_runs_over_lays_out_page_one_again_not_the_report(
    evaluation: Evaluation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from evaluator.report.fetcher import AssetFetcher

    ev = evaluation_dict(evaluation)
    laid: list[str] = []
    render_page = PdfRenderer._render

    def counting(page: str, page_size: str, fetcher: AssetFetcher):  # type: ignore[no-untyped-def]
        laid.append("appendix" if "<title>Appendix" in page else "furniture"
                    if "<title>Page furniture" in page else "page 1" if "break-before: page;"
                    " height: 1px" in page and "h-outcomes" not in page else "report")
        return render_page(page, page_size, fetcher)

    monkeypatch.setattr(PdfRenderer, "_render", staticmethod(counting))
    pdf = PdfRenderer().render_bytes(evaluation)
    # This sample's summary runs over page 1 with three questions (the test above): the report
    # is laid out once, page 1 again alone with two.
    assert laid.count("report") == 1, laid
    assert laid.count("page 1") == 1, laid
    pages = _pages(pdf, tmp_path)
    assert f"{len(ev['questions']) - 2} more in all questions to ask" in pages[0]
    refs = dict(re.findall(r"(all questions to ask|what this report cannot know) \(page (\d+)\)",
                           pages[0]))
    assert "All questions to ask" in pages[int(refs["all questions to ask"]) - 1]
    assert "Disclaimer: what this report cannot know" in pages[
        int(refs["what this report cannot know"]) - 1]
    assert pages[1].count("What to do next") == 1  # the report's page 2 follows page 1


def test_a_short_last_page_takes_the_appendix_beginning(
    evaluation_of: Callable[[str], Evaluation], tmp_path: Path
) -> None:
    from evaluator.report.fetcher import AssetFetcher

    evaluation = evaluation_of("ad_package_plan")
    ev = evaluation_dict(evaluation)
    renderer = PdfRenderer()
    pages = render_paper(ev)
    alone = renderer._render(pages[0], pdf_module.page_size_for(ev), AssetFetcher())
    # The premise: the report's own last page is nearly empty (the tail of Reproducibility).
    assert pdf_module._fullness(alone.pages[-1]) < 0.3
    layout = renderer.lay_out(ev, pages, AssetFetcher())
    joined = layout.document.pages
    appendix = len(layout.appendix.document.pages)
    assert len(joined) == len(alone.pages) + appendix - 1  # one page fewer: the two share one
    last = len(alone.pages) - 1
    assert "h-assumptions" in joined[last].anchors  # the appendix begins on the report's last
    assert pdf_module._fullness(joined[last]) >= pdf_module.JOIN_BELOW
    pdf = renderer.write(layout, ev, AssetFetcher())
    text = _pages(pdf, tmp_path)
    assert "Where the plan's figures were read" in text[last]
    assert "Assumptions Every figure" in text[last]
    assert text[last].index("Where the plan's figures were read") < text[last].index(
        "Assumptions Every figure")
    for number, page in enumerate(text, start=1):
        assert f"Page {number} of {len(text)}" in page
    # The kept layout (the appendix below a blank) is not moved: a second PDF is the same.
    again = renderer.write(renderer.lay_out(ev, pages, AssetFetcher()), ev, AssetFetcher())
    assert again == pdf
