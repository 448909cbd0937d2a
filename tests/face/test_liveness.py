"""The head-turn challenge state machine, fed with made-up gate results (no models needed)."""

from __future__ import annotations

import random

import numpy as np

from kiosk.devices.face import guidance as g
from kiosk.devices.face.liveness import (
    TURN_LEFT,
    TURN_RIGHT,
    ChallengeTracker,
    LivenessSettings,
    Phase,
    random_challenge,
)
from kiosk.devices.face.quality_gate import FaceObservation, FacePose, GateResult


def gate(yaw: float, frontal: bool | None = None) -> GateResult:
    frontal = abs(yaw) <= 0.2 if frontal is None else frontal
    face = FaceObservation(box=(100, 100, 300, 300), landmarks=np.zeros((5, 2)), pose=FacePose(yaw, 0.7),
                           sharpness=200.0, brightness=120.0)
    return GateResult(1, face, g.HOLD_STILL if frontal else g.LOOK_AT_CAMERA, usable=True, passed=frontal)


def feed(tracker: ChallengeTracker, yaws: list[float], t0: float = 0.0, dt: float = 0.05):
    return [tracker.update(gate(y), t0 + i * dt) for i, y in enumerate(yaws)]


def test_challenge_order_is_random_and_complete():
    orders = {tuple(random_challenge(random.Random(seed))) for seed in range(20)}
    assert orders == {(TURN_LEFT, TURN_RIGHT), (TURN_RIGHT, TURN_LEFT)}
    assert sorted(random_challenge()) == [TURN_LEFT, TURN_RIGHT]


def test_left_then_right_passes_and_captures_frontal_frames():
    tracker = ChallengeTracker([TURN_LEFT, TURN_RIGHT])
    ups = feed(tracker, [0.02, 0.01, 0.03, 0.05, 0.12, 0.14, 0.13, 0.06, 0.02, -0.03, -0.09, -0.1, -0.11, -0.02, 0.0])
    assert tracker.phase == Phase.DONE and ups[-1].done
    assert sum(u.capture for u in ups) == 3  # baseline, between the turns, after the last turn
    keys = [u.guidance for u in ups]
    assert g.TURN_LEFT in keys and g.TURN_RIGHT in keys and keys.index(g.TURN_LEFT) < keys.index(g.TURN_RIGHT)
    assert ups[-1].step == ups[-1].steps == 5


def test_baseline_is_the_citizens_own_neutral_yaw():
    tracker = ChallengeTracker([TURN_LEFT, TURN_RIGHT])
    # a citizen whose neutral pose reads -0.1: a "turn" must be measured from there
    feed(tracker, [-0.1, -0.1, -0.1, -0.05, -0.04])
    assert tracker.phase == Phase.TURN
    feed(tracker, [0.0, 0.0, 0.0], t0=1.0)
    assert tracker.phase == Phase.RETURN


def test_wrong_direction_fails():
    tracker = ChallengeTracker([TURN_RIGHT, TURN_LEFT])
    ups = feed(tracker, [0.0, 0.0, 0.0, 0.05, 0.12])
    assert tracker.phase == Phase.FAILED and ups[-1].failed == "wrong_direction"


def test_still_face_times_out():
    tracker = ChallengeTracker([TURN_LEFT, TURN_RIGHT], LivenessSettings(step_timeout_s=1.0))
    ups = feed(tracker, [0.01] * 40, dt=0.05)
    assert tracker.phase == Phase.FAILED and ups[-1].failed == "timeout"


def test_short_spikes_are_not_a_turn():
    tracker = ChallengeTracker([TURN_LEFT, TURN_RIGHT])
    feed(tracker, [0.0, 0.0, 0.0, 0.15, 0.15, 0.0, 0.15, 0.0])
    assert tracker.phase == Phase.TURN


def test_reset_starts_over():
    tracker = ChallengeTracker([TURN_LEFT, TURN_RIGHT])
    feed(tracker, [0.0, 0.0, 0.0, 0.12, 0.12])
    tracker.reset()
    assert tracker.phase == Phase.BASELINE and tracker.index == 0
