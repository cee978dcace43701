"""One source for each list: every list of component types, formats and engines is derived
from its one source (plan_schema.json, the renderer registry, the engine registry), or is a
per-item table whose keys a test here holds to that source."""

from __future__ import annotations

import copy
import re
import typing
from importlib import resources
from typing import Any

import pytest

from evaluator import schema
from evaluator.cli import cli
from evaluator.model import ComponentType, Plan
from evaluator.schema import COMPONENT_FIELDS, COMPONENT_TYPES, plan_errors, plan_schema


def _branches(doc: dict[str, Any]) -> list[dict[str, Any]]:
    items = doc["properties"]["compensation"]["properties"]["components"]["items"]
    return items["oneOf"]


def _plan(*components: dict[str, Any]) -> dict[str, Any]:
    return {
        "company": {"name": "Example"},
        "costs": {"currency": "USD"},
        "products": [{"name": "Shake", "wholesale_price": 40, "retail_price": 50}],
        "compensation": {"components": list(components),
                         "ranks": [{"name": "Director", "monthly_bonus": 100}]},
    }


MINIMAL: dict[str, dict[str, Any]] = {
    "retail_margin": {},
    "retail_commission": {"rate": 0.1},
    "enrollment_bonus": {"amounts": [50]},
    "fast_start": {"rates": [0.2]},
    "unilevel": {"rates": [0.05]},
    "binary": {"rate": 0.1},
    "matrix": {"width": 3, "rates": [0.05]},
    "breakaway": {"generation_rates": [0.04]},
    "rank_bonus": {},
    "matching_bonus": {"rates": [0.1]},
    "first_order_bonus": {"rates": [0.1]},
    "position_return": {"per_month": 10},
    "pool": {"share": 0.02, "rank": "Director"},
}
"""A smallest valid component of each type (test data; its keys are checked below)."""


# ---------------------------------------------------------------- component types


def test_component_types_are_the_schemas_type_consts() -> None:
    consts = [b["properties"]["type"]["const"] for b in _branches(plan_schema())]
    assert consts == list(COMPONENT_TYPES)
    assert len(set(consts)) == len(consts)
    assert set(MINIMAL) == set(COMPONENT_TYPES)


def test_component_fields_are_each_branchs_properties() -> None:
    for branch in _branches(plan_schema()):
        kind = branch["properties"]["type"]["const"]
        assert COMPONENT_FIELDS[kind] == tuple(k for k in branch["properties"] if k != "type")


def test_the_model_literal_equals_the_schemas_types() -> None:
    assert typing.get_args(ComponentType) == COMPONENT_TYPES


def test_the_model_writes_back_every_field_of_each_type() -> None:
    for kind in COMPONENT_TYPES:  # a v1.1 plan: a v1 plan is written without v1.1 fields
        plan = Plan.from_dict({**_plan({"type": kind, **MINIMAL[kind]}), "schema_version": "1.1"})
        written = plan.to_dict()["compensation"]["components"][0]
        # a first-order bonus gives rates or amounts, and only the one given is written
        unused = {"amounts"} if kind == "first_order_bonus" else set()
        expected = tuple(f for f in COMPONENT_FIELDS[kind] if f not in unused)
        assert tuple(written) == ("type", *expected), kind


