"""Values computed once per test run, whichever pytest-xdist worker asks for them first.

A session-scoped fixture runs once per worker: with ``pytest -n 2`` an expensive one (every
sample evaluated at the default size) would run twice. :func:`computed_once` keeps the value in
a pickle in the run's own temporary folder (shared by its workers, new for every run, so
nothing is kept from one run to the next); the first worker to ask computes it under a file
lock, and the others wait for it and read it back. Without xdist it is computed here.
"""

from __future__ import annotations

import copyreg
import fcntl
import os
import pickle
import re
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


def _mapping_proxy(items: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(items)


# Evaluations hold read-only mappings, which pickle does not know how to rebuild by itself.
copyreg.pickle(types.MappingProxyType, lambda proxy: (_mapping_proxy, (dict(proxy),)))


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The folder this run's workers share, or None when the tests run in one process."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    folder = tmp_path_factory.getbasetemp().parent / "computed-once"
    folder.mkdir(exist_ok=True)
    return folder


def computed_once(tmp_path_factory: pytest.TempPathFactory, key: str,
                  compute: Callable[[], T]) -> T:
    """``compute()``, computed by one worker of this run and read back by the others."""
    folder = _shared_folder(tmp_path_factory)
    if folder is None:
        return compute()
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
    stored = folder / f"{stem}.pickle"
    with (folder / f"{stem}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if stored.exists():
                value: T = pickle.loads(stored.read_bytes())
                return value
            value = compute()
            partial = stored.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(stored)
            return value
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class ComputedOnce(Mapping[str, T]):
    """A read-only mapping whose values are computed on first use, once per run (each by
    :func:`computed_once` under ``prefix/key``), and kept for the rest of this process."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, prefix: str,
                 computes: Mapping[str, Callable[[], T]]) -> None:
        self._factory = tmp_path_factory
        self._prefix = prefix
        self._computes = dict(computes)
        self._values: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        if key not in self._values:
            compute = self._computes[key]
            self._values[key] = computed_once(self._factory, f"{self._prefix}-{key}", compute)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._computes)

    def __len__(self) -> int:
        return len(self._computes)
