"""The README's account of the web app stays true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from evaluator.web import MAX_CONTENT_LENGTH
from evaluator.web.service import FORMATS, WEB_LIMITS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
SECTION = README.split("## The web app", 1)[1].split("\n## ", 1)[0]
BATCH_SECTION = README.split("## Batch scoring from a CSV", 1)[1].split("\n## ", 1)[0]


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
    routes: in the batch section); only Flask's static files and the report's style sheet,
    which the pages link themselves, are left out."""
    named = {"batch": BATCH_SECTION}
    checked = set()
    for rule in app.url_map.iter_rules():
        blueprint, dot, _ = rule.endpoint.partition(".")
        if not dot or rule.rule == "/report.css":
            continue
        path = re.escape(rule.rule.replace("<fmt>", "<format>"))
        text = named.get(blueprint, SECTION)
        assert re.search(rf"`(?:(?:GET|POST) )?{path}`", text), f"{rule.rule} ({blueprint})"
        checked.add(blueprint)
    assert checked == {"form", "downloads", "advocates", "api", "batch"}
