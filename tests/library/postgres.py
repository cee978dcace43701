"""A throwaway PostgreSQL 15 cluster for the library tests, run as an unprivileged user.

``OPPEVAL_TEST_POSTGRES_URL`` names a server to use instead. Otherwise a cluster is made with
Debian's ``initdb`` in a fresh directory under /tmp, owned by ``nobody`` when the tests run as
root (PostgreSQL refuses to run as root), and listens only on a Unix socket in that directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
"""Where Debian's postgresql-15 package puts initdb and pg_ctl."""

RUN_AS = "nobody"
"""The unprivileged user the cluster runs as when the tests run as root."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(args: list[str], as_user: str | None, cwd: Path) -> None:
    command = ["runuser", "-u", as_user, "--", *args] if as_user else args
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                          cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr.strip() or done.stdout}")


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a cluster; yield its SQLAlchemy URL; stop and remove it afterwards."""
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL 15 is not installed ({BIN / 'initdb'} is missing)")
    as_user = RUN_AS if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="oppeval-pg-"))
    data = root / "data"
    port = _free_port()
    try:
        if as_user:
            shutil.chown(root, user=as_user)
        _run([str(BIN / "initdb"), "-D", str(data), "-U", "oppeval", "--auth=trust",
              "--no-sync", "-E", "UTF8"], as_user, root)
        _run([str(BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
              f"-k {root} -p {port} -c listen_addresses='' -c fsync=off", "start"], as_user, root)
        try:
            yield f"postgresql+psycopg://oppeval@/postgres?host={root}&port={port}"
        finally:
            _run([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                 as_user, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
