"""Benchmark: the sync engine under faults, as in production (PostgreSQL, gunicorn, scheduler).

One private PostgreSQL database (re-created), the Wix sandbox as a subprocess injecting 5xx,
429 (Wix's 200 requests/min per instance), latency and a token expiry, and gunicorn with 4
gthread workers that elect the scheduler among them (the README's set-up). Phases:

1. ``kill_to_complete_s``: an orders download of many orders; once it has committed its first
   page, kill -9 the process running it (the scheduler's leader); seconds until every order is
   in the OMS (goal < 60). The kill is also takeover 1 of phase 6.
2. ``status_mismatches``: Scheduled mode downloading Approved only; a scheduled download, then
   Wix cancels or rejects some of those orders; after one more scheduled download, OMS orders
   whose status disagrees with Wix's (goal 0).
3. Storm through JWT app webhooks: orders placed and then changed in the sandbox; its JWT
   deliveries (recorded) are replayed to /hooks with 10% repeats, shuffled (out of order).
   ``storm_settle_s`` (goal < 120) until the inbox is empty and every order is in the OMS with
   Wix's status; ``storm_orders_missing`` / ``storm_orders_duplicated`` (goal 0).
4. Storm through Automations (no entity): the same replay; ``storm_wix_fetches_per_order`` =
   order reads ÷ orders (goal ≤ 1).
5. ``cli_runs_lost``: 25 `wixoms sync <channel> orders` processes, one after another, with the
   scheduler running: a CLI run lost = not executed by anyone, or skipped by itself (goal 0).
6. ``slots_missed_after_takeovers``: a channel whose orders and fulfillment jobs run every
   minute through the whole benchmark, with two takeovers (phase 1's kill and a kill -9 of the
   next leader 20 s before the second slot, after phase 3), so a successor takes over just
   before a slot falls due; of the first three minute slots
   (counted from when the leader built the jobs), those no scheduled run served within 30 s
   (goal 0).

--quick uses fewer orders (see params); the logic and the ratios are the same. It takes about
four minutes rather than three: the three 1-minute slots of phase 6 cannot be watched faster.
Run: .venv/bin/python bench/fault_recovery.py [--quick] [--database-url URL]
Writes bench/results/fault_recovery.json.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import ROOT, bench_parser, load_average, print_metrics, write_results  # noqa: E402
from _fault_world import (  # noqa: E402
    APP_ID,
    OMS,
    Collector,
    app_config,
    env_of,
    fresh_database,
    start_gunicorn,
    start_sandbox,
)

FINAL = ("succeeded", "partial", "failed", "skipped")
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/wixoms_i19"
SLOT_S = 60
SLOTS = 3  # minute slots observed; both takeovers happen before the second
TAKEOVER_BEFORE_SLOT_S = 20  # the leader dies this long before slot 2; its successor takes ~15 s
# The storm's channels download cancelled orders too: every order of the storm is expected.
STORM = ["APPROVED", "CANCELED"]


def wait_until(predicate, timeout_s: float, step: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def place(control, channel: dict, n: int, **spec) -> list[dict]:
    line = [{"productId": channel["product"], "quantity": 1}]
    with ThreadPoolExecutor(8) as pool:
        return list(
            pool.map(lambda _: control.place_order(channel["site"], lines=line, **spec), range(n))
        )


def wait_run(oms: OMS, run_id: int, timeout_s: float = 120):
    return wait_until(lambda: (r := oms.run(run_id)).state in FINAL and r, timeout_s)


# --- phases ------------------------------------------------------------------------------------


def kill_phase(w, n: int) -> dict:
    channel = w.oms.channel(w.control, w.wix_url)
    placed = {o["id"] for o in place(w.control, channel, n)}
    run_id = w.oms.queue(channel["id"], trigger="manual")
    running = wait_until(
        lambda: (r := w.oms.run(run_id)).state == "running" and r.seen >= 100 and r, 120, 0.05
    )
    pid = int(running.owner.split(":")[1])
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    w.control.expire_tokens()  # and the access tokens expire meanwhile
    done = wait_until(lambda: {i for i, _ in w.oms.orders(channel["id"])} >= placed, 300)
    seconds = time.monotonic() - killed_at
    runs = w.oms.runs(channel["id"])
    return {
        "kill_to_complete_s": round(seconds, 1) if done else None,
        "killed_pid": pid,
        "seen_at_kill": running.seen,
        "runs": [(r.id, r.trigger, r.state) for r in runs],
        "orders_in_oms": len(w.oms.orders(channel["id"])),
    }


def status_phase(w, n: int) -> dict:
    channel = w.oms.channel(
        w.control, w.wix_url, channel_mode="scheduled", order_statuses=["APPROVED"]
    )
    placed = place(w.control, channel, n)
    first = wait_run(w.oms, w.oms.queue(channel["id"]))
    rng = random.Random(19)
    moved = rng.sample(placed, max(2, n // 8))
    for i, order in enumerate(moved):  # out of the filter in Wix
        w.control.update_order(order["id"], status="CANCELED" if i % 3 else "REJECTED")
    second = wait_run(w.oms, w.oms.queue(channel["id"]))
    wix = {o["id"]: o["status"] for o in w.control.orders(channel["site"])}
    oms = dict(w.oms.orders(channel["id"]))
    return {
        "status_mismatches": sum(1 for i, status in oms.items() if wix.get(i) != status),
        "moved_out_of_filter": len(moved),
        "runs": [first.state, second.state],
        "second_run_api_calls": second.api_calls,
        "channel": channel,
    }


def replay(url: str, bodies: list[bytes], content_type: str, threads: int = 8) -> int:
    """POST each body (as Wix would: again after a 429/503's Retry-After); return requests."""
    sent = 0

    def post(body: bytes) -> int:
        tries = 0
        while True:
            tries += 1
            response = requests.post(url, data=body, headers={"Content-Type": content_type})
            if response.status_code not in (429, 503):
                return tries
            time.sleep(float(response.headers.get("Retry-After", "1")))

    with ThreadPoolExecutor(threads) as pool:
        sent = sum(pool.map(post, bodies))
    return sent


def storm(w, channel: dict, bodies: list[bytes], kind: str, content_type: str) -> dict:
    rng = random.Random(7)
    storm_bodies = bodies + rng.sample(bodies, len(bodies) // 10)  # Wix's repeats
    rng.shuffle(storm_bodies)  # and out of order
    w.control.reset_counters()
    started = time.monotonic()
    requests_sent = replay(f"{w.url}/hooks/{channel[kind]}", storm_bodies, content_type)
    wix = {o["id"]: o["status"] for o in w.control.orders(channel["site"])}

    def settled() -> bool:
        oms = w.oms.orders(channel["id"])
        return (
            w.oms.events_open() == 0
            and {i for i, _ in oms} >= set(wix)
            and all(wix.get(i) == s for i, s in oms)
        )

    done = wait_until(settled, 300, 0.5)
    settle_s = time.monotonic() - started
    oms = w.oms.orders(channel["id"])
    counts = w.control.counters()["sites"].get(channel["site"], {})
    fetches = sum(v for k, v in counts.items() if k.startswith("GET /ecom/v1/orders/"))
    return {
        "settle_s": round(settle_s, 1) if done else None,
        "deliveries": len(storm_bodies),
        "requests": requests_sent,
        "orders": len(wix),
        "fetches": fetches,
        "missing": len(set(wix) - {i for i, _ in oms}),
        "duplicated": len(oms) - len({i for i, _ in oms}),
        "status_mismatches": sum(1 for i, s in oms if wix.get(i) != s),
    }


def jwt_storm_phase(w, n: int, changes: int) -> dict:
    collector = Collector()
    w.control.register_app(
        app_id=APP_ID, app_secret=w.config["WIX_APP_SECRET"], webhook_url=collector.url
    )
    channel = w.oms.channel(w.control, w.wix_url, channel_mode="webhooks", order_statuses=STORM)
    placed = place(w.control, channel, n, paymentStatus="NOT_PAID")
    rng = random.Random(5)
    for i, order in enumerate(rng.sample(placed, changes)):
        if i % 4 == 0:
            w.control.update_order(order["id"], status="CANCELED")
        else:
            w.control.update_order(order["id"], paymentStatus="PAID")
    bodies = collector.wait_quiet()
    w.control.register_app(app_id=APP_ID, app_secret=w.config["WIX_APP_SECRET"], webhook_url="")
    return storm(w, channel, bodies, "app", "text/plain")


def automation_storm_phase(w, n: int) -> dict:
    collector = Collector()
    channel = w.oms.channel(w.control, w.wix_url, channel_mode="webhooks", order_statuses=STORM)
    w.control.add_automation(channel["site"], url=collector.url)
    place(w.control, channel, n)
    bodies = collector.wait_quiet()
    # Random 5xx off while counting order reads: the sandbox counts a refused request too,
    # and a retried 5xx is not a second fetch. Wix's 429 limit and the latency stay on.
    w.control.set_faults(error_rate=0.0, latency_ms=5, retry_after=1)
    try:
        return storm(w, channel, bodies, "automation", "application/json")
    finally:
        w.control.set_faults(error_rate=0.03, latency_ms=5, retry_after=1)


def cli_phase(w, channel_id: int, count: int) -> dict:
    env = {**os.environ, **env_of(w.config), "PYTHONPATH": str(ROOT)}
    env["WIXOMS_SCHEDULER_ENABLED"] = "false"
    lost, outcomes = 0, []
    for _ in range(count):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wixoms", "wixoms", "sync",
             str(channel_id), "orders"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        line = (done.stdout.strip().splitlines() or [""])[-1]
        run_id = line.split(" ", 1)[0].lstrip("#")
        state = line.split(": ", 1)[1].split(".", 1)[0] if ": " in line else "?"
        self_blocked = f"run #{run_id})" in line
        if done.returncode != 0 or state not in ("succeeded", "partial") or self_blocked:
            lost += 1
        outcomes.append(state)
    never_run = [r.id for r in w.oms.runs(channel_id) if r.state == "queued"]
    return {"cli_runs_lost": lost + len(never_run), "outcomes": outcomes}


def slots_missed(w, channel_id: int, jobs_since: float, slots: int) -> dict:
    """Minute slots (counted from when the leader built the jobs) that no scheduled run served.

    Slot k is due at jobs_since + k minutes; a run queued from 5 s before it to 30 s after it
    (a takeover's delay) serves it. A job whose rhythm restarted at a takeover misses slots.
    """
    missed, per_job = 0, {}
    for kind in ("orders", "fulfillments"):
        times = [
            r.queued_at.replace(tzinfo=UTC).timestamp()
            for r in w.oms.runs(channel_id)
            if r.kind == kind and r.trigger == "schedule" and "was missed" not in r.summary
        ]  # fmt: skip
        served = 0
        for k in range(1, slots + 1):
            due = jobs_since + k * SLOT_S
            served += any(due - 5 <= t <= due + 30 for t in times)
        per_job[kind] = {"slots": slots, "served": served, "runs": len(times)}
        missed += slots - served
    return {"slots_missed_after_takeovers": missed, "jobs": per_job}


# --- main --------------------------------------------------------------------------------------


class World:
    def __init__(self, control, wix_url: str, config: dict, oms: OMS, url: str) -> None:
        self.control, self.wix_url, self.config, self.oms, self.url = (
            control, wix_url, config, oms, url,
        )  # fmt: skip


def main() -> int:
    parser = bench_parser(
        __doc__, "fewer orders; same logic and ratios (~4 min: three 1-minute slots are watched)"
    )
    parser.add_argument("--database-url", default=os.environ.get("WIXOMS_BENCH_PG", DEFAULT_DB))
    args = parser.parse_args()
    q = args.quick
    sizes = {
        "kill_orders": 1500 if q else 5000,
        "status_orders": 200 if q else 2000,
        "storm_orders": 400 if q else 2000,
        "storm_status_changes": 120 if q else 600,  # 2,000 + 600 scaled alike
        "automation_orders": 100 if q else 400,
        "cli_syncs": 25,
    }
    load_start = load_average()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db_url = fresh_database(args.database_url)
        sandbox, control, wix_url = start_sandbox(tmp)
        try:
            config = app_config(db_url, wix_url, control, tmp)
            oms = OMS(config)
            timed = oms.channel(
                control, wix_url, channel_mode="scheduled", order_statuses=["APPROVED"],
                orders_auto=True, orders_interval_min=1,
                fulfillments_auto=True, fulfillments_interval_min=1,
            )  # fmt: skip
            control.set_faults(error_rate=0.03, latency_ms=5, retry_after=1)
            gunicorn, url = start_gunicorn(config, tmp)
            w = World(control, wix_url, config, oms, url)
            try:
                wait_until(oms.leader_pid, 30)
                jobs_since = time.time()  # the leader builds the 1-minute jobs now
                kill = kill_phase(w, sizes["kill_orders"])
                status = status_phase(w, sizes["status_orders"])
                jwt = jwt_storm_phase(w, sizes["storm_orders"], sizes["storm_status_changes"])
                # Takeover 2 just before the second slot: the new leader must serve it.
                time.sleep(max(0.0, jobs_since + 2 * SLOT_S - TAKEOVER_BEFORE_SLOT_S - time.time()))
                leader = wait_until(oms.leader_pid, 60)
                os.kill(leader, signal.SIGKILL)
                auto = automation_storm_phase(w, sizes["automation_orders"])
                cli = cli_phase(w, status["channel"]["id"], sizes["cli_syncs"])
                # Observe the 1-minute jobs until their third slot has had time to run.
                time.sleep(max(0.0, jobs_since + SLOTS * SLOT_S + 35 - time.time()))
                slots = slots_missed(w, timed["id"], jobs_since, SLOTS)
            finally:
                gunicorn.stop()
        finally:
            sandbox.stop()
    metrics = {
        "kill_to_complete_s": kill["kill_to_complete_s"],
        "status_mismatches": status["status_mismatches"],
        "storm_settle_s": jwt["settle_s"],
        "storm_wix_fetches_per_order": round(auto["fetches"] / max(1, auto["orders"]), 3),
        "storm_orders_missing": jwt["missing"] + auto["missing"],
        "storm_orders_duplicated": jwt["duplicated"] + auto["duplicated"],
        "cli_runs_lost": cli["cli_runs_lost"],
        "slots_missed_after_takeovers": slots["slots_missed_after_takeovers"],
        "storm_jwt_fetches_per_order": round(jwt["fetches"] / max(1, jwt["orders"]), 3),
        "storm_automation_settle_s": auto["settle_s"],
        "storm_status_mismatches": jwt["status_mismatches"] + auto["status_mismatches"],
    }
    params = {
        "quick": q,
        **sizes,
        "database": "postgresql (private database, re-created)",
        "gunicorn": "4 gthread workers x 4 threads, scheduler elected among them",
        "sandbox_faults": "3% 5xx (off while the Automations storm's reads are counted), 5 ms "
        "latency, Retry-After 1 s, Wix's 200 req/min per instance (429), access tokens expired "
        "right after the kill",
        "storm_repeats": "10% of deliveries sent twice, all shuffled",
        "storm_jwt_deliveries": jwt["deliveries"],
        "storm_automation_deliveries": auto["deliveries"],
        "kill": {k: v for k, v in kill.items() if k != "kill_to_complete_s"},
        "status_runs": status["runs"],
        "slots": slots["jobs"],
        "takeovers": "2: the kill -9 of phase 1, and a kill -9 of the next leader 20 s before "
        "the jobs' second minute slot",
        "cli_outcomes": sorted(set(cli["outcomes"])),
        "load_average_at_start": load_start,
        "load_average_at_end": load_average(),
    }
    path = write_results("fault_recovery", metrics, params)
    goals = {
        "kill_to_complete_s": "< 60", "status_mismatches": "0", "storm_settle_s": "< 120",
        "storm_wix_fetches_per_order": "≤ 1", "storm_orders_missing": "0",
        "storm_orders_duplicated": "0", "cli_runs_lost": "0",
        "slots_missed_after_takeovers": "0",
    }  # fmt: skip
    print_metrics(metrics, goals, 32, 10)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
