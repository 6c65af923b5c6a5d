"""Which questions an attempt draws, and what it freezes of each one."""

import random
from collections import Counter
from datetime import timedelta

import pytest

from questions.models import Question, Reference
from quiz import services
from quiz.drawing import (
    MAX_EXCLUDED_IDS,
    BankTooSmall,
    Source,
    draw_mock,
    draw_practice,
    draw_quiz,
    freeze_items,
)
from quiz.models import Attempt, AttemptItem
from tests.factories import (
    BlueprintFactory,
    DomainFactory,
    QuestionFactory,
    TopicFactory,
    one_topic_blueprint,
)

SEEDS = range(20)


def past_attempt(user, answers, *, finished_at, mode=Attempt.Mode.PRACTICE):
    """A finished attempt of the learner's, a practice unless told: ``answers`` holds
    (question, right, answered at), right being None for a question shown but not graded, and
    answered at None for one left unanswered."""
    blueprint = answers[0][0].topic.domain.blueprint
    attempt = Attempt.objects.create(
        user=user,
        blueprint=blueprint,
        mode=mode,
        state=Attempt.State.SUBMITTED,
        started_at=finished_at - timedelta(hours=3),
        finished_at=finished_at,
        question_count=len(answers),
    )
    items = freeze_items(attempt, [question.pk for question, _, _ in answers], random.Random(0))
    for item, (_, right, answered_at) in zip(items, answers, strict=True):
        item.answered_at, item.is_correct = answered_at, right
    AttemptItem.objects.bulk_create(items)
    return attempt


def seen_in_bulk(user, topic, count, *, now):
    """``count`` published questions of ``topic``, each shown to the learner once."""
    questions = Question.objects.bulk_create(
        Question(
            external_id=f"seen-{n:05d}",
            topic=topic,
            kind=Question.Kind.SINGLE,
            stem=f"Seen scenario {n}",
            explanation="e",
            status=Question.Status.PUBLISHED,
        )
        for n in range(count)
    )
    attempt = past_attempt(user, [(questions[0], True, now)], finished_at=now)
    AttemptItem.objects.bulk_create(
        AttemptItem(
            attempt=attempt,
            position=position,
            question=question,
            question_version=1,
            external_id=question.external_id,
            domain_code=topic.domain.code,
            domain_name=topic.domain.name,
            topic=topic,
            kind=question.kind,
            stem=question.stem,
            explanation="e",
            choices=[],
        )
        for position, question in enumerate(questions[1:], start=2)
    )
    return questions


def two_domain_blueprint(question_count, per_domain):
    """Domains 1 (Data) and 2 (Models), half the exam each, one topic each, with the given
    number of published questions in each."""
    blueprint = BlueprintFactory(question_count=question_count)
    topics = []
    for code, name, count in [("1", "Data", per_domain[0]), ("2", "Models", per_domain[1])]:
        topic = TopicFactory(domain=DomainFactory(blueprint=blueprint, code=code, name=name))
        for _ in range(count):
            QuestionFactory(topic=topic)
        topics.append(topic)
    return blueprint, topics


def topic_of(blueprint):
    return blueprint.domains.get().topics.get()


def ids(questions):
    return {q.pk for q in questions}


# Mocks


def test_a_learner_who_has_seen_over_5000_questions_still_gets_the_unseen_ones(learner, now):
    blueprint = one_topic_blueprint(size=2)
    unseen = set(topic_of(blueprint).questions.values_list("pk", flat=True))
    seen_in_bulk(learner, topic_of(blueprint), MAX_EXCLUDED_IDS + 1, now=now)
    drawn = draw_mock(user=learner, blueprint=blueprint, rng=random.Random(1))
    assert set(drawn) == unseen


