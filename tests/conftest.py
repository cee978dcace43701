"""Fixtures shared by every test area (kept minimal: each area has its own conftest)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from evaluator.evaluation import Evaluation, evaluate_document
from evaluator.library.store import sqlite_url
from evaluator.resources import data_dir
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.once import ComputedOnce


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's chromium with no sandbox and no background networking."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    """Every bundled sample plan, sorted by file name."""
    paths = sorted(data_dir("plan_samples").glob("*.json"))
    assert paths, "no sample plans found"
    return paths


@pytest.fixture(scope="session")
def evaluations_at_defaults(sample_paths: list[Path], tmp_path_factory: pytest.TempPathFactory
                            ) -> Mapping[str, Evaluation]:
    """Every sample plan evaluated at the default size, assumptions, seed and rubric, by name:
    each sample when a test first asks for it, and once per run (not once per xdist worker, nor
    once per test area)."""
    return ComputedOnce(tmp_path_factory, "sample-at-defaults",
                        {path.stem: partial(evaluate_document, path.read_bytes())
                         for path in sample_paths})


@pytest.fixture(scope="session", autouse=True)
def report_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Reports the tests save go to a temporary SQLite file, not the instance folder."""
    if os.environ.get("OPPEVAL_DATABASE_URL"):
        yield
        return
    path = tmp_path_factory.mktemp("library") / "reports.sqlite3"
    os.environ["OPPEVAL_DATABASE_URL"] = sqlite_url(path)
    yield
    os.environ.pop("OPPEVAL_DATABASE_URL", None)
