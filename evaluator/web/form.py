"""The form blueprint: the offer form, its sample picker and plan upload.

``GET /form`` shows the full form for advocates (``?sample=<name>`` fills it from a bundled
plan; the first page, ``GET /``, is the recruit's quick check in evaluator/web/quick.py).
``POST /evaluate`` reads the form: its "add" and "remove" buttons change the rows (so everything
works with JavaScript off); otherwise the plan is checked, evaluated and saved, and the visitor
is sent (303) to the saved report's address ``/reports/<id>`` (see ``evaluator.web.reports``)
or sees the form again with every error beside its field and every typed value kept.
``POST /upload`` takes a plan JSON file (or the token of a report page, to change its figures)
and either fills the form with it or evaluates it directly.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from evaluator.assumptions import ASSUMPTIONS
from evaluator.errors import FieldError, InputError
from evaluator.library import LibraryUnavailable
from evaluator.web import formdata, reports, service
from evaluator.web.formdata import FormState
from evaluator.web.submission import (
    Submission,
    from_token,
    overrides_from_form,
    read_plan_text,
    rubric_from_request,
)

bp = Blueprint("form", __name__)

EXTRA_INPUTS: dict[str, str] = {
    "seed": "Random seed",
    "rubric": "Rubric",
    "plan_file": "Plan file",
    "sample": "Sample offer",
    **{f"assumptions.{a.name}": a.label for a in ASSUMPTIONS},
}
"""Inputs outside the plan that errors can be shown beside, with their labels."""


def assumption_values(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The assumption inputs' text: defaults, with the visitor's values over them."""
    values = {a.name: formdata.format_value(a.default) for a in ASSUMPTIONS}
    values.update(overrides or {})
    return values


def render_form(
    state: FormState,
    sub: Submission | None = None,
    status: int = 200,
    notice: str = "",
    sample: str = "",
) -> tuple[str, int]:
    """The form page showing ``state``, with ``sub``'s errors beside their fields.

    It also has one error for each list that held more items than the form shows.
    """
    sub = sub or Submission()
    errors = [*sub.errors, *state.too_long_errors()]
    if state.too_long and status == 200:
        status = 422
    placed = formdata.place_errors(errors, formdata.field_labels(state, EXTRA_INPUTS))
    assumption_errors = any(name.startswith(("assumptions.", "seed")) for name in placed.by_field)
    changed = {
        a.name
        for a in ASSUMPTIONS
        if a.name in sub.overrides
        and sub.overrides[a.name] != formdata.format_value(a.default)
    }
    page = render_template(
        "web/form.html",
        state=state,
        errors=placed,
        fd=formdata,
        samples=service.samples(),
        sample=sample,
        assumptions=ASSUMPTIONS,
        assumption_values=assumption_values(sub.overrides),
        assumptions_open=assumption_errors or bool(changed),
        limits=service.WEB_LIMITS,
        seed=sub.seed_text,
        rubrics=service.bundled_rubrics(),
        rubric=sub.rubric,
        default_rubric=service.default_rubric_stem(),
        notice=notice,
    )
    return page, status


@bp.get("/form")
def index() -> tuple[str, int]:
    """The form, empty or filled from a sample."""
    stem = request.args.get("sample", "")
    if stem:
        doc = service.sample_document(stem)
        if doc is None:
            sub = Submission(errors=[FieldError("sample", f"{stem!r} is not a bundled sample")])
            return render_form(FormState(), sub, status=404)
        company = doc.get("company", {}).get("name", stem)
        return render_form(
            formdata.state_from_document(doc),
            notice=f"The form holds the sample plan “{company}”. "
            "Change any figure, or evaluate it.",
            sample=stem,
        )
    return render_form(FormState())


