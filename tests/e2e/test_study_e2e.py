"""A timed quiz of one domain, a retake of what was missed, and the misses back on the day
they are due."""

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from quiz.models import Attempt, ReviewCard
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_exam_e2e import assert_accessible, sign_up

MISSED = {1, 2, 3, 4}


def answer(page, attempt, position, *, right):
    """Pick the key (or, to miss it, options that are not the key) of the question shown."""
    item = attempt.items.get(position=position)
    key = sorted(item.correct_indexes)
    wrong = [i for i in range(len(item.choices)) if i not in item.correct_indexes]
    picks = key if right else wrong[: len(key)]
    for index in picks:
        page.locator(f"input[name=choice][value='{index}']").check()


def test_domain_quiz_retake_and_due_for_review(page, shipped_bank, screenshot):
    with time_machine.travel(timezone.now(), tick=True) as clock:
        sign_up(page, "sam")
        page.get_by_role("link", name="Build a quiz").click()
        page.get_by_label("Data Engineering").check()
        page.get_by_role("spinbutton", name="Questions").fill("10")
        page.get_by_label("Timed at the exam's pace").check()
        assert_accessible(page, "quiz builder")
        screenshot(page, "quiz-builder-laptop")
        page.get_by_role("button", name="Start quiz").click()

        quiz = Attempt.objects.get(user__username="sam")
        assert quiz.mode == Attempt.Mode.QUIZ and quiz.deadline is not None
        assert quiz.items.count() == 10
        assert set(quiz.items.values_list("topic__domain__name", flat=True)) == {"Data Engineering"}
        for position in range(1, 11):
            expect(page.get_by_role("heading", name=f"Question {position} of 10")).to_be_visible()
            answer(page, quiz, position, right=position not in MISSED)
            expect(page.locator("#save-status")).to_have_text("Answer saved.")
            if position < 10:
                page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Review and submit").click()
        page.get_by_role("button", name="Submit quiz").first.click()
        dialog = page.get_by_role("dialog", name="Submit the quiz?")
        dialog.get_by_role("button", name="Submit quiz").click()
        expect(page.get_by_role("heading", name="Results")).to_be_visible()
        expect(page.get_by_text("6 of 10")).to_be_visible()
        missed_ids = set(
            quiz.items.filter(position__in=MISSED).values_list("question_id", flat=True)
        )

        page.get_by_role("button", name="Retake my missed").click()
        retake = Attempt.objects.filter(user__username="sam").latest("started_at")
        assert retake.instant_feedback
        assert set(retake.items.values_list("question_id", flat=True)) == missed_ids
        for position in range(1, len(MISSED) + 1):
            heading = f"Question {position} of {len(MISSED)}"
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
            answer(page, retake, position, right=False)
            page.get_by_role("button", name="Check answer").click()
            expect(page.locator("#feedback")).to_contain_text("Not quite")
            if position < len(MISSED):
                page.get_by_role("link", name="Next question").click()
        page.get_by_role("button", name="Finish custom quiz").click()
        page.get_by_role("link", name="Back to your dashboard").click()

        due = page.locator(".due")
        expect(due).to_contain_text("Due for review: 0")
        clock.shift(timedelta(hours=23))
        page.reload()
        expect(due).to_contain_text("Due for review: 0")
        clock.shift(timedelta(hours=1, minutes=1))
        page.reload()
        expect(due).to_contain_text(f"Due for review: {len(MISSED)}")
        assert_accessible(page, "dashboard with questions due")
        screenshot(page, "due-for-review-laptop")
        page.get_by_role("button", name="Review now").click()
        review = Attempt.objects.filter(user__username="sam").latest("started_at")
        assert review.mode == Attempt.Mode.REVIEW
        assert set(review.items.values_list("question_id", flat=True)) == missed_ids
        assert set(ReviewCard.objects.values_list("question_id", flat=True)) == missed_ids


def test_dashboard_with_history_on_a_phone_and_a_laptop(
    browser,
    live_server,
    shipped_bank,
    screenshot,
):
    call_command("seed_demo", verbosity=0)
    for width, height, name in ((1280, 900, "laptop"), (390, 844, "phone")):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo-pass-2026")
        page.get_by_role("button", name="Log in").click()
        chart = page.get_by_role("img", name="Scaled score over your")
        expect(chart).to_contain_text(" to ")
        expect(page.locator(".chart text.date")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"dashboard with history ({name})")
        screenshot(page, f"dashboard-history-{name}")
        chart.screenshot(path=str(SCREENSHOTS / f"score-trend-{name}.png"))
        page.goto("/history/")
        expect(page.get_by_role("heading", name="Your history")).to_be_visible()
        expect(page.locator(".review-link")).to_have_count(6)
        expect(page.get_by_role("link", name="Mock exam")).to_have_count(4)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"history ({name})")
        screenshot(page, f"history-{name}")
        page.goto("/quiz/new/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"quiz builder ({name})")
        screenshot(page, f"quiz-builder-{name}")
        context.close()
