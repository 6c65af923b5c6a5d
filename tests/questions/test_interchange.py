import json
from dataclasses import asdict
from functools import cache
from pathlib import Path

import defusedxml.ElementTree
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from questions.bank import QuestionData, export_rows, load_questions, question_problems
from questions.interchange import (
    NO_WHY,
    export_gift,
    export_moodle_xml,
    parse_gift,
    parse_moodle_xml,
)
from questions.models import Question, Topic
from tests.factories import TopicFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
TOPICS = {"1.1": "1", "2.2": "2", "3.2": "3"}
SERVED = "only multiple choice, with one answer or several, is served"


@cache
def gift(name: str, default_topic: str | None = "1.1"):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return parse_gift(text, topics=TOPICS, default_topic=default_topic, source=name)


@cache
def moodle(name: str, default_topic: str | None = "1.1"):
    data = (FIXTURES / name).read_bytes()
    return parse_moodle_xml(data, topics=TOPICS, default_topic=default_topic, source=name)


def by_id(imported) -> dict[str, QuestionData]:
    return {question.id: question for question in imported.questions}


def keys(question: QuestionData) -> list[bool]:
    return [choice["correct"] for choice in question.choices]


def test_gift_file_of_every_construct_imports_without_problems():
    imported = gift("constructs.gift")
    assert imported.problems == []
    assert [q.id for q in imported.questions] == [
        "rcf-anomalies",
        "supervised-pair",
        "escapes-every-one",
        "html-question",
        "plain-question",
        "moodle-auto-format",
        "imported-which-metric-suits-an-imbalanced-binary",
        "rcf-anomalies-2",
        "missing-word",
        "feature-crossing",
        "default-topic",
    ]


def test_gift_single_answer_with_feedback_and_general_feedback():
    question = by_id(gift("constructs.gift"))["rcf-anomalies"]
    assert question == QuestionData(
        id="rcf-anomalies",
        topic="3.2",
        kind=Question.Kind.SINGLE,
        difficulty=2,
        tags=[],
        references=[],
        authoring_note="Imported from constructs.gift, line 6",
        stem="A utility wants an *anomaly score* for each meter reading, without labels. "
        "Which algorithm fits?",
        explanation="Random Cut Forest is SageMaker's unsupervised anomaly detector.",
        choices=[
            {
                "text": "Random Cut Forest",
                "correct": True,
                "why": "It scores each point by how isolated it is, with no labels.",
            },
            {"text": "XGBoost", "correct": False, "why": "It needs labelled examples."},
            {
                "text": "DeepAR",
                "correct": False,
                "why": "It forecasts values; it does not score anomalies.",
            },
        ],
        status=None,
    )


def test_gift_percent_weights_make_a_multiple_response_question():
    question = by_id(gift("constructs.gift"))["supervised-pair"]
    assert question.kind == Question.Kind.MULTIPLE
    assert keys(question) == [True, True, False, False]


def test_gift_escapes_give_their_characters():
    question = by_id(gift("constructs.gift"))["escapes-every-one"]
    assert (
        question.stem == 'Which line sets {"a": 1} where a=b, #tag, C:\\tmp and ~x?\nSecond line.'
    )
    assert question.choices[0] == {
        "text": "The first=one",
        "correct": True,
        "why": "It writes { and } literally, #1.",
    }
    assert question.explanation == "Escaped: \\ ~ = # { } and a\nnew line."


def test_gift_html_becomes_markdown_text():
    question = by_id(gift("constructs.gift"))["html-question"]
    assert question.stem == "Which service stores **objects** & serves them over HTTPS?"
    assert question.choices[0]["text"] == "Amazon S3"
    assert question.choices[0]["why"] == "Object storage with an *HTTPS* API."
    assert question.explanation == "S3 is object storage.\n\nIt serves objects over HTTPS."


def test_gift_plain_text_is_escaped_so_markdown_shows_it_as_written():
    question = by_id(gift("constructs.gift"))["plain-question"]
    assert question.stem == "What is 2\\*3\\*4, written as\\_a\\_product?"
    assert question.explanation == "In plain text \\* and \\_ stay literal."


def test_gift_without_format_is_moodle_auto_format_and_an_option_may_name_its_own():
    question = by_id(gift("constructs.gift"))["moodle-auto-format"]
    assert question.stem == "Which SageMaker feature\nsearches hyperparameter ranges?"
    assert question.choices[2]["text"] == "**Debugger**"


