"""Server-drawn SVG charts: no JavaScript, a <title> for screen readers, and a data table beside."""

from django import template
from django.utils import timezone

register = template.Library()

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y, DATE_AXIS = 400, 220, 40, 12, 16, 20


@register.inclusion_tag("quiz/_trend_chart.html")
def trend_chart(attempts, blueprint):
    """Scaled score of each finished mock against the day it was taken (a gap of a month
    looks like one), with the pass mark as a line and dates along the bottom."""
    attempts = sorted(attempts, key=lambda a: a.started_at)
    low, high = blueprint.score_min, blueprint.score_max
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - 2 * PAD_Y - DATE_AXIS
    first = attempts[0].started_at if attempts else None
    span = (attempts[-1].started_at - first).total_seconds() if attempts else 0

    def x(when):
        share = (when - first).total_seconds() / span if span else 0.5
        return round(PAD_LEFT + plot_w * share, 1)

    def y(score):
        return round(PAD_Y + plot_h * (high - score) / (high - low), 1)

    points = [{"x": x(a.started_at), "y": y(a.scaled_score), "attempt": a} for a in attempts]
    dates = _date_ticks(attempts, x)
    return {
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "pass_y": y(blueprint.pass_mark),
        "ticks": [{"value": v, "y": y(v)} for v in (low, (low + high) // 2, high)],
        "dates": dates,
        "period": f"{dates[0]['label']} to {dates[-1]['label']}" if len(dates) > 1 else "",
        "date_y": HEIGHT - PAD_Y / 2,
        "blueprint": blueprint,
        "width": WIDTH,
        "height": HEIGHT,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
    }


def _date_ticks(attempts, x):
    """The first and last day (and the one between when they are days apart), in local time."""
    if not attempts:
        return []
    first, last = attempts[0].started_at, attempts[-1].started_at
    days = [first]
    if (last - first).days >= 2:
        days.append(first + (last - first) / 2)
    if timezone.localdate(last) != timezone.localdate(first):
        days.append(last)
    anchors = {1: ["middle"], 2: ["start", "end"], 3: ["start", "middle", "end"]}[len(days)]
    return [
        {"x": x(day), "label": _short_date(day), "anchor": anchor}
        for day, anchor in zip(days, anchors, strict=True)
    ]


def _short_date(when) -> str:
    day = timezone.localtime(when)
    return f"{day.day} {day:%b}"


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
