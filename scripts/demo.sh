#!/usr/bin/env bash
# make demo: migrate, seed, start the Wix sandbox and wixoms side by side; Ctrl-C stops both.
set -euo pipefail
APP_PORT=${1:-5000}
SANDBOX_PORT=${2:-5055}
BIN=.venv/bin
DEMO=.demo
mkdir -p "$DEMO" instance
chmod 700 "$DEMO"

# Demo-only app registration and login, generated once per checkout (never committed).
if [ ! -f "$DEMO/env" ]; then
  umask 077
  $BIN/python - > "$DEMO/env" <<'PY'
import secrets, uuid
print(f"DEMO_APP_ID={uuid.uuid4()}")
print(f"DEMO_APP_SECRET={secrets.token_urlsafe(24)}")
print(f"DEMO_PASSWORD={secrets.token_urlsafe(9)}")
PY
fi
# shellcheck disable=SC1091
source "$DEMO/env"

APP_URL="http://127.0.0.1:${APP_PORT}"
case "${WIXOMS_WIX_AUTH_FLOW:-oauth}" in
  oauth) AUTH_FLOW_WORDS="OAuth client credentials per site; WIXOMS_WIX_AUTH_FLOW=legacy for the authorization-code flow" ;;
  legacy) AUTH_FLOW_WORDS="legacy authorization code + refresh token; WIXOMS_WIX_AUTH_FLOW=oauth for client credentials" ;;
  *) echo "WIXOMS_WIX_AUTH_FLOW must be oauth or legacy, not '${WIXOMS_WIX_AUTH_FLOW}'" >&2; exit 2 ;;
esac
SANDBOX_URL="http://127.0.0.1:${SANDBOX_PORT}"
export FLASK_APP=wixoms
export WIXOMS_WIX_APP_ID="$DEMO_APP_ID" WIXOMS_WIX_APP_SECRET="$DEMO_APP_SECRET"
export WIXOMS_WIX_AUTH_FLOW="${WIXOMS_WIX_AUTH_FLOW:-oauth}"
export WIXOMS_WIX_API_BASE="$SANDBOX_URL" WIXOMS_WIX_WWW_BASE="$SANDBOX_URL"
export WIXOMS_WIX_ALLOWED_API_HOSTS="www.wixapis.com,127.0.0.1:${SANDBOX_PORT}"
export WIXOMS_PUBLIC_URL="$APP_URL"
# The demo serves plain http on localhost; production cookies are Secure only.
export WIXOMS_SESSION_COOKIE_SECURE=false
export WIXOMS_APP_URL="$APP_URL"

if ! { $BIN/flask db upgrade && $BIN/flask wixoms seed-demo --password "$DEMO_PASSWORD"; } > "$DEMO/setup.log" 2>&1; then
  echo "Setting up the database failed; see $DEMO/setup.log" >&2
  exit 1
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/python -m wixoms.sandbox --port "$SANDBOX_PORT" --demo > "$DEMO/sandbox.log" 2>&1 &
pids+=($!)
# The app verifies Wix's JWT webhooks with the key the sandbox publishes for the app.
for _ in $(seq 1 50); do
  if WIXOMS_WIX_PUBLIC_KEY=$($BIN/python -c "import sys,requests; r=requests.get(sys.argv[1], timeout=1); r.raise_for_status(); print(r.text)" "$SANDBOX_URL/_sandbox/apps/$DEMO_APP_ID/public-key" 2>/dev/null); then
    break
  fi
  sleep 0.2
done
export WIXOMS_WIX_PUBLIC_KEY
WIXOMS_SCHEDULER_ENABLED=true $BIN/flask run --port "$APP_PORT" --no-reload > "$DEMO/app.log" 2>&1 &
pids+=($!)
sleep 1.5

cat <<MSG

  wixoms is running.
    App:          $APP_URL
    Log in as:    demo@wixoms.local / $DEMO_PASSWORD
    Wix sandbox:  $SANDBOX_URL   (App Market: $SANDBOX_URL/app-market/$DEMO_APP_ID)
    Wix auth:     $WIXOMS_WIX_AUTH_FLOW ($AUTH_FLOW_WORDS)
    Logs:         $DEMO/app.log, $DEMO/sandbox.log

  Connect a Wix channel: Sales Channels → Channels → Add Wix channel.
  Press Ctrl-C to stop both.

MSG
wait -n "${pids[@]}"
