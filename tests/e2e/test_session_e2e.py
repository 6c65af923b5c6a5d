"""A session that ends mid-exam: the learner is told, nothing saved is lost, and logging in
returns to the same question."""

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.e2e.test_exam_e2e import (
    PASSWORD,
    answer_current,
    choices,
    sign_up,
    start_mock,
)


def test_an_autosave_after_the_session_ended_says_so_and_log_in_returns(
    page, shipped_bank, screenshot
):
    sign_up(page, "sleepy")
    start_mock(page)
    answer_current(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 65")).to_be_visible()
    question_url = page.url

    Session.objects.all().delete()  # the session ends (expired, or logged out elsewhere)
    choices(page).first.check()
    alert = page.locator("#connection-status")
    expect(alert).to_have_text(
        "You are logged out — log in to continue; your saved answers are kept."
    )
    screenshot(page, "session-ended-laptop")

    alert.get_by_role("link", name="log in to continue").click()
    page.get_by_label("Username").fill("sleepy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Question 2 of 65")).to_be_visible()
    assert page.url == question_url
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("heading", name="Question 1 of 65")).to_be_visible()
    expect(choices(page).first).to_be_checked()
