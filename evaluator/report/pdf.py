"""The PDF report: the HTML report's page laid out by WeasyPrint with the print rules.

Resources are fetched only through :class:`AssetFetcher`, which serves the report's own asset
folder and ``data:`` images (the charts) and refuses everything else: no network, no ``file:``
outside that folder. Refusals are recorded on the fetcher (and WeasyPrint logs them on the
``weasyprint`` logger). The PDF's title comes from the page, its generator names the engine
version, its identifier is derived from the page, and its dates are the Evaluation's own (none
is taken from the clock), so the same Evaluation always gives the same bytes. The PDF is tagged
(headings, tables, figures with their alternative text) for screen readers.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from evaluator.report.html import render_page, report_css_path

DATA_MEDIA_TYPES = ("image/svg+xml", "image/png")
"""``data:`` URLs the fetcher serves (the report's own charts)."""
PAGE_SIZES = ("A4", "Letter")


class AssetFetcher(URLFetcher):
    """Serve only the report's asset folder and ``data:`` images; refuse and record the rest."""

    def __init__(self, root: Path | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = (root or report_css_path().parent).resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        """Base URL for the page: relative addresses resolve inside the asset folder."""
        return self.root.as_uri() + "/"

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The asset at ``url``; ``ValueError`` (logged by WeasyPrint) when refused."""
        scheme = url.partition(":")[0].lower()
        if scheme == "data" and url[5:].lower().startswith(DATA_MEDIA_TYPES):
            self.served.append(url[:40])
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._local_path(url)
            if path is not None:
                self.served.append(url)
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
        self.refused.append(url)
        raise ValueError(f"the report fetches only its own assets; refused {url[:200]}")


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
        fetcher = fetcher or AssetFetcher()
        page = render_page(evaluation)
        document = weasyprint.HTML(string=page, base_url=fetcher.base_url, url_fetcher=fetcher)
        size = weasyprint.CSS(
            string=f"@page {{ size: {self.page_size} !important; }}", url_fetcher=fetcher
        )
        identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
        pdf = document.write_pdf(stylesheets=[size], pdf_identifier=identifier, pdf_tags=True)
        return cast(bytes, pdf)
