#!/usr/bin/env bash
# The README's demo command (after bootstrap): a local district server, the sync daemon and the kiosk on
# simulated devices, with SQLite databases in .demo/. With no display, the kiosk runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
ROOT=$(pwd)
DEMO="$ROOT/.demo"
PORT=${KIOSK_DISTRICT_PORT:-8470}
URL="http://127.0.0.1:$PORT"
mkdir -p "$DEMO/kiosk"
BIN="$ROOT/.venv/bin"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/kiosk-district" serve --demo --port "$PORT" --db "sqlite:///$DEMO/district.db" >"$DEMO/district.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  if "$BIN/python" -c "import httpx,sys; httpx.get('$URL/api/v1/health', timeout=0.5).raise_for_status()" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
echo "demo: district server on $URL (log: .demo/district.log)"
"$BIN/kiosk-sync" --config "$ROOT/assets/config/demo.toml" --data "$DEMO/kiosk" --district "$URL" >"$DEMO/sync.log" 2>&1 &
pids+=($!)
echo "demo: sync daemon running (log: .demo/sync.log)"

KIOSK_ARGS=(run --config "$ROOT/assets/config/demo.toml" --data "$DEMO/kiosk" --district "$URL")
[ "${KIOSK_FULLSCREEN:-0}" = 1 ] || KIOSK_ARGS+=(--windowed)
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:${KIOSK_XVFB_DISPLAY:-77}
  Xvfb "$DISPLAY" -screen 0 1280x1024x24 -nolisten tcp >"$DEMO/xvfb.log" 2>&1 &
  pids+=($!)
  sleep 1
  "$BIN/kiosk" "${KIOSK_ARGS[@]}" >"$DEMO/kiosk.log" 2>&1 &
  kiosk_pid=$!
  pids+=($kiosk_pid)
  for _ in $(seq 1 100); do grep -q '"attract-shown"' "$DEMO/kiosk.log" 2>/dev/null && break; sleep 0.2; done
  sleep 2
  import -display "$DISPLAY" -window root "$DEMO/attract.png" 2>/dev/null || true
  cat <<MSG
demo: no display here, so the kiosk runs under Xvfb on $DISPLAY (log: .demo/kiosk.log).
      A screenshot of the attract screen: .demo/attract.png
      Take another:  DISPLAY=$DISPLAY import -window root shot.png
      Watch it live: apt-get install x11vnc && x11vnc -display $DISPLAY -localhost   (then a VNC viewer)
      Stop the demo with Ctrl+C.
MSG
  wait "$kiosk_pid"
else
  echo "demo: starting the kiosk on $DISPLAY (close the window or Ctrl+C to stop)"
  "$BIN/kiosk" "${KIOSK_ARGS[@]}"
fi
