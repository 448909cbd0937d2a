"""Reading the printed MRZ from a camera frame: OCR-B template matching, with the check digits as the judge.

MRZs are printed in OCR-B, a fixed font designed for machine reading, so the "model" here is the OCR-B font
itself (Debian's `fonts-ocr-b`): each glyph is rendered once into a template and every character cut from the frame
is matched against the 37 templates. The pipeline: find the two or three long, parallel text lines at the bottom
of the document (black-hat + closing), deskew, cut each line into characters (connected components), rank the
templates per character, restrict each position to the character class its MRZ field allows, and among the
close alternatives pick the reading whose every check digit verifies. A frame whose MRZ does not verify is
refused (`MrzUnreadable`), never guessed.

The same frame gives the same reading on every machine: the font file is pinned by its digest, glyphs are
rendered with Pillow's basic layout (its default, Raqm, exists only where the system has FriBiDi), and every
step from frame to scores is bit-exact: no OpenCV operation whose output depends on the thread count or the
CPU's SIMD extensions (INTER_CUBIC resizing, warpAffine), no BLAS (its kernel is chosen per CPU). See
docs/document-reader.md, "Same frame, same reading".
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.core.identity import AccessKey
from kiosk.devices.document.mrz import MrzData, parse_mrz
from kiosk.errors import MalformedCardData, MrzUnreadable

OCRB_FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
# The font is the OCR's model: the reader was validated with Debian 12's fonts-ocr-b 0.3~dfsg1-1 (its OTF is built
# from MetaPost sources at package build time, so another release may carry different outlines).
OCRB_SHA256 = "84558d47dbc19bb5887cc7b72ed62c64534fd00f0b569d28e6dc63b71fe27707"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
_GLYPH = (24, 32)  # normalized glyph bitmap (w, h)
_LETTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
_DIGITS = set("0123456789")
_DIGIT_OR_FILLER = _DIGITS | {"<"}
_ALNUM = set(ALPHABET)
_SEX = set("MFX<")
_MAX_AMBIGUOUS = 12  # positions whose runner-up is considered
_MAX_SUBSTITUTIONS = 3  # runner-ups in one reading
_CLOSE = 0.25  # a runner-up this close (in correlation) to the best is an alternative
_AMBIGUITY = 0.02  # another verifying reading this close in cost makes the frame ambiguous
_ALTERNATIVES = 3  # runners-up kept per position (B's runners-up in a blurred frame: O, S, 8)
# A reading may give up at most this much correlation in total: more, and a wrong reading that happens to pass
# the check digits (each only mod 10) becomes likelier than a right one (measured, see docs/document-reader.md).
_BUDGET = 0.2
_SUBPIXEL = 32  # fixed-point steps per pixel when resampling (as OpenCV's INTER_TAB_SIZE)
_WEIGHT_BITS = 10  # fixed-point resampling weights


def _line_classes(fmt: str) -> list[list[set[str]]]:
    def spans(length: int, parts: list[tuple[int, set[str]]]) -> list[set[str]]:
        out: list[set[str]] = []
        for count, cls in parts:
            out += [cls] * count
        assert len(out) == length
        return out

    dates = [(6, _DIGIT_OR_FILLER), (1, _DIGIT_OR_FILLER), (1, _SEX), (6, _DIGITS), (1, _DIGITS)]
    if fmt == "TD3":
        return [spans(44, [(44, _LETTERS)]),
                spans(44, [(9, _ALNUM), (1, _DIGITS), (3, _LETTERS), *dates, (14, _ALNUM), (1, _DIGIT_OR_FILLER),
                           (1, _DIGITS)])]
    if fmt == "TD2":
        return [spans(36, [(36, _LETTERS)]),
                spans(36, [(9, _ALNUM), (1, _DIGIT_OR_FILLER), (3, _LETTERS), *dates, (7, _ALNUM),
                           (1, _DIGITS)])]
    return [spans(30, [(5, _LETTERS), (9, _ALNUM), (1, _DIGIT_OR_FILLER), (15, _ALNUM)]),
            spans(30, [*dates, (3, _LETTERS), (11, _ALNUM), (1, _DIGITS)]),
            spans(30, [(30, _LETTERS)])]


def _checked_positions(fmt: str) -> frozenset[int]:
    """Positions (in the concatenated MRZ) that some check digit covers, the check digits included.

    Only there can substituting a character turn a failing reading into a verified one; elsewhere (names,
    nationality, sex, the TD3 first line) the best-ranked character stands.
    """
    spans = {"TD3": [(44, 54), (57, 64), (65, 88)],
             "TD2": [(36, 46), (49, 56), (57, 72)],
             "TD1": [(5, 30), (30, 37), (38, 45), (48, 60)]}[fmt]
    return frozenset(i for start, end in spans for i in range(start, end))


def _normalize(mask: np.ndarray) -> np.ndarray:
    import cv2

    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return np.zeros(_GLYPH[0] * _GLYPH[1], np.float64)
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    # INTER_AREA on a float mask is bit-exact across threads and SIMD paths; the rest is numpy element-wise
    # arithmetic and pairwise sums, not BLAS (np.linalg.norm and `@` give CPU-dependent last bits).
    glyph = cv2.resize(crop, _GLYPH, interpolation=cv2.INTER_AREA).astype(np.float64).ravel()
    glyph -= glyph.sum() / glyph.size
    norm = np.sqrt(np.sum(glyph * glyph))
    return glyph / norm if norm else glyph


def _font_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _cubic_weights() -> np.ndarray:
    """Integer bicubic weights (Keys, a = -0.75 as OpenCV's INTER_CUBIC) for each 1/_SUBPIXEL offset."""
    a = -0.75

    def kernel(d: float) -> float:
        d = abs(d)
        if d <= 1:
            return ((a + 2) * d - (a + 3)) * d * d + 1
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a if d < 2 else 0.0

    table = np.zeros((_SUBPIXEL, 4), np.int32)
    for step in range(_SUBPIXEL):
        t = step / _SUBPIXEL
        weights = [round(kernel(d) * (1 << _WEIGHT_BITS)) for d in (t + 1, t, 1 - t, 2 - t)]
        weights[1] += (1 << _WEIGHT_BITS) - sum(weights)  # the four always sum to exactly 1.0
        table[step] = weights
    return table


_CUBIC = _cubic_weights()


def _resample(image: np.ndarray, matrix: np.ndarray, width: int, height: int) -> np.ndarray:
    """Bicubic sampling of `image` at `matrix @ (u, v, 1)` for each output pixel (u, v), edges replicated.

    Fixed-point integer arithmetic, so the bytes are the same on every machine: OpenCV's warpAffine rounds its
    coordinates differently on different SIMD paths, and its INTER_CUBIC resize differs with the thread count.
    """
    us = np.arange(width, dtype=np.float64)[None, :]
    vs = np.arange(height, dtype=np.float64)[:, None]
    rows, cols = image.shape
    x = np.rint((matrix[0, 0] * us + matrix[0, 1] * vs + matrix[0, 2]) * _SUBPIXEL).astype(np.int64)
    y = np.rint((matrix[1, 0] * us + matrix[1, 1] * vs + matrix[1, 2]) * _SUBPIXEL).astype(np.int64)
    x0, fx = np.divmod(np.clip(x, 0, (cols - 1) * _SUBPIXEL), _SUBPIXEL)
    y0, fy = np.divmod(np.clip(y, 0, (rows - 1) * _SUBPIXEL), _SUBPIXEL)
    # 2 px of replicated edge make the 4x4 neighbourhood of every clamped position valid without per-tap clipping
    stride = cols + 4
    pixels = np.pad(image, 2, mode="edge").astype(np.int32).ravel()
    corner = (y0 + 1) * stride + (x0 + 1)
    wx, wy = _CUBIC[fx], _CUBIC[fy]
    total = np.zeros(x.shape, np.int32)  # at most 255 * 1.2^2 * 2^20: int32 is enough
    for j in range(4):
        row = np.zeros(x.shape, np.int32)
        for i in range(4):
            row += pixels.take(corner + (j * stride + i)) * wx[..., i]
        total += row * wy[..., j]
    return np.clip((total + (1 << (2 * _WEIGHT_BITS - 1))) >> (2 * _WEIGHT_BITS), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class _Char:
    glyph: np.ndarray
    rel_height: float  # glyph height / line cap height
    rel_width: float


class MrzOcr:
    """Reads MRZs from frames; holds the OCR-B templates (build once, reuse for every frame)."""

    def __init__(self, font_path: Path = OCRB_FONT, font_sha256: str | None = OCRB_SHA256) -> None:
        """Render the templates from `font_path`, refusing a font file other than the pinned one.

        `font_sha256=None` accepts any OCR-B file (for trying another release's font; re-run the OCR tests).
        """
        from PIL import Image, ImageDraw, ImageFont

        if not Path(font_path).exists():
            raise MrzUnreadable(f"OCR-B font not installed ({font_path}; Debian package fonts-ocr-b)")
        digest = _font_digest(Path(font_path))
        if font_sha256 is not None and digest != font_sha256:
            raise MrzUnreadable(f"OCR-B font {font_path} is not the validated one (sha256 {digest[:16]}..., "
                                f"expected {font_sha256[:16]}...; Debian 12 fonts-ocr-b 0.3~dfsg1-1)")
        self.font_sha256 = digest
        # Basic layout: Pillow's default engine depends on whether the system has FriBiDi (see the module doc).
        font = ImageFont.truetype(str(font_path), 96, layout_engine=ImageFont.Layout.BASIC)
        glyphs = []
        masks = hashlib.sha256()
        for ch in ALPHABET:
            img = Image.new("L", (160, 160), 0)
            ImageDraw.Draw(img).text((20, 10), ch, font=font, fill=255)
            mask = np.asarray(img) > 127
            masks.update(np.packbits(mask).tobytes())
            ys, xs = np.nonzero(mask)
            glyphs.append((ch, mask, ys.max() - ys.min() + 1, xs.max() - xs.min() + 1))
        # The rendered glyph bitmaps: what FreeType (bundled with Pillow) made of the font; tests pin it.
        self.template_digest = masks.hexdigest()
        # Sizes relative to the tallest glyph (OCR-B's digits are taller than its letters), as a line's
        # characters are measured against its tallest ones: the size tells 0 from O, < from K.
        ref = max(g[2] for g in glyphs)
        self._templates: list[tuple[str, np.ndarray, float, float]] = [
            (ch, _normalize(mask), h / ref, w / ref) for ch, mask, h, w in glyphs]
        self._matrix = np.stack([t[1] for t in self._templates])

    # --- public ----------------------------------------------------------------------------------------------

    def read(self, frame) -> MrzData:
        """The MRZ in `frame` (PIL image or numpy array, colour or grey), every check digit verified."""
        gray = _to_gray(frame)
        lines = self._find_lines(gray)
        chars = [self._segment(line) for line in lines]
        return self._decide(chars)

    # --- locating --------------------------------------------------------------------------------------------

    def read_access_key(self, frame) -> AccessKey:
        """The MrzReader interface: the access key of the MRZ in `frame`."""
        return self.read(frame).access_key()

    def _find_lines(self, original: np.ndarray) -> list[np.ndarray]:
        import cv2

        scale = 1400 / original.shape[1]
        # INTER_AREA and INTER_LINEAR_EXACT are bit-exact; INTER_CUBIC is not (see _resample).
        gray = cv2.resize(original, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1
                          else cv2.INTER_LINEAR_EXACT)
        gray = cv2.GaussianBlur(gray, (3, 3), 0)
        blackhat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (31, 21)))
        _, bw = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (35, 3)))
        contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours:
            (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
            if w < h:
                w, h, angle = h, w, angle + 90
            # OpenCV's angle convention changed between versions: bring it to (-45, 45] either way.
            while angle > 45:
                angle -= 90
            while angle <= -45:
                angle += 90
            if h > 0 and w / h > 12 and w > gray.shape[1] * 0.3 and abs(angle) < 20:
                boxes.append((cy, cx, w, h, angle))
        if len(boxes) < 2:
            raise MrzUnreadable("no machine-readable zone found in the frame")
        boxes.sort()
        group = _bottom_group(boxes)
        angle = float(np.median([b[4] for b in group]))
        # Cut the lines from the original frame, resampled so that a line is ~40 px high (small MRZs in a
        # wide frame keep their detail, large ones are not processed at needless resolution) and deskewed by
        # the lines' median angle about the centre of the resampled frame.
        zoom = scale * 40 / float(np.median([b[3] for b in group]))
        factor = zoom / scale
        size = (round(original.shape[1] * zoom), round(original.shape[0] * zoom))
        if zoom < 1:  # shrink first: sampling alone would skip pixels
            source, to_source = cv2.resize(original, size, interpolation=cv2.INTER_AREA), 1.0
        else:
            source, to_source = original, 1 / zoom
        rot = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0)
        unrotate = cv2.invertAffineTransform(rot)
        lines = []
        for cy, cx, w, h, _ in group:
            x, y = rot @ np.array([cx * factor, cy * factor, 1.0])
            w, h = w * factor, h * factor
            pad = h * 0.5
            y0, y1 = int(max(0, y - h / 2 - pad)), int(min(size[1], y + h / 2 + pad))
            x0, x1 = int(max(0, x - w / 2 - pad)), int(min(size[0], x + w / 2 + pad))
            # line pixel (u, v) -> deskewed (x0 + u, y0 + v) -> resampled frame -> source pixel (centre-aligned)
            to_frame = unrotate.copy()
            to_frame[:, 2] += unrotate[:, 0] * x0 + unrotate[:, 1] * y0
            matrix = to_frame * to_source
            matrix[:, 2] += 0.5 * to_source - 0.5
            lines.append(_resample(source, matrix, x1 - x0, y1 - y0))
        return lines

    # --- reading ---------------------------------------------------------------------------------------------

    def _segment(self, line: np.ndarray) -> list[_Char]:
        import cv2

        # Black-hat first: a dark background or document edge inside the crop must not become "ink".
        size = max(9, int(line.shape[0] * 0.35)) | 1
        ink = cv2.morphologyEx(line, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
        _, bw = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
        comps = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] > 8]
        if not comps:
            return []
        heights = np.array([stats[i, cv2.CC_STAT_HEIGHT] for i in comps])
        cap = float(np.percentile(heights, 95))
        comps = [i for i in comps if stats[i, cv2.CC_STAT_HEIGHT] > cap * 0.25
                 and stats[i, cv2.CC_STAT_HEIGHT] < cap * 1.6]
        # By geometry only: label numbers differ between OpenCV's sequential and parallel labelling.
        comps.sort(key=lambda i: (stats[i, cv2.CC_STAT_LEFT], stats[i, cv2.CC_STAT_TOP], stats[i, cv2.CC_STAT_WIDTH],
                                  stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_AREA]))
        chars = []
        for group in _glyph_groups([tuple(int(v) for v in stats[i][:4]) for i in comps]):
            ids = [comps[k] for k in group]
            x = min(int(stats[i, cv2.CC_STAT_LEFT]) for i in ids)
            y = min(int(stats[i, cv2.CC_STAT_TOP]) for i in ids)
            w = max(int(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]) for i in ids) - x
            h = max(int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]) for i in ids) - y
            mask = np.isin(labels[y:y + h, x:x + w], ids)
            chars.append(_Char(_normalize(mask), h / cap, w / cap))
        return chars

    def _rank(self, char: _Char) -> list[tuple[float, str]]:
        scores = (self._matrix * char.glyph).sum(axis=1)  # numpy's pairwise sums: no BLAS, no CPU dependence
        ranked = []
        for (ch, _, rel_h, rel_w), score in zip(self._templates, scores, strict=True):
            # Shape alone confuses '<' with a squeezed 'K': the glyph's size within the line tells them apart.
            penalty = abs(rel_h - char.rel_height) * 1.5 + abs(rel_w - char.rel_width) * 0.5
            ranked.append((float(score) - penalty, ch))
        ranked.sort(reverse=True)
        return ranked

    def _decide(self, lines: list[list[_Char]]) -> MrzData:
        lengths = [len(line) for line in lines]
        fmt = {(44, 44): "TD3", (36, 36): "TD2", (30, 30, 30): "TD1"}.get(tuple(lengths))
        if fmt is None:
            raise MrzUnreadable(f"MRZ lines of {lengths} characters are neither TD1, TD2 nor TD3")
        options: list[list[tuple[float, str]]] = []
        for line, classes in zip(lines, _line_classes(fmt), strict=True):
            for char, allowed in zip(line, classes, strict=True):
                ranked = [r for r in self._rank(char) if r[1] in allowed]
                options.append(ranked[:1 + _ALTERNATIVES])
        best = [o[0][1] for o in options]
        # Alternatives worth trying: the runners-up that scored close to the best, only at positions a check
        # digit covers (a substitution elsewhere cannot change the verdict, and long names have many close
        # letters that used to crowd the misread digit out). Readings are tried cheapest first (least total
        # score given up), with few substitutions and a bounded total: the more one is allowed to change, the
        # likelier a wrong reading passes the check digits by chance.
        checked = _checked_positions(fmt)
        close = sorted((o[0][0] - o[k][0], i, k) for i, o in enumerate(options) if i in checked
                       for k in range(1, len(o)) if o[0][0] - o[k][0] < _CLOSE)[:_MAX_AMBIGUOUS]
        readings: list[tuple[float, tuple[tuple[int, int], ...]]] = [(0.0, ())]
        for count in range(1, _MAX_SUBSTITUTIONS + 1):
            for combo in itertools.combinations(close, count):
                cost = sum(c for c, _, _ in combo)
                positions = [i for _, i, _ in combo]
                if cost < _BUDGET and len(set(positions)) == count:  # one substitute per position
                    readings.append((cost, tuple((i, k) for _, i, k in combo)))
        readings.sort()
        width = lengths[0]
        last_error = ""
        found: MrzData | None = None
        found_cost = 0.0
        for cost, swaps in readings:
            if found is not None and cost > found_cost + _AMBIGUITY:
                break
            text = list(best)
            for index, rank in swaps:
                text[index] = options[index][rank][1]
            joined = "".join(text)
            try:
                reading = parse_mrz("\n".join(joined[i:i + width] for i in range(0, len(joined), width)))
            except MalformedCardData as exc:
                last_error = exc.detail
                continue
            if found is None:
                found, found_cost = reading, cost
            elif reading.access_key() != found.access_key():
                # Check digits are sums mod 10: two misread characters can cancel out (E read as C and G as O
                # in one document number). When another reading within the budget verifies with a different
                # access key and costs barely more, the frame cannot tell them apart: refuse rather than pick one.
                raise MrzUnreadable("two different MRZ readings verify: not sure which one is printed")
        if found is not None:
            return found
        raise MrzUnreadable(f"MRZ read but its check digits do not verify ({last_error})")


