"""Numbers, amounts, dates and shares in every catalogue entry, in both languages, written the
reader's way (vi: 1.234.567 đ, 08/12/2026, 99,8%; en: 1,234,567, 8 Dec 2026, 99.8%), and no
reply with a ``{placeholder}`` left in it.

Three layers: this file goes over the catalogues; in strict mode (the test suite) the
Translator refuses a raw number of four digits or more, a fraction or a date handed to a
message, and a message asked for without one of its placeholders; and every end-to-end test
checks every text the bot sent (tests/harness/outgoing.py).
"""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from bot.core.i18n import (
    LANGUAGES,
    Translator,
    UnfilledPlaceholder,
    UnformattedValue,
    placeholders,
)
from locales import load_catalogue, translator
from tests.harness.outgoing import problems_in

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = {lang: load_catalogue(lang) for lang in LANGUAGES}
T = translator()

#: Placeholders that stand for a day (and are filled with Translator.date).
DATE_NAMES = {"date", "until", "day", "start", "end", "expires", "since", "first", "last"}
#: Placeholders that stand for a count (filled with Translator.number).
COUNT_NAMES = {"count", "sessions", "citizens", "members", "people", "reachable", "active",
               "total", "expected", "reported", "value", "target", "week", "amount", "limit",
               "max", "done", "failed", "kept", "rows", "teams", "communes", "average"}

SAMPLE_NUMBER = 1234567
SAMPLE_DAY = date(2026, 12, 8)
SAMPLE_SHARE = 99.8
WRITTEN = {
    "vi": {"number": "1.234.567", "date": "08/12/2026", "share": "99,8%"},
    "en": {"number": "1,234,567", "date": "8 Dec 2026", "share": "99.8%"},
}
FOREIGN = {"vi": ["1,234,567", "12/8/26", "99.8%"], "en": ["1.234.567", "12/8/26", "99,8%"]}


def _kind(text: str, name: str) -> str | None:
    """What a placeholder stands for, from its name and what follows it."""
    after = text.split("{" + name + "}", 1)[1][:2]
    if after.startswith("%"):
        return "share"
    if after.strip().startswith("đ"):
        return "number"
    if name in DATE_NAMES:
        return "date"
    if name in COUNT_NAMES:
        return "number"
    return None


def _entries_with_figures() -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for lang, catalogue in CATALOGUES.items():
        for key, text in catalogue.items():
            kinds = {name: kind for name in placeholders(text)
                     if (kind := _kind(text, name)) is not None}
            if kinds:
                found.append((lang, key, kinds))
    return found


ENTRIES = _entries_with_figures()


def test_the_scan_finds_the_entries_that_format_figures() -> None:
    keys = {key for _, key, _ in ENTRIES}
    for expected in ("allowance.error_too_large", "target.error_too_large", "log.summary_day",
                     "steering.teams_reported", "pause.done", "export.caption"):
        assert expected in keys
    assert len(ENTRIES) > 100


@pytest.mark.parametrize(("lang", "key", "kinds"), ENTRIES,
                         ids=[f"{lang}:{key}" for lang, key, _ in ENTRIES])
