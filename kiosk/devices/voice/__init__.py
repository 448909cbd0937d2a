"""Spoken guidance for citizens who read with difficulty: a sentence in the session's language, never blocking."""

from __future__ import annotations

import shutil
import subprocess
import threading
from typing import Protocol


class Voice(Protocol):
    def say(self, text: str, language: str) -> None:
        """Start speaking `text` (interrupting what was being said); returns at once."""
        ...


class SilentVoice:
    def say(self, text: str, language: str) -> None:
        return None


class EspeakVoice:
    """espeak-ng through its command line: Mandarin ('cmn') or English, slowed for elderly listeners."""

    VOICES = {"zh_CN": "cmn", "en": "en-gb"}

    def __init__(self, binary: str | None = None, words_per_minute: int = 140) -> None:
        self._binary = binary or shutil.which("espeak-ng")
        self._wpm = words_per_minute
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._binary is not None

    def say(self, text: str, language: str) -> None:
        if self._binary is None:
            return
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()
            self._proc = subprocess.Popen(
                [self._binary, "-v", self.VOICES.get(language, "cmn"), "-s", str(self._wpm), text],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
