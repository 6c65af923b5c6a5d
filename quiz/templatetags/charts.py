"""Server-drawn SVG charts: no JavaScript, a <title> for screen readers, and a data table beside."""

from django import template

register = template.Library()

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y = 400, 200, 40, 12, 16


@register.inclusion_tag("quiz/_trend_chart.html")
def trend_chart(attempts, blueprint):
    """Scaled score of each finished mock, oldest first, with the pass mark as a line."""
    attempts = sorted(attempts, key=lambda a: a.started_at)
    low, high = blueprint.score_min, blueprint.score_max
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - 2 * PAD_Y

    def y(score):
        return round(PAD_Y + plot_h * (high - score) / (high - low), 1)

    step = plot_w / max(1, len(attempts) - 1)
    points = [
        {
            "x": round(PAD_LEFT + (i * step if len(attempts) > 1 else plot_w / 2), 1),
            "y": y(a.scaled_score),
            "attempt": a,
        }
        for i, a in enumerate(attempts)
    ]
    return {
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "pass_y": y(blueprint.pass_mark),
        "ticks": [{"value": v, "y": y(v)} for v in (low, (low + high) // 2, high)],
        "blueprint": blueprint,
        "width": WIDTH,
        "height": HEIGHT,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
    }


@register.inclusion_tag("quiz/_domain_bars.html")
def domain_bars(domains):
    """One bar per domain: the mastery estimate, with its range as a whisker."""
    bar_w, row_h = 340, 50
    rows = []
    for i, domain in enumerate(domains):
        est = domain.estimate
        row = {"domain": domain, "label_y": 16 + i * row_h, "y": 24 + i * row_h}
        if est.seen:
            row.update(
                width=round(bar_w * est.mean, 1),
                low_x=round(bar_w * est.low, 1),
                high_x=round(bar_w * est.high, 1),
            )
        rows.append(row)
    return {"rows": rows, "bar_w": bar_w, "width": bar_w + 60, "height": 10 + len(domains) * row_h}


@register.inclusion_tag("quiz/_heatmap.html")
def mastery_heatmap(learners, domains):
    """Learners × domains: each cell's shade is the mastery estimate (grey when unseen)."""
    cell_w, cell_h, label_w, head_h = 70, 26, 130, 30
    rows = []
    for r, learner in enumerate(learners):
        cells = []
        for c, domain in enumerate(learner["domains"]):
            est = domain.estimate
            cells.append(
                {
                    "x": label_w + c * cell_w,
                    "text_x": label_w + c * cell_w + cell_w // 2,
                    "percent": est.percent if est.seen else None,
                    # Lighter for weak, darker for strong: one blue, five steps.
                    "shade": min(4, int(est.mean * 5)) if est.seen else None,
                }
            )
        rows.append({"name": learner["user"].username, "y": head_h + r * cell_h, "cells": cells})
    heads = [
        {"x": label_w + c * cell_w + cell_w // 2, "code": d.code} for c, d in enumerate(domains)
    ]
    return {
        "rows": rows,
        "heads": heads,
        "cell_w": cell_w - 4,
        "cell_h": cell_h - 4,
        "width": label_w + len(domains) * cell_w,
        "height": head_h + len(learners) * cell_h,
    }
