"""The face models' health: the dlib model files are installed and load, and the detector runs."""

from __future__ import annotations

from kiosk.devices.health import DeviceStatus, Level
from kiosk.devices.status_ids import device_status
from kiosk.errors import FaceError

DEVICE = "face"


class DlibFaceHealth:
    device = DEVICE

    def check(self, level: Level) -> DeviceStatus:
        from kiosk.devices.face.dlib_models import ENCODER, LANDMARKS_5, model_dir

        try:
            folder = model_dir()
        except FaceError as exc:
            return device_status(DEVICE, "FACE-MODELS-MISSING", exc.detail)
        files = {name: folder / name for name in (LANDMARKS_5, ENCODER)}
        missing = [str(p) for p in files.values() if not p.is_file() or p.stat().st_size == 0]
        if missing:
            return device_status(DEVICE, "FACE-MODELS-MISSING", f"missing model files: {', '.join(missing)}")
        facts = {name: p.stat().st_size for name, p in files.items()}
        if level is not Level.EXTERNAL:
            return device_status(DEVICE, "FACE-OK", f"dlib models present in {folder}", facts=facts)
        import numpy as np

        from kiosk.devices.face.dlib_models import load_models

        try:
            models = load_models(with_encoder=True)
            models.detect(np.zeros((120, 160), dtype=np.uint8))
        except Exception as exc:  # noqa: BLE001 - dlib raises RuntimeError for corrupt model files
            return device_status(DEVICE, "FACE-MODELS-MISSING", f"dlib models do not load: {exc}", facts=facts)
        return device_status(DEVICE, "FACE-OK", f"dlib models in {folder} loaded, detector ran", facts=facts)


class SimulatedFaceHealth:
    device = DEVICE

    def check(self, level: Level) -> DeviceStatus:
        return device_status(DEVICE, "FACE-SIMULATED", "simulated face check (demo configuration)")
