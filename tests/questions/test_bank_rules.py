"""The bank checker's rules one at a time, each malformed question with the exact message an
author reads ("file: id: problem"), the limits (exactly at a limit passes, one past fails),
how files and folders are read, and how the exporter writes JSON and YAML."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions.bank import BankError, bank_paths, export_bank, load_bank, read_files
from questions.models import Question
from tests.questions.test_bank import GOOD

ROOT = Path(__file__).resolve().parents[2]
TOPICS = {"3.2": "3"}
RCF_URL = "https://docs.aws.amazon.com/sagemaker/latest/dg/randomcutforest.html"
DROP = object()  # a key the case removes from the question
ROW = {
    "id": "mod-select-901",
    "topic": "3.2",
    "kind": "single",
    "difficulty": 2,
    "tags": ["Random Cut Forest"],
    "references": [{"title": "Random Cut Forest (RCF) Algorithm", "url": RCF_URL}],
    "authoring_note": "test",
    "stem": "Which built-in algorithm scores anomalies without labels?",
    "explanation": "RCF is unsupervised and scores each point.",
    "choices": [
        {"text": "Random Cut Forest", "correct": True, "why": "Unsupervised anomaly scores."},
        {"text": "XGBoost", "why": "Needs labels."},
        {"text": "DeepAR", "why": "Forecasts values."},
        {"text": "K-Means", "why": "Clusters points."},
    ],
}


def question(**changes) -> dict:
    """ROW with some keys replaced (or removed, given DROP)."""
    raw = copy.deepcopy(ROW)
    for key, value in changes.items():
        if value is DROP:
            del raw[key]
        else:
            raw[key] = value
    return raw


def choices(*specs: tuple[str, bool]) -> list[dict]:
    return [
        {"text": text, "correct": correct, "why": f"Because of {text}."} for text, correct in specs
    ]


def write_file(path: Path, content) -> Path:
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def problems_of(tmp_path, *questions) -> list[str]:
    """The problems read_files reports for one list-shaped file, without the file name."""
    path = write_file(tmp_path / "3.2-bank.yaml", list(questions))
    try:
        read_files([path], TOPICS)
    except BankError as error:
        problems = error.problems
    else:
        return []
    assert all(p.startswith(f"{path}: ") for p in problems), problems
    return [p.removeprefix(f"{path}: ") for p in problems]


ID_RULE = "id must be lower-case words joined by hyphens, e.g. mod-select-014"
ONE_WRONG = "a multiple-response question needs at least one wrong choice"
REFUSED = [
    pytest.param({"answer": "B"}, ["mod-select-901: unknown keys ['answer']"], id="unknown-key"),
    pytest.param({"id": "Mod_Select_901"}, [f"Mod_Select_901: {ID_RULE}"], id="id-not-lower-case"),
    pytest.param({"id": DROP}, [f"question #1: {ID_RULE}"], id="no-id"),
    pytest.param(
        {"domain": "1"}, ["mod-select-901: topic 3.2 is in domain 3, not '1'"], id="wrong-domain"
    ),
    pytest.param(
        {"status": "archived"},
        ["mod-select-901: status must be one of ['draft', 'published', 'retired']"],
        id="unknown-status",
    ),
    pytest.param(
        {"authoring_note": 5}, ["mod-select-901: authoring_note must be text"], id="note-not-text"
    ),
    pytest.param(
        {"tags": "anomaly detection"},
        ["mod-select-901: tags must be a list of names"],
        id="tags-not-a-list",
    ),
    pytest.param(
        {"tags": ["RCF", " "]}, ["mod-select-901: tags must be a list of names"], id="blank-tag"
    ),
    pytest.param({"tags": [3]}, ["mod-select-901: tags must be a list of names"], id="tag-number"),
    pytest.param(
        {"choices": "Random Cut Forest"},
        ["mod-select-901: choices must be a list of {text, correct, why}"],
        id="choices-not-a-list",
    ),
    pytest.param(
        {"choices": ["Random Cut Forest", "XGBoost"]},
        ["mod-select-901: choices must be a list of {text, correct, why}"],
        id="choices-not-mappings",
    ),
    pytest.param(
        {"choices": DROP},
        ["mod-select-901: choices must be a list of {text, correct, why}"],
        id="no-choices",
    ),
    pytest.param(
        {"choices": [{**ROW["choices"][0], "feedback": "Yes."}, *ROW["choices"][1:]]},
        ["mod-select-901: unknown choice keys ['feedback']"],
        id="unknown-choice-key",
    ),
    pytest.param(
        {"choices": [{**ROW["choices"][0], "correct": "yes"}, *ROW["choices"][1:]]},
        ["mod-select-901: a choice's correct must be true or false"],
        id="correct-not-boolean",
    ),
    pytest.param(
        {"choices": choices(("Random Cut Forest", True))},
        ["mod-select-901: a question needs at least two choices"],
        id="one-choice",
    ),
    pytest.param(
        {"choices": choices(("A", True), *[(letter, False) for letter in "BCDEFG"])},
        ["mod-select-901: a question has at most 6 choices"],
        id="seven-choices",
    ),
    pytest.param(
        {"kind": "multiple", "choices": choices(("A", True), ("B", True), ("C", True))},
        [f"mod-select-901: {ONE_WRONG}"],
        id="multiple-all-correct",
    ),
    pytest.param(
        {"choices": [{"correct": True, "why": "Scores."}, *ROW["choices"][1:]]},
        ["mod-select-901: every choice needs text"],
        id="choice-without-text",
    ),
    pytest.param(
        {"choices": [*ROW["choices"][:3], {"text": "", "why": "Clusters."}]},
        ["mod-select-901: every choice needs text"],
        id="choice-with-empty-text",
    ),
    pytest.param(
        {"references": RCF_URL},
        ["mod-select-901: references must be a list of {title, url}"],
        id="references-not-a-list",
    ),
    pytest.param(
        {"references": [RCF_URL]},
        ["mod-select-901: references must be a list of {title, url}"],
        id="references-not-mappings",
    ),
    pytest.param(
        {"references": [{"title": "RCF", "url": RCF_URL, "note": "checked"}]},
        ["mod-select-901: each reference has exactly a title and a url"],
        id="reference-extra-key",
    ),
    pytest.param(
        {"references": [{"title": "RCF"}, {"title": "XGBoost", "url": "http://x.org/a"}]},
        [
            "mod-select-901: each reference has exactly a title and a url",
            "mod-select-901: reference 'http://x.org/a' is not an https URL",
        ],
        id="every-reference-is-checked",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), REFUSED)
def test_a_malformed_question_is_refused_with_its_exact_problem(tmp_path, changes, expected):
    assert problems_of(tmp_path, question(**changes)) == expected


ACCEPTED = [
    pytest.param({"choices": choices(("A", True), ("B", False))}, id="two-choices"),
    pytest.param({"choices": choices(("A", True), *[(c, False) for c in "BCDEF"])}, id="six"),
    pytest.param(
        {"kind": "multiple", "choices": choices(("A", True), ("B", True), ("C", False))},
        id="multiple-with-one-wrong",
    ),
    pytest.param(
        {"references": [{"title": t, "url": RCF_URL} for t in ("A", "B", "C")]},
        id="three-references",
    ),
    pytest.param({"domain": "3"}, id="its-own-domain"),
    pytest.param({"domain": 3}, id="its-own-domain-as-a-number"),
    pytest.param({"status": "published"}, id="published"),
    pytest.param({"status": "retired"}, id="retired"),
    pytest.param({"tags": DROP, "authoring_note": DROP}, id="no-tags-no-note"),
]


@pytest.mark.parametrize("changes", ACCEPTED)
def test_a_question_at_each_limit_or_with_optional_keys_left_out_passes(tmp_path, changes):
    assert problems_of(tmp_path, question(**changes)) == []


def test_left_out_tags_note_status_and_correct_read_as_empty_none_and_false(tmp_path):
    path = write_file(tmp_path / "3.2.yaml", [question(tags=DROP, authoring_note=DROP)])
    [data] = read_files([path], TOPICS)
    assert (data.tags, data.authoring_note, data.status) == ([], "", None)
    assert data.choices[1] == {"text": "XGBoost", "correct": False, "why": "Needs labels."}


def test_a_drafts_status_is_read_from_its_file(tmp_path):
    path = write_file(tmp_path / "3.2.yaml", [question(status="draft", references=[])])
    [data] = read_files([path], TOPICS)
    assert data.status == "draft"


def test_a_question_that_is_not_a_mapping_is_named_by_number_and_the_rest_still_checked(
    tmp_path,
):
    path = write_file(
        tmp_path / "3.2.yaml",
        {
            "topic": "3.2",
            "questions": [
                question(topic=DROP),
                "Which algorithm scores anomalies?",
                question(id="mod-select-903", topic=DROP, kind="essay"),
            ],
        },
    )
    with pytest.raises(BankError) as error:
        read_files([path], TOPICS)
    assert error.value.problems == [
        f"{path}: question #2 is not a mapping",
        f"{path}: mod-select-903: kind must be single or multiple, not 'essay'",
    ]


def test_a_file_of_neither_shape_is_refused_and_the_next_file_still_checked(tmp_path):
    scalar = tmp_path / "3.2-a.yaml"
    scalar.write_text("Which algorithm scores anomalies?\n", encoding="utf-8")
    bad = write_file(tmp_path / "3.2-b.yaml", [question(kind="essay")])
    with pytest.raises(BankError) as error:
        read_files([scalar, bad], TOPICS)
    assert error.value.problems == [
        f"{scalar}: expected a mapping with 'topic' and 'questions', or a list",
        f"{bad}: mod-select-901: kind must be single or multiple, not 'essay'",
    ]


def test_an_unreadable_file_is_named_and_the_next_file_still_checked(tmp_path):
    broken = tmp_path / "3.2-a.yaml"
    broken.write_text("topic: [unclosed\n", encoding="utf-8")
    bad = write_file(tmp_path / "3.2-b.yaml", [question(kind="essay")])
    with pytest.raises(BankError) as error:
        read_files([broken, bad], TOPICS)
    first, second = error.value.problems
    assert first.startswith(f"{broken}: cannot be read: ")
    assert second == f"{bad}: mod-select-901: kind must be single or multiple, not 'essay'"


def test_a_duplicate_id_names_the_file_that_has_it_first(tmp_path):
    first = write_file(tmp_path / "3.2-a.yaml", [question()])
    second = write_file(tmp_path / "3.2-b.yaml", [question()])
    with pytest.raises(BankError) as error:
        read_files([first, second], TOPICS)
    assert error.value.problems == [f"{second}: mod-select-901: duplicate id (also in {first})"]


def test_a_bank_file_is_read_as_utf8_whatever_the_locale(tmp_path):
    path = write_file(tmp_path / "3.2.yaml", [question(explanation="RCF — unsupervised.")])
    script = (
        "import json, sys, django; django.setup();"
        "from pathlib import Path; from questions.bank import read_files;"
        "[data] = read_files([Path(sys.argv[1])], {'3.2': '3'});"
        "print(json.dumps(data.explanation))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "RCF — unsupervised."


def test_a_folder_gives_its_yaml_yml_and_json_files_in_order_and_given_files_stay(tmp_path):
    single = write_file(tmp_path / "0-first.yaml", [])
    folder = tmp_path / "bank"
    folder.mkdir()
    for name in ("c.yaml", "b.yml", "a.json", "notes.txt", "README.md"):
        (folder / name).write_text("[]\n", encoding="utf-8")
    assert bank_paths([str(single), str(folder)]) == [
        single,
        folder / "a.json",
        folder / "b.yml",
        folder / "c.yaml",
    ]


def test_a_refused_run_prints_each_problem_on_its_own_line(mls, tmp_path):
    bad = write_file(tmp_path / "3.2.yaml", [question(kind="essay", difficulty=7)])
    with pytest.raises(CommandError) as error:
        call_command("load_bank", str(bad))
    assert str(error.value).endswith(
        "2 problem(s):\n"
        f"{bad}: mod-select-901: kind must be single or multiple, not 'essay'\n"
        f"{bad}: mod-select-901: difficulty must be 1, 2 or 3"
    )


# A stem whose 93rd character ends a word: with the key's indent that word ends at column 101.
WIDE = (
    "A utility streams meter readings every minute and wants an anomaly score for each new reading"
)


@pytest.fixture
def exported(mls, tmp_path):
    """The GOOD bank loaded, with a stem as wide as the YAML lines and a non-ASCII explanation."""
    assert len(WIDE) == 93
    text = GOOD.replace(
        "stem: |\n      A utility wants an anomaly score for each meter reading without labels.",
        f"stem: {WIDE} without labelled examples.",
    ).replace("explanation: RCF is unsupervised", "explanation: RCF — unsupervised")
    assert WIDE in text and "RCF —" in text
    path = tmp_path / "3.2.yaml"
    path.write_text(text, encoding="utf-8")
    load_bank([str(path)])


def test_yaml_export_keeps_the_row_order_and_writes_unicode_as_is(exported):
    text = export_bank("yaml")
    assert text.startswith("- id: mod-select-901\n  domain: '3'\n  topic: '3.2'\n  kind: single\n")
    assert "  explanation: RCF — unsupervised and scores each point.\n" in text


def test_yaml_export_moves_a_word_ending_past_column_100_to_the_next_line(exported):
    assert f"\n  stem: {WIDE}\n    without labelled examples.\n" in export_bank("yaml")


def test_json_export_is_indented_by_two_and_writes_unicode_as_is(exported):
    text = export_bank("json")
    assert text.startswith('[\n  {\n    "id": "mod-select-901",\n    "domain": "3",\n')
    assert '    "explanation": "RCF — unsupervised and scores each point.",\n' in text
    assert text.endswith("\n  }\n]\n")


def test_export_costs_the_same_queries_for_two_questions_as_for_four(mls, tmp_path):
    load_bank([str(write_file(tmp_path / "a.yaml", yaml.safe_load(GOOD)))])
    with CaptureQueriesContext(connection) as two:
        export_bank("json")
    more = yaml.safe_load(GOOD.replace("mod-select-90", "mod-select-91"))
    load_bank([str(write_file(tmp_path / "b.yaml", more))])
    with CaptureQueriesContext(connection) as four:
        rows = json.loads(export_bank("json"))
    assert len(rows) == 4 and all(r["tags"] and r["references"] and r["choices"] for r in rows)
    assert len(four.captured_queries) == len(two.captured_queries)
    assert Question.objects.count() == 4
