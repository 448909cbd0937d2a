"""Active liveness: a randomized head-turn challenge checked on the 5 landmarks of one continuously tracked face.

Why the yaw ratio (nose offset from the eye midpoint over the inter-ocular distance) works against photos: the
base of the nose sits in front of the eyes, so only a three-dimensional head moves it sideways relative to the
eyes when it turns. A flat photo turned, tilted or rotated in its plane scales the nose offset and the eye
distance alike and leaves the ratio (almost) unchanged; a still image played as the camera never changes it.
The challenge order is drawn at random per attempt and a turn in the wrong direction fails the attempt, so a
replayed recording of "left then right" fails half of the time and cannot loop until it passes.

Limits (see docs/face-models.md): the 5-point model cannot see eyelids (no blink check without the
non-commercial 68-point model); a bent print or a video that reacts to the prompts is not stopped by geometry.

Phases: BASELINE (a few frontal frames fix the citizen's neutral yaw; one is captured for matching) -> for each
step TURN (yaw beyond `turn_delta` from the baseline in the asked direction, on `hold_frames` frames) -> RETURN
(back to frontal; that frame is captured) -> DONE. Captured frames are the ones matched, so the face that is
compared is the face that did the challenge.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum

from kiosk.devices.face import guidance as g
from kiosk.devices.face.quality_gate import GateResult

TURN_LEFT = "turn_left"
TURN_RIGHT = "turn_right"
_SIGN = {TURN_LEFT: 1.0, TURN_RIGHT: -1.0}  # citizen's left = image right on an unmirrored camera: yaw > 0


class Phase(str, Enum):
    BASELINE = "baseline"
    TURN = "turn"
    RETURN = "return"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class LivenessSettings:
    turn_delta: float = 0.08  # yaw change from the baseline that counts as a turn (still images: < 0.02)
    wrong_delta: float = 0.08  # the same change in the other direction fails the attempt
    centre_delta: float = 0.05  # back within this of the baseline counts as facing the camera again
    baseline_frames: int = 3
    hold_frames: int = 3
    step_timeout_s: float = 8.0


def random_challenge(rng: random.Random | None = None) -> list[str]:
    """Both turns in a random order (from the OS's randomness unless an rng is given, for tests)."""
    steps = [TURN_LEFT, TURN_RIGHT]
    (rng or random.SystemRandom()).shuffle(steps)
    return steps


@dataclass(frozen=True)
class LivenessUpdate:
    guidance: str
    capture: bool = False  # this frame is frontal and should be encoded for matching
    done: bool = False
    failed: str = ""  # reason when the attempt failed
    step: int = 0
    steps: int = 0


@dataclass
class ChallengeTracker:
    """Feed it the gate result of every frame of one tracked face; it says what to ask and when it is done."""

    steps: list[str]
    settings: LivenessSettings = field(default_factory=LivenessSettings)
    phase: Phase = Phase.BASELINE
    index: int = 0
    baseline: float = 0.0
    _yaws: list[float] = field(default_factory=list)
    _hold: int = 0
    _since: float | None = None
    failure: str = ""

    def reset(self) -> None:
        """The track was lost: start again from the baseline (captures of the old track must be dropped)."""
        self.phase, self.index, self.baseline = Phase.BASELINE, 0, 0.0
        self._yaws, self._hold, self._since, self.failure = [], 0, None, ""

    @property
    def total(self) -> int:
        return len(self.steps) * 2 + 1

    def _progress(self) -> int:
        if self.phase == Phase.BASELINE:
            return 0
        if self.phase == Phase.DONE:
            return self.total
        return 1 + self.index * 2 + (1 if self.phase == Phase.RETURN else 0)

    def _update(self, guidance: str, **kw: object) -> LivenessUpdate:
        return LivenessUpdate(guidance=guidance, step=self._progress(), steps=self.total, **kw)  # type: ignore[arg-type]

    def update(self, gate: GateResult, now: float) -> LivenessUpdate:
        """Advance on one frame of the tracked face (call `reset()` instead when the track broke)."""
        if self.phase == Phase.DONE:
            return self._update(g.HOLD_STILL, done=True)
        if self.phase == Phase.FAILED:
            return self._update(g.RETRY, failed=self.failure)
        st = self.settings
        if self._since is None:
            self._since = now
        if self.phase != Phase.BASELINE and now - self._since > st.step_timeout_s:
            return self._fail("timeout")
        face = gate.face
        if face is None or not gate.usable:
            self._hold = 0
            return self._update(gate.guidance)
        yaw = face.pose.yaw
        if self.phase == Phase.BASELINE:
            if not gate.passed:
                self._yaws = []
                return self._update(gate.guidance)
            self._yaws.append(yaw)
            if len(self._yaws) < st.baseline_frames:
                return self._update(g.HOLD_STILL, capture=len(self._yaws) == 1)
            self.baseline = sorted(self._yaws)[len(self._yaws) // 2]
            self._enter(Phase.TURN, now)
            return self._update(self._turn_key())
        delta = yaw - self.baseline
        if self.phase == Phase.TURN:
            sign = _SIGN[self.steps[self.index]]
            if delta * sign <= -st.wrong_delta:
                return self._fail("wrong_direction")
            self._hold = self._hold + 1 if delta * sign >= st.turn_delta else 0
            if self._hold >= st.hold_frames:
                self._enter(Phase.RETURN, now)
                return self._update(g.LOOK_AT_CAMERA)
            return self._update(self._turn_key())
        # RETURN: back to frontal, near the baseline
        if gate.passed and abs(delta) <= st.centre_delta:
            self.index += 1
            if self.index >= len(self.steps):
                self.phase = Phase.DONE
                return self._update(g.HOLD_STILL, capture=True, done=True)
            self._enter(Phase.TURN, now)
            return self._update(self._turn_key(), capture=True)
        return self._update(g.LOOK_AT_CAMERA)

    def _fail(self, reason: str) -> LivenessUpdate:
        self.phase, self.failure = Phase.FAILED, reason
        return self._update(g.RETRY, failed=reason)

    def _enter(self, phase: Phase, now: float) -> None:
        self.phase, self._hold, self._since = phase, 0, now

    def _turn_key(self) -> str:
        return g.TURN_LEFT if self.steps[self.index] == TURN_LEFT else g.TURN_RIGHT
