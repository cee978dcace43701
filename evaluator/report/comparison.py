"""A :class:`~evaluator.compare.Comparison` as HTML, PDF, CSV or plain text, computing nothing.

``COMPARISON_RENDERERS[name].render(comparison, fileobj)`` writes one format (``html``, ``pdf``,
``csv``, ``text``), like the report's renderers. The HTML and the PDF share the templates
``report/compare.html.j2`` and ``report/_compare_body.html.j2`` with the report's style sheet
and ``report/compare.css``; :func:`render_comparison_fragment` gives the body alone for a page
with its own layout (which must then serve :func:`comparison_css`). The CSV has one row per
figure (``section, figure, key``, then one column per offer), with raw values as in the
report's CSV and every cell neutralised for spreadsheets; its last row is the summary. The
PDF takes no date from the clock, so the same comparison always gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import textwrap
from collections.abc import Mapping
from typing import IO, Any, cast

from markupsafe import Markup

from evaluator import ENGINE_VERSION
from evaluator.compare import Comparison, IndicatorRow, Row
from evaluator.report import view
from evaluator.report.csv import cell_text, neutralise, write_rows
from evaluator.report.html import environment, report_css
from evaluator.resources import data_dir

PAGE_TEMPLATE = "report/compare.html.j2"
BODY_TEMPLATE = "report/_compare_body.html.j2"


@functools.cache
def comparison_css() -> str:
    """The comparison's own style rules (the report's style sheet comes first)."""
    return (data_dir("templates") / "report" / "compare.css").read_text(encoding="utf-8")


def title(comparison: Comparison) -> str:
    """The comparison's title: the offers' names."""
    return "Compared: " + " · ".join(o.name for o in comparison.offers)


def cell(comparison: Comparison, row: Row, index: int) -> str:
    """One offer's figure in words (money in that offer's currency)."""
    value = row.values[index]
    if row.kind == "money":
        return view.money(value, comparison.offers[index].currency)
    if row.kind == "percent":
        return view.percent(value)
    if row.kind == "count":
        return view.count(value)
    if row.kind == "number":
        return view.number(value)
    return "unknown" if value is None else str(value)


def indicator_cell(comparison: Comparison, indicator: IndicatorRow, index: int) -> str:
    """One offer's value of an indicator, in words."""
    return view.indicator_value({"value": indicator.values[index], "unit": indicator.unit},
                                comparison.offers[index].currency)


def _context(comparison: Comparison, links: Mapping[str, str] | None) -> dict[str, Any]:
    return {
        "c": comparison,
        "title": title(comparison),
        "links": dict(links or {}),
        "cell": functools.partial(cell, comparison),
        "indicator_cell": functools.partial(indicator_cell, comparison),
        "generator": f"Opportunity Evaluator (oppeval) {ENGINE_VERSION}",
        "css": Markup(report_css() + "\n" + comparison_css()),
    }


def render_comparison_page(comparison: Comparison) -> str:
    """The complete standalone HTML page (its style sheet inlined)."""
    return environment().get_template(PAGE_TEMPLATE).render(_context(comparison, None))


def render_comparison_fragment(comparison: Comparison, **links: str) -> Markup:
    """The comparison body (``<article>``) for a page with its own layout; ``links`` by label."""
    return Markup(environment().get_template(BODY_TEMPLATE).render(_context(comparison, links)))


def comparison_rows(comparison: Comparison) -> tuple[list[str], list[dict[str, str]]]:
    """``(columns, rows)`` of the CSV: one row per figure and per differing indicator."""
    offers = [f"{o.letter}: {o.name}" for o in comparison.offers]
    columns = ["section", "figure", "key", *offers]
    rows = []
    for section in comparison.sections:
        for row in section.rows:
            rows.append({"section": section.title, "figure": row.label, "key": row.key,
                         **{name: cell_text(v) for name, v in zip(offers, row.values,
                                                                  strict=True)}})
    for ind in comparison.indicators:
        for part, values in (("value", ind.values), ("level", ind.levels)):
            rows.append({"section": "Indicators that differ", "figure": f"{ind.label} ({part})",
                         "key": f"indicator.{ind.id}.{part}",
                         **{name: cell_text(v) for name, v in zip(offers, values, strict=True)}})
    rows.append({"section": "Summary", "figure": comparison.summary, "key": "summary"})
    return columns, [{k: neutralise(v) for k, v in row.items()} for row in rows]


