#!/usr/bin/env bash
# The README's test command (after bootstrap): the whole suite, on the real stack where it has one
# (pcscd + vpcd, cupsd, PostgreSQL are started and stopped by the test fixtures themselves).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit $?
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
.venv/bin/python -m pytest -p no:cacheprovider "$@"
status=$?
if [ "$status" = 5 ]; then
  echo "test: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
