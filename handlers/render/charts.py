"""Digest charts: small PNGs sized for a phone, labels in the reader's language.

matplotlib with the Agg backend (no display), DejaVu Sans (shipped with matplotlib, covers
Vietnamese diacritics), and no metadata that changes between runs, so the same figures always
give the same bytes.
"""

from __future__ import annotations

import io
import textwrap
import threading

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as MplFigure

from bot.core.completeness import Completeness
from bot.core.digest import CommuneDigest, ProvinceDigest, period_label, week_label
from bot.core.i18n import Translator

DPI = 180
#: 4 in × 180 dpi = 720 px: crisp on a phone, small to send, and the text stays readable when
#: the phone shrinks the picture to its ~360-px-wide screen.
WIDTH_IN = 4.0
#: Category names wrap at this width, never cut: "Thanh toán không dùng tiền mặt" whole.
LABEL_CHARS = 18
#: Commune names, one line each in the ranking (a ward's name is short; cut only if absurd).
NAME_CHARS = 24
HEADING_CHARS = 44
THIS_COLOUR = "#1f6fb2"
LAST_COLOUR = "#b9c7d6"
WARN_COLOUR = "#d9822b"
#: matplotlib's font cache and text layout are not thread-safe.
_LOCK = threading.Lock()


def _short(label: str) -> str:
    return label if len(label) <= NAME_CHARS else label[: NAME_CHARS - 1] + "…"


def _wrapped(label: str, width: int = LABEL_CHARS) -> str:
    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) or label


def _heading(t: Translator, lang: str, place: str, digest: CommuneDigest | ProvinceDigest
             ) -> str:
    """Which place and which week, and how complete the reporting is: a chart forwarded
    without its caption still says what it shows."""
    lines = [_wrapped(place, HEADING_CHARS),
             _wrapped(period_label(t, lang, digest.period), HEADING_CHARS)]
    found = digest.steering.completeness if digest.steering else None
    if found is not None and found.teams_expected:
        lines.append(_completeness(t, lang, found))
    return "\n".join(lines)


def _completeness(t: Translator, lang: str, c: Completeness) -> str:
    n = t.number
    return t(lang, "chart.completeness", reported=n(lang, c.teams_reported),
             expected=n(lang, c.teams_expected), percent=n(lang, c.teams_percent),
             active=n(lang, c.members_active), members=n(lang, c.members))


def _suptitle(figure: MplFigure, heading: str) -> None:
    figure.suptitle(heading, x=0.02, ha="left", fontsize=10.5, linespacing=1.35,
                    fontweight="bold")


def _png(figure: MplFigure) -> bytes:
    buffer = io.BytesIO()
    # No "Software" text chunk (it names the version): the bytes depend on the figures only.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _style(figure: MplFigure) -> None:
    for axes in figure.axes:
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=9.5)


def commune_figure(t: Translator, lang: str, digest: CommuneDigest) -> MplFigure:
    """Citizens helped by category, this period against the one before (the figure; drawn
    under the lock by :func:`commune_chart`)."""
    rows = [c for c in digest.categories if c.this or c.last] or list(digest.categories)
    rows = rows[::-1]  # barh draws bottom-up; the catalogue order should read top-down
    labels = [_wrapped(c.name) for c in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    figure = MplFigure(figsize=(WIDTH_IN, 2.0 + 0.3 * lines + 0.2 * len(rows)),
                       layout="constrained")
    _suptitle(figure, _heading(t, lang, digest.place, digest))
    axes = figure.add_subplot()
    positions = range(len(rows))
    axes.barh([p - 0.2 for p in positions], [c.last for c in rows], height=0.4,
              color=LAST_COLOUR, label=t(lang, "chart.previous"))
    bars = axes.barh([p + 0.2 for p in positions], [c.this for c in rows], height=0.4,
                     color=THIS_COLOUR, label=t(lang, "chart.current"))
    axes.bar_label(bars, labels=[t.number(lang, c.this) for c in rows], padding=3,
                   fontsize=9)
    axes.set_yticks(list(positions), labels)
    axes.set_title(t(lang, "chart.by_category"), fontsize=10, loc="left")
    axes.legend(fontsize=9, loc="lower right", frameon=False)
    axes.xaxis.set_major_formatter(lambda value, _pos: t.number(lang, int(value)))
    _style(figure)
    return figure


def commune_chart(t: Translator, lang: str, digest: CommuneDigest) -> bytes:
    with _LOCK:
        return _png(commune_figure(t, lang, digest))


def province_figure(t: Translator, lang: str, digest: ProvinceDigest) -> MplFigure:
    """Top: the weekly trend. Bottom: every commune ranked, those falling behind marked, with
    its teams reporting (the figure; drawn under the lock by :func:`province_chart`)."""
    ranked = digest.ranked()[::-1]
    behind = {c.name for c in digest.behind()}
    # Each commune's bar says how many of its teams reported: what coordinators steer by.
    reporting = {c.name: c for c in digest.steering.ranking} if digest.steering else {}
    figure = MplFigure(figsize=(WIDTH_IN, 3.6 + 0.26 * len(ranked)), layout="constrained")
    _suptitle(figure, _heading(t, lang, digest.place, digest))
    trend_axes, rank_axes = figure.subplots(
        2, 1, height_ratios=[2.2, 0.26 * max(len(ranked), 4)])
    labels = [week_label(t, lang, monday) for monday, _ in digest.trend]
    values = [value for _, value in digest.trend]
    trend_axes.bar(labels, values, color=[LAST_COLOUR] * (len(values) - 1) + [THIS_COLOUR])
    trend_axes.set_title(t(lang, "chart.trend", weeks=len(values)), fontsize=10,
                         loc="left")
    trend_axes.yaxis.set_major_formatter(lambda value, _pos: t.number(lang, int(value)))
    trend_axes.tick_params(axis="x", labelsize=7.5, labelrotation=45)
    bars = rank_axes.barh([_short(c.name) for c in ranked], [c.this for c in ranked],
                          color=[WARN_COLOUR if c.name in behind else THIS_COLOUR
                                 for c in ranked])
    rank_axes.bar_label(bars, labels=[_bar_label(t, lang, c.this, reporting.get(c.name))
                                      for c in ranked], padding=3, fontsize=8)
    rank_axes.tick_params(axis="y", labelsize=8.5)
    rank_axes.margins(x=0.3)  # room for the labels beside the longest bar
    rank_axes.set_title(t(lang, "chart.ranking"), fontsize=10, loc="left")
    rank_axes.xaxis.set_major_formatter(lambda value, _pos: t.number(lang, int(value)))
    _style(figure)
    return figure


def province_chart(t: Translator, lang: str, digest: ProvinceDigest) -> bytes:
    with _LOCK:
        return _png(province_figure(t, lang, digest))


def _bar_label(t: Translator, lang: str, citizens: int, reporting: Completeness | None) -> str:
    """"1.234 · 16/17": the commune's citizens, and its teams that reported (the title says
    which is which)."""
    text = t.number(lang, citizens)
    if reporting is None or not reporting.teams_expected:
        return text
    return t(lang, "chart.bar_reporting", citizens=text,
             reported=t.number(lang, reporting.teams_reported),
             expected=t.number(lang, reporting.teams_expected))
