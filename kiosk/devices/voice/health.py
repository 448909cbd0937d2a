"""The voice's health: espeak-ng and its Mandarin voice synthesise (internal); a sentence is played (external).

espeak-ng exits 0 even when no sound card is there and only says so on stderr (ALSA "Unknown PCM default"), so
the external check reads stderr: a sentence nobody could hear is a failure, not a pass.
"""

from __future__ import annotations

import shutil
import subprocess

from kiosk.devices.health import DeviceStatus, Level
from kiosk.devices.status_ids import device_status

DEVICE = "voice"
SENTENCE = {"cmn": "您好，这是语音测试。", "en-gb": "Hello, this is a voice test."}


class EspeakHealth:
    device = DEVICE

    def __init__(self, enabled: bool = True, binary: str | None = None, timeout_s: float = 20.0) -> None:
        self._enabled = enabled
        self._binary = binary if binary is not None else shutil.which("espeak-ng")
        self._timeout = timeout_s

    def check(self, level: Level) -> DeviceStatus:
        if not self._enabled:
            return device_status(DEVICE, "VOICE-OFF", "voice guidance off ([ui] voice = false)")
        if not self._binary:
            return device_status(DEVICE, "VOICE-ENGINE-MISSING", "espeak-ng not found on PATH")
        facts = {"engine": self._binary}
        try:
            wav = subprocess.run([self._binary, "-v", "cmn", "--stdout", SENTENCE["cmn"]], capture_output=True,
                                 timeout=self._timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return device_status(DEVICE, "VOICE-FAILED", f"espeak-ng did not run: {exc}", facts=facts)
        if wav.returncode != 0 or not wav.stdout.startswith(b"RIFF"):
            return device_status(DEVICE, "VOICE-FAILED", "espeak-ng cannot synthesise Mandarin: "
                                 + _last_line(wav.stderr), facts=facts)
        facts["wav_bytes"] = len(wav.stdout)
        if level is not Level.EXTERNAL:
            return device_status(DEVICE, "VOICE-OK", f"espeak-ng synthesises Mandarin ({len(wav.stdout)} bytes)",
                                 facts=facts)
        try:
            played = subprocess.run([self._binary, "-v", "cmn", "-s", "140", SENTENCE["cmn"]], capture_output=True,
                                    timeout=self._timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return device_status(DEVICE, "VOICE-FAILED", f"espeak-ng did not play: {exc}", facts=facts)
        errors = [line for line in played.stderr.decode(errors="replace").splitlines()
                  if "error" in line.lower() or "unknown pcm" in line.lower()]
        if played.returncode != 0 or errors:
            return device_status(DEVICE, "VOICE-FAILED", "no sound played: " + (errors[-1] if errors else
                                                                               f"exit {played.returncode}"),
                                 facts=facts)
        return device_status(DEVICE, "VOICE-SPOKEN", f"sentence spoken: {SENTENCE['cmn']}", facts=facts)


def _last_line(data: bytes) -> str:
    lines = data.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no output"