def test_gift_without_title_gets_an_imported_id_and_a_placeholder_why_said_in_the_note():
    question = by_id(gift("constructs.gift"))["imported-which-metric-suits-an-imbalanced-binary"]
    assert [choice["why"] for choice in question.choices] == [
        NO_WHY,
        "The majority class dominates it.",
        NO_WHY,
    ]
    assert question.authoring_note == (
        "Imported from constructs.gift, line 49; options 1, 3 had no feedback: the why says so"
    )


def test_gift_repeated_title_gets_a_unique_id():
    assert by_id(gift("constructs.gift"))["rcf-anomalies-2"].authoring_note.endswith("line 56")


def test_gift_missing_word_format_puts_a_blank_in_the_stem():
    question = by_id(gift("constructs.gift"))["missing-word"]
    assert question.stem == "Amazon _____ takes in click events in real time."
    assert keys(question) == [False, True, False]


def test_gift_category_picks_the_topic_by_code_else_the_default_topic():
    found = by_id(gift("constructs.gift"))
    assert found["rcf-anomalies"].topic == "3.2"  # "…/3.2 Select the appropriate model(s)…"
    assert found["feature-crossing"].topic == "2.2"  # "…/2.2"
    assert found["default-topic"].topic == "1.1"  # "…/Default for MLS-C01": the default


def test_gift_types_not_served_are_skipped_with_their_lines():
    assert gift("constructs.gift").skipped == [
        f"line 72: «Essay»: essay is not served ({SERVED})",
        "line 74: «True or false»: true/false is not served "
        "(skipped, not mapped to a two-option question)",
        f"line 76: «Short answer»: short answer is not served ({SERVED})",
        f"line 78: «Matching»: matching is not served ({SERVED})",
        f"line 84: «Numerical»: numerical is not served ({SERVED})",
        f"line 86: «Description»: description is not served ({SERVED})",
    ]


def test_moodle_documented_gift_examples():
    imported = gift("moodle_examples.gift")
    assert [q.id for q in imported.questions] == [
        "q1",
        "imported-what-is-two-plus-two",
        "imported-which-two-planets-have-rings",
        "escaped",
        "html-format",
    ]
    rings = by_id(imported)["imported-which-two-planets-have-rings"]
    assert keys(rings) == [False, True, True, False]
    assert by_id(imported)["escaped"].stem == "Which character starts a GIFT comment, :, { or }?"
    assert imported.skipped == [
        "line 16: «The Moon goes round the Earth.»: true/false is not served "
        "(skipped, not mapped to a two-option question)",
        "line 18: «The Sun goes round the Earth.»: true/false is not served "
        "(skipped, not mapped to a two-option question)",
        f"line 20: «Which planet is called the red planet?»: short answer is not served ({SERVED})",
        f"line 22: «Seven plus three is _____.»: short answer is not served ({SERVED})",
        f"line 24: «Match each planet with its moon.»: matching is not served ({SERVED})",
        f"line 30: «In which year did Apollo 11 land on the Moon?»: numerical is not served "
        f"({SERVED})",
        f"line 32: «What is the value of pi to two decimal places?»: numerical is not served "
        f"({SERVED})",
        f"line 34: «What is a number from 1 to 5?»: numerical is not served ({SERVED})",
        f"line 36: «In which year did Apollo 11 land on the Moon?»: numerical is not served "
        f"({SERVED})",
        f"line 41: «Write a short essay about the Moon.»: essay is not served ({SERVED})",
        "line 43: «This text introduces the questions below; it has …»: description is not "
        f"served ({SERVED})",
    ]
    # Moodle's plainest examples have no general feedback, which the bank needs.
    assert imported.problems == [
        "line 6: «Which planet is called the red planet?»: explanation is missing",
        "line 8: «Mars is _____ in colour.»: explanation is missing",
        "line 10: «Water boils at sea level at _____ degrees Celsius.»: explanation is missing",
    ]


