"""Renderers: format an Evaluation as HTML, PDF, JSON or CSV, computing nothing.

``RENDERERS[name].render(evaluation, fileobj)`` writes one format; each renderer also tells
``binary``, ``media_type`` and ``extension``. The command line (``--format``), the web
downloads and the batch runner use this one registry. ``evaluation`` is an
``evaluator.evaluation.Evaluation`` or its published dictionary (``Evaluation.to_dict()``).
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
        "html": HtmlRenderer(),
        "pdf": PdfRenderer(),
        "json": JsonRenderer(),
        "csv": CsvRenderer(),
    }
)
"""Format name -> renderer."""

__all__ = ["RENDERERS", "Renderer", "render_html_fragment", "report_css"]
