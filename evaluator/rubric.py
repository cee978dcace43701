"""Rubrics: how risky each indicator value is, and the verdict the levels add up to.

A rubric is data (YAML; README.md, "Indicators, rubrics and the verdict"): bands, weights,
reasons, citations, questions, unknown handling, verdict bands and overrides.
:func:`load_rubric` is the only function here that reads a file; it validates the document
against ``rubric_schema.json`` plus the rules a schema cannot express (every ``cite``
resolves, bands ascend and end in a catch-all, every indicator is one the tool computes) and
raises :class:`RubricFileError` naming the file and the path of every problem. :func:`score`
is pure: indicators in, a :class:`Score` out.

Identity: a rubric read from text carries the SHA-256 of that text and whether it is one shipped
with the tool, unchanged (:func:`identify`); a rubric that claims a shipped rubric's id with any
other text is refused, so a look-alike cannot pass for the tool's own rubric.

Scoring: each indicator's value falls in the first band whose ``max`` it does not exceed (a
yes/no value compares as 1/0; the last band has no ``max`` and catches the rest). Levels are
worth low 0, elevated 50, high 100; the score is the weighted mean over scored indicators (an
unknown value is skipped or given the level the rubric's ``unknown`` names). The verdict is the
first verdict band whose ``max`` the score does not exceed; an override whose indicator reaches
its level raises the verdict to at least the override's verdict (a floor, never a ceiling).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NoReturn

import yaml

from evaluator.errors import FieldError, RubricError, first_errors
from evaluator.indicators import INDICATORS, Indicator
from evaluator.resources import data_dir, package_file
from evaluator.schema import BoundedValidator, field_errors, format_path

Level = Literal["low", "elevated", "high"]
LEVELS: tuple[Level, ...] = ("low", "elevated", "high")
LEVEL_POINTS: Mapping[str, int] = MappingProxyType({"low": 0, "elevated": 50, "high": 100})
DEFAULT_RUBRIC = "pyramid-risk.yaml"
MAX_RUBRIC_BYTES = 256_000
"""Largest rubric file accepted, in bytes (the default rubric is a few kilobytes)."""


class RubricFileError(RubricError):
    """A rubric that cannot be used; ``source`` names the file, each error its path in it."""

    def __init__(self, errors: Iterable[FieldError] | str, source: str) -> None:
        """Hold ``errors`` in rubric file ``source``; its message prefixes each with the source."""
        super().__init__(errors)
        self.source = source
        self.args = ("\n".join(f"{source}: {e}" for e in self.errors),)

    def __str__(self) -> str:
        """Every error, one a line, each prefixed with the rubric file."""
        return str(self.args[0])


@dataclass(frozen=True)
class Citation:
    """A source a rubric cites."""

    key: str
    title: str
    year: int
    url: str
    note: str | None = None
    primary_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{title, year, url}``, and ``note`` and ``primary_url`` when the rubric gives them."""
        out: dict[str, Any] = {"title": self.title, "year": self.year, "url": self.url}
        if self.note:
            out["note"] = self.note
        if self.primary_url:
            out["primary_url"] = self.primary_url
        return out


@dataclass(frozen=True)
class Band:
    """Values up to ``max`` (inclusive; None = no upper bound) are at ``level``."""

    level: Level
    max: float | None = None


@dataclass(frozen=True)
class RubricIndicator:
    """How one indicator is judged."""

    id: str
    weight: float
    bands: tuple[Band, ...]
    why: str
    cite: tuple[str, ...]
    question: str
    unknown: Literal["skip", "low", "elevated", "high"] = "skip"

    def level_for(self, value: Any) -> Level | None:
        """The level of a value; None when the value is unknown and the rubric skips it."""
        if value is None:
            return None if self.unknown == "skip" else self.unknown
        number = float(value)
        for band in self.bands:
            if band.max is None or number <= band.max:
                return band.level
        return self.bands[-1].level


@dataclass(frozen=True)
class VerdictBand:
    """Scores up to ``max`` (inclusive; None = no upper bound) get ``label``."""

    label: str
    max: float | None = None


