"""Instructors in the browser: a flagged item from the analysis to a fixed key and the
learner's report answered; a cohort of five; a GIFT file imported through the admin."""

from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from questions.models import Blueprint, Question
from quiz.models import Cohort, Membership
from tests.e2e.test_exam_e2e import assert_accessible
from tests.factories import UserFactory, finished_attempts, one_topic_blueprint
from tests.quiz.test_item_analysis import option, take_mock

PASSWORD = "correct horse battery staple"  # the factories' password
GIFT = Path(__file__).resolve().parents[1] / "questions/fixtures/interchange/constructs.gift"


def log_in(page, username, *, admin=False):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def assert_fits(page):
    results = "document.querySelector('.results')"
    assert page.evaluate(f"{results}.scrollWidth <= {results}.clientWidth"), "list is cut off"


def reviewed(page, position):
    return page.locator("article", has=page.locator(f"#item-{position}-heading"))


def instructor(username="ines"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


def miskeyed_bank(now):
    """A five-question exam taken by 40 learners: the strong half get every question right
    but the second, where they pick option 1 and the key says option 0."""
    Blueprint.objects.update(is_default=False)
    blueprint = one_topic_blueprint(size=5)
    Blueprint.objects.filter(pk=blueprint.pk).update(is_default=True)
    questions = list(Question.objects.filter(topic__domain__blueprint=blueprint))
    miskeyed = questions[1]
    assert miskeyed.kind == Question.Kind.SINGLE

    def answers(strong):
        picked = {}
        for question in questions:
            keyed = [c.text for c in question.choices.all() if c.is_correct]
            wrong = [c.text for c in question.choices.all() if not c.is_correct][: len(keyed)]
            picked[question.pk] = keyed if strong else wrong
        picked[miskeyed.pk] = [option(miskeyed, 1 if strong else 0)]
        return picked

    learner = UserFactory(username="lee")
    take_mock(learner, blueprint, answers(True), now=now)
    for n in range(39):
        take_mock(UserFactory(), blueprint, answers(n % 2 == 0), now=now + timedelta(minutes=n))
    return learner, miskeyed


def test_a_miskey_found_by_the_analysis_is_fixed_and_the_reporter_told(
    browser, live_server, screenshot
):
    learner, miskeyed = miskeyed_bank(timezone.now() - timedelta(days=1))
    call_command("item_stats", verbosity=0)
    instructor()
    attempt = learner.attempts.get()
    position = attempt.items.get(question=miskeyed).position

    learner_view = browser.new_context(base_url=live_server.url).new_page()
    log_in(learner_view, "lee")
    learner_view.goto(f"/attempts/{attempt.pk}/answers/")
    question = reviewed(learner_view, position)
    question.get_by_text("Report a problem").click()
    question.get_by_label("The marked answer is wrong").check()
    question.get_by_label("Details (optional)").fill("Option 1 is the one that fits.")
    question.get_by_role("button", name="Send report").click()
    expect(question.get_by_role("status")).to_contain_text("Thank you")

    page = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    ).new_page()
    log_in(page, "ines", admin=True)
    page.goto("/admin/questions/question/")
    page.locator("#changelist-filter").get_by_role(
        "link", name="Low or negative discrimination"
    ).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(miskeyed.external_id)
    expect(rows).to_contain_text("1")  # one open report
    screenshot(page, "admin-flagged-laptop")
    assert_fits(page)
    rows.get_by_role("link", name=miskeyed.external_id).click()
    expect(page.locator(".item-analysis")).to_contain_text("Low or negative discrimination")
    page.get_by_role("link", name="Preview").click()
    page.get_by_role("link", name="Review view").click()
    expect(page.locator(".preview-question")).to_contain_text("Correct answer")
    screenshot(page, "admin-preview-review-laptop")
    page.get_by_role("link", name="Back to editing").click()
    page.locator("#id_choices-0-is_correct").uncheck()
    page.locator("#id_choices-1-is_correct").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    miskeyed.refresh_from_db()
    assert [c.text for c in miskeyed.choices.filter(is_correct=True)] == [option(miskeyed, 1)]
    assert miskeyed.version == 2

    page.goto("/admin/questions/report/")
    page.locator("#result_list tbody").get_by_role("link").first.click()
    page.get_by_label("Status:").select_option("fixed")
    page.get_by_label("Reply:").fill("You were right: the key is now option 1. Thank you.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    learner_view.reload()
    note = reviewed(learner_view, position).locator(".report-status")
    expect(note).to_contain_text("Fixed")
    expect(note).to_contain_text("You were right: the key is now option 1.")
    assert_accessible(learner_view, "review with an answered report")


def test_cohort_page_with_five_learners(browser, live_server, shipped_bank, screenshot):
    teacher = instructor()
    cohort = Cohort.objects.create(name="Spring cohort")
    cohort.instructors.add(teacher)
    blueprint = Blueprint.objects.default()
    now = timezone.now()
    for n, (right, wrong) in enumerate(
        [("1.1", "3.2"), ("2.1", "3.2"), ("3.1", "4.1"), ("1.2", "3.3"), ("4.4", "2.2")]
    ):
        member = UserFactory(username=f"member{n}")
        Membership.objects.create(cohort=cohort, user=member, joined_at=now)
        finished_attempts(member, blueprint, n + 1, now=now, right_in=(right,), wrong_in=(wrong,))
    UserFactory(username="outsider")  # not a member: never listed

    for width, height, name in ((1280, 900, "laptop"), (390, 844, "phone")):
        page = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        ).new_page()
        log_in(page, "ines")
        page.get_by_role("link", name="Instructor").click()
        page.get_by_role("link", name="Spring cohort").click()
        expect(page.get_by_role("heading", name="Spring cohort")).to_be_visible()
        table = page.get_by_role("table", name="Members' readiness, mocks and mastery")
        expect(table.locator("tbody tr")).to_have_count(5)
        expect(table).not_to_contain_text("outsider")
        expect(page.get_by_role("img", name="Mastery")).to_be_visible()
        expect(page.get_by_role("heading", name="The cohort's weakest topics")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"cohort page ({name})")
        screenshot(page, f"cohort-{name}")
        page.context.close()


