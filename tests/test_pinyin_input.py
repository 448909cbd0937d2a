"""Pinyin input: letters to Chinese candidates, without Qt."""

from __future__ import annotations

import pytest

from kiosk.ui.pinyin_input import PinyinDictionary, toneless


@pytest.fixture(scope="module")
def dictionary() -> PinyinDictionary:
    return PinyinDictionary()


def texts(cands) -> list[str]:
    return [c.text for c in cands]


def test_toneless():
    assert toneless("lǚ") == "lv" and toneless("hàng") == "hang" and toneless("Ā") == "a"


def test_whole_phrase_first_then_characters_of_the_first_syllable(dictionary):
    cands = dictionary.candidates("xiaoqu")
    assert "小区" in texts(cands)[:3]
    assert all(c.consumed == 6 for c in cands if len(c.text) == 2)
    single = [c for c in cands if c.text == "小"]
    assert single and single[0].consumed == len("xiao")


def test_common_characters_rank_high(dictionary):
    assert "路" in texts(dictionary.candidates("lu"))[:3]
    assert "号" in texts(dictionary.candidates("hao"))[:3]
    assert "王" in texts(dictionary.candidates("wang"))[:3]


def test_unfinished_syllables_and_v_for_u_umlaut(dictionary):
    assert texts(dictionary.candidates("zh")), "a partial syllable still offers characters"
    assert "绿" in texts(dictionary.candidates("lv"))[:5]


@pytest.mark.parametrize("junk", ["", "123", "!!", "ZZZZZZZZ", "qqqq", "x" * 200])
def test_junk_never_raises(dictionary, junk):
    dictionary.candidates(junk)


def test_shipped_index_is_built_from_the_current_pypinyin():
    import json

    from kiosk.ui.pinyin_input import INDEX, build_index

    assert json.loads(INDEX.read_text(encoding="utf-8")) == build_index(), "run `make pinyin-index`"
