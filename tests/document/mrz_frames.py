"""Synthetic camera frames of documents with a printed MRZ, for the MRZ OCR tests and the OCR bench.

Two OCR-B implementations print the MRZ: Debian's fonts-ocr-b (Matthew Skala's MetaType1 redrawing, the one the
reader's templates come from) and `SCHWARZ_MFTRACE` (Norbert Schwarz's METAFONT OCR-B traced to outlines by
mftrace, TeX Live's ocr-b-outline; vendored in tests/document/fonts, see SOURCES.md there), so that the reader is
also judged on glyph outlines it was not built from. Conditions beyond rotation, blur, noise and JPEG: perspective
(the document tilted away from the camera), glare (a specular highlight over the MRZ), low light, and a phone
camera's JPEG round trip (downscaled, strongly compressed, upscaled).

Text is laid out with Pillow's basic engine, never its default: the default is Raqm where the system has
FriBiDi (libfribidi0) and basic elsewhere, and the two place glyphs differently (Raqm: unhinted advances, 10.84 px
per character at 15 px; basic: hinted, 11 px), so the same seed gave different frames on different machines.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.devices.document.mrz_ocr import OCRB_FONT

SKALA = OCRB_FONT
SCHWARZ_MFTRACE = Path(__file__).parent / "fonts" / "ocrb10-schwarz-mftrace.otf"
FONTS = {"skala": SKALA, "schwarz-mftrace": SCHWARZ_MFTRACE}


def _font(size: int, path: Path = SKALA) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def document_image(mrz: str, width: int = 1000, font: Path = SKALA) -> Image.Image:
    """A flat document page: some printed fields, a photo box and the MRZ lines at the bottom."""
    lines = mrz.split("\n")
    chars = len(lines[0])
    size = 10
    while _font(size + 1, font).getlength("<" * chars) < width * 0.9:
        size += 1
    mrz_font = _font(size, font)
    text_font = _font(max(12, width // 38), font)
    height = int(width * (0.70 if len(lines) == 2 else 0.63))
    img = Image.new("RGB", (width, height), (236, 229, 212))
    draw = ImageDraw.Draw(img)
    for i in range(0, width, 7):  # guilloche-like background pattern
        draw.line([(i, 0), (i + height // 3, height)], fill=(226, 219, 205))
    draw.text((width * 0.04, height * 0.04), "UTOPIA  DOCUMENT", font=text_font, fill=(60, 60, 100))
    draw.rectangle([width * 0.04, height * 0.15, width * 0.28, height * 0.6], fill=(170, 160, 150))
    for i, label in enumerate(("Surname", "Given names", "Nationality", "Date of birth", "Date of expiry")):
        draw.text((width * 0.33, height * (0.16 + 0.08 * i)), f"{label}  SPECIMEN", font=text_font,
                  fill=(40, 40, 40))
    line_h = int(size * 1.3)
    y = height - len(lines) * line_h - int(height * 0.04)
    for line in lines:
        draw.text((width * 0.05, y), line, font=mrz_font, fill=(25, 25, 25))
        y += line_h
    return img


def camera_frame(mrz: str, seed: int, frame: tuple[int, int] = (1280, 720), doc_width: int = 1000,
                 max_angle: float = 3.0, blur: float = 0.8, noise: float = 6.0, jpeg_quality: int = 80,
                 font: Path = SKALA, tilt: float = 0.0, glare: float = 0.0, light: float = 1.0,
                 phone: bool = False) -> Image.Image:
    """The document held in front of the camera: rotated, placed on a background, blurred, noisy, JPEG'd.

    `tilt`: how far (as a share of the page) the far edge shrinks in perspective; `glare`: the brightness a
    specular highlight adds at its centre (0-255); `light`: the scene's exposure (1 = well lit); `phone`: a phone
    camera's round trip (60 % downscale, JPEG quality 35, upscale) before the final JPEG.
    """
    rng = random.Random(seed)
    doc = document_image(mrz, doc_width, font)
    if tilt:
        w, h = doc.size
        dx, dy = int(w * tilt * rng.uniform(0.5, 1.0)), int(h * tilt * rng.uniform(0.5, 1.0))
        # Image.QUAD maps the output's corners (NW, SW, SE, NE) from these source points: the page's top or
        # bottom edge comes out shorter, as when the document leans away from the camera.
        quad = ((0, 0, -dx, h + dy, w + dx, h + dy, w, 0) if rng.random() < 0.5
                else (-dx, -dy, 0, h, w, h, w + dx, -dy))
        doc = doc.convert("RGBA").transform((w, h), Image.QUAD, quad, Image.BICUBIC,
                                            fillcolor=(0, 0, 0, 0)).convert("RGB")
    doc = doc.rotate(rng.uniform(-max_angle, max_angle), expand=True,
                                                resample=Image.BICUBIC, fillcolor=(0, 0, 0, 0))
    mask = doc.convert("L").point(lambda v: 255 if v > 0 else 0)
    background = Image.new("RGB", frame, (rng.randint(40, 90), rng.randint(40, 90), rng.randint(40, 90)))
    x = rng.randint(0, max(0, frame[0] - doc.width))
    y = rng.randint(0, max(0, frame[1] - doc.height))
    background.paste(doc, (x, y), mask)
    img = background.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(img).astype(np.float32)
    if glare:
        yy, xx = np.mgrid[0:frame[1], 0:frame[0]]
        cx, cy = x + doc.width * rng.uniform(0.3, 0.7), y + doc.height * rng.uniform(0.6, 0.9)
        radius = doc.width * 0.12
        arr += (glare * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius * radius)))[..., None]
    arr *= light
    arr += np.random.default_rng(seed).normal(0, noise, arr.shape)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if phone:
        small = img.resize((int(frame[0] * 0.6), int(frame[1] * 0.6)), Image.BILINEAR)
        buf = io.BytesIO()
        small.save(buf, "JPEG", quality=35)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB").resize(frame, Image.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=jpeg_quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
