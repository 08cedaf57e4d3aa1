"""Chart geometry for the dashboard, drawn as inline SVG by ``templates/dashboard/_chart.html``.

Server-side SVG instead of a JavaScript chart library: the figures are small (at most 11 bars), the
charts then print, work without JavaScript and under a strict Content-Security-Policy, and add no
front-end dependency to vendor. Colours come from CSS classes (``dashboard.css``), never inline styles.
The numbers are always in a table beside the chart; the SVG is a picture of that table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 720
LABEL_WIDTH = 52
VALUE_WIDTH = 104
TOP = 26
ROW = 28
BAR = 18
BOTTOM = 8


@dataclass
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass
class Bar:
    label: str
    y: float
    segments: list[Segment]
    value_text: str
    track: Segment | None = None


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    """A horizontal bar chart: one row per district, segments stacked left to right."""

    id: str
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    legend: list[tuple[str, str]]
    marker: Tick | None = None
    width: int = WIDTH
    left: int = LABEL_WIDTH
    right: int = WIDTH - VALUE_WIDTH
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return TOP + ROW * len(self.bars) + BOTTOM

    @property
    def plot_bottom(self) -> int:
        return TOP + ROW * len(self.bars)


def nice_step(maximum: float, target_ticks: int = 5) -> float:
    """A step of 1, 2 or 5 x 10^k giving at most ``target_ticks`` intervals up to ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover


def _scale(maximum: float, left: int, right: int) -> Callable[[float], float]:
    span = right - left
    return lambda v: left + (v / maximum * span if maximum else 0)


def stacked_chart(chart_id: str, title: str, description: str, rows: Sequence[tuple[str, Sequence[float]]],
                  series: Sequence[tuple[str, str]], unit: str = "件") -> Chart:
    """Rows of (label, values per series); ``series`` is (css class, label) in stacking order."""
    top_value = max((sum(values) for _, values in rows), default=0)
    step = nice_step(top_value)
    maximum = max(step, math.ceil(top_value / step) * step)
    x = _scale(maximum, LABEL_WIDTH, WIDTH - VALUE_WIDTH)
    bars = []
    for i, (label, values) in enumerate(rows):
        start, segments = 0.0, []
        for (css, name), value in zip(series, values, strict=True):
            if value > 0:
                segments.append(Segment(x(start), x(start + value) - x(start), css,
                                        f"{label} {name}：{_number(value)}{unit}"))
            start += value
        bars.append(Bar(label, TOP + i * ROW + (ROW - BAR) / 2, segments, f"{_number(sum(values))}{unit}"))
    ticks = [Tick(x(v), _number(v)) for v in _range(0, maximum, step)]
    return Chart(chart_id, title, description, bars, ticks, list(series))


def share_chart(chart_id: str, title: str, description: str,
                rows: Sequence[tuple[str, float | None, float | None, str]],
                series: Sequence[tuple[str, str]], track_css: str = "seg-track") -> Chart:
    """Rows of (label, first share, second share, value text), shares of a whole (1.0 = 100%), drawn
    against a 100% track; the axis grows past 100% when a row exceeds it."""
    top_value = max([1.0, *((a or 0) + (b or 0) for _, a, b, _ in rows)])
    step = nice_step(top_value * 100) / 100
    maximum = math.ceil(round(top_value / step, 9)) * step
    x = _scale(maximum, LABEL_WIDTH, WIDTH - VALUE_WIDTH)
    bars = []
    for i, (label, first, second, text) in enumerate(rows):
        y = TOP + i * ROW + (ROW - BAR) / 2
        segments = []
        track = Segment(x(0), x(1.0) - x(0), track_css, f"{label} 预算") if first is not None else None
        start = 0.0
        for (css, name), value in zip(series, (first, second), strict=True):
            if value:
                segments.append(Segment(x(start), x(start + value) - x(start), css,
                                        f"{label} {name}：{value * 100:.1f}%"))
                start += value
        bars.append(Bar(label, y, segments, text, track))
    ticks = [Tick(x(v), f"{v * 100:.0f}%") for v in _range(0, maximum, step)]
    return Chart(chart_id, title, description, bars, ticks, list(series), marker=Tick(x(1.0), "100%"))


def _range(start: float, stop: float, step: float) -> list[float]:
    count = int(round((stop - start) / step))
    return [start + i * step for i in range(count + 1)]


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
