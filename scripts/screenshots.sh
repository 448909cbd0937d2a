#!/usr/bin/env bash
# Regenerate docs/screenshots/*.png under Xvfb (a real X server, real fonts), linked from the README.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=xcb
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x1024x24" bash "$0" "$@"
fi
.venv/bin/python scripts/screenshots.py
.venv/bin/python scripts/screenshots_elders.py  # the elders' mode (长辈版), 1280x800
