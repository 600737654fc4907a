"""Server-rendered SVG charts for the operations dashboard: no JavaScript, no CDN, nothing to load.

Every text that reaches the SVG (labels come from kiosks: kiosk ids, wards) is escaped; colours are SVG
presentation attributes, so the page's CSP (no inline style, no script) holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 48, 28, 56
BAR = "#2f6fa3"
LINE = "#c0392b"


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    rates: Sequence[float | None] | None = None,
    rate_label: str = "",
    chart_id: str = "chart",
) -> Markup:
    """Bars for `values` (left axis); with `rates` (0..1), a line on a 0-100 % right axis."""
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    numbers = [float(v or 0) for v in values]
    top = max(numbers, default=0) or 1.0
    n = max(1, len(labels))
    step = plot_w / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart" role="img"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{PAD_LEFT}" y="16" font-size="13" font-weight="bold" fill="#1d2733">{escape(title)}</text>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{PAD_LEFT + plot_w}" y2="{PAD_TOP + plot_h}"'
        ' stroke="#888" stroke-width="1"/>',
    ]
    for tick in (0.0, 0.5, 1.0):
        y = PAD_TOP + plot_h - tick * plot_h
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#555">'
            f"{escape(_fmt(top * tick))}</text>"
        )
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{PAD_LEFT + plot_w}" y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
    for i, (label, value) in enumerate(zip(labels, numbers, strict=False)):
        h = value / top * plot_h
        x = PAD_LEFT + i * step + step * 0.15
        w = step * 0.7
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" width="{w:.1f}" height="{h:.1f}"'
            f' fill="{BAR}"><title>{escape(label)}: {escape(_fmt(value))}</title></rect>'
        )
        short = label if len(label) <= 12 else label[:11] + "…"
        cx = PAD_LEFT + i * step + step / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{PAD_TOP + plot_h + 14}" font-size="10" text-anchor="middle"'
            f' fill="#333">{escape(short)}</text>'
        )
    if rates is not None:
        points = []
        for i, rate in enumerate(rates):
            if rate is None:
                continue
            cx = PAD_LEFT + i * step + step / 2
            cy = PAD_TOP + plot_h - max(0.0, min(1.0, float(rate))) * plot_h
            points.append(f"{cx:.1f},{cy:.1f}")
            parts.append(
                f'<circle class="rate" cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{LINE}">'
                f"<title>{escape(rate_label)}: {float(rate) * 100:.0f} %</title></circle>"
            )
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="2"/>'
            )
        right = PAD_LEFT + plot_w + 6
        for tick in (0.0, 0.5, 1.0):
            y = PAD_TOP + plot_h - tick * plot_h
            parts.append(
                f'<text x="{right}" y="{y + 4:.1f}" font-size="10" fill="{LINE}">{tick * 100:.0f} %</text>'
            )
        parts.append(
            f'<text x="{PAD_LEFT + plot_w}" y="{HEIGHT - 8}" font-size="11" text-anchor="end" fill="{LINE}">'
            f"— {escape(rate_label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated text above is escaped)
