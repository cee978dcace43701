"""Parsing that is linear, bounded and refuses what is ambiguous (security issue 17).

Each attack of the issue is here as a regression, at every door that reads it: the plan parser,
the JSON API, the plan upload, the report download link, ``oppeval validate`` and a batch
``plan_file``; the rubric loader and ``oppeval rubric check``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import Signer

from evaluator import rubric as rubric_module
from evaluator.cli import cli
from evaluator.errors import MAX_ERRORS, FieldError, InputError, RubricError
from evaluator.resources import data_dir
from evaluator.rubric import (
    MAX_NUMBER_CHARS,
    MAX_RUBRIC_DEPTH,
    MAX_RUBRIC_NODES,
    RubricFileError,
    parse_rubric_text,
)
from evaluator.schema import MAX_PLAN_BYTES, parse_plan, plan_errors
from evaluator.web.submission import TOKEN_SALT
from tests.security.conftest import csrf_token, error_messages, post_multipart

SAMPLE = data_dir("plan_samples") / "retail_first_single_level.json"
RUBRIC = data_dir("rubrics") / "pyramid-risk.yaml"
SMALL = "max_participants=200&runs=1&horizon_months=12"
NOT_UNICODE = "is text that is not valid Unicode"
REPEATED = "appears more than once in the same object"


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text("utf-8"))


def errors_of(data: bytes | str) -> list[FieldError]:
    """What the plan parser and the schema say about a document (empty when valid)."""
    try:
        return plan_errors(parse_plan(data))
    except InputError as exc:
        return exc.errors


def api(client: FlaskClient, body: bytes) -> Any:
    return client.post(f"/api/v1/evaluate?{SMALL}", data=body, content_type="application/json")


def cli_validate(tmp_path: Path, data: bytes) -> tuple[int, list[str]]:
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    return result.exit_code, result.stderr.splitlines()


def upload(client: FlaskClient, data: bytes) -> Any:
    return post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "fill", "plan_file": (data, "plan.json")})


def batch_plan_file(tmp_path: Path, data: bytes) -> str:
    """The reason ``oppeval batch`` gives for a row whose plan_file holds ``data``."""
    (tmp_path / "plan.json").write_bytes(data)
    (tmp_path / "plans.csv").write_text("plan_file\nplan.json\n", "utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "plans.csv"), "-o", str(out),
                                      "--workers", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return out.read_text("utf-8")


# ----------------------------------------------------------------- item 1: linear parsing

def unterminated_escapes(size: int) -> bytes:
    """``{"a": "\\"\\"\\"...`` of ``size`` bytes: a string of escaped quotes never closed."""
    head = b'{"a": "'
    return head + b'\\"' * ((size - len(head)) // 2)


def test_an_unterminated_run_of_escaped_quotes_at_the_size_limit_is_a_json_error() -> None:
    data = unterminated_escapes(MAX_PLAN_BYTES)
    assert len(data) >= MAX_PLAN_BYTES - 1
    [error] = errors_of(data)
    assert error.path == ""
    assert error.message.startswith("not valid JSON: Unterminated string starting at")


def test_the_escape_attack_is_refused_at_the_api_the_upload_and_the_command_line(
        client: FlaskClient, tmp_path: Path) -> None:
    data = unterminated_escapes(MAX_PLAN_BYTES)
    response = api(client, data)
    assert response.status_code == 400
    assert error_messages(response)[0].startswith("not valid JSON: Unterminated string")
    assert client.get("/healthz").status_code == 200
    response = upload(client, data)
    assert response.status_code == 422
    assert "Unterminated string" in response.get_data(as_text=True)
    code, lines = cli_validate(tmp_path, data)
    assert code == 2
    assert "not valid JSON: Unterminated string" in lines[0]


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    doc = sample()
    doc["company"]["notes"] = "[" * 100 + '\\"{' * 50
    assert errors_of(json.dumps(doc)) == []


def test_nesting_is_counted_through_escaped_quotes_and_unterminated_strings() -> None:
    deep = b'{"a": "x\\"y", "b": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert "nested 41 levels deep" in errors_of(deep)[0].message
    assert "not valid JSON" in errors_of(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[')[0].message


# ----------------------------------------------------------------- item 3: bounded errors

def test_a_list_over_its_max_items_is_one_error_not_one_per_item(client: FlaskClient) -> None:
    doc = sample()
    count = (MAX_PLAN_BYTES - len(json.dumps(doc))) // 3
    doc["products"] = [{}] * count
    data = json.dumps(doc, separators=(",", ":")).encode()
    assert len(data) <= MAX_PLAN_BYTES
    assert [str(e) for e in errors_of(data)] == [
        f"products: has {count} items; at most 200 are allowed"]
    response = api(client, data)
    assert response.status_code == 422
    assert error_messages(response) == [f"products: has {count} items; at most 200 are allowed"]


def broken_products(count: int) -> bytes:
    """A plan whose ``count`` products each lack their three required fields."""
    doc = sample()
    doc["products"] = [{"name": f"p{i}"} for i in range(count)]
    return json.dumps(doc).encode()


def test_errors_beyond_the_first_hundred_are_counted_in_one_final_entry(
        client: FlaskClient, tmp_path: Path) -> None:
    data = broken_products(200)  # within maxItems: 2 errors per product
    errors = errors_of(data)
    assert len(errors) == MAX_ERRORS + 1
    assert errors[0].path == "products[0].retail_price"
    assert errors[-1] == FieldError(
        "", f"and {400 - MAX_ERRORS} more problems not listed: the first {MAX_ERRORS} are shown")
    response = api(client, data)
    assert response.status_code == 422
    messages = error_messages(response)
    assert len(messages) == MAX_ERRORS + 1
    assert messages[-1] == "and 300 more problems not listed: the first 100 are shown"
    code, lines = cli_validate(tmp_path, data)
    assert code == 2
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1].endswith("and 300 more problems not listed: the first 100 are shown")


def test_a_document_within_the_error_limit_keeps_every_problem() -> None:
    errors = errors_of(broken_products(MAX_ERRORS // 2))
    assert len(errors) == MAX_ERRORS
    assert not any("not listed" in e.message for e in errors)


def test_thousands_of_unknown_fields_are_listed_up_to_the_limit_and_counted() -> None:
    doc = sample()
    doc["costs"].update({f"k{i}": 0 for i in range(5000)})
    errors = errors_of(json.dumps(doc))
    assert len(errors) == MAX_ERRORS + 1
    assert "costs: has 5,000 fields that are not fields of plan schema v1.1; the first 100 by " \
        "name are listed" in [str(e) for e in errors]


# ------------------------------------------------- items 8 and 16: surrogates, repeated keys

def with_company_name_escape(escape: str) -> bytes:
    doc = sample()
    doc["company"]["name"] = "@NAME@"
    return json.dumps(doc).replace('"@NAME@"', f'"Bad{escape}Co"').encode()


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\uDBFF"])
def test_a_lone_surrogate_is_refused_naming_its_path(escape: str) -> None:
    assert [str(e) for e in errors_of(with_company_name_escape(escape))] == [
        f"company.name: {NOT_UNICODE} (a lone surrogate such as \\ud800)"]


def test_a_surrogate_pair_is_a_character_not_an_error() -> None:
    assert errors_of(with_company_name_escape("\\ud83d\\ude00")) == []


def test_lone_surrogates_in_names_and_lists_are_named_too() -> None:
    doc = sample()
    doc["disclosures"] = {"income_claims": ["ok", "@X@"]}
    text = json.dumps(doc).replace('"@X@"', '"\\ud800"').replace(
        '"costs": {', '"costs": {"\\udc00": 1, ', 1)
    assert [str(e) for e in errors_of(text)] == [
        "costs.\\udc00: is a field name that is not valid Unicode (a lone surrogate such as "
        "\\ud800)",
        f"disclosures.income_claims[1]: {NOT_UNICODE} (a lone surrogate such as \\ud800)"]


def test_a_lone_surrogate_in_a_python_string_is_refused() -> None:
    doc = sample()
    doc["company"]["name"] = "Bad\ud800Co"
    assert [e.path for e in errors_of(json.dumps(doc, ensure_ascii=False))] == ["company.name"]
    assert [e.path for e in plan_errors(doc)] == ["company.name"]


def test_a_lone_surrogate_is_refused_at_every_door(
        app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    data = with_company_name_escape("\\ud800")
    response = api(client, data)
    assert response.status_code == 422
    assert error_messages(response) == [
        f"company.name: {NOT_UNICODE} (a lone surrogate such as \\ud800)"]
    page = upload(client, data)
    assert page.status_code == 422
    assert NOT_UNICODE in page.get_data(as_text=True)
    forged = client.get(f"/download/json?token={crafted_token(data)}")
    assert forged.status_code == 422
    assert "report link is damaged" in forged.get_data(as_text=True)
    signer = Signer(app.secret_key, salt=TOKEN_SALT, digest_method=hashlib.sha256)
    signed = signer.sign(crafted_token(data).encode("ascii")).decode("ascii")
    download = client.get(f"/download/json?token={signed}")  # as if the key had leaked
    assert download.status_code == 422
    assert f"company.name: {NOT_UNICODE}" in download.get_data(as_text=True)
    code, lines = cli_validate(tmp_path, data)
    assert code == 2
    assert lines == [f"{tmp_path / 'plan.json'}: company.name: {NOT_UNICODE} "
                     "(a lone surrogate such as \\ud800)"]
    assert f"company.name: {NOT_UNICODE}" in batch_plan_file(tmp_path, data)


def crafted_token(plan: bytes) -> str:
    """A report link token as an attacker would pack it (the plan's escapes kept as sent)."""
    packed = b'{"assumptions": {}, "plan": ' + plan + b', "rubric": "", "seed": ""}'
    return base64.urlsafe_b64encode(zlib.compress(packed)).decode("ascii").rstrip("=")


def repeated_key_plan() -> bytes:
    text = SAMPLE.read_text("utf-8")
    return text.replace('"currency": "USD"', '"currency": "USD", "currency": "EUR"', 1).encode()


def test_a_repeated_key_is_refused_naming_its_path(client: FlaskClient, tmp_path: Path) -> None:
    data = repeated_key_plan()
    assert b'"currency": "EUR"' in data
    expected = f"costs.currency: {REPEATED}; give each field once"
    assert [str(e) for e in errors_of(data)] == [expected]
    response = api(client, data)
    assert response.status_code == 422
    assert error_messages(response) == [expected]
    page = upload(client, data)
    assert page.status_code == 422
    assert REPEATED in page.get_data(as_text=True)
    code, lines = cli_validate(tmp_path, data)
    assert code == 2
    assert lines == [f"{tmp_path / 'plan.json'}: {expected}"]
    assert expected in batch_plan_file(tmp_path, data)


def test_repeated_keys_nested_in_lists_are_named() -> None:
    assert [str(e) for e in errors_of(b'{"a": [{}, {"b": 1, "b": 1, "c": 2, "c": 3}]}')] == [
        f"a[1].b: {REPEATED}; give each field once", f"a[1].c: {REPEATED}; give each field once"]


@pytest.mark.parametrize(("number", "shown"), [
    ("1" * 5000, "a number of 5,000 characters"),
    ("-" + "9" * 19, "-" + "9" * 19),
    ("1e400", "1e400"),
    ("0." + "1" * 5000 + "e999", "a number of 5,006 characters"),
])
def test_huge_numbers_are_refused_naming_their_path(number: str, shown: str) -> None:
    text = SAMPLE.read_text("utf-8").replace(
        '"enrollment_fee": ', f'"enrollment_fee": {number}, "x": ', 1)
    assert [str(e) for e in errors_of(text)] == [
        f"costs.enrollment_fee: {shown} is not allowed: numbers must be finite and of a "
        "sensible size"]


@pytest.mark.parametrize("digits", ["²", "¹²³", "٣"])
def test_odd_digits_are_text_or_a_syntax_error_never_a_crash(digits: str) -> None:
    doc = sample()
    doc["costs"][digits] = 1
    assert [e.path for e in errors_of(json.dumps(doc))] == [f"costs.{digits}"]
    doc = sample()
    doc["products"].append({})
    doc["products"][1][digits] = 1
    assert f"products[1].{digits}" in [e.path for e in errors_of(json.dumps(doc))]
    bare = SAMPLE.read_text("utf-8").replace(
        '"enrollment_fee": ', f'"enrollment_fee": {digits}, "x": ', 1)
    assert errors_of(bare)[0].message.startswith("not valid JSON")


# ------------------------------------------------------------- items 8, 12 and 18: rubrics

def rubric_text() -> str:
    """The default rubric as a rubric of one's own (its id changed: a shipped id with other
    text is refused)."""
    text = RUBRIC.read_text("utf-8")
    assert "\nid: pyramid-risk\n" in "\n" + text
    return text.replace("id: pyramid-risk", "id: own-rubric", 1)


def rubric_refusal(text: str) -> list[str]:
    with pytest.raises(RubricError) as info:
        parse_rubric_text(text, "r.yaml")
    return [str(e) for e in info.value.errors]


def test_a_rubric_nested_900_levels_deep_is_refused_naming_the_limit() -> None:
    text = "id: " + "[" * 900 + "]" * 900 + "\n"
    [message] = rubric_refusal(text)
    assert message.startswith(f"the rubric is nested more than {MAX_RUBRIC_DEPTH} levels deep; "
                              f"the limit is {MAX_RUBRIC_DEPTH}")
    assert f"the limit is {MAX_RUBRIC_DEPTH}" in rubric_refusal("id:\n" + "- " * 900 + "1\n")[0]


@pytest.mark.parametrize("number", ["1" * 5000, "0x" + "f" * 5000, "1" * 5000 + ".5"])
def test_a_rubric_with_a_5000_digit_number_is_refused_naming_the_limit(number: str) -> None:
    text = rubric_text().replace("weight: 3", f"weight: {number}", 1)
    [message] = rubric_refusal(text)
    assert message.startswith(f"a number written with {len(number):,} characters; "
                              f"the limit is {MAX_NUMBER_CHARS}")


def test_a_long_quoted_text_is_not_a_number() -> None:
    text = rubric_text().replace("title: Pyramid-risk indicators", f"title: '{'1' * 500}'", 1)
    assert parse_rubric_text(text).title == "1" * 500


def test_a_rubric_with_more_nodes_than_the_limit_is_refused_before_building() -> None:
    text = "id: [" + "1, " * MAX_RUBRIC_NODES + "1]\n"
    assert len(text.encode()) < rubric_module.MAX_RUBRIC_BYTES
    [message] = rubric_refusal(text)
    assert message.startswith(f"the rubric has more than {MAX_RUBRIC_NODES:,} values; "
                              f"the limit is {MAX_RUBRIC_NODES:,}")


def test_rubric_aliases_are_refused_before_building() -> None:
    assert "aliases (*name) are not allowed" in rubric_refusal("a: &x [1]\nb: *x\n")[0]


@pytest.mark.parametrize(("old", "new", "path"), [
    ("weight: 3", "weight: .nan", "indicators[1].weight"),
    ("max: 0.10", "max: .inf", "indicators[1].bands[0].max"),
    ("- {max: 30, label:", "- {max: .nan, label:", "verdicts[0].max"),
    ("- {max: 30, label:", "- {max: -.inf, label:", "verdicts[0].max"),
])
def test_non_finite_rubric_numbers_are_refused_naming_the_path(
        old: str, new: str, path: str) -> None:
    text = rubric_text()
    assert old in text
    messages = rubric_refusal(text.replace(old, new, 1))
    assert any(m.startswith(f"{path}: ") and "is not a finite number" in m for m in messages), \
        messages


def test_a_rubric_whose_weights_are_all_zero_is_refused() -> None:
    text = re.sub(r"weight: [0-9.]+", "weight: 0", rubric_text())
    assert rubric_refusal(text) == [
        "indicators: every indicator's weight is 0, so no score could be computed; give at "
        "least one indicator a weight above 0"]


def test_rubric_check_refuses_a_nan_weight(tmp_path: Path) -> None:
    path = tmp_path / "nan.yaml"
    path.write_text(rubric_text().replace("weight: 3", "weight: .nan", 1), "utf-8")
    result = CliRunner().invoke(cli, ["rubric", "check", str(path)])
    assert result.exit_code == 2
    assert f"{path}: indicators[1].weight: nan is not a finite number" in result.stderr


def test_the_same_rubric_text_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = rubric_text() + "\n# cache probe\n"
    first = parse_rubric_text(text, "a.yaml")
    calls: list[Any] = []
    monkeypatch.setattr(yaml, "load", lambda *a, **k: calls.append(a))
    again = parse_rubric_text(text, "b.yaml")
    assert calls == []
    assert again.source == "b.yaml"
    assert again.indicators is first.indicators
    bad = text.replace("weight: 3", "weight: .nan", 1)
    monkeypatch.undo()
    with pytest.raises(RubricFileError):
        parse_rubric_text(bad, "c.yaml")
    monkeypatch.setattr(yaml, "load", lambda *a, **k: calls.append(a))
    with pytest.raises(RubricFileError) as info:
        parse_rubric_text(bad, "d.yaml")
    assert calls == []
    assert str(info.value).startswith("d.yaml: indicators[1].weight")


def test_the_rubric_cache_is_bounded() -> None:
    for i in range(rubric_module.RUBRIC_CACHE_SIZE + 5):
        parse_rubric_text(rubric_text() + f"\n# {i}\n")
    assert len(rubric_module._CACHE) == rubric_module.RUBRIC_CACHE_SIZE


@pytest.mark.parametrize(("text", "limit"), [
    ("id: " + "[" * 900 + "]" * 900 + "\n", f"the limit is {MAX_RUBRIC_DEPTH}"),
    ("id: " + "1" * 5000 + "\n", f"the limit is {MAX_NUMBER_CHARS}"),
])
def test_an_uploaded_rubric_over_a_yaml_limit_is_refused_naming_it(
        client: FlaskClient, text: str, limit: str) -> None:
    response = post_multipart(client, "/methodology", {
        "csrf_token": csrf_token(client, "/methodology"),
        "rubric_file": (text.encode(), "deep.yaml")})
    assert response.status_code == 422
    assert limit in response.get_data(as_text=True)
