"""Every environment variable the settings read is listed in .env.example with a comment."""

import re

from django.conf import settings

SETTINGS = settings.BASE_DIR / "config" / "settings.py"
EXAMPLE = settings.BASE_DIR / ".env.example"


def read_variables() -> set[str]:
    source = SETTINGS.read_text()
    names = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', source))
    if "dj_database_url.config(" in source:
        names.add("DATABASE_URL")  # dj-database-url reads it
    return names


def documented() -> dict[str, str]:
    """Each variable of .env.example with the comment line just above it."""
    lines = EXAMPLE.read_text().splitlines()
    found = {}
    for before, line in zip(lines, lines[1:], strict=False):
        match = re.match(r"([A-Z_]+)=", line)
        if match:
            found[match.group(1)] = before if before.startswith("# ") else ""
    return found


def test_every_variable_read_by_settings_is_in_env_example_with_a_comment():
    listed = documented()
    variables = read_variables()
    assert len(variables) > 15
    assert sorted(variables - set(listed)) == []
    assert [name for name in variables if not listed[name]] == []
