"""What every web route shares: samples, rubric choice, web limits, evaluation and rendering.

The web runs the same pipeline as the command line (``evaluate_document`` and the renderer
registry); it only adds the limits a public server needs (a bounded simulation size) and the
choice between the bundled rubrics and one a visitor uploads.
"""

from __future__ import annotations

import base64
import contextvars
import ctypes
import ctypes.util
import hashlib
import io
import json
import os
import re
import secrets
import sys
import threading
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from flask import Response, current_app, g, session

from evaluator.assumptions import SPECS, Assumptions
from evaluator.errors import AssumptionError, FieldError, LimitError, RubricError
from evaluator.numbers import NumberError, read_seed
from evaluator.report import RENDERERS
from evaluator.resources import data_dir
from evaluator.rubric import DEFAULT_RUBRIC, Rubric, load_rubric, parse_rubric_text

WEB_LIMITS: Mapping[str, int] = {
    "max_participants": 50_000,
    "runs": 10,
    "horizon_months": 120,
    "initial_participants": 50_000,
}
"""Most the web accepts for the assumptions that set the simulation's size."""

EVALUATION_BUDGET = 50_000_000
"""Most simulated participant-months one web evaluation may ask for (the time budget, set as
work so it is refused before it starts): network size times horizon times every Monte-Carlo run, the
sensitivity re-runs included. Each limit of :data:`WEB_LIMITS` at its maximum with the other
assumptions at their defaults fits; the three largest together do not. The heaviest plan the
schema allows took about 13 s of one core at the budget on the two-core reference machine."""

FORMATS: tuple[str, ...] = tuple(RENDERERS)
"""Report formats a visitor can download or the API can return: the renderer registry's."""

DOWNLOAD_LABELS: Mapping[str, str] = {
    "pdf": "PDF report",
    "html": "HTML page",
    "json": "JSON data",
    "csv": "CSV row",
}
"""Download links on a report page, in the order shown."""

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


# ---------------------------------------------------------------- samples


@dataclass(frozen=True)
class Sample:
    """A bundled plan: its file stem, company name and one-line description."""

    stem: str
    title: str
    note: str


