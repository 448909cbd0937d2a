"""Regenerate docs/screenshots/elders-*.png: every screen of the elders' mode (长辈版), in Chinese and English.

Like scripts/screenshots.py: the real window on simulated devices and a district server in this process, driven
like a citizen who touched the 长辈版 switch. Size: 1280x800 (the smallest panel kiosks ship with), or --size WxH.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.shell_driving import pump, wait_for_state  # noqa: E402


def main(argv: list[str]) -> int:

    from contract.eventlog import NullEventLog
    from district.settings import DistrictSettings
    from kiosk.assembly import assemble
    from kiosk.config import load_config
    from kiosk.core.session import (
        Activity,
        AssistedVerificationChosen,
        Cancel,
        Confirmed,
        EldersModeChosen,
        LanguageChosen,
        Start,
        State,
    )
    from kiosk.link.enrollment import enroll
    from kiosk.ui.app import build_window, make_application
    from tests.sync.district_process import ThreadedDistrict

    width, height = 1280, 800
    if len(argv) > 2 and argv[1] == "--size":
        width, height = (int(v) for v in argv[2].split("x"))
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-elders-shots-"))
    district = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp / 'district.db'}", demo=True)).start()
    config = load_config(REPO / "assets" / "config" / "demo.toml", {
        "terminal": {"data_dir": str(tmp / "kiosk"), "district_url": district.url},
        "simulated": {"read_delay_s": 0.6, "face_delay_s": 1.5, "print_delay_s": 0.5},
        "ui": {"voice": False},
        "session": {"done_return_s": 3.0},
        "elders": {"speech_sink": "null"}})
    app = make_application(config)
    enroll(config.data_dir, district.url, config.terminal.kiosk_id)
    terminal = assemble(config, log=NullEventLog())
    terminal.start()
    window = build_window(app, terminal, windowed=True)
    window.setFixedSize(width, height)  # as on the kiosk: the window is the panel

    def wait(state: State, timeout: float = 30) -> None:
        wait_for_state(terminal, state, timeout, settle=0.3)

    def shot(name: str) -> None:
        pump(0.3)
        path = out / f"elders-{name}.png"
        window.grab().save(str(path))
        print(path)

    for lang in ("zh_CN", "en"):
        suffix = "zh" if lang == "zh_CN" else "en"
        terminal.dispatch(LanguageChosen(lang))
        terminal.dispatch(EldersModeChosen(True))
        wait(State.ATTRACT)
        shot(f"attract-{suffix}")
        terminal.dispatch(Start())
        wait(State.READING_DOCUMENT)
        shot(f"reading-{suffix}")
        wait(State.VERIFYING_FACE)
        pump(0.6)
        shot(f"face-{suffix}")
        wait(State.MENU)
        shot(f"menu-{suffix}")
        # finding a service by department: Other services, the departments (and their next page), a large
        # department's categories, a category's services (and their next page), then Back to the first screen
        menu = window.elders.menu
        menu.others.click()
        shot(f"menu-departments-{suffix}")
        menu.next.click()
        shot(f"menu-departments-page2-{suffix}")
        menu.back.click()
        finder = menu.finder()
        large = next(n for n, d in enumerate(menu.choices) if finder.needs_categories(d.key))
        menu.buttons[large].click()
        shot(f"menu-categories-{suffix}")
        menu.buttons[0].click()
        shot(f"menu-services-{suffix}")
        menu.next.click()
        shot(f"menu-services-page2-{suffix}")
        while menu.back.isVisible():
            menu.back.click()
        menu.buttons[0].click()
        wait(State.SERVICE_FORM)
        shot(f"form-{suffix}")
        window.elders.form.next.click()
        wait(State.CONFIRM)
        shot(f"confirm-{suffix}")
        terminal.dispatch(Confirmed())
        wait(State.PRINTING)
        shot(f"printing-{suffix}")
        wait(State.DONE)
        shot(f"done-{suffix}")
        # the Done screen's time is up (2 x 3 s here): the elders' mode asks before it changes the screen
        end = time.monotonic() + 30
        while terminal.session.warning_since is None and time.monotonic() < end:
            pump(0.1)
        pump(1.2)
        shot(f"more-time-{suffix}")
        terminal.dispatch(Activity())
        terminal.dispatch(Cancel())
        wait(State.ATTRACT)
        terminal.dispatch(LanguageChosen(lang))
        terminal.dispatch(EldersModeChosen(True))
        terminal.dispatch(Start())
        wait(State.VERIFYING_FACE)
        terminal.dispatch(AssistedVerificationChosen())
        wait(State.ASSISTED_VERIFICATION)
        while terminal.session.assist_request_id is None:
            pump(0.05)
        shot(f"assisted-{suffix}")
        terminal.dispatch(Cancel())
        wait(State.ATTRACT)
    terminal.close()
    district.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