@dataclass(frozen=True)
class Override:
    """When ``indicator`` is at ``level`` or above, the verdict is at least ``verdict``."""

    indicator: str
    level: Level
    verdict: str


@dataclass(frozen=True)
class Rubric:
    """A validated rubric.

    ``sha256`` is the SHA-256 of the rubric text as read (None for a rubric built from an
    already parsed document); ``bundled`` is true only when that text is one shipped with the
    tool, unchanged.
    """

    id: str
    version: str
    title: str
    description: str
    citations: Mapping[str, Citation]
    indicators: tuple[RubricIndicator, ...]
    verdicts: tuple[VerdictBand, ...]
    overrides: tuple[Override, ...] = ()
    source: str = ""
    sha256: str | None = None
    bundled: bool = False

    def indicator(self, indicator_id: str) -> RubricIndicator | None:
        """The rubric's entry for an indicator, or None when it does not judge it."""
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def verdict_for(self, value: float) -> str:
        """The verdict band a score falls in."""
        for band in self.verdicts:
            if band.max is None or value <= band.max:
                return band.label
        return self.verdicts[-1].label

    def verdict_rank(self, label: str) -> int:
        """Position of a verdict from least to most risky."""
        return [v.label for v in self.verdicts].index(label)

    def resolve(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        """``[{key, title, year, url}]`` for citation keys."""
        return [{"key": k, **self.citations[k].to_dict()} for k in keys]

    def to_dict(self) -> dict[str, Any]:
        """The rubric for the Evaluation: identity, verdict bands and overrides.

        The identity includes ``sha256`` and ``bundled``.

        Each indicator's bands travel with the indicator (:meth:`ScoredIndicator.to_dict`).
        The file the rubric came from is left out: it differs between installations.
        """
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "sha256": self.sha256,
            "bundled": self.bundled,
            "verdicts": [{"label": v.label, "max": v.max} for v in self.verdicts],
            "overrides": [
                {"indicator": o.indicator, "level": o.level, "verdict": o.verdict}
                for o in self.overrides
            ],
        }


@dataclass(frozen=True)
class ScoredIndicator:
    """An indicator with the rubric's judgement of it."""

    indicator: Indicator
    level: Level | None
    weight: float
    why: str
    cite: tuple[dict[str, Any], ...]
    question: str | None
    rule: RubricIndicator | None = None

    @property
    def id(self) -> str:
        """The indicator's stable ID."""
        return self.indicator.id

    @property
    def points(self) -> float:
        """Weight x level points: how much this indicator pushes the score up."""
        return 0.0 if self.level is None else self.weight * LEVEL_POINTS[self.level]

    def to_dict(self) -> dict[str, Any]:
        """The indicator's fields plus ``level, weight, why, cite, question, bands, unknown``.

        ``bands`` and ``unknown`` are the rubric's rule (null when the rubric does not judge
        this indicator), so a report can show the thresholds without the rubric file.
        """
        rule = self.rule
        return {
            **self.indicator.to_dict(),
            "level": self.level,
            "weight": self.weight,
            "why": self.why,
            "cite": [dict(c) for c in self.cite],
            "question": self.question,
            "bands": None if rule is None else [{"max": b.max, "level": b.level}
                                                 for b in rule.bands],
            "unknown": None if rule is None else rule.unknown,
        }


@dataclass(frozen=True)
class Score:
    """The rubric's result: score 0-100, verdict, and each indicator's level."""

    value: float
    verdict: str
    band_verdict: str
    levels: Mapping[str, int]
    indicators: tuple[ScoredIndicator, ...]
    overrides_applied: tuple[Override, ...] = field(default=())
    verdict_rank: int = 0
    verdict_level: Level = "low"

    def to_dict(self) -> dict[str, Any]:
        """``{value, verdict, verdict_rank, verdict_level, band_verdict, levels, ...}``.

        ``verdict_rank`` counts from 0 (the rubric's least risky verdict); ``verdict_level`` is
        low for the least risky verdict, high for the most risky, elevated in between, so a
        renderer can mark any rubric's verdict without knowing its labels.
        """
        return {
            "value": self.value,
            "verdict": self.verdict,
            "verdict_rank": self.verdict_rank,
            "verdict_level": self.verdict_level,
            "band_verdict": self.band_verdict,
            "levels": dict(self.levels),
            "overrides_applied": [
                {"indicator": o.indicator, "level": o.level, "verdict": o.verdict}
                for o in self.overrides_applied
            ],
        }


