"""Quality gate on real photos: one face, size, frontal, sharpness, exposure; pose from the 5 landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices.face import guidance as g
from kiosk.devices.face.quality_gate import GateThresholds, QualityGate, head_pose
from kiosk.devices.face.synthetic_turns import fit_frame, turn_warp

cv2 = pytest.importorskip("cv2")


@pytest.fixture(scope="module")
def gate(models) -> QualityGate:
    return QualityGate(models, GateThresholds(min_face_px=120))


def test_good_frame_passes(gate, load_bgr):
    r = gate.check(fit_frame(load_bgr("fr_knn_train_biden_biden2.jpg"), (640, 480)))
    assert r.faces == 1 and r.passed and r.usable and r.guidance == g.HOLD_STILL
    assert r.face is not None and r.face.landmarks.shape == (5, 2)


def test_no_face_and_two_faces(gate, load_bgr):
    assert gate.check(load_bgr("dlib_faces_dogs.jpg")).guidance == g.POSITION
    r = gate.check(load_bgr("fr_ex_two_people.jpg"))
    assert r.faces == 2 and r.guidance == g.ONE_PERSON and not r.usable


def test_small_face_asks_to_move_closer(gate, load_bgr):
    r = gate.check(load_bgr("fr_ex_obama_small.jpg"))  # face ~100 px wide
    assert r.faces == 1 and r.guidance == g.MOVE_CLOSER and not r.passed


def test_blur_and_exposure(gate, load_bgr):
    frame = fit_frame(load_bgr("fr_knn_train_biden_biden2.jpg"), (640, 480))
    assert gate.check(cv2.GaussianBlur(frame, (0, 0), 4)).guidance == g.BLURRY
    assert gate.check((frame * 0.25).astype(np.uint8)).guidance == g.TOO_DARK
    bright = cv2.convertScaleAbs(frame, alpha=1.0, beta=120)
    assert gate.check(bright).guidance in (g.TOO_BRIGHT, g.POSITION)


def test_tracked_detection_finds_the_same_face(gate, load_bgr):
    frame = fit_frame(load_bgr("fr_ex_obama.jpg"), (1280, 720))
    first = gate.check(frame)
    again = gate.check(frame, near=first.face.box, full_scan=False)
    assert again.passed and abs(again.face.box[0] - first.face.box[0]) <= 8


def test_head_pose_is_invariant_to_scale_and_in_plane_rotation():
    pts = np.array([[70, 50], [55, 50], [25, 50], [40, 50], [52, 72]], float)  # frontal-ish, nose right of centre
    base = head_pose(pts)
    angle = np.deg2rad(25)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = head_pose((pts * 3.0) @ rot.T + 40)
    assert moved.yaw == pytest.approx(base.yaw, abs=1e-9) and moved.pitch == pytest.approx(base.pitch, abs=1e-9)
    assert base.yaw > 0 and 0.45 < base.pitch < 1.05


def test_turn_warp_moves_the_yaw_the_right_way(gate, models, load_bgr):
    frame = fit_frame(load_bgr("fr_knn_train_biden_biden2.jpg"), (640, 480))
    r = gate.check(frame)
    left = gate.check(turn_warp(frame, r.face.landmarks, 0.4))
    right = gate.check(turn_warp(frame, r.face.landmarks, -0.4))
    assert left.face.pose.yaw - r.face.pose.yaw > 0.08
    assert r.face.pose.yaw - right.face.pose.yaw > 0.08


def test_a_flat_photo_tilted_away_keeps_its_yaw(gate, load_bgr):
    """Turning a printed photo about a vertical axis (perspective) must not look like a head turn."""
    frame = fit_frame(load_bgr("fr_knn_train_biden_biden2.jpg"), (640, 480))
    base = gate.check(frame).face.pose.yaw
    h, w = frame.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0, 0], [w * 0.8, h * 0.08], [w * 0.8, h * 0.92], [0, h]])  # right edge farther away
    tilted = cv2.warpPerspective(frame, cv2.getPerspectiveTransform(src, dst), (w, h),
                                 borderMode=cv2.BORDER_REPLICATE)
    r = gate.check(tilted)
    assert r.faces == 1 and abs(r.face.pose.yaw - base) < 0.06
