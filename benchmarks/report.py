"""Time to each bundled sample's report as HTML and as PDF (charts included), and to its evaluation.

Usage: ``python benchmarks/report.py [--repeat N] [--sample NAME ...] [--set NAME=VALUE ...]``.
Each sample (default: every bundled one) is evaluated ``N`` times (the web's default assumptions
unless ``--set`` is given), then rendered ``N`` times per format; the median wall-clock and CPU
times are printed, the time from the plan to the PDF bytes (evaluation plus PDF), and the PDF's
stages (charts and page, WeasyPrint's layout, writing the file), each the median of ``N`` runs.
Targets: HTML <= 0.5 s, PDF <= 3 s (the download of a saved report renders the PDF alone).
"""

from __future__ import annotations

import argparse
import io
import os
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


def pdf_stages(evaluation: object, repeat: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU seconds of the PDF's stages, as ``PdfRenderer`` runs them: the
    HTML page with its charts, WeasyPrint's layout, and writing the PDF (fonts subset, tags,
    compression, the attachment)."""
    from evaluator.report.fetcher import AssetFetcher
    from evaluator.report.html import render_page
    from evaluator.report.pdf import PdfRenderer
    from evaluator.report.view import evaluation_dict

    renderer = PdfRenderer()
    ev = evaluation_dict(evaluation)
    runs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(repeat):
        fetcher = AssetFetcher()
        clock = (time.perf_counter(), time.process_time())

        def lap(stage: str) -> None:
            nonlocal clock
            now = (time.perf_counter(), time.process_time())
            runs.setdefault(stage, []).append((now[0] - clock[0], now[1] - clock[1]))
            clock = now

        page = render_page(ev, paper=True)
        lap("page and charts")
        document = renderer.lay_out(ev, page, fetcher)
        lap("layout")
        renderer.write(document, ev, page, fetcher)
        lap("write")
    return {stage: (statistics.median(w for w, _ in times), statistics.median(c for _, c in times))
            for stage, times in runs.items()}


def time_evaluation(document: bytes, overrides: dict[str, object],
                    repeat: int) -> tuple[object, list[float], list[float]]:
    """The Evaluation of ``document`` and the wall-clock and CPU seconds of ``repeat`` runs."""
    wall, cpu = [], []
    evaluation: object = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        evaluation = evaluate_document(document, overrides=overrides)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return evaluation, wall, cpu


def main() -> None:
    """Print a table of render times per sample and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE")
    parser.add_argument("--sample", dest="samples", action="append", default=[],
                        metavar="NAME", help="a bundled sample's name (repeatable)")
    args = parser.parse_args()
    overrides = parse_set_options(args.settings)
    samples = sorted(p for p in data_dir("plan_samples").glob("*.json")
                     if not args.samples or p.stem in args.samples)
    warm = evaluate_document(samples[0].read_bytes(), overrides=overrides)
    for fmt in TARGETS:
        time_render(fmt, warm, 1)  # imports, fonts and matplotlib caches
    print(f"median of {args.repeat} run(s); wall-clock / CPU seconds (CPU time is the steadier "
          "figure on a shared machine); load average at start "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'sample':32} {'evaluation':>15} {'html':>15} {'pdf':>15} {'plan to pdf':>15} "
          f"{'pages':>6}")
    worst = {(fmt, kind): 0.0 for fmt in TARGETS for kind in ("wall", "cpu")}
    for path in samples:
        evaluation, eval_wall, eval_cpu = time_evaluation(Path(path).read_bytes(), overrides,
                                                          args.repeat)
        cells = [(statistics.median(eval_wall), statistics.median(eval_cpu))]
        for fmt in TARGETS:
            wall, cpu = time_render(fmt, evaluation, args.repeat)
            for kind, times in (("wall", wall), ("cpu", cpu)):
                worst[fmt, kind] = max(worst[fmt, kind], statistics.median(times))
            cells.append((statistics.median(wall), statistics.median(cpu)))
        cells.append((cells[0][0] + cells[2][0], cells[0][1] + cells[2][1]))
        pdf = io.BytesIO()
        RENDERERS["pdf"].render(evaluation, pdf)
        pdf.seek(0)
        print(f"{path.stem:32} " + " ".join(f"{w:>6.3f} / {c:>6.3f}" for w, c in cells)
              + f" {len(PdfReader(pdf).pages):>6}")
        print(f"{'':32} pdf by stage: " + ", ".join(
            f"{stage} {w:.3f} / {c:.3f}"
            for stage, (w, c) in pdf_stages(evaluation, args.repeat).items()))
    for fmt, target in TARGETS.items():
        for kind in ("wall", "cpu"):
            slowest = worst[fmt, kind]
            verdict = "within" if slowest <= target else "OVER"
            print(f"slowest {fmt} median ({kind}) {slowest:.3f} s: {verdict} the {target} s target")
    print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
