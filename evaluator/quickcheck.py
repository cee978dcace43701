"""The recruit's quick check: answers to questions in a recruiter's words -> a plan document.

A pure mapping, no I/O. Each question fills at most one plan field, and each statement of a
pitch becomes exactly one plan component, so nothing is counted twice: "25% on your own
customers" becomes the retail margin when the recruit buys and resells, or a retail commission
when customers order from the company, chosen by :data:`HOW_CUSTOMERS_BUY`, never both.
Every yes/no question has "I don't know", which leaves the field out (unknown). :func:`build`
returns the document, the list of what each answer became, and every problem found, each named
by its question in plain words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evaluator import formatting
from evaluator.errors import FieldError
from evaluator.numbers import Kind, NumberError, read_number

Answer = Literal["number", "percents", "yesno", "choice", "text"]

YESNO_CHOICES: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"), ("", "I don't know"))
"""Every yes/no question's answers; "I don't know" (blank) leaves the plan field unknown."""

HOW_CUSTOMERS_BUY: tuple[tuple[str, str], ...] = (
    ("resell", "I buy the product and resell it to them"),
    ("company", "They order from the company and I get a share"),
    ("", "I don't know"),
)
"""Answers to "how do your customers buy?", which decides what "% on your own customers" is."""


@dataclass(frozen=True)
class Question:
    """One question of the quick check.

    Its input name, wording, how it is answered, and the plan field (or component) it becomes.
    """

    key: str
    text: str
    answer: Answer
    becomes: str
    hint: str = ""
    kind: Kind = "money"
    choices: tuple[tuple[str, str], ...] = ()


QUESTIONS: tuple[Question, ...] = (
    Question("start_cost", "What does it cost to start?", "number",
             "the starter kit (one-time)", "The fee, kit or pack you pay once to join, e.g. $99."),
    Question("monthly_purchase", "What must you buy each month to stay active?", "number",
             "the required purchase (per month)", "The order or autoship you must keep up, "
             "e.g. $129."),
    Question("autoship", "Is that an automatic monthly order (autoship)?", "yesno",
             "whether the purchase is an auto-ship", choices=YESNO_CHOICES),
    Question("your_price", "What do you pay for the product?", "number",
             "the price a participant pays", "Your price for one unit, e.g. $45."),
    Question("customer_price", "What do customers pay for it?", "number",
             "the price a customer pays", "The retail price of one unit, e.g. $60."),
    Question("own_customers", "What do you earn on your own customers?", "number",
             "the retail margin or a retail commission (see the next question)",
             "A share such as 25%.", kind="fraction"),
    Question("how_customers_buy", "How do your customers buy?", "choice",
             "which one of retail margin or retail commission you earn",
             "This decides what the share above is, so it is counted once.",
             choices=HOW_CUSTOMERS_BUY),
    Question("signup_bonus", "What do you get for each person you sign up?", "number",
             "an enrollment bonus (paid per new recruit)", "A fixed amount per sign-up, such "
             "as a $50 fast-start bonus."),
    Question("team_levels", "What do you earn on your team, level by level?", "percents",
             "a unilevel (a share of each downline level's purchases)",
             "Your first level first: 10%, 5%, 5%.", kind="fraction"),
    Question("own_orders_count", "Does your own monthly order count toward staying active?",
             "yesno", "whether your own purchases count toward qualifying",
             choices=YESNO_CHOICES),
    Question("start_pays_recruiter", "Does your recruiter earn on what you pay to start?",
             "yesno", "whether the starter kit generates pay for the recruiter and upline",
             choices=YESNO_CHOICES),
    Question("ranks", "Are there ranks, or bigger packages you are encouraged to buy?", "yesno",
             "nothing yet: add their figures in the full form", choices=YESNO_CHOICES),
    Question("claim", "What were you told you could earn?", "text",
             "an income claim, word for word", "Leave blank if nobody said."),
    Question("company", "Company or offer name (optional)", "text", "the company name"),
)
"""The quick check's questions, in the order the page asks them."""

QUESTIONS_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}

DEFAULT_COMPANY = "The offer I was shown"
"""Company name used when the visitor gives none (a plan needs a name)."""

PREFIX = "quick."
"""Prefix of the quick check's input names (``quick.start_cost``)."""


