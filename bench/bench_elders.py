"""Elders' mode bench: from a screen change to the start of its speech (espeak-ng, the real synthesizer).

The real window on simulated devices goes back and forth between the elders' menu and form (ItemChosen / Back),
20 times. For each change it times, from the moment the citizen's event is dispatched:
- the espeak-ng process running (QProcess.started), and
- its first audio samples on stdout (the null sink: espeak-ng --stdout, bytes past the 44-byte WAV header,
  read by the GUI thread's event loop), which is when a sound card would start playing.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHANGES = 20


def screen_change_to_speech() -> tuple[list[float], list[float]]:
    sys.path.insert(0, str(REPO))
    from PySide6.QtWidgets import QApplication

    from contract.eventlog import NullEventLog
    from district.settings import DistrictSettings
    from kiosk.assembly import assemble
    from kiosk.config import load_config
    from kiosk.core.session import Back, EldersModeChosen, ItemChosen, Start, State
    from kiosk.link.enrollment import enroll
    from kiosk.ui.app import build_window, make_application
    from tests.sync.district_process import ThreadedDistrict

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-elders-"))
    district = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp / 'd.db'}", demo=True)).start()
    config = load_config(None, {"terminal": {"data_dir": str(tmp / "k"), "district_url": district.url},
                                "simulated": {"read_delay_s": 0.0, "face_delay_s": 0.0, "print_delay_s": 0.0},
                                "ui": {"voice": False}, "elders": {"speech_sink": "null"}})
    app = make_application(config)
    enroll(config.data_dir, district.url, config.terminal.kiosk_id)
    terminal = assemble(config, log=NullEventLog())
    terminal.start()
    window = build_window(app, terminal, windowed=True)
    window.resize(1280, 800)
    started: list[float] = []
    audio: list[float] = []
    window.elders.speaker.started.connect(started.append)
    window.elders.speaker.audio.connect(audio.append)

    def pump_until(condition, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise RuntimeError("timed out")
            QApplication.processEvents()
            time.sleep(0.001)

    try:
        terminal.dispatch(EldersModeChosen(True))
        terminal.dispatch(Start())
        pump_until(lambda: terminal.session.state is State.MENU)
        pump_until(lambda: bool(audio))  # the menu's own speech: not measured
        to_start: list[float] = []
        to_audio: list[float] = []
        for n in range(CHANGES):
            time.sleep(0.3)  # a citizen's pace: let the previous sentence speak a little
            QApplication.processEvents()
            started.clear()
            audio.clear()
            event = ItemChosen("si-contribution-record", True) if n % 2 == 0 else Back()
            t0 = time.monotonic()
            terminal.dispatch(event)
            pump_until(lambda: bool(audio))
            to_start.append((started[0] - t0) * 1000)
            to_audio.append((audio[0] - t0) * 1000)
        return to_start, to_audio
    finally:
        window.close()
        terminal.close()
        district.stop()


def run() -> list[dict]:
    if shutil.which("espeak-ng") is None:
        return [{"name": "elders: screen change -> speech start (espeak-ng absent)", "value": None, "unit": "ms",
                 "target": 300, "better": "lower", "skipped": True}]
    to_start, to_audio = screen_change_to_speech()
    return [
        {"name": "elders: screen change -> espeak-ng running, median", "value": round(statistics.median(to_start), 1),
         "unit": "ms", "target": None, "better": "lower"},
        {"name": "elders: screen change -> first audio samples, median", "value":
            round(statistics.median(to_audio), 1), "unit": "ms", "target": 300, "better": "lower"},
        {"name": "elders: screen change -> first audio samples, max of 20", "value": round(max(to_audio), 1),
         "unit": "ms", "target": None, "better": "lower"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
