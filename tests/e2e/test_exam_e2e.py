import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from quiz.models import Attempt

PASSWORD = "a-long-pass-phrase-7"


def assert_accessible(page, label):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert not serious, f"{label}: " + results.generate_report()


def sign_up(page, username="erin"):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation:").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def start_mock(page):
    """From the dashboard: the start page, then "Begin exam" starts the clock; back once the
    first question is shown (a reload or a read of the database before then races the start)."""
    page.get_by_role("button", name="Start full mock exam").click()
    expect(page.get_by_role("heading", name="Full mock exam: before you begin")).to_be_visible()
    page.get_by_role("button", name="Begin exam").click()
    expect(page.get_by_role("heading", name="Question 1 of 65")).to_be_visible()


def submit_exam(page):
    """From the review screen: "Submit exam", then confirm in the dialog."""
    page.get_by_role("button", name="Submit exam").first.click()
    dialog = page.get_by_role("dialog", name="Submit the exam?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Submit exam").click()


def choices(page):
    return page.locator("#answer-form input[name=choice]")


def answer_current(page):
    """Choose the first option, or as many as the legend asks for; wait for the autosave."""
    legend = page.locator("#answer-form legend").inner_text()
    count = {"TWO": 2, "THREE": 3}.get(re.sub(r"Choose (\w+)\.", r"\1", legend), 1)
    for index in range(count):
        choices(page).nth(index).check()
    expect(page.locator("#save-status")).to_have_text("Answer saved.")
    return count


def test_full_mock_exam_from_sign_up_to_results(page, shipped_bank, screenshot):
    sign_up(page)
    expect(page.get_by_role("heading", name="Your exams")).to_be_visible()
    assert_accessible(page, "home")
    start_mock(page)

    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(3:00:00|2:59:\d\d)$"))
    assert_accessible(page, "exam")
    screenshot(page, "exam-laptop")

    multiple_seen = 0
    for position in range(1, 66):
        expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()
        if answer_current(page) > 1:
            multiple_seen += 1
        if position in (4, 9):
            page.get_by_role("button", name="Flag for review").click()
            expect(page.get_by_role("button", name="Flag for review")).to_have_attribute(
                "aria-pressed", "true"
            )
        if position == 30:
            page.reload()
            expect(page.get_by_role("heading", name="Question 30 of 65")).to_be_visible()
            expect(choices(page).first).to_be_checked()
            expect(page.get_by_text("Answered 30 of 65")).to_be_visible()
        if position < 65:
            page.get_by_role("button", name="Next").click()
    assert multiple_seen >= 1

    navigator = page.get_by_role("navigation", name="Questions")
    navigator.get_by_role("button", name="Question 4, answered, flagged").click()
    expect(page.get_by_role("heading", name="Question 4 of 65")).to_be_visible()
    expect(choices(page).first).to_be_checked()

    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(page.get_by_text("0 unanswered · 0 incomplete · 2 flagged")).to_be_visible()
    assert_accessible(page, "review screen")
    submit_exam(page)

    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^(Pass|Fail)"))).to_be_visible()
    rows = page.get_by_role("table").first.locator("tbody tr")
    expect(rows).to_have_count(4)
    for name in ["Data Engineering", "Exploratory Data Analysis", "Modeling", "Operations"]:
        expect(page.get_by_role("table").first).to_contain_text(name)
    # Answered a second or so apart: too little time for a pace (on a fast machine), or far
    # ahead of it. The verdicts themselves are pinned in tests/quiz/test_exam_day.py.
    expect(page.locator(".pace-verdict")).to_contain_text(
        re.compile(r"^(No time was recorded|Well ahead of the exam's pace: 0\.\d min a question)")
    )
    assert_accessible(page, "results")
    screenshot(page, "results-laptop")
    attempt = Attempt.objects.get(user__username="erin")
    assert attempt.state == Attempt.State.SUBMITTED
    assert not attempt.items.filter(selected=[]).exists()


def test_three_questions_with_the_keyboard_only(page, shipped_bank):
    sign_up(page, "kim")
    page.get_by_role("button", name="Start full mock exam").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Begin exam").focus()
    page.keyboard.press("Enter")
    for position in (1, 2, 3):
        expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()
        page.keyboard.press("2")
        expect(page.locator("#save-status")).to_have_text(re.compile(r"^Answer saved"))
        if position == 2:
            page.keyboard.press("f")
            expect(page.get_by_role("button", name="Flag for review")).to_have_attribute(
                "aria-pressed", "true"
            )
        page.keyboard.press("n")
    expect(page.get_by_role("heading", name="Question 4 of 65")).to_be_visible()
    page.keyboard.press("p")
    expect(page.get_by_role("heading", name="Question 3 of 65")).to_be_visible()
    expect(choices(page).nth(1)).to_be_checked()
    attempt = Attempt.objects.get(user__username="kim")
    assert [item.selected for item in attempt.items.filter(position__lte=3)] == [[1], [1], [1]]
    assert attempt.items.get(position=2).flagged


def test_tab_order_reaches_choices_and_buttons(page, shipped_bank):
    sign_up(page, "tab")
    start_mock(page)
    choices(page).first.focus()
    page.keyboard.press("Space")
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Answer saved"))
    focused = []
    for _ in range(16):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "Next" in focused and "Review and submit" in focused


def test_sign_up_page_is_accessible_and_phone_layout_fits(
    browser, live_server, shipped_bank, screenshot
):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.goto("/accounts/signup/")
    assert_accessible(page, "sign-up")
    page.goto("/")
    screenshot(page, "home-phone")
    sign_up(page, "pip")
    start_mock(page)
    answer_current(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"page is {scroll_width}px wide on a 390px screen"
    assert_accessible(page, "exam on a phone")
    screenshot(page, "exam-phone")
    page.get_by_role("button", name="Review and submit").click()
    submit_exam(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "results-phone")
    context.close()


def test_next_brings_the_question_in_place_and_back_returns_to_the_saved_answer(
    page, shipped_bank, screenshot
):
    sign_up(page, "nav")
    start_mock(page)
    picked = answer_current(page)
    # The save and the flag each send back this question's button alone, swapped in place.
    navigator = page.get_by_role("navigation", name="Questions")
    expect(
        navigator.get_by_role("button", name="Question 1, answered", exact=True)
    ).to_have_attribute("aria-current", "step")
    page.get_by_role("button", name="Flag for review").click()
    expect(navigator.get_by_role("button", name="Question 1, answered, flagged")).to_be_visible()
    expect(navigator.get_by_role("listitem")).to_have_count(65)
    screenshot(page, "exam-flagged-laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "exam-flagged-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Flag for review").click()
    expect(navigator.get_by_role("button", name="Question 1, answered", exact=True)).to_be_visible()
    page.evaluate("window.samePage = true")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 65")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/questions/2/$"))
    expect(page).to_have_title("Question 2 of 65 · mlsprep")
    assert page.evaluate("window.samePage") is True  # swapped in place: no page load
    expect(navigator.get_by_role("button", name="Question 1, answered")).to_be_visible()
    expect(navigator.get_by_role("button", name="Question 2, unanswered")).to_have_attribute(
        "aria-current", "step"
    )
    navigator.get_by_role("button", name="Question 10, unanswered").click()
    expect(page.get_by_role("heading", name="Question 10 of 65")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/questions/10/$"))
    page.go_back()
    expect(page.get_by_role("heading", name="Question 2 of 65")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Question 1 of 65")).to_be_visible()
    for index in range(picked):
        expect(choices(page).nth(index)).to_be_checked()
    expect(page.locator("#progress")).to_contain_text("Answered 1 of 65")
