"""Delivers webhooks on a background thread, retrying like Wix (wix-api.md §3, §4, §10).

Wix waits ``webhook_timeout_s`` (1250 ms) for a 2xx, then retries on the schedule
``webhook_retry_schedule_s`` (12 more tries, 1 minute → 12 hours); ``webhook_time_scale``
shrinks the schedule so tests see hours pass in milliseconds. A retry re-sends the very
same body: for app webhooks the JWT signed at the first attempt, long expired by the last.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from . import events
from .common import iso, new_id
from .models import Installation, Order, Product
from .store import Store


def _now_iso() -> str:
    return iso(datetime.now(UTC))


def retry_delay(config: dict, failed_attempts: int) -> float:
    """Seconds until the next try after ``failed_attempts`` failures, time scale applied."""
    schedule = config["webhook_retry_schedule_s"] or [60]
    step = schedule[min(failed_attempts, len(schedule)) - 1]
    return float(step) * float(config["webhook_time_scale"])


class Dispatcher:
    """Turns store events into deliveries and sends them; every delivery is recorded."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.deliveries: list[dict] = []
        self._queue: list[tuple[float, int, dict]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._generation = 0
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wix-webhook")
        self._keys: dict[str, tuple[str, RSAPrivateKey]] = {}
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, name="wix-webhooks", daemon=True)
        self._thread.start()

    # --- building deliveries -------------------------------------------------------------

    def emit(self, kind: str, subject: object, **extra: object) -> None:
        st = self.store
        with st.lock:
            stamp = st.stamp()
            if isinstance(subject, Order):
                self._order(kind, subject, stamp, extra)
            elif isinstance(subject, Product):
                self._product(kind, subject, stamp, extra)
            elif isinstance(subject, Installation):
                event_type, data = events.lifecycle_event(kind, subject)
                app = st.apps.get(subject.app_id)
                if app is not None and app.webhook_url:
                    self._app_webhook(app, subject, event_type, data, "")

    def _apps_on(self, site_id: str):
        st = self.store
        for inst in st.installations.values():
            app = st.apps.get(inst.app_id)
            if inst.site_id == site_id and inst.active and app is not None and app.webhook_url:
                yield app, inst

    def _order(self, kind: str, order: Order, stamp: str, extra: dict) -> None:
        st = self.store
        if kind == "order_created":
            doc = events.render_order(order)
            for automation in st.automations.values():
                if automation.site_id == order.site_id and automation.active:
                    body = json.dumps(events.automation_body(automation, doc)).encode()
                    self._schedule(
                        {
                            "kind": "automation",
                            "eventType": "order_placed",
                            "siteId": order.site_id,
                            "automationId": automation.id,
                            "orderId": order.id,
                            "url": automation.url,
                            "headers": {"Content-Type": "application/json"},
                            "body": body,
                            "timeout": st.config["automation_timeout_s"],
                        }
                    )
        for app, inst in self._apps_on(order.site_id):
            event_type, event = events.order_event(kind, order, stamp, extra.get("modified_fields"))
            self._app_webhook(app, inst, event_type, event, event["id"], order.id)

    def _product(self, kind: str, product: Product, stamp: str, extra: dict) -> None:
        built = events.product_event(self.store, kind, product, stamp, extra)
        if built is None:
            return
        event_type, data = built
        for app, inst in self._apps_on(product.site_id):
            for event in data if isinstance(data, list) else [data]:
                self._app_webhook(app, inst, event_type, event, event.get("id", ""))

    def _signing_key(self, app) -> RSAPrivateKey:
        """The app's private key, parsed once (parsing the PEM per event cost ~46 ms)."""
        cached = self._keys.get(app.app_id)
        if cached is None or cached[0] != app.private_key_pem:
            key = serialization.load_pem_private_key(app.private_key_pem.encode(), password=None)
            cached = self._keys[app.app_id] = (app.private_key_pem, key)
        return cached[1]

    def _app_webhook(self, app, inst, event_type, data, event_id, order_id="") -> None:
        now = int(self.store.now())
        claims = {
            "data": json.dumps(events.envelope(event_type, inst.instance_id, data, app.app_id)),
            "iat": now,
            "exp": now + int(self.store.config["jwt_ttl_s"]),
        }
        token = jwt.encode(claims, self._signing_key(app), algorithm="RS256")
        record = {
            "kind": "app_webhook",
            "eventType": event_type,
            "eventId": event_id,
            "siteId": inst.site_id,
            "instanceId": inst.instance_id,
            "appId": app.app_id,
            "url": app.webhook_url,
            "headers": {"Content-Type": "text/plain"},
            "body": token.encode(),
            "timeout": self.store.config["webhook_timeout_s"],
        }
        if order_id:
            record["orderId"] = order_id
        self._schedule(record)

    def _schedule(self, record: dict) -> None:
        """Apply the webhook faults (drop, duplicate, delay) and queue the delivery."""
        st = self.store
        faults = st.faults
        copies = 1
        with st.lock:
            dropped = faults.webhook_drop_rate and st.fault_rng.random() < faults.webhook_drop_rate
            if (
                faults.webhook_duplicate_rate
                and st.fault_rng.random() < faults.webhook_duplicate_rate
            ):
                copies = 2
        first_id = ""
        for copy in range(copies):
            delivery = {
                **record,
                "id": new_id(),
                "status": "dropped" if dropped else "pending",
                "attempts": [],
                "createdAt": _now_iso(),
            }
            if copy:
                delivery["duplicateOf"] = first_id
            first_id = first_id or delivery["id"]
            with self._cond:
                self.deliveries.append(delivery)
                if not dropped:
                    due = time.monotonic() + faults.webhook_delay_ms / 1000
                    heapq.heappush(self._queue, (due, next(self._seq), delivery))
                    self._cond.notify()

    # --- sending -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(timeout)
                _due, _seq, delivery = heapq.heappop(self._queue)
                generation = self._generation
            self._pool.submit(self._send, delivery, generation)

    def _send(self, delivery: dict, generation: int) -> None:
        attempt: dict = {"at": _now_iso()}
        try:
            response = self._session.post(
                delivery["url"],
                data=delivery["body"],
                headers=delivery["headers"],
                timeout=delivery["timeout"],
            )
            attempt["status"] = response.status_code
            ok = 200 <= response.status_code < 300
        except requests.RequestException as exc:
            attempt["error"] = type(exc).__name__
            ok = False
        config = self.store.config
        with self._cond:
            if generation != self._generation:
                return
            delivery["attempts"].append(attempt)
            if ok:
                delivery["status"] = "delivered"
                delivery["deliveredAt"] = attempt["at"]
            elif len(delivery["attempts"]) >= config["webhook_max_attempts"]:
                delivery["status"] = "failed"
            else:
                delay = retry_delay(config, len(delivery["attempts"]))
                delivery["nextAttemptInS"] = delay
                heapq.heappush(self._queue, (time.monotonic() + delay, next(self._seq), delivery))
                self._cond.notify()

    # --- control -------------------------------------------------------------------------

    def clear(self) -> None:
        with self._cond:
            self._generation += 1
            self.deliveries = []
            self._queue = []

    def snapshot(self, include_body: bool = True) -> list[dict]:
        """Deliveries as JSON-able dicts (body as text)."""
        with self._cond:
            out = []
            for d in self.deliveries:
                doc = {k: v for k, v in d.items() if k not in ("body", "headers", "timeout")}
                doc["attempts"] = [dict(a) for a in d["attempts"]]
                if include_body:
                    doc["body"] = d["body"].decode()
                out.append(doc)
            return out

    def idle(self) -> bool:
        """True when nothing is queued or pending."""
        with self._cond:
            return not self._queue and all(d["status"] != "pending" for d in self.deliveries)
