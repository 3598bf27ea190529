"""The SVG charts: one bar per value, scaled to the largest, labels escaped, nothing drawn
for nothing spent (and something for any spend, however small)."""

from __future__ import annotations

import re

from bot.web.charts import HEIGHT, Bar, bar_chart, share_chart


def heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([0-9.]+)"', svg)]


def test_bars_are_scaled_to_the_largest_and_a_tiny_spend_still_shows() -> None:
    svg = bar_chart(
        [Bar("2026-12-01", 0, "$0"), Bar("2026-12-02", 50, "$0.00005"), Bar("d3", 100_000, "$0.10"),
         Bar("d4", 1, "$0.000001")],
        "Spend",
    )  # fmt: skip

    assert heights(svg) == [0.0, 1.0, HEIGHT, 1.0]
    assert "2026-12-01</text>" in svg and "d4</text>" in svg  # the first and last labels


def test_labels_and_titles_are_escaped() -> None:
    svg = share_chart([Bar("<script>model</script>", 10, "$<1>")], "A & B")

    assert "<script>" not in svg
    assert "&lt;script&gt;model&lt;/script&gt;" in svg and "A &amp; B" in svg


def test_the_share_chart_fills_the_width_with_the_biggest() -> None:
    svg = share_chart([Bar("big", 200, "$2"), Bar("half", 100, "$1"), Bar("none", 0, "$0")], "M")

    widths = [float(w) for w in re.findall(r'<rect class="bar"[^>]* width="([0-9.]+)"', svg)]
    assert widths[0] == 2 * widths[1] and widths[2] == 0.0


def test_an_empty_chart_is_still_a_chart() -> None:
    assert bar_chart([], "Nothing").startswith("<svg") and heights(bar_chart([], "x")) == []
