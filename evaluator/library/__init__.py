"""The report library: saved evaluations in a database (SQLite by default, or PostgreSQL).

:class:`~evaluator.library.store.ReportStore` keeps each saved report (the plan, the assumptions,
seed and rubric asked for, the engine and rubric versions, the evaluation's canonical JSON and
when it was saved) under a random 128-bit id, with only a hash of its delete token. It knows
nothing of the web: the web app and the tests call it the same way. The schema is created and
upgraded by the Alembic migrations in ``evaluator/library/migrations/`` on first use.
"""

from evaluator.library.store import (
    DEFAULT_KEEP_DAYS,
    MAX_REPORT_BYTES,
    LibraryUnavailable,
    ReportDraft,
    ReportStore,
    SavedReport,
)

__all__ = [
    "DEFAULT_KEEP_DAYS",
    "MAX_REPORT_BYTES",
    "LibraryUnavailable",
    "ReportDraft",
    "ReportStore",
    "SavedReport",
]
