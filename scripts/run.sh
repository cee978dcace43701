#!/usr/bin/env bash
# Install oppeval into .venv/ (a regular, non-editable install), evaluate a sample, then serve
# the web app on http://127.0.0.1:8000/ (waitress, every sample in the form's picker).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
.venv/bin/pip install --quiet .
mkdir -p out
sample=plan_samples/autoship_unilevel_wellness.json
.venv/bin/oppeval evaluate "$sample" --format json -o out/autoship_unilevel_wellness.json
echo "Evaluated $sample; the report is in $(pwd)/out/autoship_unilevel_wellness.json"
echo "Starting the web app on http://127.0.0.1:8000/ (Ctrl-C stops it)"
exec .venv/bin/oppeval serve --host 127.0.0.1 --port 8000
