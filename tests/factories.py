from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from questions.models import Blueprint, Choice, Domain, Question, Topic
from quiz.models import Attempt, AttemptItem


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"learner{n}")
    password = factory.django.Password("correct horse battery staple")


class BlueprintFactory(DjangoModelFactory):
    class Meta:
        model = Blueprint

    code = factory.Sequence(lambda n: f"bp-{n}")
    name = factory.Sequence(lambda n: f"Blueprint {n}")
    question_count = 10
    minutes = 30


class DomainFactory(DjangoModelFactory):
    class Meta:
        model = Domain

    blueprint = factory.SubFactory(BlueprintFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Domain {n}")
    weight = 50


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    domain = factory.SubFactory(DomainFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.domain.code}.{n + 1}")
    name = factory.Sequence(lambda n: f"Topic {n}")


def default_topic():
    return Topic.objects.get(code="3.2", domain__blueprint__is_default=True)


class QuestionFactory(DjangoModelFactory):
    """A published question; single-answer has 4 choices (first correct), multiple has 5 (two)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"test-question-{n:04d}")
    topic = factory.LazyFunction(default_topic)
    kind = Question.Kind.SINGLE
    stem = factory.Sequence(lambda n: f"Scenario {n}: which option fits the constraint best?")
    explanation = factory.Sequence(lambda n: f"General explanation {n}.")
    difficulty = 2
    status = Question.Status.PUBLISHED

    @factory.post_generation
    def choices(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            correct = 2 if obj.kind == Question.Kind.MULTIPLE else 1
            count = 5 if obj.kind == Question.Kind.MULTIPLE else 4
            extracted = [
                {
                    "text": f"Option {i} of {obj.external_id}",
                    "correct": i < correct,
                    "why": f"Why option {i} of {obj.external_id}",
                }
                for i in range(count)
            ]
        Choice.objects.bulk_create(
            Choice(question=obj, text=c["text"], is_correct=c["correct"], why=c["why"], order=i)
            for i, c in enumerate(extracted)
        )


def fill_bank(blueprint: Blueprint, per_domain: int | dict[str, int]) -> list[Question]:
    """Published questions spread over every topic of each domain of ``blueprint``."""
    made = []
    for domain in blueprint.domains.prefetch_related("topics"):
        count = per_domain if isinstance(per_domain, int) else per_domain[domain.code]
        topics = list(domain.topics.all())
        for i in range(count):
            kind = Question.Kind.MULTIPLE if i % 4 == 3 else Question.Kind.SINGLE
            made.append(QuestionFactory(topic=topics[i % len(topics)], kind=kind))
    return made


def one_topic_blueprint(size: int = 10, **question_fields) -> Blueprint:
    """A blueprint of one domain and one topic, with exactly ``size`` published questions
    (every third one multiple response): the smallest exam that can start."""
    domain = DomainFactory(weight=100, blueprint__question_count=size)
    topic = TopicFactory(domain=domain)
    for i in range(size):
        kind = Question.Kind.MULTIPLE if i % 3 == 0 else Question.Kind.SINGLE
        QuestionFactory(topic=topic, kind=kind, **question_fields)
    return domain.blueprint


def finished_attempts(user, blueprint, count, *, now, right_in=("1.1",), wrong_in=("3.2",)):
    """Finished mocks made directly, two graded items each: cheap history for dashboards."""
    topics = {t.code: t for t in Topic.objects.filter(domain__blueprint=blueprint)}
    for n in range(count):
        when = now - timedelta(days=count - n)
        attempt = Attempt.objects.create(
            user=user,
            blueprint=blueprint,
            started_at=when,
            deadline=when + timedelta(hours=3),
            finished_at=when + timedelta(hours=1),
            state=Attempt.State.SUBMITTED,
            question_count=2,
            correct_count=1,
            scaled_score=550,
            passed=False,
            domain_scores=[{"code": "1", "name": "Data Engineering", "correct": 1, "total": 2}],
        )
        items = []
        for position, (code, correct) in enumerate(
            [(c, True) for c in right_in] + [(c, False) for c in wrong_in], start=1
        ):
            topic = topics[code]
            items.append(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    question_version=1,
                    external_id=f"x-{n}-{position}",
                    domain_code=topic.domain.code,
                    domain_name=topic.domain.name,
                    topic=topic,
                    kind="single",
                    stem="s",
                    explanation="e",
                    choices=[
                        {"text": "a", "correct": True, "why": "w"},
                        {"text": "b", "correct": False, "why": "w"},
                    ],
                    selected=[0] if correct else [1],
                    answered_at=when,
                    is_correct=correct,
                )
            )
        AttemptItem.objects.bulk_create(items)
