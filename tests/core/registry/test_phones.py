from __future__ import annotations

import pytest

from bot.core.registry.phones import InvalidPhone, normalize_phone


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912 345 678", "0912345678"),
    ("0912.345.678", "0912345678"),
    ("0912-345-678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("+84 (0) 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("0084912345678", "0912345678"),
    ("912345678", "0912345678"),
    (912345678, "0912345678"),
    (912345678.0, "0912345678"),
    ("'0912345678", "0912345678"),
    ("0354 123 456", "0354123456"),
    ("0562123456", "0562123456"),
    ("0701234567", "0701234567"),
    ("0845123456", "0845123456"),
    ("845123456", "0845123456"),
    ("0293 3123 456", "02933123456"),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_normalize(raw: object, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", [
    "0123", "0112345678", "0412345678", "0612345678", "09123456789", "091234567",
    "+1 555 123 4567", "abc", "0912345678 / 0987654321", "1912345678", "02933123",
])
def test_reject(raw: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw)
    assert caught.value.code == "registry.error.bad_phone"
    assert caught.value.params == {"value": raw.strip()}