def test_broken_gift_file_lists_every_problem_with_its_line():
    imported = gift("broken.gift", default_topic=None)
    assert imported.problems == [
        "line 6: «No key»: no option is marked correct",
        "line 6: «No key»: a multiple-response question needs at least two correct choices",
        "line 8: «Two keys»: a single-answer question needs exactly one correct choice",
        "line 10: «Seven options»: a question has at most 6 choices",
        "line 12: «No explanation»: explanation is missing",
        "line 14: «Open brace»: unbalanced braces: a question has one answer list {…}; "
        "write a literal brace as \\{ or \\}",
        "line 16: «Two lists»: unbalanced braces: a question has one answer list {…}; "
        "write a literal brace as \\{ or \\}",
        "line 18: «::Unclosed title [markdown]Which algorithm cluste…»: "
        "the title is not closed by ::",
        "line 20: «Stray text»: text before the first option: «oops» "
        "(each option starts with = or ~)",
        "line 22: «Empty option»: every choice needs text",
        "line 24: «No stem»: stem is missing",
        "line 28: «Lost»: category «$course$/Elsewhere/Statistics» names no topic code, "
        "and no default topic was given",
    ]
    assert [q.id for q in imported.questions] == ["good-one"]


def test_html_the_standard_parser_refuses_is_kept_as_text():
    imported = parse_gift(
        "::Q::Which <![x[ y ]]> is it?{=a#x ~b#y ####z}",
        topics=TOPICS,
        default_topic="3.2",
        source="s",
    )
    assert imported.problems == []
    assert imported.questions[0].stem == "Which &lt;!\\[x\\[ y \\]\\]> is it?"


def test_gift_without_category_or_default_topic_is_a_problem():
    imported = parse_gift(
        "::Q::[markdown]Which?{=a#x ~b#y ####z}", topics=TOPICS, default_topic=None, source="s"
    )
    assert imported.problems == [
        "line 1: «Q»: no category names a topic, and no default topic was given"
    ]


def test_moodle_xml_file_of_every_construct_imports_without_problems():
    imported = moodle("constructs.xml")
    assert imported.problems == []
    found = by_id(imported)
    assert list(found) == [
        "object-storage-https",
        "mod-supervised-pair",
        "auto-format",
        "default-topic",
    ]
    html = found["object-storage-https"]
    assert html.topic == "3.2"
    assert html.kind == Question.Kind.SINGLE
    assert html.stem == (
        "Which service stores **objects** & serves them over HTTPS?\n\n- durable\n- cheap"
    )
    assert html.explanation == "S3 is object storage."
    assert html.choices == [
        {"text": "Amazon S3", "correct": True, "why": "Object storage with an *HTTPS* API."},
        {"text": "Amazon EBS", "correct": False, "why": "Block storage for one instance."},
        {"text": "Amazon EFS", "correct": False, "why": NO_WHY},
    ]
    assert html.authoring_note == (
        "Imported from constructs.xml, line 8; option 3 had no feedback: the why says so"
    )
    pair = found["mod-supervised-pair"]  # the id from <idnumber>
    assert pair.kind == Question.Kind.MULTIPLE
    assert keys(pair) == [True, True, False]
    assert pair.stem == "Which two algorithms learn from *labelled* data? Choose TWO."
    assert pair.explanation == "Both need a target\\_column."
    assert found["auto-format"].stem == "Which feature\nsearches hyperparameter ranges?"
    assert found["default-topic"].topic == "1.1"


def test_moodle_xml_types_not_served_are_skipped_with_their_lines():
    assert moodle("constructs.xml").skipped == [
        "line 70: «True or false»: true/false is not served "
        "(skipped, not mapped to a two-option question)",
        f"line 76: «Essay»: essay is not served ({SERVED})",
        f"line 80: «Matching»: matching is not served ({SERVED})",
        f"line 84: «Numerical»: numerical is not served ({SERVED})",
        f"line 89: «Short answer»: short answer is not served ({SERVED})",
        f"line 94: «Description»: description is not served ({SERVED})",
        f"line 98: «Cloze»: embedded answers (cloze) is not served ({SERVED})",
    ]


def test_broken_moodle_xml_lists_every_problem_with_its_line():
    imported = moodle("broken.xml", default_topic=None)
    assert imported.questions == []
    assert imported.problems == [
        "line 6: «Lost»: category «$course$/top/Elsewhere» names no topic code, "
        "and no default topic was given",
        "line 16: «Bad fraction»: <single> is «maybe», not true or false",
        "line 16: «Bad fraction»: option 1: fraction «all» is not a number",
        "line 16: «Bad fraction»: no option is marked correct",
        "line 16: «Bad fraction»: a multiple-response question needs at least two correct choices",
        "line 24: «No answers»: the answer list has no options",
        "line 24: «No answers»: a question needs at least two choices",
        "line 24: «No answers»: a single-answer question needs exactly one correct choice",
        "line 29: «No text»: stem is missing",
        "line 29: «No text»: explanation is missing",
    ]


