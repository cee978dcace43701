"""Fixtures for the batch tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from evaluator.cli import cli
from tests.batch.helpers import SMALL_SET, Batch, make_every_kind


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


CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()),
    "/usr/bin/chromium",
)


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The app (small simulation, rows in this process) served on a free local port."""
    from evaluator.web import create_app
    from tests.batch.helpers import SMALL

    app = create_app({"OPPEVAL_DEFAULT_OVERRIDES": dict(SMALL), "OPPEVAL_BATCH_WORKERS": 1})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium (Playwright cannot download its own browser here)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Downloads allowed."""
    return {**browser_context_args, "accept_downloads": True}
