"""Bank files: reading, checking, loading and exporting questions.

A bank file is YAML (JSON is YAML too) in one of two shapes:
- a mapping ``{topic: "3.2", questions: [...]}``, one file per task statement, or
- a list of questions each carrying its own ``topic``, as ``export_bank`` writes it.
"""

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from django.db import transaction

from .models import (
    EXTERNAL_ID_PATTERN,
    MAX_REFERENCES,
    Blueprint,
    Choice,
    Question,
    Reference,
    Tag,
    Topic,
    reference_url_problem,
)

BANK_DIR = Path(__file__).resolve().parent / "bank"
QUESTION_KEYS = {
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
    "status",
}
CHOICE_KEYS = {"text", "correct", "why"}
REFERENCE_KEYS = {"title", "url"}
MAX_CHOICES = 6


class BankError(Exception):
    """A bank run was refused; ``problems`` lists every reason, each naming file and question."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class QuestionData:
    id: str
    topic: str
    kind: str
    difficulty: int
    tags: list[str]
    references: list[dict]
    authoring_note: str
    stem: str
    explanation: str
    choices: list[dict] = field(default_factory=list)
    status: str | None = None


def choice_problems(kind: str, choices: list[dict]) -> list[str]:
    """The rules every question's choices obey, in the bank files and in the admin alike."""
    problems = []
    correct = sum(1 for choice in choices if choice.get("correct"))
    if len(choices) < 2:
        problems.append("a question needs at least two choices")
    if len(choices) > MAX_CHOICES:
        problems.append(f"a question has at most {MAX_CHOICES} choices")
    if kind == Question.Kind.SINGLE and correct != 1:
        problems.append("a single-answer question needs exactly one correct choice")
    if kind == Question.Kind.MULTIPLE:
        if correct < 2:
            problems.append("a multiple-response question needs at least two correct choices")
        elif correct == len(choices):
            problems.append("a multiple-response question needs at least one wrong choice")
    if any(not str(choice.get("why") or "").strip() for choice in choices):
        problems.append("every choice needs an explanation (why)")
    if any(not str(choice.get("text") or "").strip() for choice in choices):
        problems.append("every choice needs text")
    return problems


def reference_problems(references, *, required: bool) -> list[str]:
    """1 to MAX_REFERENCES entries of {title, url}, each https on an allowed host (a draft
    may have none yet: ``required`` False)."""
    if not isinstance(references, list) or not all(isinstance(r, dict) for r in references):
        return ["references must be a list of {title, url}"]
    problems = []
    if required and not references:
        problems.append("needs at least one reference (the page that settles its key)")
    if len(references) > MAX_REFERENCES:
        problems.append(f"at most {MAX_REFERENCES} references")
    for reference in references:
        if set(reference) != REFERENCE_KEYS:
            problems.append("each reference has exactly a title and a url")
            continue
        if not isinstance(reference["title"], str) or not reference["title"].strip():
            problems.append("a reference needs a title")
        problem = reference_url_problem(str(reference["url"]))
        if problem:
            problems.append(problem)
    return problems


def _topic_problems(raw: dict, topics: dict[str, str]) -> list[str]:
    topic = str(raw.get("topic"))
    if topic not in topics:
        return [f"unknown topic {raw.get('topic')!r}"]
    if "domain" in raw and str(raw["domain"]) != topics[topic]:
        return [f"topic {topic} is in domain {topics[topic]}, not {raw['domain']!r}"]
    return []


