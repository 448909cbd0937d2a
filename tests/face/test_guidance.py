"""Every guidance key the face check emits has a shell translation and a zh/en fallback sentence."""

from __future__ import annotations

from kiosk.devices.face import guidance as g
from kiosk.i18n.messages import MESSAGES


def test_every_key_is_in_the_shell_catalogue_and_has_fallbacks():
    keys = {v for k, v in vars(g).items() if k.isupper() and isinstance(v, str)}
    assert keys == set(g.GUIDANCE)
    assert keys <= set(MESSAGES), sorted(keys - set(MESSAGES))
    for key in keys:
        assert g.sentence(key, "zh_CN") and g.sentence(key, "en")
    assert g.sentence("face.unknown") == "face.unknown"
