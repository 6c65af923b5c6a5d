"""Topic practice: which questions, immediate feedback, mastery."""

import random
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from questions.models import Topic
from quiz import mastery, services
from quiz.models import Attempt
from tests.factories import QuestionFactory


def test_practice_prefers_missed_then_least_seen(learner, mls, now):
    topic = Topic.objects.get(code="2.2", domain__blueprint=mls)
    questions = [QuestionFactory(topic=topic) for _ in range(20)]
    first = services.start_practice(user=learner, topic=topic, now=now, rng=random.Random(1))
    assert first.question_count == 15 and first.deadline is None
    missed = first.items.get(position=1)
    services.answer_item(
        item=first.items.get(position=1),
        selected=[min(set(range(4)) - missed.correct_indexes)],
        now=now,
    )
    for position in range(2, 16):
        item = first.items.get(position=position)
        services.answer_item(
            item=first.items.get(position=position), selected=sorted(item.correct_indexes), now=now
        )
    second = services.start_practice(user=learner, topic=topic, now=now + timedelta(hours=1))
    drawn = list(second.items.values_list("question_id", flat=True))
    unseen = {q.pk for q in questions} - set(first.items.values_list("question_id", flat=True))
    assert drawn[0] == missed.question_id
    assert set(drawn[1:6]) == unseen


def test_practice_gives_immediate_feedback_and_counts_toward_mastery(client_in, learner, mls, now):
    topic = Topic.objects.get(code="2.2", domain__blueprint=mls)
    for _ in range(3):
        QuestionFactory(topic=topic)
    response = client_in.post(reverse("quiz:practice_start"), {"topic": topic.pk})
    attempt = Attempt.objects.get(user=learner, mode="practice")
    assert response["Location"] == reverse("quiz:practice", args=[attempt.pk, 1])
    item = attempt.items.get(position=1)
    response = client_in.post(
        reverse("quiz:practice_answer", args=[attempt.pk, 1]),
        {"position": 1, "choice": sorted(item.correct_indexes)},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Correct." in html and "Correct answer" in html and item.explanation in html
    again = client_in.post(
        reverse("quiz:practice_answer", args=[attempt.pk, 1]), {"position": 1, "choice": "1"}
    )
    assert again.status_code == 400
    domains = mastery.learner_mastery(learner, mls, now=timezone.now())
    figure = next(t for d in domains for t in d.topics if t.code == "2.2")
    assert (figure.estimate.correct, figure.estimate.answered) == (1, 1)
    client_in.post(reverse("quiz:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.scored_count == 1
    html = client_in.get("/").content.decode()
    assert "Practice, quizzes and reviews" in html and "1 of 1" in html


def test_practice_start_with_bad_topic_is_4xx(client_in, mls):
    for topic in ["abc", "99999", "²", "9" * 5000, ""]:
        response = client_in.post(reverse("quiz:practice_start"), {"topic": topic})
        assert response.status_code == 400
        assert b"Choose a topic." in response.content or b"required" in response.content
