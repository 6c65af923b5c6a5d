import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# Limited Markdown: paragraphs, emphasis, code, lists. Everything else is stripped.
ALLOWED_TAGS = {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "br"}


@register.filter
def markdown(text: str) -> str:
    """Question text as sanitized HTML: a <script> or onerror= written into a question is inert."""
    return mark_safe(_render(text or ""))


PICK_COUNT = re.compile(r"\s*\(?Choose\s+(?:TWO|THREE|FOUR|FIVE)\.\)?\s*$")


@register.filter
def without_pick_count(stem: str) -> str:
    """The stem without its closing "Choose TWO.": the choices' legend says it, once."""
    return PICK_COUNT.sub("", stem or "")


@lru_cache(maxsize=8192)
def _render(text: str) -> str:
    # Question texts are few and frozen, so each is converted once per process.
    html = markdown_lib.markdown(text, extensions=["fenced_code"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, link_rel=None)


@register.filter
def count_word(number: int) -> str:
    """2 → "TWO", as the exam writes "Choose TWO."."""
    words = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}
    return words.get(number, str(number))


@register.simple_tag
def choice_fields(choices, *, multiple, name, shortcuts=False, strike=False) -> str:
    """One input, label and (with ``strike``) strike-out button per option, built in Python:
    they are drawn on every exam page and strike. The option text and the field name are
    escaped; everything else is a number or a fixed word."""
    kind, name = ("checkbox" if multiple else "radio"), escape(name)
    rows = []
    for choice in choices:
        index, number, struck = choice["index"], choice["number"], choice.get("struck")
        key = f' data-shortcut="{number}"' if shortcuts else ""
        checked = " checked" if choice.get("selected") else ""
        note = '<span class="visually-hidden"> (struck out)</span>' if struck else ""
        button = ""
        if strike:
            button = (
                f'<button class="strike-toggle" form="strike-form" '
                f'name="{"restore" if struck else "strike"}" value="{index}" '
                f'aria-pressed="{"true" if struck else "false"}" data-strike="{number}">'
                f"{'Restore' if struck else 'Strike out'} {number}</button>"
            )
        rows.append(
            f'<div class="choice{" struck" if struck else ""}">\n'
            f'<input type="{kind}" name="{name}" value="{index}" id="{name}-{index}"'
            f"{checked}{key}>\n"
            f'<label for="{name}-{index}"><span class="choice-key" aria-hidden="true">{number}'
            f'</span><span class="choice-label">{escape(choice["text"])}</span>{note}</label>\n'
            f"{button}</div>"
        )
    return mark_safe("\n".join(rows))
