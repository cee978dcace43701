"""Plan text is shown, never run or fetched; the PDF fetcher serves only the report's assets."""

from __future__ import annotations

import io
import logging
from html.parser import HTMLParser
from pathlib import Path

import pytest
import weasyprint

from evaluator.evaluation import Evaluation
from evaluator.report.fetcher import AssetFetcher
from evaluator.report.html import render_page, report_css_path
from evaluator.report.pdf import PdfRenderer
from tests.report.helpers import (
    HOSTILE_CLAIM,
    HOSTILE_NAME,
    HOSTILE_NOTES,
    HOSTILE_PRODUCT,
    flat,
    pdftotext,
)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_hostile_plan_text_is_shown_literally_in_html(hostile_evaluation: Evaluation) -> None:
    page = parse(render_page(hostile_evaluation))
    names = [tag for tag, _ in page.tags]
    assert "script" not in names
    assert "iframe" not in names
    assert "link" not in names
    assert names.count("style") == 1  # the report's own style sheet only
    for tag, attrs in page.tags:
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/svg+xml;base64,")
            assert "onerror" not in attrs
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith(("#", "https://", "http://")), href
            assert "javascript" not in href
            assert "evil.example" not in href
    text = flat("".join(page.text))
    for hostile in (HOSTILE_NAME, HOSTILE_NOTES, HOSTILE_PRODUCT, HOSTILE_CLAIM):
        assert flat(hostile) in text


def test_hostile_plan_text_fetches_nothing_in_pdf(
    hostile_evaluation: Evaluation, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    fetcher = AssetFetcher()
    with caplog.at_level(logging.DEBUG, logger="weasyprint"):
        pdf = PdfRenderer().render_bytes(hostile_evaluation, fetcher=fetcher)
    assert fetcher.refused == []
    assert fetcher.served  # the charts
    assert all(url.startswith("data:image/svg+xml") for url in fetcher.served)
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
    assert not any("evil.example" in r.getMessage() or "passwd" in r.getMessage()
                   for r in caplog.records)
    text = flat(pdftotext(pdf, tmp_path))
    assert '<script>alert("x")</script>' in text
    assert '<img src="file:///etc/passwd">' in text


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/x.css",
        "https://evil.example/x.png",
        "ftp://evil.example/x",
        "file:///etc/passwd",
        "file://evil.example/share/x.css",
        "data:text/html;base64,PHNjcmlwdD4=",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_else(url: str) -> None:
    fetcher = AssetFetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_fetcher_refuses_paths_that_leave_the_asset_folder(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    root.mkdir()
    (root / "ok.css").write_text("p { color: black }", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = AssetFetcher(root)
    response = fetcher.fetch((root / "ok.css").as_uri())
    assert response.read() == b"p { color: black }"
    for url in (
        root.as_uri() + "/../secret.txt",
        root.as_uri() + "/%2e%2e/secret.txt",
        (root / "link.txt").as_uri(),
        (root / "missing.css").as_uri(),
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


def test_fetcher_decodes_an_address_once(tmp_path: Path) -> None:
    (tmp_path / "a%41.css").write_text("p { color: black }", encoding="utf-8")
    (tmp_path / "aA.css").write_text("p { color: red }", encoding="utf-8")
    fetcher = AssetFetcher(tmp_path)
    # as_uri() escapes the file's "%" as "%25": read once, that is the file "a%41.css"
    assert fetcher.fetch((tmp_path / "a%41.css").as_uri()).read() == b"p { color: black }"


def test_fetcher_serves_the_report_assets() -> None:
    fetcher = AssetFetcher()
    response = fetcher.fetch(report_css_path().as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_markup_that_escaped_would_still_fetch_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even raw markup handed to WeasyPrint cannot reach the network or the file system."""
    fetcher = AssetFetcher()
    html = (
        '<link rel="stylesheet" href="http://evil.example/x.css">'
        '<img src="file:///etc/passwd"><img src="https://evil.example/p.png">'
        '<p style="background: url(file:///etc/hostname)">x</p>'
    )
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        weasyprint.HTML(string=html, base_url=fetcher.base_url,
                        url_fetcher=fetcher).write_pdf(io.BytesIO())
    assert sorted(fetcher.refused) == sorted([
        "http://evil.example/x.css",
        "file:///etc/passwd",
        "https://evil.example/p.png",
        "file:///etc/hostname",
    ])
    assert fetcher.served == []
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "evil.example" in logged  # WeasyPrint reports each refusal
