"""The registry loads WeasyPrint and matplotlib only when a chart or a PDF is drawn.

Each check runs in a fresh interpreter, since this test session has imported both already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

HEAVY = ("weasyprint", "matplotlib")

RENDER_STEPS = """
import io, json, sys
from evaluator.evaluation import evaluate_document
from evaluator.report import RENDERERS
from evaluator.resources import data_dir

def loaded():
    return sorted({name.split(".")[0] for name in sys.modules} & {"weasyprint", "matplotlib"})

steps = {"import": loaded()}
plan = (data_dir("plan_samples") / "party_plan.json").read_bytes()
overrides = {"max_participants": "300", "market_size": "3000", "initial_participants": "100",
             "runs": "1"}
evaluation = evaluate_document(plan, overrides=overrides)
sizes = {}
for fmt in ("json", "csv", "html", "pdf"):
    buffer = io.BytesIO()
    RENDERERS[fmt].render(evaluation, buffer)
    sizes[fmt] = len(buffer.getvalue())
    steps[fmt] = loaded()
print(json.dumps({"steps": steps, "sizes": sizes}))
"""

PRELOAD = """
import json, sys
import evaluator.report
before = sorted({name.split(".")[0] for name in sys.modules} & {"weasyprint", "matplotlib"})
evaluator.report.preload()
after = sorted({name.split(".")[0] for name in sys.modules} & {"weasyprint", "matplotlib"})
print(json.dumps({"before": before, "after": after}))
"""


def run_fresh(code: str) -> dict[str, Any]:
    """Run ``code`` in a new interpreter and read the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_json_and_csv_never_load_weasyprint_or_matplotlib() -> None:
    report = run_fresh(RENDER_STEPS)
    steps, sizes = report["steps"], report["sizes"]
    assert all(size > 0 for size in sizes.values()), sizes
    assert steps["import"] == []
    assert steps["json"] == []
    assert steps["csv"] == []
    assert steps["html"] == ["matplotlib"]  # the charts, not the PDF engine
    assert steps["pdf"] == sorted(HEAVY)


def test_preload_loads_both() -> None:
    report = run_fresh(PRELOAD)
    assert report == {"before": [], "after": sorted(HEAVY)}
