"""core/i18n: locale negotiation, the request's locale, catalogue lookup and formatting (docs/i18n.md)."""

from __future__ import annotations

import asyncio

import pytest

from surety.core import i18n
from surety.core.errors import NotFound, Unauthenticated, ValidationFailed
from surety.core.i18n import (
    current_locale,
    negotiate,
    render_error,
    translate,
    use_locale,
)
from surety.core.notifications import service
from surety.core.request_threads import RequestThreads


@pytest.mark.parametrize(("header", "locale"), [
    (None, "zh_CN"),
    ("", "zh_CN"),
    ("zh-CN", "zh_CN"),
    ("zh", "zh_CN"),
    ("zh-Hans-CN,zh;q=0.9", "zh_CN"),
    ("zh-cn", "zh_CN"),
    ("en", "en"),
    ("EN-us", "en"),
    ("en-GB,en;q=0.9,zh-CN;q=0.8", "en"),
    ("fr-FR,zh-CN;q=0.5", "zh_CN"),
    ("fr-FR;q=1, en;q=0.5", "en"),  # the first language we have, by weight
    ("zh-CN;q=0.4, en;q=0.8", "en"),
    ("en;q=0, zh", "zh_CN"),  # q=0: not wanted
    ("fr", "zh_CN"),  # a language we do not have: the default
    ("*", "zh_CN"),
    ("zh-TW", "zh_CN"),  # traditional Chinese: no catalogue, the default
    ("de;q=abc", "zh_CN"),
    ("!!!, ;;;", "zh_CN"),
])
def test_accept_language_is_negotiated_to_zh_cn_by_default_or_english(header, locale):
    assert negotiate(header) == locale


def test_use_locale_sets_the_locale_for_the_block_and_falls_back_to_zh_cn():
    assert current_locale() == "zh_CN"
    with use_locale("en"):
        assert current_locale() == "en"
        with use_locale("klingon"):
            assert current_locale() == "zh_CN"
        assert current_locale() == "en"
    assert current_locale() == "zh_CN"


def test_a_domain_error_keeps_its_english_message_and_carries_template_and_params():
    exc = ValidationFailed("The password must be at least {min_length} characters long.", field="password",
                           min_length=12)
    assert exc.message == str(exc) == "The password must be at least 12 characters long."
    assert exc.template == "The password must be at least {min_length} characters long."
    assert exc.params == exc.details == {"min_length": 12}
    assert exc.field == "password" and exc.code == "VALIDATION_FAILED"


def test_a_parametrised_message_is_formatted_in_both_locales():
    exc = NotFound("No tenant with slug {slug!r}.", field="slug", slug="acme")
    assert render_error(exc, "en") == "No tenant with slug 'acme'."
    assert render_error(exc, "zh_CN") == "找不到标识为“acme”的租户。"
    with use_locale("en"):
        assert render_error(exc) == "No tenant with slug 'acme'."
    with use_locale("zh_CN"):
        assert render_error(exc) == "找不到标识为“acme”的租户。"


def test_the_default_message_of_unauthenticated_is_translated():
    assert Unauthenticated().message == "Authentication required."
    assert render_error(Unauthenticated(), "zh_CN") == "请先登录。"


def test_a_message_without_an_entry_is_shown_in_english_and_a_bad_template_does_not_fail():
    assert translate("Nothing like this is in a catalogue: {n}.", {"n": 3}, "zh_CN") == \
        "Nothing like this is in a catalogue: 3."
    assert translate("A literal {brace} without its value.", {}, "zh_CN") == "A literal {brace} without its value."
    assert ValidationFailed("Give {name}.").message == "Give {name}."  # no params: as written


def test_a_message_quoting_another_renders_both_in_the_locale():
    inner = ValidationFailed("The password must not contain the username.")
    assert translate("Variable '${name}': {reason}", {"name": "p", "reason": inner}, "zh_CN") == \
        "变量“$p”：密码不能包含用户名。"
    assert translate("Variable '${name}': {reason}", {"name": "p", "reason": inner}, "en") == \
        "Variable '$p': The password must not contain the username."


def test_unknown_locale_falls_back_to_zh_cn():
    assert translate("No such user.", None, "fr_FR") == "找不到该用户。"


def test_the_locale_reaches_the_request_threads():
    threads = RequestThreads(1)

    async def seen():
        return current_locale()

    async def run(locale):
        with use_locale(locale):
            return await threads.run(seen)

    try:
        assert asyncio.run(run("en")) == "en"
        assert asyncio.run(run("zh_CN")) == "zh_CN"
    finally:
        threads.shutdown()


def test_catalogues_merge_core_first_then_plugins(tmp_path, monkeypatch):
    """A plugin's catalogue adds its own messages; it cannot change one of core's."""
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "surety.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "A plugin message {n}."\nmsgstr "插件消息 {n}。"\n\n'
                  'msgid "No such user."\nmsgstr "插件改写的核心消息"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "locale_dirs", lambda: (i18n.CORE_LOCALE_DIR, tmp_path))
    i18n.clear_cache()
    try:
        assert translate("A plugin message {n}.", {"n": 2}, "zh_CN") == "插件消息 2。"
        assert translate("No such user.", None, "zh_CN") == "找不到该用户。"
    finally:
        i18n.clear_cache()


def test_installed_plugins_catalogue_directories_are_found():
    dirs = i18n.locale_dirs()
    assert dirs[0] == i18n.CORE_LOCALE_DIR
    assert all(d.name == "locale" and d.is_dir() for d in dirs)


def test_notifications_are_written_in_chinese_with_their_params(org):
    """A notification is stored once and read later (inbox, email): its text is zh-CN whatever the request's locale;
    a text without a catalogue entry (a plugin's own) is written as given."""
    with use_locale("en"), org.session() as s:
        decided, = service.notify(s, [org.id("bob")], "instance_decided", "{title}: approved",
                                  params={"title": "担保项目 P-1"})
        due, = service.notify(s, [org.id("bob")], "task_due_soon", "{step}: {title} is due on {due_date}",
                              params={"step": "风险评审", "title": "担保项目 P-1", "due_date": "2026-06-30"})
        plain, = service.notify(s, [org.id("bob")], "task_assigned", "Review P-1")
        assert decided.title == "担保项目 P-1：已通过"
        assert due.title == "风险评审：担保项目 P-1 将于 2026-06-30 到期"
        assert plain.title == "Review P-1"


def test_catalogue_directories_are_looked_up_once_per_set_of_plugins():
    """Every translated message asks for the directories; the file system is read once per set of plugins."""
    i18n.clear_cache()
    first = i18n.locale_dirs()
    before = i18n._plugin_locale_dirs.cache_info()
    assert i18n.locale_dirs() == first
    after = i18n._plugin_locale_dirs.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
    i18n.clear_cache()
    assert i18n._plugin_locale_dirs.cache_info().currsize == 0
    assert i18n.locale_dirs() == first
