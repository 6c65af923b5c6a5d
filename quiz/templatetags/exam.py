from datetime import timedelta

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def clock(seconds: int) -> str:
    """Seconds as H:MM:SS, the countdown's format."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@register.filter
def duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


@register.filter
def minutes(seconds: float) -> str:
    """Seconds as "2 min 45 s", or "45 s" under a minute."""
    whole = round(seconds or 0)
    mins, secs = divmod(whole, 60)
    return f"{mins} min {secs:02d} s" if mins else f"{secs} s"


@register.filter
def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@register.simple_tag
def navigator_buttons(rows: list[dict]) -> str:
    """The navigator's buttons, built in Python: it is drawn on every exam page and save."""
    return format_html_join(
        "\n",
        '<li><button form="answer-form" name="go" value="{}" class="{}" aria-label="{}"{}>{}'
        "</button></li>",
        (
            (
                row["number"],
                row["css"],
                row["label"],
                mark_safe(' aria-current="step"') if row["current"] else "",
                row["number"],
            )
            for row in rows
        ),
    )
