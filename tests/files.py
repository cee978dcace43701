"""The project's own files, found by walking the source tree (no ``git``: the tests also run
from an unpacked sdist, which has no repository)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SKIPPED_FOLDERS = frozenset(
    {"__pycache__", "build", "dist", "out", "test-results", "node_modules", "_data", "instance"}
)
"""Generated folders (the .gitignore's; ``instance`` holds the web app's runtime data: its
secret key and saved reports), never the project's own text."""

KEPT_HIDDEN_FOLDERS = frozenset({".ci"})
"""Hidden folders that are part of the project; every other one (.git, .venv, caches) is not."""


def project_files(root: Path = ROOT) -> Iterator[Path]:
    """Every file of the project under ``root``, as paths relative to it, in sorted order."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(
            name for name in subfolders
            if name not in SKIPPED_FOLDERS and not name.endswith(".egg-info")
            and (not name.startswith(".") or name in KEPT_HIDDEN_FOLDERS)
        )
        here = Path(folder).relative_to(root)
        for name in sorted(files):
            if name != ".git" and not name.endswith((".pyc", ".pyo")):
                yield here / name