@cache
def samples() -> tuple[Sample, ...]:
    """The bundled sample plans, read once per process."""
    found = []
    for path in sorted(data_dir("plan_samples").glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        company = doc.get("company") or {}
        note = (company.get("notes") or "").split(". ")[0].rstrip(".")
        found.append(Sample(path.stem, company.get("name") or path.stem, note))
    return tuple(found)


def sample_document(stem: str) -> dict[str, Any] | None:
    """The plan document of sample ``stem``, or None when there is no such sample."""
    if stem not in {s.stem for s in samples()}:
        return None
    return json.loads((data_dir("plan_samples") / f"{stem}.json").read_text("utf-8"))


# ---------------------------------------------------------------- rubrics


@dataclass(frozen=True)
class RubricChoice:
    """A bundled rubric (by file stem) or the text of one a visitor uploaded."""

    stem: str = ""
    text: str = ""

    @property
    def uploaded(self) -> bool:
        """Whether the visitor supplied the rubric."""
        return bool(self.text)


@cache
def bundled_rubric_files() -> tuple[tuple[str, Path], ...]:
    """``(file stem, path)`` for every rubric shipped in ``rubrics/``, default first."""
    paths = sorted(data_dir("rubrics").glob("*.yaml"), key=lambda p: (p.name != DEFAULT_RUBRIC, p))
    return tuple((p.stem, p) for p in paths)


@cache
def bundled_rubrics() -> tuple[tuple[str, Rubric], ...]:
    """``(file stem, rubric)`` for every rubric shipped in ``rubrics/``, default first."""
    return tuple((stem, load_rubric(path)) for stem, path in bundled_rubric_files())


def default_rubric_stem() -> str:
    """The file stem of the default rubric."""
    return Path(DEFAULT_RUBRIC).stem


def resolve_rubric(choice: RubricChoice) -> Rubric:
    """The rubric a choice names; raises RubricError (naming the path) when it is unusable.

    An uploaded rubric is parsed in a heavy-work slot (its YAML can cost seconds of CPU).
    """
    if choice.text:
        with heavy_work():
            return _resolve(choice)
    return _resolve(choice)


def _resolve(choice: RubricChoice) -> Rubric:
    """:func:`resolve_rubric` for a caller that already holds a heavy-work slot."""
    if choice.text:
        return parse_rubric_text(choice.text, "uploaded rubric")
    for stem, rubric in bundled_rubrics():
        if stem == (choice.stem or default_rubric_stem()):
            return rubric
    raise RubricError(
        [
            FieldError(
                "rubric",
                f"{choice.stem!r} is not a bundled rubric; choose one of "
                + ", ".join(stem for stem, _ in bundled_rubrics()),
                choice.stem,
            )
        ]
    )


def rubric_text(choice: RubricChoice) -> str | None:
    """The YAML text of the rubric a choice names, or None for the default rubric.

    This is what a batch sends to its worker processes (``BatchSettings.rubric_text``, where
    None means the default rubric); raises RubricError exactly as :func:`resolve_rubric` does.
    """
    resolve_rubric(choice)
    if choice.text:
        return choice.text
    stem = choice.stem or default_rubric_stem()
    if stem == default_rubric_stem():
        return None
    return _bundled_text(stem)


@cache
def _bundled_text(stem: str) -> str:
    """The YAML text of a bundled rubric, read once."""
    return dict(bundled_rubric_files())[stem].read_text("utf-8")


# ---------------------------------------------------------------- limits and evaluation


def check_limits(overrides: Mapping[str, Any]) -> None:
    """Refuse assumptions that would make the simulation bigger than the web allows."""
    errors = []
    for name, raw in overrides.items():
        limit = WEB_LIMITS.get(name)
        spec = SPECS.get(name)
        if limit is None or spec is None:
            continue
        try:
            value = spec.parse(raw)
        except AssumptionError:
            continue  # the evaluation reports the bad value itself
        if value > limit:
            errors.append(
                FieldError(
                    f"assumptions.{name}",
                    f"{value:,} is more than the web limit of {limit:,} {spec.unit}; "
                    "use the command line (oppeval evaluate --set) for larger simulations",
                    raw,
                )
            )
    if not errors:
        errors.extend(_budget_errors(overrides))
    if errors:
        raise LimitError(errors)


def evaluation_cost(assumptions: Assumptions) -> int:
    """Simulated participant-months an evaluation under ``assumptions`` may run, at most.

    Counted before the plan is read: a plan whose rule adds its own sensitivity change
    (``evaluation.RULE_SENSITIVITY_CHANGES``: enrollment packages) runs one re-run more.
    """
    from evaluator.evaluation import SENSITIVITY_CHANGES, SENSITIVITY_RUNS

    runs = int(assumptions["runs"])
    all_runs = runs + (1 + len(SENSITIVITY_CHANGES)) * min(runs, SENSITIVITY_RUNS)
    size = max(int(assumptions["max_participants"]), int(assumptions["initial_participants"]))
    return size * int(assumptions["horizon_months"]) * all_runs


def _budget_errors(overrides: Mapping[str, Any]) -> list[FieldError]:
    try:
        assumptions = Assumptions.from_overrides(dict(overrides))
    except AssumptionError:
        return []  # the evaluation reports the bad value itself
    cost = evaluation_cost(assumptions)
    if cost <= EVALUATION_BUDGET:
        return []
    return [
        FieldError(
            "assumptions.max_participants",
            f"this evaluation would simulate up to {cost:,} participant-months "
            "(max_participants times horizon_months times Monte-Carlo runs, sensitivity re-runs "
            f"included); the web's time budget per evaluation is {EVALUATION_BUDGET:,} "
            "participant-months: lower max_participants, horizon_months or runs, or use the "
            "command line (oppeval evaluate --set)",
            overrides.get("max_participants"),
        )
    ]


def parse_seed(raw: str | None) -> int | None:
    """A seed typed by a visitor: blank means the default; else a whole number 0 to 2**63-1.

    It is read by the one reader (evaluator/numbers.py).
    """
    if raw is None or not raw.strip():
        return None
    try:
        return read_seed(raw)
    except NumberError as exc:
        raise AssumptionError([FieldError("seed", str(exc), raw)]) from None


class Slots:
    """At most ``size`` holders at once; the others wait and are served in order of arrival.

    A holder that gives its slot back while others wait hands it to the first of them, so one
    that asks again at once (a web batch, row after row) queues behind them instead of taking
    it back before they wake (as a plain semaphore lets it).
    """

    def __init__(self, size: int) -> None:
        """``size`` free slots and no one waiting."""
        self._lock = threading.Lock()
        self._free = size
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self) -> None:
        """Take a slot, waiting for one if all are held."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            gate = threading.Lock()
            gate.acquire()
            self._waiting.append(gate)
        gate.acquire()  # released by release(), which hands this waiter the slot

    def try_acquire(self) -> bool:
        """Take a slot only if one is free and no one waits; True when taken."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            return False

    def release(self) -> None:
        """Give the slot back: to the longest waiter, if any."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1


def heavy_slots() -> Slots:
    """This app's slots for heavy work (``OPPEVAL_CONCURRENT_WORK`` of them)."""
    slots = current_app.extensions.get("oppeval_heavy_slots")
    if slots is None:
        size = int(current_app.config.get("OPPEVAL_CONCURRENT_WORK") or os.cpu_count() or 1)
        slots = current_app.extensions.setdefault("oppeval_heavy_slots", Slots(size))
    return cast(Slots, slots)


