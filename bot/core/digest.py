"""The weekly digest: arithmetic and plain text, from tallies already counted.

Pure: the figures come in as values, the text goes out through the Translator in the reader's
language (numbers and dates formatted for them). One phone screen: long lists are cut to their
head with "and N more"; the chart carries the full picture. The period is the calendar's week,
whole or cut at today (:meth:`bot.core.calendar.Period.so_far`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.calendar import Period
from bot.core.completeness import STALE_DAYS, is_stale
from bot.core.i18n import Translator
from bot.core.natural_sort import natural_key
from bot.core.steering_text import DigestSteering, digest_lines

TOP_COUNT = 3
RANKED_COUNT = 5
LIST_LIMIT = 6
#: A commune is falling behind below this share of its own recent weekly average…
BEHIND_SHARE = 0.5
#: …when that average is big enough to mean something.
BEHIND_MIN_AVERAGE = 5.0
TREND_WEEKS = 8


@dataclass(frozen=True)
class Figure:
    """One line of a digest: a category, a team or a commune, this period and the one before."""

    name: str
    this: int
    last: int = 0
    emoji: str = ""
    last_date: date | None = None     # latest session ever (teams)
    average: float = 0.0              # recent weekly average, scaled to the period (communes)


@dataclass(frozen=True)
class CommuneDigest:
    place: str
    period: Period
    today: date
    categories: tuple[Figure, ...]
    teams: tuple[Figure, ...]
    sessions: int = 0
    steering: DigestSteering | None = None

    @property
    def total(self) -> int:
        return sum(c.this for c in self.categories)

    @property
    def previous(self) -> int:
        return sum(c.last for c in self.categories)

    def top_teams(self) -> list[Figure]:
        ranked = sorted((t for t in self.teams if t.this > 0),
                        key=lambda t: (-t.this, natural_key(t.name)))
        return ranked[:TOP_COUNT]

    def stale_teams(self) -> list[Figure]:
        return [t for t in self.teams if is_stale(t.last_date, self.today)]


@dataclass(frozen=True)
class ProvinceDigest:
    place: str
    period: Period
    communes: tuple[Figure, ...]
    #: (monday, citizens) for the last TREND_WEEKS weeks, oldest first, this period last
    trend: tuple[tuple[date, int], ...]
    sessions: int = 0
    steering: DigestSteering | None = None

    @property
    def total(self) -> int:
        return sum(c.this for c in self.communes)

    @property
    def previous(self) -> int:
        return sum(c.last for c in self.communes)

    def ranked(self) -> list[Figure]:
        return sorted(self.communes, key=lambda c: (-c.this, natural_key(c.name)))

    def behind(self) -> list[Figure]:
        return [c for c in self.communes if falling_behind(c.this, c.average)]


def falling_behind(this: int, average: float) -> bool:
    """Well below its own recent pace (a quiet commune is not "behind" its own zero)."""
    return average >= BEHIND_MIN_AVERAGE and this < BEHIND_SHARE * average


def change(t: Translator, lang: str, this: int, last: int) -> str:
    """``▲ 12 (+25%)``, ``▼ 3 (−10%)``, ``no change``, ``▲ 5`` (nothing before)."""
    diff = this - last
    if diff == 0:
        return t(lang, "digest.no_change")
    arrow = "▲" if diff > 0 else "▼"
    text = f"{arrow} {t.number(lang, abs(diff))}"
    if last > 0:
        percent = round(100 * diff / last)
        sign = "+" if percent > 0 else "−" if percent < 0 else "±"
        text += f" ({sign}{t.number(lang, abs(percent))}%)"
    return text


def period_label(t: Translator, lang: str, period: Period) -> str:
    if period.partial:
        return t(lang, "digest.period_so_far", end=t.date(lang, period.end))
    return t(lang, "digest.period_week", start=t.date(lang, period.start),
             end=t.date(lang, period.end))


def week_label(t: Translator, lang: str, monday: date) -> str:
    return t(lang, "digest.week_label", week=monday.isocalendar()[1])


def _names(t: Translator, lang: str, items: list[str], sep: str = ", ") -> str:
    shown = items[:LIST_LIMIT]
    text = sep.join(shown)
    if len(items) > len(shown):
        text += " " + t(lang, "digest.and_more", count=t.number(lang, len(items) - len(shown)))
    return text


def _comparison(t: Translator, lang: str, period: Period, this: int, last: int) -> str:
    key = "digest.vs_same_days" if period.partial else "digest.vs_last_week"
    return t(lang, key, change=change(t, lang, this, last))


def commune_text(t: Translator, lang: str, d: CommuneDigest) -> str:
    n = t.number
    lines = [
        t(lang, "digest.title", place=d.place, period=period_label(t, lang, d.period)),
        t(lang, "digest.helped", count=n(lang, d.total), sessions=n(lang, d.sessions)),
        _comparison(t, lang, d.period, d.total, d.previous),
    ]
    shown = [c for c in d.categories if c.this or c.last]
    if shown:
        lines += ["", t(lang, "digest.by_category")]
        lines += [t(lang, "digest.category_line", emoji=c.emoji, label=c.name,
                    count=n(lang, c.this), change=change(t, lang, c.this, c.last)).strip()
                  for c in shown]
    else:
        lines += ["", t(lang, "digest.nothing_logged")]
    if d.teams:
        lines += ["", t(lang, "digest.by_team"),
                  " · ".join(f"{team.name}: {n(lang, team.this)}" for team in d.teams)]
    top = d.top_teams()
    if top:
        lines.append(t(lang, "digest.top_teams", teams=", ".join(
            f"{team.name} ({n(lang, team.this)})" for team in top)))
    stale = d.stale_teams()
    if stale:
        lines.append(t(lang, "digest.stale_teams", days=STALE_DAYS,
                       teams=_names(t, lang, [team.name for team in stale])))
    lines += _steering(t, lang, d.steering)
    return "\n".join(lines)


def _steering(t: Translator, lang: str, steering: DigestSteering | None) -> list[str]:
    return digest_lines(t, lang, steering) if steering is not None else []


def province_text(t: Translator, lang: str, d: ProvinceDigest) -> str:
    n = t.number
    lines = [
        t(lang, "digest.title", place=d.place, period=period_label(t, lang, d.period)),
        t(lang, "digest.helped", count=n(lang, d.total), sessions=n(lang, d.sessions)),
        _comparison(t, lang, d.period, d.total, d.previous),
        "",
        t(lang, "digest.communes_ranked", count=n(lang, len(d.communes))),
    ]
    lines += [t(lang, "digest.rank_line", rank=rank, name=c.name, count=n(lang, c.this))
              for rank, c in enumerate(d.ranked()[:RANKED_COUNT], start=1)]
    if d.trend:
        lines += ["", t(lang, "digest.trend", weeks=len(d.trend), series=" · ".join(
            f"{week_label(t, lang, monday)} {n(lang, value)}" for monday, value in d.trend))]
    behind = d.behind()
    if behind:
        lines.append(t(lang, "digest.behind", communes=_names(t, lang, [
            t(lang, "digest.behind_item", name=c.name, count=n(lang, c.this),
              average=n(lang, round(c.average))) for c in behind], sep="; ")))
    else:
        lines.append(t(lang, "digest.none_behind"))
    lines += _steering(t, lang, d.steering)
    return "\n".join(lines)
