"""Time to render each bundled sample's report as HTML and as PDF (charts included).

Usage: ``python benchmarks/report.py [--repeat N] [--sample NAME ...] [--set NAME=VALUE ...]``.
Each sample (default: every bundled one) is evaluated once (the web's default assumptions unless
``--set`` is given), then rendered ``N`` times per format; the median wall-clock and CPU times
are printed, and for the PDF where its CPU time goes (charts and page, WeasyPrint layout,
writing the file). Targets: HTML <= 0.5 s, PDF <= 3 s.
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


def pdf_stages(evaluation: object) -> dict[str, float]:
    """CPU seconds of one PDF render by stage: the HTML page with its charts, WeasyPrint's
    layout, and writing the PDF (fonts subset, tags, compression)."""
    import weasyprint

    from evaluator.report.fetcher import AssetFetcher
    from evaluator.report.html import render_page

    fetcher = AssetFetcher()
    start = time.process_time()
    page = render_page(evaluation)
    paged = time.process_time()
    document = weasyprint.HTML(string=page, base_url=fetcher.base_url,
                               url_fetcher=fetcher).render()
    laid_out = time.process_time()
    document.write_pdf(pdf_tags=True)
    return {"page and charts": paged - start, "layout": laid_out - paged,
            "write": time.process_time() - laid_out}


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
        print(f"{'':32} pdf cpu by stage: " + ", ".join(
            f"{stage} {seconds:.3f}s" for stage, seconds in pdf_stages(evaluation).items()))
    for fmt, target in TARGETS.items():
        for kind in ("wall", "cpu"):
            slowest = worst[fmt, kind]
            verdict = "within" if slowest <= target else "OVER"
            print(f"slowest {fmt} median ({kind}) {slowest:.3f} s: {verdict} the {target} s target")


if __name__ == "__main__":
    main()
