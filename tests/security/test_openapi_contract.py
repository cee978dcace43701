"""The API against its own OpenAPI document (schemathesis): every operation, bounded examples,
no 5xx, and every response (status, media type, body) as the document describes it."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from evaluator.web import create_app
from tests.security.fuzzing import SMALL

APP = create_app({"TESTING": True, "OPPEVAL_RECENT_EVALUATIONS": 0})
CONFIG = SchemathesisConfig.from_dict({
    # A request the document allows may still break a rule JSON Schema cannot state (a plan's
    # cross-field rules, a CSV's columns): the document answers those with 422 and every error.
    # A body over a documented size limit is refused with the documented 413.
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "422"]},
        "negative_data_rejection": {"expected-statuses": ["400", "404", "405", "406", "413",
                                                          "415", "422"]},
    },
})
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP, config=CONFIG)


def test_the_document_describes_every_api_route() -> None:
    routes = {rule.rule for rule in APP.url_map.iter_rules()
              if rule.rule.startswith("/api/") or rule.rule == "/healthz"}
    assert routes == set(SCHEMA.raw_schema["paths"])


@SCHEMA.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_document(case: schemathesis.Case) -> None:
    if case.operation.method.upper() == "POST" and isinstance(case.query, dict):
        # keep the simulation small: the contract is under test here, not the engine
        case.query = {**case.query, **SMALL}
    case.call_and_validate()
