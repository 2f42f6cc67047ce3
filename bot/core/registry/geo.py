"""Official geography: communes/wards of a province after the 2025 reform, and forgiving lookup.

The list comes from the ``vietnam-provinces`` package. Since July 2025 there are no districts:
province → commune/ward (xã/phường/đặc khu). Every province is served the same way (the bot's
``PROVINCE_CODE`` picks one); the former district is kept as an optional attribute for the
communes of the former Hậu Giang province (now part of Cần Thơ city, code 92), which the demo uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from vietnam_provinces import ProvinceCode, Ward, WardCode

from bot.core.registry.provinces import ProvinceInfo, province_info
from bot.core.text import fold, tidy

CAN_THO = "92"

#: Ward codes of the former Hậu Giang province: 31321..31495 in the official list.
HAU_GIANG_CODE_RANGE = (31321, 31495)

VI_THANH = "Thành phố Vị Thanh"
NGA_BAY = "Thành phố Ngã Bảy"
LONG_MY_TOWN = "Thị xã Long Mỹ"
CHAU_THANH = "Huyện Châu Thành"
CHAU_THANH_A = "Huyện Châu Thành A"
PHUNG_HIEP = "Huyện Phụng Hiệp"
VI_THUY = "Huyện Vị Thủy"
LONG_MY = "Huyện Long Mỹ"

#: Which former district (of Hậu Giang) each new commune/ward came from — by the code it kept,
#: which is the code of the main former unit merged into it.
FORMER_DISTRICTS: dict[str, str] = {
    "31321": VI_THANH,  # Phường Vị Thanh
    "31333": VI_THANH,  # Phường Vị Tân
    "31338": VI_THANH,  # Xã Hỏa Lựu
    "31340": NGA_BAY,  # Phường Ngã Bảy
    "31411": NGA_BAY,  # Phường Đại Thành (from Phụng Hiệp into Ngã Bảy in 2020)
    "31342": CHAU_THANH_A,  # Xã Tân Hòa
    "31348": CHAU_THANH_A,  # Xã Trường Long Tây
    "31360": CHAU_THANH_A,  # Xã Thạnh Xuân
    "31366": CHAU_THANH,  # Xã Châu Thành
    "31369": CHAU_THANH,  # Xã Đông Phước
    "31378": CHAU_THANH,  # Xã Phú Hữu
    "31393": PHUNG_HIEP,  # Xã Hòa An
    "31396": PHUNG_HIEP,  # Xã Hiệp Hưng
    "31399": PHUNG_HIEP,  # Xã Tân Bình
    "31408": PHUNG_HIEP,  # Xã Thạnh Hòa
    "31420": PHUNG_HIEP,  # Xã Phụng Hiệp
    "31426": PHUNG_HIEP,  # Xã Phương Bình
    "31432": PHUNG_HIEP,  # Xã Tân Phước Hưng
    "31441": VI_THUY,  # Xã Vị Thủy
    "31453": VI_THUY,  # Xã Vĩnh Thuận Đông
    "31459": VI_THUY,  # Xã Vĩnh Tường
    "31465": VI_THUY,  # Xã Vị Thanh 1
    "31471": LONG_MY_TOWN,  # Phường Long Mỹ
    "31473": LONG_MY_TOWN,  # Phường Long Bình
    "31480": LONG_MY_TOWN,  # Phường Long Phú 1
    "31489": LONG_MY,  # Xã Vĩnh Viễn
    "31492": LONG_MY,  # Xã Lương Tâm
    "31495": LONG_MY,  # Xã Xà Phiên
}

# Words people put before a commune name (folded) → the division type they mean.
_WORD_PREFIXES: dict[tuple[str, ...], str | None] = {
    ("thi", "tran"): None,
    ("dac", "khu"): "đặc khu",
    ("phuong",): "phường",
    ("xa",): "xã",
    ("p",): "phường",
    ("x",): "xã",
    ("tt",): None,
}
_ABBREVIATED = {"p": "phường", "x": "xã", "tt": None}
_PUNCT = re.compile(r"[^\w\s]")


class Commune(BaseModel):
    """An official commune/ward (the 5-digit ward code as a string)."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    division_type: str  # "xã" | "phường" | "đặc khu"
    province_code: str
    former_district: str | None = None

    @property
    def bare_name(self) -> str:
        """The name without its "Xã"/"Phường" prefix: "Vị Thủy"."""
        return split_prefix(self.name)[1]


class CommuneLookupError(LookupError):
    """A commune could not be resolved; ``code`` is a message key, ``params`` its placeholders."""

    def __init__(self, code: str, params: dict[str, str]) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class UnknownCommune(CommuneLookupError):
    def __init__(self, value: str) -> None:
        super().__init__("registry.error.unknown_commune", {"value": value})


class AmbiguousCommune(CommuneLookupError):
    def __init__(self, value: str, candidates: list[Commune]) -> None:
        listed = ", ".join(f"{c.name} ({c.code})" for c in candidates)
        super().__init__("registry.error.ambiguous_commune",
                         {"value": value, "candidates": listed})
        self.candidates = candidates


