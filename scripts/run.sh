#!/usr/bin/env bash
# Install oppeval into .venv/ (a regular, non-editable install) and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
.venv/bin/pip install --quiet .
mkdir -p out
sample=plan_samples/autoship_unilevel_wellness.json
.venv/bin/oppeval evaluate "$sample" --format json -o out/autoship_unilevel_wellness.json
echo "Evaluated $sample; the report is in $(pwd)/out/autoship_unilevel_wellness.json"
