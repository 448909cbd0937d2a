"""Spoken guidance is translated without Qt, from the shipped .ts file (kiosk.i18n.translations)."""

from __future__ import annotations

from kiosk.i18n import messages
from kiosk.i18n.translations import TRANSLATIONS_DIR, Translations


def test_the_shipped_translations_are_found_and_every_spoken_sentence_has_chinese():
    assert (TRANSLATIONS_DIR / "kiosk_zh_CN.ts").is_file(), TRANSLATIONS_DIR
    zh = Translations.load("zh_CN")
    assert zh.translate(messages.CONTEXT, messages.text("speak.assisted_waiting")) == \
        "请在此稍候，工作人员马上过来核验您的身份证件。"
    untranslated = [key for key in messages.MESSAGES
                    if key.startswith(("speak.", "assisted.")) and
                    zh.translate(messages.CONTEXT, messages.text(key)) == messages.text(key)]
    assert untranslated == []
    assert Translations.load("en").translate(messages.CONTEXT, "Please wait here.") == "Please wait here."
