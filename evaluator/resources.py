"""Find the project's data folders (rubrics, templates, plan samples) in a checkout or a wheel.

In a wheel they are mapped to ``evaluator/_data/<name>`` at build time (see pyproject.toml);
in a source checkout or an editable install they sit at the top of the repository.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

DataFolder = Literal["rubrics", "templates", "plan_samples"]


@cache
def data_dir(name: DataFolder) -> Path:
    """The folder holding the named data, wherever the package is installed."""
    packaged = Path(str(resources.files("evaluator"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"the {name!r} data folder is missing from this installation "
        f"(looked in {packaged} and {checkout})"
    )


def package_file(name: str) -> Path:
    """A file shipped inside the ``evaluator`` package itself (schemas, static assets)."""
    return Path(str(resources.files("evaluator"))) / name
