"""Verifying a printed certificate offline: find its QR code in a PDF (or take the QR text) and check the
signature with the district's public document key (kiosk.documents.signing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.documents.signing import VerificationPayload, VerificationResult, verify_payload


def qr_texts_from_pdf(pdf: bytes | Path, dpi: int = 200) -> list[str]:
    """Every QR code's text on every page of a PDF (rendered with pdfium, decoded with zxing-cpp)."""
    import pypdfium2 as pdfium
    import zxingcpp

    data = Path(pdf).read_bytes() if isinstance(pdf, Path) else pdf
    doc = pdfium.PdfDocument(data)
    texts: list[str] = []
    try:
        for page in doc:
            image = page.render(scale=dpi / 72.0, grayscale=True).to_pil()
            texts += [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
            page.close()
    finally:
        doc.close()
    return texts


@dataclass(frozen=True)
class PdfVerification:
    result: VerificationResult
    qr_text: str = ""


def verify_pdf(pdf: bytes | Path, public_key: Any) -> PdfVerification:
    """Verify the first QR code carrying a verification payload in `pdf`."""
    texts = qr_texts_from_pdf(pdf)
    if not texts:
        return PdfVerification(VerificationResult(False, "no QR code found in the document"))
    last = VerificationResult(False, "no QR code carries a verification payload")
    for text in texts:
        try:
            payload = VerificationPayload.from_text(text)
        except ValueError as exc:
            last = VerificationResult(False, f"QR code is not a verification payload: {exc}")
            continue
        return PdfVerification(verify_payload(payload, public_key), text)
    return PdfVerification(last, texts[0])
