#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 machine, run as root (or with sudo available).
# Installs the system packages the kiosk needs, a .venv, and the locked Python packages.
# Second runs are fast: each step is skipped when its stamp is newer than its inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STAMPS=.venv/.stamps

APT_PACKAGES=(
  # smart cards: pcscd + the virtual reader driver the tests use; pyscard builds against libpcsclite
  pcscd vsmartcard-vpcd libpcsclite-dev swig
  # MRZ OCR from the camera: the OCR-B font is the template set the reader matches characters against
  fonts-ocr-b
  # the bench measures a library OCR beside ours: PassportEye (its own venv, bench/ocr_passporteye.py) over tesseract
  tesseract-ocr
  # printing: a real cupsd with a PDF queue; pycups builds against libcups2-dev
  cups cups-bsd cups-client printer-driver-cups-pdf libcups2-dev
  # Chinese fonts with TrueType outlines (reportlab can embed them; Qt draws with them)
  fonts-wqy-zenhei fonts-wqy-microhei
  # Qt under Xvfb (the demo without a display, screenshots)
  xvfb xauth x11-apps imagemagick libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libegl1 libgl1 libglib2.0-0
  libfontconfig1 libdbus-1-3
  # PDF and QR checks in tests
  poppler-utils zbar-tools
  # production database of the district server, started by the tests
  postgresql
  # voice guidance
  espeak-ng
  # a terminal whose clock restarts in 1970 (a flat RTC battery): libfaketime sets a real shell's clock in a test
  faketime
  # deploy/: what the shell's units run, which the tests run too: cage (it refuses to start without Xwayland)
  # with Qt's Wayland platform (libwayland-cursor0, libwayland-egl1), and xinit + Xorg; the dummy video driver,
  # xdotool, setxkbmap and xinput let a test press Ctrl+Alt+Backspace on a real Xorg with the lockdown snippet
  cage xwayland libwayland-cursor0 libwayland-egl1 xinit xserver-xorg-core xserver-xorg-video-dummy xdotool
  x11-xkb-utils xinput
  # the operators' console's browser tests: Playwright drives Debian's chromium (it never downloads a browser)
  chromium
  # Python itself (a bare Debian 12 has none), its venv, and a compiler for wheels that have none (pyscard, pycups)
  python3 python3-venv python3-dev gcc
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing system packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Debian starts these on install when systemd runs; the kiosk's tests start their own private instances.
for svc in pcscd cups postgresql; do
  as_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
done

# uv ships its own root certificates; the system's store is where a site puts the CA of its TLS-inspecting proxy
# (and where apt and Debian's pip already look), so uv looks there too.
export UV_SYSTEM_CERTS=1
# The playwright wheel must not try to fetch browsers of its own: the tests use /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
mkdir -p "$STAMPS"
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check "uv==0.13.8"
fi
# uv.lock pins every package; dlib is overridden away (see pyproject) because dlib-bin provides the module prebuilt.
if [ ! -f "$STAMPS/sync" ] || [ uv.lock -nt "$STAMPS/sync" ] || [ pyproject.toml -nt "$STAMPS/sync" ]; then
  echo "bootstrap: installing locked Python packages"
  UV_PROJECT_ENVIRONMENT="$ROOT/.venv" .venv/bin/uv sync --frozen --all-extras --python .venv/bin/python -q
  touch "$STAMPS/sync"
fi