def score(rubric: Rubric, indicators: Sequence[Indicator]) -> Score:
    """Judge every indicator with the rubric and combine the levels into a score and verdict."""
    scored: list[ScoredIndicator] = []
    for ind in indicators:
        entry = rubric.indicator(ind.id)
        if entry is None:
            scored.append(ScoredIndicator(ind, None, 0.0, "", (), None))
            continue
        scored.append(
            ScoredIndicator(
                indicator=ind,
                level=entry.level_for(ind.value),
                weight=entry.weight,
                why=entry.why,
                cite=tuple(rubric.resolve(entry.cite)),
                question=entry.question,
                rule=entry,
            )
        )
    counted = [s for s in scored if s.level is not None and s.weight > 0]
    total_weight = sum(s.weight for s in counted)
    value = sum(s.points for s in counted) / total_weight if total_weight else 0.0
    value = round(value, 4)
    band_verdict = rubric.verdict_for(value)
    verdict = band_verdict
    applied: list[Override] = []
    by_id = {s.id: s for s in scored}
    for override in rubric.overrides:
        hit = by_id.get(override.indicator)
        if hit is None or hit.level is None:
            continue
        if LEVELS.index(hit.level) >= LEVELS.index(override.level):
            applied.append(override)
            if rubric.verdict_rank(override.verdict) > rubric.verdict_rank(verdict):
                verdict = override.verdict
    levels = {lvl: sum(1 for s in scored if s.level == lvl) for lvl in LEVELS}
    levels["unknown"] = sum(1 for s in scored if s.level is None and s.indicator.value is None)
    rank = rubric.verdict_rank(verdict)
    last = len(rubric.verdicts) - 1
    verdict_level: Level = "low" if rank == 0 else "high" if rank == last else "elevated"
    return Score(
        value=value,
        verdict=verdict,
        band_verdict=band_verdict,
        levels=MappingProxyType(levels),
        indicators=tuple(scored),
        overrides_applied=tuple(applied),
        verdict_rank=rank,
        verdict_level=verdict_level,
    )


# ---------------------------------------------------------------------------------------------
# Loading and validation


@cache
def rubric_schema() -> dict[str, Any]:
    """The rubric JSON Schema shipped in the package."""
    return json.loads(package_file("rubric_schema.json").read_text("utf-8"))


def _band_errors(bands: list[dict[str, Any]], where: str, what: str) -> Iterator[FieldError]:
    """Bands must ascend by ``max`` and end with one catch-all band without ``max``."""
    previous: float | None = None
    for i, band in enumerate(bands):
        last = i == len(bands) - 1
        bound = band.get("max")
        if bound is None and not last:
            yield FieldError(
                f"{where}[{i}].max",
                f"is missing, but only the last {what} may omit max (it catches the rest)",
            )
        elif bound is not None and last:
            yield FieldError(
                f"{where}[{i}]",
                f"the last {what} must have no max so that every value falls in a band",
                band,
            )
        if bound is not None:
            if previous is not None and bound <= previous:
                yield FieldError(
                    f"{where}[{i}].max",
                    f"{bound} is not above the previous {what}'s max of {previous}; "
                    "bands must ascend",
                    bound,
                )
            previous = bound


