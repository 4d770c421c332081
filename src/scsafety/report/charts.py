"""Charts as inline SVG strings, drawn in Python so that an HTML report needs nothing loaded.

No chart library, no script: a report must open offline, years later, under a CSP that
forbids every fetch. Every text that reaches the SVG (labels, names, tooltips) goes
through :func:`esc` — labels can come from a user's dataset or metadata.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
FONT = 12


def esc(text: object) -> str:
    """HTML-escape for text and attribute values alike (quotes too)."""
    return html.escape(str(text), quote=True)


def text_width(text: str, size: float = FONT) -> float:
    """Rough rendered width: CJK and full-width characters are ~1 em, the rest ~0.6 em."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text) * size


def truncate(text: str, max_px: float, size: float = FONT) -> str:
    if text_width(text, size) <= max_px:
        return text
    out = ""
    for c in text:
        if text_width(out + c + "…", size) > max_px:
            break
        out += c
    return out + "…"


def score_colour(value: float | None) -> str:
    """Three bands, so that a weak area stands out without reading the number."""
    if value is None:
        return "#9ca3af"
    return "#16a34a" if value >= 80 else "#d97706" if value >= 60 else "#dc2626"


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _svg_open(width: float, height: float, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{esc(title)}">'
            f'<title>{esc(title)}</title>')


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    ci: Sequence[float] | None = None


