"""HTTP transport: pooling, timeouts, retries with backoff, rate limiting and safe logging.

Nothing here knows about tokens beyond sending the header it is given; the client decides
when to refresh. Logs carry method, path (no query string), status and duration only — never
headers, bodies, tokens or buyer data.
"""

from __future__ import annotations

import json as jsonlib
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from .errors import WixError, WixRateLimited, WixServerError, WixUnavailable, error_from_response
from .throughput import ThroughputPlan

log = logging.getLogger("wixoms.wix")

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class BlockingBucket:
    """``acquire()`` for a token bucket that has ``try_acquire()`` (this process's RateLimiter,
    or the cluster's shared one in Redis): wait until a request may be sent."""

    _sleep: Sleep

    def try_acquire(self) -> float:
        raise NotImplementedError

    def acquire(self) -> float:
        """Block until a request may be sent; return the seconds waited."""
        waited = 0.0
        while (wait := self.try_acquire()) > 0:
            self._sleep(wait)
            waited += wait
        return waited


class RateLimiter(BlockingBucket):
    """Thread-safe token bucket: ``burst`` requests at once, then ``rate`` per second."""

    def __init__(
        self,
        rate_per_second: float,
        burst: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst ≥ 1")
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self.rate = rate_per_second
        self.burst = burst
        self._tokens = float(burst)
        self._updated = clock()

    @classmethod
    def for_plan(cls, plan: ThroughputPlan, **kw: Any) -> RateLimiter:
        return cls(plan.requests_per_second, plan.burst, **kw)

    def configure(self, rate_per_second: float, burst: int) -> None:
        """Change rate and burst in place (a channel's plan changed); tokens carry over."""
        with self._lock:
            self._refill()
            self.rate, self.burst = rate_per_second, burst
            self._tokens = min(self._tokens, float(burst))

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def try_acquire(self) -> float:
        """Take a token if one is there (→ 0.0), else return the seconds to wait for one."""
        with self._lock:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate

    def penalize(self) -> None:
        """Empty the bucket after a 429 so the whole channel slows down, not only one job."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, 0.0)


class RateLimiterRegistry:
    """One RateLimiter per Wix app instance, shared by every client of that channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[str, RateLimiter] = {}

    def get(self, instance_id: str, plan: ThroughputPlan, **kw: Any) -> RateLimiter:
        with self._lock:
            limiter = self._limiters.get(instance_id)
            if limiter is None:
                limiter = self._limiters[instance_id] = RateLimiter.for_plan(plan, **kw)
            elif (limiter.rate, limiter.burst) != (plan.requests_per_second, plan.burst):
                limiter.configure(plan.requests_per_second, plan.burst)
            return limiter

    def clear(self) -> None:
        with self._lock:
            self._limiters.clear()


rate_limiters = RateLimiterRegistry()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; Retry-After wins when Wix sends it."""

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: Callable[[], float]) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        cap = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return cap * (0.5 + rng() / 2)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class Transport:
    """Sends JSON requests to one Wix base URL for one app instance."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        session: requests.Session | None = None,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._owns_session = session is None
        self.session = session or self._new_session()
        self.rate_limiter = rate_limiter
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng
        self._calls_lock = threading.Lock()
        self.calls = 0

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        safe_to_retry: bool | None = None,
    ) -> Any:
        """Send a request, retrying what is safe; return the decoded JSON body ({} if empty).

        ``safe_to_retry`` marks POST/PATCH requests that are read-only or absolute (queries,
        searches, absolute sets); by default only GET/HEAD/PUT/DELETE are repeated after a
        5xx or a lost connection. A 429 or a connect timeout is retried for every request,
        since Wix never processed it.
        """
        method = method.upper()
        safe = method in SAFE_METHODS if safe_to_retry is None else safe_to_retry
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send_once(method, url, path, json, params, headers)
            except (WixRateLimited, WixServerError, WixUnavailable) as exc:
                retryable = isinstance(exc, WixRateLimited) or safe or _not_sent(exc)
                if not retryable or attempt >= self.retry.max_attempts:
                    raise
                retry_after = exc.retry_after if isinstance(exc, WixRateLimited) else None
                if retry_after is None and isinstance(exc, WixServerError):
                    retry_after = getattr(exc, "retry_after", None)
                delay = self.retry.delay(attempt, retry_after, self._rng)
                log.info(
                    "wix retry %s %s after %s in %.2fs (attempt %d)",
                    method,
                    _log_path(path),
                    exc.status or type(exc.__cause__).__name__,
                    delay,
                    attempt,
                )
                self._sleep(delay)

    def _send_once(
        self,
        method: str,
        url: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> Any:
        if self.rate_limiter is not None:
            self.rate_limiter.acquire()
        with self._calls_lock:
            self.calls += 1
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                json=json,
                params=params,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,  # a redirect could carry the token to another host
            )
        except requests.RequestException as exc:
            ms = (time.monotonic() - started) * 1000
            log.warning(
                "wix %s %s failed after %.0fms: %s", method, _log_path(path), ms, type(exc).__name__
            )
            err = WixUnavailable(f"{type(exc).__name__} calling {method} {_log_path(path)}")
            raise err from exc
        ms = (time.monotonic() - started) * 1000
        log.info("wix %s %s → %d in %.0fms", method, _log_path(path), response.status_code, ms)
        if response.is_redirect or response.is_permanent_redirect:
            raise WixError(
                f"Wix answered {method} {_log_path(path)} with a redirect to "
                f"{_redirect_host(response)}; wixoms does not follow redirects from the API.",
                status=response.status_code,
            )
        body = _decode(response)
        if response.status_code < 400:
            return body
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if response.status_code == 429 and self.rate_limiter is not None:
            self.rate_limiter.penalize()
        err = error_from_response(response.status_code, body, retry_after=retry_after)
        if isinstance(err, WixServerError):
            err.retry_after = retry_after  # type: ignore[attr-defined]
        raise err

    def close(self) -> None:
        """Close the pooled session, unless the caller lent it."""
        if self._owns_session:
            self.session.close()


def _not_sent(exc: WixError) -> bool:
    """True when the request certainly never reached Wix (so repeating it is harmless)."""
    return isinstance(exc.__cause__, requests.ConnectTimeout)


def _decode(response: requests.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except (ValueError, jsonlib.JSONDecodeError):
        return {"message": response.text[:200]}


def _redirect_host(response: requests.Response) -> str:
    target = urlsplit(urljoin(response.url, response.headers.get("Location", "")))
    return target.netloc or "an unnamed place"


def _log_path(path: str) -> str:
    return path.split("?", 1)[0]