@pytest.mark.parametrize("name", ["entity_expansion.xml", "external_entity.xml"])
def test_xml_with_a_doctype_is_refused_before_anything_is_read(name):
    imported = moodle(name)
    assert imported.questions == [] and imported.skipped == []
    assert imported.problems == [
        "the file declares a DOCTYPE: refused, because Moodle XML needs none and a DTD can "
        "expand entities or read other files"
    ]


def test_malformed_xml_is_a_problem_with_its_line():
    imported = parse_moodle_xml(
        b"<quiz>\n<question type='multichoice'>\n</quiz>",
        topics=TOPICS,
        default_topic="1.1",
        source="s",
    )
    assert imported.problems == ["line 3: not well-formed XML: mismatched tag"]


def test_xml_in_an_unknown_encoding_is_a_problem():
    imported = parse_moodle_xml(
        b"<?xml version='1.0' encoding='klingon'?><quiz/>",
        topics=TOPICS,
        default_topic="1.1",
        source="s",
    )
    assert imported.problems == ["line 1: unknown encoding: klingon"]


def test_xml_whose_root_is_not_quiz_is_a_problem():
    imported = parse_moodle_xml(b"<questions/>", topics=TOPICS, default_topic="1.1", source="s")
    assert imported.problems == ["line 1: the root element is <questions>, not <quiz>"]


def test_oversized_input_is_refused_before_parsing(settings):
    settings.IMPORT_MAX_BYTES = 100
    broken_gift = (FIXTURES / "broken.gift").read_text()
    broken_xml = (FIXTURES / "entity_expansion.xml").read_bytes()
    for imported, size in [
        (parse_gift(broken_gift, topics=TOPICS, default_topic=None, source="s"), broken_gift),
        (parse_moodle_xml(broken_xml, topics=TOPICS, default_topic=None, source="s"), broken_xml),
    ]:
        assert imported.questions == [] and imported.skipped == []
        assert imported.problems == [
            f"the file is {len(size):,} bytes, more than the 100 allowed "
            "(DJANGO_IMPORT_MAX_BYTES): nothing was parsed"
        ]
    exactly = "x" * 100
    assert parse_gift(exactly, topics=TOPICS, default_topic=None, source="s").problems == []


ROUND_TRIP = [
    QuestionData(
        id="rt-single-001",
        topic="3.2",
        kind=Question.Kind.SINGLE,
        difficulty=3,
        tags=["XGBoost"],
        references=[{"title": "XGBoost", "url": "https://docs.aws.amazon.com/xgboost.html"}],
        authoring_note="written for the round trip",
        stem="One {brace}, ~tilde, =equals, #hash, :colon, C:\\new\\table and \\n.\n"
        'Two  \n```\ncode = {"a": 1}\n```\nEnds with ]]> and %50% inside.',
        explanation="Has ####, [a link](https://docs.aws.amazon.com/) and // slashes.",
        choices=[
            {"text": "%50% of rows", "correct": False, "why": "Starts with a percent sign."},
            {"text": "[html] looks like a tag", "correct": True, "why": "[plain] as well."},
            {"text": "naïve – ü 日本 😀", "correct": False, "why": "Unicode survives: <b>."},
        ],
    ),
    QuestionData(
        id="rt-multiple-002",
        topic="3.2",
        kind=Question.Kind.MULTIPLE,
        difficulty=2,
        tags=[],
        references=[],
        authoring_note="",
        stem="Pick three. Choose THREE.",
        explanation="Three of five.",
        choices=[
            {"text": f"Option {n}", "correct": n < 3, "why": f"Why {n}: a=b."} for n in range(5)
        ],
    ),
    QuestionData(
        id="rt-multiple-003",
        topic="1.1",
        kind=Question.Kind.MULTIPLE,
        difficulty=1,
        tags=[],
        references=[],
        authoring_note="",
        stem="Pick two of six. Choose TWO.",
        explanation="Two of six.",
        choices=[
            {"text": f"%{n}% option", "correct": n in (1, 4), "why": f"#{n}"} for n in range(6)
        ],
    ),
]
CRLF = QuestionData(
    id="rt-crlf-004",
    topic="1.1",
    kind=Question.Kind.SINGLE,
    difficulty=2,
    tags=[],
    references=[],
    authoring_note="",
    stem="Typed in a browser:\r\nits lines end in CR LF;\rold Macs end them in CR.",
    explanation="Exports write LF.",
    choices=[
        {"text": "LF", "correct": True, "why": "Yes\r\nreally."},
        {"text": "CR", "correct": False, "why": "No."},
    ],
)


