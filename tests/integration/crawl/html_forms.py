"""What a browser would submit from a page: its <form>s and htmx hx-post/put/delete elements.

Parsed with the standard library only. Each ``Submission`` carries the page's CSRF token as the
page rendered it (a hidden ``csrf_token`` field, or the ``hx-headers`` of <body> for htmx).
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
HX_VERBS = ("hx-post", "hx-put", "hx-patch", "hx-delete")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def closest(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self._open = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self._open)
        self._open.children.append(node)
        if tag not in VOID:
            self._open = node

    def handle_startendtag(self, tag, attrs):
        self._open.children.append(Node(tag, {k: v or "" for k, v in attrs}, self._open))

    def handle_endtag(self, tag):
        node = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._open = node.parent

    def handle_data(self, data):
        self._open.text += data


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


@dataclass
class Field:
    name: str
    kind: str  # text, number, email, date, hidden, checkbox, radio, select, textarea, file, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False


@dataclass
class Submission:
    """One way to post from a page: method, absolute path, fields, and where it was found."""

    method: str
    path: str
    fields: list[Field]
    page: str
    hx_headers: dict[str, str] = field(default_factory=dict)
    source: str = "form"

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, self.path, tuple(sorted({f.name for f in self.fields})))


def _members(root: Node, container: Node | None) -> list[Node]:
    """The container's controls, and for a form also those outside it naming it (form="id")."""
    if container is None:
        return []
    inside = [n for n in container.walk() if not n.attrs.get("form")]
    form_id = container.attrs.get("id") if container.tag == "form" else None
    owned = [n for n in root.walk() if form_id and n.attrs.get("form") == form_id]
    if container.tag != "form":  # a row (hx-include="closest tr"): everything in it
        inside = list(container.walk())
    return inside + owned


def _fields(nodes: list[Node]) -> list[Field]:
    out: list[Field] = []
    for node in nodes:
        name = node.attrs.get("name")
        if not name or "disabled" in node.attrs:
            continue
        if node.tag == "input":
            kind = node.attrs.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                continue
            out.append(
                Field(name, kind, node.attrs.get("value", "on" if kind == "checkbox" else ""),
                      checked="checked" in node.attrs)
            )  # fmt: skip
        elif node.tag == "button" and node.attrs.get("type", "submit") == "submit":
            out.append(Field(name, "submit", node.attrs.get("value", "")))
        elif node.tag == "textarea":
            out.append(Field(name, "textarea", node.text.strip()))
        elif node.tag == "select":
            options = [
                o.attrs.get("value", o.text.strip()) for o in node.walk() if o.tag == "option"
            ]
            selected = [
                o.attrs.get("value", o.text.strip())
                for o in node.walk()
                if o.tag == "option" and "selected" in o.attrs
            ]
            out.append(
                Field(name, "select", selected[0] if selected else "", options,
                      multiple="multiple" in node.attrs)
            )  # fmt: skip
    return out


def _absolute(page: str, target: str) -> str | None:
    url = urljoin(f"http://localhost{page}", target or page)
    parts = urlsplit(url)
    if parts.netloc != "localhost":
        return None  # another site (Wix): not ours to crawl
    return parts.path + (f"?{parts.query}" if parts.query else "")


def submissions(page: str, html: str) -> list[Submission]:
    """Every form and htmx write element of the page, as the browser would send it."""
    root = parse(html)
    body = next((n for n in root.walk() if n.tag == "body"), None)
    try:
        hx_headers = json.loads(body.attrs.get("hx-headers", "{}")) if body else {}
    except ValueError:
        hx_headers = {}
    found: list[Submission] = []
    for node in root.walk():
        verb = next((v for v in HX_VERBS if v in node.attrs), None)
        if verb:
            path = _absolute(page, node.attrs[verb])
            include = node.attrs.get("hx-include", "")
            if node.tag == "form":
                container = node
            elif include == "closest tr":
                container = node.closest("tr")
            else:
                container = node.closest("form")
            fields = _fields(_members(root, container))
            if node.tag in ("input", "select", "textarea") and node.attrs.get("name"):
                fields += _fields([node])
            with suppress(ValueError):
                extra = json.loads(node.attrs.get("hx-vals", "{}"))
                fields += [Field(k, "hidden", str(v)) for k, v in extra.items()]
            method = verb.removeprefix("hx-").upper()
            if path:
                found.append(Submission(method, path, fields, page, hx_headers, "htmx"))
        elif node.tag == "form":
            method = node.attrs.get("method", "get").upper()
            path = _absolute(page, node.attrs.get("action", ""))
            if path and method != "GET":
                found.append(
                    Submission(method, path, _fields(_members(root, node)), page, {}, "form")
                )
    return found


def links(page: str, html: str) -> list[str]:
    """Same-site pages the page links to (a href, hx-get, GET forms without their fields)."""
    out = []
    for node in parse(html).walk():
        target = None
        if node.tag == "a":
            target = node.attrs.get("href")
        elif "hx-get" in node.attrs:
            target = node.attrs["hx-get"]
        elif node.tag == "form" and node.attrs.get("method", "get").lower() == "get":
            target = node.attrs.get("action") or page
        if target and not target.startswith(("#", "mailto:", "javascript:")):
            path = _absolute(page, target)
            if path:
                out.append(path)
    return out
