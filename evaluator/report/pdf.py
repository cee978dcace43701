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

The PDF is laid out in three parts and joined page by page (WeasyPrint 70's ``Document.pages``
and ``Document.copy``). The report's page without its reference sections comes first (page 1,
the five-minute read, through the disclaimer, so every "see page N" on page 1 points inside it
and WeasyPrint numbers it). The appendix page (assumptions, methodology, sources) follows; a
process keeps its last :data:`APPENDIX_CACHE_SIZE` appendix layouts, keyed by the appendix
page's text and the paper size, so plans whose appendix reads the same (the same rubric,
assumptions and currency) lay it out once. Last, a page of as many empty pages as the two
together (:func:`~evaluator.report.html.render_furniture`) gives every page its running header
and its "Page N of M": each joined page is a part's page with its margin boxes swapped for the
furniture's. Internal links, bookmarks and tags are gathered again from the joined pages, so
they cross the parts. A cached appendix gives the same bytes as a new one.

WeasyPrint is imported when a PDF is first rendered, not with this module, so the registry and
the JSON and CSV paths start without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, cast

from evaluator.report import view
from evaluator.report.html import PAGE1_QUESTIONS, render_furniture, render_paper

if TYPE_CHECKING:
    from weasyprint.document import Document, Page

    from evaluator.report.fetcher import AssetFetcher

PAGE_SIZES = ("A4", "Letter")
LETTER_CURRENCIES = ("USD", "CAD")
"""Currencies of the countries that print on US Letter; every other plan gets A4."""

ATTACHMENT_NAME = "plan.json"

PAGE1_END = "page1-end"
"""The anchor on the last element of the report's summary (its last question, or the note
that more follow: templates/report/_body.html.j2)."""

APPENDIX_CACHE_SIZE = 4
"""Appendix layouts a process keeps (the tool's choice: both paper sizes of the bundled rubric at
the web's defaults, and two more). One holds the appendix's boxes and text layouts: about 5 MB
of Python objects for the bundled rubric (``benchmarks/report.py --appendix-memory``)."""


@dataclass
class Appendix:
    """One laid-out appendix, and the lock held while its pages are painted into a PDF.

    Its boxes and text layouts are shared by every PDF that joins them.
    """

    document: Document
    lock: threading.Lock = field(default_factory=threading.Lock)


_appendices: OrderedDict[str, Appendix] = OrderedDict()
_appendices_lock = threading.Lock()


def appendix_key(page: str, page_size: str) -> str:
    """The cache key of an appendix layout: its page's text and the paper size."""
    return hashlib.sha256(f"{page_size}\n{page}".encode()).hexdigest()


def cached_appendices() -> int:
    """How many appendix layouts this process keeps now."""
    with _appendices_lock:
        return len(_appendices)


def clear_appendices() -> None:
    """Forget every kept appendix layout."""
    with _appendices_lock:
        _appendices.clear()


@dataclass
class Layout:
    """The joined document, and the appendix whose pages it shares."""

    document: Document
    appendix: Appendix
    pages: tuple[str, str]
    """The HTML the report and the appendix were laid out from."""


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
        pages = render_paper(ev)
        return self.write(self.lay_out(ev, pages, fetcher), ev, fetcher)

    def lay_out(
        self, ev: Mapping[str, Any], pages: Sequence[str], fetcher: AssetFetcher
    ) -> Layout:
        """The joined layout of ``pages`` on this renderer's paper, with its furniture.

        ``pages`` are :func:`~evaluator.report.html.render_paper` of ``ev``: the report and its
        appendix. Page 1 holds the whole summary: when it runs over, the summary shows fewer
        questions (down to one) and the report is laid out again.
        """
        page_size = self.page_size or page_size_for(ev)
        report = self._render(pages[0], page_size, fetcher)
        shown = PAGE1_QUESTIONS
        while not _summary_fits(report) and shown > 1:
            # The summary ran over page 1 (long findings): one question fewer on it.
            shown -= 1
            pages = render_paper(ev, page1_questions=shown)
            report = self._render(pages[0], page_size, fetcher)
        appendix = self._appendix(pages[1], page_size, fetcher)
        parts = [*report.pages, *appendix.document.pages]
        furniture = self._render(render_furniture(ev, len(parts)), page_size, fetcher)
        if len(furniture.pages) != len(parts):  # (the furniture is one empty page per page)
            raise RuntimeError("the PDF's page furniture does not match its pages")
        joined = [_furnished(part, frame) for part, frame in zip(parts, furniture.pages,
                                                                 strict=True)]
        return Layout(report.copy(joined), appendix, (pages[0], pages[1]))

    @staticmethod
    def _render(page: str, page_size: str, fetcher: AssetFetcher) -> Document:
        """WeasyPrint's layout of one page of HTML on ``page_size`` paper."""
        import weasyprint

        document = weasyprint.HTML(string=page, base_url=fetcher.base_url, url_fetcher=fetcher)
        size = weasyprint.CSS(
            string=f"@page {{ size: {page_size} !important; }}", url_fetcher=fetcher
        )
        return document.render(stylesheets=[size])

    def _appendix(self, page: str, page_size: str, fetcher: AssetFetcher) -> Appendix:
        """The appendix laid out on ``page_size`` paper: kept, or laid out now and kept."""
        key = appendix_key(page, page_size)
        with _appendices_lock:
            kept = _appendices.get(key)
            if kept is not None:
                _appendices.move_to_end(key)
                return kept
        appendix = Appendix(self._render(page, page_size, fetcher))
        with _appendices_lock:
            appendix = _appendices.setdefault(key, appendix)
            _appendices.move_to_end(key)
            while len(_appendices) > APPENDIX_CACHE_SIZE:
                _appendices.popitem(last=False)
        return appendix

    def write(self, layout: Layout, ev: Mapping[str, Any], fetcher: AssetFetcher) -> bytes:
        """The laid-out document as PDF bytes, tagged, with ``plan.json`` attached.

        Its identifier is hashed from the HTML laid out.
        """
        import weasyprint

        stamp = dt.datetime.combine(view.report_date(), dt.time(), tzinfo=dt.UTC)
        attachment = weasyprint.Attachment(
            string=plan_attachment(ev), url_fetcher=fetcher, name=ATTACHMENT_NAME,
            description="The plan as evaluated (normalised plan JSON)",
            created=stamp, modified=stamp, relationship="Source",
        )
        digest = hashlib.sha256()
        for page in layout.pages:
            digest.update(page.encode("utf-8"))
        identifier = digest.hexdigest()[:32].encode("ascii")
        with layout.appendix.lock:
            pdf = layout.document.write_pdf(
                pdf_identifier=identifier, pdf_tags=True, attachments=[attachment],
            )
        return cast(bytes, pdf)


def _summary_fits(report: Document) -> bool:
    """Whether the summary's last element starts on page 1 (True for a summary without one)."""
    on = [n for n, page in enumerate(report.pages) if PAGE1_END in page.anchors]
    return not on or on[0] == 0


def _furnished(part: Page, frame: Page) -> Page:
    """``part``'s page with the margin boxes (running header, page footer) of ``frame``."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox

    box = part._page_box  # (WeasyPrint 70: the laid-out page box, margin boxes among its children)
    content = [child for child in box.children if not isinstance(child, MarginBox)]
    margins = [child for child in frame._page_box.children if isinstance(child, MarginBox)]
    return Page(box.copy_with_children(tuple(content + margins)))
