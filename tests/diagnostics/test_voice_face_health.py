"""The voice (real espeak-ng) and the face models (the installed dlib models)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.devices.face.health import DlibFaceHealth
from kiosk.devices.health import Level
from kiosk.devices.voice.health import EspeakHealth


def sound_cards() -> bool:
    cards = Path("/proc/asound/cards")
    return cards.exists() and "no soundcards" not in cards.read_text()


@pytest.fixture()
def espeak() -> str:
    binary = shutil.which("espeak-ng")
    if binary is None:
        pytest.fail("espeak-ng must be installed (scripts/bootstrap.sh installs it)")
    return binary


def test_voice_engine_synthesises_mandarin(espeak: str):
    status = EspeakHealth(binary=espeak).check(Level.INTERNAL)
    assert status.status_id == "VOICE-OK" and status.facts["wav_bytes"] > 10_000


def test_spoken_sentence_fails_when_nobody_can_hear_it(espeak: str):
    status = EspeakHealth(binary=espeak).check(Level.EXTERNAL)
    if sound_cards():
        assert status.status_id == "VOICE-SPOKEN"
    else:  # espeak-ng exits 0 here; only ALSA's complaint on stderr tells there was no sound
        assert status.status_id == "VOICE-FAILED" and "no sound played" in status.text


def test_voice_off_and_engine_missing():
    assert EspeakHealth(enabled=False).check(Level.INTERNAL).status_id == "VOICE-OFF"
    missing = EspeakHealth(binary="").check(Level.INTERNAL)
    assert (missing.status_id, missing.health.value) == ("VOICE-ENGINE-MISSING", "warn")


def test_face_models_present_and_loading():
    assert DlibFaceHealth().check(Level.INTERNAL).status_id == "FACE-OK"
    external = DlibFaceHealth().check(Level.EXTERNAL)
    assert external.status_id == "FACE-OK" and "loaded" in external.text
