"""Helpers of the wizard tests: the Env (live wixoms + sandbox) and a Visitor without JavaScript."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from flask import Flask

from tests.fixtures.app import PASSWORD
from tests.fixtures.wix import APP_ID
from wixoms.extensions import db
from wixoms.models import Channel, WizardSession

CSRF_IN_PAGE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass
class Env:
    """wixoms (app + URL) and the sandbox, with the wixoms app registered for one auth flow."""

    app: Flask
    url: str
    sandbox: object  # SandboxControl
    sandbox_url: str
    store: object  # the sandbox's in-memory Wix
    flow: str
    sites: dict[str, dict] = field(default_factory=dict)

    def channels(self) -> list[Channel]:
        with self.app.app_context():
            rows = list(db.session.scalars(db.select(Channel).order_by(Channel.id)))
            db.session.expunge_all()
            return rows

    def wizard(self, state: str) -> WizardSession:
        with self.app.app_context():
            ws = db.session.scalar(db.select(WizardSession).where(WizardSession.state == state))
            db.session.expunge_all()
            return ws

    def installation(self, site: dict) -> dict:
        return next(
            i
            for i in self.sandbox.installations()
            if i["siteId"] == site["id"] and i["appId"] == APP_ID
        )


class Visitor:
    """A browser without JavaScript: cookies, forms, redirects followed one at a time."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.http = requests.Session()
        self.history: list[str] = []
        self.csrf_token: str | None = None  # the last token a wixoms page carried, as a browser

    def _is_wixoms(self, url: str) -> bool:
        return url.startswith(self.env.url + "/")

    def _abs(self, url: str) -> str:
        return url if url.startswith("http") else urljoin(self.env.url, url)

    def get(self, url: str, **kw) -> requests.Response:
        return self._send("GET", url, **kw)

    def post(self, url: str, *, csrf: bool = True, **kw) -> requests.Response:
        """Post as a form of the page would: with the page's CSRF token (``csrf=False``: none)."""
        url = self._abs(url)
        if csrf and self._is_wixoms(url):
            if self.csrf_token is None:
                self.follow(self.get("/"))  # a browser has a page before it posts
            data = dict(kw.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token)
            kw["data"] = data
        return self._send("POST", url, **kw)

    def _send(self, method: str, url: str, **kw) -> requests.Response:
        url = self._abs(url)
        self.history.append(f"{method} {url}")
        response = self.http.request(method, url, allow_redirects=False, timeout=20, **kw)
        if not self._is_wixoms(url):
            return response
        if found := CSRF_IN_PAGE.search(response.text):
            self.csrf_token = found.group(1)
        elif "wixoms_session=" in response.headers.get("Set-Cookie", ""):
            self.csrf_token = None  # a new session (log in, log out): the next page has its token
        return response

    def follow(self, response: requests.Response, limit: int = 12) -> requests.Response:
        """Follow redirects one by one (across wixoms and Wix), returning the page."""
        while response.is_redirect:
            assert limit, f"redirect loop: {self.history[-12:]}"
            limit -= 1
            response = self.get(urljoin(response.url, response.headers["Location"]))
        return response

    def login(self, email: str = "admin@acme.test", next_url: str | None = None):
        url = "/login" + (f"?next={requests.utils.quote(next_url)}" if next_url else "")
        response = self.post(url, data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.text[:500]
        return response

    def login_from(self, page: requests.Response) -> requests.Response:
        """On the login page wixoms sent us to: log in there (keeps ?next=)."""
        assert urlsplit(page.url).path == "/login", page.url
        response = self.post(page.url, data={"email": "admin@acme.test", "password": PASSWORD})
        assert response.status_code == 302
        return response

    # --- Wix --------------------------------------------------------------------------------

    def through_wix(self, into_wix: requests.Response, site: dict, decision: str = "allow"):
        """From a redirect into Wix: pick ``site``, answer the consent; returns Wix's redirect."""
        page = self.follow(into_wix)
        assert "/installer/choose" in page.url, (page.url, page.text[:300])
        request_id = parse_qs(urlsplit(page.url).query)["request"][0]
        for other in self.env.sites.values():
            assert other["name"] in page.text  # the picker lists every site
        sandbox = self.env.sandbox_url
        chosen = self.post(
            f"{sandbox}/installer/choose", data={"request": request_id, "siteId": site["id"]}
        )
        consent = self.follow(chosen)
        assert "/installer/consent" in consent.url and site["name"] in consent.text
        back = self.post(
            f"{sandbox}/installer/consent", data={"request": request_id, "decision": decision}
        )
        assert back.is_redirect
        return back

    def connect(self, site: dict, *, decision: str = "allow", reconnect: int | None = None):
        """Add Wix channel → Wix → back in wixoms; returns the wizard page."""
        data = {"reconnect": str(reconnect)} if reconnect else {}
        start = self.post("/wizard/connect", data=data)
        assert start.status_code == 303
        assert start.headers["Location"].startswith(self.env.sandbox_url + "/installer/install")
        return self.follow(self.through_wix(start, site, decision))

    def step(self, page: requests.Response, action: str, htmx: bool = False, **kw):
        headers = {"HX-Request": "true", "HX-Current-URL": page.url} if htmx else {}
        response = self.post(f"/wizard/{state_of(page)}/{action}", headers=headers, **kw)
        return response if htmx else self.follow(response)

    def to_name_step(self, site: dict, account_id: int) -> requests.Response:
        page = self.connect(site)
        page = self.step(page, "version", data={"action": "continue"})
        assert 'type="radio" name="account_id"' in page.text, page.text[-2000:]
        page = self.step(page, "account", data={"account_id": account_id})
        assert 'name="name"' in page.text
        return page


def state_of(page: requests.Response) -> str:
    match = re.match(r"^/wizard/([A-Za-z0-9_-]{20,})", urlsplit(page.url).path)
    assert match, page.url
    return match.group(1)


def confirmation_fields(page: requests.Response) -> dict[str, str]:
    """The hidden fields of the "Connect a Wix site?" form (a link from Wix arrived)."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields.pop("csrf_token", None)
    return {k: html.unescape(v) for k, v in fields.items()}


def failure_code(page: requests.Response) -> str | None:
    match = re.search(r'data-failure="([a-z_]+)"', page.text)
    return match.group(1) if match else None
