import csv
import math
import random
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from questions.models import Choice, ItemStatistic, Question
from quiz import item_analysis, services
from quiz.item_analysis import Response, item_statistics, point_biserial, upper_lower_index
from quiz.models import Attempt
from tests.factories import QuestionFactory, UserFactory, one_topic_blueprint

OPTIONS = ("A", "B", "C", "D")
KEY_A = frozenset({"A"})


def response(question, correct, picked=None, *, version=1, seconds=0):
    if picked is None:
        picked = ("A",) if correct else ("B",)
    return Response(question, version, correct, OPTIONS, KEY_A, tuple(picked), seconds)


# --- the statistics on plain data -------------------------------------------------------------


def test_point_biserial_is_pearsons_r_of_the_item_and_the_rest():
    scores = [1, 1, 0, 0, 1]
    rests = [0.9, 0.7, 0.4, 0.5, 0.3]
    mean_x, mean_y = 0.6, 0.56
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(scores, rests, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in scores)
    var_y = sum((y - mean_y) ** 2 for y in rests)
    assert point_biserial(scores, rests) == pytest.approx(cov / math.sqrt(var_x * var_y))
    assert point_biserial([1, 0], [0.2, 0.8]) == pytest.approx(-1)
    assert point_biserial([1, 1, 1], [0.1, 0.5, 0.9]) is None
    assert point_biserial([1, 0, 1], [0.5, 0.5, 0.5]) is None
    assert point_biserial([1, 0, 1], [0.1, 0.1, 0.1]) is None


def test_upper_lower_index_compares_the_top_and_bottom_27_percent():
    # 10 learners: groups of round(2.7) = 3.
    rests = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    scores = [0, 1, 0, 1, 1, 0, 1, 1, 1, 0]
    assert upper_lower_index(scores, rests) == pytest.approx(2 / 3 - 1 / 3)
    assert upper_lower_index(list(reversed(scores)), rests) == pytest.approx(1 / 3 - 2 / 3)
    assert upper_lower_index([1], [0.5]) is None


def test_discrimination_leaves_the_item_out_of_the_total():
    def attempt(first, others):
        return [response(1, first)] + [response(q, q - 2 < others) for q in (2, 3, 4)]

    attempts = [attempt(True, 1), attempt(False, 2), attempt(True, 0), attempt(False, 0)]
    scores = [1, 0, 1, 0]
    totals = [2, 2, 1, 0]
    rests = [1 / 3, 2 / 3, 0, 0]
    # Against the total, which includes the item, it would look like a good item.
    assert point_biserial(scores, totals) > 0.3
    stats = item_statistics(attempts, min_n=1)[(1, 1)]
    assert stats.discrimination == pytest.approx(point_biserial(scores, rests))
    assert stats.discrimination < 0


def test_facility_option_counts_time_and_omissions():
    attempts = [
        [response(1, True, seconds=30), response(2, True)],
        [response(1, False, ("C",), seconds=50), response(2, True)],
        [response(1, False, (), seconds=0), response(2, False)],
        [response(1, True, seconds=100), response(2, True)],
    ]
    stats = item_statistics(attempts, min_n=1)[(1, 1)]
    assert stats.n == 4
    assert stats.facility == 0.5
    assert stats.options == {"A": 2, "B": 0, "C": 1, "D": 0}
    assert stats.omitted == 1
    assert stats.mean_seconds == 60 and stats.median_seconds == 50


def test_multiple_response_counts_every_option_picked():
    key = frozenset({"A", "B"})
    five = ("A", "B", "C", "D", "E")
    attempts = [
        [Response(7, 1, True, five, key, ("A", "B"))],
        [Response(7, 1, False, five, key, ("A", "C"))],
    ]
    stats = item_statistics(attempts, min_n=1)[(7, 1)]
    assert stats.options == {"A": 2, "B": 1, "C": 1, "D": 0, "E": 0}
    assert stats.key == key


def test_versions_are_kept_apart():
    edited = ("A", "B", "C", "D (reworded)")
    attempts = [
        [response(1, False, ("D",), version=1)],
        [response(1, True, version=1)],
        [Response(1, 2, False, edited, KEY_A, ("D (reworded)",))],
    ]
    found = item_statistics(attempts, min_n=1)
    assert found[(1, 1)].n == 2 and found[(1, 1)].options["D"] == 1
    assert found[(1, 2)].n == 1 and found[(1, 2)].options == {
        "A": 0, "B": 0, "C": 0, "D (reworded)": 1,
    }  # fmt: skip
    assert "D" not in found[(1, 2)].options