def test_instructor_imports_a_gift_file_through_the_admin(page, screenshot):
    instructor()
    log_in(page, "ines", admin=True)
    page.goto("/admin/questions/question/")
    before = set(Question.objects.values_list("pk", flat=True))
    page.get_by_role("link", name="Import GIFT or Moodle XML").click()
    page.get_by_label("File:").set_input_files(str(GIFT))
    page.get_by_label("Format:").select_option("gift")
    page.get_by_role("button", name="Check the file (dry run)").click()
    # One question's category names no topic: nothing loads, and the line is named.
    expect(page.get_by_role("heading", name="Nothing can be loaded: 1 problem")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("line 70: «Default topic»")
    assert Question.objects.count() == len(before)
    page.get_by_label("File:").set_input_files(str(GIFT))
    page.get_by_label("Format:").select_option("gift")
    page.get_by_label("Topic:").select_option(label="3.3 Train ML models")
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_role("heading", name="Dry run:")).to_contain_text("to create")
    assert Question.objects.count() == len(before)
    screenshot(page, "admin-import-dry-run-laptop")
    page.get_by_role("button", name="Import these questions").click()
    expect(page.locator(".messagelist")).to_contain_text("created")
    new = Question.objects.exclude(pk__in=before)
    assert new.count() >= 5
    assert new.get(external_id__icontains="default").topic.code == "3.3"
    assert set(new.values_list("status", flat=True)) == {Question.Status.DRAFT}
    page.get_by_role("link", name="Draft").first.click()
    expect(page.locator("#result_list")).to_contain_text("A utility wants")


def test_the_question_list_of_the_shipped_bank_fits_a_laptop(page, shipped_bank, screenshot):
    instructor()
    log_in(page, "ines", admin=True)
    page.goto("/admin/questions/question/")
    expect(page.locator("#result_list tbody tr")).to_have_count(50)
    assert_fits(page)
    screenshot(page, "admin-question-list-laptop")
