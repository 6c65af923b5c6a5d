from django import template

register = template.Library()


@register.filter
def count_word(number: int) -> str:
    """2 → "TWO", as the exam writes "Choose TWO."."""
    words = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}
    return words.get(number, str(number))
