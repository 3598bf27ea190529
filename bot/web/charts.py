"""Bar charts as SVG made here: no chart library, no script, and they follow the page's theme.

The bars are drawn in `currentColor` inside an element whose CSS colour is the Telegram theme's
button colour, so a dark theme needs nothing of its own; each bar's `<title>` is its tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 600
HEIGHT = 160
AXIS = 18  # room under the bars for the first and last labels


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # under the chart (first and last bar only) and in the tooltip
    value: float
    shown: str  # the value as people read it, e.g. "$0.42"


def bar_chart(bars: Sequence[Bar], title: str) -> str:
    """An SVG bar chart of `bars` (left to right); `title` names it for screen readers."""
    top = max((b.value for b in bars), default=0.0) or 1.0
    slot = WIDTH / max(1, len(bars))
    gap = min(4.0, slot * 0.2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + AXIS}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="0" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}"/>',
    ]
    for i, bar in enumerate(bars):
        height = round(HEIGHT * max(0.0, bar.value) / top, 1)
        if bar.value > 0:
            height = max(height, 1.0)  # a day with any spend shows
        x = round(i * slot + gap / 2, 1)
        parts.append(
            f'<rect class="bar" x="{x}" y="{round(HEIGHT - height, 1)}"'
            f' width="{round(slot - gap, 1)}" height="{height}">'
            f"<title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>"
        )
    if bars:
        parts.append(
            f'<text class="label" x="0" y="{HEIGHT + AXIS - 4}">{escape(bars[0].label)}</text>'
            f'<text class="label" x="{WIDTH}" y="{HEIGHT + AXIS - 4}" text-anchor="end">'
            f"{escape(bars[-1].label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


ROW = 26  # a horizontal bar's height, with its gap
LABEL_WIDTH = 220  # room for the bars' labels, left of them


def share_chart(bars: Sequence[Bar], title: str) -> str:
    """Horizontal bars, one per row with its label and value (e.g. the month's spend per
    model): the biggest fills the width."""
    top = max((b.value for b in bars), default=0.0) or 1.0
    room = WIDTH - LABEL_WIDTH - 90  # the value is written right of its bar
    height = ROW * max(1, len(bars))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = i * ROW
        width = max(1.0, round(room * max(0.0, bar.value) / top, 1)) if bar.value > 0 else 0.0
        parts.append(
            f'<text class="label" x="0" y="{y + 17}">{escape(bar.label[:32])}</text>'
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{width}" height="{ROW - 8}">'
            f"<title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>"
            f'<text class="label" x="{LABEL_WIDTH + width + 6}" y="{y + 17}">'
            f"{escape(bar.shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