def _cross_errors(doc: dict[str, Any]) -> Iterator[FieldError]:
    """Rules the rubric schema cannot express."""
    citations = doc["citations"]
    labels = [v["label"] for v in doc["verdicts"]]
    yield from _band_errors(doc["verdicts"], "verdicts", "verdict")
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            yield FieldError(f"verdicts[{i}].label", f"{label!r} is used twice", label)
    if not any(entry["weight"] > 0 for entry in doc["indicators"]):
        yield FieldError(
            "indicators",
            "every indicator's weight is 0, so no score could be computed; give at least one "
            "indicator a weight above 0",
        )
    seen: dict[str, int] = {}
    for i, entry in enumerate(doc["indicators"]):
        where = f"indicators[{i}]"
        ind_id = entry["id"]
        if ind_id not in INDICATORS:
            yield FieldError(
                f"{where}.id",
                f"{ind_id!r} is not an indicator the tool computes; known: "
                + ", ".join(sorted(INDICATORS)),
                ind_id,
            )
        if ind_id in seen:
            yield FieldError(
                f"{where}.id", f"{ind_id!r} already appears at indicators[{seen[ind_id]}]", ind_id
            )
        seen.setdefault(ind_id, i)
        yield from _band_errors(entry["bands"], f"{where}.bands", "band")
        for j, key in enumerate(entry["cite"]):
            if key not in citations:
                yield FieldError(
                    f"{where}.cite[{j}]",
                    f"{key!r} is not a key of this rubric's citations",
                    key,
                )
    for i, override in enumerate(doc.get("overrides") or ()):
        if override["indicator"] not in seen:
            yield FieldError(
                f"overrides[{i}].indicator",
                f"{override['indicator']!r} is not an indicator of this rubric",
                override["indicator"],
            )
        if override["verdict"] not in labels:
            yield FieldError(
                f"overrides[{i}].verdict",
                f"{override['verdict']!r} is not one of this rubric's verdicts: "
                + ", ".join(labels),
                override["verdict"],
            )


@cache
def _rubric_validator() -> Any:
    return BoundedValidator(rubric_schema())


def rubric_errors(doc: Any) -> list[FieldError]:
    """Every problem with a parsed rubric document, sorted by path (empty when valid).

    More than :data:`~evaluator.errors.MAX_ERRORS` end in one entry counting the rest.
    """
    found: set[FieldError] = set(_value_errors(doc))
    for error in _rubric_validator().iter_errors(doc):
        found.update(field_errors(error, "the rubric format"))
    if not found:
        found.update(_cross_errors(doc))
    return first_errors(sorted(found))