def test_a_question_twice_in_one_attempt_counts_once():
    attempts = [[response(1, True), response(1, False), response(2, False)]]
    assert item_statistics(attempts, min_n=1)[(1, 1)].n == 1


@pytest.mark.parametrize(
    ("right", "flag"),
    [(28, "too_easy"), (5, "too_hard")],
)
def test_facility_flags_need_the_minimum_n(right, flag):
    # 30 learners; item 2 follows item 1 so discrimination stays clear of its flag.
    attempts = [
        [
            response(1, i < right, ("A",) if i < right else OPTIONS[1 + i % 3]),
            response(2, i < right, ("A",) if i < right else OPTIONS[1 + i % 3]),
        ]
        for i in range(30)
    ]
    assert flag in item_statistics(attempts, min_n=30)[(1, 1)].flags
    assert item_statistics(attempts, min_n=31)[(1, 1)].flags == ()


def test_thresholds_are_strict():
    stats = item_analysis.ItemStats(1, 1, 40, 0.9, 0.1, 0.2, None, None, {"A": 1}, KEY_A, 0)
    assert item_analysis.flags_for(stats, min_n=30) == ()
    stats.facility, stats.discrimination = 0.2, 0.0999
    assert item_analysis.flags_for(stats, min_n=30) == ("low_discrimination",)


