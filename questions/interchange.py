"""GIFT and Moodle XML: importing questions written for Moodle, and exporting the bank to it.

Import maps multiple-choice questions, with one answer or several, onto the bank's
``QuestionData`` and checks them with the bank's own rules; every other question type is
listed as skipped. Nothing raises on bad input: each problem comes back in
``Imported.problems`` with its line, and the caller loads nothing while there is any.

Export writes the rows of ``questions.bank.export_rows``. Weights follow Moodle's convention:
a single-answer question gives its key 100 and every other option 0; a multiple-response
question splits 100 evenly among its keys and -100 evenly among the other options, so that
ticking every option scores nothing. Import takes any positive weight as a key, so a round
trip (export, import, export) gives the same file.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.sax.saxutils import escape as xml_escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings

from .bank import QuestionData, question_problems
from .models import Question, Topic

CATEGORY_ROOT = "$course$/MLS-C01"
NO_WHY = "No explanation was given for this option."
MAX_ID_LENGTH = Question._meta.get_field("external_id").max_length
SERVED = "only multiple choice, with one answer or several, is served"
SKIP_REASONS = {"true/false": "skipped, not mapped to a two-option question"}
MOODLE_TYPE_NAMES = {
    "truefalse": "true/false",
    "shortanswer": "short answer",
    "multianswer": "embedded answers (cloze)",
}
MOODLE_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
GIFT_FORMAT = re.compile(r"\[(markdown|html|plain|moodle)\]")
GIFT_ESCAPE = re.compile(r"\\(.)", re.S)
GIFT_ESCAPED = {"n": "\n", "\\": "\\", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":"}
GIFT_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
FRACTION = re.compile(r"-?\d+(?:\.\d+)?")
XML_INVALID = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Imported:
    """What a file gave: questions ready for ``load_questions``, skipped items, problems."""

    questions: list[QuestionData] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def size_problem(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused before it is parsed, or None."""
    limit = settings.IMPORT_MAX_BYTES
    if size <= limit:
        return None
    return (
        f"the file is {size:,} bytes, more than the {limit:,} allowed "
        "(DJANGO_IMPORT_MAX_BYTES): nothing was parsed"
    )


def parse_gift(
    text: str, *, topics: dict[str, str], default_topic: str | None, source: str
) -> Imported:
    """The multiple-choice questions of a GIFT file; ``topics`` maps topic code to domain code."""
    problem = size_problem(len(text.encode("utf-8", "surrogatepass")))
    if problem:
        return Imported(problems=[problem])
    builder = _Builder(topics=topics, default_topic=default_topic, source=source)
    for line, block in _gift_blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if block.startswith("$CATEGORY:"):
            builder.category = block.removeprefix("$CATEGORY:").strip()
        else:
            _read_gift_question(builder, line, block)
    return builder.result


def parse_moodle_xml(
    data: bytes, *, topics: dict[str, str], default_topic: str | None, source: str
) -> Imported:
    """The multiple-choice questions of a Moodle XML file, parsed only with defusedxml."""
    problem = size_problem(len(data))
    if problem:
        return Imported(problems=[problem])
    try:
        root, lines = _parse_xml(data)
    except DefusedXmlException:
        return Imported(
            problems=[
                "the file declares a DOCTYPE: refused, because Moodle XML needs none and a DTD "
                "can expand entities or read other files"
            ]
        )
    except LookupError as error:
        return Imported(problems=[f"line 1: {error}"])
    except ParseError as error:
        reason = re.sub(r": line \d+, column \d+$", "", str(error))
        return Imported(problems=[f"line {error.position[0]}: not well-formed XML: {reason}"])
    if root.tag != "quiz":
        return Imported(problems=[f"line 1: the root element is <{root.tag}>, not <quiz>"])
    builder = _Builder(topics=topics, default_topic=default_topic, source=source)
    for element in root.findall("question"):
        kind = element.get("type", "")
        line = lines[element]
        if kind == "category":
            builder.category = _xml_text(element, "category/text")
        elif kind == "multichoice":
            _read_moodle_multichoice(builder, line, element)
        else:
            name = _xml_text(element, "name/text") or "untitled"
            builder.skip(line, name, MOODLE_TYPE_NAMES.get(kind, kind or "a question of no type"))
    return builder.result


