"""Renderers: format an Evaluation as HTML, PDF, JSON or CSV, computing nothing.

``RENDERERS[name].render(evaluation, fileobj)`` writes one format; each renderer also tells
``binary``, ``media_type`` and ``extension``. The command line (``--format``), the web
downloads and the batch runner use this one registry. ``evaluation`` is an
``evaluator.evaluation.Evaluation`` or its published dictionary (``Evaluation.to_dict()``).

Importing this package loads neither WeasyPrint nor matplotlib: the PDF renderer and the charts
import them when they first draw, so the JSON and CSV paths start without them. A long-running
server calls :func:`preload` to load them before its first request.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import IO, Any, Protocol

from evaluator.report.csv import CsvRenderer
from evaluator.report.html import HtmlRenderer, render_html_fragment, report_css
from evaluator.report.json import JsonRenderer
from evaluator.report.pdf import PdfRenderer


class Renderer(Protocol):
    """What every renderer offers."""

    name: str
    binary: bool
    media_type: str
    extension: str

    def render(self, evaluation: Any, fileobj: IO[Any]) -> None:
        """Write the evaluation in this format (binary streams get UTF-8 for text formats)."""


RENDERERS: Mapping[str, Renderer] = MappingProxyType(
    {
        "json": JsonRenderer(),
        "html": HtmlRenderer(),
        "pdf": PdfRenderer(),
        "csv": CsvRenderer(),
    }
)
"""Format name -> renderer: the one list of report formats (``--format``, the web downloads
and the API's ``format`` read it), in the order they are offered."""


def preload() -> None:
    """Import what the charts and the PDF renderer load on first use (matplotlib, WeasyPrint)."""
    import evaluator.report.charts
    import evaluator.report.fetcher  # noqa: F401


__all__ = ["RENDERERS", "Renderer", "preload", "render_html_fragment", "report_css"]
