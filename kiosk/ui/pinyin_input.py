"""Pinyin input for the touch keyboard: letters typed in, Chinese candidates out.

Elderly citizens type addresses and names in Chinese; a kiosk has no system input method, so the shell carries
its own. The dictionary comes from pypinyin's data, built once into assets/input/pinyin_index.json: the 3,755
GB2312 level-1 characters and ~47,000 phrases, indexed by toneless pinyin. A character is listed under every one
of its readings (行 under xing and hang). The order is by frequency in real text, from jieba's dictionary (word
counts of a segmented corpus): a character by how often it occurs in all words, shared between its readings in
proportion to the corpus counts of the phrases that read it each way; a phrase by its own count. Ranked by
pypinyin's phrase list alone, "shi" offered 石 first and no 是, and "baoxian" 保鲜 before 保险.
No Qt here: the keyboard widget asks `candidates()` and shows what comes back.
"""

from __future__ import annotations

import bisect
import itertools
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


PHRASES_PER_KEY = 8  # the most the candidate row takes for one spelling (candidates() below)
MIN_WORD_COUNT = 10  # a corpus word seen fewer times is mostly a name or a segmentation accident


def _gb2312(word: str) -> bool:
    """Chinese characters only, each in GB2312 (the 6,763 every Chinese font and keyboard has)."""
    try:
        word.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def corpus_counts() -> dict[str, int]:
    """jieba's dictionary as {word: count}: about 349,000 words and characters with their counts in a segmented
    corpus. Read from its file without importing jieba (which would build its own tables). Build time only."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("building the pinyin index needs jieba's dictionary: install the `test` extra")
    counts: dict[str, int] = {}
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, count, *_tag = line.split(" ")
        counts[word] = int(count)
    return counts


def build_index() -> dict[str, dict]:
    """The index from pypinyin's data ranked by jieba's counts: {"chars": {syllable: chars by rank}, "phrases":
    {key: [phrases by rank]}}.

    Run at build time (`make pinyin-index` writes assets/input/pinyin_index.json): loading pypinyin's tables at
    run time would cost the terminal ~60 MB and 0.4 s; the JSON costs ~37 MB and 90 ms (~130,000 spellings), loaded on first use.
    """
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict

    counts = corpus_counts()
    char_count: dict[str, int] = defaultdict(int)  # occurrences in running text: in every word that holds it
    for word, count in counts.items():
        for ch in word:
            char_count[ch] += count
    # pypinyin lists the phrases whose reading needs telling (银行 yínháng); a word read as its characters are
    # (保险, 身份证) is not there, and a citizen types those too: the corpus's words join, read by pypinyin.
    readings_of: dict[str, list[str]] = {p: [toneless(r[0]) for r in rs] for p, rs in phrases_dict.items()
                                         if 2 <= len(p) <= 4}
    for word, count in counts.items():
        if count >= MIN_WORD_COUNT and 2 <= len(word) <= 4 and word not in readings_of and _gb2312(word):
            readings_of[word] = [toneless(r[0]) for r in pinyin(word, style=Style.TONE)]
    reading_weight: dict[tuple[str, str], int] = defaultdict(int)  # corpus evidence for each reading
    phrases: dict[str, list[str]] = defaultdict(list)
    for phrase, syllables in readings_of.items():
        if len(syllables) != len(phrase):
            continue
        phrases["".join(syllables)].append(phrase)
        for ch, syllable in zip(phrase, syllables, strict=True):  # pypinyin: one reading per character
            reading_weight[ch, syllable] += counts.get(phrase, 0) + 1
    chars: dict[str, list[str]] = defaultdict(list)
    score: dict[tuple[str, str], float] = {}
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
            # A character standing alone in the corpus is read its usual way, pypinyin's first: 的 the particle
            # de, 了 le; phrases (目的 mùdì) are the evidence for the others.
            evidence = {default: reading_weight.get((ch, default), 0) + counts.get(ch, 0) + 1}
            evidence.update({s: reading_weight[ch, s] for s in others if reading_weight.get((ch, s))})
            total = sum(evidence.values())
            for syllable, weight in evidence.items():
                chars[syllable].append(ch)
                score[ch, syllable] = char_count.get(ch, 0) * weight / total
    return {"chars": {k: "".join(sorted(v, key=lambda c: (-score[c, k], c))) for k, v in sorted(chars.items())},
            "phrases": {k: sorted(v, key=lambda p: (-counts.get(p, 0), -sum(char_count.get(c, 0) for c in p),
                                                    p))[:PHRASES_PER_KEY] for k, v in sorted(phrases.items())}}


class PinyinDictionary:
    """Loaded from the shipped index on first use (about 25 ms), then shared; thread-safe."""

    def __init__(self, index: Path = INDEX) -> None:
        self._index = index
        self._lock = threading.Lock()
        self._chars: dict[str, str] | None = None
        self._phrases: dict[str, list[str]] = {}
        self._keys: list[str] = []  # the phrases' spellings in order, for prefix lookups
        self._syllables: set[str] = set()
        self._max_syllable = 6

    def _ready(self) -> dict[str, str]:
        with self._lock:
            if self._chars is None:
                data = json.loads(self._index.read_text(encoding="utf-8"))
                self._phrases = data["phrases"]
                self._keys = sorted(self._phrases)
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
            start = bisect.bisect_right(self._keys, typed)  # the spellings that continue the typed letters
            for key in itertools.islice(itertools.takewhile(lambda k: k.startswith(typed), self._keys[start:]), 40):
                for phrase in [p for p in self._phrases[key] if splits_as_typed(p)][:1]:
                    add(phrase, len(typed))
        return out
