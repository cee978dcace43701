"""One submission from a web page: the plan, the assumptions, the seed and the rubric.

The form, the plan upload, the "change the figures" round trip and the report downloads all
send the same four things; this module reads them and checks all of them at once, so a visitor
sees every problem together, each under the path of the field it concerns. A report page packs
its submission into a token (compressed JSON, URL-safe, signed with HMAC-SHA256 under the app's
secret key), so its download links and its "change the figures" button evaluate exactly the same
input again without any server-side state. A token the server did not sign (a forged link, or
one from an instance with another key) is refused as damaged before anything in it is unpacked.
The token holds the whole plan: whoever has a report link can read the plan and evaluate it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Signer
from werkzeug.datastructures import FileStorage, MultiDict

from evaluator.assumptions import ASSUMPTIONS, Assumptions
from evaluator.errors import EvaluatorError, FieldError, InputError
from evaluator.rubric import MAX_RUBRIC_BYTES
from evaluator.schema import MAX_PLAN_BYTES, parse_plan, plan_errors
from evaluator.web import service
from evaluator.web.service import RubricChoice


@dataclass
class Submission:
    """What a visitor asked to evaluate, and every problem found with it."""

    doc: Any = None
    overrides: dict[str, str] = field(default_factory=dict)
    seed_text: str = ""
    rubric: RubricChoice = field(default_factory=RubricChoice)
    errors: list[FieldError] = field(default_factory=list)

    def check(self) -> Submission:
        """Collect every problem: plan schema, assumptions, web limits, seed and rubric."""
        if self.doc is not None:
            self.errors.extend(plan_errors(self.doc))
        for step in (
            lambda: Assumptions.from_overrides(self.overrides),
            lambda: service.check_limits(self.overrides),
            lambda: service.parse_seed(self.seed_text),
            lambda: service.resolve_rubric(self.rubric),
        ):
            try:
                step()
            except InputError as exc:
                self.errors.extend(_rubric_paths(exc))
        return self

    def evaluate(self) -> Any:
        """The Evaluation (call after :meth:`check` found nothing); InputError if refused."""
        return service.evaluate(
            self.doc, self.overrides, service.parse_seed(self.seed_text), self.rubric
        )

    def token(self) -> str:
        """This submission packed into one signed, URL-safe string (for downloads and editing).

        Signed with the current app's secret key; :func:`from_token` accepts only such tokens.
        """
        packed = json.dumps(
            {
                "plan": self.doc,
                "assumptions": self.overrides,
                "seed": self.seed_text,
                "rubric": self.rubric.stem,
                "rubric_text": self.rubric.text,
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        ).encode("utf-8")
        payload = base64.urlsafe_b64encode(zlib.compress(packed, 9)).rstrip(b"=")
        return _signer().sign(payload).decode("ascii")


MAX_TOKEN_BYTES = MAX_PLAN_BYTES + MAX_RUBRIC_BYTES + 65_536
"""Most a submission token may unpack to (a plan, a rubric and the assumptions)."""

TOKEN_SALT = "oppeval.report-token"
"""Keeps report-token signatures apart from anything else signed with the app's secret key."""


def _signer() -> Signer:
    """HMAC-SHA256 under the current app's secret key."""
    return Signer(current_app.secret_key or "", salt=TOKEN_SALT, digest_method=hashlib.sha256)


def from_token(token: str) -> Submission:
    """The submission a :meth:`Submission.token` string packs; a bad token is an error.

    A token whose signature does not match (forged, altered, cut short or signed under another
    key) is refused before it is decoded; a signed one that still cannot be read (too large
    unpacked, nested past Python's recursion limit, not JSON) is refused the same way.
    """
    bad = Submission(errors=[FieldError("token", "the report link is damaged or incomplete; "
                                        "evaluate the plan again from the form")])
    try:
        payload = _signer().unsign(token.encode("ascii"))
        data = base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4))
        inflater = zlib.decompressobj()
        packed = inflater.decompress(data, MAX_TOKEN_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            return bad
        fields = json.loads(packed.decode("utf-8"))
    except (BadSignature, ValueError, zlib.error, UnicodeError, RecursionError):
        return bad
    if not isinstance(fields, dict) or not isinstance(fields.get("assumptions"), dict):
        return bad
    sub = Submission(
        doc=fields.get("plan"),
        overrides={str(k): str(v) for k, v in fields["assumptions"].items()},
        seed_text=str(fields.get("seed") or ""),
        rubric=RubricChoice(stem=str(fields.get("rubric") or ""),
                            text=str(fields.get("rubric_text") or "")),
    )
    if sub.doc is None:
        sub.errors.append(FieldError("", "the report link holds no plan"))
    return sub


def _rubric_paths(exc: EvaluatorError) -> list[FieldError]:
    source = getattr(exc, "source", None)
    if source is None:
        return list(exc.errors)
    return [
        FieldError("rubric", f"{source}: {e.path + ': ' if e.path else ''}{e.message}", e.value)
        for e in exc.errors
    ]


def overrides_from_form(form: Mapping[str, str]) -> dict[str, str]:
    """Assumption values typed in the form's ``assumptions.<name>`` inputs (blank ones left out)."""
    out = {}
    for spec in ASSUMPTIONS:
        text = (form.get(f"assumptions.{spec.name}") or "").strip()
        if text:
            out[spec.name] = text
    return out


def rubric_from_request(form: Mapping[str, str], files: MultiDict[str, FileStorage]) -> tuple[
    RubricChoice, list[FieldError]
]:
    """The rubric choice: an uploaded file wins, then text kept from an upload, then a stem."""
    upload = files.get("rubric_file")
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_RUBRIC_BYTES + 1)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return RubricChoice(), [
                FieldError("rubric", f"{upload.filename}: the rubric is not UTF-8 text")
            ]
        return RubricChoice(text=text), []
    text = form.get("rubric_text") or ""
    stem = form.get("rubric") or ""
    if stem == "uploaded" and text:
        return RubricChoice(text=text), []
    return RubricChoice(stem=stem if stem != "uploaded" else ""), []


def read_plan_text(text: str | bytes, errors: list[FieldError]) -> Any:
    """Parse plan JSON; problems are added to ``errors`` and None returned."""
    try:
        return parse_plan(text, max_bytes=MAX_PLAN_BYTES)
    except InputError as exc:
        errors.extend(exc.errors)
        return None
