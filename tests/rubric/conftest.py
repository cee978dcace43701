"""Fixtures for the rubric and evaluation tests: the rubrics, and every sample evaluated once."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from evaluator.evaluation import Evaluation
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
def sample_evaluations(
    evaluations_at_defaults: Mapping[str, Evaluation],
) -> Mapping[str, Evaluation]:
    """Every sample plan evaluated once at the default size, assumptions and seed."""
    return evaluations_at_defaults