@dataclass
class QuickResult:
    """What :func:`build` found: the plan document, what each answer became, and problems."""

    document: dict[str, Any]
    became: list[tuple[str, str]] = field(default_factory=list)
    """(question, what its answer became in the plan), in question order."""
    errors: list[FieldError] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)
    """Plan path -> question key, so a plan-schema error can be shown beside its question."""


def _text(answers: Mapping[str, str], key: str) -> str:
    return str(answers.get(PREFIX + key) or "").strip()


def _read(answers: Mapping[str, str], key: str, out: QuickResult) -> float | None:
    """The number typed for ``key`` (None when blank or refused; a refusal is recorded)."""
    question = QUESTIONS_BY_KEY[key]
    text = _text(answers, key)
    if not text:
        return None
    try:
        value = float(read_number(text, question.kind))
    except NumberError as exc:
        out.errors.append(FieldError(PREFIX + key, str(exc), text))
        return None
    if value < 0:
        out.errors.append(FieldError(PREFIX + key, f"{text} is below 0: an amount is never "
                                     "negative", text))
        return None
    return value


def _read_list(answers: Mapping[str, str], key: str, out: QuickResult) -> list[float]:
    """The shares typed for ``key``, separated by commas, semicolons or spaces."""
    text = _text(answers, key)
    items = [i for i in text.replace(";", ",").replace(" ", ",").split(",") if i]
    values: list[float] = []
    for item in items:
        try:
            values.append(float(read_number(item, "fraction")))
        except NumberError as exc:
            out.errors.append(FieldError(PREFIX + key, str(exc), text))
            return []
    return values


def _yes_no(answers: Mapping[str, str], key: str, out: QuickResult) -> bool | None:
    text = _text(answers, key).lower()
    if text in ("", "unknown", "dont_know"):
        return None
    if text in ("yes", "no"):
        return text == "yes"
    out.errors.append(FieldError(PREFIX + key, "choose Yes, No or I don't know", text))
    return None


def _whole(value: float) -> float | int:
    return int(value) if value == int(value) else value


