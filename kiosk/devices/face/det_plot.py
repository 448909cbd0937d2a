"""A DET curve (false rejects against false accepts, both on normal-deviate axes) drawn with Pillow alone.

DET axes (Martin et al., 1997) put each rate through the inverse normal CDF, so that two Gaussian score
distributions give a straight line and the low-error corner where verification operates is spread out instead of
squeezed against the axes of a ROC plot. No plotting library is needed for a few lines and a grid.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

TICKS = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4]
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22"]


@dataclass(frozen=True)
class Curve:
    label: str
    points: Sequence[tuple[float, float]]  # (FAR, FRR) pairs
    operating_point: tuple[float, float] | None = None  # (FAR, FRR) at the chosen threshold


def _probit(p: float, lo: float, hi: float) -> float:
    return NormalDist().inv_cdf(min(max(p, lo), hi))


def _tick_label(p: float) -> str:
    pct = p * 100
    return f"{pct:g}%"


def render_det(curves: Sequence[Curve], title: str, far_range: tuple[float, float] = (0.0001, 0.4),
               frr_range: tuple[float, float] = (0.005, 0.4), size: tuple[int, int] = (900, 720),
               target: tuple[float, float] | None = None) -> bytes:
    """PNG bytes of the DET plot: one line per curve, a dot at each operating point, the target as a cross-hair."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    left, right, top, bottom = 80, 30, 50, 70
    legend_h = 18 * len(curves) + 10
    image = Image.new("RGB", (width, height + legend_h), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    x0, x1 = _probit(far_range[0], 1e-9, 1), _probit(far_range[1], 1e-9, 1)
    y0, y1 = _probit(frr_range[0], 1e-9, 1), _probit(frr_range[1], 1e-9, 1)

    def xy(far: float, frr: float) -> tuple[float, float]:
        fx = (_probit(far, far_range[0], far_range[1]) - x0) / (x1 - x0)
        fy = (_probit(frr, frr_range[0], frr_range[1]) - y0) / (y1 - y0)
        return left + fx * (width - left - right), height - bottom - fy * (height - top - bottom)

    draw.rectangle([left, top, width - right, height - bottom], outline="black")
    for t in TICKS:
        if far_range[0] <= t <= far_range[1]:
            x, _ = xy(t, frr_range[0])
            draw.line([x, top, x, height - bottom], fill="#dddddd")
            draw.text((x, height - bottom + 6), _tick_label(t), fill="black", font=font, anchor="mt")
        if frr_range[0] <= t <= frr_range[1]:
            _, y = xy(far_range[0], t)
            draw.line([left, y, width - right, y], fill="#dddddd")
            draw.text((left - 6, y), _tick_label(t), fill="black", font=font, anchor="rm")
    draw.text(((left + width - right) / 2, height - 30), "false accepts (FAR)", fill="black", font=font,
              anchor="mt")
    draw.text((10, top - 30), "false rejects (FRR)", fill="black", font=font)
    draw.text((width / 2, 12), title, fill="black", font=font, anchor="mt")
    if target is not None:
        tx, ty = xy(*target)
        draw.line([tx, top, tx, height - bottom], fill="#999999", width=1)
        draw.line([left, ty, width - right, ty], fill="#999999", width=1)
        draw.text((tx + 4, top + 4), "target", fill="#666666", font=font)
    for i, curve in enumerate(curves):
        colour = COLOURS[i % len(COLOURS)]
        pts = [xy(far, frr) for far, frr in sorted(curve.points)
               if far_range[0] <= far <= far_range[1] and frr_range[0] <= frr <= frr_range[1]]
        if len(pts) >= 2:
            draw.line(pts, fill=colour, width=2)
        if curve.operating_point is not None:
            ox, oy = xy(*curve.operating_point)
            draw.ellipse([ox - 5, oy - 5, ox + 5, oy + 5], outline=colour, width=2)
        ly = height + 4 + 18 * i
        draw.line([left, ly + 8, left + 30, ly + 8], fill=colour, width=3)
        draw.text((left + 38, ly + 1), curve.label, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
