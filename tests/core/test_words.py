"""core/words.py: words quoted in a bigger message, rendered in the language of the message that quotes them."""

from __future__ import annotations

from surety.core import i18n
from surety.core.errors import ValidationFailed
from surety.core.i18n import render_error, translate
from surety.core.words import Words


def test_words_read_english_as_text_and_compare_by_template_and_params():
    words = Words("The weight of {key}", key="roe")
    assert str(words) == "The weight of roe"
    assert repr(words) == "Words('The weight of {key}')"
    assert words == Words("The weight of {key}", key="roe")
    assert words != Words("The weight of {key}", key="debt")
    assert words != "The weight of roe"
    assert len({words, Words("The weight of {key}", key="roe")}) == 1


def test_a_message_quoting_words_renders_them_in_its_own_language(tmp_path, monkeypatch):
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "surety.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "The weight of {key}"\nmsgstr "{key} 的权重"\n\n'
                  'msgid "{what} is too large."\nmsgstr "{what}过大。"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "locale_dirs", lambda: (i18n.CORE_LOCALE_DIR, tmp_path))
    i18n.clear_cache()
    try:
        what = Words("The weight of {key}", key="roe")
        assert translate("{what} is too large.", {"what": what}, "zh_CN") == "roe 的权重过大。"
        assert translate("{what} is too large.", {"what": what}, "en") == "The weight of roe is too large."
        exc = ValidationFailed("{what} is too large.", field="weight", what=what)
        assert exc.message == "The weight of roe is too large."
        assert render_error(exc, "zh_CN") == "roe 的权重过大。"
    finally:
        i18n.clear_cache()
