"""What the full form's tests share: the fields every plan needs, and a form read as a plan."""

from __future__ import annotations

from typing import Any

from evaluator.web import formdata as fd

BASE_FORM = {
    "company.name": "Acme",
    "costs.currency": "USD",
    "products[0].name": "Tea",
    "products[0].wholesale_price": "10",
    "products[0].retail_price": "15",
}
"""A company, a currency and one product: the form fields every plan needs."""


def document(form: dict[str, str]) -> dict[str, Any]:
    """The plan document the full form makes of ``form`` (as POST /evaluate reads it)."""
    return fd.to_document(fd.state_from_form(form).compact())
