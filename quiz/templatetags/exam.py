from datetime import timedelta

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()
CURRENT = ' aria-current="step"'


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


def _button(row: dict, post_url: str, extra: str = "") -> str:
    return (
        f'<button id="nav-{row["number"]}" form="answer-form" name="go" value="{row["number"]}" '
        f'hx-post="{post_url}" class="{row["css"]}" aria-label="{row["label"]}"'
        f"{CURRENT if row['current'] else ''}{extra}>{row['number']}</button>"
    )


@register.simple_tag
def navigator_buttons(rows: list[dict], post_url: str) -> str:
    """The navigator's buttons, built in Python: it is drawn on every exam page and move.
    Every part is a number or a word from selectors.navigator, or the escaped address the
    buttons post the answer to (with htmx; the answer form's own action without it)."""
    post_url = escape(post_url)
    return mark_safe("\n".join(f"<li>{_button(row, post_url)}</li>" for row in rows))


@register.simple_tag
def navigator_button(rows: list[dict], position: int, post_url: str) -> str:
    """The button of question ``position`` alone, to replace its old self in the navigator
    (htmx out of band): an answer or a flag changes no other question's state."""
    return mark_safe(_button(rows[position - 1], escape(post_url), ' hx-swap-oob="true"'))
