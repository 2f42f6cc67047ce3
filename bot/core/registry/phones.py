"""Vietnamese phone numbers, as people type them, to one stored form: "0912345678"."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/'’_]+")
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")


class InvalidPhone(ValueError):
    """Not a Vietnamese mobile (10 digits, 03/05/07/08/09) or landline (11 digits, 02x)."""

    code = "registry.error.bad_phone"

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value

    @property
    def params(self) -> dict[str, str]:
        return {"value": self.value}


def _as_text(raw: object) -> str:
    # Excel hands numbers over as int/float and drops the leading zero: 912345678.0.
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def is_valid(national: str) -> bool:
    """Whether a digits-only national number (leading 0) is a mobile or a landline."""
    if not national.isdigit():
        return False
    if len(national) == 10 and national.startswith(MOBILE_PREFIXES):
        return True
    return len(national) == 11 and national.startswith("02")


def normalize_phone(raw: object) -> str | None:
    """"0912 345 678", "+84912345678", "84912345678", "912345678" → "0912345678".

    Blank input gives None (no phone). Anything else that is not a Vietnamese mobile number
    (10 digits starting 03/05/07/08/09) or landline (11 digits starting 02) raises InvalidPhone.
    """
    if raw is None:
        return None
    text = _as_text(raw).strip()
    if not text:
        return None
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+"):
        if not compact.startswith("+84"):
            raise InvalidPhone(text)
        digits = compact[3:]
        national = digits if digits.startswith("0") else "0" + digits
    elif compact.startswith("0084"):
        digits = compact[4:]
        national = digits if digits.startswith("0") else "0" + digits
    elif compact.startswith("84") and len(compact) in (11, 12):
        national = "0" + compact[2:]
    elif not compact.startswith("0") and len(compact) in (9, 10):
        national = "0" + compact
    else:
        national = compact
    if not is_valid(national):
        raise InvalidPhone(text)
    return national
