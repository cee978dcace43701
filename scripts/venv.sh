# Sourced by run.sh and test.sh: make sure .venv/ exists at the repository root.
# Debian ships the venv module separately (python3-venv); install it when it is missing.
if ! python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    echo "oppeval needs Python 3.11 or newer as python3" >&2
    exit 1
fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
