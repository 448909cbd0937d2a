"""Regenerate docs/screenshots/: the attract, menu and done screens (and the others), in Chinese and English.

Runs the real window on simulated devices and a district server in this process, drives it like a citizen, and
grabs the window at each screen. Run it under Xvfb (scripts/screenshots.sh) so fonts render as on a terminal.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.shell_driving import pump, wait_for_state  # noqa: E402


def main() -> int:

    from contract.eventlog import NullEventLog
    from district.settings import DistrictSettings
    from kiosk.assembly import assemble
    from kiosk.config import load_config
    from kiosk.core.session import Confirmed, FormSubmitted, ItemChosen, LanguageChosen, Start, State
    from kiosk.ui.app import build_window, make_application
    from tests.sync.district_process import ThreadedDistrict

    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    district = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp / 'district.db'}", demo=True)).start()
    config = load_config(REPO / "assets" / "config" / "demo.toml", {
        "terminal": {"data_dir": str(tmp / "kiosk"), "district_url": district.url},
        "simulated": {"read_delay_s": 0.1, "face_delay_s": 1.0, "print_delay_s": 0.0},
        "ui": {"voice": False}})
    from kiosk.link.enrollment import enroll

    enroll(config.data_dir, district.url, config.terminal.kiosk_id)  # pins the key staff decisions are signed with
    app = make_application(config)
    from kiosk.link.enrollment import enroll

    enroll(config.data_dir, district.url, config.terminal.kiosk_id)  # the sync daemon's job on a real terminal
    terminal = assemble(config, log=NullEventLog())
    terminal.start()
    window = build_window(app, terminal, windowed=True)
    window.resize(1280, 1024)

    def wait(state: State, timeout: float = 30) -> None:
        wait_for_state(terminal, state, timeout, settle=0.4)

    def shot(name: str) -> None:
        pump(0.2)
        window.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    for lang in ("zh_CN", "en"):
        suffix = "zh" if lang == "zh_CN" else "en"
        terminal.dispatch(LanguageChosen(lang))
        wait(State.ATTRACT)
        shot(f"attract-{suffix}")
        terminal.dispatch(Start())
        terminal.dispatch(LanguageChosen(lang))
        wait(State.VERIFYING_FACE)
        pump(0.5)
        shot(f"face-{suffix}")
        wait(State.MENU)
        shot(f"menu-{suffix}")
        terminal.dispatch(ItemChosen("si-contribution-record", True))
        wait(State.SERVICE_FORM)
        shot(f"form-{suffix}")
        if lang == "zh_CN":  # a text field: Chinese typed through the pinyin keyboard
            from kiosk.core.session import Back
            terminal.dispatch(Back())
            wait(State.MENU)
            terminal.dispatch(ItemChosen("hh-residence-permit-renew", True))
            wait(State.SERVICE_FORM)
            form = window.screens[State.SERVICE_FORM]
            for syllable, wanted in (("HANG", "杭"), ("ZHOU", "州")):
                for key in syllable:
                    form.keyboard._press(key)
                form.keyboard._pick([c.text for c in form.keyboard._candidates].index(wanted))
            pump(0.3)
            for key in "SHANG":
                form.keyboard._press(key)
            shot("form-pinyin-zh")
            terminal.dispatch(Back())
            wait(State.MENU)
            terminal.dispatch(ItemChosen("si-contribution-record", True))
            wait(State.SERVICE_FORM)
        terminal.dispatch(FormSubmitted({"months": "36"}))
        wait(State.CONFIRM)
        shot(f"confirm-{suffix}")
        terminal.dispatch(Confirmed())
        wait(State.DONE)
        shot(f"done-{suffix}")
        from kiosk.core.session import Cancel
        terminal.dispatch(Cancel())
        wait(State.ATTRACT)
        assisted_shots(terminal, district, wait, pump, shot, lang, suffix)
    terminal.close()
    district.stop()
    return 0


def assisted_shots(terminal, district, wait, pump, shot, lang: str, suffix: str) -> None:
    """The citizen declines the face check, waits for staff, and staff deny (docs/assisted-verification.md)."""
    from contract.assisted_verification import Verdict
    from district.assisted_verification import decide, keys_dir_of, load_or_create_key
    from kiosk.core.session import AssistedVerificationChosen, Cancel, LanguageChosen, Start, State

    terminal.dispatch(Start())
    terminal.dispatch(LanguageChosen(lang))
    wait(State.VERIFYING_FACE)
    terminal.dispatch(AssistedVerificationChosen())
    wait(State.ASSISTED_VERIFICATION)
    while terminal.session.assist_request_id is None:
        pump(0.05)
    pump(0.3)
    shot(f"assisted-waiting-{suffix}")
    key = load_or_create_key(keys_dir_of(district.settings))
    decide(district.engine, key, terminal.session.assist_request_id, Verdict.DENIED, "screenshots")
    while terminal.session.assist_outcome is None:
        pump(0.05)
    pump(0.3)
    shot(f"assisted-denied-{suffix}")
    terminal.dispatch(Cancel())
    wait(State.ATTRACT)


if __name__ == "__main__":
    sys.exit(main())
