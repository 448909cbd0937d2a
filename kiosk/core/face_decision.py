"""The face check's decision: what the session acts on and what the audit log may keep (no biometrics)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FaceOutcome(str, Enum):
    MATCH = "match"
    MISMATCH = "mismatch"
    RETRY = "retry"  # distance in the retry band, or quality never reached: ask the citizen again
    NO_FACE = "no_face"
    LIVENESS_FAILED = "liveness_failed"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class FaceDecision:
    """What the audit log may keep: the decision, the distance, the liveness result. No biometrics."""

    outcome: FaceOutcome
    distance: float | None = None
    threshold: float | None = None
    liveness: str = "not_run"  # passed | failed | not_run
    detail: str = ""
