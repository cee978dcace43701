"""Fixtures shared by every test area (kept minimal: each area has its own conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.resources import data_dir


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    """Every bundled sample plan, sorted by file name."""
    paths = sorted(data_dir("plan_samples").glob("*.json"))
    assert paths, "no sample plans found"
    return paths