def mls_topics(mls) -> dict[str, str]:
    return dict(Topic.objects.filter(domain__blueprint=mls).values_list("code", "domain__code"))


def content(question: QuestionData) -> tuple:
    return (
        question.id,
        question.topic,
        question.kind,
        question.stem,
        question.explanation,
        (question.choices),
    )


@pytest.mark.parametrize(
    ("export", "parse", "as_input"),
    [
        (export_gift, parse_gift, str),
        (export_moodle_xml, parse_moodle_xml, str.encode),
    ],
    ids=["gift", "moodle-xml"],
)
def test_export_import_export_round_trip_is_identical(mls, export, parse, as_input):
    load_questions([*ROUND_TRIP, CRLF], blueprint=mls)
    first = export(export_rows())
    imported = parse(as_input(first), topics=mls_topics(mls), default_topic=None, source="rt")
    assert imported.problems == [] and imported.skipped == []
    assert [content(q) for q in imported.questions if q.id != CRLF.id] == [
        content(q) for q in sorted(ROUND_TRIP, key=lambda q: (q.topic, q.id))
    ]
    assert by_id(imported)[CRLF.id].stem == (
        "Typed in a browser:\nits lines end in CR LF;\nold Macs end them in CR."
    )
    Question.objects.all().delete()
    load_questions(imported.questions, blueprint=mls)
    assert export(export_rows()) == first
    assert "\r" not in first


def test_gift_export_writes_categories_titles_weights_feedback_and_escapes(mls):
    load_questions(ROUND_TRIP, blueprint=mls)
    text = export_gift(export_rows())
    assert text.startswith("$CATEGORY: $course$/MLS-C01/1.1\n\n::rt-multiple-003::[markdown]")
    assert "\n\n$CATEGORY: $course$/MLS-C01/3.2\n\n" in text
    assert "::rt-single-001::[markdown]One \\{brace\\}, \\~tilde, \\=equals, \\#hash, " in text
    assert "C\\:\\\\new\\\\table and \\\\n.\\nTwo  \\n```" in text
    assert "\t~%0%%50% of rows#Starts with a percent sign.\n" in text
    assert "\t=[markdown][html] looks like a tag#[markdown][plain] as well.\n" in text
    assert (
        "\t####Has \\#\\#\\#\\#, [a link](https\\://docs.aws.amazon.com/) and // slashes.\n}"
        in text
    )
    assert "\t~%33.33333%Option 0#Why 0\\: a\\=b.\n" in text
    assert "\t~%-50%Option 4#Why 4\\: a\\=b.\n" in text
    assert "\t~%50%%1% option#\\#1\n\t~%-25%%2% option#\\#2\n" in text


def test_moodle_xml_export_has_categories_fractions_feedback_and_cdata(mls):
    load_questions(ROUND_TRIP, blueprint=mls)
    TopicFactory(code="3.2", name="Other blueprint's 3.2", domain__blueprint__code="zz-other")
    text = export_moodle_xml(export_rows())
    root = defusedxml.ElementTree.fromstring(text.encode())
    categories = [q.findtext("category/text") for q in root.findall("question[@type='category']")]
    assert categories == [
        "$course$/MLS-C01/1.1 Create data repositories for ML",
        "$course$/MLS-C01/3.2 Select the appropriate model(s) for a given ML problem",
    ]
    assert "Other blueprint's 3.2" not in text
    single = root.find("question[idnumber='rt-single-001']")
    assert single.get("type") == "multichoice"
    assert single.findtext("name/text") == "rt-single-001"
    assert single.findtext("single") == "true"
    assert single.findtext("shuffleanswers") == "1"
    assert single.find("questiontext").get("format") == "markdown"
    assert single.findtext("generalfeedback/text") == ROUND_TRIP[0].explanation
    assert [a.get("fraction") for a in single.findall("answer")] == ["0", "100", "0"]
    assert single.find("answer/feedback").get("format") == "markdown"
    assert single.findtext("answer/feedback/text") == "Starts with a percent sign."
    multiple = root.find("question[idnumber='rt-multiple-002']")
    assert multiple.findtext("single") == "false"
    assert [a.get("fraction") for a in multiple.findall("answer")] == [
        "33.33333",
        "33.33333",
        "33.33333",
        "-50",
        "-50",
    ]
    assert "<text><![CDATA[Pick three. Choose THREE.]]></text>" in text
    assert "Ends with ]]]]><![CDATA[> and %50% inside." in text
    assert '<answer fraction="100" format="markdown">' in text


