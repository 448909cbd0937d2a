# The two commands of the README are `make demo` and `make test`; each installs what it needs (scripts/bootstrap.sh).
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup demo test bench screenshots translations log-events pinyin-index clean

setup:
	@bash scripts/bootstrap.sh

# scripts/demo.sh and scripts/test.sh run the bootstrap themselves, so they work where make is not installed yet.
demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

bench: setup
	@QT_QPA_PLATFORM=offscreen $(PY) -m bench.run

screenshots: setup
	@bash scripts/screenshots.sh

translations: setup
	@.venv/bin/pyside6-lupdate kiosk/ui/*.py kiosk/ui/screens/*.py kiosk/messages.py -ts assets/translations/kiosk_zh_CN.ts -no-obsolete
	@.venv/bin/pyside6-lrelease assets/translations/kiosk_zh_CN.ts -qm assets/translations/kiosk_zh_CN.qm

pinyin-index: setup
	@$(PY) -c "import json; from kiosk.pinyin_input import INDEX, build_index; INDEX.parent.mkdir(parents=True, exist_ok=True); INDEX.write_text(json.dumps(build_index(), ensure_ascii=False, separators=(',', ':')), encoding='utf-8')"

log-events: setup
	@$(PY) -m kiosk.log_events > docs/log-events.md

clean:
	rm -rf .demo bench/results.json .pytest_cache
