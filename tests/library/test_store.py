"""The report store on real SQLite and real PostgreSQL: save, fetch after a restart, delete with
and without the token, expiry, size limit, concurrent saves, and a broken database."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from evaluator.errors import LimitError
from evaluator.library import LibraryUnavailable, ReportDraft, ReportStore
from evaluator.library.store import REPORT_ID, metadata, sqlite_url

DAY = 86_400
NOW = 1_800_000_000.0


def draft(name: str = "Acme", size: int = 0) -> ReportDraft:
    """A small report to save (the evaluation JSON need only carry what the store reads)."""
    evaluation = {"engine_version": "0.1.0", "seed": 7, "plan": {"company": {"name": name}},
                  "rubric": {"id": "pyramid-risk", "version": 3},
                  "score": {"verdict": "Lower risk"}, "padding": "x" * size}
    return ReportDraft(plan={"company": {"name": name}}, assumptions={"runs": "1"},
                       seed_text="7", rubric_stem="", rubric_text="",
                       evaluation_json=json.dumps(evaluation, sort_keys=True, indent=2) + "\n")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def test_a_saved_report_is_read_back_by_a_new_store(database_url: str) -> None:
    first = ReportStore(database_url)
    saved = draft()
    report_id, _token = first.save(saved)
    first.close()
    again = ReportStore(database_url)
    report = again.fetch(report_id)
    again.close()
    assert report is not None
    assert report.evaluation_json == saved.evaluation_json
    assert report.plan == saved.plan
    assert report.assumptions == {"runs": "1"}
    assert (report.seed, report.seed_text, report.engine_version) == (7, "7", "0.1.0")
    assert (report.rubric_id, report.rubric_version) == ("pyramid-risk", "3")
    assert (report.company, report.verdict, report.public) == ("Acme", "Lower risk", False)


def test_ids_are_random_128_bit_url_safe_and_unguessable(database_url: str) -> None:
    store = ReportStore(database_url)
    ids = {store.save(draft())[0] for _ in range(20)}
    assert len(ids) == 20
    assert all(REPORT_ID.fullmatch(i) for i in ids)
    assert store.fetch("A" * 22) is None
    assert store.fetch("../../etc/passwd") is None
    store.close()


def test_delete_needs_the_token_and_only_its_hash_is_stored(database_url: str) -> None:
    store = ReportStore(database_url)
    report_id, token = store.save(draft())
    assert store.delete(report_id, "not-the-token") is False
    assert store.delete(report_id, "") is False
    assert store.fetch(report_id) is not None
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM reports")).mappings().one()
    engine.dispose()
    assert token not in json.dumps({k: str(v) for k, v in row.items()})
    assert row["delete_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert store.delete(report_id, token) is True
    assert store.fetch(report_id) is None
    assert store.delete(report_id, token) is False
    store.close()


def test_reports_expire_after_the_kept_days_unless_public(database_url: str) -> None:
    clock = Clock()
    store = ReportStore(database_url, keep_days=90, clock=clock)
    private, _ = store.save(draft("Private"))
    public, token = store.save(draft("Public"))
    assert store.set_public(public, "wrong", True) is False
    assert store.set_public(public, token, True) is True
    clock.now = NOW + 90 * DAY
    assert store.fetch(private) is not None, "kept for the whole 90th day"
    clock.now = NOW + 90 * DAY + 1
    assert store.fetch(private) is None, "never shown once expired, even before the purge"
    assert store.count() == 2
    assert store.purge_expired() == 1
    assert store.count() == 1
    report = store.fetch(public)
    assert report is not None
    assert store.expires_at(report) is None
    store.close()


def test_expired_reports_are_purged_when_the_store_opens_and_on_save(database_url: str) -> None:
    clock = Clock()
    store = ReportStore(database_url, keep_days=1, clock=clock)
    store.save(draft())
    store.close()
    clock.now = NOW + 2 * DAY
    reopened = ReportStore(database_url, keep_days=1, clock=clock)
    assert reopened.count() == 0
    reopened.save(draft())
    clock.now = NOW + 4 * DAY
    reopened.save(draft())
    assert reopened.count() == 1
    reopened.close()


def test_only_public_reports_are_listed(database_url: str) -> None:
    store = ReportStore(database_url)
    hidden, _ = store.save(draft("Hidden"))
    shown, token = store.save(draft("Shown"))
    assert store.public_reports() == []
    store.set_public(shown, token, True)
    assert [r.id for r in store.public_reports()] == [shown]
    store.set_public(shown, token, False)
    assert store.public_reports() == []
    assert store.fetch(hidden) is not None
    store.close()


def test_a_report_over_the_size_limit_is_refused_naming_it(database_url: str) -> None:
    store = ReportStore(database_url, max_bytes=5_000)
    store.save(draft(size=1_000))
    with pytest.raises(LimitError) as caught:
        store.save(draft(size=10_000))
    (error,) = caught.value.errors
    assert error.path == "report"
    assert "limit of 5,000 bytes a saved report may hold" in error.message
    assert store.count() == 1
    store.close()


def test_twenty_concurrent_saves_lose_nothing(database_url: str) -> None:
    store = ReportStore(database_url)
    saved: list[tuple[str, str]] = []
    failures: list[BaseException] = []
    start = threading.Barrier(20)
    lock = threading.Lock()

    def client(number: int) -> None:
        try:
            start.wait()
            result = store.save(draft(f"Client {number}"))
            with lock:
                saved.append(result)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({report_id for report_id, _ in saved}) == 20
    assert store.count() == 20
    names = {store.fetch(report_id).company for report_id, _ in saved}  # type: ignore[union-attr]
    assert names == {f"Client {n}" for n in range(20)}
    store.close()


def test_the_migrations_make_the_table_the_code_uses(database_url: str) -> None:
    store = ReportStore(database_url)
    store.ensure_ready()
    store.close()
    engine = sa.create_engine(database_url)
    inspector = sa.inspect(engine)
    columns = {c["name"]: c["nullable"] for c in inspector.get_columns("reports")}
    indexes = {i["name"] for i in inspector.get_indexes("reports")}
    engine.dispose()
    table = metadata.tables["reports"]
    assert columns == {c.name: c.nullable for c in table.columns}
    assert indexes == {i.name for i in table.indexes}


def test_a_corrupt_sqlite_file_is_reported_as_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    path.write_bytes(b"this is not a database " * 200)
    store = ReportStore(sqlite_url(path))
    with pytest.raises(LibraryUnavailable):
        store.fetch("A" * 22)
    with pytest.raises(LibraryUnavailable):
        store.save(draft())
    store.close()


def test_a_database_damaged_after_opening_is_reported_as_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = ReportStore(sqlite_url(path))
    report_id, _ = store.save(draft())
    store.close()
    path.write_bytes(b"\0junk" * 4096)
    for stale in path.parent.glob("reports.sqlite3-*"):
        stale.unlink()
    with pytest.raises(LibraryUnavailable):
        store.fetch(report_id)
    store.close()


def test_an_unreachable_postgres_server_is_reported_as_unavailable(tmp_path: Path) -> None:
    store = ReportStore(f"postgresql+psycopg://nobody@/postgres?host={tmp_path}&port=9")
    with pytest.raises(LibraryUnavailable):
        store.fetch("A" * 22)
    store.close()
