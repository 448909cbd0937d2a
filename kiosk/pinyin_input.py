"""Pinyin input for the touch keyboard: letters typed in, Chinese candidates out.

Elderly citizens type addresses and names in Chinese; a kiosk has no system input method, so the shell carries
its own. The dictionary is pypinyin's: its 3,755 GB2312 level-1 characters and its ~47,000 phrases, indexed by
toneless pinyin. Characters are ranked by how many phrases use them, a serviceable stand-in for frequency.
No Qt here: the keyboard widget asks `candidates()` and shows what comes back.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    text: str
    consumed: int  # how many typed letters this candidate uses up


def toneless(syllable: str) -> str:
    """'lǚ' -> 'lv', 'hàng' -> 'hang' (v stands for ü, as on every pinyin keyboard)."""
    s = unicodedata.normalize("NFKD", syllable.lower()).replace("u\u0308", "v")
    return "".join(ch for ch in s if not unicodedata.combining(ch))


class PinyinDictionary:
    """Built on first use (about 0.3 s), then shared; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chars: dict[str, list[str]] | None = None
        self._phrases: dict[str, list[str]] = {}
        self._syllables: set[str] = set()
        self._max_syllable = 6

    def _build(self) -> None:
        from pypinyin import lazy_pinyin
        from pypinyin.phrases_dict import phrases_dict

        usage: dict[str, int] = defaultdict(int)
        phrases: dict[str, list[str]] = defaultdict(list)
        for phrase, readings in phrases_dict.items():
            if not 2 <= len(phrase) <= 4:
                continue
            key = "".join(toneless(r[0]) for r in readings)
            phrases[key].append(phrase)
            for ch in phrase:
                usage[ch] += 1
        chars: dict[str, list[str]] = defaultdict(list)
        for hi in range(0xB0, 0xD8):
            for lo in range(0xA1, 0xFF):
                if hi == 0xD7 and lo > 0xF9:
                    break
                ch = bytes([hi, lo]).decode("gb2312")
                chars[toneless(lazy_pinyin(ch)[0])].append(ch)
        for key in chars:
            chars[key].sort(key=lambda c: -usage.get(c, 0))
        for key in phrases:
            phrases[key].sort(key=lambda p: -sum(usage.get(c, 0) for c in p))
        self._phrases = dict(phrases)
        self._syllables = set(chars)
        self._chars = dict(chars)

    def _ready(self) -> dict[str, list[str]]:
        with self._lock:
            if self._chars is None:
                self._build()
            assert self._chars is not None
            return self._chars

    def candidates(self, letters: str, limit: int = 24) -> list[Candidate]:
        """Candidates for the typed letters: whole-input phrases, then characters for the first syllable,
        then phrases still being typed."""
        chars = self._ready()
        typed = "".join(ch for ch in letters.lower() if "a" <= ch <= "z")
        if not typed:
            return []
        out: list[Candidate] = []
        seen: set[str] = set()

        def add(text: str, consumed: int) -> None:
            if text not in seen and len(out) < limit:
                seen.add(text)
                out.append(Candidate(text, consumed))

        for phrase in self._phrases.get(typed, ())[:8]:
            add(phrase, len(typed))
        first = next((typed[:n] for n in range(min(len(typed), self._max_syllable), 0, -1)
                      if typed[:n] in self._syllables), "")
        if first:
            for ch in chars[first]:
                add(ch, len(first))
        else:  # an unfinished syllable ('zh', 'sha'): characters of every syllable it begins
            for syllable in sorted(s for s in self._syllables if s.startswith(typed)):
                for ch in chars[syllable][:4]:
                    add(ch, len(typed))
        if len(out) < limit:
            for key in sorted(k for k in self._phrases if k.startswith(typed) and k != typed)[:40]:
                for phrase in self._phrases[key][:1]:
                    add(phrase, len(typed))
        return out
