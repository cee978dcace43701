"""The HTML report, parsed: structure, accessibility, content and byte stability."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from evaluator.evaluation import Evaluation
from evaluator.report import RENDERERS, render_html_fragment
from evaluator.report.charts import render_charts
from evaluator.report.view import LEVELS
from tests.report.helpers import flat, render, sample_names


class Outline(HTMLParser):
    """Headings, tables, images, ids and the text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.heading: list[str] | None = None
        self.tables = 0
        self.tables_with_header: int = 0
        self.header_cells: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.html_attrs: dict[str, str | None] = {}
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "html":
            self.html_attrs = attributes
        if tag in ("h1", "h2", "h3"):
            self.heading = [tag]
        if tag == "table":
            self.tables += 1
        if tag == "th":
            self.header_cells.append(attributes)
        if tag == "img":
            self.images.append(attributes)
        if tag not in ("img", "meta", "br", "link", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3") and self.heading is not None:
            self.headings.append((self.heading[0], flat("".join(self.heading[1:]))))
            self.heading = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading.append(data)
        if self.stack and self.stack[-1] == "title":
            self.title += data
        self.text.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


def page_of(evaluation: Evaluation) -> Outline:
    return outline(render("html", evaluation).decode("utf-8"))


def test_page_structure(evaluation: Evaluation) -> None:
    ev = evaluation.to_dict()
    page = page_of(evaluation)
    assert page.html_attrs.get("lang") == "en"
    assert ev["plan"]["company"]["name"] in page.title
    h1 = [text for level, text in page.headings if level == "h1"]
    assert h1 == [ev["plan"]["company"]["name"]]
    h2 = [text for level, text in page.headings if level == "h2"]
    assert h2[0] == "The five-minute read"
    expected = [
        "What happens to participants",
        "How the network grows",
        "Where the pay comes from",
        "The indicators, their evidence and their sources",
        "The economics in detail",
        "Assumptions",
        "Methodology",
        "Reproducibility",
        "Sources",
        "Disclaimer: what this report cannot know",
    ]
    assert [h for h in h2 if h in expected] == expected
    h3 = [text for level, text in page.headings if level == "h3"]
    for box in ("What joining costs", "What it takes to break even",
                "What happens to people who join now", "Where the money comes from",
                "What matters most", "Questions to ask the recruiter"):
        assert box in h3


def test_tables_have_headers_and_charts_have_alt_text(evaluation: Evaluation) -> None:
    page = page_of(evaluation)
    assert page.tables >= 10
    assert all(cell.get("scope") in ("row", "col") for cell in page.header_cells)
    assert len(page.images) == len(render_charts(evaluation.to_dict()))
    for image in page.images:
        assert (image.get("src") or "").startswith("data:image/svg+xml;base64,")
        assert len(image.get("alt") or "") > 40
    assert {"script", "link", "iframe"}.isdisjoint(page.tags)


def test_every_indicator_citation_and_assumption_is_present(evaluation: Evaluation) -> None:
    ev = evaluation.to_dict()
    page = page_of(evaluation)
    text = flat("".join(page.text))
    for indicator in ev["indicators"]:
        assert f"ind-{indicator['id']}" in page.ids
        assert flat(indicator["label"]) in text
        for cite in indicator["cite"]:
            assert f"cite-{cite['key']}" in page.ids
    for key, citation in ev["citations"].items():
        assert f"cite-{key}" in page.ids
        assert flat(citation["title"]) in text
    for name, assumption in ev["assumptions"].items():
        assert name in text
        assert flat(assumption["meaning"]) in text
    assert ev["input_sha256"] in text
    assert str(ev["seed"]) in text


class LevelMarks(HTMLParser):
    """Every coloured level mark (``<span class="level level-X">``): its colour, its text and
    the indicator row (``<tr id="ind-...">``) it is in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[str, str, str | None]] = []
        self.row: str | None = None
        self.colour: str | None = None
        self.depth = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr":
            row = attributes.get("id") or ""
            self.row = row.removeprefix("ind-") if row.startswith("ind-") else None
        if tag != "span":
            return
        if self.colour is not None:
            self.depth += 1
            return
        classes = (attributes.get("class") or "").split()
        if "level" in classes:
            (colour,) = [c.removeprefix("level-") for c in classes if c.startswith("level-")]
            self.colour, self.depth, self.text = colour, 0, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self.row = None
        if tag != "span" or self.colour is None:
            return
        if self.depth:
            self.depth -= 1
            return
        self.marks.append((self.colour, "".join(self.text), self.row))
        self.colour = None

    def handle_data(self, data: str) -> None:
        if self.colour is not None:
            self.text.append(data)


def test_levels_are_written_in_words_beside_colours(evaluation: Evaluation) -> None:
    """Each coloured mark holds its level's symbol and word; each scored indicator has one."""
    parser = LevelMarks()
    parser.feed(render("html", evaluation).decode("utf-8"))
    parser.close()
    assert parser.marks
    for colour, text, _ in parser.marks:
        symbol, word = LEVELS[colour]
        assert text == f"{symbol} {word}", (colour, text)
    in_rows = {row: colour for colour, _, row in parser.marks if row is not None}
    assert len(in_rows) == len([m for m in parser.marks if m[2] is not None])
    ev = evaluation.to_dict()
    weighted = {i["id"]: i["level"] or "unknown" for i in ev["indicators"] if i["weight"]}
    assert in_rows == weighted
    findings = Counter(f["level"] for f in ev["findings"] if f["level"])
    assert findings <= Counter(colour for colour, _, row in parser.marks if row is None)


def test_fragment_carries_download_links(evaluation: Evaluation) -> None:
    fragment = str(render_html_fragment(evaluation, PDF="/d/x.pdf", CSV="/d/x.csv"))
    page = outline(fragment)
    assert page.tags[0] == "article"
    assert "html" not in page.tags
    assert "style" not in page.tags
    links = "".join(page.text)
    assert "PDF" in links
    assert 'href="/d/x.pdf"' in fragment


def test_html_is_byte_stable_and_writes_to_text_streams(evaluation: Evaluation) -> None:
    first = render("html", evaluation)
    assert render("html", evaluation) == first
    stream = io.StringIO()
    RENDERERS["html"].render(evaluation, stream)
    assert stream.getvalue().encode("utf-8") == first
    assert RENDERERS["html"].media_type.startswith("text/html")


def test_json_renderer_writes_the_canonical_json(evaluation: Evaluation) -> None:
    assert render("json", evaluation) == evaluation.to_json().encode("utf-8")
    assert RENDERERS["json"].extension == "json"


def test_every_sample_renders_to_html_csv_and_json(evaluation_of) -> None:
    for name in sample_names():
        evaluation = evaluation_of(name)
        page = page_of(evaluation)
        verdict = evaluation.to_dict()["score"]["verdict"]
        assert verdict in flat("".join(page.text)), name
        assert render("csv", evaluation).count(b"\r\n") == 2, name
        assert render("json", evaluation), name


SCRIPT = """
import hashlib, io, sys
from evaluator.evaluation import evaluate_document
from evaluator.report import RENDERERS
from tests.report.helpers import FAST, MAIN_SAMPLE, sample_doc
ev = evaluate_document(sample_doc(MAIN_SAMPLE), overrides=FAST)
for fmt in ("html", "csv", "pdf"):
    out = io.BytesIO()
    RENDERERS[fmt].render(ev, out)
    print(fmt, hashlib.sha256(out.getvalue()).hexdigest())
"""


def test_reports_are_identical_across_processes() -> None:
    root = Path(__file__).resolve().parents[2]
    digests = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=root, env=env,
                                capture_output=True, text=True, check=True)
        digests.append(result.stdout)
    assert digests[0] == digests[1]
    assert digests[0].count("\n") == 3


