"""`flask wixoms ...` commands: create a user, seed demo data, sync, run the scheduler."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from zxcvbn import zxcvbn

from wixoms.extensions import db
from wixoms.models import ROLES, Account, Membership, User
from wixoms.models.channel import SYNC_KINDS

wixoms_cli = AppGroup("wixoms", help="wixoms administration commands.")


@wixoms_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", default="")
@click.option("--account", "account_name", required=True, help="Account name (created if new).")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
def create_user(email: str, password: str, name: str, account_name: str, role: str) -> None:
    """Create a user (or add an existing one) as a member of an account."""
    email = email.strip().lower()
    if len(password) < 8:
        raise click.BadParameter(
            "the password needs at least 8 characters", param_hint="--password"
        )
    _refuse_guessable(password, [email, *email.split("@"), name, account_name])
    account = db.session.scalar(db.select(Account).where(Account.name == account_name))
    if account is None:
        account = Account(name=account_name)
        db.session.add(account)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name or email.split("@")[0])
        user.set_password(password)
        db.session.add(user)
    db.session.flush()
    if user.role_in(account.id) is None:
        db.session.add(Membership(user=user, account=account, role=role))
    db.session.commit()
    click.echo(f"User {email} is {role} of account {account.name}.")


# zxcvbn's scores: 0-2 fall to an online or a fast offline guessing attack.
STRONG_ENOUGH = 3


def _refuse_guessable(password: str, user_inputs: list[str]) -> None:
    """Common passwords and ones made of the user's own email or account are refused."""
    verdict = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if verdict["score"] >= STRONG_ENOUGH:
        return
    feedback = verdict["feedback"]
    words = " ".join([feedback.get("warning") or "", *feedback.get("suggestions", [])]).strip()
    raise click.BadParameter(
        f"the password is too easy to guess. {words} Use a passphrase of a few uncommon words.",
        param_hint="--password",
    )


@wixoms_cli.command("seed-demo")
@click.option("--password", default=None, help="Demo user's password (random if omitted).")
def seed_demo(password: str | None) -> None:
    """Two accounts, three warehouses, ~50 products with stock, carriers and a demo user."""
    from wixoms.demo import seed_demo_data

    email, pw = seed_demo_data(password)
    click.echo(f"Demo data ready. Log in as {email} / {pw}")


@wixoms_cli.command("sync")
@click.argument("channel_id", type=int)
@click.argument("kind", type=click.Choice(["all", *SYNC_KINDS]))
def sync_command(channel_id: int, kind: str) -> None:
    """Run a sync of a channel now, in this process, and print its result."""
    from flask import current_app

    from wixoms.sync.priority import yield_cpu_to_web
    from wixoms.sync.runs import run_now

    yield_cpu_to_web(current_app._get_current_object())

    for one in SYNC_KINDS if kind == "all" else (kind,):
        try:
            run = run_now(channel_id, one, trigger="manual")
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"#{run.id} {one}: {run.state}. {run.summary}")
        if run.state == "failed":
            raise SystemExit(1)


@wixoms_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler in this process (the lease decides if it is the active one)."""
    import time

    from flask import current_app

    from wixoms import jobs
    from wixoms.sync.priority import yield_cpu_to_web

    yield_cpu_to_web(current_app._get_current_object())
    scheduler = jobs.start(current_app._get_current_object(), force=True)
    click.echo(f"Scheduler candidate {scheduler.owner} started; Ctrl-C to stop.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        scheduler.stop()
