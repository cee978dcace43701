"""The README's account of the web app stays true to the code, and SECURITY.md names only tests
that exist."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from evaluator.web import CSRF_TIME_LIMIT, MAX_CONTENT_LENGTH
from evaluator.web.service import FORMATS, WEB_LIMITS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
SECTION = README.split("## The web app", 1)[1].split("\n## ", 1)[0]


def test_the_readme_states_the_web_limits() -> None:
    text = " ".join(SECTION.split())
    assert f"at most {WEB_LIMITS['max_participants']:,} participants" in text
    assert f"{WEB_LIMITS['runs']} runs" in text
    assert f"{WEB_LIMITS['horizon_months']} months" in text
    assert f"{WEB_LIMITS['initial_participants']:,} initial participants" in text
    assert f"at most {MAX_CONTENT_LENGTH // (1024 * 1024)} MB" in text
    for fmt in FORMATS:
        assert f"`{fmt}`" in text


def test_the_readme_names_every_route(app: Flask) -> None:
    own = {"quick", "form", "downloads", "advocates", "api"}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint in own and "<" not in rule.rule and rule.rule not in ("/report.css",):
            assert rule.rule in SECTION, rule.rule


def test_the_readme_states_the_web_settings_and_their_defaults() -> None:
    text = " ".join(SECTION.split())
    hours = CSRF_TIME_LIMIT // 3600
    assert f"| `OPPEVAL_CSRF_TIME_LIMIT` | `{CSRF_TIME_LIMIT}` ({hours} hours)" in text
    assert "| `OPPEVAL_SECURE_COOKIES` | `0` |" in text
    assert "415 when its `Content-Type` is not `application/json`" in text


def test_every_test_security_md_names_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    security = (root / "SECURITY.md").read_text("utf-8")
    named = set(re.findall(r"::(test_\w+)", security))
    defined = {
        match
        for path in (root / "tests").rglob("test_*.py")
        for match in re.findall(r"^def (test_\w+)\(", path.read_text("utf-8"), re.MULTILINE)
    }
    assert named
    assert sorted(named - defined) == []
