"""What keeps the server's memory from growing with an attack: every cache is bounded by bytes
as well as entries, a request that did heavy work or sent a large body hands the C heap's freed
pages back (``malloc_trim``), and the server and its worker processes use at most two malloc
arenas. No timing or RSS is asserted: the bounds, the calls and the arenas glibc reports are
(``benchmarks/load.py --attack`` measures the memory)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

import evaluator.rubric as rubric_module
from evaluator.errors import InputError
from evaluator.resources import data_dir
from evaluator.rubric import RUBRIC_CACHE_BYTES, parse_rubric_text, rubric_cache_bytes
from evaluator.web import create_app, service
from evaluator.web.service import RecentEvaluations, RubricChoice, evaluation_bytes

SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"
OVERRIDES = {"max_participants": "200", "runs": "1", "horizon_months": "12"}


def test_the_evaluation_cache_is_bounded_by_bytes_and_drops_the_least_recent() -> None:
    cache = RecentEvaluations(keep=10, max_bytes=100, size=len)
    for key in "abc":
        cache.put(key, "x" * 40)
    assert len(cache) == 2
    assert cache.bytes == 80
    assert cache.get("a") is None
    assert cache.get("b") == "x" * 40  # "b" is now the most recent, so "c" goes next
    cache.put("d", "y" * 30)
    assert cache.get("c") is None
    assert cache.bytes == 70
    cache.put("e", "z" * 101)  # larger than the whole bound by itself: not kept
    assert cache.get("e") is None
    assert cache.bytes == 70
    cache.put("b", "w" * 10)  # kept again under the same key: counted once
    assert cache.bytes == 40
    assert len(cache) == 2


def test_the_evaluation_cache_is_bounded_by_entries_too() -> None:
    cache = RecentEvaluations(keep=2, max_bytes=1_000, size=len)
    for key in "abc":
        cache.put(key, "x")
    assert len(cache) == 2
    assert cache.get("a") is None
    assert cache.bytes == 2


def test_the_apps_cache_counts_each_evaluation_by_its_json_and_keeps_within_its_bound() -> None:
    doc = json.loads(SAMPLE.read_text("utf-8"))
    probe = create_app({"TESTING": True})
    with probe.test_request_context("/evaluate", method="POST"):
        service.session[service.VISITOR] = "me"
        one = service.evaluate(doc, OVERRIDES, 1, RubricChoice())
    size = evaluation_bytes(one)
    assert size == len(json.dumps(one.to_dict(), default=str, ensure_ascii=False).encode())
    app = create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATION_BYTES": size * 2 + size // 2})
    for seed in range(1, 5):
        with app.test_request_context("/evaluate", method="POST"):
            service.session[service.VISITOR] = "me"
            service.evaluate(doc, OVERRIDES, seed, RubricChoice())
    recent = app.extensions["oppeval_recent"]
    assert len(recent) == 2  # four evaluations of about the same size; two fit the bound
    assert recent.bytes <= recent.max_bytes


def test_the_rubric_cache_is_bounded_by_bytes_of_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rubric_module, "_CACHE", type(rubric_module._CACHE)())
    monkeypatch.setattr(rubric_module, "_CACHE_BYTES", [0])
    text = (data_dir("rubrics") / "pyramid-risk.yaml").read_text("utf-8").replace(
        "id: pyramid-risk", "id: my-risk", 1)
    padding = "# " + "x" * 198 + "\n"
    big = [text + f"# {i}\n" + padding * 1_000 for i in range(12)]  # about 200 kB each
    for one in big:
        parse_rubric_text(one, "r.yaml")
    entries, size = rubric_cache_bytes()
    assert size <= RUBRIC_CACHE_BYTES
    assert entries == RUBRIC_CACHE_BYTES // len(big[0].encode())  # the rest were dropped
    assert entries < len(big)
    kept = set(rubric_module._CACHE)
    assert hashlib.sha256(big[0].encode()).hexdigest() not in kept  # the oldest went first
    assert hashlib.sha256(big[-1].encode()).hexdigest() in kept


@pytest.fixture
def trims(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call the server makes to ``malloc_trim``, with its argument."""
    calls: list[int] = []
    monkeypatch.setattr(service, "_malloc_trim", lambda: calls.append)
    return calls


@pytest.fixture
def app() -> Flask:
    """The app with no evaluation cache."""
    return create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0})


