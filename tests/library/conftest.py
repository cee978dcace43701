"""Fixtures for the report library: a real SQLite file and a real PostgreSQL server.

Every test that takes ``database_url`` runs twice, on SQLite and on PostgreSQL. The PostgreSQL
cluster starts once per test process (``tests/library/postgres.py``); each test gets a fresh
database on it. When the server cannot start the PostgreSQL runs are skipped on a developer's
machine, and fail when ``CI=true`` (as CI sets it).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from evaluator.library.store import sqlite_url
from evaluator.resources import data_dir
from evaluator.web import create_app
from tests.library.postgres import postgres_cluster
from tests.security.conftest import csrf_token, post_multipart

SMALL = {
    "assumptions.max_participants": "200",
    "assumptions.runs": "1",
    "assumptions.horizon_months": "12",
}
"""A tiny simulation, so each evaluation in a test takes a fraction of a second."""

SAMPLES = data_dir("plan_samples")
RETAIL = SAMPLES / "retail_first_single_level.json"
RECRUITING = SAMPLES / "recruiting_fee_plan.json"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server: ``OPPEVAL_TEST_POSTGRES_URL``, or a throwaway cluster."""
    given = os.environ.get("OPPEVAL_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_cluster())
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            message = f"PostgreSQL could not start: {exc}"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "library" / "reports.sqlite3")
        return
    server = sa.engine.make_url(request.getfixturevalue("postgres_server"))
    name = f"oppeval_{secrets.token_hex(6)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str, **config: Any) -> Flask:
    """The production app (CSRF on) in testing mode, saving to ``url``."""
    app = create_app({"TESTING": True, "OPPEVAL_DATABASE_URL": url, **config})
    return app


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The app on a fresh database; its connections are closed afterwards."""
    app = make_app(database_url)
    yield app
    app.extensions["oppeval_library"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


def evaluate_plan(client: FlaskClient, plan: Path = RETAIL, **fields: str) -> Any:
    """Send a plan file through the form ("evaluate it now"); the response is not followed."""
    return post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (plan.read_bytes(), plan.name), **SMALL, **fields,
    })


def save_plan(client: FlaskClient, plan: Path = RETAIL, **fields: str) -> str:
    """Evaluate a plan through the form and return the saved report's id."""
    response = evaluate_plan(client, plan, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert location.startswith("/reports/")
    return location.removeprefix("/reports/")
