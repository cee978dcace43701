"""Saved reports in SQLite or PostgreSQL through SQLAlchemy Core: save, fetch, delete, expire.

A report is stored with what was asked (plan, assumption overrides, seed text, rubric choice)
and what came out (the evaluation's canonical JSON, its seed, engine and rubric versions), so
it can be shown again, byte for byte, after any restart. Its id is 128 random bits (URL-safe);
its delete token is returned once by :meth:`ReportStore.save` and stored only as a SHA-256
hash. Reports not marked public expire ``keep_days`` after they were saved: they are never
returned after that and are purged when the store opens and on every save. The schema comes
from the Alembic migrations in ``migrations/``, run on first use. Every database failure is a
:class:`LibraryUnavailable`; nothing here knows of the web.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from evaluator.errors import FieldError, LimitError

DEFAULT_KEEP_DAYS = 90
"""Days a report not marked public is kept (the app setting ``OPPEVAL_REPORT_DAYS``)."""

MAX_REPORT_BYTES = 4_000_000
"""Most a saved report may hold, in UTF-8 bytes: its plan, assumptions, rubric text and
evaluation JSON together (a plan is at most 1 MB, a rubric 256 kB)."""

REPORT_ID = re.compile(r"[A-Za-z0-9_-]{22}")
"""A report id: 16 random bytes, URL-safe base64 without padding."""

_MIGRATION_LOCK = 4_217_031_903
"""PostgreSQL advisory lock key held while the schema is migrated (one migrator at a time)."""

metadata = sa.MetaData()
reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("public", sa.Boolean, nullable=False),
    sa.Column("delete_hash", sa.String(64), nullable=False),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("plan_json", sa.Text, nullable=False),
    sa.Column("assumptions_json", sa.Text, nullable=False),
    sa.Column("seed_text", sa.Text, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=True),
    sa.Column("rubric_stem", sa.Text, nullable=False),
    sa.Column("rubric_text", sa.Text, nullable=False),
    sa.Column("rubric_id", sa.Text, nullable=True),
    sa.Column("rubric_version", sa.Text, nullable=True),
    sa.Column("engine_version", sa.Text, nullable=False),
    sa.Column("evaluation_json", sa.Text, nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Index("ix_reports_public_created", "public", "created_at"),
)
"""The table the migrations create (kept equal to them by a test)."""


class LibraryUnavailable(Exception):
    """The report database cannot be opened, read or written (missing, damaged, unreachable)."""


@dataclass(frozen=True)
class ReportDraft:
    """What to save: the submission as asked and the evaluation's canonical JSON."""

    plan: Any
    assumptions: Mapping[str, str]
    seed_text: str
    rubric_stem: str
    rubric_text: str
    evaluation_json: str


@dataclass(frozen=True)
class SavedReport:
    """A report read back from the library."""

    id: str
    created_at: int
    public: bool
    company: str
    verdict: str
    plan: Any
    assumptions: dict[str, str]
    seed_text: str
    seed: int | None
    rubric_stem: str
    rubric_text: str
    rubric_id: str | None
    rubric_version: str | None
    engine_version: str
    evaluation_json: str = field(repr=False)

    def evaluation(self) -> dict[str, Any]:
        """The evaluation dictionary, parsed from the stored canonical JSON."""
        result: dict[str, Any] = json.loads(self.evaluation_json)
        return result


