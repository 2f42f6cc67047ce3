"""Registry errors as sentences in the reader's language, with the sheet and row they are in."""

from __future__ import annotations

from typing import Protocol

from babel.numbers import format_decimal

from bot.core.i18n import DEFAULT_LANGUAGE
from bot.core.registry.plan import RowError, file_error
from bot.core.registry.raw_sheet import RegistryFileError

#: Parameters that are limits (numbers written for people), not values quoted from the file.
_LIMITS = {"max", "limit"}


class Translate(Protocol):
    def __call__(self, lang: str | None, key: str, /, **params: object) -> str: ...


def _localised_params(translate: Translate, lang: str | None,
                      params: dict[str, str]) -> dict[str, str]:
    out = dict(params)
    for name in _LIMITS & out.keys():
        if out[name].isdigit():  # 1000000 → 1.000.000 (vi) / 1,000,000 (en)
            out[name] = format_decimal(int(out[name]), locale=lang or DEFAULT_LANGUAGE)
    if "columns" in out:
        out["columns"] = ", ".join(
            translate(lang, f"registry.column.{name}") for name in out["columns"].split(",")
            if name)
    return out


def render_error(translate: Translate, lang: str | None,
                 err: RowError | RegistryFileError) -> str:
    """One error as a sentence: "Thành viên, dòng 14: số điện thoại «0123» không hợp lệ..."."""
    if isinstance(err, RegistryFileError):
        err = file_error(err)
    message = translate(lang, err.code, **_localised_params(translate, lang, err.params))
    if err.row <= 0:
        return message
    prefix = translate(lang, "registry.error.row_prefix", sheet=err.sheet, row=str(err.row))
    return f"{prefix} {message}"
