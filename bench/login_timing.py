"""Benchmark: does a failed login take as long for an unknown email as for a known one?

An attacker who times /login learns which emails have an account when an unknown email answers
faster (no password hash is checked). The app is built on a temporary SQLite database with one
user whose password has the production hash; the test client then alternates wrong logins
for that email and for emails nobody has, and compares the medians.

- ratio_unknown_known: median time of an unknown email / of a known email with a wrong
  password (goal: close to 1, between 0.8 and 1.25).
- ratio_without_dummy_check: the same ratio with the dummy check switched off in this run
  (what the code did before), to show what the check buys.

Usage: python bench/login_timing.py [--quick] [--rounds N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

from _common import ROOT, bench_parser, print_ratios, write_results

sys.path.insert(0, str(ROOT))

import wixoms.views.auth as auth_view  # noqa: E402
from wixoms import create_app  # noqa: E402
from wixoms.extensions import db  # noqa: E402
from wixoms.models import Account, Membership, User, account  # noqa: E402

EMAIL = "known@bench.test"


def _app(folder: str):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "INSTANCE_PATH": folder,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,  # the bench times the password check, not the form
            "RATELIMIT_ENABLED": False,  # the throttle would answer 429 after a few tries
        }
    )
    with app.app_context():
        db.create_all()
        user = User(email=EMAIL, name="Known")
        user.set_password("a long and unusual passphrase")
        acme = Account(name="Bench")
        db.session.add_all([user, acme, Membership(user=user, account=acme, role="admin")])
        db.session.commit()
    return app


def _time(client, email: str) -> float:
    start = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": "wrong guess"})
    elapsed = time.perf_counter() - start
    assert response.status_code == 401, response.status_code
    return elapsed


def measure(app, rounds: int) -> tuple[float, float]:
    """Median seconds of (known email, unknown email), alternating to share the machine's noise."""
    client = app.test_client()
    known, unknown = [], []
    for n in range(rounds):
        known.append(_time(client, EMAIL))
        unknown.append(_time(client, f"nobody{n}@bench.test"))
    return statistics.median(known), statistics.median(unknown)


def main() -> None:
    parser = bench_parser(__doc__, "20 rounds instead of 100")
    parser.add_argument("--rounds", type=int, help="logins of each kind (overrides --quick)")
    args = parser.parse_args()
    rounds = args.rounds or (20 if args.quick else 100)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(folder)
        _time(app.test_client(), "warm@bench.test")  # the dummy hash is made on first use
        known, unknown = measure(app, rounds)
        auth_view.check_unknown_password = lambda password: False  # the code before
        try:
            known_before, unknown_before = measure(app, max(5, rounds // 4))
        finally:
            auth_view.check_unknown_password = account.check_unknown_password
    metrics = {
        "ratio_unknown_known": round(unknown / known, 3),
        "ratio_without_dummy_check": round(unknown_before / known_before, 3),
        "known_ms": round(known * 1000, 1),
        "unknown_ms": round(unknown * 1000, 1),
    }
    print_ratios(
        [
            ("known email, wrong password (ms)", metrics["known_ms"], None, ""),
            (
                "unknown email (ms)",
                metrics["unknown_ms"],
                metrics["ratio_unknown_known"],
                "0.8–1.25",
            ),
            (
                "unknown email, no dummy check",
                round(unknown_before * 1000, 1),
                metrics["ratio_without_dummy_check"],
                "(before)",
            ),
        ],  # fmt: skip
        name_width=34,
        value_width=8,
    )
    write_results("login_timing", metrics, {"rounds": rounds, "quick": args.quick})


if __name__ == "__main__":
    main()
