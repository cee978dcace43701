"""Fixtures for the rubric and evaluation tests: the rubrics, and every sample evaluated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.evaluation import Evaluation, evaluate_document
from evaluator.resources import data_dir
from evaluator.rubric import Rubric, load_rubric


@pytest.fixture(scope="session")
def default_rubric() -> Rubric:
    """The bundled default rubric (rubrics/pyramid-risk.yaml)."""
    return load_rubric()


@pytest.fixture(scope="session")
def advocacy_rubric() -> Rubric:
    """The bundled advocacy rubric (rubrics/taylor-red-flags.yaml)."""
    return load_rubric(data_dir("rubrics") / "taylor-red-flags.yaml")


@pytest.fixture(scope="session")
def sample_evaluations(sample_paths: list[Path]) -> dict[str, Evaluation]:
    """Every sample plan evaluated once at the default size, assumptions and seed."""
    return {path.stem: evaluate_document(path.read_bytes()) for path in sample_paths}
