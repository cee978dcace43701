#!/usr/bin/env bash
# Install everything the tests need (system packages included) into .venv/, then run
# ruff and the whole test suite on two processes. The library tests start their own throwaway
# PostgreSQL 15 cluster from the postgresql package (tests/library/postgres.py); with CI=true
# they fail, not skip, if it cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium postgresql
# Node and npm for axe-core: Debian's packages on a fresh machine; an image that ships its own
# Node (whose nodejs package includes npm and conflicts with Debian's npm) keeps it.
if ! command -v npm >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends nodejs npm
fi
source scripts/venv.sh
.venv/bin/pip install --quiet -e ".[test]"
npm ci --no-audit --no-fund  # axe-core for the accessibility tests (package.json)
.venv/bin/ruff check .
.venv/bin/pytest -n 2