def export_gift(rows: list[dict]) -> str:
    """GIFT for Moodle: a $CATEGORY per topic, then its questions, ``::id::[markdown]stem{…}``."""
    blocks = []
    for topic, group in _by_topic(rows):
        blocks.append(f"$CATEGORY: {CATEGORY_ROOT}/{topic}")
        blocks += [_gift_question(row) for row in group]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def export_moodle_xml(rows: list[dict]) -> str:
    """Moodle XML: a category question per topic, then its multichoice questions."""
    names = _topic_names(rows)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for topic, group in _by_topic(rows):
        lines += _xml_category(f"{CATEGORY_ROOT}/{topic} {names.get(topic, '')}".rstrip())
        for row in group:
            lines += _xml_question(row)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


class _Builder:
    """Collects the questions, skips and problems of one file, as each format reads it."""

    def __init__(self, *, topics: dict[str, str], default_topic: str | None, source: str):
        self.topics = topics
        self.default_topic = default_topic if default_topic in topics else None
        self.source = source
        self.category: str | None = None
        self.ids: set[str] = set()
        self.result = Imported()

    def skip(self, line: int, title: str, type_name: str) -> None:
        reason = SKIP_REASONS.get(type_name, SERVED)
        self.result.skipped.append(f"line {line}: «{title}»: {type_name} is not served ({reason})")

    def problem(self, line: int, title: str, problem: str) -> None:
        self.result.problems.append(f"line {line}: «{title}»: {problem}")

    def add(
        self,
        *,
        line: int,
        name: str,
        stem: str,
        explanation: str,
        kind: str,
        choices: list[dict],
        problems: list[str],
        id_source: str = "",
    ) -> None:
        """Check a question with the bank's rules; keep it, or report each problem.

        Its id comes from ``id_source`` (Moodle's idnumber) or else from the title.
        """
        title = name or _excerpt(stem)
        found = list(problems)
        topic = _category_topic(self.category or "", self.topics) or self.default_topic
        if topic is None:
            found.append(self._no_topic())
        if not choices:
            found.append("the answer list has no options")
        elif not any(choice["correct"] for choice in choices):
            found.append("no option is marked correct")
        raw = {
            "id": self._new_id(id_source or name, stem),
            "topic": topic,
            "kind": kind,
            "difficulty": 2,
            "tags": [],
            "references": [],
            "authoring_note": self._note(line, choices),
            "stem": stem,
            "explanation": explanation,
            "choices": [{**choice, "why": choice["why"] or NO_WHY} for choice in choices],
        }
        found += question_problems({**raw, "status": "draft"})  # references come later
        for problem in found:
            self.problem(line, title, problem)
        if not found:
            self.result.questions.append(QuestionData(**raw))

    def _no_topic(self) -> str:
        if self.category:
            return f"category «{self.category}» names no topic code, and no default topic was given"
        return "no category names a topic, and no default topic was given"

    def _note(self, line: int, choices: list[dict]) -> str:
        note = f"Imported from {self.source}, line {line}"
        unexplained = [str(number) for number, c in enumerate(choices, 1) if not c["why"]]
        if unexplained:
            options = "options" if len(unexplained) > 1 else "option"
            note += f"; {options} {', '.join(unexplained)} had no feedback: the why says so"
        return note

    def _new_id(self, name: str, stem: str) -> str:
        """An id from the title (or "imported-" and the stem's first words), unique here."""
        base = _slug(name)[:MAX_ID_LENGTH].strip("-") or f"imported-{_slug(stem)[:40]}".strip("-")
        candidate, number = base, 1
        while candidate in self.ids:
            number += 1
            suffix = f"-{number}"
            candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        self.ids.add(candidate)
        return candidate


def _category_topic(path: str, topics: dict[str, str]) -> str | None:
    """The topic a category names: its last segment, or the code it starts with ("3.2 …")."""
    last = path.rstrip("/").rsplit("/", 1)[-1].strip()
    if last in topics:
        return last
    code = re.match(r"\d+(?:\.\d+)*", last)
    return code[0] if code and code[0] in topics else None


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _excerpt(text: str) -> str:
    words = " ".join(re.sub(r"\\([\\`*_\[\]])", r"\1", text).split())
    return words if len(words) <= 50 else words[:49] + "…"


