"""Fixtures for the batch tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evaluator.cli import cli
from tests.batch.helpers import SMALL_SET, Batch, make_every_kind
from tests.browser import served


@pytest.fixture
def every_kind(tmp_path: Path) -> Batch:
    """Every bundled sample (as plan_file rows), every plan type inline, and broken rows."""
    return make_every_kind(tmp_path)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The every-kind batch run once by the command line with two worker processes."""
    folder = tmp_path_factory.mktemp("scored")
    batch = make_every_kind(folder)
    out = folder / "results.csv"
    result = CliRunner().invoke(cli, ["batch", str(batch.path), "-o", str(out), "--workers",
                                      "2", *SMALL_SET])
    assert result.exit_code == 0, result.stderr
    return batch.path, out




@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The app (small simulation, rows in this process) served on a free local port."""
    from evaluator.web import create_app
    from tests.batch.helpers import SMALL

    app = create_app({"OPPEVAL_DEFAULT_OVERRIDES": dict(SMALL)})
    with served(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Downloads allowed."""
    return {**browser_context_args, "accept_downloads": True}