def question_problems(raw: dict) -> list[str]:
    """The rules every question obeys, whatever its topic: bank files and imports alike."""
    problems = []
    unknown = set(raw) - QUESTION_KEYS
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    qid = raw.get("id")
    if not isinstance(qid, str) or not re.fullmatch(EXTERNAL_ID_PATTERN, qid):
        problems.append("id must be lower-case words joined by hyphens, e.g. mod-select-014")
    kind = raw.get("kind")
    if kind not in Question.Kind.values:
        problems.append(f"kind must be single or multiple, not {kind!r}")
    if raw.get("difficulty") not in (1, 2, 3):
        problems.append("difficulty must be 1, 2 or 3")
    if "status" in raw and raw["status"] not in Question.Status.values:
        problems.append(f"status must be one of {Question.Status.values}")
    for key in ("stem", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"{key} is missing")
    if not isinstance(raw.get("authoring_note", ""), str):
        problems.append("authoring_note must be text")
    draft = raw.get("status") == Question.Status.DRAFT
    problems += reference_problems(raw.get("references", []), required=not draft)
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        problems.append("tags must be a list of names")
    choices = raw.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
        problems.append("choices must be a list of {text, correct, why}")
    else:
        for choice in choices:
            if set(choice) - CHOICE_KEYS:
                problems.append(f"unknown choice keys {sorted(set(choice) - CHOICE_KEYS)}")
            if not isinstance(choice.get("correct", False), bool):
                problems.append("a choice's correct must be true or false")
        problems += choice_problems(kind, choices)
    return problems


def read_files(paths: list[Path], topics: dict[str, str]) -> list[QuestionData]:
    """Parse and check every file; raise BankError listing all problems, or return the questions.

    ``topics`` maps each known topic code to its domain code.
    """
    problems: list[str] = []
    questions: list[QuestionData] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.append(f"{path}: cannot be read: {error}")
            continue
        if isinstance(content, dict) and isinstance(content.get("questions"), list):
            file_topic = content.get("topic")
            raws = [
                {"topic": file_topic, **raw} if isinstance(raw, dict) else raw
                for raw in content["questions"]
            ]
        elif isinstance(content, list):
            raws = content
        else:
            problems.append(f"{path}: expected a mapping with 'topic' and 'questions', or a list")
            continue
        for number, raw in enumerate(raws, start=1):
            if not isinstance(raw, dict):
                problems.append(f"{path}: question #{number} is not a mapping")
                continue
            label = raw.get("id") or f"question #{number}"
            found = _topic_problems(raw, topics) + question_problems(raw)
            if raw.get("id") in seen:
                found.append(f"duplicate id (also in {seen[raw['id']]})")
            problems += [f"{path}: {label}: {problem}" for problem in found]
            if found:
                continue
            seen[raw["id"]] = path
            questions.append(
                QuestionData(
                    id=raw["id"],
                    topic=str(raw["topic"]),
                    kind=raw["kind"],
                    difficulty=raw["difficulty"],
                    tags=sorted({t.strip() for t in raw.get("tags", [])}),
                    references=[
                        {"title": r["title"].strip(), "url": r["url"].strip()}
                        for r in raw.get("references", [])
                    ],
                    authoring_note=raw.get("authoring_note", "").strip(),
                    stem=raw["stem"].strip(),
                    explanation=raw["explanation"].strip(),
                    choices=[
                        {
                            "text": c["text"].strip(),
                            "correct": bool(c.get("correct", False)),
                            "why": c["why"].strip(),
                        }
                        for c in raw["choices"]
                    ],
                    status=raw.get("status"),
                )
            )
    if problems:
        raise BankError(problems)
    return questions


def bank_paths(paths: list[str] | None = None) -> list[Path]:
    """The files to load: the given files and folders (their *.yaml, *.yml, *.json)."""
    found = []
    for item in [Path(p) for p in paths] if paths else [BANK_DIR]:
        if item.is_dir():
            found += sorted(p for p in item.iterdir() if p.suffix in {".yaml", ".yml", ".json"})
        else:
            found.append(item)
    return found


def as_data(question: Question) -> QuestionData:
    return QuestionData(
        id=question.external_id,
        topic=question.topic.code,
        kind=question.kind,
        difficulty=question.difficulty,
        tags=sorted(tag.name for tag in question.tags.all()),
        references=question.reference_list(),
        authoring_note=question.authoring_note,
        stem=question.stem,
        explanation=question.explanation,
        choices=question.choice_list(),
    )


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def lines(self, *, dry_run: bool, verbosity: int, also: str = "") -> list[str]:
        """What a command prints: the counts, then (at verbosity 2) each id created or
        updated."""
        if verbosity < 1:
            return []
        prefix = "Dry run, nothing saved: " if dry_run else ""
        counts = f"{len(self.created)} created, {len(self.updated)} updated, "
        found = [f"{prefix}{counts}{len(self.unchanged)} unchanged{also}."]
        if verbosity >= 2:
            found += [f"  created {qid}" for qid in self.created]
            found += [f"  updated {qid}" for qid in self.updated]
        return found