def build(answers: Mapping[str, str]) -> QuickResult:
    """The plan document the quick check's answers describe (``quick.<key>`` inputs)."""
    out = QuickResult(document={})
    currency = (_text(answers, "currency") or "USD").upper()
    costs: dict[str, Any] = {"currency": currency}
    qualification: dict[str, Any] = {}
    components: list[dict[str, Any]] = []

    def _money(value: float) -> str:
        return formatting.money(value, currency)

    def became(key: str, text: str, path: str = "") -> None:
        out.became.append((QUESTIONS_BY_KEY[key].text, text))
        if path:
            out.paths[path] = key

    start = _read(answers, "start_cost", out)
    if start is not None:
        costs["starter_kit"] = _whole(start)
        became("start_cost", f"{_money(start)}: the starter kit (one-time)", "costs.starter_kit")
    monthly = _read(answers, "monthly_purchase", out)
    if monthly is not None:
        costs["required_monthly_purchase"] = _whole(monthly)
        became("monthly_purchase", f"{_money(monthly)}: the required purchase (per month)",
               "costs.required_monthly_purchase")
    for key, path, target, what in (
        ("autoship", "costs.autoship_required", costs, "an automatic order"),
        ("start_pays_recruiter", "costs.starter_kit_commissionable", costs,
         "pay for the recruiter and upline from the starter kit"),
        ("own_orders_count", "compensation.qualification.own_purchases_count", qualification,
         "your own purchases counting toward qualifying"),
    ):
        answer = _yes_no(answers, key, out)
        if answer is None:
            became(key, f"not known: {what} is scored as unknown")
            continue
        target[path.rsplit(".", 1)[1]] = answer
        became(key, f"{'yes' if answer else 'no'}: {what}", path)

    your_price = _read(answers, "your_price", out)
    customer_price = _read(answers, "customer_price", out)
    if customer_price == 0:
        out.errors.append(FieldError(PREFIX + "customer_price", "a customer price is above 0", 0))
        customer_price = None
    product: dict[str, Any] = {"name": "Product"}
    if customer_price is not None:
        product["retail_price"] = _whole(customer_price)
        became("customer_price", f"{_money(customer_price)}: the price a customer pays",
               "products[0].retail_price")
    elif your_price:
        product["retail_price"] = _whole(your_price)
        became("customer_price", "not known: taken as the price you pay, so no retail margin "
               "is counted", "products[0].retail_price")
    else:
        out.errors.append(FieldError(PREFIX + "customer_price", "needs a price (or at least "
                                     "what you pay): ask the recruiter what one unit costs"))
    if your_price is not None:
        product["wholesale_price"] = _whole(your_price)
        became("your_price", f"{_money(your_price)}: the price a participant pays",
               "products[0].wholesale_price")
    elif "retail_price" in product:
        product["wholesale_price"] = product["retail_price"]
        became("your_price", "not known: taken as the customer price, so no retail margin is "
               "counted", "products[0].wholesale_price")

    share = _read(answers, "own_customers", out)
    how = _text(answers, "how_customers_buy")
    if how not in {v for v, _ in HOW_CUSTOMERS_BUY}:
        out.errors.append(FieldError(PREFIX + "how_customers_buy",
                                     "choose one of the answers listed", how))
        how = ""
    margin = (product.get("retail_price", 0) - product.get("wholesale_price", 0))
    if how == "" and share is not None:
        how = "resell" if margin > 0 else "company"
    if how == "resell" or (how == "" and margin > 0):
        components.append({"type": "retail_margin"})
        path = f"compensation.components[{len(components) - 1}]"
        what = "the retail margin: you buy at your price and resell at the customer price"
        if share is not None:
            what += f" (the {share:.0%} is that margin, counted once)"
        became("own_customers", what, path)
    elif how == "company" and share:
        components.append({"type": "retail_commission", "rate": share})
        path = f"compensation.components[{len(components) - 1}]"
        became("own_customers", f"{formatting.percent(share)}: a retail commission on "
               "customers' orders from the company", path)
    elif share is None:
        became("own_customers", "not known: no pay from your own customers is counted")

    bonus = _read(answers, "signup_bonus", out)
    if bonus:
        components.append({"type": "enrollment_bonus", "amounts": [_whole(bonus)]})
        became("signup_bonus", f"{_money(bonus)}: an enrollment bonus per person you sign up",
               f"compensation.components[{len(components) - 1}]")
    levels = _read_list(answers, "team_levels", out)
    if levels and any(levels):
        components.append({"type": "unilevel", "rates": levels, "basis": "all"})
        shown = ", ".join(formatting.percent(r) for r in levels)
        became("team_levels", f"{shown}: a unilevel, level 1 first",
               f"compensation.components[{len(components) - 1}]")
    asked = {PREFIX + k for k in ("own_customers", "signup_bonus", "team_levels")}
    if not components and not any(e.path in asked for e in out.errors):
        out.errors.append(FieldError(PREFIX + "own_customers", "the check needs at least one "
                                     "way the offer pays: what you earn on customers, per "
                                     "sign-up or on your team"))

    ranks = _yes_no(answers, "ranks", out)
    if ranks:
        became("ranks", "yes: not in the plan yet; open the full form to add the ranks or "
               "packages with their figures")
    claim = _text(answers, "claim")
    disclosures: dict[str, Any] = {}
    if claim:
        disclosures["income_claims"] = [claim[:1000]]
        became("claim", "an income claim, word for word", "disclosures.income_claims[0]")
    name = _text(answers, "company")[:200] or DEFAULT_COMPANY

    doc: dict[str, Any] = {"schema_version": "1", "company": {"name": name}, "costs": costs,
                           "products": [product]}
    compensation: dict[str, Any] = {"components": components}
    if qualification:
        compensation["qualification"] = qualification
    doc["compensation"] = compensation
    if disclosures:
        doc["disclosures"] = disclosures
    out.document = doc
    return out


def question_for(path: str, result: QuickResult) -> str:
    """The quick-check input a plan path's error belongs beside ('' when none)."""
    for plan_path, key in result.paths.items():
        if path == plan_path or path.startswith((plan_path + ".", plan_path + "[")):
            return PREFIX + key
    return ""


ASSUMPTION_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("hours_per_week", "Hours a week you would put in (optional)", "e.g. 10"),
    ("hour_value", "What an hour of your time is worth (optional)", "e.g. 15, a job's pay"),
)
"""Optional questions that set assumptions (name, wording, hint): the value of your time."""