def test_up_to_5000_seen_questions_a_mock_looks_for_unseen_ones_in_sql_first(
    learner, now, django_assert_num_queries
):
    blueprint = one_topic_blueprint(size=2)
    topic = topic_of(blueprint)
    unseen = set(topic.questions.values_list("pk", flat=True))
    seen_in_bulk(learner, topic, MAX_EXCLUDED_IDS, now=now)
    # A question since deleted from the bank is no longer one of the 5000.
    deleted = QuestionFactory(topic=topic)
    past_attempt(learner, [(deleted, True, now)], finished_at=now)
    deleted.delete()
    # Domains and topics, what the learner has seen, then the unseen questions, and as too
    # few are unseen to sample, every question of the domain.
    with django_assert_num_queries(5):
        drawn = draw_mock(user=learner, blueprint=blueprint, rng=random.Random(1))
    assert set(drawn) == unseen


def test_a_mock_draw_costs_one_query_per_domain_when_its_sample_of_unseen_is_full(
    learner, now, django_assert_num_queries
):
    # One question per domain, so a sample of 4 unseen: each domain has exactly 4.
    blueprint, topics = two_domain_blueprint(2, (6, 6))
    shown = [q for topic in topics for q in topic.questions.order_by("pk")[:2]]
    past_attempt(learner, [(q, True, now) for q in shown], finished_at=now)
    with django_assert_num_queries(5):
        drawn = draw_mock(user=learner, blueprint=blueprint, rng=random.Random(1))
    assert len(drawn) == 2 and not set(drawn) & ids(shown)


def test_a_bank_too_small_in_two_domains_names_both(learner):
    blueprint, _ = two_domain_blueprint(4, (1, 0))
    with pytest.raises(BankTooSmall) as short:
        draw_mock(user=learner, blueprint=blueprint, rng=random.Random(1))
    assert str(short.value) == (
        "Domain 1 (Data) has 1 published questions; the exam needs 2. "
        "Domain 2 (Models) has 0 published questions; the exam needs 2."
    )


def test_another_learners_answers_never_change_what_a_mock_draws(learner, other_learner, now):
    blueprint = one_topic_blueprint(size=2)
    for _ in range(4):
        QuestionFactory(topic=topic_of(blueprint))
    before = draw_mock(user=learner, blueprint=blueprint, rng=random.Random(3))
    questions = Question.objects.filter(pk__in=before)
    for day in range(3):
        past_attempt(
            other_learner, [(q, True, now) for q in questions], finished_at=now - timedelta(day)
        )
    assert draw_mock(user=learner, blueprint=blueprint, rng=random.Random(3)) == before


# Practice


def test_practice_on_a_topic_without_published_questions_says_so(learner):
    blueprint = one_topic_blueprint(size=1, status=Question.Status.DRAFT)
    topic = topic_of(blueprint)
    with pytest.raises(BankTooSmall) as empty:
        draw_practice(user=learner, topic=topic, size=15, rng=random.Random(1))
    assert str(empty.value) == f"Topic {topic.code} has no published questions yet."


def test_another_learners_answers_never_change_what_a_practice_draws(learner, other_learner, now):
    topic = topic_of(one_topic_blueprint(size=10))
    before = draw_practice(user=learner, topic=topic, size=3, rng=random.Random(7))
    others = topic.questions.exclude(pk__in=before)
    past_attempt(other_learner, [(q, False, now) for q in others], finished_at=now)
    assert draw_practice(user=learner, topic=topic, size=3, rng=random.Random(7)) == before


def test_practice_puts_a_question_seen_once_before_one_seen_twice(learner, now):
    topic = topic_of(one_topic_blueprint(size=4))
    missed, unseen, once, twice = topic.questions.order_by("pk")
    past_attempt(learner, [(twice, True, now), (missed, False, now)], finished_at=now)
    past_attempt(learner, [(twice, True, now), (once, True, now)], finished_at=now)
    for seed in SEEDS:
        drawn = draw_practice(user=learner, topic=topic, size=4, rng=random.Random(seed))
        assert drawn == [missed.pk, unseen.pk, once.pk, twice.pk]


