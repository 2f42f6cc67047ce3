"""Completeness and target progress as lines of text, in the reader's language.

Shared by /stats, /team, /target and the digests so each says it the same way. Pure: figures
come in, text goes out through the Translator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.completeness import Completeness
from bot.core.i18n import Translator
from bot.core.targets import Status, TargetPeriod

#: Names listed before "and N more".
NAMES_SHOWN = 8


@dataclass(frozen=True)
class TargetProgress:
    place: str
    category: str              # "✍️ Chữ ký số công cộng", or the "all categories" label
    period: TargetPeriod
    target: int
    value: int
    expected: int              # what the elapsed days call for
    status: Status


def names(t: Translator, lang: str, items: Sequence[str], shown: int = NAMES_SHOWN) -> str:
    text = ", ".join(items[:shown])
    if len(items) > shown:
        text += " " + t(lang, "digest.and_more", count=t.number(lang, len(items) - shown))
    return text


def completeness_lines(t: Translator, lang: str, c: Completeness) -> list[str]:
    """Teams reporting, members active, sessions on time, teams silent for two weeks or more."""
    n = t.number
    lines = [
        t(lang, "steering.teams_reported", reported=n(lang, c.teams_reported),
          expected=n(lang, c.teams_expected), percent=n(lang, c.teams_percent)),
        t(lang, "steering.members_active", active=n(lang, c.members_active),
          total=n(lang, c.members), percent=n(lang, c.members_percent)),
    ]
    if c.sessions:
        lines.append(t(lang, "steering.on_time", on_time=n(lang, c.on_time),
                       sessions=n(lang, c.sessions), percent=n(lang, c.on_time_percent)))
    if c.silent_teams:
        lines.append(t(lang, "steering.silent_teams", count=n(lang, len(c.silent_teams)),
                       teams=names(t, lang, c.silent_teams)))
    return lines


def digest_completeness(t: Translator, lang: str, c: Completeness) -> str:
    """One line for a digest."""
    n = t.number
    return t(lang, "steering.digest_completeness", reported=n(lang, c.teams_reported),
             expected=n(lang, c.teams_expected), percent=n(lang, c.teams_percent),
             active=n(lang, c.members_active), members=n(lang, c.members))


def ranking_lines(t: Translator, lang: str, ranked: Sequence[Completeness],
                  count: int) -> list[str]:
    """The most complete communes, then the least complete ones not already shown."""
    if not ranked:
        return []
    n = t.number

    def line(rank: int, c: Completeness) -> str:
        return t(lang, "steering.rank_line", rank=rank, name=c.name,
                 reported=n(lang, c.teams_reported), expected=n(lang, c.teams_expected),
                 percent=n(lang, c.teams_percent))

    lines = [t(lang, "steering.ranked_title")]
    lines += [line(rank, c) for rank, c in enumerate(ranked[:count], start=1)]
    # The lowest list names places that missed something, never one at 100 %.
    tail = [(rank, c) for rank, c in list(enumerate(ranked, start=1))[
        max(count, len(ranked) - 3):] if c.teams_reported < c.teams_expected]
    if tail:
        lines.append(t(lang, "steering.ranked_lowest"))
        lines += [line(rank, c) for rank, c in tail]
    elif all(c.teams_reported >= c.teams_expected for c in ranked):
        lines.append(t(lang, "steering.ranked_all_reported"))
    return lines


def target_lines(t: Translator, lang: str, progress: Sequence[TargetProgress], *,
                 with_place: bool = False) -> list[str]:
    if not progress:
        return []
    n = t.number
    lines = [t(lang, "steering.targets_title")]
    for p in progress:
        line = t(lang, "steering.target_line", status=p.status.emoji, category=p.category,
                 period=p.period.label(lang), value=n(lang, p.value), target=n(lang, p.target))
        if with_place:
            line = f"{p.place} · {line}"
        if p.status is not Status.MET:
            line += " " + t(lang, "steering.target_expected", expected=n(lang, p.expected))
        lines.append(line)
    return lines


@dataclass(frozen=True)
class DigestSteering:
    """What a digest says about completeness and targets, besides the volumes."""

    completeness: Completeness | None = None
    targets: tuple[TargetProgress, ...] = ()
    behind: tuple[str, ...] = ()                # places one level down behind a target
    ranking: tuple[Completeness, ...] = ()      # province: communes by completeness


#: Communes shown at the head of the province digest's completeness ranking.
RANKED_IN_DIGEST = 5


def digest_lines(t: Translator, lang: str, steering: DigestSteering) -> list[str]:
    lines: list[str] = []
    if steering.completeness is not None and steering.completeness.teams_expected:
        lines.append(digest_completeness(t, lang, steering.completeness))
    lines += target_lines(t, lang, steering.targets)
    lines += behind_line(t, lang, steering.behind)
    ranking = ranking_lines(t, lang, steering.ranking, RANKED_IN_DIGEST)
    if ranking:
        lines += ["", *ranking]
    return ["", *lines] if lines else []


def behind_line(t: Translator, lang: str, places: Sequence[str]) -> list[str]:
    if not places:
        return []
    return [t(lang, "steering.behind_places", places=names(t, lang, places))]
