"""Verifying a printed certificate offline: find its QR code in a PDF (or take the QR text) and check the
signature with the district's public document key (contract.document_signing).

A certificate PDF made by the kiosk also carries its signed content (PDF Keywords, see
certificate.embedded_content_text): for such a digital copy the content's hash must equal the one in the signed
payload and the page text must show that content, so a re-rendered fake that reuses a genuine QR code fails.
A printout (or a PDF re-rendered by a print pipeline) carries no content: its signature is checked, and the
verifier compares the printed figures with the district's record if needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.document_signing import VerificationPayload, VerificationResult, content_hash, verify_payload


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


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def qr_texts_from_image(path: Path) -> list[str]:
    """Every QR code's text in a photo or scan of a printout."""
    import zxingcpp
    from PIL import Image

    with Image.open(path) as image:
        return [r.text for r in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


@dataclass(frozen=True)
class PdfVerification:
    result: VerificationResult
    qr_text: str = ""
    content: str = "not-embedded"  # matches | not-embedded | altered


def embedded_content(pdf: bytes | Path) -> dict[str, Any] | None:
    """The signed content a kiosk certificate PDF carries, or None (printouts, other PDFs)."""
    import json
    import zlib

    import pypdfium2 as pdfium

    from contract.document_signing import unb64u
    from kiosk.documents.certificate import CONTENT_PREFIX

    data = Path(pdf).read_bytes() if isinstance(pdf, Path) else pdf
    doc = pdfium.PdfDocument(data)
    try:
        keywords = doc.get_metadata_value("Keywords") or ""
    finally:
        doc.close()
    if not keywords.startswith(CONTENT_PREFIX):
        return None
    try:
        content = json.loads(zlib.decompress(unb64u(keywords[len(CONTENT_PREFIX):])))
    except (ValueError, zlib.error):
        return {}
    return content if isinstance(content, dict) else {}


def page_text(pdf: bytes | Path) -> str:
    """All pages' text with whitespace collapsed."""
    import pypdfium2 as pdfium

    data = Path(pdf).read_bytes() if isinstance(pdf, Path) else pdf
    doc = pdfium.PdfDocument(data)
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
    return " ".join(text.split())


def content_problems(content: dict[str, Any], text: str) -> list[str]:
    """What of the signed content the page does not show (empty: the page shows it all)."""
    problems = []
    for label, value in content.get("holder_fields", []):
        if value and str(value)[:12] not in text:
            problems.append(f"{label} {value!r} not on the page")
    for row in content.get("rows", []):
        if " ".join(str(v) for v in row) not in text:
            problems.append(f"table row {row[0]!r} differs")
    if content.get("serial") and content["serial"] not in text:
        problems.append("serial not on the page")
    return problems


def verify_pdf(pdf: bytes | Path, public_key: Any) -> PdfVerification:
    """Verify the first QR code carrying a verification payload in `pdf` (a PDF, or an image file path: a
    photo or scan of a printout, checked by its signature alone)."""
    is_image = isinstance(pdf, Path) and pdf.suffix.lower() in IMAGE_SUFFIXES
    texts = qr_texts_from_image(pdf) if is_image else qr_texts_from_pdf(pdf)
    if not texts:
        return PdfVerification(VerificationResult(False, "no QR code found in the document"))
    last = VerificationResult(False, "no QR code carries a verification payload")
    for text in texts:
        try:
            payload = VerificationPayload.from_text(text)
        except ValueError as exc:
            last = VerificationResult(False, f"QR code is not a verification payload: {exc}")
            continue
        result = verify_payload(payload, public_key)
        if not result.valid:
            return PdfVerification(result, text)
        content = None if is_image else embedded_content(pdf)
        if content is None:
            return PdfVerification(result, text, "not-embedded")
        if content_hash(content) != payload.content_hash or content.get("serial") != payload.serial:
            return PdfVerification(VerificationResult(
                False, "the document's content is not the signed content (altered or re-rendered)", payload),
                text, "altered")
        problems = content_problems(content, page_text(pdf))
        if problems:
            return PdfVerification(VerificationResult(
                False, "the page does not show the signed content: " + "; ".join(problems[:3]), payload),
                text, "altered")
        return PdfVerification(result, text, "matches")
    return PdfVerification(last, texts[0])
