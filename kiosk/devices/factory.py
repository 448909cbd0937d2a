"""Builds the devices named in `[devices]`; real implementations are imported only when configured."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from contract.eventlog import EventLog
from kiosk.config import Config
from kiosk.devices.bundle import Devices
from kiosk.errors import ConfigError

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"
DEMO_IDENTITY = ASSETS / "demo" / "identity.json"
DEMO_PORTRAIT = ASSETS / "demo" / "portrait.png"


def build_devices(config: Config, log: EventLog | None = None) -> Devices:
    """The terminal's devices as configured (simulated ones by default)."""
    printer = _printer(config)
    camera = _camera(config)
    reader = _reader(config, log)
    return Devices(reader=reader, face=_face(config, camera), printer=printer,
                   receipt_printer=_receipt_printer(config, printer), voice=_voice(config), camera=camera,
                   mrz=_mrz_reader(camera, reader.needs_access_key))


def _mrz_reader(camera, needs_access_key: bool):
    """The camera reads the printed MRZ only for readers that need it to open the chip (ICAO BAC/PACE)."""
    if camera is None or not needs_access_key:
        return None
    from kiosk.devices.document.mrz_ocr import MrzOcr

    return MrzOcr()


def _reader(config: Config, log: EventLog | None):
    kind = config.devices.document_reader
    if kind == "simulated":
        from kiosk.devices.document.simulated import SimulatedDocumentReader

        sim = config.simulated
        return SimulatedDocumentReader(sim.identity_file or DEMO_IDENTITY, sim.photo_file or DEMO_PORTRAIT,
                                       sim.read_delay_s)
    if kind == "pcsc":
        from kiosk.devices.document.pcsc import PcscDocumentReader

        # Outside demo mode a chip of an unknown issuer is refused whatever the file says.
        policy = dataclasses.replace(config.document, block_unknown_issuer=config.blocks_unknown_issuer)
        return PcscDocumentReader(policy, log=log)
    raise ConfigError(f"[devices] document_reader: unknown kind {kind!r} (simulated | pcsc)")


def _camera(config: Config):
    kind = config.devices.camera
    if kind == "simulated":
        if not config.simulated.camera_source:
            return None
        from kiosk.devices.camera.opencv import OpenCvCamera

        return OpenCvCamera.from_source(config.simulated.camera_source)
    if kind == "opencv":
        from kiosk.devices.camera.opencv import OpenCvCamera

        return OpenCvCamera.from_config(config.face)
    raise ConfigError(f"[devices] camera: unknown kind {kind!r} (simulated | opencv)")


def _face(config: Config, camera):
    kind = config.devices.face
    if kind == "simulated":
        from kiosk.devices.face.simulated import SimulatedFaceVerifier

        return SimulatedFaceVerifier(config.simulated.face_delay_s, config.simulated.face_result, camera,
                                     config.face.threshold)
    if kind == "dlib":
        from kiosk.devices.face.dlib_verifier import DlibFaceVerifier

        if camera is None:
            raise ConfigError("[devices] face = 'dlib' needs a camera (camera = 'opencv' or a camera_source)")
        return DlibFaceVerifier(camera, config.face)
    raise ConfigError(f"[devices] face: unknown kind {kind!r} (simulated | dlib)")


def _printer(config: Config):
    kind = config.devices.printer
    if kind == "pdf-folder":
        from kiosk.devices.printer.pdf_folder import PdfFolderPrinter

        return PdfFolderPrinter(config.printer.pdf_folder or config.data_dir / "printed",
                                config.simulated.print_delay_s)
    if kind == "cups":
        from kiosk.devices.printer.cups import CupsPrinter

        return CupsPrinter.from_config(config.printer, config.data_dir)
    raise ConfigError(f"[devices] printer: unknown kind {kind!r} (pdf-folder | cups)")


def _receipt_printer(config: Config, a4):
    kind = config.devices.receipt_printer
    if kind == "none":
        from kiosk.devices.printer.receipt_pdf import A4ReceiptPrinter

        return A4ReceiptPrinter(a4)
    if kind == "escpos":
        from kiosk.devices.printer.escpos import EscPosReceiptPrinter

        return EscPosReceiptPrinter.from_config(config.printer)
    raise ConfigError(f"[devices] receipt_printer: unknown kind {kind!r} (none | escpos)")


def _voice(config: Config):
    from kiosk.devices.voice import EspeakVoice, SilentVoice

    if not config.ui.voice:
        return SilentVoice()
    voice = EspeakVoice()
    return voice if voice.available else SilentVoice()
