"""The JSON report: the Evaluation's canonical JSON text, unchanged."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from evaluator.report.view import write_text


def json_text(evaluation: Any) -> str:
    """``Evaluation.to_json()``; a plain dictionary gets sorted keys and a 2-space indent."""
    if isinstance(evaluation, Mapping):
        return json.dumps(evaluation, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return str(evaluation.to_json())


class JsonRenderer:
    """The published Evaluation JSON, UTF-8."""

    name = "json"
    binary = False
    media_type = "application/json"
    extension = "json"

    def render(self, evaluation: Any, fileobj: IO[Any]) -> None:
        """Write the JSON to ``fileobj`` (text stream, or binary stream as UTF-8)."""
        write_text(fileobj, json_text(evaluation))