def test_a_bad_component_is_checked_by_its_own_branch_whatever_the_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The branch is found by its ``type`` const: reversing the ``oneOf`` changes nothing."""
    doc = _plan({"type": "binary", "rate": 2})
    expected = [("compensation.components[0].rate", "2 is more than the maximum of 1")]
    assert [(e.path, e.message) for e in plan_errors(doc)] == expected
    reordered = copy.deepcopy(plan_schema())
    _branches(reordered).reverse()
    monkeypatch.setattr(schema, "_validator", lambda: schema.BoundedValidator(reordered))
    assert [(e.path, e.message) for e in plan_errors(doc)] == expected


def test_every_type_has_a_vectorised_payout() -> None:
    from evaluator.simulation.payouts import COSTLIEST_FIRST, PARTS, VectorisedEngine

    # The vectorised engine dispatches on ``"_" + type``; every schema type has its method.
    assert [k for k in COMPONENT_TYPES if not callable(getattr(VectorisedEngine, "_" + k, None))
            ] == []
    assert set(COSTLIEST_FIRST) <= set(COMPONENT_TYPES)
    assert set(PARTS) <= set(COMPONENT_TYPES)


@pytest.mark.parametrize("engine", ["vectorised", "reference"])
def test_every_engine_pays_every_type(engine: str) -> None:
    from evaluator.assumptions import Assumptions
    from evaluator.simulation import simulate

    components = [{"type": k, **MINIMAL[k]} for k in COMPONENT_TYPES]
    plan = Plan.from_dict(_plan(*components))
    small = Assumptions.from_overrides({"max_participants": 150, "initial_participants": 10,
                                        "market_size": 1000, "horizon_months": 6, "runs": 1})
    result = simulate(plan, small, 7, engine).to_dict()
    assert set(result["pay_by_component"]) == set(COMPONENT_TYPES)


def test_every_type_has_its_terms_in_the_report() -> None:
    from evaluator.report.html import component_terms

    for kind in COMPONENT_TYPES:
        component = {"type": kind, **MINIMAL[kind]}
        fallback = ", ".join(f"{k}: {v}" for k, v in MINIMAL[kind].items())
        assert component_terms(component, "USD") not in ("", fallback), kind


def test_the_form_styles_every_type_that_has_fields() -> None:
    text = resources.files("evaluator").joinpath("web/static/app.css").read_text("utf-8")
    styled = set(re.findall(r'option\[value="([a-z_]+)"\]:checked\) \.t-\1', text))
    assert styled == {k for k, fields in COMPONENT_FIELDS.items() if fields}


def test_batch_plan_types_are_component_types_or_single_level() -> None:
    from evaluator.batch_rows import PLAN_TYPES

    assert set(PLAN_TYPES) - {"single_level"} <= set(COMPONENT_TYPES)


# ---------------------------------------------------------------- formats and engines


def test_formats_are_the_renderer_registry() -> None:
    from evaluator import cli
    from evaluator.report import RENDERERS
    from evaluator.web import service
    from evaluator.web.api import openapi_document

    assert cli.FORMATS == tuple(RENDERERS) == service.FORMATS
    assert set(service.DOWNLOAD_LABELS) == set(RENDERERS)
    params = openapi_document()["paths"]["/api/v1/evaluate"]["post"]["parameters"]
    enum = next(p for p in params if p["name"] == "format")["schema"]["enum"]
    assert enum == list(RENDERERS)
    option = next(p for p in cli.evaluate.params if p.name == "fmt")
    assert tuple(option.type.choices) == tuple(RENDERERS)


def test_engines_are_the_engine_registry() -> None:
    from evaluator import cli
    from evaluator.simulation import ENGINES

    assert tuple(ENGINES) == cli.ENGINES
    for command in (cli.evaluate, cli.batch):
        option = next(p for p in command.params if p.name == "engine")
        assert tuple(option.type.choices) == tuple(ENGINES)


# ---------------------------------------------------------------- a field's wording


def test_every_form_label_is_its_schema_title() -> None:
    from evaluator.web import formdata as fd

    for part in (*fd.GROUPS, *fd.REPEATS):
        if isinstance(part, fd.Group):
            assert part.title == fd.schema_node(part.path)["title"], part.path
        for f in part.fields:
            assert f.label == fd.schema_node(part.path, f.key)["title"], (part.path, f.key)
    assert dict(fd.COMPONENT_LABELS) == {
        b["properties"]["type"]["const"]: b["title"] for b in _branches(plan_schema())}


def test_a_field_several_components_take_has_one_wording_for_the_form() -> None:
    seen: dict[str, str] = {}
    for branch in _branches(plan_schema()):
        for key, node in branch["properties"].items():
            assert seen.setdefault(key, node["title"]) == node["title"], key


def test_the_form_shows_a_component_field_for_exactly_the_types_that_take_it() -> None:
    from evaluator.web import formdata as fd

    shown = {f.key: set(f.types) for f in fd.COMPONENTS.fields if f.key != "type"}
    taken: dict[str, set[str]] = {}
    for kind, keys in COMPONENT_FIELDS.items():
        for key in keys:
            taken.setdefault(key, set()).add(kind)
    assert shown == taken


def test_a_batch_column_that_fills_a_plan_field_has_that_fields_wording() -> None:
    from evaluator.batch_rows import COLUMNS
    from evaluator.schema import field_node, meaning

    worded = [c for c in COLUMNS if c.path is not None]
    assert worded
    for column in worded:
        assert column.meaning == meaning(field_node(column.path)), column.name


def test_the_batch_output_formats_are_one_list() -> None:
    """The batch's result formats: one tuple, which the type and the CLI's choices follow."""
    from evaluator.batch import OutputFormat
    from evaluator.batch_rows import OUTPUT_FORMATS

    assert set(typing.get_args(OutputFormat)) == set(OUTPUT_FORMATS)
    batch_command = cli.commands["batch"]
    choices = next(p.type.choices for p in batch_command.params if p.name == "fmt")
    assert tuple(choices) == OUTPUT_FORMATS