def test_keys_an_evaluation_never_has_change_nothing(evaluation: Evaluation) -> None:
    """The page is made of the published keys alone: others in a dictionary are not read."""
    ev = evaluation.to_dict()
    extra = {
        **ev,
        "date": "2026-01-15", "evaluated_at": "2026-01-15", "created": "2026-01-15",
        "figures_date": "2025", "summary": "A summary",
        "score": {**ev["score"], "why": "Because."},
    }
    assert render("html", extra) == render("html", evaluation)


class SourceLinks(HTMLParser):
    """The addresses each ``<li id="cite-KEY">`` of the Sources list links, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}
        self._key: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and (found.get("id") or "").startswith("cite-"):
            self._key = (found["id"] or "")[len("cite-"):]
            self.links[self._key] = []
        elif tag == "a" and self._key is not None:
            self.links[self._key].append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._key = None


def test_sources_link_the_primary_document_first(evaluation: Evaluation) -> None:
    """Where the rubric names a primary document, it is linked (first); a source known only from
    a summary keeps that one link, said to be a summary or copy."""
    ev = evaluation.to_dict()
    page = render("html", evaluation).decode("utf-8")
    parser = SourceLinks()
    parser.feed(page)
    primaries = {k: c for k, c in ev["citations"].items() if c.get("primary_url")}
    assert {"burnlounge", "herbalife_order", "ftc_guidance"} <= set(primaries)
    for key, citation in ev["citations"].items():
        links = parser.links[key]
        if citation.get("primary_url"):
            assert links[0] == citation["primary_url"], key
        else:
            assert links == [citation["url"]], key
    assert "Primary document:" in page
    assert "Read at (a summary or copy, not the primary document):" in page