def render_comparison_text(comparison: Comparison) -> str:
    """The comparison as plain text for a terminal: the summary, then each section's table."""
    offers = [f"{o.letter}: {o.name}" for o in comparison.offers]
    lines = [title(comparison), "", *textwrap.wrap(comparison.summary, 96), ""]
    label_width = max(len(r.label) for s in comparison.sections for r in s.rows)
    width = max(14, *(len(o) for o in offers))
    for section in comparison.sections:
        lines.append(section.title)
        lines.append(f"  {'':<{label_width}}  " + "  ".join(f"{o:>{width}}" for o in offers))
        for row in section.rows:
            cells = [cell(comparison, row, i) for i in range(len(offers))]
            mark = " *" if row.differs else ""
            lines.append(f"  {row.label:<{label_width}}  "
                         + "  ".join(f"{c:>{width}}" for c in cells) + mark)
        lines.append("")
    if comparison.indicators:
        lines.append("Indicators that differ")
        for ind in comparison.indicators:
            levels = ", ".join(f"{o.letter} {view.level_word(level)}"
                               for o, level in zip(comparison.offers, ind.levels, strict=True))
            lines.append(f"  {ind.label}: {levels}")
        lines.append("")
    lines.append("* differs between the offers. Not legal advice.")
    return "\n".join(lines) + "\n"


class ComparisonRenderer:
    """One comparison format: ``render(comparison, fileobj)`` plus its media type."""

    def __init__(self, name: str, media_type: str, extension: str, binary: bool) -> None:
        """Format ``name``: ``media_type`` files ending in ``extension``; ``binary``: not text."""
        self.name = name
        self.media_type = media_type
        self.extension = extension
        self.binary = binary

    def render_bytes(self, comparison: Comparison) -> bytes:
        """The comparison in this format, as bytes (UTF-8 for text formats)."""
        if self.name == "pdf":
            return render_comparison_pdf(comparison)
        if self.name == "html":
            text = render_comparison_page(comparison)
        elif self.name == "csv":
            columns, rows = comparison_rows(comparison)
            text = write_rows(rows, columns)
        else:
            text = render_comparison_text(comparison)
        return text.encode("utf-8")

    def render(self, comparison: Comparison, fileobj: IO[bytes]) -> None:
        """Write the comparison to a binary stream."""
        fileobj.write(self.render_bytes(comparison))


def render_comparison_pdf(comparison: Comparison) -> bytes:
    """The comparison page laid out by WeasyPrint (A4), fetching only the report's own assets."""
    import weasyprint

    from evaluator.report.fetcher import AssetFetcher

    fetcher = AssetFetcher()
    page = render_comparison_page(comparison)
    document = weasyprint.HTML(string=page, base_url=fetcher.base_url, url_fetcher=fetcher)
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    return cast(bytes, document.write_pdf(pdf_identifier=identifier, pdf_tags=True))


COMPARISON_RENDERERS: Mapping[str, ComparisonRenderer] = {
    "html": ComparisonRenderer("html", "text/html; charset=utf-8", "html", False),
    "pdf": ComparisonRenderer("pdf", "application/pdf", "pdf", True),
    "csv": ComparisonRenderer("csv", "text/csv; charset=utf-8", "csv", False),
    "text": ComparisonRenderer("text", "text/plain; charset=utf-8", "txt", False),
}
"""Comparison format name -> renderer."""