def _to_markdown(text: str, fmt: str) -> str:
    """Text of a Moodle format as Markdown: Markdown kept, plain escaped, HTML converted."""
    if fmt == "markdown":
        return text.strip()
    if fmt == "plain":
        return _escape_markdown(text).strip()
    if fmt == "moodle":
        text = text.replace("\n", "<br>")
    writer = _MarkdownWriter()
    try:
        writer.feed(text)
        writer.close()
    except AssertionError:
        # html.parser refuses a marked section of unknown keyword (<![foo[): keep it as text.
        return _escape_markdown(text).strip()
    return re.sub(r"\n{3,}", "\n\n", "".join(writer.parts)).strip()


def _escape_markdown(text: str) -> str:
    return re.sub(r"[\\`*_\[\]]", r"\\\g<0>", text).replace("<", "&lt;")


class _MarkdownWriter(HTMLParser):
    """HTML as Markdown-safe text: paragraphs, line breaks, lists, emphasis and code kept."""

    BLOCKS = {"p", "div", "ul", "ol", "table", "tr", "blockquote", "h1", "h2", "h3", "h4"}
    MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
    HIDDEN = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.in_pre = False
        self.line_start = True

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "pre":
            self._break("\n\n```\n")
            self.in_pre = True
        elif tag == "br":
            self._break("\n")
        elif tag == "li":
            self._break("\n- ")
        elif tag in self.BLOCKS:
            self._break("\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt") or "no description"
            self._write(f"(image: {_escape_markdown(alt)})")
        elif tag in self.MARKS and not self.in_pre:
            self._write(self.MARKS[tag])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "pre" and self.in_pre:
            self.in_pre = False
            self._break("\n```\n\n")
        elif tag in self.BLOCKS:
            self._break("\n\n")
        elif tag in self.MARKS and not self.in_pre:
            self._write(self.MARKS[tag])

    def handle_data(self, data):
        if self.hidden:
            return
        if self.in_pre:
            self.parts.append(data)
            return
        text = _escape_markdown(re.sub(r"\s+", " ", data))
        self._write(text.lstrip(" ") if self.line_start else text)

    def _write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.line_start = False

    def _break(self, text: str) -> None:
        if self.parts and not self.in_pre:
            self.parts[-1] = self.parts[-1].rstrip(" ")
        self.parts.append(text)
        self.line_start = True


def _gift_blocks(text: str) -> list[tuple[int, str]]:
    """Each question and $CATEGORY line with its first line number; blank lines separate them."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped or stripped.startswith("$CATEGORY:"):
            current = None
            if stripped:
                blocks.append((number, [stripped]))
            continue
        if current is None:
            current = []
            blocks.append((number, current))
        current.append(line)
    return [(number, "\n".join(lines).strip()) for number, lines in blocks]


def _unescape(text: str) -> str:
    return GIFT_ESCAPE.sub(lambda match: GIFT_ESCAPED.get(match[1], match[0]), text)


def _mask(text: str) -> str:
    """The text with every escaped pair blanked, same length, for finding GIFT's marks."""
    return GIFT_ESCAPE.sub("__", text)


def _gift_text(raw: str, default_format: str) -> tuple[str, str]:
    """A GIFT text as Markdown, and its format (a leading [html] etc., else the default)."""
    raw = raw.strip()
    tag = GIFT_FORMAT.match(raw)
    fmt = tag[1] if tag else default_format
    return _to_markdown(_unescape(raw[tag.end() :] if tag else raw), fmt), fmt


def _read_gift_question(builder: _Builder, line: int, block: str) -> None:
    masked = _mask(block)
    name = ""
    if masked.startswith("::"):
        end = masked.find("::", 2)
        if end < 0:
            builder.problem(line, _excerpt(block), "the title is not closed by ::")
            return
        name = _unescape(block[2:end]).strip()
        block, masked = block[end + 2 :], masked[end + 2 :]
    start, finish = masked.find("{"), masked.find("}")
    if start < 0 and finish < 0:
        builder.skip(line, name or _excerpt(_unescape(block)), "description")
        return
    if masked.count("{") != 1 or masked.count("}") != 1 or finish < start:
        builder.problem(
            line,
            name or _excerpt(_unescape(block)),
            "unbalanced braces: a question has one answer list {…}; "
            "write a literal brace as \\{ or \\}",
        )
        return
    after = block[finish + 1 :] if masked[finish + 1 :].strip() else ""
    stem, fmt = _gift_text(block[:start] + ("_____" + after if after else ""), "moodle")
    answers, masked_answers = block[start + 1 : finish], masked[start + 1 : finish]
    split = masked_answers.rfind("####")
    general = ""
    if split >= 0:
        general = answers[split + 4 :]
        answers, masked_answers = answers[:split], masked_answers[:split]
    type_name = _gift_type(masked_answers)
    if type_name:
        builder.skip(line, name or _excerpt(stem), type_name)
        return
    choices, problems = _gift_choices(answers, masked_answers, fmt)
    builder.add(
        line=line,
        name=name,
        stem=stem,
        explanation=_gift_text(general, fmt)[0],
        kind=Question.Kind.SINGLE if "=" in masked_answers else Question.Kind.MULTIPLE,
        choices=choices,
        problems=problems,
    )


