"""Verifying a printed certificate offline: find its QR code in a PDF (or take the QR text) and check the
signature with the district's public document key (contract.document_signing).

A certificate PDF made by the kiosk also carries its signed content (PDF Keywords, see
certificate.embedded_content_text): for such a digital copy the content's hash must equal the one in the signed
payload, and the page's text must be exactly the text that content renders to. Every printed fact is looked
for by name first (so a changed total, month count or date is reported as that field), then the whole page is
compared with a re-rendering of the signed content, so nothing added, moved or left out passes either.
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


def _squashed(text: str) -> str:
    """`text` without any whitespace: line breaks and spacing are layout, not content."""
    return "".join(text.split())


def content_problems(content: dict[str, Any], text: str, qr_text: str = "") -> list[str]:
    """What of the signed content the page does not show exactly (empty: the page is exactly the signed content).

    `text` is the page's extracted text; `qr_text` the QR code the page carries (the re-rendering draws the same).
    """
    from kiosk.documents.certificate import CertificateSpec, render_certificate

    try:
        spec = CertificateSpec.from_content(content)
    except ValueError as exc:
        return [str(exc)]
    page = _squashed(text)
    problems = [f"{name}: the signed text {printed!r} is not on the page" for name, printed in spec.printed_facts()
                if _squashed(printed) not in page]
    if problems:
        return problems
    expected = _squashed(page_text(render_certificate(spec, qr_text)))
    if expected != page:
        at = next((n for n, (a, b) in enumerate(zip(expected, page, strict=False)) if a != b),
                  min(len(expected), len(page)))
        problems.append(f"the page's text differs from the signed content at {page[max(0, at - 12):at + 12]!r} "
                        f"(signed: {expected[max(0, at - 12):at + 12]!r})")
    return problems


def verify_pdf(pdf: bytes | Path, public_key: Any) -> PdfVerification:
    """Verify the first QR code carrying a verification payload in `pdf` (a PDF, or an image file path: a
    photo or scan of a printout, checked by its signature alone). `public_key`: one key, or several (current and
    retired: contract.document_signing.keyring)."""
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
        if content_hash(content) != payload.content_hash or content.get("serial") != payload.serial or \
                str(content.get("issued_on", "")).replace("-", "") != payload.issued_on:
            return PdfVerification(VerificationResult(
                False, "the document's content is not the signed content (altered or re-rendered)", payload),
                text, "altered")
        problems = content_problems(content, page_text(pdf), text)
        if problems:
            return PdfVerification(VerificationResult(
                False, "the page does not show the signed content: " + "; ".join(problems[:3]), payload),
                text, "altered")
        return PdfVerification(result, text, "matches")
    return PdfVerification(last, texts[0])
