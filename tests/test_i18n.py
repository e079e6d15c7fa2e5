"""Every user-facing string is translated to English, and placeholders survive."""

import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


def _entries(path: Path):
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "\nmsgid " not in "\n" + block:
            continue
        fuzzy = any(
            line.startswith("#,") and "fuzzy" in line for line in block.splitlines()
        )
        msgid = "".join(
            re.findall(
                r'^(?:msgid|msgid_plural)? ?"(.*)"$', block.split("msgstr")[0], re.M
            )
        )
        msgstrs = re.findall(
            r'^msgstr(?:\[\d\])? "(.*)"\n((?:".*"\n?)*)', block + "\n", re.M
        )
        yield (
            msgid,
            ["".join([a, *re.findall(r'"(.*)"', b)]) for a, b in msgstrs],
            fuzzy,
        )


def test_english_catalogue_is_complete_and_not_fuzzy():
    problems = []
    for msgid, msgstrs, fuzzy in _entries(
        ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    ):
        if not msgid:
            continue  # the header
        if fuzzy or not all(msgstrs):
            problems.append(msgid)
    assert not problems, f"untranslated or fuzzy: {problems[:20]}"


def test_placeholders_survive_translation():
    bad = []
    for msgid, msgstrs, _fuzzy in _entries(
        ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    ):
        wanted = sorted(set(re.findall(r"%\(\w+\)s", msgid)))
        for s in msgstrs:
            if sorted(set(re.findall(r"%\(\w+\)s", s))) != wanted:
                bad.append(msgid)
    assert not bad, bad


@pytest.mark.parametrize(
    ("lang", "text"), [("zh-hans", "购买目录"), ("en", "Purchase catalogue")]
)
def test_navigation_label_in_each_language(lang, text):
    with translation.override(lang):
        assert translation.gettext("购买目录") == text


def test_pages_are_chinese_for_an_english_browser_until_english_is_chosen(client):
    # given: a browser that prefers English
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "<h1>登录</h1>" in response.content.decode()
    # when: the user picks English in the switch
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    # then
    assert "<h1>Log in</h1>" in client.get("/accounts/login/").content.decode()


def test_api_clients_get_the_language_they_ask_for(client):
    body = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["code"] == "not_authenticated"
    assert body["detail"].isascii()
    body = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    assert not body["detail"].isascii()
