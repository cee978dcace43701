"""Fixtures for the report tests: real Evaluations of the bundled samples, kept small and fast."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import pytest

from evaluator.evaluation import Evaluation, evaluate_document
from tests.report.helpers import (
    FAST,
    HOSTILE_CLAIM,
    HOSTILE_NAME,
    HOSTILE_NOTES,
    HOSTILE_PRODUCT,
    MAIN_SAMPLE,
    render,
    sample_doc,
)

_CACHE: dict[str, Evaluation] = {}


@pytest.fixture(scope="session", autouse=True)
def _fixed_report_date() -> Iterator[None]:
    """One report date for the whole run, so PDFs rendered either side of midnight compare."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
        yield


@pytest.fixture(scope="session")
def evaluation_of() -> Callable[[str], Evaluation]:
    """A (cached) fast Evaluation of a bundled sample."""

    def get(name: str) -> Evaluation:
        if name not in _CACHE:
            _CACHE[name] = evaluate_document(sample_doc(name), overrides=FAST)
        return _CACHE[name]

    return get


@pytest.fixture(scope="session")
def evaluation(evaluation_of: Callable[[str], Evaluation]) -> Evaluation:
    """The main sample's Evaluation."""
    return evaluation_of(MAIN_SAMPLE)


@pytest.fixture(scope="session")
def hostile_evaluation() -> Evaluation:
    """An Evaluation of a plan whose text is full of markup, links and formulas."""
    doc = copy.deepcopy(sample_doc(MAIN_SAMPLE))
    doc["company"]["name"] = HOSTILE_NAME
    doc["company"]["notes"] = HOSTILE_NOTES
    doc["company"]["website"] = "javascript:alert(1)"
    doc["products"][0]["name"] = HOSTILE_PRODUCT
    doc.setdefault("disclosures", {})["income_claims"] = [HOSTILE_CLAIM]
    return evaluate_document(doc, overrides=FAST)


@pytest.fixture(scope="session")
def pdf_bytes(evaluation: Evaluation) -> bytes:
    """The main sample's PDF."""
    return render("pdf", evaluation)


