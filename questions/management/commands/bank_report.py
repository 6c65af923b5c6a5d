from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from questions import quality
from questions.bank import BankError, QuestionData, bank_paths, read_files
from questions.coverage import FLOORS, missing, published_questions
from questions.models import Blueprint, Topic


def item(data: QuestionData) -> quality.Item:
    return quality.Item(
        id=data.id,
        kind=data.kind,
        stem=data.stem,
        choices=tuple((c["text"], c["correct"]) for c in data.choices),
        difficulty=data.difficulty,
    )


def cue_lines(found: dict) -> list[str]:
    ranks = found["key_rank_shares"]
    return [
        f"Stems: median {found['stem_words_median']} words "
        f"(range {found['stem_words_min']}–{found['stem_words_max']}); options: median "
        f"{found['option_words_median']} words; approach questions "
        f"{found['approach_share']:.0%}",
        "Key length rank in single-answer questions (longest/2nd/3rd/shortest): "
        + " / ".join(f"{ranks[r]:.0%}" for r in (1, 2, 3, 4)),
        f"Multiple response: the longest option is a key {found['multiple_longest_is_key']:.0%}, "
        f"the shortest {found['multiple_shortest_is_key']:.0%} "
        f"(chance {found['multiple_chance']:.0%})",
        f"Absolute words (always/never/only/all): {found['absolute_in_keys']:.0%} of keys, "
        f"{found['absolute_in_distractors']:.0%} of distractors",
        f"Option sharing most words with the stem is a key: {found['overlap_is_key']:.0%} "
        f"(chance {found['overlap_chance']:.0%})",
        f"'Already uses' services: the key {found['already_key']} times, a distractor "
        f"{found['already_distractor']} times",
    ]


class Command(BaseCommand):
    """Prints the bank's coverage and content figures as markdown, so reviewers see gaps and
    answer cues before learners do. With paths, reports on bank files without loading them."""

    help = (
        "Coverage of the published bank per domain and task statement, references, lengths, "
        "difficulty mix, answer-cue figures and coverage lists. With PATHs: those files only."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Bank files or folders to check instead.")

    def handle(self, *args, paths, **options):
        blueprint = Blueprint.objects.default()
        if paths:
            topics = dict(
                Topic.objects.filter(domain__blueprint=blueprint).values_list(
                    "code", "domain__code"
                )
            )
            try:
                questions = read_files(bank_paths(paths), topics)
            except BankError as error:
                raise CommandError(f"{len(error.problems)} problem(s):\n{error}") from error
            rows = [(q.topic, q.kind, q.difficulty, len(q.references), q.tags) for q in questions]
            items = [item(q) for q in questions]
        else:
            published = published_questions(blueprint)
            rows = [
                (
                    q.topic.code,
                    q.kind,
                    q.difficulty,
                    len(q.references.all()),
                    [t.name for t in q.tags.all()],
                )
                for q in published
            ]
            items = [quality.item_of(q) for q in published]
        self.stdout.write("\n".join(self.report(blueprint, rows, items)))

    def report(self, blueprint, rows, items) -> list[str]:
        total = len(rows)
        per_topic = Counter()
        for topic, kind, difficulty, _, _ in rows:
            per_topic[topic, "all"] += 1
            per_topic[topic, kind] += 1
            per_topic[topic, f"d{difficulty}"] += 1
        out = [
            f"Questions: {total}",
            "",
            "| domain | task statement | questions | multiple | difficulty 1/2/3 |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for domain in blueprint.domains.prefetch_related("topics"):
            codes = [t.code for t in domain.topics.all()]
            domain_total = sum(per_topic[c, "all"] for c in codes)
            share = 100 * domain_total / total if total else 0
            mix = "/".join(str(sum(per_topic[c, f"d{d}"] for c in codes)) for d in (1, 2, 3))
            out.append(
                f"| **{domain.code} {domain.name}** | {share:.1f}% (weight {domain.weight}%) "
                f"| **{domain_total}** | {sum(per_topic[c, 'multiple'] for c in codes)} | {mix} |"
            )
            for topic in domain.topics.all():
                mix = "/".join(str(per_topic[topic.code, f"d{d}"]) for d in (1, 2, 3))
                out.append(
                    f"| | {topic.code} {topic.name} | {per_topic[topic.code, 'all']} "
                    f"| {per_topic[topic.code, 'multiple']} | {mix} |"
                )
        if not total:
            return out
        found = quality.figures(items)
        difficulty = found["difficulty"]
        references = Counter(r for *_, r, _ in rows)
        out += [
            "",
            f"Multiple response: {found['multiple']} ({found['multiple'] / total:.0%}) · "
            f"difficulty 1/2/3: "
            + " / ".join(f"{difficulty[d]} ({difficulty[d] / total:.0%})" for d in (1, 2, 3)),
            "References per question: "
            + ", ".join(f"{n}: {references[n]}" for n in sorted(references)),
            *cue_lines(found),
        ]
        broken = quality.problems(found)
        out += ["", "Guide rules broken: " + ("; ".join(broken) if broken else "none")]
        tags = Counter(name for *_, names in rows for name in names)
        for title, names, floor in FLOORS:
            out += [
                "",
                f"{title} (at least {floor}): " + ", ".join(f"{n} {tags[n]}" for n in names),
            ]
        gaps = missing(tags)
        out.append(
            "Missing: "
            + (
                "; ".join(
                    f"{t}: {', '.join(f'{n} {c}' for n, c in m.items())}" for t, m in gaps.items()
                )
                if gaps
                else "nothing"
            )
        )
        return out
