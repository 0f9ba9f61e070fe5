"""gunicorn workers keep their long-lived objects out of the collector's full passes, and each
listens on a socket of its own.

The effects (a p99 of /hooks under 50 ms at 64 connections instead of 130 ms; connections spread
evenly over the workers) are measured by bench/webhooks.py; here: that the gunicorn the README
runs has both, and freezes twice only.
"""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest

from wixoms.worker_heap import WarmFreeze

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # nothing of this test process stays out of the collector's sight


def gunicorn_config(monkeypatch, argv: list[str]):
    """The settings gunicorn resolves for this command line, run from the project's root."""
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["gunicorn", *argv])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


@pytest.mark.parametrize(
    "argv",
    [
        ["-w", "4", "--threads", "4", "--no-control-socket", "wsgi:app"],  # Procfile, prod.sh
        ["-w", "2", "--threads", "4", "wixoms:create_app()"],  # the benchmarks
    ],
)
def test_the_gunicorn_the_readme_runs_freezes_its_workers_heap(monkeypatch, unfrozen, argv):
    cfg = gunicorn_config(monkeypatch, argv)
    assert cfg.config == "./gunicorn.conf.py"
    assert cfg.reuse_port is True  # a socket per worker: connections spread evenly
    assert gc.get_freeze_count() == 0
    cfg.post_worker_init(None)
    assert gc.get_freeze_count() > 1000  # the modules, the app and everything they hold


def test_the_second_freeze_comes_once_after_the_first_requests_whatever_the_threads():
    frozen = []
    warm = WarmFreeze(after=1000, freeze=lambda: frozen.append(threading.get_ident()))
    for _ in range(999):
        warm.note_request()
    assert frozen == [] and not warm.done

    def serve() -> None:
        for _ in range(500):
            warm.note_request()

    threads = [threading.Thread(target=serve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(frozen) == 1 and warm.done
