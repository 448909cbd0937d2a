"""Speaking whole screens: espeak-ng in a QProcess, so the GUI thread never waits, interrupted by any touch.

`ScreenSpeaker.say()` starts the synthesizer and returns at once; the next `say()` or `stop()` kills what is
still speaking. The sink is the sound card ("device", espeak-ng plays it) or "null" (espeak-ng writes the WAV to
its stdout and the speaker throws it away: test rigs and the bench, which time the first audio bytes).
"""

from __future__ import annotations

import shutil
import time

from PySide6.QtCore import QObject, QProcess, Signal
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

VOICES = {"zh_CN": "cmn", "en": "en-gb"}
MAX_AMPLITUDE = 200  # espeak-ng's -a range is 0-200
WAV_HEADER = 44  # bytes of the RIFF/WAVE header espeak-ng --stdout writes before any sample


class ScreenSpeaker(QObject):
    """One voice for the shell: a new sentence replaces the one being spoken."""

    started = Signal(float)  # monotonic time the synthesizer process was running
    audio = Signal(float)  # monotonic time its first audio samples came out, past the WAV header (null sink only)

    def __init__(self, sink: str = "device", words_per_minute: int = 120, binary: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._binary = binary if binary is not None else shutil.which("espeak-ng")
        self._sink = sink
        self._wpm = words_per_minute
        self._proc: QProcess | None = None
        self._got_audio = False
        self._bytes = 0
        self.last_text = ""
        self.last_language = ""

    @property
    def available(self) -> bool:
        return self._binary is not None

    @property
    def speaking(self) -> bool:
        return self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning

    def say(self, text: str, language: str, amplitude: int) -> None:
        """Start speaking `text` (stopping what was being said); returns at once."""
        self.stop()
        self.last_text, self.last_language = text, language
        if self._binary is None or not text.strip():
            return
        proc = QProcess(self)
        args = ["-v", VOICES.get(language, "cmn"), "-s", str(self._wpm),
                "-a", str(max(0, min(MAX_AMPLITUDE, amplitude)))]
        if self._sink == "null":
            args.append("--stdout")
            proc.readyReadStandardOutput.connect(lambda p=proc: self._drain(p))
        else:
            proc.setStandardOutputFile(QProcess.nullDevice())
        proc.setStandardErrorFile(QProcess.nullDevice())
        proc.started.connect(lambda: self.started.emit(time.monotonic()))
        proc.finished.connect(lambda *_a, p=proc: self._finished(p))
        self._got_audio = False
        self._bytes = 0
        self._proc = proc
        proc.start(self._binary, [*args, "--", text])

    def _drain(self, proc: QProcess) -> None:
        chunk = proc.readAllStandardOutput().size()
        if proc is not self._proc or self._got_audio:
            return
        self._bytes += chunk
        if self._bytes > WAV_HEADER:  # espeak-ng writes the header at once; samples follow the first clause
            self._got_audio = True
            self.audio.emit(time.monotonic())

    def _finished(self, proc: QProcess) -> None:
        if proc is self._proc:
            self._proc = None
        try:
            proc.deleteLater()
        except RuntimeError:  # deleted with its parent as the window closed
            pass

    def shut_down(self) -> None:
        """Stop and reap the synthesizer for good (the window is closing: waiting a moment is fine there)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.state() != QProcess.ProcessState.NotRunning:
            proc.kill()
            proc.waitForFinished(1000)

    def stop(self) -> None:
        """Silence at once (a touch, a new screen, the end of the session). Does not wait for the process."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.state() != QProcess.ProcessState.NotRunning:
            proc.kill()  # finished() then deletes it


def spoken_text(root: QWidget, choices_label: str) -> str:
    """What a screen says: its visible sentences in layout order, then its buttons as the choices offered."""
    sentences: list[str] = []
    buttons: list[str] = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel) and not _inside_button(w):
            text = w.text().strip()
            if text and text not in sentences and not text.isdigit():
                sentences.append(text)
        elif isinstance(w, QAbstractButton) and w.isEnabled():
            text = w.text().strip() or _label_inside(w)
            if text and text not in buttons and len(text) > 1:  # not the keyboard's single keys
                buttons.append(text)
    spoken = " ".join(_sentence(s) for s in sentences)
    if buttons:
        spoken += f" {choices_label} " + "; ".join(buttons) + "."
    return spoken.strip()


def _inside_button(w: QWidget) -> bool:
    parent = w.parentWidget()
    return isinstance(parent, QAbstractButton)


def _label_inside(button: QAbstractButton) -> str:
    inner = button.findChild(QLabel)
    return inner.text().strip() if inner is not None else ""


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".。!！?？:：" else text + ("。" if any("\u4e00" <= c <= "\u9fff" for c in text) else ".")
