"""Head-turn frame sequences made from one real photo by geometric warps (tests, benchmarks, demos).

A turning head moves the base of the nose sideways relative to the eyes because the nose stands in front of them.
The warp imitates that with a depth map (a dome for the face plus a ridge for the nose, placed from the photo's
5 landmarks) and shifts each pixel sideways by depth x sin(angle): the nose moves more than the eyes, the side the
head turns away from is compressed, the other stretched. Flat geometric changes (scaling, tilting, rotating the
picture) cannot do that, which is what the liveness check relies on.
"""

from __future__ import annotations

import numpy as np

from kiosk.devices.face.dlib_models import FaceModels

TURN_ANGLE = 0.4  # radians of the imitated head turn (~23 degrees)


def turn_warp(image: np.ndarray, points: np.ndarray, angle: float) -> np.ndarray:
    """`image` (BGR) with the face whose 5 landmarks are `points` turned by `angle` (> 0: to the image's right)."""
    import cv2

    h, w = image.shape[:2]
    eye_a, eye_b = (points[0] + points[1]) / 2, (points[2] + points[3]) / 2
    iod = float(np.linalg.norm(eye_a - eye_b))
    centre = (eye_a + eye_b) / 2
    nose = points[4]
    radius = 1.05 * iod
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    top, bottom = centre[1] - 1.4 * iod, centre[1] + 1.9 * iod
    envelope = np.clip(np.minimum((yy - top) / (0.5 * iod), (bottom - yy) / (0.5 * iod)), 0, 1)
    dome = np.exp(-((xx - centre[0]) / radius) ** 2 / (2 * 0.55 ** 2)) * radius
    t = np.clip((yy - centre[1]) / max(1.0, nose[1] - centre[1]), 0, 1.15)
    ridge_x = centre[0] + (nose[0] - centre[0]) * t
    ridge = (np.exp(-((xx - ridge_x) ** 2) / (2 * (0.2 * iod) ** 2))
             * np.exp(-np.clip(yy - nose[1], 0, None) ** 2 / (2 * (0.12 * iod) ** 2))
             * np.clip((yy - centre[1] + 0.25 * iod) / (0.4 * iod), 0, 1))
    shift = np.sin(angle) * (dome + ridge * 0.45 * iod) * envelope
    return cv2.remap(image, (xx - shift).astype(np.float32), yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def fit_frame(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` scaled to fit (width, height) and centred on a gray background."""
    import cv2

    w, h = size
    scale = min(w / image.shape[1], h / image.shape[0])
    resized = cv2.resize(image, (max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.full((h, w, 3), 128, dtype=np.uint8)
    y0, x0 = (h - resized.shape[0]) // 2, (w - resized.shape[1]) // 2
    canvas[y0:y0 + resized.shape[0], x0:x0 + resized.shape[1]] = resized
    return canvas


def turn_sequence(models: FaceModels, image: np.ndarray, order: list[str], size: tuple[int, int] = (640, 480),
                  hold: int = 6, ramp: int = 4, angle: float = TURN_ANGLE) -> list[np.ndarray]:
    """Frames of `image` (BGR) at `size`: frontal, then each turn of `order` ('turn_left'/'turn_right') and back.

    The citizen's left is the image's right on an unmirrored camera, so 'turn_left' turns toward the image's right.
    """
    import cv2

    frame = fit_frame(image, size)
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    boxes = models.detect(gray, 0)
    if len(boxes) != 1:
        raise ValueError(f"expected one face in the source image, found {len(boxes)}")
    points = models.landmarks(gray, boxes[0])
    angles: list[float] = [0.0] * hold
    for step in order:
        target = angle if step == "turn_left" else -angle
        angles += [target * (i + 1) / ramp for i in range(ramp)] + [target] * hold
        angles += [target * (ramp - i - 1) / ramp for i in range(ramp)] + [0.0] * hold
    cache: dict[float, np.ndarray] = {}
    out = []
    for a in angles:
        if a not in cache:
            cache[a] = frame if a == 0.0 else turn_warp(frame, points, a)
        out.append(cache[a])
    return out


def handheld_photo_sequence(image: np.ndarray, size: tuple[int, int] = (640, 480), count: int = 60,
                            seed: int = 0) -> list[np.ndarray]:
    """A printed photo held up to the camera: swung about a vertical axis, shaken, with sensor noise (an attack)."""
    import cv2

    rng = np.random.default_rng(seed)
    base = fit_frame(image, size)
    h, w = base.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    out = []
    for i in range(count):
        k = abs(0.3 * np.sin(i / 6)) * 0.5  # the far edge shrinks: perspective of a card turned ~30 degrees
        if np.sin(i / 6) > 0:
            dst = np.float32([[0, 0], [w * (1 - k * 0.6), h * k * 0.4], [w * (1 - k * 0.6), h * (1 - k * 0.4)], [0, h]])
        else:
            dst = np.float32([[w * k * 0.6, h * k * 0.4], [w, 0], [w, h], [w * k * 0.6, h * (1 - k * 0.4)]])
        frame = cv2.warpPerspective(base, cv2.getPerspectiveTransform(src, dst), (w, h),
                                    borderMode=cv2.BORDER_REPLICATE)
        shake = cv2.getRotationMatrix2D((w / 2 + rng.normal(0, 5), h / 2 + rng.normal(0, 5)), rng.normal(0, 3),
                                        1 + rng.normal(0, 0.03))
        frame = cv2.warpAffine(frame, shake, (w, h), borderMode=cv2.BORDER_REPLICATE)
        out.append(np.clip(frame + rng.normal(0, 4, frame.shape), 0, 255).astype(np.uint8))
    return out
