"""Anki decks of the questions a learner has seen, to review them away from the app.

The deck id comes from the learner's id and each note's GUID from the learner's id and the
question's external id, with a note type whose id never changes: importing a newer deck into
Anki updates the notes it already has instead of adding copies.
"""

import hashlib
import io
import itertools
import sqlite3
import time
import zipfile
from html import escape

import genanki

from .models import AttemptItem

# Fixed forever: Anki recognises the note type, and so the notes, by this id.
MODEL_ID = 1_843_207_561
MODEL = genanki.Model(
    MODEL_ID,
    "mlsprep question",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {
            "name": "Question",
            "qfmt": "{{Question}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        }
    ],
)


def build_deck(*, user, items, name: str) -> bytes:
    """An .apkg holding one note per question of ``items``, from its newest frozen copy."""
    deck = genanki.Deck(deck_id(user), name)
    for item in newest_copies(items):
        deck.add_note(
            genanki.Note(
                model=MODEL,
                fields=[front(item), back(item)],
                guid=genanki.guid_for("mlsprep", user.pk, item.external_id),
            )
        )
    return _package(deck)


def deck_id(user) -> int:
    """A deck id of Anki's usual range (2**30 to 2**31), the same for a learner every time."""
    digest = hashlib.sha256(f"mlsprep-deck-{user.pk}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def newest_copies(items) -> list[AttemptItem]:
    """One item per question (the last frozen, so the highest id), sorted by external id."""
    newest: dict[str, AttemptItem] = {}
    for item in sorted(items, key=lambda item: item.pk):
        newest[item.external_id] = item
    return [newest[external_id] for external_id in sorted(newest)]


def front(item: AttemptItem) -> str:
    options = "".join(
        f'<div class="option">{number}. {_html(choice["text"])}</div>'
        for number, choice in enumerate(item.choices, start=1)
    )
    return f'<div class="stem">{_html(item.stem)}</div>{options}'


def back(item: AttemptItem) -> str:
    keys = "; ".join(
        f"{number}. {_html(choice['text'])}"
        for number, choice in enumerate(item.choices, start=1)
        if choice["correct"]
    )
    whys = "".join(
        f'<div class="why">{number}. {"Right" if choice["correct"] else "Wrong"}: '
        f"{_html(choice['why'])}</div>"
        for number, choice in enumerate(item.choices, start=1)
    )
    links = "".join(
        f'<div class="reference"><a href="{escape(reference["url"])}">'
        f"{_html(reference['title'])}</a></div>"
        for reference in item.references
    )
    return (
        f'<div class="key">Answer: {keys}</div>{whys}'
        f'<div class="explanation">{_html(item.explanation)}</div>{links}'
    )


def _html(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _package(deck: genanki.Deck) -> bytes:
    # genanki's write_to_file leaves its temporary database file behind; building the
    # collection in memory leaves nothing. The notes carry the current time, which Anki
    # compares to decide that an imported note is newer than the one it has.
    timestamp = time.time()
    connection = sqlite3.connect(":memory:")
    genanki.Package(deck).write_to_db(
        connection.cursor(), timestamp, itertools.count(int(timestamp * 1000))
    )
    connection.commit()
    collection = connection.serialize()
    connection.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", "{}")
    return buffer.getvalue()
