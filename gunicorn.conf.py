"""Settings every gunicorn of wixoms shares: gunicorn reads ./gunicorn.conf.py by itself.

The command line (Procfile, scripts/prod.sh, the benchmarks) still chooses workers, threads
and the address; this file adds what holds for all of them: short garbage-collector pauses
(wixoms/worker_heap.py).
"""

from wixoms.worker_heap import freeze_heap, note_request


def post_worker_init(worker) -> None:
    """The app is built: keep its long-lived objects out of the collector's full passes."""
    freeze_heap()


def post_request(worker, req, environ, resp) -> None:
    note_request()