@bp.post("/evaluate")
def evaluate() -> Response | tuple[str, int]:
    """Change the rows, or evaluate the form and show the report (or the errors).

    A button that names no list of the form, or no row number, is refused beside the list (or
    on top) with everything typed kept; so is a list longer than a plan may have.
    """
    state = formdata.state_from_form(request.form)
    sub = Submission(overrides=overrides_from_form(request.form),
                     seed_text=request.form.get("seed", ""))
    sub.rubric, sub.errors = rubric_from_request(request.form, request.files)
    action = request.form.get("action", "evaluate")
    kind, _, rest = action.partition(":")
    if kind == "add":
        if rest not in formdata.REPEATS_BY_PATH:
            sub.errors.append(FieldError("action", f"{rest[:60]!r} is not a list of this form"))
            return render_form(state, sub, status=422)
        if not state.can_add_row(rest):
            sub.errors.append(FieldError(rest, f"has {formdata.max_rows(rest)} rows, the most a "
                                         "plan may have; no row was added"))
            return render_form(state, sub, status=422)
        return render_form(state.add_row(rest), sub)
    if kind == "remove":
        path, _, number = rest.rpartition(":")
        index = formdata.row_index(number)
        if path not in formdata.REPEATS_BY_PATH:
            sub.errors.append(FieldError("action", f"{path[:60]!r} is not a list of this form"))
            return render_form(state, sub, status=422)
        if index is None:
            sub.errors.append(FieldError(path, f"{number[:60]!r} is not a row number (digits "
                                         f"0-9, at most {formdata.INDEX_DIGITS}); no row was "
                                         "removed"))
            return render_form(state, sub, status=422)
        return render_form(state.remove_row(path, index), sub)
    state = state.compact()
    if state.too_long:
        return render_form(state, sub, status=422)
    read_errors: list[FieldError] = []
    sub.doc = formdata.to_document(state, read_errors)
    return show_report_or_form(state, sub, read_errors)


@bp.post("/upload")
def upload() -> Response | tuple[str, int]:
    """A plan JSON file (or a report's plan sent back): fill the form, or evaluate it directly."""
    mode = request.form.get("mode", "fill")
    plan_file = request.files.get("plan_file")
    if plan_file is not None and plan_file.filename:
        sub = Submission(overrides=overrides_from_form(request.form),
                         seed_text=request.form.get("seed", ""))
        sub.rubric, sub.errors = rubric_from_request(request.form, request.files)
        parse_errors: list[FieldError] = []
        sub.doc = read_plan_text(plan_file.stream.read(), parse_errors)
        sub.errors.extend(
            FieldError("plan_file", f"{plan_file.filename}: {e}") for e in parse_errors
        )
    elif request.form.get("token"):
        sub = from_token(request.form["token"])
    else:
        sub = Submission(errors=[FieldError("plan_file", "choose a plan file (.json) to upload")])
    state = formdata.state_from_document(sub.doc) if isinstance(sub.doc, dict) else FormState()
    if mode == "evaluate" and isinstance(sub.doc, dict):
        return show_report_or_form(state, sub)
    sub.check()
    notice = "" if sub.errors else "The form holds your plan. Change any figure, or evaluate it."
    return render_form(state, sub, status=422 if sub.errors else 200, notice=notice)


def show_report_or_form(state: FormState, sub: Submission,
                        read_errors: list[FieldError] | None = None,
                        ) -> Response | tuple[str, int]:
    """Evaluate a checked submission and save it.

    The answer is a redirect to the saved report's address (post, redirect, get), or the form
    with every error.

    ``read_errors`` are the number reader's refusals of typed inputs; each replaces the plan
    schema's error for the same input, so a share typed as "10" says "did you mean 10%?".
    """
    sub.check()
    if read_errors:
        read = tuple(e.path for e in read_errors)
        sub.errors = [*read_errors, *(e for e in sub.errors if not e.path.startswith(read))]
    if not sub.errors:
        try:
            evaluation = sub.evaluate()
            report_id = reports.save_report(evaluation, sub.doc, sub.overrides, sub.seed_text,
                                            sub.rubric)
        except InputError as exc:
            sub.errors.extend(exc.errors)
        except LibraryUnavailable as exc:
            reports.log.error("report library unavailable: %s", exc)
            sub.errors.append(FieldError("", reports.UNAVAILABLE))
            return render_form(state, sub, status=503)
        else:
            return redirect(url_for("reports.show", report_id=report_id), 303)
    return render_form(state, sub, status=422)

