"""Exam day in Chromium: the start page, incomplete multiple response, strike-through that
survives a reload, the review screen's filters, the way back, submitting with a confirmation,
discarding, and a mock run to zero."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from quiz.models import Attempt
from tests.e2e.test_exam_e2e import (
    answer_current,
    assert_accessible,
    choices,
    sign_up,
    start_mock,
    submit_exam,
)


def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    return context.new_page()


def fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
        " > 390).slice(0, 3).map(e => e.tagName + '.' + e.className)"
    )
    assert width <= 390, f"page is {width}px wide on a 390px screen: {wide}"


def go_to(page, position):
    page.get_by_role("navigation", name="Questions").get_by_role(
        "button", name=re.compile(rf"^Question {position},")
    ).click()
    expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()


def test_exam_day_from_the_start_page_to_a_confirmed_submit(page, shipped_bank, screenshot):
    sign_up(page, "dana")
    page.get_by_role("button", name="Start full mock exam").click()
    expect(page.get_by_role("heading", name="Full mock exam: before you begin")).to_be_visible()
    assert not Attempt.objects.exists()  # the clock has not started
    assert_accessible(page, "start page")
    screenshot(page, "start-laptop")
    page.get_by_role("button", name="Begin exam").click()
    expect(page.get_by_role("heading", name="Question 1 of 65")).to_be_visible()
    expect(page.get_by_role("heading", name="Question 1 of 65")).to_be_focused()

    attempt = Attempt.objects.get(user__username="dana")
    # Two "Choose TWO." questions (the bank also has some that choose three)
    first, second = [i.position for i in attempt.items.filter(kind="multiple", required=2)[:2]]

    go_to(page, first)
    choices(page).first.check()
    expect(page.locator("#save-status")).to_have_text("Answer saved — incomplete: 1 of 2 selected.")
    expect(page.locator("#pick-count")).to_have_text("1 of 2 selected · Incomplete")
    expect(page.get_by_role("button", name=f"Question {first}, incomplete")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Answered 0 of 65 · 1 incomplete"))).to_be_visible()

    page.get_by_role("button", name="Strike out 3").click()
    expect(page.get_by_role("button", name="Restore 3")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flag for review")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.reload()
    expect(page.get_by_role("button", name="Restore 3")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Flag for review")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(choices(page).first).to_be_checked()
    assert_accessible(page, "exam with a struck option")
    screenshot(page, "exam-strike-laptop")

    go_to(page, second)
    choices(page).nth(0).check()
    choices(page).nth(1).check()
    expect(page.locator("#pick-count")).to_have_text("2 of 2 selected")
    choices(page).nth(2).click()  # a third pick on a "Choose TWO." question
    expect(page.locator("#save-status")).to_have_text(
        "Choose at most 2; your earlier selection is kept."
    )
    expect(page.locator("#answer-form input[name=choice]:checked")).to_have_count(2)
    expect(page.locator("#pick-count")).to_have_text("2 of 2 selected")
    assert attempt.items.get(position=second).selected == [0, 1]

    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(
        page.get_by_text("63 unanswered · 1 incomplete · 1 flagged · 65 questions")
    ).to_be_visible()
    rows = page.locator(".review-list li a")
    expect(rows.first).to_have_text(f"Question {first}")
    page.get_by_role("link", name=re.compile(r"^Incomplete \(1\)")).click()
    expect(rows).to_have_count(1)
    page.get_by_role("link", name=re.compile(r"^Unanswered \(63\)")).click()
    expect(rows).to_have_count(63)
    page.get_by_role("link", name=re.compile(r"^Flagged \(1\)")).click()
    expect(rows).to_have_text([f"Question {first}"])
    assert_accessible(page, "review screen")
    screenshot(page, "review-screen-laptop")

    page.get_by_role("link", name="Return to exam").first.click()
    expect(page.get_by_role("heading", name=f"Question {second} of 65")).to_be_visible()
    page.get_by_role("button", name="Review and submit").click()

    page.get_by_role("button", name="Submit exam").first.click()
    dialog = page.get_by_role("dialog", name="Submit the exam?")
    expect(dialog).to_contain_text("63 unanswered")
    expect(dialog).to_contain_text("1 incomplete")
    expect(dialog).to_contain_text("1 flagged")
    screenshot(page, "submit-dialog-laptop")
    dialog.get_by_role("button", name="Keep reviewing").click()
    expect(dialog).to_be_hidden()
    attempt.refresh_from_db()
    assert attempt.is_in_progress
    submit_exam(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_role("heading", name="Pace")).to_be_visible()
    expect(page.locator(".pace-verdict")).to_contain_text("Too few answers to judge your pace")
    assert_accessible(page, "results with pace")
    screenshot(page, "results-pace-laptop")


def test_results_show_the_pace_from_the_time_spent(page, shipped_bank, screenshot):
    with time_machine.travel(timezone.now(), tick=True) as clock:
        sign_up(page, "paz")
        start_mock(page)
        for position in range(1, 13):
            expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()
            clock.shift(timedelta(seconds=210))  # three and a half minutes on each
            answer_current(page)
            page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Review and submit").click()
        submit_exam(page)
        expect(page.get_by_role("heading", name="Results")).to_be_visible()
        expect(page.locator(".pace-verdict")).to_contain_text(
            "Slower than the exam's pace: 3.5 min a question against 2.8"
        )
        assert_accessible(page, "results with a pace verdict")
        screenshot(page, "results-slow-pace-laptop")


def test_exam_day_pages_on_a_phone(browser, live_server, shipped_bank, screenshot):
    page = phone(browser, live_server)
    sign_up(page, "phoebe")
    page.get_by_role("button", name="Start full mock exam").click()
    fits_phone(page)
    screenshot(page, "start-phone")
    page.get_by_role("button", name="Begin exam").click()
    page.get_by_role("button", name="Strike out 2").click()
    expect(page.get_by_role("button", name="Restore 2")).to_be_visible()
    fits_phone(page)
    screenshot(page, "exam-strike-phone")
    page.get_by_role("button", name="Review and submit").click()
    fits_phone(page)
    assert_accessible(page, "review screen on a phone")
    screenshot(page, "review-screen-phone")
    submit_exam(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    fits_phone(page)
    screenshot(page, "results-pace-phone")


def test_a_discarded_attempt_leaves_the_dashboard_as_it_was(page, shipped_bank, screenshot):
    sign_up(page, "dora")
    before = page.locator("main").inner_text()
    start_mock(page)
    choices(page).first.check()
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Answer saved"))
    page.goto("/")
    expect(page.get_by_text(re.compile(r"answered 1 of 65"))).to_be_visible()
    page.get_by_role("button", name="Discard attempt").click()
    expect(page.get_by_role("heading", name="Discard this attempt?")).to_be_visible()
    assert_accessible(page, "discard confirmation")
    screenshot(page, "discard-laptop")
    page.get_by_role("button", name="Discard attempt").click()
    expect(page.get_by_text("The attempt was discarded.")).to_be_visible()
    after = page.locator("main").inner_text()
    assert (
        after.replace(
            "The attempt was discarded. Your history and mastery are as before.\n", ""
        ).strip()
        == before.strip()
    )


def test_a_mock_run_to_zero_is_stored_as_expired_with_a_visible_notice(
    page, shipped_bank, screenshot
):
    sign_up(page, "tim")
    start_mock(page)
    attempt = Attempt.objects.get(user__username="tim")
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=3))
    page.reload()
    expect(page.locator("#time-warning")).to_have_text("Time is up. Your exam is being scored.")
    screenshot(page, "time-up-laptop")
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Time is up.", exact=False).first).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.EXPIRED