def token_hash(token: str) -> str:
    """The stored form of a delete token (tokens are 128 random bits, so one SHA-256 is enough)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite+pysqlite:///{path}"


def migrate(connection: Connection) -> None:
    """Bring the schema to the newest migration (Alembic, configured in code)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class ReportStore:
    """Saved reports in one database, opened (and migrated) on first use, safe across threads."""

    def __init__(
        self,
        url: str,
        *,
        keep_days: int = DEFAULT_KEEP_DAYS,
        max_bytes: int = MAX_REPORT_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep the settings; the database is opened and migrated on first use.

        ``keep_days`` below 1 raises ValueError.
        """
        if keep_days < 1:
            raise ValueError("keep_days must be at least 1")
        self.url = sa.engine.make_url(url)
        self.keep_days = keep_days
        self.max_bytes = max_bytes
        self.clock = clock
        self._engine: Engine | None = None
        self._ready = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------ connection

    @property
    def is_sqlite(self) -> bool:
        """Whether the library is an SQLite file."""
        return self.url.get_backend_name() == "sqlite"

    def _make_engine(self) -> Engine:
        if not self.is_sqlite:
            return sa.create_engine(self.url, pool_pre_ping=True)
        if self.url.database and self.url.database != ":memory:":
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(self.url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

        return engine

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A connection in a transaction; any database failure becomes LibraryUnavailable."""
        self.ensure_ready()
        assert self._engine is not None
        try:
            with self._engine.begin() as connection:
                yield connection
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            raise LibraryUnavailable(f"the report database failed: {exc}") from exc

    def ensure_ready(self) -> None:
        """Open the database, creating or upgrading its schema, then purge expired reports."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            try:
                self._engine = self._engine or self._make_engine()
                with self._engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                           {"key": _MIGRATION_LOCK})
                    migrate(connection)
                    connection.execute(self._expired_delete())
            except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
                raise LibraryUnavailable(f"the report database cannot be opened: {exc}") from exc
            self._ready = True

    def close(self) -> None:
        """Close every pooled connection (the store opens again on next use)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._ready = False

    # ------------------------------------------------------------ expiry

    def cutoff(self) -> int:
        """Reports not marked public and saved before this time (Unix seconds) have expired."""
        return int(self.clock()) - self.keep_days * 86_400

    def expires_at(self, report: SavedReport) -> int | None:
        """When a report expires (Unix seconds), or None for a public one."""
        return None if report.public else report.created_at + self.keep_days * 86_400

    def _expired_delete(self) -> sa.Delete:
        return reports.delete().where(
            reports.c.public.is_(False), reports.c.created_at < self.cutoff()
        )

    def purge_expired(self) -> int:
        """Delete every expired report now; returns how many went."""
        with self._begin() as connection:
            return connection.execute(self._expired_delete()).rowcount

    # ------------------------------------------------------------ reports

    def save(self, draft: ReportDraft) -> tuple[str, str]:
        """Save a report; returns ``(id, delete token)``. LimitError when over :attr:`max_bytes`."""
        evaluation = json.loads(draft.evaluation_json)
        row = {
            "plan_json": json.dumps(draft.plan, sort_keys=True, separators=(",", ":")),
            "assumptions_json": json.dumps(dict(draft.assumptions), sort_keys=True),
            "seed_text": draft.seed_text,
            "rubric_stem": draft.rubric_stem,
            "rubric_text": draft.rubric_text,
            "evaluation_json": draft.evaluation_json,
        }
        size = sum(len(value.encode("utf-8")) for value in row.values())
        if size > self.max_bytes:
            raise LimitError([FieldError(
                "report",
                f"this report would take {size:,} bytes to save, more than the limit of "
                f"{self.max_bytes:,} bytes a saved report may hold; use a smaller plan or "
                "rubric, or the command line (oppeval evaluate), which saves nothing",
            )])
        rubric = evaluation.get("rubric") or {}
        company = str(((evaluation.get("plan") or {}).get("company") or {}).get("name") or "")
        report_id, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        row.update(
            id=report_id,
            created_at=int(self.clock()),
            public=False,
            delete_hash=token_hash(token),
            company=company[:200],
            verdict=str((evaluation.get("score") or {}).get("verdict") or ""),
            seed=evaluation.get("seed"),
            rubric_id=rubric.get("id"),
            rubric_version=None if rubric.get("version") is None else str(rubric["version"]),
            engine_version=str(evaluation.get("engine_version") or ""),
            size_bytes=size,
        )
        with self._begin() as connection:
            connection.execute(self._expired_delete())
            connection.execute(reports.insert().values(**row))
        return report_id, token

    def fetch(self, report_id: str) -> SavedReport | None:
        """The report with this id, or None when there is none (or it has expired)."""
        if not REPORT_ID.fullmatch(report_id):
            return None
        query = reports.select().where(
            reports.c.id == report_id,
            sa.or_(reports.c.public.is_(True), reports.c.created_at >= self.cutoff()),
        )
        with self._begin() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _saved(row)

    def _owned(self, connection: Connection, report_id: str, token: str) -> bool:
        if not REPORT_ID.fullmatch(report_id):
            return False
        stored = connection.execute(
            sa.select(reports.c.delete_hash).where(reports.c.id == report_id)
        ).scalar()
        return stored is not None and hmac.compare_digest(stored, token_hash(token))

    def delete(self, report_id: str, token: str) -> bool:
        """Delete a report if ``token`` is its delete token; whether it was deleted."""
        with self._begin() as connection:
            if not self._owned(connection, report_id, token):
                return False
            connection.execute(reports.delete().where(reports.c.id == report_id))
        return True

    def set_public(self, report_id: str, token: str, public: bool) -> bool:
        """Mark a report public (listed, kept) or not, if ``token`` is its delete token."""
        with self._begin() as connection:
            if not self._owned(connection, report_id, token):
                return False
            connection.execute(
                reports.update().where(reports.c.id == report_id).values(public=public)
            )
        return True

    def public_reports(self, limit: int = 100) -> list[SavedReport]:
        """Reports their authors marked public, newest first."""
        query = (
            reports.select()
            .where(reports.c.public.is_(True))
            .order_by(reports.c.created_at.desc(), reports.c.id)
            .limit(limit)
        )
        with self._begin() as connection:
            return [_saved(row) for row in connection.execute(query).mappings()]

    def count(self) -> int:
        """How many reports the library holds (expired ones not yet purged included)."""
        with self._begin() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(reports))
                       .scalar_one())


def _saved(row: Mapping[str, Any]) -> SavedReport:
    return SavedReport(
        id=row["id"],
        created_at=int(row["created_at"]),
        public=bool(row["public"]),
        company=row["company"],
        verdict=row["verdict"],
        plan=json.loads(row["plan_json"]),
        assumptions={str(k): str(v) for k, v in json.loads(row["assumptions_json"]).items()},
        seed_text=row["seed_text"],
        seed=row["seed"],
        rubric_stem=row["rubric_stem"],
        rubric_text=row["rubric_text"],
        rubric_id=row["rubric_id"],
        rubric_version=row["rubric_version"],
        engine_version=row["engine_version"],
        evaluation_json=row["evaluation_json"],
    )
