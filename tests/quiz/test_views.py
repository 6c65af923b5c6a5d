import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from quiz import services
from quiz.models import Attempt
from tests.factories import one_topic_blueprint

HTMX = {"HX-Request": "true"}


@pytest.fixture
def attempt(client_in, learner, mls, bank):
    response = client_in.post(reverse("quiz:start"))
    attempt = Attempt.objects.get(user=learner)
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz:question", args=[attempt.pk, 1])
    return attempt


def q_url(attempt, position, action=None):
    name = f"quiz:{action}" if action else "quiz:question"
    return reverse(name, args=[attempt.pk, position])


def correct(item):
    return sorted(item.correct_indexes)


def test_landing_page_links_sign_up_and_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert ">Sign up</a>" in html and ">Log in</a>" in html


def test_sign_up_logs_in_and_lands_on_home(client, mls):
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("quiz:home")
    assert "Start full mock exam" in response.content.decode()


def test_sign_up_with_mismatched_passwords_shows_the_error(client, db):
    response = client.post(
        reverse("signup"), {"username": "x", "password1": "a-long-pass", "password2": "other-pass"}
    )
    assert response.status_code == 400
    assert "didn’t match" in response.content.decode()


def test_start_requires_login(client, mls):
    response = client.post(reverse("quiz:start"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_start_with_too_small_bank_explains_and_starts_nothing(client_in, mls):
    response = client_in.post(reverse("quiz:start"))
    assert response.status_code == 409
    assert "has 0 published questions" in response.content.decode()
    assert not Attempt.objects.exists()


def test_exam_page_has_the_accessible_parts(client_in, attempt):
    html = client_in.get(q_url(attempt, 1)).content.decode()
    assert "Question 1 of 65" in html
    assert 'role="timer"' in html
    assert "3:00:00" in html or "2:59:5" in html
    assert ">Previous</button>" in html and ">Next</button>" in html
    assert 'aria-pressed="false"' in html and "Flag for review" in html
    assert "Review and submit" in html
    assert html.count('name="choice"') == len(attempt.items.get(position=1).choices)


def test_plain_post_saves_and_moves_to_next(client_in, attempt):
    item = attempt.items.get(position=1)
    response = client_in.post(
        q_url(attempt, 1, "answer"), {"position": 1, "choice": correct(item), "go": "next"}
    )
    assert response["Location"] == q_url(attempt, 2)
    item.refresh_from_db()
    assert item.selected == correct(item)
    page = client_in.get(q_url(attempt, 1)).content.decode()
    for index in correct(item):
        assert re.search(rf'value="{index}" id="choice-{index}" checked', page)


@pytest.mark.parametrize(
    "action, data", [("answer", {"position": 2, "choice": 0}), ("flag", {"flagged": 1})]
)
def test_a_post_to_an_attempt_deleted_meanwhile_is_a_404_not_a_500(
    client_in, attempt, monkeypatch, action, data
):
    lock = services._lock

    def deleted_first(found):  # deleted after the item was read, before the lock
        Attempt.objects.filter(pk=found.pk).delete()
        return lock(found)

    monkeypatch.setattr(services, "_lock", deleted_first)
    response = client_in.post(q_url(attempt, 2, action), data, headers=HTMX)
    assert response.status_code == 404
    assert Attempt.objects.filter(pk=attempt.pk).exists()  # the deletion was rolled back with it
    Attempt.objects.filter(pk=attempt.pk).delete()
    with pytest.raises(Attempt.DoesNotExist, match=rf"^Attempt {attempt.pk} no longer exists\.$"):
        lock(attempt)


def test_htmx_autosave_returns_status_and_its_navigator_button(client_in, attempt):
    item = attempt.items.get(position=2)
    response = client_in.post(
        q_url(attempt, 2, "answer"), {"position": 2, "choice": correct(item)}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answer saved." in html
    assert "Answered 1 of 65" in html
    post = q_url(attempt, 2, "answer")
    # Only this question's button, swapped into the navigator in place of its old self.
    assert (
        f'<button id="nav-2" form="answer-form" name="go" value="2" hx-post="{post}" '
        'class="nav-item answered" aria-label="Question 2, answered" aria-current="step" '
        'hx-swap-oob="true">2</button>'
    ) in html
    assert html.count("<button") == 1 and 'id="navigator"' not in html


@pytest.mark.parametrize("go, shown", [("next", 3), ("prev", 1), ("40", 40)])
def test_previous_next_and_the_navigator_save_then_bring_the_question_in_place(
    client_in, attempt, go, shown
):
    item = attempt.items.get(position=2)
    response = client_in.post(
        q_url(attempt, 2, "answer"),
        {"position": 2, "choice": correct(item), "go": go},
        headers={**HTMX, "HX-Trigger-Name": "go"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == q_url(attempt, shown)
    assert f"<title>Question {shown} of 65 · mlsprep</title>" in html
    assert f'<h1 id="question-heading" tabindex="-1">Question {shown} of 65</h1>' in html
    assert f'action="{q_url(attempt, shown, "answer")}"' in html
    assert 'id="navigator" class="navigator" aria-label="Questions" hx-swap-oob="true"' in html
    assert f'value="{shown}" hx-post="{q_url(attempt, shown, "answer")}"' in html
    assert re.search(rf'aria-label="Question {shown}, unanswered" aria-current="step">', html)
    assert 'aria-label="Question 2, answered">2<' in html and "Answered 1 of 65" in html
    assert attempt.items.get(position=2).selected == correct(item)
    attempt.refresh_from_db()
    assert attempt.last_position == shown


def test_an_autosave_that_carries_a_button_value_only_saves(client_in, attempt):
    """A change saved while Next had the keyboard focus carries go=next: it saves, the
    learner stays on the question."""
    response = client_in.post(
        q_url(attempt, 2, "answer"), {"position": 2, "choice": "0", "go": "next"}, headers=HTMX
    )
    assert response.status_code == 200 and "HX-Push-Url" not in response
    assert response.content.decode().startswith("Answer saved")
    assert 'id="question-heading"' not in response.content.decode()
    assert attempt.items.get(position=2).selected == [0]


def test_review_and_submit_is_a_plain_post_even_with_htmx_on_the_page(client_in, attempt):
    response = client_in.get(q_url(attempt, 3))
    review = re.search(
        r'<button class="button primary" name="go" value="review"[^>]*>', response.content.decode()
    )
    assert review and "hx-post" not in review.group(0)


def test_review_and_submit_saves_then_opens_the_review_screen(client_in, attempt):
    data = {"position": 3, "choice": "0", "go": "review"}
    response = client_in.post(q_url(attempt, 3, "answer"), data)
    assert response["Location"] == reverse("quiz:finish", args=[attempt.pk])


def test_navigator_jump_saves_then_goes(client_in, attempt):
    item = attempt.items.get(position=1)
    response = client_in.post(
        q_url(attempt, 1, "answer"), {"position": 1, "choice": correct(item), "go": "40"}
    )
    assert response["Location"] == q_url(attempt, 40)


def test_flag_htmx_and_plain(client_in, attempt):
    response = client_in.post(q_url(attempt, 5, "flag"), {"flagged": "1"}, headers=HTMX)
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    # The navigator's button of this question, now flagged, swapped in out of band.
    assert re.search(
        r'<button id="nav-5" [^>]*class="nav-item unanswered flagged" '
        r'aria-label="Question 5, unanswered, flagged" aria-current="step" hx-swap-oob="true">',
        html,
    )
    assert attempt.items.get(position=5).flagged
    response = client_in.post(q_url(attempt, 5, "flag"), {"flagged": "0"})
    assert response["Location"] == q_url(attempt, 5)
    assert not attempt.items.get(position=5).flagged


@pytest.mark.parametrize(
    "data",
    [
        {"choice": "abc"},
        {"choice": "99"},
        {"choice": ["0", "1"], "go": "next"},
        {"choice": [str(i) for i in range(7)]},
        {"choice": "0", "go": "nowhere"},
        {"choice": "0", "go": "999"},
        {"choice": "0", "go": "²"},
        {"choice": "0", "go": "9" * 5000},
        {"choice": "0", "position": "1" * 5000},
        {"choice": "0", "position": None},
    ],
)
def test_tampered_answer_form_is_a_400_and_changes_nothing(client_in, attempt, data):
    single = attempt.items.filter(kind="single").first()
    data = {"position": single.position, **data}
    data = {key: value for key, value in data.items() if value is not None}
    response = client_in.post(q_url(attempt, single.position, "answer"), data)
    assert response.status_code == 400
    single.refresh_from_db()
    assert single.selected == []


def test_tampered_flag_and_position_are_4xx(client_in, attempt):
    assert client_in.post(q_url(attempt, 1, "flag"), {"flagged": "yes"}).status_code == 400
    assert (
        client_in.post(q_url(attempt, 66, "answer"), {"position": 66, "choice": "0"}).status_code
        == 404
    )
    assert client_in.get(q_url(attempt, 0)).status_code == 404
    assert client_in.get(reverse("quiz:question", args=[attempt.pk, 66])).status_code == 404


def test_get_on_post_only_endpoints_is_405(client_in, attempt):
    assert client_in.get(q_url(attempt, 1, "answer")).status_code == 405
    assert client_in.get(reverse("quiz:submit", args=[attempt.pk])).status_code == 405


def test_another_learners_attempt_is_404_everywhere(client, attempt, other_learner):
    client.force_login(other_learner)
    urls_get = [
        q_url(attempt, 1),
        reverse("quiz:finish", args=[attempt.pk]),
        reverse("quiz:results", args=[attempt.pk]),
    ]
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(q_url(attempt, 1, "answer"), {"position": 1, "choice": "0"}).status_code == 404
    )
    assert client.post(q_url(attempt, 1, "flag"), {"flagged": "1"}).status_code == 404
    assert client.post(reverse("quiz:submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_in_progress
    assert not attempt.items.filter(flagged=True).exists()


def test_late_answer_htmx_gets_409_and_plain_post_goes_to_results(client_in, attempt):
    late = attempt.deadline + timedelta(seconds=settings.EXAM_GRACE_SECONDS + 1)
    with time_machine.travel(late, tick=False):
        response = client_in.post(
            q_url(attempt, 1, "answer"), {"position": 1, "choice": "0"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "time ran out" in response.content.decode()
        response = client_in.post(
            q_url(attempt, 2, "answer"), {"position": 2, "choice": "0", "go": "next"}
        )
        assert response["Location"] == reverse("quiz:results", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.EXPIRED
    assert not attempt.items.exclude(selected=[]).exists()


def test_opening_an_expired_attempt_closes_it_and_shows_results(client_in, attempt):
    with time_machine.travel(attempt.deadline + timedelta(minutes=5), tick=False):
        response = client_in.get(q_url(attempt, 1))
    assert response["Location"] == reverse("quiz:results", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.EXPIRED


def test_review_screen_lists_flagged_and_incomplete_first_then_unanswered(client_in, attempt):
    multiple = attempt.items.filter(kind="multiple").exclude(position__in=[3, 7, 9]).first()
    for item in attempt.items.exclude(position__in=[7, 9]):
        picks = [0] if item == multiple else correct(item)
        services.answer_item(item=item, selected=picks, now=attempt.started_at)
    services.flag_item(item=attempt.items.get(position=3), flagged=True, now=attempt.started_at)
    url = reverse("quiz:finish", args=[attempt.pk])
    html = client_in.get(url).content.decode()
    order = [int(n) for n in re.findall(r">Question (\d+)</a>", html)]
    assert order[:4] == sorted([3, multiple.position]) + [7, 9]
    assert "2 unanswered · 1 incomplete · 1 flagged · 65 questions" in html
    assert html.count(">Submit exam</button>") == 3  # top, bottom and in the dialog
    assert "Return to exam" in html
    for show, expected in [("unanswered", [7, 9]), ("incomplete", [multiple.position]),
                           ("flagged", [3])]:  # fmt: skip
        shown = client_in.get(url, {"show": show}).content.decode()
        assert [int(n) for n in re.findall(r">Question (\d+)</a>", shown)] == expected
    assert client_in.get(url, {"show": "nope"}).status_code == 400


def test_submit_asks_first_and_nothing_is_scored_until_confirmed(client_in, attempt):
    response = client_in.post(reverse("quiz:submit", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Submit the exam?" in html
    assert "<strong>65</strong> unanswered" in html
    assert Attempt.objects.get().is_in_progress


def test_submit_shows_results_with_four_domains(client_in, attempt):
    url = reverse("quiz:submit", args=[attempt.pk])
    response = client_in.post(url, {"confirm": "1"}, follow=True)
    html = response.content.decode()
    assert "<h1>Results</h1>" in html
    assert "Fail" in html and ">100<" in html
    for name in ["Data Engineering", "Exploratory Data Analysis", "Modeling", "Operations"]:
        assert name in html
    assert client_in.post(url, {"confirm": "1"}).status_code == 302
    assert Attempt.objects.get().state == Attempt.State.SUBMITTED


def test_results_of_attempt_in_progress_redirects_to_review_screen(client_in, attempt):
    response = client_in.get(reverse("quiz:results", args=[attempt.pk]))
    assert response["Location"] == reverse("quiz:finish", args=[attempt.pk])


def forbidden_texts(attempt):
    texts = set()
    for item in attempt.items.all():
        texts.add(item.explanation)
        texts.update(choice["why"] for choice in item.choices)
    return texts


def test_no_key_or_explanation_reaches_the_browser_during_the_attempt(client_in, attempt):
    """Walks every page and partial of an in-progress attempt looking for the key."""
    forbidden = forbidden_texts(attempt)
    assert len(forbidden) > 65
    markers = re.compile(r"correct|is_correct|data-key|\bwhy\b|explanation", re.IGNORECASE)
    responses = [
        client_in.get(reverse("quiz:home")),
        client_in.get(reverse("quiz:finish", args=[attempt.pk])),
    ]
    for item in attempt.items.all():
        responses.append(client_in.get(q_url(attempt, item.position)))
        responses.append(client_in.get(q_url(attempt, item.position), headers=HTMX))
        responses.append(
            client_in.post(
                q_url(attempt, item.position, "answer"),
                {"position": item.position, "choice": "0"},
                headers=HTMX,
            )
        )
        responses.append(
            client_in.post(q_url(attempt, item.position, "flag"), {"flagged": "1"}, headers=HTMX)
        )
    for response in responses:
        assert response.status_code == 200
        html = response.content.decode()
        leaked = [text for text in forbidden if text in html]
        assert not leaked, leaked[:3]
        assert not markers.search(html), markers.search(html).group(0)


@pytest.mark.parametrize("size", [10, 65, 200])
def test_exam_page_and_answer_save_queries_do_not_grow_with_exam_length(
    client_in, learner, size, django_assert_num_queries
):
    blueprint = one_topic_blueprint(size)
    attempt = services.start_attempt(user=learner, blueprint=blueprint, now=_now())
    # The session is read from the database, or from the cache with REDIS_URL set.
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(session + 2):  # (session), user, the item with its attempt
        assert client_in.get(q_url(attempt, size // 2)).status_code == 200
    # (session), user, item; the lock, the item's and the attempt's update (and the savepoint
    # pair the test's own transaction turns the atomic block into)
    with django_assert_num_queries(session + 7):
        response = client_in.post(
            q_url(attempt, 2, "answer"), {"position": 2, "choice": "0"}, headers=HTMX
        )
        assert response.status_code == 200
    with django_assert_num_queries(session + 8):  # and the question moved to, for htmx
        response = client_in.post(
            q_url(attempt, 2, "answer"),
            {"position": 2, "choice": "0", "go": "next"},
            headers={**HTMX, "HX-Trigger-Name": "go"},
        )
        assert response.status_code == 200
    with django_assert_num_queries(session + 7):
        assert (
            client_in.post(
                q_url(attempt, 2, "answer"), {"position": 2, "choice": "0", "go": "next"}
            ).status_code
            == 302
        )


def _now():
    from django.utils import timezone

    return timezone.now()
