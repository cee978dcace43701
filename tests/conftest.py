"""Fixtures shared by every test area (kept minimal: each area has its own conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evaluator.resources import data_dir
from tests.browser import CHROMIUM, CHROMIUM_ARGS


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
