"""Small charts as inline SVG, drawn on the server: no JavaScript, no CDN, works offline and in any e-mail client.

Labels go through `format_html`, so a lane or handoff reason can never inject markup.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

BAR_COLOURS = ["#417690", "#79aec8", "#e0a030", "#5b8c5a", "#b04a4a", "#8a6fb0", "#6b7d8c"]


def bar_chart(rows: list[tuple[str, int]], *, title: str, width: int = 420, bar_height: int = 18) -> SafeString:
    """Horizontal bars, one per (label, value), longest first; the value is written at the end of each bar."""
    rows = sorted(((label, value) for label, value in rows if value), key=lambda row: (-row[1], row[0]))
    if not rows:
        return format_html('<p class="dash-empty">{}: nothing in this window.</p>', title)
    label_width, gap = 170, 6
    plot = width - label_width - 50
    peak = max(value for _, value in rows)
    height = len(rows) * (bar_height + gap) + gap
    bars = format_html_join("", (
        '<text x="{}" y="{}" text-anchor="end" class="dash-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" class="dash-value">{}</text>'
    ), (
        (label_width - 6, y + bar_height - 5, label,
         label_width, y, max(1, round(plot * value / peak)), bar_height, BAR_COLOURS[i % len(BAR_COLOURS)],
         label, value,
         label_width + max(1, round(plot * value / peak)) + 4, y + bar_height - 5, value)
        for i, (label, value) in enumerate(rows)
        for y in [gap + i * (bar_height + gap)]
    ))
    return format_html('<svg class="dash-chart" role="img" aria-label="{}" width="{}" height="{}" '
                       'viewBox="0 0 {} {}">{}</svg>', title, width, height, width, height, bars)


def share_bar(parts: list[tuple[str, int]], *, title: str, width: int = 420, height: int = 22) -> SafeString:
    """One 100% bar split into parts (e.g. rules vs LLM), with a legend of counts and percentages."""
    total = sum(value for _, value in parts)
    if not total:
        return format_html('<p class="dash-empty">{}: nothing in this window.</p>', title)
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
    svg = format_html('<svg class="dash-chart" role="img" aria-label="{}" width="{}" height="{}" '
                      'viewBox="0 0 {} {}">{}</svg>', title, width, height, width, height, mark_safe("".join(rects)))
    return format_html("{}<div>{}</div>", svg, mark_safe("".join(legend)))


def column_chart(points: list[tuple[str, int]], *, title: str, width: int = 640, height: int = 110) -> SafeString:
    """Vertical columns over time (e.g. turns per day for 30 days); first and last dates as axis labels."""
    if not points or not any(value for _, value in points):
        return format_html('<p class="dash-empty">{}: nothing in this window.</p>', title)
    peak = max(value for _, value in points)
    plot_height, step = height - 18, width / len(points)
    columns = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="#417690"><title>{}: {}</title>'
                                   '</rect>', (
        (round(i * step + 1, 1), round(plot_height - plot_height * value / peak, 1), round(step - 2, 1),
         round(plot_height * value / peak, 1), label, value)
        for i, (label, value) in enumerate(points)))
    axis = format_html('<text x="0" y="{}" class="dash-label">{}</text>'
                       '<text x="{}" y="{}" text-anchor="end" class="dash-label">{}</text>'
                       '<text x="0" y="10" class="dash-value">max {}</text>',
                       height - 3, points[0][0], width, height - 3, points[-1][0], peak)
    return format_html('<svg class="dash-chart" role="img" aria-label="{}" width="{}" height="{}" '
                       'viewBox="0 0 {} {}">{}{}</svg>', title, width, height, width, height, columns, axis)
