"""The elders' mode in the pure state machine: choices belong to the session, timeouts doubled, never a screen
change unasked."""

from __future__ import annotations

from kiosk.core.session import (
    Activity,
    EldersModeChosen,
    Rules,
    Speak,
    SpeechChosen,
    Start,
    State,
    Tick,
    VolumeChanged,
    new_session,
    step,
)

RULES = Rules(inactivity_s=60, warning_s=15, done_return_s=20)


def test_switch_sets_mode_and_speech_and_volume_is_bounded():
    s, _ = step(new_session(RULES, 0), EldersModeChosen(True), 1, RULES)
    assert s.elders and s.speech
    s, _ = step(s, SpeechChosen(False), 2, RULES)
    assert s.elders and not s.speech
    for _ in range(10):
        s, _ = step(s, VolumeChanged(+5), 3, RULES)
    assert s.volume == 3  # clamped, and one step per tap whatever the delta
    s, _ = step(s, Start(), 4, RULES)
    assert s.state is State.READING_DOCUMENT and s.elders and s.volume == 3, "kept into the session"


def test_inactivity_timeout_is_doubled_and_asks_for_more_time():
    s, _ = step(new_session(RULES, 0), EldersModeChosen(True), 0, RULES)
    s, _ = step(s, Start(), 0, RULES)
    s, effects = step(s, Tick(), 61, RULES)
    assert s.warning_since is None and effects == []  # a normal session would be warned here
    s, effects = step(s, Tick(), 120, RULES)
    assert s.warning_since == 120 and effects == [Speak("more_time")]
    s, _ = step(s, Tick(), 145, RULES)
    assert s.state is State.READING_DOCUMENT, "the warning, too, lasts twice as long (30 s)"
    s, _ = step(s, Tick(), 150, RULES)
    assert s.state is State.ATTRACT and not s.elders and not s.speech, "ended, wiped, and back to normal"


def test_done_screen_asks_before_it_returns_and_more_time_gives_more_time():
    s, _ = step(new_session(RULES, 0), EldersModeChosen(True), 0, RULES)
    s.state, s.entered_at, s.session_id = State.DONE, 0, 7
    s, effects = step(s, Tick(), 39, RULES)
    assert s.state is State.DONE and s.warning_since is None
    s, effects = step(s, Tick(), 40, RULES)  # 2 x done_return_s: asked, not ended
    assert s.state is State.DONE and s.warning_since == 40 and effects == [Speak("more_time")]
    s, _ = step(s, Activity(), 41, RULES)  # "Yes, I need more time"
    s, _ = step(s, Tick(), 42, RULES)
    assert s.state is State.DONE and s.warning_since is None, "a touch restarts the Done screen's time"
    s, _ = step(s, Tick(), 81, RULES)
    assert s.warning_since == 81
    s, _ = step(s, Tick(), 111, RULES)
    assert s.state is State.ATTRACT


def test_normal_done_screen_still_returns_by_itself():
    s = new_session(RULES, 0)
    s.state, s.entered_at, s.session_id = State.DONE, 0, 8
    s, _ = step(s, Tick(), 20, RULES)
    assert s.state is State.ATTRACT


def test_a_switch_left_on_at_attract_is_reset_for_the_next_citizen():
    s, _ = step(new_session(RULES, 0), EldersModeChosen(True), 0, RULES)
    s, _ = step(s, VolumeChanged(1), 0, RULES)
    s, _ = step(s, Tick(), 59, RULES)
    assert s.elders
    s, _ = step(s, Tick(), 60, RULES)
    assert (s.elders, s.speech, s.volume) == (False, False, 0)