@contextmanager
def heavy_work() -> Iterator[None]:
    """Hold one of the app's slots for heavy work.

    Heavy work is an evaluation, a report, a web batch's row, or an uploaded rubric's parsing.

    At most ``OPPEVAL_CONCURRENT_WORK`` (default: the number of cores) run at once; the other
    requests wait their turn (first come, first served) instead of sharing the cores among all
    the server's threads, so memory stays bounded and the cheap pages stay quick under load.
    Heavy work never nests: a holder takes no second slot.
    """
    slots = heavy_slots()
    slots.acquire()
    g.oppeval_heavy_work = True  # so the request gives freed memory back when it ends
    try:
        yield
    finally:
        slots.release()


LARGE_REQUEST_BYTES = 256_000
"""A request body at least this large makes the server hand freed memory back when it ends."""


@cache
def _libc_function(name: str, *argtypes: Any) -> Any | None:
    """The C library's function ``name`` (returning an int), or None where it has none."""
    try:
        function = getattr(ctypes.CDLL(ctypes.util.find_library("c")), name)
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = list(argtypes)
    function.restype = ctypes.c_int
    return function


def _malloc_trim() -> Any | None:
    """The C library's ``malloc_trim`` (glibc), or None where it has none (macOS, musl)."""
    return _libc_function("malloc_trim", ctypes.c_size_t)


MALLOC_ARENAS = 2
"""Most glibc malloc arenas in the server and its worker processes (the tool's choice; glibc
allows 8 per core). Each thread that allocates gets an arena of its own while there are fewer
than the most, and memory freed in an arena stays there for that arena's threads, so with 32
server threads a large request's freed memory is seldom where the next large request asks
(``benchmarks/load.py --attack --arenas N`` compares settings). The environment variable
``MALLOC_ARENA_MAX`` changes it."""

ARENA_MAX_ENV = "MALLOC_ARENA_MAX"
_M_ARENA_MAX = -8
"""``mallopt``'s parameter number for the most arenas (glibc's ``malloc.h``)."""


def limit_malloc_arenas() -> int | None:
    """Limit this process, and every process it starts, to :data:`MALLOC_ARENAS` arenas.

    ``MALLOC_ARENA_MAX`` in the environment, when set, is the limit instead (a whole number of
    at least 1, else an InputError naming it). The limit is put in the environment, which
    processes started from now on read when they start (the fork server, and so the worker
    processes), and applied to this process with ``mallopt``; it holds for arenas made after
    the call, so call it before the server's threads start. Returns the limit, or None where
    the C library has no ``mallopt`` (not glibc) or refuses it.
    """
    from evaluator.parallel import count_from_env

    arenas = count_from_env(ARENA_MAX_ENV, MALLOC_ARENAS)
    os.environ[ARENA_MAX_ENV] = str(arenas)
    mallopt = _libc_function("mallopt", ctypes.c_int, ctypes.c_int)
    if mallopt is None or mallopt(_M_ARENA_MAX, arenas) != 1:
        return None
    return arenas


