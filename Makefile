# Conveniences for developers who have make. The README's two commands are ./demo and ./test (no make needed).
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup demo test bench screenshots translations log-events pinyin-index clean

setup:
	@bash scripts/bootstrap.sh

demo:
	@./demo

test:
	@./test

bench: setup
	@QT_QPA_PLATFORM=offscreen $(PY) -m bench.run

screenshots: setup
	@bash scripts/screenshots.sh

translations: setup
	@.venv/bin/pyside6-lupdate kiosk/ui/*.py kiosk/ui/screens/*.py kiosk/i18n/messages.py -ts assets/translations/kiosk_zh_CN.ts -no-obsolete
	@.venv/bin/pyside6-lrelease assets/translations/kiosk_zh_CN.ts -qm assets/translations/kiosk_zh_CN.qm

pinyin-index: setup
	@$(PY) -c "import json; from kiosk.ui.pinyin_input import INDEX, build_index; INDEX.parent.mkdir(parents=True, exist_ok=True); INDEX.write_text(json.dumps(build_index(), ensure_ascii=False, separators=(',', ':')), encoding='utf-8')"

log-events: setup
	@$(PY) -m contract.log_events > docs/log-events.md

clean:
	rm -rf .demo bench/results.json .pytest_cache
