"""How long the quick form takes to read a line (it runs on every plain message a member sends).

    python -m tests.perf.bench_quick_form

Prints microseconds per line for typical inputs; asserts nothing.
"""

from __future__ import annotations

import time
from datetime import date

from tests.core.test_quick_form_properties import CATEGORIES

LINES = (
    "3 chu ky so", "cks 2 hướng dẫn dịch vụ công", "dvc 2 cài vneid cho bà con",
    "5 CHU KI SO",  # a typo: the fuzzy fallback
    "ok cảm ơn anh nhiều nha", "Dạ em gửi báo cáo tuần này ạ, có gì anh xem giúp em",
    "2 dich vu con nop ho so",
)


def bench(parse: object, rounds: int = 2000) -> dict[str, float]:
    figures = {}
    for line in LINES:
        start = time.perf_counter()
        for _ in range(rounds):
            parse(line, CATEGORIES, date(2026, 11, 23))  # type: ignore[operator]
        figures[line] = (time.perf_counter() - start) / rounds * 1e6
    return figures


def main() -> None:
    from bot.core.quick_form import parse_quick

    for line, micros in bench(parse_quick).items():
        print(f"{micros:8.1f} µs  {line}")


if __name__ == "__main__":
    main()
