from django.contrib.auth.models import Group
from playwright.sync_api import expect

from questions.models import Question
from tests.factories import UserFactory


def test_instructor_adds_a_question_in_the_admin_and_finds_it(page, live_server):
    instructor = UserFactory(username="ines", is_staff=True)
    instructor.groups.add(Group.objects.get(name="Instructors"))

    page.goto("/admin/")
    page.get_by_label("Username").fill("ines")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Questions").first.click()
    page.get_by_role("link", name="Add question").click()

    page.get_by_label("ID:", exact=True).fill("mod-select-777")
    page.get_by_label("Topic:", exact=True).select_option(
        label="3.2 Select the appropriate model(s) for a given ML problem"
    )
    page.get_by_label("Status:", exact=True).select_option("published")
    page.get_by_label("Stem:", exact=True).fill(
        "A streaming service wants an anomaly score for every playback event without labels."
    )
    page.get_by_label("Explanation:", exact=True).fill(
        "Random Cut Forest scores anomalies without labels."
    )
    rows = [
        ("Random Cut Forest", True, "Unsupervised anomaly scores."),
        ("XGBoost", False, "Needs labelled anomalies."),
        ("DeepAR", False, "Forecasts values."),
        ("K-Means", False, "Clusters only."),
    ]
    for i, (text, correct, why) in enumerate(rows):
        page.locator(f"#id_choices-{i}-text").fill(text)
        page.locator(f"#id_choices-{i}-why").fill(why)
        page.locator(f"#id_choices-{i}-order").fill(str(i))
        if correct:
            page.locator(f"#id_choices-{i}-is_correct").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.locator("#searchbar").fill("mod-select-777")
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list")).to_contain_text("mod-select-777")
    question = Question.objects.get(external_id="mod-select-777")
    assert question.choices.get(is_correct=True).text == "Random Cut Forest"
