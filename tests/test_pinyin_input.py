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


def test_hang_offers_the_common_characters_read_hang_not_phrases_read_han(dictionary):
    # Issue 13: "hang" offered 函盖充周 (hán-gài-...) among the first candidates and no 行 at all (pypinyin lists
    # 行 under xíng first). Expected values from outside our ranking: 行 is among the hundred most frequent
    # characters of modern Chinese (Jun Da, Modern Chinese character frequency list, lingua.mtsu.edu), and
    # 航 (航空, 航班) and 杭 (杭州) are the common characters read háng; none of the others is.
    # Read háng, 行 (银行, 行业: 31,111 in jieba's corpus) and 航 (33,741) are about as frequent, so either may lead;
    # both must be on the first screen, before any phrase.
    row = texts(dictionary.candidates("hang"))[:8]  # what the keyboard's candidate row can show
    assert "行" in row[:3]
    assert {"航", "杭"} <= set(row)
    assert "函盖充周" not in row and "函盖乾坤" not in row
    assert all(len(t) == 1 or t[0] in "行航杭吭夯巷" for t in row), row


def test_a_second_reading_comes_only_with_phrase_evidence(dictionary):
    # 行 háng is in 银行 and 行业, so it is offered for "hang"; dialect readings that no phrase uses are not:
    # pypinyin gives 灯 a reading dīng and 冷 a reading líng, which must not crowd "de"/"ding" or "le"/"ling".
    assert "行" in texts(dictionary.candidates("xing"))[:3]
    assert "灯" not in texts(dictionary.candidates("ding"))[:8]
    assert "冷" not in texts(dictionary.candidates("ling"))[:8]


# The twenty most frequent characters of modern Chinese, in order (Jun Da, Modern Chinese character frequency
# list, lingua.mtsu.edu: 的 一 是 不 了 在 人 有 我 他 这 个 们 中 来 上 大 为 和 国), each with its usual reading.
# None has a more frequent character sharing its syllable, so each must come first when its syllable is typed.
# Ranked by pypinyin's phrase list alone, "shi" offered 石 first and no 是 among the first five, "de" 得 before
# 的, "ta" 塔 before 他.
JUN_DA_TOP_20 = {"de": "的", "yi": "一", "shi": "是", "bu": "不", "le": "了", "zai": "在", "ren": "人",
                 "you": "有", "wo": "我", "ta": "他", "zhe": "这", "ge": "个", "men": "们", "zhong": "中",
                 "lai": "来", "shang": "上", "da": "大", "wei": "为", "he": "和", "guo": "国"}


@pytest.mark.parametrize(("syllable", "character"), JUN_DA_TOP_20.items())
def test_the_most_frequent_characters_of_modern_chinese_come_first(dictionary, syllable, character):
    assert texts(dictionary.candidates(syllable))[0] == character


@pytest.mark.parametrize(("typed", "word"), [("baoxian", "保险"), ("shenfenzheng", "身份证"), ("shebao", "社保"),
                                             ("gongjijin", "公积金"), ("yibao", "医保"), ("tuixiu", "退休"),
                                             ("hukou", "户口"), ("jiedao", "街道")])
def test_the_words_of_citizen_services_are_offered_whole(dictionary, typed, word):
    # pypinyin lists only phrases whose reading needs telling, so 保险 (insurance) was not offered at all for
    # "baoxian", only 保鲜 (keeping food fresh), and 身份证 not for "shenfenzheng", only its variant 身分证.
    assert word in texts(dictionary.candidates(typed))[:2]