def split_prefix(name: str) -> tuple[str | None, str]:
    """(division type or None, bare name) from a typed commune name.

    "Xã  Vị Thủy" → ("xã", "Vị Thủy"); "P.Ngã Bảy" → ("phường", "Ngã Bảy"); "Vị Thủy" → (None, ...).
    """
    text = tidy(name)
    head, dot, tail = text.partition(".")
    if dot and fold(head) in _ABBREVIATED and tidy(tail):
        return _ABBREVIATED[fold(head)], tidy(tail)
    words = text.split(" ")
    folded = [fold(word) for word in words]
    for prefix, kind in _WORD_PREFIXES.items():
        n = len(prefix)
        if len(words) > n and tuple(folded[:n]) == prefix:
            return kind, " ".join(words[n:])
    return None, text


def name_key(name: str) -> str:
    """Folded bare name used for matching: "Xã  Vị Thủy" → "vi thuy"."""
    return fold(_PUNCT.sub(" ", split_prefix(name)[1]))


def _division(value: object) -> str:
    raw = getattr(value, "value", value)
    return str(raw)


def _commune(ward: Ward, province_code: str) -> Commune:
    code = f"{int(ward.code):05d}"
    return Commune(
        code=code, name=tidy(ward.name), division_type=_division(ward.division_type),
        province_code=province_code,
        former_district=FORMER_DISTRICTS.get(code) if province_code == CAN_THO else None,
    )


@lru_cache(maxsize=8)
def _official(province_code: str) -> tuple[Commune, ...]:
    code = province_info(province_code).code  # UnknownProvince for a code that is none
    wards = Ward.iter_by_province(ProvinceCode(int(code)))
    return tuple(sorted((_commune(ward, code) for ward in wards), key=lambda c: c.code))


def official_communes(province_code: str) -> list[Commune]:
    """All communes/wards of a province, sorted by code, names tidied."""
    return list(_official(province_code))


def hau_giang_communes() -> list[Commune]:
    """The communes/wards of Cần Thơ that were the former Hậu Giang province (28 of them)."""
    low, high = HAU_GIANG_CODE_RANGE
    return [c for c in official_communes(CAN_THO) if low <= int(c.code) <= high]


def commune_anywhere(code: str) -> Commune | None:
    """The commune/ward of an official code in any province (None if no province has it)."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    try:
        ward = Ward.from_code(WardCode(int(normalized)))
    except ValueError:
        return None
    return _commune(ward, f"{int(ward.province_code):02d}")


@lru_cache(maxsize=1)
def national_index() -> CommuneIndex:
    """Every commune/ward of the country (3,321), to say where a name from elsewhere lies."""
    return CommuneIndex(_commune(w, f"{int(w.province_code):02d}") for w in Ward.iter_all())


def normalize_code(value: str) -> str | None:
    """A commune code as typed ("31441", "31441.0", " 31441 ") → "31441"; None if not a code."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) > 5:
        return None
    return text.zfill(5)


class CommuneIndex:
    """Resolves communes by code or by name, ignoring diacritics, case, spaces and prefixes."""

    def __init__(self, communes: Iterable[Commune], province: ProvinceInfo | None = None) -> None:
        #: The province whose official list this is (None for a hand-made list).
        self.province = province
        self._communes = list(communes)
        self._by_code: dict[str, Commune] = {}
        self._by_key: dict[str, list[Commune]] = {}
        self._by_squashed: dict[str, list[Commune]] = {}
        self._found: dict[str, tuple[Commune, ...]] = {}  # a registry repeats its communes
        for commune in self._communes:
            self._by_code[commune.code] = commune
            key = name_key(commune.name)
            self._by_key.setdefault(key, []).append(commune)
            self._by_squashed.setdefault(key.replace(" ", ""), []).append(commune)

    @classmethod
    def official(cls, province_code: str) -> CommuneIndex:
        """The index of a province's official list (built once per province)."""
        return _official_index(province_info(province_code).code)

    @property
    def communes(self) -> list[Commune]:
        return list(self._communes)

    def __len__(self) -> int:
        return len(self._communes)

    def by_code(self, code: str) -> Commune | None:
        normalized = normalize_code(code)
        return self._by_code.get(normalized) if normalized else None

    def find(self, text: str) -> list[Commune]:
        """Every commune the text could mean (by code, or by name); empty when none."""
        found = self._found.get(text)
        if found is None:
            found = self._found[text] = tuple(self._find(text))
        return list(found)

    def _find(self, text: str) -> list[Commune]:
        if (by_code := self.by_code(text)) is not None:
            return [by_code]
        kind, _ = split_prefix(text)
        key = name_key(text)
        if not key:
            return []
        found = self._by_key.get(key) or self._by_squashed.get(key.replace(" ", ""), [])
        if kind is not None:
            # "Xã Vị Thanh" is not "Phường Vị Thanh": a typed prefix must agree, because an old
            # commune of the same name may now lie elsewhere.
            return [c for c in found if c.division_type == kind]
        return list(found)

    def resolve(self, text: str) -> Commune:
        """The one commune meant by ``text``; raises UnknownCommune / AmbiguousCommune."""
        found = self.find(text)
        if not found:
            raise UnknownCommune(tidy(text))
        if len(found) > 1:
            raise AmbiguousCommune(tidy(text), found)
        return found[0]


@lru_cache(maxsize=8)
def _official_index(province_code: str) -> CommuneIndex:
    return CommuneIndex(official_communes(province_code), province_info(province_code))
