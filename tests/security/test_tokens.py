"""Report links cannot be forged: tokens are signed with the app's secret key, the key outlives a
restart, and a rubric that claims a shipped rubric's id must be that rubric, through every door."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import Signer

from evaluator.cli import cli
from evaluator.resources import data_dir
from evaluator.web import _secret_key, create_app
from evaluator.web.submission import TOKEN_SALT
from tests.security.conftest import csrf_token, post_multipart

PLAN = data_dir("plan_samples") / "recruiting_fee_plan.json"
BUNDLED = data_dir("rubrics") / "pyramid-risk.yaml"
SMALL = {"max_participants": "1500", "runs": "2", "horizon_months": "36"}
CLAIM = ("rubric id 'pyramid-risk' belongs to a rubric shipped with this tool; "
         "give yours another id")
DAMAGED = "the report link is damaged or incomplete"


def lookalike_rubric() -> str:
    """The bundled rubric with the same id, version and title, and every band at low."""
    return re.sub(r"level: (elevated|high)", "level: low", BUNDLED.read_text("utf-8"))


def packed(fields: dict[str, Any]) -> bytes:
    """A submission packed as a report token's payload (compressed JSON, URL-safe base64)."""
    text = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(text, 9)).rstrip(b"=")


def signed(app: Flask, payload: bytes) -> str:
    """``payload`` signed as the app signs its own report tokens (HMAC-SHA256)."""
    signer = Signer(app.secret_key, salt=TOKEN_SALT, digest_method=hashlib.sha256)
    return signer.sign(payload).decode("ascii")


def forged_fields() -> dict[str, Any]:
    return {"plan": json.loads(PLAN.read_text("utf-8")), "assumptions": SMALL, "seed": "",
            "rubric": "", "rubric_text": lookalike_rubric()}


def report_token(client: FlaskClient) -> str:
    """The token of a real report page (the recruiting-fee plan, scored by the bundled rubric)."""
    saved = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (PLAN.read_bytes(), "plan.json"),
        **{f"assumptions.{k}": v for k, v in SMALL.items()},
    })
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_a_forged_link_with_a_lookalike_rubric_is_refused(client: FlaskClient) -> None:
    """The attack of issue 17 item 4: an unsigned token carrying a look-alike of the bundled
    rubric would show Lower risk for a High-risk plan on the tool's own address."""
    for fmt in ("json", "html", "pdf"):
        response = client.get(f"/download/{fmt}", query_string={
            "token": packed(forged_fields()).decode("ascii")})
        assert response.status_code == 422, fmt
        assert DAMAGED in response.get_data(as_text=True)
    response = client.post("/upload", data={"csrf_token": csrf_token(client), "mode": "fill",
                                            "token": packed(forged_fields()).decode("ascii")})
    assert response.status_code == 422
    assert DAMAGED in response.get_data(as_text=True)


def test_a_real_link_with_its_contents_swapped_is_refused(client: FlaskClient) -> None:
    token = report_token(client)
    response = client.get("/download/json", query_string={"token": token})
    assert response.status_code == 200
    assert response.get_json()["rubric"]["bundled"] is True
    _payload, signature = token.rsplit(".", 1)
    swapped = packed(forged_fields()).decode("ascii") + "." + signature
    response = client.get("/download/json", query_string={"token": swapped})
    assert response.status_code == 422
    assert DAMAGED in response.get_data(as_text=True)


def test_a_link_signed_under_another_key_is_refused() -> None:
    issuer = create_app({"TESTING": True, "SECRET_KEY": "a" * 40}).test_client()
    other = create_app({"TESTING": True, "SECRET_KEY": "b" * 40}).test_client()
    token = report_token(issuer)
    assert issuer.get("/download/csv", query_string={"token": token}).status_code == 200
    response = other.get("/download/csv", query_string={"token": token})
    assert response.status_code == 422
    assert DAMAGED in response.get_data(as_text=True)


@pytest.mark.parametrize("sign", [False, True], ids=["unsigned", "signed-by-the-server"])
def test_a_deeply_nested_token_is_refused_as_damaged(app: Flask, client: FlaskClient,
                                                      sign: bool) -> None:
    """200,000 nested ``[`` made json.loads raise RecursionError (a 500)."""
    payload = base64.urlsafe_b64encode(zlib.compress(b"[" * 200_000, 9)).rstrip(b"=")
    token = signed(app, payload) if sign else payload.decode("ascii")
    response = client.get("/download/json", query_string={"token": token})
    assert response.status_code == 422
    assert DAMAGED in response.get_data(as_text=True)


