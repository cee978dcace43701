"""What the PDF may fetch: the report's own asset folder and its ``data:`` charts, nothing else.

:class:`AssetFetcher` is handed to WeasyPrint for every PDF. It serves the report's own asset
folder and ``data:`` images (the charts) and refuses everything else: no network, no ``file:``
outside that folder. Refusals are recorded on the fetcher (and WeasyPrint logs them on the
``weasyprint`` logger). Importing this module loads WeasyPrint, so only the PDF path imports it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from evaluator.report.html import report_css_path

DATA_MEDIA_TYPES = ("image/svg+xml", "image/png")
"""``data:`` URLs the fetcher serves (the report's own charts)."""


class AssetFetcher(URLFetcher):
    """Serve only the report's asset folder and ``data:`` images; refuse and record the rest."""

    def __init__(self, root: Path | None = None) -> None:
        """Serve files under ``root`` (by default the report's asset folder)."""
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
        path = Path(url2pathname(parts.path)).resolve()  # (which decodes %-escapes, once)
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
