"""Charts as SVG written on the server: a few rectangles and text, no library, no script.

Drawn with presentation attributes (``fill=``), never ``style=``: the page's
Content-Security-Policy allows no inline styles. Every chart has a title and a text
equivalent (the page's table), so it reads without the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

#: Distinguishable colours with at least 3:1 contrast against white (WCAG non-text contrast).
PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e", "#a16207",
           "#be185d", "#4b5563", "#1e3a8a")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class Stack:
    """One bar: its label under it and its parts (one per series, in series order)."""

    label: str
    parts: list[int]


def _nice_top(value: int) -> int:
    """A round number at or above ``value`` for the axis (1, 2, 5 × 10^k)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def stacked_bars(title: str, bars: list[Stack], number: object = str, *,
                 width: int = 640, height: int = 220) -> str:
    """Bars of stacked parts, a y axis with its top value, labels under every other bar when
    they would crowd. ``number`` formats the axis value (the reader's number format)."""
    fmt = number if callable(number) else str
    left, right, top, bottom = 44, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = _nice_top(max((sum(b.parts) for b in bars), default=0))
    slot = plot_w / max(len(bars), 1)
    bar_w = max(2.0, slot * 0.7)
    every = 1 if slot >= 40 else 2 if slot >= 20 else 3
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>",
           f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
           'stroke="#6b7280" stroke-width="1"/>',
           f'<line x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" stroke="#e5e7eb" '
           'stroke-width="1"/>',
           f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11" '
           f'fill="#374151">{escape(str(fmt(highest)))}</text>',
           f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11" '
           'fill="#374151">0</text>']
    for i, bar in enumerate(bars):
        x = left + i * slot + (slot - bar_w) / 2
        y = float(top + plot_h)
        for j, part in enumerate(bar.parts):
            if part <= 0:
                continue
            h = plot_h * part / highest
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{colour(j)}"><title>{escape(bar.label)}: '
                       f'{escape(str(fmt(part)))}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                       f'font-size="11" fill="#374151">{escape(bar.label)}</text>')
    out.append("</svg>")
    return "".join(out)


def share_bar(part: int, whole: int) -> str:
    """A small horizontal bar of a share (completeness in a table row)."""
    share = part / whole if whole else 0.0
    filled = round(100 * share)
    tone = "#15803d" if share >= 0.8 else "#a16207" if share >= 0.5 else "#b91c1c"
    return ('<svg class="share" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"'
            ' xmlns="http://www.w3.org/2000/svg"><rect width="100" height="8" fill="#e5e7eb"/>'
            f'<rect width="{filled}" height="8" fill="{tone}"/></svg>')


def value_bar(value: int, top: int) -> str:
    """A horizontal bar of ``value`` against the largest of its column (a table's figure)."""
    width = round(100 * value / top) if top else 0
    return ('<svg class="value" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"'
            f' xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="10"'
            f' fill="{PALETTE[0]}"/></svg>')