def test_practice_goes_by_the_latest_answer_not_the_latest_submit(learner, now):
    topic = topic_of(one_topic_blueprint(size=2))
    wrong_last, unseen = topic.questions.order_by("pk")
    # Right in a quiz left open all morning, then wrong in a practice finished before it.
    hour = timedelta(hours=1)
    quiz = [(wrong_last, True, now)]
    past_attempt(learner, quiz, finished_at=now + 3 * hour, mode=Attempt.Mode.QUIZ)
    past_attempt(learner, [(wrong_last, False, now + hour)], finished_at=now + 2 * hour)
    for seed in SEEDS:
        drawn = draw_practice(user=learner, topic=topic, size=1, rng=random.Random(seed))
        assert drawn == [wrong_last.pk]


def test_practice_counts_a_question_left_unanswered_as_missed_when_submitted(learner, now):
    topic = topic_of(one_topic_blueprint(size=2))
    left_blank, unseen = topic.questions.order_by("pk")
    past_attempt(learner, [(left_blank, True, now)], finished_at=now)
    past_attempt(learner, [(left_blank, False, None)], finished_at=now + timedelta(hours=2))
    for seed in SEEDS:
        drawn = draw_practice(user=learner, topic=topic, size=1, rng=random.Random(seed))
        assert drawn == [left_blank.pk]


# Custom quizzes: least seen first, taking turns over topics


def test_which_of_equally_seen_questions_a_quiz_draws_is_left_to_chance(learner):
    topic = topic_of(one_topic_blueprint(size=10))
    firsts = {
        draw_quiz(
            user=learner, topic_ids=[topic.pk], size=1, source=Source.ALL, rng=random.Random(s)
        )[0]
        for s in SEEDS
    }
    assert len(firsts) >= 5


def test_a_quiz_over_two_topics_takes_turns_between_them(learner):
    blueprint, (big, small) = two_domain_blueprint(2, (8, 3))
    for seed in SEEDS:
        drawn = draw_quiz(
            user=learner,
            topic_ids=[big.pk, small.pk],
            size=4,
            source=Source.ALL,
            rng=random.Random(seed),
        )
        by_topic = Counter(Question.objects.get(pk=pk).topic_id for pk in drawn)
        assert by_topic == {big.pk: 2, small.pk: 2}


def quiz_of(learner, topic, source, *, within=None, size=10):
    return set(
        draw_quiz(
            user=learner, topic_ids=[topic.pk], size=size, source=source,
            rng=random.Random(0), within=within,
        )
    )  # fmt: skip


def test_retake_my_missed_draws_the_questions_the_learner_last_got_wrong(
    learner, other_learner, now
):
    topic = topic_of(one_topic_blueprint(size=6))
    fixed, slipped, answered_late, left_blank, others, never = topic.questions.order_by("pk")
    day = timedelta(days=1)
    # Submitted on day 5, its answers given on days 1 and 0: the answer's time decides.
    past_attempt(
        learner, [(fixed, False, now + day), (answered_late, True, now)], finished_at=now + 5 * day
    )
    # Submitted on day 3, answered on day 2; the blank one counts on the submit (day 6).
    past_attempt(
        learner,
        [(fixed, True, now + 2 * day), (slipped, False, now + 2 * day)],
        finished_at=now + 3 * day,
    )
    past_attempt(learner, [(answered_late, False, now - day)], finished_at=now - day)
    past_attempt(learner, [(left_blank, True, now + 4 * day)], finished_at=now + 4 * day)
    past_attempt(learner, [(left_blank, False, None)], finished_at=now + 6 * day)
    past_attempt(other_learner, [(others, False, now)], finished_at=now)
    assert quiz_of(learner, topic, Source.MISSED) == {slipped.pk, left_blank.pk}


