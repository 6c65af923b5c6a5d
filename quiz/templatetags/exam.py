from datetime import timedelta

from django import template

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
def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
