"""The ``oppeval`` command line: a thin front door over the evaluation pipeline.

Commands: ``validate``, ``evaluate``, ``compare``, ``batch``, ``serve``, ``samples`` and
``rubric check`` (README.md, "Command line"). Exit codes: 0 ok, 2 invalid input (every problem
printed on stderr as ``SOURCE: path: message``), 1 a bug. The ``--format`` and ``--engine``
choices are the names in the renderer and engine registries (importing them loads neither
WeasyPrint nor matplotlib). The evaluation, renderers, rubrics, batch and the web app are
imported inside the command that needs them, so a command loads only what it uses; nothing is
ever written unless the whole output was produced first.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from evaluator import DEFAULT_SEED, __version__
from evaluator.assumptions import SPECS, parse_set_options
from evaluator.batch_rows import OUTPUT_FORMATS
from evaluator.errors import (
    AssumptionError,
    EvaluatorError,
    FieldError,
    InputError,
    LimitError,
)
from evaluator.numbers import NumberError, read_seed
from evaluator.report import RENDERERS
from evaluator.resources import data_dir
from evaluator.schema import MAX_PLAN_BYTES
from evaluator.simulation import ENGINES as SIMULATION_ENGINES

FORMATS: tuple[str, ...] = tuple(RENDERERS)
"""``--format`` choices: the renderer registry's names."""
ENGINES: tuple[str, ...] = tuple(SIMULATION_ENGINES)
"""``--engine`` choices: the simulation's engine registry's names."""

CONTEXT_SETTINGS: dict[str, Any] = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": 100,
    "terminal_width": 100,
}


def _fail(errors: Sequence[FieldError], source: str | None) -> NoReturn:
    """Print every error on stderr, each prefixed with where the input came from; exit 2."""
    for error in errors:
        text = str(error)
        click.echo(f"{source}: {text}" if source else text, err=True)
    sys.exit(2)


@contextmanager
def _input_errors(source: str | None) -> Iterator[None]:
    """Turn any InputError into stderr lines and exit code 2.

    Plan and rubric errors are prefixed with ``source`` (the file the input came from);
    assumption errors already name ``assumptions.NAME`` or ``--set`` and stand alone.
    """
    try:
        yield
    except AssumptionError as exc:
        _fail(exc.errors, None)
    except InputError as exc:
        _fail(exc.errors, source)