def test_the_generated_key_is_kept_with_owner_only_access(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPEVAL_SECRET_KEY", raising=False)
    folder = tmp_path / "instance"
    first = _secret_key(str(folder))
    assert len(first) >= 32
    assert _secret_key(str(folder)) == first
    key_file = folder / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["secret_key"]
    assert _secret_key(str(tmp_path / "elsewhere")) != first
    monkeypatch.setenv("OPPEVAL_SECRET_KEY", "e" * 40)
    assert _secret_key(str(tmp_path / "unused")) == "e" * 40
    assert not (tmp_path / "unused").exists()


def test_a_short_key_file_is_refused_at_start(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPPEVAL_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("short\n", "ascii")
    with pytest.raises(RuntimeError, match="fewer than 32 characters"):
        _secret_key(str(tmp_path))


def test_report_links_keep_working_after_a_restart() -> None:
    """Two server processes started one after the other, without OPPEVAL_SECRET_KEY, share
    the key kept in the instance folder, so a link from the first works on the second."""
    env = {k: v for k, v in os.environ.items() if k != "OPPEVAL_SECRET_KEY"}
    code = "from evaluator.web import create_app; print(create_app().secret_key)"
    keys = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(2)]
    assert keys[0] == keys[1]
    assert len(keys[0]) >= 32
    first = create_app({"TESTING": True, "SECRET_KEY": keys[0]}).test_client()
    second = create_app({"TESTING": True, "SECRET_KEY": keys[1]}).test_client()
    token = report_token(first)
    assert second.get("/download/json", query_string={"token": token}).status_code == 200


# ------------------------------------------------------------ a look-alike of a shipped rubric


def test_the_web_form_refuses_a_lookalike_rubric_naming_the_field(client: FlaskClient) -> None:
    response = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (PLAN.read_bytes(), "plan.json"),
        "rubric_file": (lookalike_rubric().encode("utf-8"), "mine.yaml"),
        **{f"assumptions.{k}": v for k, v in SMALL.items()},
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert f"uploaded rubric: id: {CLAIM}" in page


def test_the_rubric_check_page_refuses_a_lookalike(client: FlaskClient) -> None:
    response = post_multipart(client, "/methodology", {
        "csrf_token": csrf_token(client, "/methodology"),
        "rubric_file": (lookalike_rubric().encode("utf-8"), "mine.yaml"),
    })
    assert response.status_code == 422
    assert CLAIM in response.get_data(as_text=True).replace("&#39;", "'")


def test_the_shipped_rubric_uploaded_as_it_is_counts_as_bundled(client: FlaskClient) -> None:
    response = post_multipart(client, "/upload", {
        "csrf_token": csrf_token(client), "mode": "evaluate",
        "plan_file": (PLAN.read_bytes(), "plan.json"),
        "rubric_file": (BUNDLED.read_bytes(), "copy.yaml"),
        **{f"assumptions.{k}": v for k, v in SMALL.items()},
    })
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not one shipped with this tool" not in page
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    rubric = client.get("/download/json", query_string={"token": token.group(1)}).get_json()[
        "rubric"]
    assert rubric["bundled"] is True
    assert rubric["sha256"] == hashlib.sha256(BUNDLED.read_bytes()).hexdigest()


def test_the_command_line_refuses_a_lookalike_rubric(tmp_path: Path) -> None:
    rubric = tmp_path / "pyramid-risk.yaml"
    rubric.write_text(lookalike_rubric(), "utf-8")
    runner = CliRunner()
    sets = [arg for k, v in SMALL.items() for arg in ("--set", f"{k}={v}")]
    result = runner.invoke(cli, ["evaluate", str(PLAN), "--rubric", str(rubric), *sets])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{rubric}: id: {CLAIM}"
    result = runner.invoke(cli, ["rubric", "check", str(rubric)])
    assert result.exit_code == 2
    assert f"{rubric}: id: {CLAIM}" in result.stderr
    csv_path = tmp_path / "plans.csv"
    csv_path.write_text("company_name,currency,wholesale_price,retail_price,plan_type\n"
                        "Row,USD,40,50,single_level\n", "utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(cli, ["batch", str(csv_path), "-o", str(out), "--workers", "1",
                                 "--rubric", str(rubric), *sets])
    assert result.exit_code == 2
    assert CLAIM in result.stderr
    assert not out.exists()
