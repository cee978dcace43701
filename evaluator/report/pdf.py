"""The PDF report: the HTML report's page laid out by WeasyPrint with the print rules.

Resources are fetched only through :class:`~evaluator.report.fetcher.AssetFetcher` (the
report's own assets and ``data:`` charts; see that module). The PDF's title comes from the page,
its generator names the engine version and its identifier is derived from the page. The paper is
US Letter for plans in US or Canadian dollars and A4 otherwise, unless a size is chosen. The
plan as evaluated (``plan.json``, the normalised plan) is embedded as an attachment; its file
dates are the report's date (:func:`~evaluator.report.view.report_date`), the only date in the
file, so the same Evaluation on the same day (or with the same ``SOURCE_DATE_EPOCH``) gives the
same bytes. The PDF is tagged (headings, tables, figures with their alternative text) for
screen readers.

WeasyPrint is imported when a PDF is first rendered, not with this module, so the registry and
the JSON and CSV paths start without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from evaluator.report import view
from evaluator.report.html import render_page

if TYPE_CHECKING:
    from weasyprint.document import Document

    from evaluator.report.fetcher import AssetFetcher

PAGE_SIZES = ("A4", "Letter")
LETTER_CURRENCIES = ("USD", "CAD")
"""Currencies of the countries that print on US Letter; every other plan gets A4."""

ATTACHMENT_NAME = "plan.json"


def page_size_for(ev: Mapping[str, Any]) -> str:
    """``Letter`` for a plan in US or Canadian dollars, ``A4`` otherwise."""
    currency = str((ev.get("economics") or {}).get("currency") or "").upper()
    return "Letter" if currency in LETTER_CURRENCIES else "A4"


def plan_attachment(ev: Mapping[str, Any]) -> bytes:
    """The normalised plan as evaluated, as JSON text (what ``oppeval evaluate`` reads back)."""
    text = json.dumps(ev.get("plan") or {}, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


class PdfRenderer:
    """The PDF report (US Letter for USD and CAD, A4 otherwise, unless ``page_size`` is given)."""

    name = "pdf"
    binary = True
    media_type = "application/pdf"
    extension = "pdf"

    def __init__(self, page_size: str | None = None) -> None:
        """Use ``page_size`` (one of PAGE_SIZES; ValueError otherwise), or pick it by currency."""
        if page_size is not None and page_size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}")
        self.page_size = page_size

    def render(self, evaluation: Any, fileobj: IO[bytes]) -> None:
        """Write the PDF to a binary stream."""
        fileobj.write(self.render_bytes(evaluation))

    def render_bytes(self, evaluation: Any, fetcher: AssetFetcher | None = None) -> bytes:
        """The PDF as bytes; ``fetcher`` (default: a new one) records what was fetched."""
        from evaluator.report.fetcher import AssetFetcher

        fetcher = fetcher or AssetFetcher()
        ev = view.evaluation_dict(evaluation)
        page = render_page(ev, paper=True)
        return self.write(self.lay_out(ev, page, fetcher), ev, page, fetcher)

    def lay_out(self, ev: Mapping[str, Any], page: str, fetcher: AssetFetcher) -> Document:
        """WeasyPrint's layout of ``page`` (the report page of ``ev``) on this renderer's paper."""
        import weasyprint

        document = weasyprint.HTML(string=page, base_url=fetcher.base_url, url_fetcher=fetcher)
        page_size = self.page_size or page_size_for(ev)
        size = weasyprint.CSS(
            string=f"@page {{ size: {page_size} !important; }}", url_fetcher=fetcher
        )
        return document.render(stylesheets=[size])

    def write(
        self, document: Document, ev: Mapping[str, Any], page: str, fetcher: AssetFetcher
    ) -> bytes:
        """The laid-out ``document`` as PDF bytes, tagged, with ``plan.json`` attached."""
        import weasyprint

        stamp = dt.datetime.combine(view.report_date(), dt.time(), tzinfo=dt.UTC)
        attachment = weasyprint.Attachment(
            string=plan_attachment(ev), url_fetcher=fetcher, name=ATTACHMENT_NAME,
            description="The plan as evaluated (normalised plan JSON)",
            created=stamp, modified=stamp, relationship="Source",
        )
        identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
        pdf = document.write_pdf(
            pdf_identifier=identifier, pdf_tags=True, attachments=[attachment],
        )
        return cast(bytes, pdf)
