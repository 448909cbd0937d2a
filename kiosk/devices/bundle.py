"""The set of devices one terminal drives, each behind its Protocol (kiosk.devices.factory builds it)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.camera import Camera
from kiosk.devices.document import DocumentReader, MrzReader
from kiosk.devices.face import FaceVerifier
from kiosk.devices.printer import DocumentPrinter, ReceiptPrinter
from kiosk.devices.voice import Voice


@dataclass
class Devices:
    reader: DocumentReader
    face: FaceVerifier
    printer: DocumentPrinter
    receipt_printer: ReceiptPrinter
    voice: Voice
    camera: Camera | None = None  # shared by the face check and the MRZ scan; None: no camera configured
    mrz: MrzReader | None = None  # reads the printed MRZ from camera frames; None without a camera
