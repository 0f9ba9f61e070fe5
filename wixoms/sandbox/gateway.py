"""What every Wix API call goes through: counters, injected faults, auth, scopes, rate limit."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, g, request

from .errors import WixError, server_error_response
from .models import Installation, Site
from .scopes import Scopes, granted
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
        return server_error_response(status, headers)
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
        st.window_peaks[instance_id] = max(st.window_peaks.get(instance_id, 0), len(window))


def wix_api(auth: bool = True, scope: Scopes | None = None) -> Callable:
    """Decorate a Wix REST endpoint; the view receives `caller` when auth is on.

    ``scope``: the app must hold one of these permission scopes (scopes.py), else 403."""

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
            if scope and app is not None and not granted(app.permissions, scope):
                raise permission_denied(scope)
            _rate_limit(st, inst.instance_id)
            g.caller = Caller(inst, site, inst.app_id)
            return view(*args, caller=g.caller, **kwargs)

        return wrapper

    return decorate


def permission_denied(needed: Scopes) -> WixError:
    """403 in Wix's error shape, naming a scope that would grant the call."""
    return WixError(
        403,
        f"Permission denied: the app needs one of the scopes {', '.join(needed[:3])}",
        "PERMISSION_DENIED",
    )


def caller_may(needed: Scopes) -> bool:
    """Whether the calling app holds one of ``needed`` (for scope-dependent answers)."""
    caller = g.get("caller")
    app = store().apps.get(caller.app_id) if caller else None
    return app is None or granted(app.permissions, needed)


def _query_body() -> dict:
    """A GET request's body, as the official SDK sends it: ``.r`` = base64url(JSON), or
    flat ``a.b.c=value`` parameters (@wix/sdk-runtime rest-modules ``toURLSearchParams``)."""
    encoded = request.args.get(".r")
    if encoded:
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise WixError(400, "Query parameter .r is not base64url-encoded JSON") from exc
        if not isinstance(data, dict):
            raise WixError(400, "Query parameter .r must encode a JSON object")
        return data
    data: dict = {}
    for key in request.args:
        values = request.args.getlist(key)
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise WixError(400, f"Query parameter {key} clashes with another")
        node[leaf] = values if len(values) > 1 else _scalar(values[0])
    return data


def _scalar(text: str):
    if text.lstrip("-").isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text, text)


def body() -> dict:
    """The JSON body (or a GET's query form), or a 400 when it is not an object."""
    if request.method == "GET":
        return _query_body()
    data = request.get_json(silent=True)
    if data is None:
        if request.data.strip():
            raise WixError(400, "Request body is not valid JSON")
        return {}
    if not isinstance(data, dict):
        raise WixError(400, "Request body must be a JSON object")
    return data


def bulk_meta(results: list[dict]) -> dict:
    """bulkActionMetadata of a bulk answer with one result per item."""
    ok = sum(1 for r in results if r["itemMetadata"]["success"])
    return {"totalSuccesses": ok, "totalFailures": len(results) - ok, "undetailedFailures": 0}


def item_error(code: str, description: str) -> dict:
    return {"code": code, "description": description, "data": {}}
