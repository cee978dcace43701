"""Helpers for the report tests: sample documents, hostile text, rendering and PDF text."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

from evaluator.report import RENDERERS
from evaluator.resources import data_dir

FAST = {"max_participants": 2000, "runs": 2}
"""Overrides that keep each evaluation well under a second."""
MAIN_SAMPLE = "autoship_unilevel_wellness"

HOSTILE_NAME = '<script>alert("x")</script> =HYPERLINK("http://evil.example") Co'
HOSTILE_NOTES = (
    '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://evil.example/x.css"> '
    '<iframe src="https://evil.example/"></iframe> <style>@import url(http://evil.example/i.css);'
    "</style> & figures from 2024 " + "unbroken" * 40
)
HOSTILE_PRODUCT = '<img src=x onerror="alert(1)"> Shake' + "-powder" * 20
HOSTILE_CLAIM = '<a href="javascript:alert(1)">Earn</a> @SUM(1+1)'


def sample_doc(name: str) -> dict[str, Any]:
    """A bundled sample plan document."""
    path = data_dir("plan_samples") / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def sample_names() -> list[str]:
    """Every bundled sample's name."""
    return sorted(p.stem for p in data_dir("plan_samples").glob("*.json"))


def render(fmt: str, evaluation: Any) -> bytes:
    """One format rendered to bytes through the registry."""
    buffer = io.BytesIO()
    RENDERERS[fmt].render(evaluation, buffer)
    return buffer.getvalue()


def pdftotext(pdf: bytes, tmp: Path, first: int | None = None, last: int | None = None) -> str:
    """Text of a PDF (or of a page range) through poppler's pdftotext."""
    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext"]
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    result = subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Whitespace collapsed, so text wrapped across lines still matches."""
    return " ".join(text.split())
