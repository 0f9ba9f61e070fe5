#!/usr/bin/env bash
# make cluster: the Celery mode on one machine — gunicorn, the scheduler and WORKERS Celery
# worker processes (Procfile, run by honcho), on PostgreSQL and Redis. Ctrl-C stops them all.
#   scripts/cluster.sh [WORKERS]   WIXOMS_DATABASE_URL must name PostgreSQL;
#   WIXOMS_REDIS_URL defaults to redis://127.0.0.1:6379/0.
set -euo pipefail
WORKERS=${1:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export WIXOMS_QUEUE=celery
export WIXOMS_REDIS_URL=${WIXOMS_REDIS_URL:-redis://127.0.0.1:6379/0}
case "${WIXOMS_DATABASE_URL:-}" in
  postgresql*) ;;
  *) echo "make cluster needs PostgreSQL: set WIXOMS_DATABASE_URL=postgresql://…" >&2; exit 2 ;;
esac
.venv/bin/python - <<'PY'
import os, sys
import redis
try:
    redis.Redis.from_url(os.environ["WIXOMS_REDIS_URL"], socket_connect_timeout=2).ping()
except redis.RedisError as exc:
    sys.exit(f"Redis at {os.environ['WIXOMS_REDIS_URL']} is unreachable: {exc}")
PY
.venv/bin/flask --app wixoms db upgrade
exec .venv/bin/honcho start -f Procfile -c "web=1,scheduler=1,worker=$WORKERS"