def _gift_type(masked_answers: str) -> str | None:
    """The type of a GIFT answer list that is not served, as Moodle tells them apart; or None."""
    answers = masked_answers.strip()
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return None
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip() in {"T", "TRUE", "F", "FALSE"}:
        return "true/false"
    return "short answer"


def _gift_choices(answers: str, masked: str, fmt: str) -> tuple[list[dict], list[str]]:
    marks = [index for index, char in enumerate(masked) if char in "~="]
    problems = []
    if masked[: marks[0]].strip():
        problems.append(
            f"text before the first option: «{_excerpt(_unescape(answers[: marks[0]]))}» "
            "(each option starts with = or ~)"
        )
    choices = [
        _gift_choice(answers[begin:end], masked[begin:end], fmt)
        for begin, end in zip(marks, [*marks[1:], len(masked)], strict=True)
    ]
    return choices, problems


def _gift_choice(raw: str, masked: str, fmt: str) -> dict:
    """One option: ``=`` marks a key, ``~%50%`` a weight (positive is a key), ``#`` its why."""
    correct = raw[0] == "="
    body, masked = raw[1:], masked[1:]
    indent = len(masked) - len(masked.lstrip())
    body, masked = body[indent:], masked[indent:]
    weight = None if correct else GIFT_WEIGHT.match(masked)
    if weight:
        correct = float(weight[1]) > 0
        body, masked = body[weight.end() :], masked[weight.end() :]
    feedback = masked.find("#")
    text, why = (body[:feedback], body[feedback + 1 :]) if feedback >= 0 else (body, "")
    return {"text": _gift_text(text, fmt)[0], "correct": correct, "why": _gift_text(why, fmt)[0]}


class _LineTreeBuilder(TreeBuilder):
    """Remembers the line each element starts on, so problems can name it."""

    def __init__(self):
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _parse_xml(data: bytes) -> tuple[Element, dict[Element, int]]:
    target = _LineTreeBuilder()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.parser = parser
    parser.feed(data)
    return parser.close(), target.lines


def _xml_text(element: Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return "".join(found.itertext()).strip() if found is not None else ""


def _moodle_text(element: Element | None) -> str:
    """The <text> of a Moodle element, as Markdown, by the element's format (default html)."""
    if element is None:
        return ""
    fmt = MOODLE_FORMATS.get(element.get("format", "html"), "html")
    return _to_markdown(_xml_text(element, "text"), fmt)


def _read_moodle_multichoice(builder: _Builder, line: int, element: Element) -> None:
    single = _xml_text(element, "single").lower() or "true"
    problems = []
    if single not in {"true", "1", "false", "0"}:
        problems.append(f"<single> is «{single}», not true or false")
    choices = []
    for number, answer in enumerate(element.findall("answer"), start=1):
        fraction = answer.get("fraction", "0").strip()
        if not FRACTION.fullmatch(fraction):
            problems.append(f"option {number}: fraction «{fraction}» is not a number")
        choices.append(
            {
                "text": _moodle_text(answer),
                "correct": bool(FRACTION.fullmatch(fraction)) and float(fraction) > 0,
                "why": _moodle_text(answer.find("feedback")),
            }
        )
    builder.add(
        line=line,
        name=_xml_text(element, "name/text"),
        id_source=_xml_text(element, "idnumber"),
        stem=_moodle_text(element.find("questiontext")),
        explanation=_moodle_text(element.find("generalfeedback")),
        kind=Question.Kind.SINGLE if single in {"true", "1"} else Question.Kind.MULTIPLE,
        choices=choices,
        problems=problems,
    )


def _by_topic(rows: list[dict]):
    groups: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda row: (row["topic"], row["id"])):
        groups.setdefault(row["topic"], []).append(row)
    return groups.items()


