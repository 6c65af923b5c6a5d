import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
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