def test_a_distractor_nobody_picked_is_flagged():
    attempts = [
        [response(1, i % 2 == 0, ("A",) if i % 2 == 0 else ("B", "C")[i % 4 // 2])]
        for i in range(40)
    ]
    stats = item_statistics(attempts, min_n=30)[(1, 1)]
    assert stats.options["D"] == 0
    assert "unused_distractor" in stats.flags
    # A key nobody picked is no distractor.
    attempts = [[response(2, False, (OPTIONS[1 + i % 3],))] for i in range(40)]
    stats = item_statistics(attempts, min_n=30)[(2, 1)]
    assert stats.options["A"] == 0
    assert "unused_distractor" not in stats.flags


# --- simulated learners where the truth is known (2-parameter IRT) -----------------------------

LEARNERS = 1000
ITEMS = 40
MISKEYED = 0
SEEDS = range(10)


def spearman(xs, ys):
    def ranks(values):
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0.0] * len(values)
        start = 0
        while start < len(order):
            end = start
            while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
                end += 1
            for k in range(start, end + 1):
                result[order[k]] = (start + end) / 2
            start = end + 1
        return result

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((x - mx) * (y - my) for x, y in zip(rx, ry, strict=True))
    return cov / math.sqrt(sum((x - mx) ** 2 for x in rx) * sum((y - my) ** 2 for y in ry))


def simulate(seed):
    """Abilities ~ N(0, 1), a ~ U[0.3, 2.5], b ~ N(0, 1); a learner who gets an item right
    picks option A, else one of B, C, D at random. Item MISKEYED is stored with the key on B,
    so it is "right" for those who did not know: its true a, as keyed, is negative."""
    rng = random.Random(seed)
    a = [rng.uniform(0.3, 2.5) for _ in range(ITEMS)]
    b = [rng.gauss(0, 1) for _ in range(ITEMS)]
    keys = [frozenset({"B"}) if i == MISKEYED else KEY_A for i in range(ITEMS)]
    attempts = []
    for _ in range(LEARNERS):
        theta = rng.gauss(0, 1)
        answers = []
        for i in range(ITEMS):
            knows = rng.random() < 1 / (1 + math.exp(-a[i] * (theta - b[i])))
            pick = "A" if knows else rng.choice(OPTIONS[1:])
            answers.append(Response(i, 1, pick in keys[i], OPTIONS, keys[i], (pick,)))
        attempts.append(answers)
    return a, b, item_statistics(attempts)


@pytest.fixture(scope="module")
def simulations():
    return [simulate(seed) for seed in SEEDS]


def test_discrimination_ranks_items_like_the_true_discrimination(simulations):
    """In every draw, the discrimination ranking (the corrected point-biserial with the
    biserial correction for difficulty) correlates at least 0.8 with the true one."""
    for a, _, stats in simulations:
        kept = [i for i in range(ITEMS) if i != MISKEYED]
        found = spearman([stats[(i, 1)].biserial for i in kept], [a[i] for i in kept])
        assert found >= 0.8, found


def test_the_plain_point_biserial_tracks_it_on_average(simulations):
    # Without the correction, extreme difficulty squashes it, so a single draw of 40 items
    # can dip below 0.8 (4 of these 10 do); over draws it tracks a.
    found = []
    for a, _, stats in simulations:
        kept = [i for i in range(ITEMS) if i != MISKEYED]
        found.append(spearman([stats[(i, 1)].discrimination for i in kept], [a[i] for i in kept]))
    assert sum(found) / len(found) >= 0.8, found


def test_upper_lower_index_agrees_with_the_point_biserial(simulations):
    for _, _, stats in simulations:
        kept = [i for i in range(ITEMS) if i != MISKEYED]
        assert (
            spearman(
                [stats[(i, 1)].upper_lower for i in kept],
                [stats[(i, 1)].discrimination for i in kept],
            )
            >= 0.7
        )


def test_facility_ranks_items_by_the_true_difficulty(simulations):
    for _, b, stats in simulations:
        kept = [i for i in range(ITEMS) if i != MISKEYED]
        assert spearman([stats[(i, 1)].facility for i in kept], [-b[i] for i in kept]) >= 0.9


def test_a_miskeyed_item_is_flagged(simulations):
    for _, _, stats in simulations:
        miskeyed = stats[(MISKEYED, 1)]
        assert miskeyed.discrimination < 0
        assert "low_discrimination" in miskeyed.flags
        worst = min(stats.values(), key=lambda s: s.discrimination)
        assert worst.question == MISKEYED


# --- through the database ---------------------------------------------------------------------


@pytest.fixture
def bank(db):
    """Three questions, every mock shows all of them: multiple (5 options, 0 and 1 keyed),
    then two single-answer ones (4 options, 0 keyed)."""
    blueprint = one_topic_blueprint(size=3)
    questions = list(Question.objects.order_by("external_id"))
    return blueprint, questions


def option(question, n):
    return f"Option {n} of {question.external_id}"


def take_mock(user, blueprint, answers, *, now, finish="submit"):
    """A mock answered by option text ({question: [texts]}), 20 s a question, then finished."""
    attempt = services.start_attempt(user=user, blueprint=blueprint, now=now)
    when = now
    for item in attempt.items.all():
        texts = answers.get(item.question_id)
        if texts is None:
            continue
        when += timedelta(seconds=20)
        indexes = [i for i, c in enumerate(item.choices) if c["text"] in texts]
        services.answer_item(item=item, selected=indexes, now=when)
    if finish == "submit":
        services.submit_attempt(attempt=attempt, now=when + timedelta(seconds=5))
    elif finish == "expire":
        services.close_if_expired(attempt, now=attempt.deadline + timedelta(hours=1))
    elif finish == "discard":
        services.discard_attempt(attempt=attempt, now=when)
    elif finish == "exclude":
        services.submit_attempt(attempt=attempt, now=when + timedelta(seconds=5))
        services.set_excluded(attempt=Attempt.objects.get(pk=attempt.pk), excluded=True)
    return attempt


@pytest.fixture
def mocks(bank, now):
    blueprint, (multi, easy, hard) = bank
    counted = [
        # every learner gets `easy` right; `hard` only by the first
        {multi.pk: [option(multi, 0), option(multi, 1)], easy.pk: [option(easy, 0)],
         hard.pk: [option(hard, 0)]},
        {multi.pk: [option(multi, 0), option(multi, 2)], easy.pk: [option(easy, 0)],
         hard.pk: [option(hard, 1)]},
        {multi.pk: [option(multi, 0), option(multi, 1)], easy.pk: [option(easy, 0)],
         hard.pk: [option(hard, 3)]},
    ]  # fmt: skip
    for n, answers in enumerate(counted):
        take_mock(UserFactory(), blueprint, answers, now=now + timedelta(hours=n))
    # Time runs out with only `easy` and `hard` answered: expired mocks count.
    take_mock(
        UserFactory(), blueprint, {easy.pk: [option(easy, 0)], hard.pk: [option(hard, 2)]},
        now=now, finish="expire",
    )  # fmt: skip
    wrong_everywhere = {
        multi.pk: [option(multi, 3), option(multi, 4)],
        easy.pk: [option(easy, 3)],
        hard.pk: [option(hard, 3)],
    }
    for finish in ("discard", "exclude", "open"):
        take_mock(UserFactory(), blueprint, wrong_everywhere, now=now, finish=finish)
    practice = services.start_practice(
        user=UserFactory(), topic=easy.topic, now=now + timedelta(days=1)
    )
    for item in practice.items.all():
        wrong = [i for i, c in enumerate(item.choices) if not c["correct"]][:1]
        services.answer_item(item=item, selected=wrong, now=now + timedelta(days=1))
    services.submit_attempt(attempt=practice, now=now + timedelta(days=1))
    return blueprint, (multi, easy, hard)


def stored(question):
    return ItemStatistic.objects.get(question=question)


def test_refresh_counts_finished_mocks_only(mocks, now):
    _, (multi, easy, hard) = mocks
    item_analysis.refresh(now=now, min_n=4)
    assert ItemStatistic.objects.count() == 3
    row = stored(easy)
    assert row.n == 4 and row.facility == 1.0
    assert row.too_easy and row.unused_distractor and not row.too_hard
    assert row.discrimination is None
    assert row.mean_seconds == 20 and row.median_seconds == 20
    assert row.computed_at == now and row.min_n == 4
    hard_row = stored(hard)
    assert hard_row.n == 4 and hard_row.facility == 0.25 and hard_row.flags == []
    [version] = hard_row.option_counts
    assert version["n"] == 4 and version["omitted"] == 0
    assert {o["text"]: o["count"] for o in version["options"]} == {
        option(hard, 0): 1, option(hard, 1): 1, option(hard, 2): 1, option(hard, 3): 1,
    }  # fmt: skip
    assert version["options"][0] == {"text": option(hard, 0), "correct": True, "count": 1}


def test_multiple_response_and_unanswered_items(mocks, now):
    _, (multi, *_) = mocks
    item_analysis.refresh(now=now, min_n=4)
    row = stored(multi)
    assert row.n == 4 and row.facility == 0.5  # the expired mock left it unanswered
    [version] = row.option_counts
    assert version["omitted"] == 1
    assert {o["text"]: o["count"] for o in version["options"]} == {
        option(multi, 0): 3, option(multi, 1): 2, option(multi, 2): 1,
        option(multi, 3): 0, option(multi, 4): 0,
    }  # fmt: skip
    assert row.unused_distractor


def test_flags_wait_for_the_minimum_n(mocks, now):
    _, (_, easy, _) = mocks
    item_analysis.refresh(now=now, min_n=5)
    assert stored(easy).flags == []
    assert stored(easy).facility == 1.0


def test_option_counts_are_kept_per_version_and_the_row_is_the_current_one(mocks, now):
    blueprint, (multi, easy, hard) = mocks
    renamed = f"Option 3 of {hard.external_id}, reworded"
    Choice.objects.filter(question=hard, text=option(hard, 3)).update(text=renamed)
    Question.objects.filter(pk=hard.pk).update(version=F("version") + 1)
    take_mock(UserFactory(), blueprint, {hard.pk: [renamed]}, now=now + timedelta(days=2))
    item_analysis.refresh(now=now, min_n=4)
    row = stored(hard)
    assert row.question_version == 2 and row.n == 1 and row.facility == 0.0
    assert not row.too_hard  # n = 1 at version 2
    new, old = row.option_counts
    assert (new["version"], new["n"], old["version"], old["n"]) == (2, 1, 1, 4)
    assert {o["text"]: o["count"] for o in new["options"]}[renamed] == 1
    assert option(hard, 3) not in {o["text"] for o in new["options"]}
    assert {o["text"]: o["count"] for o in old["options"]}[option(hard, 3)] == 1


def test_reader_takes_a_constant_number_of_queries(bank, now, django_assert_num_queries):
    blueprint, (multi, easy, hard) = bank
    for n in range(3):
        take_mock(UserFactory(), blueprint, {easy.pk: [option(easy, 0)]}, now=now)
        with django_assert_num_queries(1):
            attempts = item_analysis.read_attempts()
        assert len(attempts) == n + 1 and all(len(a) == 3 for a in attempts)


def test_refresh_replaces_rows_of_questions_no_longer_seen(mocks, now):
    item_analysis.refresh(now=now, min_n=4)
    Attempt.objects.update(excluded=True)
    item_analysis.refresh(now=now, min_n=4)
    assert not ItemStatistic.objects.exists()


def test_command_stores_prints_worst_first_and_writes_csv(mocks, now, tmp_path):
    _, (multi, easy, hard) = mocks
    out = StringIO()
    path = tmp_path / "items.csv"
    call_command("item_stats", csv=str(path), min_n=4, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:4] == ["question", "version", "n", "facility"]
    # easy: two flags first; multi: one flag; hard (no flag, discrimination known) last
    order = [line.split()[0] for line in lines[1:4]]
    assert order == [easy.external_id, multi.external_id, hard.external_id]
    assert "3 question(s) analysed, 2 flagged" in out.getvalue()
    with path.open() as file:
        rows = list(csv.DictReader(file))
    assert [r["question"] for r in rows] == order
    assert rows[0]["facility"] == "1.00" and rows[0]["flags"] == "too_easy unused_distractor"
    assert ItemStatistic.objects.count() == 3


def test_command_dry_run_stores_nothing_and_verbosity_0_prints_nothing(mocks, now):
    out = StringIO()
    call_command("item_stats", dry_run=True, verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert not ItemStatistic.objects.exists()


# --- the admin --------------------------------------------------------------------------------


@pytest.fixture
def instructor_client(client, db):
    user = UserFactory(username="ines", is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(user)
    return client


def analysed_bank(size, now):
    questions = [QuestionFactory() for _ in range(size)]
    ItemStatistic.objects.bulk_create(
        ItemStatistic(
            question=q, question_version=1, n=40, facility=(i % 10) / 10 + 0.05,
            discrimination=0.5 - i / 100, too_hard=i % 10 == 0, too_easy=i % 10 == 9,
            option_counts=[], computed_at=now,
        )
        for i, q in enumerate(questions)
    )  # fmt: skip
    return questions


def test_instructors_may_view_item_statistics(db):
    group = Group.objects.get(name="Instructors")
    assert group.permissions.filter(codename="view_itemstatistic").exists()
    assert not group.permissions.filter(codename="change_itemstatistic").exists()


@pytest.mark.parametrize("size", [10, 60])
def test_question_list_shows_statistics_in_constant_queries(
    instructor_client, now, size, django_assert_max_num_queries
):
    analysed_bank(size, now)
    for _ in range(size // 10):
        QuestionFactory()  # never in a mock: no statistics
    url = reverse("admin:questions_question_changelist")
    with django_assert_max_num_queries(11):
        html = instructor_client.get(url).content.decode()
    assert "Facility" in html and "Discrimination" in html
    assert "0.05" in html and "Too hard" in html


def test_question_list_sorts_by_facility_with_unanalysed_questions_last(instructor_client, now):
    questions = analysed_bank(3, now)
    plain = QuestionFactory(external_id="never-shown")
    url = reverse("admin:questions_question_changelist")
    column = instructor_client.get(url).context["cl"].list_display.index("facility")
    for order, expected in [
        (f"{column}", [questions[0], questions[1], questions[2], plain]),
        (f"-{column}", [questions[2], questions[1], questions[0], plain]),
    ]:
        listed = list(instructor_client.get(url, {"o": order}).context["cl"].result_list)
        assert listed == expected


@pytest.mark.parametrize(
    ("value", "indexes"),
    [("flagged", [0, 9, 10]), ("too_hard", [0, 10]), ("too_easy", [9])],
)
def test_question_list_filters_by_flag(instructor_client, now, value, indexes):
    questions = analysed_bank(11, now)
    url = reverse("admin:questions_question_changelist")
    listed = instructor_client.get(url, {"item_flag": value}).context["cl"].result_list
    assert sorted(q.pk for q in listed) == sorted(questions[i].pk for i in indexes)


def test_change_page_shows_the_full_analysis(instructor_client, mocks, now):
    _, (multi, easy, hard) = mocks
    item_analysis.refresh(now=now, min_n=4)
    url = reverse("admin:questions_question_change", args=[hard.pk])
    html = instructor_client.get(url).content.decode()
    assert "Item analysis" in html and "corrected point-biserial" in html
    assert "0.25" in html
    assert "Options picked, version 1 (n = 4, left unanswered 0)" in html
    assert option(hard, 1) in html


def test_change_page_says_when_figures_describe_an_older_version(instructor_client, mocks, now):
    _, (_, easy, _) = mocks
    item_analysis.refresh(now=now, min_n=4)
    Question.objects.filter(pk=easy.pk).update(version=2)
    url = reverse("admin:questions_question_change", args=[easy.pk])
    html = instructor_client.get(url).content.decode()
    assert "These figures describe version 1; the question is now at version 2" in html
    listed = instructor_client.get(reverse("admin:questions_question_changelist"))
    assert "1.00 (v1)" in listed.content.decode()


def test_staff_without_the_permission_see_no_statistics(client, db, now):
    analysed_bank(2, now)
    user = UserFactory(username="editor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(user)
    html = client.get(reverse("admin:questions_question_changelist")).content.decode()
    assert "Discrimination" not in html and "item_flag" not in html
