"""Rubrics: how risky each indicator value is, and the verdict the levels add up to.

A rubric is data (YAML, DESIGN.md section 6): bands, weights, reasons, citations, questions,
unknown handling, verdict bands and overrides. :func:`load_rubric` is the only function here
that reads a file; it validates the document against ``rubric_schema.json`` plus the rules a
schema cannot express (every ``cite`` resolves, bands ascend and end in a catch-all, every
indicator is one the tool computes) and raises :class:`RubricFileError` naming the file and
the path of every problem. :func:`score` is pure: indicators in, a :class:`Score` out.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from jsonschema import Draft202012Validator

from evaluator.errors import FieldError, RubricError
from evaluator.indicators import INDICATORS, Indicator
from evaluator.resources import data_dir, package_file
from evaluator.schema import field_errors

Level = Literal["low", "elevated", "high"]
LEVELS: tuple[Level, ...] = ("low", "elevated", "high")
LEVEL_POINTS: Mapping[str, int] = MappingProxyType({"low": 0, "elevated": 50, "high": 100})
DEFAULT_RUBRIC = "pyramid-risk.yaml"
MAX_RUBRIC_BYTES = 256_000
"""Largest rubric file accepted, in bytes (the default rubric is a few kilobytes)."""


class RubricFileError(RubricError):
    """A rubric that cannot be used; ``source`` names the file, each error its path in it."""

    def __init__(self, errors: Iterable[FieldError] | str, source: str) -> None:
        super().__init__(errors)
        self.source = source
        self.args = ("\n".join(f"{source}: {e}" for e in self.errors),)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Citation:
    """A source a rubric cites."""

    key: str
    title: str
    year: int
    url: str
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{title, year, url}`` and ``note`` when the rubric gives one."""
        out: dict[str, Any] = {"title": self.title, "year": self.year, "url": self.url}
        if self.note:
            out["note"] = self.note
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
        """The rubric for the Evaluation: identity (with ``sha256`` and ``bundled``), verdict
        bands and overrides.

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


def rubric_errors(doc: Any) -> list[FieldError]:
    """Every problem with a parsed rubric document, sorted by path (empty when valid)."""
    found: set[FieldError] = set()
    for error in Draft202012Validator(rubric_schema()).iter_errors(doc):
        found.update(field_errors(error, "the rubric format"))
    if not found:
        found.update(_cross_errors(doc))
    return sorted(found)


def parse_rubric(doc: Any, source: str = "<rubric>") -> Rubric:
    """Build a Rubric from a parsed document; raise RubricFileError listing every problem."""
    errors = rubric_errors(doc)
    if errors:
        raise RubricFileError(errors, source)
    citations = {
        key: Citation(key, c["title"], int(c["year"]), c["url"], c.get("note"))
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


class _SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses aliases (no exponential expansion of a small file)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a rubric", event.start_mark
            )
        return super().compose_node(parent, index)


def parse_rubric_text(text: bytes | str, source: str = "<rubric>") -> Rubric:
    """Parse rubric YAML (safe loading, aliases refused) and validate it."""
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > MAX_RUBRIC_BYTES:
        raise RubricFileError(
            [FieldError("", f"the rubric is {size:,} bytes; the limit is {MAX_RUBRIC_BYTES:,}")],
            source,
        )
    try:
        doc = yaml.load(text, Loader=_SafeLoader)  # a SafeLoader subclass
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
        out[hashlib.sha256(data).hexdigest()] = str(yaml.load(data, Loader=_SafeLoader)["id"])
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
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RubricFileError([FieldError("", "the rubric is not UTF-8 text")], source) from None
    return parse_rubric_text(text, source)