GIFT_TOKENS = [
    "::", "{", "}", "~", "=", "#", "####", "%50%", "%-100%", "%", "\\", "\\{", "\\:", "\\n",
    "\n", "\n\n", "//", "$CATEGORY:", "$course$/MLS-C01/3.2", "[html]", "[markdown]", "[plain]",
    "[moodle]", "->", "TRUE", "F", "<p>", "</p>", "<b>", "<![x[", "<![CDATA[", "&amp;", "&#0;",
    " ", "\t", "\r", "_", "*",
]  # fmt: skip
gift_like = st.lists(st.one_of(st.sampled_from(GIFT_TOKENS), st.text(max_size=6)), max_size=60).map(
    "".join
)


@given(text=gift_like, default_topic=st.sampled_from([None, "3.2"]))
@hypothesis_settings(max_examples=400, deadline=None)
def test_random_gift_like_text_gives_problems_or_valid_questions_and_never_raises(
    text, default_topic
):
    imported = parse_gift(text, topics=TOPICS, default_topic=default_topic, source="random")
    assert all(line.startswith("line ") for line in imported.problems + imported.skipped)
    assert len({q.id for q in imported.questions}) == len(imported.questions)
    for question in imported.questions:
        raw = {key: value for key, value in asdict(question).items() if key != "status"}
        assert question_problems(raw) == []
        assert question.topic in TOPICS


XML_TOKENS = [
    "<quiz>", "</quiz>", '<question type="multichoice">', '<question type="category">',
    "</question>", "<text>", "</text>", "<answer fraction='100'>", "<answer fraction='x'>",
    "</answer>", "<![CDATA[", "]]>", "<!DOCTYPE quiz>", "&amp;", "&x;", "<single>",
    "</single>", "<?xml version='1.0' encoding='latin-1'?>", "\n",
]  # fmt: skip