def _read_input(path: str, limit: int = MAX_PLAN_BYTES) -> bytes:
    """Read a plan file (``-`` for stdin) without loading more than ``limit + 1`` bytes."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
            size = None
        else:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
                size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise InputError([FieldError("", f"cannot be read: {exc.strerror or exc}")]) from None
    if len(data) > limit:
        message = (
            f"the plan is {size:,} bytes; the limit is {limit:,} bytes"
            if size and size > limit
            else f"the plan is larger than the limit of {limit:,} bytes"
        )
        raise LimitError([FieldError("", message)])
    return data


def _display_name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _first_sentence(text: str | None, limit: int = 90) -> str:
    """The first sentence of a note, shortened to fit one line."""
    if not text:
        return ""
    line = " ".join(text.split())
    end = line.find(". ")
    sentence = line if end < 0 else line[: end + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


@click.group("oppeval", context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="oppeval")
def cli() -> None:
    """Opportunity Evaluator: whether a network-marketing offer is a business or a pyramid.

    Reads a plan (JSON, plan schema v1), works out what joining costs and what it takes to
    break even, simulates the network, and scores documented pyramid indicators against a
    cited rubric. Not legal advice.

    Exit codes: 0 ok, 2 invalid input (every problem is listed), 1 an internal error.
    """


@cli.command()
@click.argument("plans", metavar="PLAN...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, allow_dash=True))
def validate(plans: tuple[str, ...]) -> None:
    """Check plan files against plan schema v1 and list every problem.

    Exit code 0 when every plan is valid, 2 when any is not.
    """
    from evaluator.model import Plan

    failed = False
    for path in plans:
        name = _display_name(path)
        try:
            plan = Plan.from_bytes(_read_input(path))
        except InputError as exc:
            failed = True
            for error in exc.errors:
                click.echo(f"{name}: {error}", err=True)
            continue
        click.echo(f"{name}: valid plan (schema v{plan.schema_version}) for {plan.company.name}")
    if failed:
        sys.exit(2)


def _seed_option(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """``--seed`` read by the one number reader (evaluator/numbers.py); a bad one exits 2."""
    try:
        return read_seed(value)
    except NumberError as exc:
        _fail([FieldError("--seed", str(exc), value)], None)


def _set_help() -> str:
    return (
        "Change an assumption for this run (repeatable). Names: " + ", ".join(SPECS) + "."
    )


@cli.command()
@click.argument("plan", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="json",
              show_default=True, help="Output format.")
@click.option("--output", "-o", "out", type=click.Path(dir_okay=False, allow_dash=True),
              default="-", show_default="stdout", help="Where to write the output.")
@click.option("--seed", metavar="INTEGER", default=str(DEFAULT_SEED), callback=_seed_option,
              show_default=True, help="Random seed of the simulation (0 to 2^63 - 1).")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False),
              help="Rubric YAML file to score with (default: the bundled pyramid-risk rubric).")
@click.option("--engine", type=click.Choice(ENGINES), default="vectorised", show_default=True,
              help="Simulation engine: the fast one, or the plain per-participant oracle.")
@click.option("--set", "settings", metavar="NAME=VALUE", multiple=True, help=_set_help())
def evaluate(plan: str, fmt: str, out: str, seed: int, rubric_path: str | None, engine: str,
             settings: tuple[str, ...]) -> None:
    """Evaluate one plan and write the report (JSON to stdout by default)."""
    from evaluator.evaluation import evaluate_document
    from evaluator.report import RENDERERS

    renderer = RENDERERS[fmt]
    overrides, rubric = _settings(renderer.binary, out, f"a {fmt} report", settings, rubric_path)
    name = _display_name(plan)
    with _input_errors(name):
        evaluation = evaluate_document(
            _read_input(plan), overrides=overrides, seed=seed, rubric=rubric, engine=engine
        )
    buffer: io.BytesIO | io.StringIO = io.BytesIO() if renderer.binary else io.StringIO()
    renderer.render(evaluation, buffer)
    payload = buffer.getvalue()
    _write_output(payload if isinstance(payload, bytes) else payload.encode("utf-8"), out, fmt)


def _settings(binary: bool, out: str, what: str, settings: tuple[str, ...],
              rubric_path: str | None) -> tuple[dict[str, str], Any]:
    """The ``--set`` overrides and the ``--rubric`` (or None) of a command that writes ``what``.

    A binary output is refused on a terminal; every refusal ends the command with exit 2.
    """
    if binary and out == "-" and sys.stdout.isatty():
        _fail([FieldError("--output", f"{what} is binary; write it to a file with -o")], None)
    with _input_errors(None):
        overrides = parse_set_options(settings)
    rubric = None
    if rubric_path is not None:
        from evaluator.rubric import load_rubric

        with _input_errors(rubric_path):
            rubric = load_rubric(rubric_path)
    return overrides, rubric


def _write_output(data: bytes, out: str, what: str) -> None:
    """``data`` to standard output (``-``) or to the file ``out``, which is written whole."""
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        _fail([FieldError("--output", f"{out} cannot be written: {exc.strerror or exc}")], None)
    click.echo(f"wrote {out} ({what}, {len(data):,} bytes)", err=True)


COMPARE_FORMATS = ("text", "html", "pdf", "csv")


def _plan_or_report(path: str) -> Any:
    """A plan file's bytes, or the plan inside a report's JSON (``oppeval evaluate`` output)."""
    import json

    from evaluator.library import MAX_REPORT_BYTES

    data = _read_input(path, limit=MAX_REPORT_BYTES)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data  # evaluate_document names what is wrong with it
    if isinstance(doc, dict) and {"engine_version", "plan", "score"} <= doc.keys():
        return doc["plan"]
    return data


@cli.command()
@click.argument("plans", metavar="PLAN...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(COMPARE_FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", "out", type=click.Path(dir_okay=False, allow_dash=True),
              default="-", show_default="stdout", help="Where to write the output.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED,
              show_default=True, help="Random seed of every offer's simulation.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False),
              help="Rubric YAML file to score with (default: the bundled pyramid-risk rubric).")
@click.option("--set", "settings", metavar="NAME=VALUE", multiple=True, help=_set_help())
def compare(plans: tuple[str, ...], fmt: str, out: str, seed: int, rubric_path: str | None,
            settings: tuple[str, ...]) -> None:
    """Compare 2 to 4 offers side by side under one set of assumptions, rubric and seed.

    Each PLAN is a plan file or a report's JSON (its plan is evaluated again). Prints which
    offer costs a recruit less and why, then the figures and the indicators that differ.
    """
    from evaluator.compare import MAX_OFFERS, MIN_OFFERS
    from evaluator.compare import compare as compare_offers
    from evaluator.evaluation import evaluate_document
    from evaluator.report.comparison import COMPARISON_RENDERERS

    renderer = COMPARISON_RENDERERS[fmt]
    if not MIN_OFFERS <= len(plans) <= MAX_OFFERS:
        _fail([FieldError("PLAN", f"give {MIN_OFFERS} to {MAX_OFFERS} plans to compare; "
                          f"{len(plans)} given")], None)
    overrides, rubric = _settings(renderer.binary, out, f"a {fmt} comparison", settings,
                                  rubric_path)
    evaluations = []
    for plan in plans:
        name = _display_name(plan)
        with _input_errors(name):
            evaluation = evaluate_document(_plan_or_report(plan), overrides=overrides,
                                           seed=seed, rubric=rubric)
        evaluations.append(evaluation.to_dict())
    _write_output(renderer.render_bytes(compare_offers(evaluations)), out, f"{fmt} comparison")


@cli.command()
@click.argument("plans_csv", metavar="PLANS.csv", type=click.Path(dir_okay=False, exists=True))
@click.option("--output", "-o", "out", type=click.Path(dir_okay=False, allow_dash=True),
              required=True, help="Where to write the results (- for stdout).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Local worker processes (default: all cores).")
@click.option("--format", "-f", "fmt", type=click.Choice(OUTPUT_FORMATS), default="csv",
              show_default=True,
              help="Output format: csv (one row per input row) or json (JSON lines, one object "
                   "per input row).")
@click.option("--dask-scheduler", "dask_scheduler", metavar="ADDRESS", default=None,
              help="Run the rows on this Dask distributed scheduler instead of local processes.")
@click.option("--seed", metavar="INTEGER", default=str(DEFAULT_SEED), callback=_seed_option,
              show_default=True,
              help="Base seed (0 to 2^63 - 1); each row's seed derives from it.")
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False),
              help="Rubric YAML file to score with (default: the bundled pyramid-risk rubric).")
@click.option("--engine", type=click.Choice(ENGINES), default="vectorised", show_default=True,
              help="Simulation engine.")
@click.option("--set", "settings", metavar="NAME=VALUE", multiple=True, help=_set_help())
def batch(plans_csv: str, out: str, workers: int | None, fmt: str, dask_scheduler: str | None,
          seed: int, rubric_path: str | None, engine: str, settings: tuple[str, ...]) -> None:
    """Score every row of a CSV of offers; every input row gets an output row.

    Prints a summary (rows, scored, invalid, rows per verdict) on stderr. Exit code 0 when
    the batch ran, even with invalid rows; 2 when the CSV itself cannot be read; 1 when a
    row hit an internal error (the row is still written, marked "error").
    """
    from evaluator.batch import run_batch

    with _input_errors(None):
        overrides = parse_set_options(settings)
    with _input_errors(plans_csv):
        summary = run_batch(plans_csv, out, workers=workers, fmt=fmt,
                            dask_scheduler=dask_scheduler, seed=seed, overrides=overrides,
                            rubric_path=rubric_path, engine=engine)
    click.echo(f"wrote {'<stdout>' if out == '-' else out}: {summary.text()}", err=True)
    if summary.errors:
        sys.exit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.option("--connection-limit", type=click.IntRange(1), default=None,
              help="Most connections held open at once (default: OPPEVAL_CONNECTION_LIMIT, "
                   "else 1000).")
@click.option("--channel-timeout", type=click.IntRange(1), default=None,
              help="Seconds an idle connection is kept open (default: OPPEVAL_CHANNEL_TIMEOUT, "
                   "else 30).")
def serve(host: str, port: int, connection_limit: int | None,
          channel_timeout: int | None) -> None:
    """Run the web app under a production WSGI server, with the samples preloaded.

    SIGTERM or Ctrl-C stops the server and its worker processes.
    """
    from evaluator.web import serve as run

    with _input_errors(None):
        run(host, port, connection_limit=connection_limit, channel_timeout=channel_timeout)


@cli.command()
def samples() -> None:
    """List the bundled sample plans: file, company and the pattern each follows."""
    from evaluator.model import Plan

    rows = []
    for path in sorted(data_dir("plan_samples").glob("*.json")):
        plan = Plan.from_bytes(path.read_bytes())
        rows.append((path.name, plan.company.name, _first_sentence(plan.company.notes)))
    if not rows:
        raise click.ClickException(f"no sample plans found in {data_dir('plan_samples')}")
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for file_name, company, note in rows:
        click.echo(f"{file_name:<{widths[0]}}  {company:<{widths[1]}}  {note}".rstrip())
    click.echo(f"\n{len(rows)} plans in {data_dir('plan_samples')}")


@cli.group()
def rubric() -> None:
    """Work with rubric files."""


@rubric.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def rubric_check(file: str) -> None:
    """Validate a rubric YAML file against the rubric schema."""
    from evaluator.rubric import load_rubric

    with _input_errors(file):
        loaded = load_rubric(file)
    click.echo(f"{file}: valid rubric {loaded.id} version {loaded.version}")


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``oppeval``)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="oppeval")
    except EvaluatorError as exc:  # an error the pipeline raised outside an input context
        click.echo(f"oppeval: {exc}", err=True)
        sys.exit(exc.exit_code)
