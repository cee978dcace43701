"""Time to render each bundled sample's report as HTML and as PDF (charts included).

Usage: ``python benchmarks/report.py [--repeat N] [--set NAME=VALUE ...]``. Each sample is
evaluated once (default assumptions unless ``--set`` is given), then rendered ``N`` times per
format; the median wall-clock and CPU times are printed. Targets: HTML <= 0.5 s, PDF <= 3 s.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

from pypdf import PdfReader

from evaluator.assumptions import parse_set_options
from evaluator.evaluation import evaluate_document
from evaluator.report import RENDERERS
from evaluator.resources import data_dir

TARGETS = {"html": 0.5, "pdf": 3.0}


def time_render(fmt: str, evaluation: object, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``repeat`` renders of one format.

    CPU time is printed beside wall time because the machine may be shared: wall time then
    includes waiting for a core, CPU time does not.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        buffer = io.BytesIO()
        start, start_cpu = time.perf_counter(), time.process_time()
        RENDERERS[fmt].render(evaluation, buffer)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    """Print a table of render times per sample and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE")
    args = parser.parse_args()
    overrides = parse_set_options(args.settings)
    samples = sorted(data_dir("plan_samples").glob("*.json"))
    warm = evaluate_document(samples[0].read_bytes(), overrides=overrides)
    for fmt in TARGETS:
        time_render(fmt, warm, 1)  # imports, fonts and matplotlib caches
    print(f"{'sample':32} {'html wall':>10} {'html cpu':>9} {'pdf wall':>9} {'pdf cpu':>8} "
          f"{'pages':>6}")
    worst = {(fmt, kind): 0.0 for fmt in TARGETS for kind in ("wall", "cpu")}
    for path in samples:
        evaluation = evaluate_document(Path(path).read_bytes(), overrides=overrides)
        row = [f"{path.stem:32}"]
        for fmt in TARGETS:
            wall, cpu = time_render(fmt, evaluation, args.repeat)
            for kind, times in (("wall", wall), ("cpu", cpu)):
                worst[fmt, kind] = max(worst[fmt, kind], statistics.median(times))
            width = 10 if fmt == "html" else 9
            row.append(f"{statistics.median(wall):>{width - 1}.3f}s "
                       f"{statistics.median(cpu):>{7 if fmt == 'pdf' else 8}.3f}s")
        pdf = io.BytesIO()
        RENDERERS["pdf"].render(evaluation, pdf)
        pdf.seek(0)
        row.append(f"{len(PdfReader(pdf).pages):>6}")
        print(" ".join(row))
    for fmt, target in TARGETS.items():
        for kind in ("wall", "cpu"):
            slowest = worst[fmt, kind]
            verdict = "within" if slowest <= target else "OVER"
            print(f"slowest {fmt} median ({kind}) {slowest:.3f} s: {verdict} the {target} s target")


if __name__ == "__main__":
    main()
