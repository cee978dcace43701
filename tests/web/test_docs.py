"""The README's account of the web app stays true to the code, and SECURITY.md names only tests
that exist."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from evaluator.web import CSRF_TIME_LIMIT, MAX_CONTENT_LENGTH
from evaluator.web.service import FORMATS, PDF_CACHE_BYTES, WEB_LIMITS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
SECTION = README.split("## The web app", 1)[1].split("\n## ", 1)[0]
BATCH_SECTION = README.split("## Batch scoring from a CSV", 1)[1].split("\n## ", 1)[0]
LIBRARY_SECTION = README.split("## Saved reports and comparing offers", 1)[1].split("\n## ", 1)[0]


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
    """Every route of every blueprint is named in code type in the web app section (batch
    routes: in the batch section, saved reports and comparisons in theirs); only Flask's static
    files and the report's and comparison's style sheets,
    which the pages link themselves, are left out."""
    named = {"batch": BATCH_SECTION, "reports": LIBRARY_SECTION, "compare": LIBRARY_SECTION}
    checked = set()
    for rule in app.url_map.iter_rules():
        blueprint, dot, _ = rule.endpoint.partition(".")
        if not dot or rule.rule in ("/report.css", "/compare.css"):
            continue
        path = re.escape(rule.rule.replace("<fmt>", "<format>"))
        text = named.get(blueprint, SECTION)
        path = path.replace("<report_id>", "<id>")
        assert re.search(rf"`(?:(?:GET|POST) )?{path}(?:\?[^`]*)?`", text), \
            f"{rule.rule} ({blueprint})"
        checked.add(blueprint)
    assert checked == {"quick", "form", "downloads", "advocates", "api", "batch", "reports",
                       "compare"}


def test_the_readme_states_the_web_settings_and_their_defaults() -> None:
    text = " ".join(SECTION.split())
    hours = CSRF_TIME_LIMIT // 3600
    assert f"| `OPPEVAL_CSRF_TIME_LIMIT` | `{CSRF_TIME_LIMIT}` ({hours} hours)" in text
    assert "| `OPPEVAL_SECURE_COOKIES` | `0` |" in text
    assert f"| `OPPEVAL_PDF_CACHE_BYTES` | `{PDF_CACHE_BYTES}` |" in text
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
