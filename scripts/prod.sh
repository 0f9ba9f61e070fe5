#!/usr/bin/env bash
# make prod: gunicorn behind Debian's nginx, which buffers every request so slow clients
# never hold a gunicorn thread. Ctrl-C (or SIGTERM) stops both.
#   scripts/prod.sh [BIND] [APP_PORT]   BIND: nginx's listen address (default 0.0.0.0:8000),
#   APP_PORT: gunicorn's loopback port (default 8001). WIXOMS_* variables configure the app;
#   GUNICORN_ARGS overrides "-w 4 --threads 4".
set -euo pipefail
BIND=${1:-0.0.0.0:8000}
APP_PORT=${2:-8001}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.venv/bin"
NGINX=${NGINX:-/usr/sbin/nginx}
RUN=${WIXOMS_PROD_RUN_DIR:-"$ROOT/instance/prod"}
ACCESS_LOG=${WIXOMS_PROD_ACCESS_LOG:-"$RUN/access.log"}

if [ ! -x "$NGINX" ]; then
  echo "nginx is not installed ($NGINX); run 'make system-deps' (Debian's nginx-light)." >&2
  exit 2
fi
mkdir -p "$RUN"/{body,proxy,fastcgi,uwsgi,scgi}
chmod 700 "$RUN"
USER_LINE=""
if [ "$(id -u)" = 0 ]; then
  # nginx's workers drop root for nobody; they need its temporary directories only.
  USER_LINE="user nobody nogroup;"
  chmod 711 "$RUN"
  chown -R nobody:nogroup "$RUN"/{body,proxy,fastcgi,uwsgi,scgi}
fi
sed -e "s|@USER@|$USER_LINE|" -e "s|@RUN@|$RUN|g" -e "s|@BIND@|$BIND|" \
    -e "s|@APP_PORT@|$APP_PORT|" -e "s|@ACCESS_LOG@|$ACCESS_LOG|" \
    "$ROOT/deploy/nginx.conf.template" > "$RUN/nginx.conf"
"$NGINX" -t -q -c "$RUN/nginx.conf" -p "$RUN" 2>&1 | grep -v "could not open error log" >&2 || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# shellcheck disable=SC2086
(cd "$ROOT" && exec "$BIN/gunicorn" ${GUNICORN_ARGS:--w 4 --threads 4} --no-control-socket -b "127.0.0.1:$APP_PORT" 'wsgi:app') &
pids+=($!)
"$NGINX" -c "$RUN/nginx.conf" -p "$RUN" &
pids+=($!)
wait -n "${pids[@]}"
