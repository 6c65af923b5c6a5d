import re

from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.test_exam_e2e import (
    answer_current,
    assert_accessible,
    sign_up,
    start_mock,
    submit_exam,
)


def topic_evidence(page, code):
    row = page.locator(
        ".mastery-table tr", has=page.locator(f"th:text-matches('^{re.escape(code)} ')")
    )
    return row.locator("td").nth(1).inner_text()


def test_exam_review_dashboard_practice_loop(page, shipped_bank, screenshot):
    sign_up(page, "lee")
    start_mock(page)
    for position in range(1, 6):
        expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()
        answer_current(page)
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 6 of 65")).to_be_visible()
    page.get_by_role("button", name="Review and submit").click()
    submit_exam(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()

    page.get_by_role("link", name="Review answers").click()
    expect(page.get_by_role("heading", name="Review answers")).to_be_visible()
    correct = int(re.search(r"(\d+) of 65 correct", page.locator("main").inner_text()).group(1))
    filters = page.get_by_role("navigation", name="Filter questions")
    filters.get_by_role("link", name="Incorrect").click()
    wrong = 5 - correct
    expect(page.get_by_role("status").first).to_have_text(
        f"{wrong} question{'' if wrong == 1 else 's'} shown."
    )
    verdicts = page.locator(".verdict-tag:not(.flag-tag)")
    expect(verdicts).to_have_count(wrong)
    assert set(verdicts.all_inner_texts()) <= {"Incorrect"}
    filters.get_by_role("link", name="Unanswered").click()
    expect(page.get_by_role("status").first).to_have_text("60 questions shown.")
    assert set(verdicts.all_inner_texts()) == {"Unanswered"}
    expect(page.get_by_text("Correct answer").first).to_be_visible()
    assert_accessible(page, "review")

    page.get_by_role("link", name="mlsprep").click()
    weak = page.get_by_role("region", name="Weakest topics")
    expect(weak.get_by_role("button", name="Practise this topic")).to_have_count(3)
    first_topic = weak.locator("h3").first.inner_text()
    code = first_topic.split()[0]
    before = topic_evidence(page, code)
    assert_accessible(page, "dashboard")

    weak.get_by_role("button", name="Practise this topic").first.click()
    expect(page.get_by_text(f"Topic practice: {first_topic}")).to_be_visible()
    assert_accessible(page, "practice question")
    page.locator("#practice-area input[name=choice]").first.check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#feedback")).to_have_text(re.compile(r"^(Correct\.|Not quite)"))
    expect(page.locator("#feedback")).to_be_focused()
    expect(page.locator("#feedback")).to_be_in_viewport()
    expect(page.get_by_text("Correct answer").first).to_be_visible()
    expect(page.locator(".explanation")).to_be_visible()
    assert_accessible(page, "practice feedback")
    page.get_by_role("button", name="Finish topic practice").click()
    expect(page.get_by_role("region", name="Score")).to_contain_text("answered correctly")
    page.get_by_role("link", name="Back to your dashboard").click()

    expect(page.get_by_role("heading", name="Your exams")).to_be_visible()
    after = topic_evidence(page, code)
    answered_before = int(re.search(r"of (\d+)", before).group(1))
    answered_after = int(re.search(r"of (\d+)", after).group(1))
    assert answered_after == answered_before + 1, (before, after)
    expect(page.get_by_role("region", name="Practice, quizzes and reviews")).to_be_visible()


def test_demo_dashboard_on_a_phone_and_a_laptop(browser, live_server, shipped_bank, screenshot):
    call_command("seed_demo", verbosity=0)
    for name, viewport in [
        ("phone", {"width": 390, "height": 844}),
        ("laptop", {"width": 1280, "height": 900}),
    ]:
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username:").fill("demo")
        page.get_by_label("Password:").fill("demo-pass-2026")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Readiness estimate")).to_be_visible()
        expect(page.get_by_role("region", name="Weakest topics").locator("li")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert_accessible(page, f"demo dashboard on a {name}")
        screenshot(page, f"dashboard-{name}")
        context.close()
