"""Digest charts: small PNGs sized for a phone, labels in the reader's language.

matplotlib with the Agg backend (no display), DejaVu Sans (shipped with matplotlib, covers
Vietnamese diacritics), and no metadata that changes between runs, so the same figures always
give the same bytes.
"""

from __future__ import annotations

import io
import threading

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as MplFigure

from bot.core.digest import CommuneDigest, ProvinceDigest, week_label
from bot.core.i18n import Translator

DPI = 180
#: 4 in × 180 dpi = 720 px: crisp on a phone, small to send, and the text stays readable when
#: the phone shrinks the picture to its ~360-px-wide screen.
WIDTH_IN = 4.0
LABEL_CHARS = 20
THIS_COLOUR = "#1f6fb2"
LAST_COLOUR = "#b9c7d6"
WARN_COLOUR = "#d9822b"
#: matplotlib's font cache and text layout are not thread-safe.
_LOCK = threading.Lock()


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _png(figure: MplFigure) -> bytes:
    buffer = io.BytesIO()
    # No "Software" text chunk (it names the version): the bytes depend on the figures only.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _style(figure: MplFigure) -> None:
    for axes in figure.axes:
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=9.5)


def commune_chart(t: Translator, lang: str, digest: CommuneDigest) -> bytes:
    """Citizens helped by category, this period against the one before."""
    rows = [c for c in digest.categories if c.this or c.last] or list(digest.categories)
    rows = rows[::-1]  # barh draws bottom-up; the catalogue order should read top-down
    with _LOCK:
        figure = MplFigure(figsize=(WIDTH_IN, 1.0 + 0.5 * len(rows)), layout="constrained")
        axes = figure.add_subplot()
        positions = range(len(rows))
        axes.barh([p - 0.2 for p in positions], [c.last for c in rows], height=0.4,
                  color=LAST_COLOUR, label=t(lang, "chart.previous"))
        bars = axes.barh([p + 0.2 for p in positions], [c.this for c in rows], height=0.4,
                         color=THIS_COLOUR, label=t(lang, "chart.current"))
        axes.bar_label(bars, labels=[t.number(lang, c.this) for c in rows], padding=3,
                       fontsize=9)
        axes.set_yticks(list(positions), [_short(c.name) for c in rows])
        axes.set_title(t(lang, "chart.by_category", place=digest.place), fontsize=11,
                       loc="left")
        axes.legend(fontsize=9, loc="lower right", frameon=False)
        axes.xaxis.set_major_formatter(lambda value, _pos: t.number(lang, int(value)))
        _style(figure)
        return _png(figure)


def province_chart(t: Translator, lang: str, digest: ProvinceDigest) -> bytes:
    """Top: the weekly trend. Bottom: every commune ranked, those falling behind marked."""
    ranked = digest.ranked()[::-1]
    behind = {c.name for c in digest.behind()}
    with _LOCK:
        figure = MplFigure(figsize=(WIDTH_IN, 3.0 + 0.26 * len(ranked)), layout="constrained")
        trend_axes, rank_axes = figure.subplots(
            2, 1, height_ratios=[2.2, 0.26 * max(len(ranked), 4)])
        labels = [week_label(t, lang, monday) for monday, _ in digest.trend]
        values = [value for _, value in digest.trend]
        trend_axes.bar(labels, values, color=[LAST_COLOUR] * (len(values) - 1) + [THIS_COLOUR])
        trend_axes.set_title(t(lang, "chart.trend", weeks=len(values)), fontsize=11,
                             loc="left")
        trend_axes.yaxis.set_major_formatter(lambda value, _pos: t.number(lang, int(value)))
        bars = rank_axes.barh([_short(c.name) for c in ranked], [c.this for c in ranked],
                              color=[WARN_COLOUR if c.name in behind else THIS_COLOUR
                                     for c in ranked])
        rank_axes.bar_label(bars, labels=[t.number(lang, c.this) for c in ranked], padding=3,
                            fontsize=8)
        rank_axes.tick_params(axis="y", labelsize=8.5)
        rank_axes.set_title(t(lang, "chart.ranking"), fontsize=11, loc="left")
        rank_axes.xaxis.set_major_formatter(lambda value, _pos: t.number(lang, int(value)))
        _style(figure)
        return _png(figure)
