"""The web app's cache of rendered PDFs: the same result asked twice is not laid out again."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from evaluator.evaluation import evaluate_document
from evaluator.report import RENDERERS
from evaluator.resources import data_dir
from evaluator.web import service


@pytest.fixture(name="evaluation")
def fixture_evaluation() -> Any:
    doc = (data_dir("plan_samples") / "recruiting_fee_plan.json").read_bytes()
    return evaluate_document(doc, overrides={"max_participants": 300, "runs": 2})


def test_same_pdf_is_rendered_once(
    app: Flask, evaluation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.app_context().push()
    monkeypatch.setattr(service, "_pdf_cache", type(service._pdf_cache)())
    calls: list[int] = []
    real = RENDERERS["pdf"].render

    def counting(ev: Any, fileobj: io.BufferedIOBase) -> None:
        calls.append(1)
        real(ev, fileobj)

    monkeypatch.setattr(RENDERERS["pdf"], "render", counting)
    first, media = service.render(evaluation, "pdf")
    second, _ = service.render(evaluation, "pdf")
    assert media == "application/pdf"
    assert first.startswith(b"%PDF")
    assert first == second
    assert len(calls) == 1
    service.render(evaluation, "html")
    service.render(evaluation, "html")
    assert len(calls) == 1


def test_cache_is_bounded(app: Flask, evaluation: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app.app_context().push()
    monkeypatch.setattr(service, "_pdf_cache", type(service._pdf_cache)())
    monkeypatch.setattr(service, "PDF_CACHE_SIZE", 1)
    monkeypatch.setattr(RENDERERS["pdf"], "render", lambda ev, f: f.write(b"%PDF-stub"))
    other = evaluate_document(
        (data_dir("plan_samples") / "recruiting_fee_plan.json").read_bytes(),
        overrides={"max_participants": 300, "runs": 2}, seed=7,
    )
    assert service.pdf_cache_key(other) != service.pdf_cache_key(evaluation)
    service.render(evaluation, "pdf")
    service.render(other, "pdf")
    assert list(service._pdf_cache) == [service.pdf_cache_key(other)]