def release_memory(_exc: BaseException | None = None) -> None:
    """After heavy work or a large body, give the C heap's free pages back to the system.

    Python frees a big request's objects at its end, but glibc keeps the freed pages in each
    thread's arena, so the server's resident memory stays at its peak after an attack (a 1 MB
    plan of 100,000 products, a 4,000-input form, a PDF); ``malloc_trim(0)`` returns them. It
    takes a few milliseconds, so only such requests call it (a ``teardown_request`` hook).
    """
    heavy = g.pop("oppeval_heavy_work", False)
    from flask import request

    if not heavy and (request.content_length or 0) < LARGE_REQUEST_BYTES:
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


RECENT_EVALUATIONS = 32
"""Evaluations kept in memory, so a report's downloads do not simulate the network again
(the app setting ``OPPEVAL_RECENT_EVALUATIONS`` changes it; 0 turns the cache off)."""

RECENT_EVALUATION_BYTES = 16_000_000
"""Most bytes the kept evaluations may hold together, each counted as the length of its JSON
(an evaluation of a bundled sample is about 90 kB; one of a plan near the 1 MB limit, megabytes);
the app setting ``OPPEVAL_RECENT_EVALUATION_BYTES`` changes it."""


def evaluation_bytes(evaluation: Any) -> int:
    """What an evaluation counts against :data:`RECENT_EVALUATION_BYTES`: its JSON's length."""
    to_dict = getattr(evaluation, "to_dict", None)
    value = to_dict() if to_dict is not None else evaluation
    return len(json.dumps(value, default=str, ensure_ascii=False).encode("utf-8"))

VISITOR = "oppeval_visitor"
"""The session key of the visitor's random id, which keys the visitor's cached evaluations."""


class RecentEvaluations:
    """One app's most recent evaluations (a thread-safe LRU cache by key); its rendered PDFs too.

    Bounded twice: at most ``keep`` evaluations and at most ``max_bytes`` bytes together (each
    measured by ``size``, by default :func:`evaluation_bytes`); the least recently used go first,
    and one larger than ``max_bytes`` by itself is not kept at all.
    """

    def __init__(self, keep: int, max_bytes: int = RECENT_EVALUATION_BYTES,
                 size: Any = evaluation_bytes) -> None:
        """An empty cache that keeps at most ``keep`` evaluations and ``max_bytes`` bytes."""
        self.keep = keep
        self.max_bytes = max_bytes
        self._size = size
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many evaluations are kept."""
        return len(self._items)

    @property
    def bytes(self) -> int:
        """The bytes the kept evaluations count together."""
        return self._bytes

    def get(self, key: str) -> Any | None:
        """The evaluation kept under ``key``, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: str, evaluation: Any) -> None:
        """Keep ``evaluation`` under ``key``, forgetting the least recent beyond either bound."""
        size = self._size(evaluation)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes:
                return
            self._items[key] = (evaluation, size)
            self._bytes += size
            while len(self._items) > self.keep or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped


def recent_evaluations() -> RecentEvaluations | None:
    """This app's cache of recent evaluations (in ``app.extensions``), or None when it is off."""
    recent = current_app.extensions.get("oppeval_recent")
    if recent is None:
        keep = int(current_app.config.get("OPPEVAL_RECENT_EVALUATIONS", RECENT_EVALUATIONS))
        max_bytes = int(current_app.config.get("OPPEVAL_RECENT_EVALUATION_BYTES",
                                               RECENT_EVALUATION_BYTES))
        recent = current_app.extensions.setdefault("oppeval_recent",
                                                   RecentEvaluations(keep, max_bytes))
    return recent if recent.keep > 0 else None


def visitor_key() -> str | None:
    """Whose cached evaluations this request may reuse: the visitor's, or None for an API call.

    The visitor's is a random id kept in their session, made on their first evaluation from a
    page; an API call holds no state and so evaluates every time.
    """
    from evaluator.web import wants_json

    if wants_json():
        return None
    visitor = session.get(VISITOR)
    if not isinstance(visitor, str):
        visitor = secrets.token_urlsafe(16)
        session[VISITOR] = visitor
    return visitor