def test_retake_my_missed_from_one_result_draws_only_what_was_missed_there(learner, now):
    topic = topic_of(one_topic_blueprint(size=4))
    first, second, right, _ = topic.questions.order_by("pk")
    past_attempt(learner, [(first, False, now)], finished_at=now)
    result = past_attempt(
        learner, [(second, False, now), (right, True, now)], finished_at=now + timedelta(hours=4)
    )
    assert quiz_of(learner, topic, Source.MISSED, within=result) == {second.pk}


def test_retake_my_flagged_draws_only_the_learners_own_flags(learner, other_learner, now):
    topic = topic_of(one_topic_blueprint(size=4))
    mine, theirs, plain, _ = topic.questions.order_by("pk")
    past_attempt(learner, [(mine, True, now), (plain, True, now)], finished_at=now)
    past_attempt(other_learner, [(theirs, True, now)], finished_at=now)
    AttemptItem.objects.filter(question__in=[mine, theirs]).update(flagged=True)
    assert quiz_of(learner, topic, Source.FLAGGED) == {mine.pk}


def test_only_unseen_leaves_out_what_the_learner_was_shown_and_nothing_else(
    learner, other_learner, now
):
    topic = topic_of(one_topic_blueprint(size=5))
    shown, blank, theirs, new_a, new_b = topic.questions.order_by("pk")
    past_attempt(learner, [(shown, True, now), (blank, None, None)], finished_at=now)
    past_attempt(other_learner, [(theirs, False, now)], finished_at=now)
    assert quiz_of(learner, topic, Source.UNSEEN) == {theirs.pk, new_a.pk, new_b.pk}
    assert quiz_of(learner, topic, Source.ALL) == ids(topic.questions.all())


def test_a_quiz_with_nothing_to_draw_says_so(learner):
    topic = topic_of(one_topic_blueprint(size=3))
    with pytest.raises(BankTooSmall) as error:
        quiz_of(learner, topic, Source.MISSED)
    assert str(error.value) == "No published question matches that choice yet."


# What an attempt freezes


def test_a_started_practice_freezes_the_question_as_the_learner_reads_it(learner, now):
    topic = topic_of(one_topic_blueprint(size=1))
    question = topic.questions.get()
    Reference.objects.create(
        question=question, title="SageMaker guide", url="https://docs.aws.amazon.com/sagemaker/"
    )
    Reference.objects.create(
        question=question, title="Glue guide", url="https://docs.aws.amazon.com/glue/", order=1
    )
    attempt = services.start_practice(user=learner, topic=topic, now=now)
    item = attempt.items.get()
    assert item.question_id == question.pk and item.question_version == question.version
    assert item.external_id == question.external_id
    assert (item.domain_code, item.domain_name) == (topic.domain.code, topic.domain.name)
    assert item.topic == topic
    assert (item.kind, item.stem, item.explanation) == (
        question.kind,
        question.stem,
        question.explanation,
    )
    assert item.references == [
        {"title": "SageMaker guide", "url": "https://docs.aws.amazon.com/sagemaker/"},
        {"title": "Glue guide", "url": "https://docs.aws.amazon.com/glue/"},
    ]


def test_freezing_questions_costs_three_queries_however_many(
    learner, now, django_assert_num_queries
):
    blueprint = one_topic_blueprint(size=3)
    questions = list(topic_of(blueprint).questions.order_by("pk"))
    for question in questions:
        Reference.objects.create(
            question=question, title="Guide", url="https://docs.aws.amazon.com/"
        )
    attempt = Attempt.objects.create(
        user=learner,
        blueprint=blueprint,
        mode=Attempt.Mode.QUIZ,
        started_at=now,
        question_count=3,
    )
    # The questions with their topics and domains, their choices, their references.
    with django_assert_num_queries(3):
        items = freeze_items(attempt, [q.pk for q in questions], random.Random(1))
    assert [item.question_id for item in items] == [q.pk for q in questions]
    assert all(item.domain_name and item.choices and item.references for item in items)
