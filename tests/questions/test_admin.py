import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from questions.models import Question, Tag, Topic
from tests.factories import QuestionFactory, UserFactory

ADD_URL = reverse("admin:questions_question_add")


@pytest.fixture
def instructor(db):
    user = UserFactory(username="ines", is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.fixture
def admin_client_as_instructor(client, instructor):
    client.force_login(instructor)
    return client


def question_form(topic, choices, **overrides):
    data = {
        "external_id": "mod-select-950",
        "topic": topic.pk,
        "kind": "single",
        "difficulty": "2",
        "status": "published",
        "stem": "A retailer wants to group customers without labels. Which algorithm fits?",
        "explanation": "K-Means groups unlabelled records.",
        "authoring_note": "seed 002",
        "references-TOTAL_FORMS": "1",
        "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "3",
        "references-0-order": "0",
        "references-0-title": "K-Means Algorithm",
        "references-0-url": "https://docs.aws.amazon.com/sagemaker/latest/dg/k-means.html",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (text, correct, why) in enumerate(choices):
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-why"] = why
        data[f"choices-{i}-order"] = str(i)
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(overrides)
    return data


FOUR = [
    ("K-Means", True, "Clusters unlabelled data."),
    ("XGBoost", False, "Needs labels."),
    ("DeepAR", False, "Forecasts time series."),
    ("Linear Learner", False, "Needs labels."),
]


@pytest.fixture
def topic(mls):
    return Topic.objects.get(code="3.2", domain__blueprint=mls)


def test_instructors_group_can_add_and_edit_questions_but_is_not_superuser(instructor):
    assert not instructor.is_superuser
    assert instructor.has_perm("questions.add_question")
    assert instructor.has_perm("questions.change_question")
    assert instructor.has_perm("questions.add_choice")
    assert not instructor.has_perm("questions.delete_blueprint")
    assert not instructor.has_perm("auth.change_user")


def test_instructor_adds_a_question_with_choices(admin_client_as_instructor, topic):
    response = admin_client_as_instructor.post(ADD_URL, question_form(topic, FOUR))
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    question = Question.objects.get(external_id="mod-select-950")
    assert question.version == 1
    assert [c.text for c in question.choices.all()] == [c[0] for c in FOUR]
    assert question.choices.get(is_correct=True).text == "K-Means"


def test_editing_a_question_bumps_its_version(admin_client_as_instructor, topic):
    question = QuestionFactory(topic=topic)
    url = reverse("admin:questions_question_change", args=[question.pk])
    choices = list(question.choices.all())
    data = question_form(
        topic,
        [(c.text, c.is_correct, c.why) for c in choices],
        external_id=question.external_id,
        stem="A new scenario entirely.",
    )
    data["choices-INITIAL_FORMS"] = str(len(choices))
    for i, choice in enumerate(choices):
        data[f"choices-{i}-id"] = str(choice.pk)
        data[f"choices-{i}-question"] = str(question.pk)
    response = admin_client_as_instructor.post(url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.stem == "A new scenario entirely."
    assert question.version == 2


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        (
            "single",
            [(t, True, w) for t, _, w in FOUR],
            "A single-answer question needs exactly one correct choice.",
        ),
        (
            "single",
            [(t, False, w) for t, _, w in FOUR],
            "A single-answer question needs exactly one correct choice.",
        ),
        ("multiple", FOUR, "A multiple-response question needs at least two correct choices."),
        ("single", [FOUR[0], FOUR[1], ("DeepAR", False, ""), FOUR[3]], "This field is required."),
    ],
)
def test_invalid_choices_show_a_clear_form_error_and_save_nothing(
    admin_client_as_instructor, topic, kind, choices, message
):
    response = admin_client_as_instructor.post(ADD_URL, question_form(topic, choices, kind=kind))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_list_filters_and_search(admin_client_as_instructor, topic, mls):
    tagged = QuestionFactory(external_id="mod-select-001", topic=topic, stem="Anomaly scores")
    tagged.tags.add(Tag.objects.create(name="Random Cut Forest"))
    other = Topic.objects.get(code="1.2", domain__blueprint=mls)
    QuestionFactory(external_id="de-ingest-001", topic=other, kind="multiple", difficulty=3)
    url = reverse("admin:questions_question_changelist")
    html = admin_client_as_instructor.get(url, {"q": "anomaly"}).content.decode()
    assert "mod-select-001" in html and "de-ingest-001" not in html
    html = admin_client_as_instructor.get(url, {"q": "Random Cut"}).content.decode()
    assert "mod-select-001" in html and "de-ingest-001" not in html
    html = admin_client_as_instructor.get(url, {"kind__exact": "multiple"}).content.decode()
    assert "de-ingest-001" in html and "mod-select-001" not in html
    html = admin_client_as_instructor.get(
        url, {"topic__domain__id__exact": other.domain_id}
    ).content.decode()
    assert "de-ingest-001" in html and "mod-select-001" not in html
    for expected in ["By domain", "By topic", "By kind", "By difficulty", "By status", "By tag"]:
        assert expected.lower() in html.lower()
    assert 'list="tag-names"' in html  # typed with autocomplete, not a list of every tag
    html = admin_client_as_instructor.get(url, {"tag": "Random Cut Forest"}).content.decode()
    assert "mod-select-001" in html and "de-ingest-001" not in html
    assert "Anomaly scores" in html  # the stem excerpt column


def test_publish_and_retire_actions(admin_client_as_instructor, topic):
    question = QuestionFactory(topic=topic, status=Question.Status.DRAFT)
    url = reverse("admin:questions_question_changelist")
    for action, status in [("publish", "published"), ("retire", "retired")]:
        response = admin_client_as_instructor.post(
            url, {"action": action, "_selected_action": [question.pk]}
        )
        assert response.status_code == 302
        question.refresh_from_db()
        assert question.status == status


def test_preview_shows_the_question_without_the_key(admin_client_as_instructor, topic):
    question = QuestionFactory(topic=topic)
    response = admin_client_as_instructor.get(
        reverse("admin:questions_question_preview", args=[question.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert question.stem in html
    for choice in question.choices.all():
        assert choice.text in html
        assert choice.why not in html
    assert question.explanation not in html


def test_learners_cannot_reach_the_admin_preview(client, topic):
    question = QuestionFactory(topic=topic)
    client.force_login(UserFactory())
    response = client.get(reverse("admin:questions_question_preview", args=[question.pk]))
    assert response.status_code == 302


def test_create_instructor_command(db, capsys):
    call_command("create_instructor", "ian", "--password", "a-long-pass-phrase-9")
    user = UserFactory._meta.model.objects.get(username="ian")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="Instructors").exists()
    assert user.check_password("a-long-pass-phrase-9")
    assert "Created instructor ian" in capsys.readouterr().out


def test_mls_c01_blueprint_has_the_exam_guides_shape(mls, settings):
    """The figures the docs state: 65 questions, 180 minutes, 100–1000 with a pass at 750,
    the four domains' weights, and answers counted up to 30 seconds after the deadline."""
    assert (mls.question_count, mls.minutes) == (65, 180)
    assert (mls.score_min, mls.score_max, mls.pass_mark) == (100, 1000, 750)
    weights = dict(mls.domains.values_list("code", "weight"))
    assert weights == {"1": 20, "2": 24, "3": 36, "4": 20}
    assert mls.domains.get(code="3").topics.count() == 5
    assert settings.EXAM_GRACE_SECONDS == 30


def test_version_changes_only_when_what_learners_read_changes(admin_client_as_instructor, topic):
    question = QuestionFactory(topic=topic)
    url = reverse("admin:questions_question_change", args=[question.pk])
    page = admin_client_as_instructor.get(url)
    data = {**page.context["adminform"].form.initial}

    def post(**changes):
        form = question_form(
            topic,
            [(c.text, c.is_correct, c.why) for c in question.choices.all()],
            external_id=question.external_id,
            stem=question.stem,
            explanation=question.explanation,
            **{"choices-INITIAL_FORMS": str(question.choices.count())},
        )
        for i, choice in enumerate(question.choices.all()):
            form[f"choices-{i}-id"] = str(choice.pk)
            form[f"choices-{i}-question"] = str(question.pk)
        form["references-TOTAL_FORMS"] = "0"
        form.update(changes)
        response = admin_client_as_instructor.post(url, form)
        assert response.status_code == 302, response.content.decode()[:3000]
        question.refresh_from_db()
        return question.version

    assert data["status"] == "published"
    assert post(status="draft", difficulty="3") == 1
    assert post(stem="A reworded scenario: which option fits the constraint best?") == 2
    assert post(**{"choices-1-why": "A clearer reason it is wrong."}) == 3


def test_an_error_in_the_choices_is_said_at_the_top_of_the_form(admin_client_as_instructor, topic):
    no_key = [(text, False, why) for text, _, why in FOUR]
    response = admin_client_as_instructor.post(
        reverse("admin:questions_question_add"), question_form(topic, no_key)
    )
    html = response.content.decode()
    message = "A single-answer question needs exactly one correct choice."
    assert response.status_code == 200 and message in html
    assert html.index(message) < html.index('name="stem"')


def test_new_choice_rows_are_numbered_in_order(admin_client_as_instructor, topic):
    html = admin_client_as_instructor.get(reverse("admin:questions_question_add")).content.decode()
    orders = re.findall(r'name="choices-(\d)-order" value="(\d+)"', html)
    assert orders == [("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")]


def test_preview_switches_between_the_exam_and_the_review_view(admin_client_as_instructor, topic):
    question = QuestionFactory(topic=topic)
    url = reverse("admin:questions_question_preview", args=[question.pk])
    exam = admin_client_as_instructor.get(url).content.decode()
    review = admin_client_as_instructor.get(url, {"view": "review"}).content.decode()
    why = question.choices.first().why
    assert why not in exam and "Correct answer" not in exam
    assert why in review and "Correct answer" in review and question.explanation in review
    assert "css/app.css" not in exam  # the admin keeps its own look
    assert '<a href="/admin/questions/question/">Questions</a>' in exam


def test_create_instructor_asks_for_the_password_twice(db, monkeypatch):
    answers = iter(["a-long-pass-phrase-9", "a-long-pass-phrase-8"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ"):
        call_command("create_instructor", "ivy")
    assert not get_user_model().objects.filter(username="ivy").exists()
    answers = iter(["a-long-pass-phrase-9", "a-long-pass-phrase-9"])
    call_command("create_instructor", "ivy")
    assert get_user_model().objects.get(username="ivy").check_password("a-long-pass-phrase-9")
