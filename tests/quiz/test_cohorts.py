"""Cohorts: learners join with a code; only the cohort's instructors see its page."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz import services
from quiz.models import Cohort
from tests.factories import UserFactory, fill_bank, finished_attempts


def instructor(name):
    user = UserFactory(username=name, is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cohort(mls):
    teacher = instructor("tess")
    group = Cohort.objects.create(name="Spring class")
    group.instructors.add(teacher)
    return group


def join(user, cohort):
    return client_for(user).post(reverse("quiz:cohort_join"), {"code": cohort.join_code.lower()})


def test_a_learner_joins_with_the_code_and_a_wrong_code_joins_nothing(cohort, learner):
    response = join(learner, cohort)
    assert response["Location"] == reverse("quiz:home")
    assert list(cohort.members.all()) == [learner]
    other = UserFactory(username="otto")
    client_for(other).post(reverse("quiz:cohort_join"), {"code": "NOPE1234"})
    assert other not in cohort.members.all()


def test_a_closed_cohort_cannot_be_joined(cohort, learner):
    cohort.end_date = timezone.now().date().replace(year=2020)
    cohort.save()
    join(learner, cohort)
    assert not cohort.members.exists()


def test_the_cohort_page_shows_members_mastery_weak_topics_and_missed_questions(cohort, mls):
    teacher = cohort.instructors.get()
    for n in range(5):
        member = UserFactory(username=f"member{n}")
        join(member, cohort)
        finished_attempts(member, mls, 2, now=timezone.now())
    html = client_for(teacher).get(reverse("quiz:cohort", args=[cohort.pk])).content.decode()
    assert html.count('<th scope="row">member') == 5
    assert "Mastery by domain" in html and 'role="img"' in html
    assert "3.2 Select the appropriate model" in html  # every member got it wrong


def test_the_cohort_page_queries_do_not_grow_with_members(
    cohort, mls, django_assert_max_num_queries
):
    teacher = client_for(cohort.instructors.get())
    url = reverse("quiz:cohort", args=[cohort.pk])
    for size in (1, 12):
        for n in range(size):
            member = UserFactory(username=f"m{size}-{n}")
            join(member, cohort)
            finished_attempts(member, mls, 2, now=timezone.now())
        with django_assert_max_num_queries(10):
            assert teacher.get(url).status_code == 200


def test_only_the_cohorts_instructors_see_it(cohort, learner):
    join(learner, cohort)
    url = reverse("quiz:cohort", args=[cohort.pk])
    assert client_for(instructor("ursula")).get(url).status_code == 404
    assert client_for(learner).get(url).status_code == 404
    assert client_for(learner).get(reverse("quiz:cohort_csv", args=[cohort.pk])).status_code == 404
    assert client_for(cohort.instructors.get()).get(url).status_code == 200


def test_an_instructor_sees_only_their_cohorts_in_the_admin(cohort):
    other = Cohort.objects.create(name="Autumn class")
    other.instructors.add(instructor("uma"))
    html = client_for(cohort.instructors.get()).get("/admin/quiz/cohort/").content.decode()
    assert "Spring class" in html and "Autumn class" not in html


def test_a_learner_never_sees_another_learners_data(cohort, learner, mls):
    join(learner, cohort)
    other = UserFactory(username="zed")
    join(other, cohort)
    finished_attempts(other, mls, 1, now=timezone.now())
    html = client_for(learner).get("/").content.decode()
    assert "zed" not in html


def test_the_csv_export_has_a_row_per_member(cohort, mls):
    for n in range(3):
        join(UserFactory(username=f"c{n}"), cohort)
    response = client_for(cohort.instructors.get()).get(
        reverse("quiz:cohort_csv", args=[cohort.pk])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["learner", "mocks", "readiness"]
    assert [row[0] for row in rows[1:]] == ["c0", "c1", "c2"]


def test_instructor_home_links_what_an_instructor_needs(cohort, db):
    html = client_for(cohort.instructors.get()).get(reverse("quiz:instructor")).content.decode()
    for text in ["Item analysis", "Learners’ reports", "Bank report", "Spring class"]:
        assert text in html
    assert (
        client_for(UserFactory(username="lee")).get(reverse("quiz:instructor")).status_code == 404
    )
    bank = client_for(cohort.instructors.get()).get(reverse("quiz:bank_report"))
    assert "Questions:" in bank.content.decode()


def test_the_anki_deck_of_missed_questions_downloads(client_in, learner, mls):
    fill_bank(mls, {"1": 14, "2": 17, "3": 24, "4": 14})
    mock = services.start_attempt(user=learner, blueprint=mls, now=timezone.now())
    services.submit_attempt(attempt=mock, now=timezone.now())
    response = client_in.get(reverse("quiz:anki"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client_in.get(reverse("quiz:anki"), {"topic": "9.9"}).status_code == 400