def evaluate(
    doc: Mapping[str, Any] | bytes | str,
    overrides: Mapping[str, Any],
    seed: int | None,
    rubric: RubricChoice,
) -> Any:
    """Evaluate a plan under the web limits; raises InputError subclasses with every error.

    The same input, assumptions, seed and rubric always give the same Evaluation, so the most
    recent ones are remembered, each for the visitor who asked for it only (another visitor's
    request is never answered faster because someone evaluated the same plan).
    """
    from evaluator.evaluation import evaluate_document

    check_limits(overrides)
    recent = recent_evaluations()
    visitor = visitor_key() if recent is not None else None
    key = hashlib.sha256(
        json.dumps([visitor, doc if isinstance(doc, Mapping) else str(doc), dict(overrides),
                    seed, rubric.stem, rubric.text], sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    if recent is not None and visitor is not None:
        kept = recent.get(key)
        if kept is not None:
            return kept
    with heavy_work():
        evaluation = evaluate_document(
            doc, overrides=dict(overrides), seed=seed, rubric=_resolve(rubric)
        )
    if recent is not None and visitor is not None:
        recent.put(key, evaluation)
    return evaluation


PDF_CACHE_BYTES = 8_000_000
"""Most bytes the rendered PDFs an app keeps may hold together (the tool's choice: a bundled
sample's PDF is about 220 kB, so some 36 of them), so the same result asked twice is not laid out
again; the least recently used go first and one larger than the bound is not kept. The
environment variable ``OPPEVAL_PDF_CACHE_BYTES`` (app setting of the same name) changes it; 0
keeps none."""


def pdf_cache() -> RecentEvaluations:
    """This app's cache of rendered PDFs (in ``app.extensions``), bounded by their bytes."""
    cache = current_app.extensions.get("oppeval_pdfs")
    if cache is None:
        max_bytes = int(current_app.config.get("OPPEVAL_PDF_CACHE_BYTES", PDF_CACHE_BYTES))
        cache = current_app.extensions.setdefault(
            "oppeval_pdfs", RecentEvaluations(sys.maxsize, max_bytes, size=len))
    return cast(RecentEvaluations, cache)


def pdf_cache_key(evaluation: Any) -> str:
    """The key of a rendered PDF, hashed from what the file holds.

    That is the evaluation's JSON (what the PDF shows and embeds) and the report's date (the
    only date in the file).
    """
    from evaluator.report import view

    body = io.BytesIO()
    RENDERERS["json"].render(evaluation, body)
    digest = hashlib.sha256(body.getvalue())
    digest.update(view.report_date().isoformat().encode("ascii"))
    return digest.hexdigest()


def render(evaluation: Any, fmt: str) -> tuple[bytes, str]:
    """``(body, media type)`` of an evaluation in a report format.

    A PDF of the same evaluation on the same report date comes from the app's PDF cache
    (:func:`pdf_cache`, at most ``OPPEVAL_PDF_CACHE_BYTES`` together).
    """
    renderer = RENDERERS[fmt]
    key = pdf_cache_key(evaluation) if fmt == "pdf" else None
    cache = pdf_cache() if key is not None else None
    if cache is not None and key is not None:
        pdf_ahead().wait(key, PDF_AHEAD_WAIT)
        kept = cache.get(key)
        if kept is not None:
            return kept, renderer.media_type
    buffer = io.BytesIO()
    with heavy_work():
        renderer.render(evaluation, buffer)
    if cache is not None and key is not None:
        cache.put(key, buffer.getvalue())
    return buffer.getvalue(), renderer.media_type


PDF_AHEAD_KEYS = 256
"""Results whose PDF an app remembers having laid out ahead: none is laid out ahead twice."""
PDF_AHEAD_WAIT = 30.0
"""Seconds a download waits for the PDF being laid out ahead of it before laying it out itself."""


class PdfAhead:
    """The one PDF an app lays out ahead of its download, and the results it has done so for."""

    def __init__(self) -> None:
        """None running, none done."""
        self._lock = threading.Lock()
        self._running: tuple[str, threading.Event] | None = None
        self._claimed: OrderedDict[str, None] = OrderedDict()

    def claim(self, key: str) -> bool:
        """Take the one place for ``key``: False while another runs or when ``key`` had it."""
        with self._lock:
            if self._running is not None or key in self._claimed:
                return False
            self._running = (key, threading.Event())
            self._claimed[key] = None
            while len(self._claimed) > PDF_AHEAD_KEYS:
                self._claimed.popitem(last=False)
            return True

    def done(self, key: str) -> None:
        """``key``'s PDF is laid out (or failed): wake whoever waits for it."""
        with self._lock:
            if self._running is not None and self._running[0] == key:
                self._running[1].set()
                self._running = None

    def give_back(self, key: str) -> None:
        """Give back the place ``key`` took without laying anything out (it may claim again)."""
        self.done(key)
        with self._lock:
            self._claimed.pop(key, None)

    def wait(self, key: str, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) while ``key``'s PDF is being laid out ahead."""
        with self._lock:
            running = self._running
        if running is not None and running[0] == key:
            running[1].wait(timeout)


def pdf_ahead() -> PdfAhead:
    """This app's PDF laid out ahead (in ``app.extensions``)."""
    return cast(PdfAhead, current_app.extensions.setdefault("oppeval_pdf_ahead", PdfAhead()))


def render_pdf_ahead(evaluation: Any) -> bool:
    """Start laying out the PDF of a report being shown, so its download is ready when clicked.

    Only with the app setting ``OPPEVAL_PDF_AHEAD`` on (``oppeval serve``: on; tests: off), only
    when a heavy-work slot is free right now (it never makes a visitor's request wait), one at a
    time per app, once per result (the last :data:`PDF_AHEAD_KEYS` remembered), and not when the
    PDF is kept already. It runs in a thread of its own with the request's report date, and puts
    the PDF in the app's cache (:func:`pdf_cache`); a download of it meanwhile waits for it.
    It costs the server one PDF's layout (about 4-6 s of CPU) per result shown, downloaded or not.
    True when it started.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("OPPEVAL_PDF_AHEAD"):
        return False
    key = pdf_cache_key(evaluation)
    cache, ahead, slots = pdf_cache(), pdf_ahead(), heavy_slots()
    if cache.get(key) is not None or not ahead.claim(key):
        return False
    if not slots.try_acquire():
        ahead.give_back(key)
        return False

    def lay_out() -> None:
        try:
            with app.app_context():
                buffer = io.BytesIO()
                RENDERERS["pdf"].render(evaluation, buffer)
                pdf_cache().put(key, buffer.getvalue())
        except Exception:  # (the download lays it out itself and reports any error)
            app.logger.exception("laying out a PDF ahead failed")
        finally:
            slots.release()
            ahead.done(key)

    context = contextvars.copy_context()  # (the report's date)
    threading.Thread(target=context.run, args=(lay_out,), name="oppeval-pdf-ahead",
                     daemon=True).start()
    return True


_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_filename(filename: str) -> str:
    """``filename`` in ASCII letters, digits, dots, dashes and underscores.

    Accents are dropped and other characters removed; ``report`` stands in for a stem left empty.
    """
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = _NOT_ASCII_NAME.sub("-", folded).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = re.sub(r"-{2,}", "-", stem).strip("-._") or "report"
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` value any server can send (header values travel as Latin-1).

    It has an ASCII ``filename=`` for old clients and the exact name as RFC 5987
    ``filename*=UTF-8''...``, which browsers prefer.
    """
    exact = quote(filename.encode("utf-8", "replace"), safe="!#$&+-.^_`|~")
    return f"{disposition}; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{exact}"



def report_response(evaluation: Any, fmt: str, *, attachment: bool) -> Response:
    """A response holding the evaluation in ``fmt`` (a standalone HTML page may style itself)."""
    body, media_type = render(evaluation, fmt)
    response = Response(body, content_type=media_type)
    if attachment or fmt in ("pdf", "csv"):
        response.headers["Content-Disposition"] = content_disposition(
            download_name(evaluation, fmt)
        )
    if fmt == "html":
        response.headers["Content-Security-Policy"] = standalone_page_policy(body)
    return response


def standalone_page_policy(page: bytes) -> str:
    """The standalone report's policy: no script at all; its own inline style sheet by hash."""
    from evaluator.web import CONTENT_SECURITY_POLICY

    hashes = " ".join(
        "'sha256-"
        + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode("ascii")
        + "'"
        for m in _STYLE.finditer(page.decode("utf-8"))
    )
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {hashes}")


def download_name(evaluation: Any, fmt: str) -> str:
    """A safe file name for a downloaded report: ``<company>-report.<fmt>``.

    ``evaluation`` is an Evaluation or its dictionary.
    """
    plan = (evaluation if isinstance(evaluation, dict) else evaluation.to_dict())["plan"]
    name = "".join(c if c.isalnum() else "-" for c in str(plan["company"]["name"]).lower())
    stem = "-".join(part for part in name.split("-") if part)[:60] or "plan"
    return f"{stem}-report.{fmt}"
