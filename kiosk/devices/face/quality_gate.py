"""The quality gate every live frame passes before it may be matched or used for the liveness challenge.

Checks, in the order the citizen can fix them: exactly one face; face wide enough; face fully inside the frame;
exposure in range; sharp (variance of the Laplacian on a fixed-size crop, so it does not depend on distance);
roughly frontal (yaw and pitch from the 5 landmarks). Detection runs HOG on a downscaled copy; once a face is
tracked, it runs on a small window around the last box and a full-frame scan is made only every few frames (to
notice a second person), which keeps the per-frame cost low on 1280x720 cameras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.devices.face import guidance as g
from kiosk.devices.face.dlib_models import FaceModels

Box = tuple[int, int, int, int]

# HOG's smallest window is 80x80: a face narrower than ~80 px in the image it runs on is missed.
HOG_MIN_PX = 85
FULL_SCAN_WIDTH = 480  # full-frame scans run on a copy at most this wide (unless min_face_px needs more)
TRACK_FACE_PX = 110  # tracked faces are detected in a window scaled so the face is about this wide
CROP_PX = 112  # sharpness and exposure are measured on the face crop resized to this width


@dataclass(frozen=True)
class GateThresholds:
    """Limits of the gate; the defaults suit a kiosk camera at 50-80 cm."""

    min_face_px: int = 120
    max_face_frac: float = 0.8  # a face wider than this fraction of the frame is too close
    max_yaw: float = 0.2  # |nose offset from the eye midpoint| / inter-ocular distance
    min_pitch: float = 0.45  # nose-to-eye-line distance / inter-ocular distance (frontal ~0.55-0.9)
    max_pitch: float = 1.05
    min_sharpness: float = 40.0  # variance of the Laplacian of the CROP_PX-wide face crop
    min_brightness: float = 50.0  # mean gray level of the face crop
    max_brightness: float = 210.0


@dataclass(frozen=True)
class FacePose:
    """Head pose measures from the 5 landmarks, invariant to scale and in-plane rotation."""

    yaw: float  # > 0: nose toward the image's right, i.e. the citizen turned to their own left (unmirrored camera)
    pitch: float


@dataclass(frozen=True)
class FaceObservation:
    """One face in one frame, in full-frame pixel coordinates."""

    box: Box
    landmarks: np.ndarray  # (5, 2)
    pose: FacePose
    sharpness: float
    brightness: float

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


@dataclass(frozen=True)
class GateResult:
    """The verdict on one frame. `usable`: fine for the challenge; `passed`: also frontal, fine for matching."""

    faces: int
    face: FaceObservation | None
    guidance: str
    usable: bool
    passed: bool


def head_pose(points: np.ndarray) -> FacePose:
    """Yaw and pitch ratios from dlib's 5 landmarks (points 0-1 and 2-3 are the eye corners, 4 the nose base)."""
    eye_a = (points[0] + points[1]) / 2
    eye_b = (points[2] + points[3]) / 2
    left, right = (eye_a, eye_b) if eye_a[0] <= eye_b[0] else (eye_b, eye_a)
    iod = float(np.linalg.norm(right - left)) or 1.0
    along = (right - left) / iod
    down = np.array([-along[1], along[0]])
    offset = points[4] - (left + right) / 2
    return FacePose(yaw=float(offset @ along) / iod, pitch=float(offset @ down) / iod)


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / float((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


class QualityGate:
    """Finds the face in a BGR frame, measures it, and says what the citizen should change."""

    def __init__(self, models: FaceModels, thresholds: GateThresholds | None = None) -> None:
        import cv2

        self._cv2 = cv2
        self._models = models
        self.thresholds = thresholds or GateThresholds()

    def full_scan_scale(self, width: int) -> float:
        """Scale of the full-frame detection copy: small, but large enough to find a min_face_px face."""
        scale = min(1.0, FULL_SCAN_WIDTH / max(1, width))
        return min(1.0, max(scale, HOG_MIN_PX / max(1, self.thresholds.min_face_px)))

    def detect(self, gray: np.ndarray, near: Box | None = None) -> list[Box]:
        """Face boxes in full-frame coordinates; with `near`, only in a window around that box."""
        cv2 = self._cv2
        h, w = gray.shape[:2]
        if near is not None:
            bw = near[2] - near[0]
            cx, cy = (near[0] + near[2]) / 2, (near[1] + near[3]) / 2
            x0, y0 = max(0, int(cx - bw * 1.3)), max(0, int(cy - bw * 1.3))
            x1, y1 = min(w, int(cx + bw * 1.3)), min(h, int(cy + bw * 1.3))
            window = gray[y0:y1, x0:x1]
            scale = min(1.0, TRACK_FACE_PX / max(1, bw))
        else:
            x0 = y0 = 0
            window = gray
            scale = self.full_scan_scale(w)
        if window.size == 0:
            return []
        small = window if scale >= 1.0 else cv2.resize(window, None, fx=scale, fy=scale,
                                                            interpolation=cv2.INTER_AREA)
        boxes = self._models.detect(np.ascontiguousarray(small), 0)
        return [(int(b[0] / scale) + x0, int(b[1] / scale) + y0, int(b[2] / scale) + x0, int(b[3] / scale) + y0)
                for b in boxes]

    def observe(self, gray: np.ndarray, box: Box) -> FaceObservation:
        """Landmarks, pose, sharpness and exposure of the face at `box`."""
        cv2 = self._cv2
        points = self._models.landmarks(gray, box)
        h, w = gray.shape[:2]
        left, t, r, b = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
        crop = gray[t:b, left:r]
        if crop.size == 0:
            sharpness, brightness = 0.0, 0.0
        else:
            size = (CROP_PX, max(1, int(round(crop.shape[0] * CROP_PX / crop.shape[1]))))
            crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
            sharpness = float(cv2.Laplacian(crop, cv2.CV_64F).var())
            brightness = float(crop.mean())
        return FaceObservation(box=box, landmarks=points, pose=head_pose(points), sharpness=sharpness,
                               brightness=brightness)

    def check(self, frame: np.ndarray, near: Box | None = None, full_scan: bool = True) -> GateResult:
        """Judge one BGR frame. With `near` (the tracked box) and not `full_scan`, detect only around it."""
        gray = self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        boxes: list[Box] = []
        if near is not None and not full_scan:
            boxes = self.detect(gray, near)
        if not boxes:
            boxes = self.detect(gray)
        if not boxes:
            return GateResult(0, None, g.POSITION, usable=False, passed=False)
        if len(boxes) > 1:
            return GateResult(len(boxes), None, g.ONE_PERSON, usable=False, passed=False)
        face = self.observe(gray, boxes[0])
        key = self.problem(face, gray.shape[1], gray.shape[0])
        if key is not None:
            return GateResult(1, face, key, usable=False, passed=False)
        frontal = self.is_frontal(face.pose)
        return GateResult(1, face, g.HOLD_STILL if frontal else g.LOOK_AT_CAMERA, usable=True, passed=frontal)

    def is_frontal(self, pose: FacePose) -> bool:
        """Whether yaw and pitch are within the frontal limits."""
        th = self.thresholds
        return abs(pose.yaw) <= th.max_yaw and th.min_pitch <= pose.pitch <= th.max_pitch

    def problem(self, face: FaceObservation, width: int, height: int) -> str | None:
        """The guidance key of the first failed check other than frontality, or None."""
        th = self.thresholds
        if face.width < th.min_face_px:
            return g.MOVE_CLOSER
        if face.width > th.max_face_frac * width:
            return g.MOVE_BACK
        margin = face.width * 0.05
        left, t, r, b = face.box
        if left < -margin or t < -margin or r > width + margin or b > height + margin:
            return g.MOVE_BACK if face.width > 0.5 * width else g.LOOK_AT_CAMERA
        if face.brightness < th.min_brightness:
            return g.TOO_DARK
        if face.brightness > th.max_brightness:
            return g.TOO_BRIGHT
        if face.sharpness < th.min_sharpness:
            return g.BLURRY
        return None
