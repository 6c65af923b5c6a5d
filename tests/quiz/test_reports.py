"""Learners report problems with questions; instructors triage them; learners see replies."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from questions.models import Report
from quiz import services
from tests.factories import UserFactory, one_topic_blueprint

HTMX = {"HX-Request": "true"}


@pytest.fixture
def finished(learner):
    blueprint = one_topic_blueprint(10)
    mock = services.start_attempt(user=learner, blueprint=blueprint, now=timezone.now())
    services.submit_attempt(attempt=mock, now=timezone.now())
    return mock


def report_url(attempt, position=1):
    return reverse("quiz:report", args=[attempt.pk, position])


def test_a_learner_reports_a_problem_from_the_review(client_in, finished):
    review = client_in.get(reverse("quiz:review", args=[finished.pk])).content.decode()
    assert "Report a problem" in review
    data = {"reason": "wrong_key", "text": "Option 2 is right per the docs."}
    response = client_in.post(report_url(finished), data, headers=HTMX)
    assert "your report is with the instructors" in response.content.decode()
    report = Report.objects.get()
    item = finished.items.get(position=1)
    assert (report.question_id, report.reason, report.status) == (
        item.question_id, "wrong_key", "new"
    )  # fmt: skip
    again = client_in.post(report_url(finished), data, headers=HTMX)
    assert "already reported" in again.content.decode() and Report.objects.count() == 1


def test_an_instructor_triages_and_the_learner_sees_the_reply(client_in, finished):
    client_in.post(report_url(finished), {"reason": "typo"})
    report = Report.objects.get()
    instructor = UserFactory(username="ines", is_staff=True)
    instructor.groups.add(Group.objects.get(name="Instructors"))
    staff = Client()
    staff.force_login(instructor)
    listing = staff.get(reverse("admin:questions_question_changelist"), {"reports": "open"})
    change = reverse("admin:questions_question_change", args=[report.question_id])
    assert change in listing.content.decode()
    url = reverse("admin:questions_report_change", args=[report.pk])
    response = staff.post(url, {"status": "fixed", "reply": "Thanks, the typo is fixed."})
    assert response.status_code == 302
    review = client_in.get(reverse("quiz:review", args=[finished.pk])).content.decode()
    assert "Your report:</strong> A typo or broken wording · Fixed" in review
    assert "Thanks, the typo is fixed." in review
    listing = staff.get(reverse("admin:questions_question_changelist"), {"reports": "open"})
    change = reverse("admin:questions_question_change", args=[report.question_id])
    assert change not in listing.content.decode()


@pytest.mark.parametrize("data", [{}, {"reason": "spam"}, {"reason": "other", "text": "x" * 2001}])
def test_a_tampered_report_is_a_400(client_in, finished, data):
    assert client_in.post(report_url(finished), data).status_code == 400
    assert not Report.objects.exists()


def test_reports_are_throttled(client_in, finished, settings):
    settings.THROTTLES = {**settings.THROTTLES, "report": "2/h"}
    for position in (1, 2):
        client_in.post(report_url(finished, position), {"reason": "unclear"})
    assert client_in.post(report_url(finished, 3), {"reason": "unclear"}).status_code == 429
    assert Report.objects.count() == 2


def test_another_learners_attempt_cannot_be_reported_on(finished, other_learner):
    client = Client()
    client.force_login(other_learner)
    assert client.post(report_url(finished), {"reason": "typo"}).status_code == 404
