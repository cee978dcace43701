"""The evaluation of every bundled sample (all schema v1 plans) at a small, fixed setting.

``python -m tests.compat.v1_results --write`` records the SHA-256 of each evaluation's canonical
JSON in ``v1_results.json``; the test compares today's to it. Rewrite the file only when an
engine change is meant to change results (and bump ``engine_version`` with it): a new plan
field never may.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from evaluator.evaluation import evaluate_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p for p in (ROOT / "plan_samples").glob("*.json")
                 if json.loads(p.read_bytes()).get("schema_version") != "1.1")
"""The bundled samples written in schema v1 (a v1.1 sample states its version)."""
RECORD = Path(__file__).with_name("v1_results.json")
SETTING = {"max_participants": "3000", "runs": "2", "horizon_months": "24"}
"""Small enough for the suite, big enough that every component pays someone."""


def digest(path: Path) -> str:
    """SHA-256 of one sample's evaluation at :data:`SETTING`, seed 7, as canonical JSON.

    Without ``environment`` (the versions of Python and libraries where it ran).
    """
    evaluation = json.loads(evaluate_document(path.read_bytes(), overrides=SETTING,
                                              seed=7).to_json())
    evaluation.pop("environment")
    text = json.dumps(evaluation, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(argv: list[str]) -> int:
    """Print each sample's digest; with ``--write``, record them."""
    found = {p.name: digest(p) for p in SAMPLES}
    for name, value in found.items():
        print(f"{value[:16]}  {name}")
    if "--write" in argv:
        RECORD.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