@transaction.atomic
def load_questions(questions: list[QuestionData], *, blueprint: Blueprint) -> LoadReport:
    """Create new questions, update changed ones (bumping version), leave the rest untouched."""
    topics = {t.code: t for t in Topic.objects.filter(domain__blueprint=blueprint)}
    existing = {
        q.external_id: q
        for q in Question.objects.filter(external_id__in=[q.id for q in questions])
        .select_related("topic")
        .prefetch_related("tags", "choices", "references")
    }
    tags = {t.name: t for t in Tag.objects.all()}
    report = LoadReport()
    for data in questions:
        current = existing.get(data.id)
        if current is not None and as_data(current) == replace(data, status=None):
            report.unchanged.append(data.id)
            if data.status and current.status != data.status:
                current.status = data.status
                current.save(update_fields=["status", "updated_at"])
            continue
        fields = {
            "topic": topics[data.topic],
            "kind": data.kind,
            "difficulty": data.difficulty,
            "authoring_note": data.authoring_note,
            "stem": data.stem,
            "explanation": data.explanation,
        }
        if current is None:
            current = Question.objects.create(
                external_id=data.id,
                status=data.status or Question.Status.PUBLISHED,
                **fields,
            )
            report.created.append(data.id)
        else:
            new_content = (data.stem, data.explanation, data.choices, data.references)
            if current.content() != new_content:
                current.version += 1  # what learners read changed, not only its labels
            for name, value in fields.items():
                setattr(current, name, value)
            if data.status:
                current.status = data.status
            current.save()
            current.choices.all().delete()
            current.references.all().delete()
            report.updated.append(data.id)
        for name in data.tags:
            if name not in tags:
                tags[name] = Tag.objects.create(name=name)
        current.tags.set([tags[name] for name in data.tags])
        Choice.objects.bulk_create(
            Choice(question=current, text=c["text"], is_correct=c["correct"], why=c["why"], order=i)
            for i, c in enumerate(data.choices)
        )
        Reference.objects.bulk_create(
            Reference(question=current, title=r["title"], url=r["url"], order=i)
            for i, r in enumerate(data.references)
        )
    return report


def load_bank(paths: list[str] | None = None, *, blueprint: Blueprint | None = None) -> LoadReport:
    """Read and check every file, then load them all in one transaction, or nothing."""
    blueprint = blueprint or Blueprint.objects.default()
    topics = dict(
        Topic.objects.filter(domain__blueprint=blueprint).values_list("code", "domain__code")
    )
    return load_questions(read_files(bank_paths(paths), topics), blueprint=blueprint)


def export_rows(
    *,
    domain: str | None = None,
    topic: str | None = None,
    status: str = Question.Status.PUBLISHED,
) -> list[dict]:
    """Questions of a status, of one domain or topic when given, as bank rows sorted by id."""
    questions = Question.objects.filter(status=status)
    if domain:
        questions = questions.filter(topic__domain__code=domain)
    if topic:
        questions = questions.filter(topic__code=topic)
    questions = (
        questions.select_related("topic__domain")
        .prefetch_related("tags", "choices", "references")
        .order_by("external_id")
    )
    rows = []
    for question in questions:
        data = as_data(question)
        rows.append(
            {
                "id": data.id,
                "domain": question.topic.domain.code,
                "topic": data.topic,
                "kind": data.kind,
                "difficulty": data.difficulty,
                "tags": data.tags,
                "references": data.references,
                "authoring_note": data.authoring_note,
                "stem": data.stem,
                "explanation": data.explanation,
                "choices": data.choices,
            }
        )
    return rows


def export_bank(
    fmt: str = "json",
    *,
    domain: str | None = None,
    topic: str | None = None,
    status: str = Question.Status.PUBLISHED,
) -> str:
    """The questions of ``export_rows`` as a JSON or YAML list, one object per question."""
    rows = export_rows(domain=domain, topic=topic, status=status)
    if fmt == "yaml":
        return yaml.safe_dump(rows, sort_keys=False, allow_unicode=True, width=100)
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