def bar_chart(bars: Sequence[Bar], *, title: str, max_value: float = 100.0, width: int = 680) -> str:
    """Horizontal bars on a 0–max scale with 95 % CI whiskers and the value at the end."""
    row_h, top, bottom = 22, 8, 22
    label_w = min(max([text_width(b.label) for b in bars] + [40]) + 10, 240)
    value_w = 56
    plot_w = width - label_w - value_w - 10
    height = top + row_h * len(bars) + bottom

    def x(v: float) -> float:
        return label_w + max(0.0, min(v, max_value)) / max_value * plot_w

    parts = [_svg_open(width, height, title)]
    for tick in range(0, int(max_value) + 1, int(max_value // 4) or 1):
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{height - bottom}" class="grid"/>'
                     f'<text x="{tx:.1f}" y="{height - 6}" class="tick" text-anchor="middle">{tick}</text>')
    for k, b in enumerate(bars):
        y = top + k * row_h
        mid = y + row_h / 2
        tip = f"{b.label}: {_fmt(b.value)}" + (f" [95% CI {b.ci[0]:.2f}, {b.ci[1]:.2f}]" if b.ci else "")
        parts.append(f'<g class="bar"><title>{esc(tip)}</title>'
                     f'<text x="{label_w - 6:.1f}" y="{mid + 4:.1f}" text-anchor="end" class="label">'
                     f'{esc(truncate(b.label, label_w - 10))}</text>')
        if b.value is not None:
            parts.append(f'<rect x="{label_w:.1f}" y="{y + 4}" width="{x(b.value) - label_w:.1f}" '
                         f'height="{row_h - 8}" fill="{score_colour(b.value)}" rx="2"/>')
        if b.ci:
            lo, hi = x(b.ci[0]), x(b.ci[1])
            parts.append(f'<path d="M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - 5:.1f}V{mid + 5:.1f}'
                         f'M{hi:.1f} {mid - 5:.1f}V{mid + 5:.1f}" class="whisker"/>')
        parts.append(f'<text x="{width - 4}" y="{mid + 4:.1f}" text-anchor="end" class="value">'
                     f'{esc(_fmt(b.value))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def radar_chart(axes: Sequence[str], series: Sequence[Series], *, title: str, size: int = 420) -> str:
    """One polygon per model over the axes (0 at the centre, 100 at the rim); needs ≥ 3 axes."""
    n = len(axes)
    if n < 3:
        raise ValueError("a radar chart needs at least three axes")
    label_pad = min(max(text_width(a, 11) for a in axes), 180)
    cx = cy = size / 2
    radius = size / 2 - 22
    width = size + 2 * label_pad
    cx += label_pad
    legend_rows = math.ceil(len(series) / 2)
    height = size + 18 * legend_rows + 8

    def point(k: int, v: float) -> tuple[float, float]:
        ang = -math.pi / 2 + 2 * math.pi * k / n
        r = radius * max(0.0, min(v, 100.0)) / 100.0
        return cx + r * math.cos(ang), cy + r * math.sin(ang)

    parts = [_svg_open(width, height, title)]
    for ring in (20, 40, 60, 80, 100):
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in (point(k, ring) for k in range(n)))
        parts.append(f'<polygon points="{pts}" class="ring"/>')
    parts.append(f'<text x="{cx + 3:.1f}" y="{cy - radius + 10:.1f}" class="tick">100</text>'
                 f'<text x="{cx + 3:.1f}" y="{cy - radius * 0.5 + 10:.1f}" class="tick">50</text>')
    for k, axis in enumerate(axes):
        ex, ey = point(k, 100)
        lx, ly = point(k, 108)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" class="grid"/>'
                     f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" class="axis">'
                     f'<title>{esc(axis)}</title>{esc(truncate(axis, 180, 11))}</text>')
    for s_idx, s in enumerate(series):
        colour = PALETTE[s_idx % len(PALETTE)]
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in (point(k, v or 0.0) for k, v in enumerate(s.values)))
        tip = f"{s.name}: " + ", ".join(f"{a} {_fmt(v)}" for a, v in zip(axes, s.values))
        parts.append(f'<g class="series"><title>{esc(tip)}</title>'
                     f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.12" stroke="{colour}" '
                     f'stroke-width="2"/></g>')
    for s_idx, s in enumerate(series):
        colour = PALETTE[s_idx % len(PALETTE)]
        lx = 10 + (s_idx % 2) * (width / 2)
        ly = size + 4 + 18 * (s_idx // 2)
        parts.append(f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{lx + 18:.1f}" y="{ly + 11:.1f}" class="legend">'
                     f'{esc(truncate(s.name, width / 2 - 40))}</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Pair:
    label: str
    first: float | None
    second: float | None


def dumbbell_chart(pairs: Sequence[Pair], *, title: str, width: int = 680) -> str:
    """Round 1 (hollow) → round 2 (filled) per model: the drop under a follow-up at a glance.

    The axis is zoomed to the data (in steps of 10), because the rounds differ by a few points.
    """
    values = [v for p in pairs for v in (p.first, p.second) if v is not None]
    lo = math.floor(min(values, default=0) / 10) * 10
    hi = math.ceil(max(values, default=100) / 10) * 10
    if hi - lo < 20:
        hi = min(100, max(hi, lo + 20))
        lo = max(0, hi - 20)
    row_h, top, bottom = 24, 8, 40
    label_w = min(max([text_width(p.label) for p in pairs] + [40]) + 10, 240)
    delta_w = 64
    plot_w = width - label_w - delta_w - 10
    height = top + row_h * len(pairs) + bottom

    def x(v: float) -> float:
        return label_w + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w

    parts = [_svg_open(width, height, title)]
    step = 10 if hi - lo <= 60 else 20
    for tick in range(int(lo), int(hi) + 1, step):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{height - bottom}" class="grid"/>'
                     f'<text x="{x(tick):.1f}" y="{height - bottom + 14}" class="tick" text-anchor="middle">'
                     f'{tick}</text>')
    for k, p in enumerate(pairs):
        mid = top + k * row_h + row_h / 2
        delta = None if p.first is None or p.second is None else p.second - p.first
        tip = f"{p.label}: 第1轮 round 1 {_fmt(p.first)} → 第2轮 round 2 {_fmt(p.second)}"
        parts.append(f'<g class="pair"><title>{esc(tip)}</title>'
                     f'<text x="{label_w - 6:.1f}" y="{mid + 4:.1f}" text-anchor="end" class="label">'
                     f'{esc(truncate(p.label, label_w - 10))}</text>')
        if p.first is not None and p.second is not None:
            parts.append(f'<line x1="{x(p.first):.1f}" y1="{mid:.1f}" x2="{x(p.second):.1f}" y2="{mid:.1f}" '
                         f'stroke="{"#dc2626" if p.second < p.first else "#16a34a"}" stroke-width="3"/>')
        if p.first is not None:
            parts.append(f'<circle cx="{x(p.first):.1f}" cy="{mid:.1f}" r="5" class="r1"/>')
        if p.second is not None:
            parts.append(f'<circle cx="{x(p.second):.1f}" cy="{mid:.1f}" r="5" class="r2"/>')
        parts.append(f'<text x="{width - 4}" y="{mid + 4:.1f}" text-anchor="end" class="value">'
                     f'{"—" if delta is None else f"{delta:+.2f}"}</text></g>')
    ly = height - 14
    parts.append(f'<circle cx="{label_w + 6}" cy="{ly}" r="5" class="r1"/>'
                 f'<text x="{label_w + 16}" y="{ly + 4}" class="legend">第1轮 Round 1</text>'
                 f'<circle cx="{label_w + 126}" cy="{ly}" r="5" class="r2"/>'
                 f'<text x="{label_w + 136}" y="{ly + 4}" class="legend">第2轮 Round 2（追问后 after the follow-up）</text>'
                 f'<text x="{width - 4}" y="{ly + 4}" text-anchor="end" class="legend">差 Δ</text>')
    parts.append("</svg>")
    return "".join(parts)