def _glyph_groups(boxes: list[tuple[int, int, int, int]]) -> list[list[int]]:
    """Components (left, top, width, height; sorted by left) grouped into characters.

    Glare or a worn print can break one character into pieces (an O into two arcs). OCR-B in an MRZ is
    monospaced, so pieces are recognised by the pitch: they start well within one character's advance of each
    other and together are no wider than one character cell. Neighbouring characters, a pitch apart, never are.
    """
    if len(boxes) < 3:
        return [[i] for i in range(len(boxes))]
    steps = [b[0] - a[0] for a, b in zip(boxes, boxes[1:], strict=False) if b[0] > a[0]]
    pitch = float(np.median(steps)) if steps else 0.0
    groups: list[list[int]] = []
    span = (0, 0)
    for i, (left, _top, width, _height) in enumerate(boxes):
        if groups and left - span[0] < pitch * 0.5 and max(span[1], left + width) - span[0] <= pitch * 0.85:
            groups[-1].append(i)
            span = (span[0], max(span[1], left + width))
        else:
            groups.append([i])
            span = (left, left + width)
    return groups


def _bottom_group(boxes: list[tuple[float, float, float, float, float]]) -> list:
    """The lowest run of 2-3 lines of similar length, evenly spaced: the MRZ."""
    for size in (3, 2):
        for start in range(len(boxes) - size, -1, -1):
            group = boxes[start:start + size]
            widths = [b[2] for b in group]
            heights = [b[3] for b in group]
            gaps = [group[i + 1][0] - group[i][0] for i in range(size - 1)]
            if max(widths) > min(widths) * 1.15 or max(heights) > min(heights) * 1.6:
                continue
            if any(g > np.median(heights) * 3 or g < np.median(heights) * 0.8 for g in gaps):
                continue
            return group
    raise MrzUnreadable("no group of two or three MRZ lines found")


def _to_gray(frame) -> np.ndarray:
    import cv2

    if hasattr(frame, "convert"):  # PIL image
        return np.asarray(frame.convert("L"))
    array = np.asarray(frame)
    if array.ndim == 3:
        return cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    return array.astype(np.uint8)
