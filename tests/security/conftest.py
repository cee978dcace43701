"""Fixtures for the security tests: the app as it runs in production (CSRF on), in testing mode."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from evaluator.web import create_app


@pytest.fixture
def app() -> Flask:
    """The production app (CSRF enforced), with no evaluation cache between tests."""
    return create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the form on ``path`` (the session cookie stays in ``client``)."""
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def error_messages(response: Any) -> list[str]:
    """The JSON error messages of an API response, each as ``path: message``."""
    body = response.get_json()
    assert set(body) == {"errors"}, body
    return [f"{e['path']}: {e['message']}" if e["path"] else e["message"] for e in body["errors"]]


def post_multipart(client: FlaskClient, path: str, fields: dict[str, Any]) -> Any:
    """POST a multipart form encoded in memory (the test client spools large bodies to a
    temporary file it never closes); file fields are ``(bytes, file name)``."""
    values = MultiDict()
    for key, value in fields.items():
        if isinstance(value, tuple):
            values.add(key, FileStorage(io.BytesIO(value[0]), filename=value[1]))
        else:
            values.add(key, value)
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")
