"""Access tokens of one app instance: refresh before expiry and after a 401, single-flight.

Every client of one channel (same app, same instance id) shares a lock and the latest
credentials, so two threads or two clients never ask Wix for a token at the same time and a
token fetched by one is reused by the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .auth import (
    AuthFlow,
    Credentials,
    WixApp,
    _utcnow,
    client_credentials_token,
    refresh_access_token,
)
from .errors import ReconnectRequired
from .transport import Transport


@dataclass
class _SharedTokens:
    lock: threading.Lock = field(default_factory=threading.Lock)
    credentials: Credentials | None = None


class TokenRegistry:
    """The per-instance lock and latest credentials, shared by all clients in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], _SharedTokens] = {}

    def state(self, app_id: str, instance_id: str) -> _SharedTokens:
        with self._lock:
            return self._states.setdefault((app_id, instance_id), _SharedTokens())

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


token_registry = TokenRegistry()


class TokenManager:
    """Hands out a valid access token for one app instance."""

    def __init__(
        self,
        app: WixApp,
        instance_id: str,
        credentials: Credentials | None,
        transport: Transport,
        *,
        on_credentials: Callable[[Credentials], None] | None = None,
        now: Callable[[], datetime] = _utcnow,
        skew: timedelta = timedelta(seconds=30),
        registry: TokenRegistry = token_registry,
    ) -> None:
        self.app = app
        self.instance_id = instance_id
        self.credentials = credentials
        self._transport = transport
        self._on_credentials = on_credentials
        self._now = now
        self._skew = skew
        self._shared = registry.state(app.app_id, instance_id)

    def access_token(self) -> str:
        """A token that will not expire within the skew, fetching one when needed."""
        creds = self.credentials
        if creds is not None and not creds.expires_soon(self._now(), self._skew):
            return creds.access_token
        return self._renew(creds.access_token if creds else None)

    def after_unauthorized(self, rejected_token: str) -> str:
        """Wix answered 401 to ``rejected_token``: get a new one (once per rejected token)."""
        return self._renew(rejected_token)

    def _usable(self, creds: Credentials | None, stale_token: str | None) -> bool:
        return (
            creds is not None
            and creds.access_token != stale_token
            and not creds.expires_soon(self._now(), self._skew)
        )

    def _renew(self, stale_token: str | None) -> str:
        with self._shared.lock:
            # Someone (this client or another of the channel) renewed while we waited.
            for creds in (self._shared.credentials, self.credentials):
                if self._usable(creds, stale_token):
                    self.credentials = creds
                    return creds.access_token  # type: ignore[union-attr]
            new = self._grant()
            self._shared.credentials = new
            self.credentials = new
        if self._on_credentials is not None:
            self._on_credentials(new)
        return new.access_token

    def _grant(self) -> Credentials:
        if self.app.auth_flow is AuthFlow.OAUTH:
            return client_credentials_token(
                self.app, self.instance_id, transport=self._transport, now=self._now()
            )
        refresh_token = (self.credentials.refresh_token if self.credentials else None) or (
            self._shared.credentials.refresh_token if self._shared.credentials else None
        )
        if not refresh_token:
            raise ReconnectRequired("no refresh token stored for this channel")
        return refresh_access_token(
            self.app, refresh_token, transport=self._transport, now=self._now()
        )
