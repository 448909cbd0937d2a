"""Same frame, same reading, on every machine: the MRZ OCR's inputs are pinned and its arithmetic is bit-exact.

A fresh Debian 12 once misread `td3-long-names` at VGA while a provisioned machine read it: Pillow's default text
layout is Raqm only where the system has FriBiDi, so the test frames differed. Other machine-dependent steps were
found on the way: OpenCV's INTER_CUBIC resize changes with the thread count (8+ threads) and with the CPU's SIMD
path, warpAffine with the SIMD path, numpy's BLAS (np.linalg.norm, `@`) with the CPU's kernel. These tests read
the same frames under those variations and compare every intermediate byte, not only the final reading.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from PIL import ImageFont

from kiosk.devices.document import mrz_ocr
from kiosk.devices.document.mrz_ocr import OCRB_FONT, OCRB_SHA256, MrzOcr
from kiosk.errors import MrzUnreadable

from .mrz_frames import camera_frame
from .test_mrz_ocr import CONDITIONS, DOCS

REPO = Path(__file__).resolve().parents[2]
# The 37 glyph bitmaps FreeType (the copy bundled in the locked Pillow wheel) renders from the pinned font. If
# this changes, the OCR's model changed: run tests/document/test_mrz_ocr.py and update the value knowingly.
TEMPLATE_DIGEST = "0b1ba5d31b4a2fba0a868a8126f46e352226a0d5f37297ee7994ffa0a5370975"
# The frame that failed on the fresh machine, plus one frame of every format under the two hardest conditions.
FRAMES = [("td3-long-names", "vga", 2)] + [(doc, cond, 0) for doc in sorted(DOCS) for cond in ("vga", "blurred-noisy")]


def trace(ocr: MrzOcr, frame) -> str:
    """Digest of every stage of a reading: line crops, glyphs, ranked scores, the result."""
    digest = hashlib.sha256()
    lines = ocr._find_lines(mrz_ocr._to_gray(frame))
    for line in lines:
        digest.update(line.tobytes())
        for char in ocr._segment(line):
            digest.update(char.glyph.tobytes())
            digest.update(repr(ocr._rank(char)).encode())
    digest.update(repr(sorted(vars(ocr.read(frame)).items())).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def ocr() -> MrzOcr:
    return MrzOcr()


@pytest.fixture(scope="module")
def frames():
    return [camera_frame(DOCS[doc], seed, **CONDITIONS[cond]) for doc, cond, seed in FRAMES]


def test_the_template_source_is_pinned(ocr: MrzOcr, tmp_path: Path) -> None:
    assert ocr.font_sha256 == OCRB_SHA256
    assert ocr.template_digest == TEMPLATE_DIGEST, "the OCR-B glyph templates changed: re-validate the OCR"
    other = tmp_path / "OCRB.otf"
    other.write_bytes(OCRB_FONT.read_bytes() + b"\0")  # still a loadable font, but not the validated file
    with pytest.raises(MrzUnreadable, match="not the validated one"):
        MrzOcr(other)
    assert MrzOcr(other, font_sha256=None).template_digest == TEMPLATE_DIGEST  # opting out is explicit


def test_templates_and_test_frames_do_not_depend_on_the_layout_engine(ocr: MrzOcr, frames, monkeypatch) -> None:
    """What a machine without FriBiDi gets (Pillow falls back to basic layout) is what this machine gets."""
    monkeypatch.setattr(ImageFont.core, "HAVE_RAQM", False)
    assert MrzOcr().template_digest == ocr.template_digest
    for (doc, cond, seed), frame in zip(FRAMES, frames, strict=True):
        assert camera_frame(DOCS[doc], seed, **CONDITIONS[cond]).tobytes() == frame.tobytes(), (doc, cond, seed)


def test_same_frame_same_bytes_under_any_opencv_thread_count_or_simd_path(ocr: MrzOcr, frames) -> None:
    threads, optimized = cv2.getNumThreads(), cv2.useOptimized()
    try:
        cv2.setNumThreads(1)
        expected = [trace(ocr, f) for f in frames]
        # 8 and 16 threads split images into other stripes; useOptimized(False) is a CPU without SIMD extensions
        for count, simd in ((2, True), (8, True), (16, True), (1, False)):
            cv2.setNumThreads(count)
            cv2.setUseOptimized(simd)
            assert [trace(ocr, f) for f in frames] == expected, (count, simd)
    finally:
        cv2.setNumThreads(threads)
        cv2.setUseOptimized(optimized)


_CHILD = """
import json, sys
from kiosk.devices.document.mrz_ocr import MrzOcr
from tests.document.mrz_frames import camera_frame
from tests.document.test_mrz_ocr import CONDITIONS, DOCS
from tests.document.test_mrz_ocr_determinism import FRAMES, trace
ocr = MrzOcr()
print(json.dumps([trace(ocr, camera_frame(DOCS[d], s, **CONDITIONS[c])) for d, c, s in FRAMES]))
"""


def _openblas_on_x86() -> bool:
    import numpy as np

    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {}).get("name", "")
    return platform.machine() in ("x86_64", "AMD64") and "openblas" in blas.lower()


@pytest.mark.skipif(not _openblas_on_x86(), reason="OPENBLAS_CORETYPE selects kernels of x86 OpenBLAS builds only")
def test_same_frame_same_bytes_whatever_blas_kernel_the_cpu_gets(ocr: MrzOcr, frames) -> None:
    """OpenBLAS picks its kernels by CPU model; forcing an old one (Prescott: SSE3, which every x86-64 CPU numpy
    runs on has) stands in for another machine. The OCR uses no BLAS, so nothing may change."""
    expected = [trace(ocr, f) for f in frames]
    env = {**os.environ, "OPENBLAS_CORETYPE": "Prescott", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _CHILD], cwd=REPO, env=env, capture_output=True, text=True, check=False,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == expected

