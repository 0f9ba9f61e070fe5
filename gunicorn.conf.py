"""Settings every gunicorn of wixoms shares: gunicorn reads ./gunicorn.conf.py by itself.

The command line (Procfile, scripts/prod.sh, the benchmarks) still chooses workers, threads
and the address; this file adds what holds for all of them.
"""

from wixoms.worker_heap import freeze_heap, note_request

# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new
# connections evenly over them. On one shared socket whichever worker wakes first accepts:
# 64 keep-alive connections were split 63/1 or 2/62 as often as 32/32, one worker's threads
# then served nearly all of them and /hooks answered a third fewer requests a second
# (bench/webhooks.py). The price: a worker that dies drops the connections still waiting in
# its own accept queue (clients and Wix retry), and a second gunicorn started by mistake on
# the same port shares it instead of failing to bind.
reuse_port = True


def post_worker_init(worker) -> None:
    """The app is built: keep its long-lived objects out of the collector's full passes
    (wixoms/worker_heap.py)."""
    freeze_heap()


def post_request(worker, req, environ, resp) -> None:
    note_request()
