"""Report tokens: a signed round trip of the whole submission, and a plan too large for a link
that still offers every download (sent in a form instead of the address)."""

from __future__ import annotations

import copy
import io
import json
import random
import re
import string

from flask import Flask
from flask.testing import FlaskClient

from evaluator.resources import data_dir
from evaluator.web.service import RubricChoice
from evaluator.web.submission import Submission, from_token
from tests.web import pages
from tests.web.conftest import SMALL

SAMPLE = json.loads((data_dir("plan_samples") / "retail_first_single_level.json")
                    .read_text("utf-8"))


def _words(rng: random.Random, chars: int) -> str:
    """Random letters in short words: text that hardly compresses and still wraps in a PDF."""
    return " ".join("".join(rng.choices(string.ascii_letters, k=7)) for _ in range(chars // 8))


def large_plan() -> dict[str, object]:
    """A valid plan of 200 products whose free text does not compress (about 140 kB)."""
    rng = random.Random(17)
    doc = copy.deepcopy(SAMPLE)
    base = doc["products"][0]
    doc["products"] = [
        {**base, "name": _words(rng, 200), "comparable_source": _words(rng, 500)}
        for _ in range(200)
    ]
    return doc


def test_a_token_gives_back_the_whole_submission(app: Flask) -> None:
    sub = Submission(doc=SAMPLE, overrides={"runs": "2"}, seed_text="7",
                     rubric=RubricChoice(stem="taylor-red-flags"))
    with app.app_context():
        back = from_token(sub.token())
    assert back.errors == []
    assert (back.doc, back.overrides, back.seed_text, back.rubric) == (
        SAMPLE, {"runs": "2"}, "7", RubricChoice(stem="taylor-red-flags"))


def test_a_token_is_refused_by_an_app_with_another_key(app: Flask) -> None:
    from evaluator.web import create_app

    with app.app_context():
        token = Submission(doc=SAMPLE).token()
    other = create_app({"TESTING": True, "SECRET_KEY": "z" * 48})
    with other.app_context():
        refused = from_token(token)
    assert [e.path for e in refused.errors] == ["token"]
    assert refused.doc is None


def test_a_large_plan_gets_short_download_addresses(client: FlaskClient) -> None:
    """A 200-product plan's token is over 100,000 characters; its report page links only the
    saved report's short addresses, which answer (a token address that long got 431)."""
    doc = large_plan()
    values = pages.form(client.get("/form").get_data(as_text=True), action="/upload").values
    response = client.post("/upload", data={
        **values, **SMALL, "mode": "evaluate",
        "plan_file": (io.BytesIO(json.dumps(doc).encode()), "large.json"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(pages.form(page, action="/upload").values["token"]) > 100_000
    links = re.findall(r'href="([^"]*/download/[^"]*)"', page)
    assert links
    assert all(len(link) < 100 and "token=" not in link for link in links), links
    json_link = next(link for link in links if link.endswith("/json"))
    evaluated = client.get(json_link).get_json()
    assert len(evaluated["plan"]["products"]) == 200