def test_each_figure_reads_the_locales_way(lang: str, key: str, kinds: dict[str, str]) -> None:
    values: dict[str, object] = {}
    for name in placeholders(CATALOGUES[lang][key]):
        kind = kinds.get(name)
        values[name] = (T.number(lang, SAMPLE_NUMBER) if kind == "number"
                        else T.date(lang, SAMPLE_DAY) if kind == "date"
                        else T.number(lang, SAMPLE_SHARE) if kind == "share"
                        else "x")
    text = T(lang, key, **values)
    for kind in set(kinds.values()):
        assert WRITTEN[lang][kind] in text, (kind, text)
    for foreign in FOREIGN[lang]:
        assert foreign not in text
    assert not problems_in(text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figures_written_into_the_catalogues_read_the_locales_way(lang: str) -> None:
    amount = re.compile(r"(\d[\d.,]*)\s?đ\b")
    grouped = r"\d{1,3}(?:\.\d{3})*" if lang == "vi" else r"\d{1,3}(?:,\d{3})*"
    full_date = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
    for key, text in CATALOGUES[lang].items():
        for match in amount.finditer(text):
            assert re.fullmatch(grouped, match[1]), (key, match[0])
        for match in full_date.finditer(text):
            if lang == "en":  # "12/8/26" or even "12/08/2026": month or day first?
                pytest.fail(f"{key}: {match[0]}")
            assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", match[0]), (key, match[0])
        for share in re.finditer(r"(\S+)%", text):
            assert share[1].endswith("}") or re.fullmatch(r"[\d.,]+", share[1]), (key, share[0])


def test_the_formatters_write_the_locales_way() -> None:
    assert T.number("vi", 100_000_000) == "100.000.000"
    assert T.number("en", 100_000_000) == "100,000,000"
    assert T.date("vi", SAMPLE_DAY) == "08/12/2026"
    assert T.date("en", SAMPLE_DAY) == "8 Dec 2026"
    assert T.number("vi", 99.8) == "99,8"


def test_english_counts_of_one_are_singular() -> None:
    text = T("en", "log.saved", week="1")
    assert "helped 1 citizen." in text
    assert "helped 11 citizens." in T("en", "log.saved", week="11")


def test_a_message_never_goes_out_with_a_placeholder_or_a_raw_figure() -> None:
    with pytest.raises(UnfilledPlaceholder):
        T("vi", "steering.digest_usage")
    with pytest.raises(UnformattedValue):
        T("vi", "allowance.error_too_large", limit=100_000_000)
    with pytest.raises(UnformattedValue):
        T("en", "log.summary_day", date=SAMPLE_DAY)
    Translator.strict = False
    try:
        text = T("vi", "steering.digest_usage")
        assert "{" not in text
    finally:
        Translator.strict = True


def test_every_message_asked_for_without_values_has_no_placeholder() -> None:
    """``t("key")`` with nothing after the key: the text must need nothing."""
    bare = re.compile(r"""\bt\((?:[\w.]+,\s*)?["']([a-z_]+\.[a-z0-9_.]+)["']\s*\)""")
    offenders = []
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in bare.findall(path.read_text(encoding="utf-8")):
                text = CATALOGUES["vi"].get(key, "")
                if placeholders(text):
                    offenders.append((path.name, key))
    assert offenders == []


def test_the_outgoing_check_catches_what_a_reader_should_not_see() -> None:
    assert problems_in("ví dụ /digest last {example}.") == ["unfilled {example}"]
    assert problems_in("Mỗi khoản tối đa 100,000,000 đ cho các tổ.")
    assert problems_in("Chỉ tiêu tối đa là 1000000 người dân.")
    assert problems_in("Date: 12/8/26")
    assert not problems_in("Mỗi khoản tối đa 100.000.000 đ cho các tổ.")
    assert not problems_in("Date: 8 Dec 2026 · 1,234 citizens")
    assert string.Formatter  # the same parser as placeholders()


def test_on_zalo_only_the_choices_are_numbered() -> None:
    from tests.harness.outgoing import zalo_numbering_problems

    choices = "Xếp hạng:\n• #1 Xã Vị Thủy\n\n1. ◀ tuần trước\n2. 🔄 Bây giờ\n\nNhắn số để chọn."
    assert zalo_numbering_problems(choices) == []
    ranked = "Xếp hạng:\n1. Xã Vị Thủy\n2. Xã Hòa An\n\n1. ◀ tuần trước\n\nNhắn số để chọn."
    assert zalo_numbering_problems(ranked)
    assert zalo_numbering_problems("1. Xã Vị Thủy\n2. Xã Hòa An")
