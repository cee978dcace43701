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
assumptions and currency) lay it out once. When the report's last page is under
:data:`JOIN_BELOW` full, the appendix begins on it rather than on a fresh page: the appendix is
laid out below a blank a whole number of :data:`JOIN_STEP` tall (a few kept layouts serve every
plan), and its first page's text is moved up under the report's and painted on that page. When
page 1's summary runs over it, only page 1 is laid out again, with fewer questions (the pages
after the summary's forced page break do not change). Last, a page of as many empty pages as
are joined (:func:`~evaluator.report.html.render_furniture`) gives every page its running header
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
import math
import re
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

APPENDIX_CACHE_SIZE = 8
"""Appendix layouts a process keeps (the tool's choice: for each paper size of the bundled rubric
at the web's defaults, the appendix on its own page and below each of the three blanks a short
last page of the report gets, :data:`JOIN_STEP`). One holds the appendix's boxes and text
layouts: about 5 MB of Python objects for the bundled rubric (``benchmarks/report.py
--appendix-memory``)."""


JOIN_BELOW = 0.625
"""A report's last page less full than this (of its height) gets the appendix's beginning below
its text instead of being followed by the appendix on a fresh page (the tool's choice: no page
before the appendix is more than three eighths blank)."""

JOIN_STEP = 0.25
"""The appendix joining a report's last page is laid out below a blank of a whole number of
these (of the page's height), the first that holds that page's text; its first page is then
moved up below the text. So a process lays out at most three such appendices per paper size,
whatever the plans (four kept layouts per paper size with the appendix on its own page); the price
is less than a quarter of a page blank at the foot of the joined page."""

JOIN_GAP = 19.2
"""CSS pixels between the report's last text and the appendix's heading on a joined page (the
space above a section's heading on screen, 1.6rem of the 9pt print type)."""

BLANK_CLASS = "appendix-blank"
"""The class of the blank the appendix is laid out below (:func:`_below_blank`)."""

PAGE1_RULE = "<!--/page1-->"
"""The comment that ends page 1's summary in the report's paper page (templates/report/
_body.html.j2)."""


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
        questions (down to one; :meth:`_page_one`). When the report's last page is under
        :data:`JOIN_BELOW` full, the appendix begins on it (:meth:`_joined_appendix`).
        """
        page_size = self.page_size or page_size_for(ev)
        report = self._render(pages[0], page_size, fetcher)
        report_pages = list(report.pages)
        if not _summary_fits(report, pages[0]):
            pages, report_pages = self._page_one(ev, pages, report, page_size, fetcher)
        appendix, joined_first, appendix_pages = self._joined_appendix(
            report_pages[-1], pages[1], page_size, fetcher)
        if joined_first is not None:  # the appendix's first page, painted on the report's last
            report_pages[-1] = _merged(report_pages[-1], joined_first)
        parts = [*report_pages, *appendix_pages]
        furniture = self._render(render_furniture(ev, len(parts)), page_size, fetcher)
        if len(furniture.pages) != len(parts):  # (the furniture is one empty page per page)
            raise RuntimeError("the PDF's page furniture does not match its pages")
        joined = [_furnished(part, frame) for part, frame in zip(parts, furniture.pages,
                                                                 strict=True)]
        return Layout(report.copy(joined), appendix, (pages[0], pages[1]))

    def _page_one(
        self, ev: Mapping[str, Any], pages: Sequence[str], report: Document, page_size: str,
        fetcher: AssetFetcher,
    ) -> tuple[Sequence[str], list[Page]]:
        """Page 1 with fewer questions (down to one) when ``report``'s summary ran over it.

        The summary ends with a forced page break, so the pages after it are laid out the same
        whatever it holds: only page 1 is laid out again (:func:`_page_one_probe`: the summary,
        then empty pages carrying the anchors page 1 points to, on the pages they will be on),
        and the report's pages after the summary follow it. Should the new page 1 still not
        hold the summary (one question left), the whole report is laid out again.
        """
        rest = _rest_start(report, pages[0])
        shift = rest - 1  # the pages the summary ran over onto
        anchors = {name: number - shift for number, page in enumerate(report.pages, start=1)
                   if number > rest for name in page.anchors}
        shown = PAGE1_QUESTIONS
        while shown > 1:
            shown -= 1
            pages = render_paper(ev, page1_questions=shown)
            probe_page, length = _page_one_probe(pages[0], anchors)
            probe = self._render(probe_page, page_size, fetcher)
            if _summary_fits(probe) and len(probe.pages) == length:  # (nothing ran over)
                return pages, [probe.pages[0], *report.pages[rest:]]
        report = self._render(pages[0], page_size, fetcher)
        return pages, list(report.pages)

    @staticmethod
    def _render(page: str, page_size: str, fetcher: AssetFetcher) -> Document:
        """WeasyPrint's layout of one page of HTML on ``page_size`` paper."""
        import weasyprint

        document = weasyprint.HTML(string=page, base_url=fetcher.base_url, url_fetcher=fetcher)
        size = weasyprint.CSS(
            string=f"@page {{ size: {page_size} !important; }}", url_fetcher=fetcher
        )
        return document.render(stylesheets=[size])

    def _joined_appendix(
        self, last: Page, page: str, page_size: str, fetcher: AssetFetcher
    ) -> tuple[Appendix, Page | None, list[Page]]:
        """The appendix, the page to paint on the report's ``last`` page (or None), its pages.

        When ``last`` is under :data:`JOIN_BELOW` full, the appendix is laid out below a blank
        of the next whole :data:`JOIN_STEP` of a page beyond ``last``'s text (so a process keeps
        a few such layouts, not one per plan), and its first page, moved up to
        :data:`JOIN_GAP` below that text, is painted on ``last`` (see :func:`_merged`).
        """
        fullness = _fullness(last)
        if fullness < JOIN_BELOW:
            steps = math.floor(fullness / JOIN_STEP) + 1
            blank = round(steps * JOIN_STEP * last._page_box.height, 2)
            appendix = self._appendix(_below_blank(page, blank), page_size, fetcher)
            first = _lifted(appendix.document.pages[0], _content_bottom(last) + JOIN_GAP)
            if first is not None:
                return appendix, first, list(appendix.document.pages[1:])
        appendix = self._appendix(page, page_size, fetcher)  # (or nothing fitted below the blank)
        return appendix, None, list(appendix.document.pages)

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


