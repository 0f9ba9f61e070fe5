"""A crawler that behaves like a person clicking through every page and submitting every form.

It logs in through the login form, visits every same-site page reachable from the dashboard
(a few of each shape: /orders/1 and /orders/2 are the same page), harvests every form and htmx
write element, and submits each with plausible values, junk, huge numbers and long texts, and
empty values, carrying the CSRF token its own session's pages rendered. Anything answering
5xx (or raising) is recorded.
"""

from __future__ import annotations

import re
import traceback
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from flask.testing import FlaskClient

from tests.fixtures.app import PASSWORD
from tests.integration.crawl.html_forms import Field, Submission, links, submissions

PER_SHAPE = 2  # pages of one shape visited (the rest only differ by ids)
JUNK = "'\"<x>&;--"
HUGE_NUMBER = "99999999999999999999"  # past a 64-bit integer
LONG_TEXT = "x" * 3000  # past every String(n) column
VARIANTS = ("plausible", "again", "junk", "huge", "empty")  # again: a double submit
# Last, in this order: what removes what the other submissions need.
DESTRUCTIVE = ("/revoke", "/delete", "/wizard/", "/logout")
NEVER_VISIT = ("/logout", "/static/", "/channels/0")


def shape(path: str) -> str:
    parts = urlsplit(path)
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    generic = re.sub(r"/\d+", "/N", parts.path)
    return f"{generic}?{keys}"


@dataclass
class Problem:
    who: str
    what: str
    status: int
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.who}: {self.what} → {self.status} {self.detail}".strip()


@dataclass
class Crawl:
    """One user's crawl: pages seen, submissions harvested, problems found."""

    client: FlaskClient
    who: str
    email: str
    visited: set[str] = field(default_factory=set)
    found: dict[tuple, Submission] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    token: str = ""
    requests: int = 0

    def request(self, method: str, path: str, **kw):
        self.requests += 1
        try:
            response = self.client.open(path, method=method, csrf=False, **kw)
            response.get_data()  # read a streamed body to its end, as a browser does
            response.close()
            return response
        except Exception as exc:  # the test client propagates the app's exceptions
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
            where = f"{ours[-1].filename.rsplit('/', 2)[-2:]}:{ours[-1].lineno}"
            self.problems.append(Problem(self.who, f"{method} {path}", 500,
                                         f"{type(exc).__name__}: {exc} at {where}"))  # fmt: skip
            import os

            if os.environ.get("CRAWL_DEBUG"):
                traceback.print_exc()
            return None

    def check(self, response, what: str):
        if response is not None and response.status_code >= 500:
            self.problems.append(Problem(self.who, what, response.status_code))
        return response

    def log_in(self) -> None:
        page = self.request("GET", "/login")
        sub = next(s for s in submissions("/login", page.get_data(as_text=True)))
        data = {f.name: f.value for f in sub.fields}
        data.update(email=self.email, password=PASSWORD)
        response = self.request("POST", "/login", data=data)
        assert response.status_code == 302, f"{self.who} could not log in"
        home = self.request("GET", "/").get_data(as_text=True)
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)

    def visit_all(self, start: str = "/") -> None:
        queue, shapes = [start], Counter()
        while queue:
            path = queue.pop(0)
            if path in self.visited or path.startswith(NEVER_VISIT):
                continue
            if shapes[shape(path)] >= PER_SHAPE:
                continue
            shapes[shape(path)] += 1
            self.visited.add(path)
            response = self.check(self.request("GET", path), f"GET {path}")
            if response is None or response.status_code != 200:
                continue
            if not response.mimetype.startswith("text/html"):
                continue
            html = response.get_data(as_text=True)
            for sub in submissions(path, html):
                key = (sub.method, shape(sub.path), sub.key[2])
                self.found.setdefault(key, sub)
            queue += [p for p in links(path, html) if p not in self.visited]

    def submit_all(self, subs: list[Submission]) -> None:
        for sub in sorted(subs, key=_order):
            for variant in VARIANTS:
                data = fill(sub.fields, variant, self.token)
                headers = {"X-CSRFToken": self.token}
                if sub.source == "htmx":
                    headers["HX-Request"] = "true"
                what = f"{sub.method} {sub.path} ({variant}, from {sub.page})"
                response = self.check(
                    self.request(sub.method, sub.path, data=data, headers=headers), what
                )
                if response is None:
                    continue
                target = response.headers.get("Location", "")
                if response.status_code in (301, 302, 303) and target.startswith("/"):
                    if target.startswith("/login"):
                        self.log_in()  # logged out (Log out, or the session ended): go on
                    else:
                        self.check(self.request("GET", target), f"GET {target} after {what}")


def _order(sub: Submission) -> tuple[int, str]:
    rank = next((i + 1 for i, part in enumerate(DESTRUCTIVE) if part in sub.path), 0)
    return (rank, sub.path)


def _plausible(f: Field) -> str | list[str] | None:
    name = f.name.lower()
    if f.kind in ("checkbox", "radio"):
        return f.value if f.checked else None
    if f.kind == "select":
        choices = [o for o in f.options if o]
        return f.value or (choices[0] if choices else "")
    if f.value:
        return f.value
    if f.kind == "file":
        return None
    if f.kind == "number" or name.endswith(("_id", "_days", "_level", "quantity", "on_hand")):
        return "1"
    if f.kind == "email" or "email" in name:
        return "crawl@example.test"
    if f.kind == "date" or "date" in name:
        return "2026-01-15"
    if "url" in name:
        return "https://www.wixapis.com"
    if "sku" in name:
        return "TEE-S"
    return "Crawl 1"


def fill(fields: list[Field], variant: str, token: str) -> dict[str, list[str]]:
    """The form data a person would send: plausible, junk in every field, or all left empty."""
    variant = "plausible" if variant == "again" else variant
    data: dict[str, list[str]] = {}
    radios_done: set[str] = set()
    submit = next((f for f in fields if f.kind == "submit"), None)
    for f in fields:
        if f.kind == "submit" and f is not submit:
            continue  # the person presses one button: the first
        if f.name == "csrf_token":
            value = token
        elif variant == "junk":
            value = JUNK
        elif variant == "huge":
            plausible = _plausible(f)
            if plausible is None:
                continue
            value = HUGE_NUMBER if str(plausible).lstrip("-").isdigit() else LONG_TEXT
        elif variant == "empty":
            value = "" if f.kind not in ("checkbox", "radio", "hidden") else _plausible(f)
        else:
            value = _plausible(f)
            if f.kind == "radio":
                if f.name in radios_done or value is None:
                    continue
                radios_done.add(f.name)
        if value is None:
            continue
        data.setdefault(f.name, []).append(value)
    for f in fields:  # a radio group with none checked: the person picks the first
        if variant == "plausible" and f.kind == "radio" and f.name not in data:
            data[f.name] = [f.value]
    return data
