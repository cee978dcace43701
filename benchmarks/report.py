"""Time to each bundled sample's report as HTML and as PDF (charts included), and to its evaluation.

Usage: ``python benchmarks/report.py [--repeat N] [--sample NAME ...] [--set NAME=VALUE ...]
[--appendix-memory] [--fullness]``.
Each sample (default: every bundled one) is evaluated ``N`` times (the web's default assumptions
unless ``--set`` is given), then rendered ``N`` times per format; the median wall-clock and CPU
times are printed, the time from the plan to the PDF bytes (evaluation plus PDF), and the PDF's
stages (charts and pages, WeasyPrint's layout of the report, the appendix and the furniture,
writing the file), each the median of ``N`` runs; the HTML column's repeats find their charts
kept. ``pdf first`` is the web's click: the first PDF of an evaluation just shown as HTML, in a
process that has rendered another plan before (its charts are drawn, a kept appendix may serve
it); the process never sees the web's PDF cache.
Targets: HTML <= 0.5 s, PDF <= 3 s (the download of a saved report renders the PDF alone).
``--appendix-memory`` prints what one kept appendix layout holds (Python objects through
tracemalloc, and the process's resident memory, which counts the text layouts' C heap too).
``--fullness`` prints, per sample, how full the report's own last page is and, in the joined PDF,
the page before the appendix's, the page the appendix begins on and the emptiest page but the
last (the share of the page's text area down to its lowest line).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import time
import tracemalloc
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
    HTML pages with their charts, WeasyPrint's layout (report, appendix unless kept, furniture),
    and writing the PDF (fonts subset, tags, compression, the attachment)."""
    from evaluator.report.fetcher import AssetFetcher
    from evaluator.report.html import render_paper
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

        pages = render_paper(ev)
        lap("pages and charts")
        layout = renderer.lay_out(ev, pages, fetcher)
        lap("layout")
        renderer.write(layout, ev, fetcher)
        lap("write")
    return {stage: (statistics.median(w for w, _ in times), statistics.median(c for _, c in times))
            for stage, times in runs.items()}


def first_pdf(evaluation: object) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the first PDF of ``evaluation`` after its HTML report."""
    RENDERERS["html"].render(evaluation, io.StringIO())
    start, start_cpu = time.perf_counter(), time.process_time()
    RENDERERS["pdf"].render(evaluation, io.BytesIO())
    return time.perf_counter() - start, time.process_time() - start_cpu


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def appendix_memory(evaluation: object) -> None:
    """Print what one kept appendix layout holds: Python objects and resident memory."""
    from evaluator.report import pdf
    from evaluator.report.fetcher import AssetFetcher
    from evaluator.report.html import render_paper
    from evaluator.report.view import evaluation_dict

    ev = evaluation_dict(evaluation)
    appendix = render_paper(ev)[1]
    RENDERERS["pdf"].render(evaluation, io.BytesIO())  # imports, fonts: not the appendix's
    pdf.clear_appendices()
    gc.collect()
    rss = _rss_bytes()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    pdf.PdfRenderer()._appendix(appendix, pdf.page_size_for(ev), AssetFetcher())
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"one kept appendix layout ({pdf.cached_appendices()} kept): Python objects "
          f"{held / 1e6:.1f} MB (tracemalloc); resident memory +{(_rss_bytes() - rss) / 1e6:.1f} "
          f"MB; at most {pdf.APPENDIX_CACHE_SIZE} are kept")


def fullness(path: Path, overrides: dict[str, object]) -> None:
    """Print how full the pages around the appendix's beginning are, for one sample."""
    from evaluator.report import pdf
    from evaluator.report.fetcher import AssetFetcher
    from evaluator.report.html import render_paper
    from evaluator.report.view import evaluation_dict

    ev = evaluation_dict(evaluate_document(path.read_bytes(), overrides=overrides))
    renderer, pages = pdf.PdfRenderer(), render_paper(ev)
    alone = renderer._render(pages[0], pdf.page_size_for(ev), AssetFetcher())
    joined = renderer.lay_out(ev, pages, AssetFetcher()).document.pages
    full = [pdf._fullness(page) for page in joined]
    start = next(n for n, page in enumerate(joined) if "h-assumptions" in page.anchors)
    print(f"{path.stem:32} report's last page alone {pdf._fullness(alone.pages[-1]):4.0%}; "
          f"joined: {len(joined)} pages, the appendix begins on page {start + 1} "
          f"({full[start]:4.0%} full), the page before it {full[start - 1]:4.0%}, "
          f"emptiest but the last {min(full[:-1]):4.0%}")


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
    parser.add_argument("--appendix-memory", action="store_true",
                        help="print what one kept appendix layout holds, and stop")
    parser.add_argument("--fullness", action="store_true",
                        help="print how full the pages around the appendix are, and stop")
    args = parser.parse_args()
    overrides = parse_set_options(args.settings)
    samples = sorted(p for p in data_dir("plan_samples").glob("*.json")
                     if not args.samples or p.stem in args.samples)
    if args.appendix_memory:
        appendix_memory(evaluate_document(samples[0].read_bytes(), overrides=overrides))
        return
    if args.fullness:
        for path in samples:
            fullness(path, overrides)
        return
    others = sorted(set(data_dir("plan_samples").glob("*.json")) - set(samples))
    warm_path = others[0] if others else samples[0]  # another plan, when one is left
    warm = evaluate_document(warm_path.read_bytes(), overrides=overrides)
    for fmt in TARGETS:
        time_render(fmt, warm, 1)  # imports, fonts and matplotlib caches
    print(f"median of {args.repeat} run(s); wall-clock / CPU seconds (CPU time is the steadier "
          "figure on a shared machine); load average at start "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'sample':32} {'evaluation':>15} {'html':>15} {'pdf':>15} {'plan to pdf':>15} "
          f"{'pages':>6} {'pdf first':>15}")
    worst = {(fmt, kind): 0.0 for fmt in TARGETS for kind in ("wall", "cpu")}
    for path in samples:
        evaluation, eval_wall, eval_cpu = time_evaluation(Path(path).read_bytes(), overrides,
                                                          args.repeat)
        first = first_pdf(evaluation)
        worst["pdf first", "wall"] = max(worst.get(("pdf first", "wall"), 0.0), first[0])
        worst["pdf first", "cpu"] = max(worst.get(("pdf first", "cpu"), 0.0), first[1])
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
              + f" {len(PdfReader(pdf).pages):>6} {first[0]:>6.3f} / {first[1]:>6.3f}")
        print(f"{'':32} pdf by stage: " + ", ".join(
            f"{stage} {w:.3f} / {c:.3f}"
            for stage, (w, c) in pdf_stages(evaluation, args.repeat).items()))
    for fmt, target in (*TARGETS.items(), ("pdf first", TARGETS["pdf"])):
        for kind in ("wall", "cpu"):
            slowest = worst[fmt, kind]
            verdict = "within" if slowest <= target else "OVER"
            print(f"slowest {fmt} median ({kind}) {slowest:.3f} s: {verdict} the {target} s target")
    print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
