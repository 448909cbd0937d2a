"""Pinyin input for the touch keyboard: letters typed in, Chinese candidates out.

Elderly citizens type addresses and names in Chinese; a kiosk has no system input method, so the shell carries
its own. The dictionary comes from pypinyin's data, built once into assets/input/pinyin_index.json: the 3,755
GB2312 level-1 characters and ~47,000 phrases, indexed by toneless pinyin. A character is listed under every one
of its readings (行 under xing and hang), ranked under each by how many phrases use it with that reading, a
serviceable stand-in for frequency.
No Qt here: the keyboard widget asks `candidates()` and shows what comes back.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Candidate:
    text: str
    consumed: int  # how many typed letters this candidate uses up


def toneless(syllable: str) -> str:
    """'lǚ' -> 'lv', 'hàng' -> 'hang' (v stands for ü, as on every pinyin keyboard)."""
    s = unicodedata.normalize("NFKD", syllable.lower()).replace("u\u0308", "v")
    return "".join(ch for ch in s if not unicodedata.combining(ch))


INDEX = Path(__file__).resolve().parents[2] / "assets" / "input" / "pinyin_index.json"


def build_index() -> dict[str, dict]:
    """The index from pypinyin's data: {"chars": {syllable: chars by rank}, "phrases": {key: [phrases]}}.

    Run at build time (`make pinyin-index` writes assets/input/pinyin_index.json): loading pypinyin's tables at
    run time would cost the terminal ~60 MB and 0.4 s; the JSON costs ~14 MB and 25 ms.
    """
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict

    usage: dict[str, int] = defaultdict(int)
    reading_usage: dict[tuple[str, str], int] = defaultdict(int)
    phrases: dict[str, list[str]] = defaultdict(list)
    for phrase, readings in phrases_dict.items():
        if not 2 <= len(phrase) <= 4:
            continue
        syllables = [toneless(r[0]) for r in readings]
        phrases["".join(syllables)].append(phrase)
        for ch, syllable in zip(phrase, syllables, strict=True):  # pypinyin: one reading per character
            usage[ch] += 1
            reading_usage[ch, syllable] += 1
    chars: dict[str, list[str]] = defaultdict(list)
    for hi in range(0xB0, 0xD8):  # GB2312 level 1: the 3,755 most common characters
        for lo in range(0xA1, 0xFF):
            if hi == 0xD7 and lo > 0xF9:
                break
            ch = bytes([hi, lo]).decode("gb2312")
            # Every reading, not only the first: with the first alone 行 (xíng, háng) was missing under "hang",
            # whose three characters left the candidate row to phrases such as 函盖充周 (han-gai-...).
            # Other readings only where a phrase uses them: pypinyin also lists dialect and archaic readings
            # (狼 hǎng, 登 de) that would crowd the row.
            default, *others = dict.fromkeys(toneless(r) for r in pinyin(ch, style=Style.TONE, heteronym=True)[0])
            chars[default].append(ch)
            for syllable in others:
                if reading_usage.get((ch, syllable)):
                    chars[syllable].append(ch)
    return {"chars": {k: "".join(sorted(v, key=lambda c: (-reading_usage.get((c, k), 0), -usage.get(c, 0))))
                      for k, v in sorted(chars.items())},
            "phrases": {k: sorted(v, key=lambda p: (-sum(usage.get(c, 0) for c in p), p))
                        for k, v in sorted(phrases.items())}}


class PinyinDictionary:
    """Loaded from the shipped index on first use (about 25 ms), then shared; thread-safe."""

    def __init__(self, index: Path = INDEX) -> None:
        self._index = index
        self._lock = threading.Lock()
        self._chars: dict[str, str] | None = None
        self._phrases: dict[str, list[str]] = {}
        self._syllables: set[str] = set()
        self._max_syllable = 6

    def _ready(self) -> dict[str, str]:
        with self._lock:
            if self._chars is None:
                data = json.loads(self._index.read_text(encoding="utf-8"))
                self._phrases = data["phrases"]
                self._syllables = set(data["chars"])
                self._chars = data["chars"]
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

        first = next((typed[:n] for n in range(min(len(typed), self._max_syllable), 0, -1)
                      if typed[:n] in self._syllables), "")

        def splits_as_typed(phrase: str) -> bool:
            # The letters are read with the longest first syllable, as pinyin methods do: "hang" is háng, not
            # hán-g..., so a phrase whose first character is not read `first` (函盖充周 for "hang") is not what
            # the citizen is typing.
            return not first or phrase[0] in chars[first]

        whole = self._phrases.get(typed, [])
        for phrase in [p for p in whole if splits_as_typed(p)][:8]:
            add(phrase, len(typed))
        if first:
            for ch in chars[first]:
                add(ch, len(first))
        else:  # an unfinished syllable ('zh', 'sha'): characters of every syllable it begins
            for syllable in sorted(s for s in self._syllables if s.startswith(typed)):
                for ch in chars[syllable][:4]:
                    add(ch, len(typed))
        for phrase in [p for p in whole if not splits_as_typed(p)][:8]:  # 西安 for "xian": after 先, not lost
            add(phrase, len(typed))
        if len(out) < limit:
            for key in sorted(k for k in self._phrases if k.startswith(typed) and k != typed)[:40]:
                for phrase in [p for p in self._phrases[key] if splits_as_typed(p)][:1]:
                    add(phrase, len(typed))
        return out
