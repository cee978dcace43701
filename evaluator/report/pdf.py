"""The PDF report: the HTML report's page laid out by WeasyPrint with the print rules.

Resources are fetched only through :class:`~evaluator.report.fetcher.AssetFetcher` (the
report's own assets and ``data:`` charts; see that module). The PDF's title comes from the page,
its generator names the engine version, its identifier is derived from the page, and it has no
dates (an Evaluation has none, and none is taken from the clock), so the same Evaluation always
gives the same bytes. The PDF is tagged (headings, tables, figures with their alternative text)
for screen readers.

WeasyPrint is imported when a PDF is first rendered, not with this module, so the registry and
the JSON and CSV paths start without it.
"""

from __future__ import annotations

import hashlib
from typing import IO, TYPE_CHECKING, Any, cast

from evaluator.report.html import render_page

if TYPE_CHECKING:
    from evaluator.report.fetcher import AssetFetcher

PAGE_SIZES = ("A4", "Letter")


class PdfRenderer:
    """The PDF report (A4 by default, or US Letter)."""

    name = "pdf"
    binary = True
    media_type = "application/pdf"
    extension = "pdf"

    def __init__(self, page_size: str = "A4") -> None:
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}")
        self.page_size = page_size

    def render(self, evaluation: Any, fileobj: IO[bytes]) -> None:
        """Write the PDF to a binary stream."""
        fileobj.write(self.render_bytes(evaluation))

    def render_bytes(self, evaluation: Any, fetcher: AssetFetcher | None = None) -> bytes:
        """The PDF as bytes; ``fetcher`` (default: a new one) records what was fetched."""
        import weasyprint

        from evaluator.report.fetcher import AssetFetcher

        fetcher = fetcher or AssetFetcher()
        page = render_page(evaluation)
        document = weasyprint.HTML(string=page, base_url=fetcher.base_url, url_fetcher=fetcher)
        size = weasyprint.CSS(
            string=f"@page {{ size: {self.page_size} !important; }}", url_fetcher=fetcher
        )
        identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
        pdf = document.write_pdf(stylesheets=[size], pdf_identifier=identifier, pdf_tags=True)
        return cast(bytes, pdf)