def _summary_fits(report: Document, page: str | None = None) -> bool:
    """Whether the summary's last element starts on page 1 (True for a summary without one).

    Given the HTML ``page`` laid out, also whether the report's page 2 is the page after the
    summary (not a page its last lines ran over onto).
    """
    on = [n for n, laid in enumerate(report.pages) if PAGE1_END in laid.anchors]
    if on and on[0] != 0:
        return False
    return page is None or PAGE1_RULE not in page or _rest_start(report, page) == 1


def _furnished(part: Page, frame: Page) -> Page:
    """``part``'s page with the margin boxes (running header, page footer) of ``frame``."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox

    box = part._page_box  # (WeasyPrint 70: the laid-out page box, margin boxes among its children)
    content = [child for child in box.children if not isinstance(child, MarginBox)]
    margins = [child for child in frame._page_box.children if isinstance(child, MarginBox)]
    return Page(box.copy_with_children(tuple(content + margins)))


def _boxes(box: Any) -> Any:
    """``box`` and its descendants, leaving out the page's margin boxes."""
    from weasyprint.formatting_structure.boxes import MarginBox

    if isinstance(box, MarginBox):
        return
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _content_bottom(page: Page) -> float:
    """Where the text of ``page`` ends, in CSS pixels from the page's top edge.

    That is the lowest line, image or table row (the boxes holding them reach the page's foot
    when they go on to the next page).
    """
    from weasyprint.formatting_structure.boxes import LineBox, ReplacedBox, TableRowBox

    box = page._page_box
    bottom = box.content_box_y()
    for child in _boxes(box):
        if isinstance(child, LineBox | ReplacedBox | TableRowBox):
            bottom = max(bottom, child.border_box_y() + child.border_height())
    return cast(float, bottom)


def _fullness(page: Page) -> float:
    """The share of ``page``'s text area its text takes (0 to 1)."""
    box = page._page_box
    return max(0.0, min(1.0, (_content_bottom(page) - box.content_box_y()) / box.height))


def _below_blank(page: str, height: float) -> str:
    """The appendix page ``page`` with a blank ``height`` CSS pixels tall before its text."""
    return page.replace("<body>", f'<body>\n<div class="{BLANK_CLASS}" aria-hidden="true" '
                        f'style="height: {height}px; margin: 0"></div>', 1)


def _lifted(page: Page, top: float) -> Page | None:
    """The appendix's first ``page`` without its blank, its text moved up to start at ``top``.

    None when nothing but the blank is on it. The kept layout is not changed (a copy moves).
    """
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox

    box = page._page_box
    root = next(child for child in box.children if not isinstance(child, MarginBox))
    body = root.children[0]
    blank = body.children[0]
    if blank.element is None or BLANK_CLASS not in (blank.element.get("class") or ""):
        return None
    text = [child.deepcopy() for child in body.children[1:]]
    if not text:
        return None
    lift = blank.position_y + blank.margin_height() - top
    for child in text:
        child.translate(dy=-lift)
    body = body.copy_with_children(text)
    return Page(box.copy_with_children((root.copy_with_children([body]),)))


def _merged(last: Page, first: Page) -> Page:
    """The report's ``last`` page with the appendix's ``first`` page's text painted on it."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox

    box = last._page_box
    text = [child for child in first._page_box.children if not isinstance(child, MarginBox)]
    return Page(box.copy_with_children((*box.children, *text)))


def _rest_start(report: Document, page: str) -> int:
    """The index of ``report``'s first page after page 1's summary (laid out from ``page``)."""
    after = set(re.findall(r'\sid="([^"]+)"', page[page.index(PAGE1_RULE):]))
    return min(n for n, laid in enumerate(report.pages) if n > 0 and after & set(laid.anchors))


def _page_one_probe(page: str, anchors: Mapping[str, int]) -> tuple[str, int]:
    """The report's page 1 alone, then empty pages carrying the anchors it points to.

    Also how many pages that is when page 1 holds its summary. ``anchors`` gives each anchor's
    page number in the joined PDF; page 1's "(page N)" notes then read as they will there.
    """
    cut = page.index(PAGE1_RULE)
    wanted: dict[int, list[str]] = {}
    for name in sorted(set(re.findall(r'href="#([^"]+)"', page[:cut])) & set(anchors)):
        wanted.setdefault(anchors[name], []).append(name)
    blanks = []
    for number in range(2, max(wanted, default=1) + 1):
        ids = "".join(f'<span id="{name}"></span>' for name in wanted.get(number, []))
        blanks.append(f'<div style="break-before: page; height: 1px; margin: 0">{ids}</div>')
    probe = page[:cut] + "\n".join(blanks) + "\n</article>\n</body>\n</html>\n"
    return probe, len(blanks) + 1
