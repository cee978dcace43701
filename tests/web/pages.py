"""Reading the web app's pages as a browser would: forms, their values, errors beside fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    """One <form>: its attributes, the values it would submit, and its submit buttons."""

    attrs: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collects forms (outside <template>), elements by id and their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.template_depth = 0
        self.select: str | None = None
        self.select_first: str | None = None
        self.textarea: str | None = None
        self.ids: dict[str, dict[str, str]] = {}
        self.text_by_id: dict[str, str] = {}
        self.open_ids: list[tuple[str, str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if "id" in attrs:
            self.ids[attrs["id"]] = {"tag": tag, **attrs}
            self.text_by_id[attrs["id"]] = ""
            self.open_ids.append((tag, attrs["id"]))
        if tag == "title":
            self._in_title = True
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            self.form.names.append(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.form.values[name] = attrs.get("value", "on")
            elif kind == "submit":
                self.form.buttons.append((name, attrs.get("value", "")))
            elif kind != "file":
                self.form.values[name] = attrs.get("value", "")
        elif tag == "button" and name:
            self.form.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_first = name, None
            self.form.names.append(name)
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
                self.form.values.setdefault(self.select, value)
            if "selected" in attrs:
                self.form.values[self.select] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.form.values[name] = ""
            self.form.names.append(name)

    def handle_endtag(self, tag: str) -> None:
        if self.open_ids and self.open_ids[-1][0] == tag:
            self.open_ids.pop()
        if tag == "title":
            self._in_title = False
        if tag == "template":
            self.template_depth -= 1
        elif tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        for _, element_id in self.open_ids:
            self.text_by_id[element_id] += data
        if self.textarea and self.form is not None:
            self.form.values[self.textarea] += data


def parse(html: str) -> PageParser:
    """The parsed page."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def form(html: str, *, action: str | None = None, form_id: str | None = None) -> Form:
    """The form posting to ``action`` (or with id ``form_id``)."""
    for f in parse(html).forms:
        if (action is not None and f.attrs.get("action") == action) or (
            form_id is not None and f.attrs.get("id") == form_id
        ):
            return f
    raise AssertionError(f"no form with action={action!r} id={form_id!r} on the page")


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with ``element_id`` (whitespace collapsed)."""
    page = parse(html)
    assert element_id in page.text_by_id, f"no element with id {element_id!r}"
    return " ".join(page.text_by_id[element_id].split())
