"""The documents a newcomer reads first name only things that exist."""

import re

from django.conf import settings

DOCS = settings.BASE_DIR / "docs"


def test_every_module_named_in_the_architecture_page_exists():
    text = (DOCS / "architecture.md").read_text()
    modules = set(re.findall(r"`((?:config|questions|quiz)/[\w/]+\.py)`", text))
    assert len(modules) >= 15
    assert sorted(m for m in modules if not (settings.BASE_DIR / m).is_file()) == []


def test_the_architecture_page_names_every_module():
    text = (DOCS / "architecture.md").read_text()
    plumbing = {"__init__.py", "apps.py", "wsgi.py"}
    modules = [
        f"{path.parent.name}/{path.name}"
        for app in ("config", "questions", "quiz")
        for path in sorted((settings.BASE_DIR / app).glob("*.py"))
        if path.name not in plumbing
    ]
    assert [m for m in modules if f"`{m}`" not in text] == []


def test_every_dotted_name_in_the_architecture_page_exists():
    text = (DOCS / "architecture.md").read_text()
    for dotted in set(re.findall(r"`((?:config|questions|quiz)\.[\w.]+)`", text)):
        module, _, name = dotted.rpartition(".")
        source = (settings.BASE_DIR / (module.replace(".", "/") + ".py")).read_text()
        assert re.search(rf"^(def|class) {name}\b|^{name} =", source, re.M), dotted
