"""Guidance keys the face check reports through `FaceProgress.guidance`, with fallback sentences.

The UI translates the keys with its own catalogue; `GUIDANCE` holds a Chinese and an English sentence for each key
so the shell (and the CLI) can fall back when a key has no translation yet.
"""

from __future__ import annotations

# Keys that the shell's message catalogue (kiosk/messages.py) already translates.
POSITION = "face.no_face"  # no face found in the frame
ONE_PERSON = "face.one_person"
MOVE_CLOSER = "face.move_closer"
MOVE_BACK = "face.move_back"
LOOK_AT_CAMERA = "face.look_at_camera"  # not frontal, or face cut by the frame's edge
BLURRY = "face.blurry"
HOLD_STILL = "face.hold_still"  # good frame: keep still (baseline, and while the decision is made)
TOO_DARK = "face.too_dark"
TOO_BRIGHT = "face.too_bright"
TURN_LEFT = "face.turn_left"  # the citizen turns the head to their OWN left (toward the image's right)
TURN_RIGHT = "face.turn_right"
RETRY = "face.retry"  # the attempt failed; the decision follows
CAMERA_UNAVAILABLE = "error.camera.unavailable"

GUIDANCE: dict[str, dict[str, str]] = {
    POSITION: {"zh_CN": "请正对摄像头站好", "en": "Please stand facing the camera"},
    ONE_PERSON: {"zh_CN": "镜头前只能有一个人，请其他人稍候", "en": "Only one person in front of the camera, please"},
    MOVE_CLOSER: {"zh_CN": "请靠近一点", "en": "Please move a little closer"},
    MOVE_BACK: {"zh_CN": "请稍微后退一点", "en": "Please step back a little"},
    LOOK_AT_CAMERA: {"zh_CN": "请正视摄像头", "en": "Please look straight at the camera"},
    BLURRY: {"zh_CN": "请保持不动", "en": "Please hold still"},
    HOLD_STILL: {"zh_CN": "请保持不动，正在核验", "en": "Hold still, checking"},
    TOO_DARK: {"zh_CN": "光线太暗，请正对灯光", "en": "It is too dark; please face the light"},
    TOO_BRIGHT: {"zh_CN": "光线太强，请避开强光", "en": "Too bright; please move out of the glare"},
    TURN_LEFT: {"zh_CN": "请慢慢向左转头", "en": "Please slowly turn your head to your left"},
    TURN_RIGHT: {"zh_CN": "请慢慢向右转头", "en": "Please slowly turn your head to your right"},
    RETRY: {"zh_CN": "请再试一次", "en": "Let's try once more"},
    CAMERA_UNAVAILABLE: {"zh_CN": "摄像头暂时不可用，请联系工作人员", "en": "The camera is not available; please ask staff"},
}


def sentence(key: str, language: str = "zh_CN") -> str:
    """The fallback sentence for `key` in `language` (zh_CN or en); the key itself when unknown."""
    entry = GUIDANCE.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry["en"]