@given(
    st.lists(st.one_of(st.sampled_from(XML_TOKENS), st.text(max_size=6)), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    )
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_random_xml_like_bytes_never_raise(data):
    imported = parse_moodle_xml(data, topics=TOPICS, default_topic="3.2", source="random")
    assert isinstance(imported.problems, list)


def test_import_command_loads_drafts_and_lists_every_skip(mls, capsys):
    call_command("import_questions", str(FIXTURES / "constructs.gift"), "--format", "gift",
                 "--topic", "1.1")  # fmt: skip
    out = capsys.readouterr().out
    assert "Skipped line 74: «True or false»: true/false is not served" in out
    assert "Skipped line 86: «Description»" in out
    assert "11 created, 0 updated, 0 unchanged, 6 skipped." in out
    assert set(Question.objects.values_list("status", flat=True)) == {Question.Status.DRAFT}
    question = Question.objects.get(external_id="supervised-pair")
    assert question.topic.code == "3.2" and question.kind == Question.Kind.MULTIPLE
    assert question.authoring_note == "Imported from constructs.gift, line 14"


def test_importing_again_changes_nothing_and_publishing_needs_references(mls, capsys):
    path = str(FIXTURES / "constructs.xml")
    call_command("import_questions", path, "--format", "moodle-xml", "--topic", "1.1")
    call_command("import_questions", path, "--format", "moodle-xml", "--topic", "1.1")
    assert "0 created, 0 updated, 4 unchanged, 7 skipped." in capsys.readouterr().out
    with pytest.raises(CommandError, match="published questions need references"):
        call_command("import_questions", path, "--format", "moodle-xml", "--topic", "1.1",
                     "--status", "published")  # fmt: skip
    assert set(Question.objects.values_list("status", flat=True)) == {Question.Status.DRAFT}


def test_import_command_dry_run_saves_nothing(mls, capsys):
    call_command("import_questions", str(FIXTURES / "constructs.xml"), "--format", "moodle-xml",
                 "--topic", "1.1", "--dry-run")  # fmt: skip
    assert "Dry run, nothing saved: 4 created" in capsys.readouterr().out
    assert not Question.objects.exists()


def test_import_command_with_any_problem_loads_nothing_and_lists_them_all(mls):
    with pytest.raises(CommandError) as error:
        call_command("import_questions", str(FIXTURES / "broken.gift"), "--format", "gift")
    message = str(error.value)
    assert message.startswith("Nothing was loaded: 12 problem(s):\n")
    assert "line 6: «No key»: no option is marked correct" in message
    assert "line 28: «Lost»: category «$course$/Elsewhere/Statistics» names no topic" in message
    assert not Question.objects.exists()


def test_import_command_refuses_an_oversized_file_and_an_unknown_topic(mls, settings):
    path = str(FIXTURES / "constructs.gift")
    with pytest.raises(CommandError, match="No topic 9.9"):
        call_command("import_questions", path, "--format", "gift", "--topic", "9.9")
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(CommandError, match=r"constructs.gift: the file is [\d,]+ bytes, more"):
        call_command("import_questions", path, "--format", "gift", "--topic", "1.1")
    assert not Question.objects.exists()


def test_export_rows_filter_by_domain_topic_and_status(mls):
    load_questions([*ROUND_TRIP, CRLF], blueprint=mls)
    Question.objects.filter(external_id="rt-crlf-004").update(status=Question.Status.DRAFT)
    assert [r["id"] for r in export_rows()] == [
        "rt-multiple-002",
        "rt-multiple-003",
        "rt-single-001",
    ]
    assert [r["id"] for r in export_rows(domain="1")] == ["rt-multiple-003"]
    assert [r["id"] for r in export_rows(topic="3.2")] == ["rt-multiple-002", "rt-single-001"]
    assert [r["id"] for r in export_rows(status=Question.Status.DRAFT)] == ["rt-crlf-004"]


def test_export_command_writes_gift_and_moodle_xml_with_filters(mls, capsys):
    load_questions(ROUND_TRIP, blueprint=mls)
    call_command("export_bank", "--format", "gift", "--topic", "1.1")
    assert capsys.readouterr().out == export_gift(export_rows(topic="1.1"))
    call_command("export_bank", "--format", "moodle-xml", "--domain", "3")
    out = capsys.readouterr().out
    assert out == export_moodle_xml(export_rows(domain="3"))
    assert "rt-single-001" in out and "rt-multiple-003" not in out
    call_command("export_bank", "--format", "json", "--domain", "1")
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == ["rt-multiple-003"]


def test_an_instructor_imports_a_gift_file_through_the_admin(mls, client):
    instructor = UserFactory(username="gil", is_staff=True)
    instructor.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(instructor)
    url = reverse("admin:questions_question_import")
    assert (
        "Import GIFT or Moodle XML"
        in client.get(reverse("admin:questions_question_changelist")).content.decode()
    )
    with open(FIXTURES / "constructs.gift", "rb") as upload:
        dry = client.post(url, {"file": upload, "format": "gift", "topic": "3.2",
                                "status": "draft"})  # fmt: skip
    html = dry.content.decode()
    assert "Dry run:" in html and "Skipped" in html and not Question.objects.exists()
    confirm = dry.context["confirm"]
    data = {name: value for name, value in confirm.initial.items()}
    data["confirm"] = "on"
    done = client.post(url, data)
    assert done.status_code == 302
    assert Question.objects.filter(status=Question.Status.DRAFT).exists()


def test_a_broken_file_in_the_admin_lists_its_problems_and_loads_nothing(mls, admin_client):
    url = reverse("admin:questions_question_import")
    with open(FIXTURES / "broken.gift", "rb") as upload:
        response = admin_client.post(url, {"file": upload, "format": "gift", "status": "draft"})
    html = response.content.decode()
    assert "Nothing can be loaded" in html and "line" in html
    assert "Import these questions" not in html and not Question.objects.exists()
