from django.core.exceptions import ValidationError

MIN_DISTINCT = 5


class VarietyValidator:
    """Refuses passwords of too few different characters, such as twelve spaces or "aaaaaaaaaa",
    which pass a length rule and a list of common passwords alike."""

    def validate(self, password, user=None):
        if len(set(password)) < MIN_DISTINCT:
            raise ValidationError(
                f"This password uses too few different characters (at least {MIN_DISTINCT}).",
                code="password_too_uniform",
            )

    def get_help_text(self):
        return f"Your password must use at least {MIN_DISTINCT} different characters."