def test_a_large_request_gives_freed_memory_back(app: Flask, trims: list[int]) -> None:
    plan = json.loads(SAMPLE.read_text("utf-8"))
    plan["products"] = [{}] * 80_000  # refused as over maxItems: no heavy work, a large body
    body = json.dumps(plan).encode()
    assert len(body) >= service.LARGE_REQUEST_BYTES
    response = app.test_client().post("/api/v1/evaluate", data=body,
                                      content_type="application/json")
    assert response.status_code == 422
    assert trims == [0]


def test_heavy_work_gives_freed_memory_back_and_a_cheap_page_does_not(
        app: Flask, trims: list[int]) -> None:
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/batch").status_code == 200
    assert trims == []
    response = client.post("/api/v1/evaluate?max_participants=200&runs=1&horizon_months=12",
                           data=SAMPLE.read_bytes(), content_type="application/json")
    assert response.status_code == 200
    assert trims == [0]


def test_the_trim_function_is_the_c_librarys_where_it_has_one() -> None:
    trim = service._malloc_trim()
    if trim is not None:  # glibc: the call returns 0 or 1 and changes nothing visible
        assert trim(0) in (0, 1)


# ---------------------------------------------------------------- malloc arenas

_COUNT_ARENAS = '''
import ctypes, ctypes.util, os, sys, tempfile, threading

def arenas_in_use(threads):
    """malloc arenas after ``threads`` threads each allocated from their own at once."""
    gate = threading.Barrier(threads + 1)
    kept = []

    def allocate():
        kept.append(bytearray(100_000))  # from malloc (below its mmap threshold)
        gate.wait()

    workers = [threading.Thread(target=allocate) for _ in range(threads)]
    for worker in workers:
        worker.start()
    gate.wait()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "malloc.xml")
        stream = libc.fopen(path.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        text = open(path).read()
    for worker in workers:
        worker.join()
    return text.count("<heap nr=")
'''


def _glibc() -> bool:
    return platform.libc_ver()[0] == "glibc"


def _run(code: str, **env: str) -> str:
    """``code`` run by this Python with ``env`` (and no ``MALLOC_ARENA_MAX`` of its own)."""
    environment = {k: v for k, v in os.environ.items() if k != service.ARENA_MAX_ENV}
    result = subprocess.run([sys.executable, "-c", _COUNT_ARENAS + code], capture_output=True,
                            text=True, timeout=120, env={**environment, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(not _glibc(), reason="malloc arenas are glibc's")
def test_the_arena_limit_holds_however_many_threads_allocate_at_once() -> None:
    unlimited = _run("print(arenas_in_use(8))")
    limited = _run("from evaluator.web import service\n"
                   "print(service.limit_malloc_arenas(), arenas_in_use(8))")
    assert int(unlimited) > service.MALLOC_ARENAS  # glibc alone gives each thread one
    assert limited.split() == [str(service.MALLOC_ARENAS), str(service.MALLOC_ARENAS)]
    own = _run("from evaluator.web import service\n"
               "print(service.limit_malloc_arenas(), arenas_in_use(8))",
               MALLOC_ARENA_MAX="3")
    assert own.split() == ["3", "3"]  # the operator's setting wins


def test_a_bad_arena_setting_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(service.ARENA_MAX_ENV, "lots")
    with pytest.raises(InputError, match="MALLOC_ARENA_MAX must be a whole number"):
        service.limit_malloc_arenas()


@pytest.mark.skipif(not _glibc() or not Path("/proc/self/environ").exists(),
                    reason="malloc arenas are glibc's; workers' settings are read from /proc")
def test_the_server_and_its_worker_processes_run_with_the_arena_limit() -> None:
    """``serve`` as shipped up to waitress (which is replaced by a probe): the server's threads
    share the limited arenas, and every process it started has the limit in its environment
    (glibc reads it there when a process starts)."""
    probe = '''
import multiprocessing, waitress
from pathlib import Path

def probe(app, **settings):
    children = multiprocessing.active_children()
    settings = [Path(f"/proc/{child.pid}/environ").read_bytes().split(b"\\0")
                for child in children]
    print(len(children), all(b"MALLOC_ARENA_MAX=2" in s for s in settings),
          arenas_in_use(16))

waitress.serve = probe
from evaluator.web import serve
serve(port=0)
'''
    out = _run(probe, OPPEVAL_PROCESSES="2")
    workers, limited, arenas = out.split()[-3:]
    assert int(workers) == 2
    assert limited == "True"
    assert int(arenas) <= service.MALLOC_ARENAS
