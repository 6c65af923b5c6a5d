import io
import json
import sqlite3
import zipfile
from datetime import timedelta

import genanki
import pytest

from questions.models import Question, Reference
from quiz import services
from quiz.anki import build_deck, deck_id
from quiz.models import AttemptItem
from tests.factories import UserFactory, one_topic_blueprint


def read_deck(data: bytes, tmp_path) -> dict:
    """The notes (by GUID) and deck ids inside an .apkg, read as Anki would: zip, then SQLite."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        path = tmp_path / "collection.anki2"
        path.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(path)
    try:
        notes = {
            guid: fields.split("\x1f")
            for guid, fields in connection.execute("SELECT guid, flds FROM notes")
        }
        card_decks = {did for (did,) in connection.execute("SELECT DISTINCT did FROM cards")}
        (decks,) = connection.execute("SELECT decks FROM col").fetchone()
    finally:
        connection.close()
    return {"notes": notes, "card_decks": card_decks, "decks": json.loads(decks)}


@pytest.fixture
def two_mocks(learner, now):
    """Two finished mocks over the same 10 questions; one question edited between them."""
    blueprint = one_topic_blueprint(10)
    first = services.start_attempt(user=learner, blueprint=blueprint, now=now)
    services.submit_attempt(attempt=first, now=now + timedelta(minutes=5))
    edited = Question.objects.get(external_id=first.items.first().external_id)
    edited.stem = "Edited: which <option> & why?\nSecond line."
    edited.save()
    Reference.objects.create(
        question=edited, title="Docs & more", url="https://docs.aws.amazon.com/a?b=1&c=2"
    )
    later = now + timedelta(days=1)
    second = services.start_attempt(user=learner, blueprint=blueprint, now=later)
    services.submit_attempt(attempt=second, now=later + timedelta(minutes=5))
    return edited


def test_deck_has_one_note_per_question_from_the_newest_copy(learner, two_mocks, tmp_path):
    items = AttemptItem.objects.filter(attempt__user=learner)
    assert items.count() == 20
    deck = read_deck(build_deck(user=learner, items=items, name="MLS-C01 review"), tmp_path)
    assert len(deck["notes"]) == 10
    guid = genanki.guid_for("mlsprep", learner.pk, two_mocks.external_id)
    front, back = deck["notes"][guid]
    assert front.startswith(
        '<div class="stem">Edited: which &lt;option&gt; &amp; why?<br>Second line.</div>'
    )
    assert deck["decks"][str(deck_id(learner))]["name"] == "MLS-C01 review"
    assert deck["card_decks"] == {deck_id(learner)}
    assert '<a href="https://docs.aws.amazon.com/a?b=1&amp;c=2">Docs &amp; more</a>' in back


def test_note_front_numbers_the_options_and_back_gives_key_whys_and_explanation(
    learner, two_mocks, tmp_path
):
    item = AttemptItem.objects.filter(attempt__user=learner, kind="multiple").last()
    deck = read_deck(build_deck(user=learner, items=[item], name="One"), tmp_path)
    front, back = deck["notes"][genanki.guid_for("mlsprep", learner.pk, item.external_id)]
    for number, choice in enumerate(item.choices, start=1):
        assert f'<div class="option">{number}. {choice["text"]}</div>' in front
        verdict = "Right" if choice["correct"] else "Wrong"
        assert f'<div class="why">{number}. {verdict}: {choice["why"]}</div>' in back
    key = "; ".join(
        f"{number}. {choice['text']}"
        for number, choice in enumerate(item.choices, start=1)
        if choice["correct"]
    )
    assert f'<div class="key">Answer: {key}</div>' in back
    assert f'<div class="explanation">{item.explanation}</div>' in back
    assert "Why" not in front


def test_building_twice_gives_the_same_guids_and_deck_but_other_learners_differ(
    learner, two_mocks, tmp_path
):
    items = list(AttemptItem.objects.filter(attempt__user=learner))
    once = read_deck(build_deck(user=learner, items=items, name="A"), tmp_path)
    twice = read_deck(build_deck(user=learner, items=items[::-1], name="A"), tmp_path)
    assert set(once["notes"]) == set(twice["notes"])
    assert once["card_decks"] == twice["card_decks"] == {deck_id(learner)}
    other = UserFactory(username="other")
    theirs = read_deck(build_deck(user=other, items=items, name="A"), tmp_path)
    assert not set(theirs["notes"]) & set(once["notes"])
    assert theirs["card_decks"] != once["card_decks"]


def test_texts_are_escaped(learner, tmp_path):
    item = AttemptItem(
        pk=1,
        external_id="x-1",
        stem="<script>alert(1)</script>",
        explanation="a < b & c",
        choices=[
            {"text": "<b>bold</b>", "correct": True, "why": '"quoted" & <i>'},
            {"text": "plain", "correct": False, "why": "w"},
        ],
        references=[{"title": "<t>", "url": 'https://docs.aws.amazon.com/"onmouseover="x'}],
    )
    deck = read_deck(build_deck(user=learner, items=[item], name="<deck>"), tmp_path)
    ((front, back),) = deck["notes"].values()
    assert "<script>" not in front and "&lt;script&gt;alert(1)&lt;/script&gt;" in front
    assert "&lt;b&gt;bold&lt;/b&gt;" in front
    assert "&quot;quoted&quot; &amp; &lt;i&gt;" in back
    assert "a &lt; b &amp; c" in back
    assert 'href="https://docs.aws.amazon.com/&quot;onmouseover=&quot;x"' in back
