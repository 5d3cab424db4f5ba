"""Small charts as inline SVG, drawn on the server: no JavaScript, no CDN, works offline and in any e-mail client.

Labels go through `format_html`, so a lane or handoff reason can never inject markup.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR_COLOURS = ["#417690", "#79aec8", "#e0a030", "#5b8c5a", "#b04a4a", "#8a6fb0", "#6b7d8c"]
# Axis labels under a column chart: about this many, evenly spaced, always the first and the last.
AXIS_LABELS = 6


def _empty(title: str) -> SafeString:
    return format_html('<p class="dash-empty">{}</p>', _("%(chart)s: nothing in this period.") % {"chart": title})


def bar_chart(rows: list[tuple[str, int]], *, title: str, width: int = 460, bar_height: int = 18,
              keep_order: bool = False) -> SafeString:
    """Horizontal bars, one per (label, value), longest first (or in the given order, e.g. a funnel); the value
    is written at the end of each bar."""
    rows = [(label, value) for label, value in rows if value or keep_order]
    if not keep_order:
        rows.sort(key=lambda row: (-row[1], row[0]))
    if not any(value for _, value in rows):
        return _empty(title)
    label_width, gap = 180, 6
    plot = width - label_width - 50
    peak = max(value for _, value in rows)
    height = len(rows) * (bar_height + gap) + gap
    bars = format_html_join("", (
        '<text x="{}" y="{}" text-anchor="end" class="dash-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" class="dash-value">{}</text>'
    ), (
        (label_width - 6, y + bar_height - 5, label,
         label_width, y, _length(plot, value, peak), bar_height, BAR_COLOURS[i % len(BAR_COLOURS)],
         label, value,
         label_width + _length(plot, value, peak) + 4, y + bar_height - 5, value)
        for i, (label, value) in enumerate(rows)
        for y in [gap + i * (bar_height + gap)]
    ))
    return _svg(title, width, height, bars)


def _length(plot: int, value: int, peak: int) -> int:
    return max(1, round(plot * value / peak)) if value else 0


def share_bar(parts: list[tuple[str, int]], *, title: str, width: int = 460, height: int = 22) -> SafeString:
    """One 100% bar split into parts (e.g. rules vs LLM), with a legend of counts and percentages."""
    total = sum(value for _, value in parts)
    if not total:
        return _empty(title)
    x, rects, legend = 0.0, [], []
    for i, (label, value) in enumerate(parts):
        colour = BAR_COLOURS[i % len(BAR_COLOURS)]
        share = value / total
        rects.append(format_html('<rect x="{}" y="0" width="{}" height="{}" fill="{}"><title>{}: {} ({}%)</title>'
                                 '</rect>', round(x, 1), round(width * share, 1), height, colour, label, value,
                                 round(share * 100)))
        legend.append(format_html('<span class="dash-legend"><i style="background:{}"></i>{} {} ({}%)</span>',
                                  colour, label, value, round(share * 100)))
        x += width * share
    return format_html("{}<div>{}</div>", _svg(title, width, height, mark_safe("".join(rects))),
                       mark_safe("".join(legend)))


def column_chart(points: list[tuple[str, int]], *, title: str, width: int = 900, height: int = 120) -> SafeString:
    """Vertical columns over time (e.g. turns per day); a few evenly spaced labels under them, first and last
    always, already written in words by the caller ("2 dic", "14 h")."""
    if not points or not any(value for _, value in points):
        return _empty(title)
    peak = max(value for _, value in points)
    plot_height, step = height - 18, width / len(points)
    columns = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="#417690"><title>{}: {}</title>'
                                   '</rect>', (
        (round(i * step + 1, 1), round(plot_height - plot_height * value / peak, 1), round(max(step - 2, 1), 1),
         round(plot_height * value / peak, 1), label, value)
        for i, (label, value) in enumerate(points)))
    every = max(1, round(len(points) / AXIS_LABELS))
    last = len(points) - 1
    shown = [i for i in range(0, last, every) if last - i >= every / 2] + [last]  # the last never overlaps
    axis = format_html_join("", '<text x="{}" y="{}" text-anchor="{}" class="dash-label">{}</text>', (
        (round(i * step + (step if i == len(points) - 1 else 0), 1), height - 3,
         "end" if i == len(points) - 1 else "start", points[i][0]) for i in shown))
    peak_text = format_html('<text x="0" y="10" class="dash-value">{}</text>',
                            _("max %(n)s") % {"n": peak})
    return _svg(title, width, height, format_html("{}{}{}", columns, axis, peak_text))


def _svg(title: str, width: int, height: int, body) -> SafeString:
    return format_html('<svg class="dash-chart" role="img" aria-label="{}" width="{}" height="{}" '
                       'viewBox="0 0 {} {}">{}</svg>', title, width, height, width, height, body)
