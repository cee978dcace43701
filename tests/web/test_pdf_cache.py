"""The web app's cache of rendered PDFs: the same result asked twice is not laid out again, and
the cache holds at most ``OPPEVAL_PDF_CACHE_BYTES`` of PDFs together."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from evaluator.errors import InputError
from evaluator.evaluation import evaluate_document
from evaluator.report import RENDERERS
from evaluator.resources import data_dir
from evaluator.web import create_app, service


@pytest.fixture(name="evaluation")
def fixture_evaluation() -> Any:
    doc = (data_dir("plan_samples") / "recruiting_fee_plan.json").read_bytes()
    return evaluate_document(doc, overrides={"max_participants": 300, "runs": 2})


def test_same_pdf_is_rendered_once(app: Flask, evaluation: Any, pdf_renders: list[int]) -> None:
    app.app_context().push()
    calls = pdf_renders
    first, media = service.render(evaluation, "pdf")
    second, _ = service.render(evaluation, "pdf")
    assert media == "application/pdf"
    assert first.startswith(b"%PDF")
    assert first == second
    assert len(calls) == 1
    assert service.pdf_cache().bytes == len(first)
    service.render(evaluation, "html")
    service.render(evaluation, "html")
    assert len(calls) == 1


def _stub_pdfs(monkeypatch: pytest.MonkeyPatch, sizes: dict[str, int]) -> list[str]:
    """A PDF renderer that writes ``sizes[name]`` bytes for the plan named ``name``."""
    rendered: list[str] = []

    def stub(ev: Any, fileobj: io.BufferedIOBase) -> None:
        name = ev["name"]
        rendered.append(name)
        fileobj.write(b"%PDF" + b"x" * (sizes[name] - 4))

    monkeypatch.setattr(RENDERERS["pdf"], "render", stub)
    return rendered


def test_an_over_budget_cache_evicts_the_oldest_and_never_holds_more_than_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app({"TESTING": True, "OPPEVAL_PDF_CACHE_BYTES": 1000})
    app.app_context().push()
    sizes = {"a": 400, "b": 400, "c": 300, "d": 350, "huge": 1001}
    rendered = _stub_pdfs(monkeypatch, sizes)
    cache = service.pdf_cache()
    held = []
    for name in ("a", "b", "c", "d"):
        body, _ = service.render({"name": name}, "pdf")
        assert len(body) == sizes[name]
        held.append(cache.bytes)
        assert cache.bytes <= 1000
    # a + b + c = 1100 > 1000 dropped a; b + c + d = 1050 dropped b too.
    assert held == [400, 800, 700, 650]
    assert len(cache) == 2
    service.render({"name": "c"}, "pdf")
    service.render({"name": "d"}, "pdf")
    assert rendered == ["a", "b", "c", "d"]  # c and d came from the cache
    service.render({"name": "a"}, "pdf")
    assert rendered[-1] == "a"  # a was evicted, so it is laid out again
    # One PDF larger than the whole bound is served but not kept.
    service.render({"name": "huge"}, "pdf")
    service.render({"name": "huge"}, "pdf")
    assert rendered[-2:] == ["huge", "huge"]
    assert cache.bytes <= 1000


def test_the_bound_is_an_operator_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPPEVAL_PDF_CACHE_BYTES", "0")
    app = create_app({"TESTING": True})
    assert app.config["OPPEVAL_PDF_CACHE_BYTES"] == 0
    app.app_context().push()
    rendered = _stub_pdfs(monkeypatch, {"a": 10})
    service.render({"name": "a"}, "pdf")
    service.render({"name": "a"}, "pdf")
    assert rendered == ["a", "a"]  # 0 keeps none
    monkeypatch.setenv("OPPEVAL_PDF_CACHE_BYTES", "8 MB")
    with pytest.raises(InputError, match="OPPEVAL_PDF_CACHE_BYTES"):
        create_app({"TESTING": True})
    monkeypatch.delenv("OPPEVAL_PDF_CACHE_BYTES")
    assert create_app({"TESTING": True}).config["OPPEVAL_PDF_CACHE_BYTES"] == (
        service.PDF_CACHE_BYTES)
