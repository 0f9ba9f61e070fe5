"""What every Wix API call goes through: counters, injected faults, auth, scopes, rate limit."""

from __future__ import annotations

import functools
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, g, request

from .errors import WixError, empty_response
from .models import Installation, Site
from .store import Store

_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def store() -> Store:
    return current_app.extensions["wix_sandbox"]


def endpoint_key() -> str:
    """ "POST /ecom/v1/orders/search", with path parameters as {name}."""
    rule = request.url_rule.rule if request.url_rule else request.path
    return f"{request.method} {_PARAM.sub(lambda m: '{' + m.group(1) + '}', rule)}"


@dataclass
class Caller:
    """The app instance a token speaks for."""

    instance: Installation
    site: Site
    app_id: str


def _peek_site(st: Store) -> str | None:
    header = (request.headers.get("Authorization") or "").strip()
    if header[:7].lower() == "bearer ":
        header = header[7:].strip()
    token = st.tokens.get(header)
    inst = st.installations.get(token.instance_id) if token else None
    return inst.site_id if inst else None


def _count(st: Store) -> None:
    key = endpoint_key()
    with st.lock:
        st.endpoint_counts[key] += 1
        site_id = _peek_site(st)
        if site_id:
            st.site_counts.setdefault(site_id, Counter())[key] += 1


def _retry_headers(st: Store, status: int) -> dict:
    if status in (429, 503) and st.faults.retry_after is not None:
        return {"Retry-After": str(st.faults.retry_after)}
    return {}


def _injected(st: Store) -> Response | None:
    """Latency, bursts and random 5xx from the fault config."""
    faults = st.faults
    if faults.latency_ms or faults.jitter_ms:
        with st.lock:
            jitter = st.fault_rng.uniform(-faults.jitter_ms, faults.jitter_ms)
        time.sleep(max(0.0, faults.latency_ms + jitter) / 1000)
    with st.lock:
        for burst in faults.bursts:
            if burst.get("remaining", 0) <= 0:
                continue
            if not request.path.startswith(burst.get("path_prefix", "/")):
                continue
            if burst.get("method") and burst["method"].upper() != request.method:
                continue
            burst["remaining"] -= 1
            status = int(burst.get("status", 503))
            return _status_response(st, status)
        if faults.error_rate and st.fault_rng.random() < faults.error_rate:
            status = st.fault_rng.choice(faults.error_statuses or [500])
            return _status_response(st, status)
    return None


def _status_response(st: Store, status: int) -> Response:
    headers = _retry_headers(st, status)
    if status >= 500:
        return empty_response(status, headers)
    raise WixError(status, _MESSAGES.get(status, "Injected error"), headers=headers)


_MESSAGES = {429: "Resource exhausted", 401: "Unauthenticated", 403: "Permission denied"}


def _rate_limit(st: Store, instance_id: str) -> None:
    faults = st.faults
    now = st.now()
    with st.lock:
        window = st.windows.setdefault(instance_id, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        over = faults.rate_limit_per_minute and len(window) >= faults.rate_limit_per_minute
        if not over and faults.rate_limit_per_second:
            recent = sum(1 for t in window if t > now - 1)
            over = recent >= faults.rate_limit_per_second
        if over:
            raise WixError(429, "Resource exhausted", headers=_retry_headers(st, 429))
        window.append(now)


def wix_api(auth: bool = True, scope: str | None = None) -> Callable:
    """Decorate a Wix REST endpoint; the view receives `caller` when auth is on."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            st = store()
            _count(st)
            injected = _injected(st)
            if injected is not None:
                return injected
            if not auth:
                return view(*args, **kwargs)
            token = st.access_token_info(request.headers.get("Authorization"))
            with st.lock:
                inst = st.installations[token.instance_id]
                site = st.sites[inst.site_id]
                app = st.apps.get(inst.app_id)
            if scope and app is not None and not _has_scope(app.permissions, scope):
                raise WixError(403, f"Missing permission {scope}", "PERMISSION_DENIED")
            _rate_limit(st, inst.instance_id)
            g.caller = Caller(inst, site, inst.app_id)
            return view(*args, caller=g.caller, **kwargs)

        return wrapper

    return decorate


def _has_scope(granted: list[str], scope: str) -> bool:
    """MANAGE implies READ of the same area."""
    if scope in granted:
        return True
    return scope.replace("READ-", "MANAGE-") in granted


def body() -> dict:
    """The JSON body, or a 400 when it is not an object."""
    data = request.get_json(silent=True)
    if data is None:
        if request.data.strip():
            raise WixError(400, "Request body is not valid JSON")
        return {}
    if not isinstance(data, dict):
        raise WixError(400, "Request body must be a JSON object")
    return data