def parse_rubric(doc: Any, source: str = "<rubric>") -> Rubric:
    """Build a Rubric from a parsed document; raise RubricFileError listing every problem."""
    errors = rubric_errors(doc)
    if errors:
        raise RubricFileError(errors, source)
    citations = {
        key: Citation(
            key, c["title"], int(c["year"]), c["url"], c.get("note"), c.get("primary_url")
        )
        for key, c in sorted(doc["citations"].items())
    }
    indicators = tuple(
        RubricIndicator(
            id=i["id"],
            weight=float(i["weight"]),
            bands=tuple(Band(b["level"], _opt_float(b.get("max"))) for b in i["bands"]),
            why=" ".join(i["why"].split()),
            cite=tuple(i["cite"]),
            question=" ".join(i["question"].split()),
            unknown=i.get("unknown", "skip"),
        )
        for i in doc["indicators"]
    )
    return Rubric(
        id=doc["id"],
        version=str(doc["version"]),
        title=doc["title"],
        description=" ".join((doc.get("description") or "").split()),
        citations=MappingProxyType(citations),
        indicators=indicators,
        verdicts=tuple(VerdictBand(v["label"], _opt_float(v.get("max"))) for v in doc["verdicts"]),
        overrides=tuple(
            Override(o["indicator"], o["level"], o["verdict"]) for o in doc.get("overrides") or ()
        ),
        source=source,
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


MAX_RUBRIC_DEPTH = 16
"""Deepest nesting of mappings and lists accepted in a rubric (the rubric format needs 5)."""

MAX_RUBRIC_NODES = 10_000
"""Most YAML nodes (scalars, mappings, lists) in a rubric: the default rubric has about 1,000,
200 indicators of three bands each about 7,000. Building a node costs PyYAML microseconds of
Python, so this bounds the loader's time."""

MAX_NUMBER_CHARS = 40
"""Longest number accepted in a rubric, in characters (a 5,000-digit whole number would cost
quadratic time to convert, and is no weight or threshold anyone means)."""

RUBRIC_CACHE_SIZE = 32
"""Parsed rubrics kept, by the SHA-256 of their text, so a rubric sent again costs nothing."""

RUBRIC_CACHE_BYTES = 2_000_000
"""Most bytes of rubric text whose outcomes the cache keeps together (32 rubrics at the
256,000-byte file limit would be 8 MB of text, several times that once parsed)."""

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser with PyYAML's safe constructor when available (about ten times faster)."""

_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


def _yaml_limits(text: str, source: str) -> None:
    """Refuse oversized or aliased YAML from the parser's events, before any node is built.

    Refused: aliases, nesting over :data:`MAX_RUBRIC_DEPTH`, more than :data:`MAX_RUBRIC_NODES`
    nodes and numbers over :data:`MAX_NUMBER_CHARS` characters (one linear pass).
    """
    loader = _BaseLoader(text)
    depth = nodes = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                nodes += 1
                if (len(event.value) > MAX_NUMBER_CHARS and event.implicit[0]
                        and loader.resolve(yaml.ScalarNode, event.value, (True, False))
                        in _NUMBER_TAGS):
                    _refuse(event, f"a number written with {len(event.value):,} characters; "
                            f"the limit is {MAX_NUMBER_CHARS}", source)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                nodes += 1
                depth += 1
                if depth > MAX_RUBRIC_DEPTH:
                    _refuse(event, f"the rubric is nested more than {MAX_RUBRIC_DEPTH} levels "
                            f"deep; the limit is {MAX_RUBRIC_DEPTH}", source)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                depth -= 1
            elif kind is yaml.AliasEvent:
                _refuse(event, "aliases (*name) are not allowed in a rubric", source)
            if nodes > MAX_RUBRIC_NODES:
                _refuse(event, f"the rubric has more than {MAX_RUBRIC_NODES:,} values; the "
                        f"limit is {MAX_RUBRIC_NODES:,}", source)
    finally:
        loader.dispose()


def _refuse(event: Any, message: str, source: str) -> NoReturn:
    mark = event.start_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    raise RubricFileError([FieldError("", message + where)], source)


def _value_errors(doc: Any) -> Iterator[FieldError]:
    r"""Numbers that are not finite and text that is not valid Unicode, each at its path.

    Not finite: ``.nan``, ``.inf``; not valid Unicode: a lone surrogate from a ``\ud800`` escape.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc, ())]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            stack.extend(((v, (*where, str(k))) for k, v in node.items()))
        elif isinstance(node, list):
            stack.extend(((v, (*where, i)) for i, v in enumerate(node)))
        elif isinstance(node, float) and not math.isfinite(node):
            yield FieldError(format_path(where), f"{node} is not a finite number", node)
        elif isinstance(node, str) and not node.isascii() and _SURROGATE.search(node):
            yield FieldError(format_path(where), "is text that is not valid Unicode "
                             "(a lone surrogate such as \\ud800)")


_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CACHE: OrderedDict[str, tuple[Rubric | tuple[FieldError, ...], int]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_BYTES = [0]
"""The bytes of text the cache's entries count together (a one-item list, changed in place)."""


def rubric_cache_bytes() -> tuple[int, int]:
    """``(entries, bytes of text)`` the rubric cache holds now."""
    with _CACHE_LOCK:
        return len(_CACHE), _CACHE_BYTES[0]


def parse_rubric_text(text: bytes | str, source: str = "<rubric>") -> Rubric:
    """Parse rubric YAML (safe loading, bounded: see :func:`_yaml_limits`) and validate it.

    The outcome (a Rubric or its errors) is kept by the SHA-256 of the text in a small LRU
    cache (at most :data:`RUBRIC_CACHE_SIZE` outcomes and :data:`RUBRIC_CACHE_BYTES` bytes of
    text), so the same rubric sent again is not parsed again.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(data) > MAX_RUBRIC_BYTES:
        raise RubricFileError(
            [FieldError("", f"the rubric is {len(data):,} bytes; "
                        f"the limit is {MAX_RUBRIC_BYTES:,}")],
            source,
        )
    digest = hashlib.sha256(data).hexdigest()
    with _CACHE_LOCK:
        entry = _CACHE.get(digest)
        known = None if entry is None else entry[0]
        if entry is not None:
            _CACHE.move_to_end(digest)
    if known is None:
        try:
            known = _parse_rubric_text(text, source)
        except RubricFileError as exc:
            known = tuple(exc.errors)
        _keep(digest, known, len(data))
    if isinstance(known, tuple):
        raise RubricFileError(known, source)
    return known if known.source == source else replace(known, source=source)


def _keep(digest: str, outcome: Rubric | tuple[FieldError, ...], size: int) -> None:
    """Cache ``outcome``, dropping the least recent beyond either bound of the cache."""
    with _CACHE_LOCK:
        old = _CACHE.pop(digest, None)
        if old is not None:
            _CACHE_BYTES[0] -= old[1]
        _CACHE[digest] = (outcome, size)
        _CACHE_BYTES[0] += size
        while len(_CACHE) > RUBRIC_CACHE_SIZE or (_CACHE_BYTES[0] > RUBRIC_CACHE_BYTES
                                                   and len(_CACHE) > 1):
            _, (_, dropped) = _CACHE.popitem(last=False)
            _CACHE_BYTES[0] -= dropped


def _parse_rubric_text(text: bytes | str, source: str) -> Rubric:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise RubricFileError([FieldError("", "the rubric is not UTF-8 text")],
                                  source) from None
    try:
        _yaml_limits(text, source)
        doc = yaml.load(text, Loader=_BaseLoader)  # a safe loader: see _BaseLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "unreadable"
        raise RubricFileError(
            [FieldError("", f"not valid YAML: {problem}{where}")], source
        ) from None
    if not isinstance(doc, dict):
        raise RubricFileError(
            [FieldError("", "the rubric must be a YAML mapping with id, version, title, ...")],
            source,
        )
    return identify(parse_rubric(doc, source), text)


@cache
def bundled_rubric_ids() -> Mapping[str, str]:
    """SHA-256 of each rubric text shipped in ``rubrics/`` -> that rubric's id."""
    out = {}
    for path in sorted(data_dir("rubrics").glob("*.yaml")):
        data = path.read_bytes()
        out[hashlib.sha256(data).hexdigest()] = str(yaml.load(data, Loader=_BaseLoader)["id"])
    return MappingProxyType(out)


def identify(rubric: Rubric, text: bytes | str) -> Rubric:
    """``rubric`` with the SHA-256 of its ``text`` and whether it is a shipped one, unchanged.

    Raises RubricFileError when the rubric takes the id of a shipped rubric but its text is not
    exactly that rubric's text (a look-alike would otherwise read as the tool's own).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    digest = hashlib.sha256(data).hexdigest()
    shipped = bundled_rubric_ids()
    if digest not in shipped and rubric.id in shipped.values():
        raise RubricFileError(
            [FieldError("id", f"rubric id {rubric.id!r} belongs to a rubric shipped with this "
                        "tool; give yours another id", rubric.id)],
            rubric.source,
        )
    return replace(rubric, sha256=digest, bundled=digest in shipped)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read and validate a rubric file; None loads the default ``rubrics/pyramid-risk.yaml``."""
    if path is None:
        return _default_rubric()
    return _load(Path(path))


@cache
def _default_rubric() -> Rubric:
    return _load(data_dir("rubrics") / DEFAULT_RUBRIC)


def _load(path: Path) -> Rubric:
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RUBRIC_BYTES + 1)
    except OSError as exc:
        raise RubricFileError([FieldError("", f"cannot be read: {exc.strerror or exc}")],
                              source) from None
    return parse_rubric_text(data, source)
