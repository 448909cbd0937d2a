"""Translations for code that runs without Qt (voice guidance, receipts): read from the same .ts files.

The Qt shell loads the compiled .qm through QTranslator; this module parses the .ts XML so that the core
speaks the same sentences without importing Qt.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "assets" / "translations"  # <repo>/assets


class Translations:
    """source text → translated text, per context, for one language."""

    def __init__(self, table: dict[tuple[str, str], str]) -> None:
        self._table = table

    @classmethod
    def load(cls, language: str, folder: Path = TRANSLATIONS_DIR) -> Translations:
        """Translations for `language` ('en' needs none: the sources are English)."""
        path = folder / f"kiosk_{language}.ts"
        if language == "en" or not path.exists():
            return cls({})
        table: dict[tuple[str, str], str] = {}
        for ctx in ET.parse(path).getroot().iter("context"):
            name = ctx.findtext("name", "")
            for msg in ctx.iter("message"):
                tr = msg.find("translation")
                if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete", "vanished"):
                    table[(name, msg.findtext("source", ""))] = tr.text
        return cls(table)

    def translate(self, context: str, source: str) -> str:
        """The translation of `source`, or `source` itself."""
        return self._table.get((context, source), source)
