import json
import textwrap

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from questions.bank import BankError, export_bank, load_bank
from questions.models import Question

GOOD = """
topic: "3.2"
questions:
  - id: mod-select-901
    kind: single
    difficulty: 2
    tags: [Random Cut Forest, anomaly detection]
    references:
      - title: Random Cut Forest (RCF) Algorithm
        url: https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html
    authoring_note: "test"
    stem: |
      A utility wants an anomaly score for each meter reading without labels.
    explanation: RCF is unsupervised and scores each point.
    choices:
      - text: Random Cut Forest
        correct: true
        why: Unsupervised anomaly scores.
      - text: XGBoost
        why: Needs labels.
      - text: DeepAR
        why: Forecasts values.
      - text: K-Means
        why: Clusters points.
  - id: mod-select-902
    kind: multiple
    difficulty: 3
    tags: [XGBoost]
    references: [{title: XGBoost, url: "https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost.html"}]
    authoring_note: "test"
    stem: Pick the two supervised algorithms. Choose TWO.
    explanation: Both learn from labels.
    choices:
      - {text: XGBoost, correct: true, why: Labels.}
      - {text: Linear Learner, correct: true, why: Labels.}
      - {text: K-Means, why: No labels.}
      - {text: PCA, why: No labels.}
      - {text: LDA, why: No labels.}
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def good_file(tmp_path):
    return write(tmp_path, "3.2-good.yaml", GOOD)


def with_change(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_good_file_loads_published_questions_with_choices_and_tags(mls, good_file):
    report = load_bank([str(good_file)])
    assert report.created == ["mod-select-901", "mod-select-902"]
    question = Question.objects.get(external_id="mod-select-901")
    assert question.status == Question.Status.PUBLISHED
    assert question.topic.code == "3.2"
    assert [c.text for c in question.choices.all()] == [
        "Random Cut Forest",
        "XGBoost",
        "DeepAR",
        "K-Means",
    ]
    assert [c.is_correct for c in question.choices.all()] == [True, False, False, False]
    assert sorted(t.name for t in question.tags.all()) == ["Random Cut Forest", "anomaly detection"]
    assert question.reference_list() == [
        {
            "title": "Random Cut Forest (RCF) Algorithm",
            "url": "https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html",
        }
    ]
    assert question.authoring_note == "test"


BAD_CASES = [
    (
        "        correct: true\n        why: Unsupervised",
        "        why: Unsupervised",
        "mod-select-901: a single-answer question needs exactly one correct choice",
    ),
    (
        "      - text: XGBoost\n        why: Needs labels.",
        "      - text: XGBoost\n        correct: true\n        why: Needs labels.",
        "mod-select-901: a single-answer question needs exactly one correct choice",
    ),
    (
        "{text: Linear Learner, correct: true, why: Labels.}",
        "{text: Linear Learner, why: Labels.}",
        "mod-select-902: a multiple-response question needs at least two correct choices",
    ),
    (
        "        why: Forecasts values.",
        "",
        "mod-select-901: every choice needs an explanation (why)",
    ),
    ('topic: "3.2"', 'topic: "3.9"', "mod-select-901: unknown topic '3.9'"),
    ("id: mod-select-902", "id: mod-select-901", "mod-select-901: duplicate id"),
    ("kind: single", "kind: essay", "mod-select-901: kind must be single or multiple"),
    ("difficulty: 2", "difficulty: 7", "mod-select-901: difficulty must be 1, 2 or 3"),
    (
        "explanation: RCF is unsupervised and scores each point.",
        "explanation: ''",
        "mod-select-901: explanation is missing",
    ),
    (
        "url: https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html",
        "url: http://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html",
        "mod-select-901: reference 'http://docs.aws.amazon.com/",
    ),
    (
        "url: https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html",
        "url: https://example.com/rcf.html",
        "mod-select-901: reference host example.com is not an allowed source",
    ),
    (
        "        url: https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html\n",
        "        url: https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html\n"
        + "      - {title: a, url: 'https://aws.amazon.com/a'}\n" * 3,
        "mod-select-901: at most 3 references",
    ),
    (
        "      - title: Random Cut Forest (RCF) Algorithm\n",
        "      - title: ''\n",
        "mod-select-901: a reference needs a title",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_CASES)
def test_bad_file_is_refused_with_file_and_id_and_loads_nothing(mls, tmp_path, old, new, message):
    good_other = write(
        tmp_path,
        "1.1-other.yaml",
        GOOD.replace('"3.2"', '"1.1"').replace("mod-select-90", "de-repo-90"),
    )
    bad = write(tmp_path, "3.2-bad.yaml", with_change(old, new))
    with pytest.raises(BankError) as error:
        load_bank([str(good_other), str(bad)])
    assert any(str(bad) in p and message in p for p in error.value.problems), error.value.problems
    assert not Question.objects.exists()


def test_every_problem_is_reported_at_once(mls, tmp_path):
    text = with_change("kind: single", "kind: essay").replace("difficulty: 3", "difficulty: 0")
    bad = write(tmp_path, "3.2-bad.yaml", text)
    with pytest.raises(BankError) as error:
        load_bank([str(bad)])
    joined = "\n".join(error.value.problems)
    assert "mod-select-901: kind must be single or multiple" in joined
    assert "mod-select-902: difficulty must be 1, 2 or 3" in joined


def test_unparsable_yaml_names_the_file(mls, tmp_path):
    bad = write(tmp_path, "broken.yaml", "topic: [unclosed\n")
    with pytest.raises(BankError) as error:
        load_bank([str(bad)])
    assert str(bad) in error.value.problems[0]


def test_reloading_the_same_file_changes_nothing(mls, good_file):
    load_bank([str(good_file)])
    before = list(Question.objects.values_list("external_id", "version", "updated_at"))
    choice_ids = list(Question.objects.get(external_id="mod-select-901").choices.values_list("id"))
    report = load_bank([str(good_file)])
    assert report.created == [] and report.updated == []
    assert report.unchanged == ["mod-select-901", "mod-select-902"]
    assert list(Question.objects.values_list("external_id", "version", "updated_at")) == before
    assert (
        list(Question.objects.get(external_id="mod-select-901").choices.values_list("id"))
        == choice_ids
    )


def test_a_changed_question_bumps_its_version_and_others_stay(mls, tmp_path, good_file):
    load_bank([str(good_file)])
    changed = write(tmp_path, "3.2-good.yaml", with_change("Needs labels.", "Needs labelled data."))
    report = load_bank([str(changed)])
    assert report.updated == ["mod-select-901"]
    assert Question.objects.get(external_id="mod-select-901").version == 2
    assert Question.objects.get(external_id="mod-select-902").version == 1
    assert Question.objects.count() == 2
    assert Question.objects.get(external_id="mod-select-901").choices.count() == 4


def test_reload_keeps_a_status_set_by_an_instructor(mls, good_file):
    load_bank([str(good_file)])
    Question.objects.filter(external_id="mod-select-901").update(status=Question.Status.RETIRED)
    load_bank([str(good_file)])
    assert Question.objects.get(external_id="mod-select-901").status == Question.Status.RETIRED


def test_export_load_export_round_trip_is_identical(mls, good_file, tmp_path, django_db_blocker):
    load_bank([str(good_file)])
    first = export_bank("json")
    exported = tmp_path / "export.json"
    exported.write_text(first)
    Question.objects.all().delete()
    load_bank([str(exported)])
    assert export_bank("json") == first
    rows = json.loads(first)
    assert rows[0]["domain"] == "3" and rows[0]["topic"] == "3.2"
    assert list(rows[0]) == [
        "id",
        "domain",
        "topic",
        "kind",
        "difficulty",
        "tags",
        "references",
        "authoring_note",
        "stem",
        "explanation",
        "choices",
    ]


def test_yaml_export_loads_back(mls, good_file, tmp_path):
    load_bank([str(good_file)])
    exported = tmp_path / "export.yaml"
    exported.write_text(export_bank("yaml"))
    Question.objects.all().delete()
    load_bank([str(exported)])
    assert export_bank("yaml") == exported.read_text()
    assert len(yaml.safe_load(exported.read_text())) == 2


def test_load_bank_command_reports_and_refuses(mls, good_file, tmp_path, capsys):
    call_command("load_bank", str(good_file))
    assert "2 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    bad = write(tmp_path, "3.2-bad.yaml", with_change("kind: single", "kind: essay"))
    with pytest.raises(CommandError, match=r"(?s)Nothing was loaded.*3.2-bad.yaml: mod-select-901"):
        call_command("load_bank", str(bad))


def test_load_bank_command_says_the_counts_and_at_verbosity_2_each_id(
    mls, good_file, tmp_path, capsys
):
    call_command("load_bank", str(good_file))
    assert capsys.readouterr().out == "2 created, 0 updated, 0 unchanged.\n"
    Question.objects.all().delete()
    call_command("load_bank", str(good_file), verbosity=2)
    assert capsys.readouterr().out == (
        "2 created, 0 updated, 0 unchanged.\n  created mod-select-901\n  created mod-select-902\n"
    )
    changed = write(tmp_path, "3.2-good.yaml", with_change("K-Means", "k-means"))
    call_command("load_bank", str(changed), verbosity=2)
    assert (
        capsys.readouterr().out == "0 created, 1 updated, 1 unchanged.\n  updated mod-select-901\n"
    )


def test_export_bank_keeps_to_the_topic_and_status_asked_for(mls, good_file, tmp_path):
    other = GOOD.replace('topic: "3.2"', 'topic: "2.1"').replace("mod-select-90", "eda-prep-90")
    load_bank([str(good_file), str(write(tmp_path, "2.1-other.yaml", other))])
    Question.objects.filter(external_id="mod-select-902").update(status=Question.Status.DRAFT)

    def exported(**filters):
        return [row["id"] for row in json.loads(export_bank("json", **filters))]

    assert exported() == ["eda-prep-901", "eda-prep-902", "mod-select-901"]
    assert exported(domain="3") == ["mod-select-901"]
    assert exported(topic="2.1") == ["eda-prep-901", "eda-prep-902"]
    assert exported(topic="3.2", status=Question.Status.DRAFT) == ["mod-select-902"]


def test_load_bank_dry_run_saves_nothing(mls, good_file, capsys):
    call_command("load_bank", str(good_file), "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert not Question.objects.exists()


def test_export_bank_command_prints_json(mls, good_file, capsys):
    load_bank([str(good_file)])
    call_command("export_bank", "--format", "json")
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == [
        "mod-select-901",
        "mod-select-902",
    ]


def test_shipped_bank_loads_cleanly_and_twice_is_a_no_op(mls):
    first = load_bank()
    assert len(first.created) >= 40
    second = load_bank()
    assert second.created == [] and second.updated == []


def test_a_published_question_needs_a_reference_and_a_draft_may_wait(mls, tmp_path):
    no_reference = GOOD.replace(
        """    references:
      - title: Random Cut Forest (RCF) Algorithm
        url: https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html
""",
        "",
    )
    with pytest.raises(BankError) as error:
        load_bank([str(write(tmp_path, "3.2-bad.yaml", no_reference))])
    assert any("mod-select-901: needs at least one reference" in p for p in error.value.problems)
    draft = no_reference.replace("    kind: single\n", "    kind: single\n    status: draft\n", 1)
    load_bank([str(write(tmp_path, "3.2-draft.yaml", draft))])
    assert Question.objects.get(external_id="mod-select-901").status == Question.Status.DRAFT


def test_only_a_change_of_what_learners_read_makes_a_new_version(mls, tmp_path, good_file):
    load_bank([str(good_file)])
    relabelled = write(tmp_path, "3.2-b.yaml", with_change("difficulty: 2", "difficulty: 3"))
    load_bank([str(relabelled)])
    assert Question.objects.get(external_id="mod-select-901").version == 1
    reworded = write(tmp_path, "3.2-c.yaml", with_change("Forecasts values.", "Predicts values."))
    load_bank([str(reworded)])
    question = Question.objects.get(external_id="mod-select-901")
    assert (question.version, question.difficulty) == (2, 2)