def _weights(row: dict) -> list[str]:
    """Each option's weight in percent, by the convention in this module's docstring."""
    keys = [choice["correct"] for choice in row["choices"]]
    if row["kind"] == Question.Kind.SINGLE:
        return ["100" if key else "0" for key in keys]
    right = sum(keys) or 1
    wrong = len(keys) - sum(keys) or 1
    return [_percent(100 / right) if key else _percent(-100 / wrong) for key in keys]


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _gift_escape(text: str) -> str:
    return re.sub(r"[\\~=#{}:]", r"\\\g<0>", _newlines(text)).replace("\n", "\\n")


def _gift_field(text: str) -> str:
    """An option, why or explanation; one that starts like a format tag gets [markdown] first."""
    prefix = "[markdown]" if GIFT_FORMAT.match(text) else ""
    return prefix + _gift_escape(text)


def _gift_mark(row: dict, weight: str, text: str) -> str:
    # An option starting with % would read as a weight after a bare ~, so it gets one.
    if row["kind"] == Question.Kind.SINGLE and weight == "100":
        return "="
    if row["kind"] == Question.Kind.SINGLE and not text.startswith("%"):
        return "~"
    return f"~%{weight}%"


def _gift_question(row: dict) -> str:
    lines = [f"::{_gift_escape(row['id'])}::[markdown]{_gift_escape(row['stem'])}{{"]
    for choice, weight in zip(row["choices"], _weights(row), strict=True):
        mark = _gift_mark(row, weight, choice["text"])
        lines.append(f"\t{mark}{_gift_field(choice['text'])}#{_gift_field(choice['why'])}")
    lines += [f"\t####{_gift_field(row['explanation'])}", "}"]
    return "\n".join(lines)


def _topic_names(rows: list[dict]) -> dict[str, str]:
    """Topic code → name, in the default blueprint (MLS-C01, as the category paths say)."""
    topics = Topic.objects.filter(
        domain__blueprint__is_default=True, code__in={row["topic"] for row in rows}
    )
    return dict(topics.values_list("code", "name"))


def _xml_clean(text: str) -> str:
    """Text XML can hold: newlines as \\n, characters XML 1.0 forbids dropped."""
    return XML_INVALID.sub("", _newlines(text)).strip()


def _cdata(text: str) -> str:
    return "<![CDATA[" + _xml_clean(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_category(path: str) -> list[str]:
    return [
        '  <question type="category">',
        f"    <category><text>{xml_escape(_xml_clean(path))}</text></category>",
        "  </question>",
    ]


def _xml_question(row: dict) -> list[str]:
    single = row["kind"] == Question.Kind.SINGLE
    lines = [
        '  <question type="multichoice">',
        f"    <name><text>{xml_escape(row['id'])}</text></name>",
        '    <questiontext format="markdown">',
        f"      <text>{_cdata(row['stem'])}</text>",
        "    </questiontext>",
        '    <generalfeedback format="markdown">',
        f"      <text>{_cdata(row['explanation'])}</text>",
        "    </generalfeedback>",
        f"    <idnumber>{xml_escape(row['id'])}</idnumber>",
        f"    <single>{'true' if single else 'false'}</single>",
        "    <shuffleanswers>1</shuffleanswers>",
    ]
    for choice, weight in zip(row["choices"], _weights(row), strict=True):
        lines += [
            f'    <answer fraction="{weight}" format="markdown">',
            f"      <text>{_cdata(choice['text'])}</text>",
            '      <feedback format="markdown">',
            f"        <text>{_cdata(choice['why'])}</text>",
            "      </feedback>",
            "    </answer>",
        ]
    lines.append("  </question>")
    return lines


FORMATS = {"gift": "GIFT", "moodle-xml": "Moodle XML"}


def parse(data: bytes, *, format: str, topics: dict[str, str], default_topic: str | None,
          source: str) -> Imported:  # fmt: skip
    """A file's bytes in either format: the command line and the admin upload alike."""
    problem = size_problem(len(data))
    if problem:
        return Imported(problems=[f"{source}: {problem}"])
    if format == "moodle-xml":
        return parse_moodle_xml(data, topics=topics, default_topic=default_topic, source=source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Imported(problems=[f"{source} is not UTF-8: {error}"])
    return parse_gift(text, topics=topics, default_topic=default_topic, source=source)
