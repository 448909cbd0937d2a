"""The CJK font every printed document uses, embedded as a subset so that any printer host prints it.

reportlab embeds TrueType outlines only: WenQuanYi Micro Hei (Debian `fonts-wqy-microhei`, Apache 2.0 or GPLv3
with the font embedding exception, see docs/services.md) is the default; Zen Hei and AR PL UMing work as
fallbacks. Noto CJK
(CFF outlines) does not load, and the built-in STSong-Light is never embedded, so it prints blank on hosts
without a Chinese font. Registration costs 90-240 ms, so it happens once per process; reportlab's own font
registry is the record of that (registering again is a no-op here).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.errors import DocumentError

CJK_FONT = "KioskCJK"
# (path, subfont index) in order of preference; the .ttc collections hold several faces, index 0 is Regular.
# Micro Hei first: reportlab parses the whole collection into memory, 21 MB for Micro Hei against 46 MB for Zen Hei.
CANDIDATES: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),
)


def register_cjk_font(candidates: tuple[tuple[Path, int], ...] = CANDIDATES) -> str:
    """Register the first available CJK TrueType font under CJK_FONT (once per process) and return that name.

    Raises DocumentError when none of the candidates exists or loads.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if CJK_FONT in pdfmetrics.getRegisteredFontNames():
        return CJK_FONT
    problems = []
    for path, index in candidates:
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        try:
            pdfmetrics.registerFont(TTFont(CJK_FONT, str(path), subfontIndex=index))
            return CJK_FONT
        except Exception as exc:  # noqa: BLE001 - reportlab raises bare TTFError/AssertionError for bad outlines
            problems.append(f"{path}: {exc}")
    raise DocumentError("no usable CJK TrueType font (install fonts-wqy-microhei): " + "; ".join(problems))


def font_file() -> Path | None:
    """The font file registered under CJK_FONT, when registered (for the licence note and diagnostics)."""
    from reportlab.pdfbase import pdfmetrics

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        return None
    return Path(pdfmetrics.getFont(CJK_FONT).face.filename)
